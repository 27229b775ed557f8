//! The SpinKube deployment in `deploy/` matches the application: the SpinApp has what
//! its CRD requires (and only fields the CRD knows), every variable `spin.toml` marks
//! required is provided, secrets come from Kubernetes Secrets, every referenced Secret
//! and ConfigMap key exists, the runtime config names Spin's stores, and every
//! scheduled job (`/jobs/...` route) has a CronJob.

use std::collections::{BTreeSet, HashMap};

use yaml_rust2::{Yaml, YamlLoader};

fn docs(file: &str) -> Vec<Yaml> {
    let text = std::fs::read_to_string(e2e::root().join("deploy").join(file)).unwrap();
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("deploy/{file} is not valid YAML: {e}"))
}

fn all_docs() -> Vec<Yaml> {
    ["spinapp.yaml", "config.yaml", "secrets.example.yaml", "cronjobs.yaml"].iter().flat_map(|f| docs(f)).collect()
}

fn of_kind<'a>(all: &'a [Yaml], kind: &str) -> Vec<&'a Yaml> {
    all.iter().filter(|d| d["kind"].as_str() == Some(kind)).collect()
}

fn str_of<'a>(y: &'a Yaml, what: &str) -> &'a str {
    y.as_str().unwrap_or_else(|| panic!("{what} is missing or not a string: {y:?}"))
}

fn keys(y: &Yaml) -> BTreeSet<String> {
    y.as_hash().map(|h| h.keys().filter_map(|k| k.as_str().map(String::from)).collect()).unwrap_or_default()
}

fn manifest() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(e2e::root().join("spin.toml")).unwrap()).unwrap()
}

fn spinapp(all: &[Yaml]) -> &Yaml {
    let apps = of_kind(all, "SpinApp");
    assert_eq!(apps.len(), 1, "one SpinApp");
    apps[0]
}

/// `(name, key)` → value, of every Secret (stringData) or ConfigMap (data) in deploy/.
fn entries(all: &[Yaml], kind: &str) -> HashMap<(String, String), String> {
    let field = if kind == "Secret" { "stringData" } else { "data" };
    let mut out = HashMap::new();
    for d in of_kind(all, kind) {
        let name = str_of(&d["metadata"]["name"], "metadata.name").to_string();
        for (k, v) in d[field].as_hash().unwrap_or_else(|| panic!("{kind} {name}: no {field}")) {
            out.insert((name.clone(), k.as_str().unwrap().to_string()), v.as_str().unwrap_or_default().to_string());
        }
    }
    out
}

#[test]
fn the_spinapp_has_what_its_crd_requires() {
    let all = all_docs();
    let app = spinapp(&all);
    assert_eq!(app["apiVersion"].as_str(), Some("core.spinkube.dev/v1alpha1"));
    let name = str_of(&app["metadata"]["name"], "metadata.name");
    let spec = &app["spec"];
    // required by the CRD
    let image = str_of(&spec["image"], "spec.image");
    assert!(image.contains(':') && !image.ends_with(":latest"), "pin the image version: {image}");
    assert!(!str_of(&spec["executor"], "spec.executor").is_empty());
    // only fields the CRD (spin-operator v1alpha1) knows: a typo would be dropped silently
    let known: BTreeSet<String> = [
        "checks", "components", "deploymentAnnotations", "enableAutoscaling", "executor", "image", "imagePullSecrets",
        "podAnnotations", "podLabels", "replicas", "resources", "runtimeConfig", "serviceAnnotations", "variables",
        "volumeMounts", "volumes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let unknown: Vec<String> = keys(spec).difference(&known).cloned().collect();
    assert!(unknown.is_empty(), "fields the SpinApp CRD does not have: {unknown:?}");
    for probe in ["readiness", "liveness"] {
        assert_eq!(spec["checks"][probe]["httpGet"]["path"].as_str(), Some("/.well-known/spin/health"), "{probe}");
    }
    for side in ["requests", "limits"] {
        for what in ["cpu", "memory"] {
            assert!(spec["resources"][side][what].as_str().is_some(), "resources.{side}.{what}");
        }
    }
    // autoscaling: the operator leaves the replica count to an HPA on its Deployment
    assert_eq!(spec["enableAutoscaling"].as_bool(), Some(true));
    assert!(spec["replicas"].is_badvalue(), "replicas cannot be set with enableAutoscaling");
    let hpas = of_kind(&all, "HorizontalPodAutoscaler");
    assert_eq!(hpas.len(), 1);
    let hpa = &hpas[0]["spec"];
    assert_eq!(hpas[0]["apiVersion"].as_str(), Some("autoscaling/v2"));
    assert_eq!(hpa["scaleTargetRef"]["kind"].as_str(), Some("Deployment"));
    assert_eq!(hpa["scaleTargetRef"]["name"].as_str(), Some(name));
    let (min, max) = (hpa["minReplicas"].as_i64().unwrap(), hpa["maxReplicas"].as_i64().unwrap());
    assert!(min >= 2 && max > min, "{min}..{max}");
    // the edge refuses what the runner's --max-request-body refuses
    let ingress = of_kind(&all, "Ingress");
    assert_eq!(ingress[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"].as_str(), Some("6m"));
    assert_eq!(ingress[0]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"].as_str(), Some(name));
}

#[test]
fn the_runtime_config_names_spins_stores() {
    let all = all_docs();
    let app = spinapp(&all);
    let secret = str_of(&app["spec"]["runtimeConfig"]["loadFromSecret"], "runtimeConfig.loadFromSecret");
    let secrets = entries(&all, "Secret");
    let text = secrets
        .get(&(secret.to_string(), "runtime-config.toml".to_string()))
        .unwrap_or_else(|| panic!("Secret {secret} has no key runtime-config.toml"));
    let example = std::fs::read_to_string(e2e::root().join("deploy/runtime-config.example.toml")).unwrap();
    for (what, text) in [("the Secret", text.as_str()), ("runtime-config.example.toml", example.as_str())] {
        let rc: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(keys_of(&rc), ["key_value_store", "sqlite_database"], "{what}");
        let kv = &rc["key_value_store"]["default"];
        assert_eq!(kv["type"].as_str(), Some("redis"), "{what}");
        assert_eq!(keys_of(kv.as_table().unwrap()), ["type", "url"], "{what}: Spin's redis keys");
        assert!(kv["url"].as_str().unwrap().starts_with("redis"), "{what}");
        let db = &rc["sqlite_database"]["default"];
        assert_eq!(db["type"].as_str(), Some("libsql"), "{what}");
        assert_eq!(keys_of(db.as_table().unwrap()), ["token", "type", "url"], "{what}: Spin's libsql keys");
        assert!(db["url"].as_str().unwrap().starts_with("https://"), "{what}: Spin speaks to libSQL over HTTP(S)");
    }
    // every store and database a component uses is in the runtime config (or `default`)
    let m = manifest();
    for (id, c) in m["component"].as_table().unwrap() {
        for (field, table) in [("key_value_stores", "key_value_store"), ("sqlite_databases", "sqlite_database")] {
            for label in c.get(field).and_then(|v| v.as_array()).into_iter().flatten() {
                let rc: toml::Table = toml::from_str(text).unwrap();
                assert!(rc[table].get(label.as_str().unwrap()).is_some(), "component {id} uses {field} {label}");
            }
        }
    }
}

fn keys_of(t: &toml::Table) -> Vec<String> {
    let mut k: Vec<String> = t.keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn every_required_variable_is_provided_and_secrets_come_from_secrets() {
    let all = all_docs();
    let app = spinapp(&all);
    let m = manifest();
    let declared = m["variables"].as_table().unwrap();
    let (secrets, config) = (entries(&all, "Secret"), entries(&all, "ConfigMap"));
    let mut provided = BTreeSet::new();
    for v in app["spec"]["variables"].as_vec().expect("spec.variables") {
        let name = str_of(&v["name"], "variable name");
        let spec = declared.get(name).unwrap_or_else(|| panic!("`{name}` is not a variable of spin.toml"));
        assert!(!name.starts_with("dev_"), "`{name}`: development switches stay off in production");
        assert!(provided.insert(name.to_string()), "`{name}` is bound twice");
        let secret = spec.get("secret").and_then(|s| s.as_bool()).unwrap_or(false);
        let from = &v["valueFrom"];
        if let Some(r) = from["secretKeyRef"].as_hash().map(|_| &from["secretKeyRef"]) {
            let key = (str_of(&r["name"], "secretKeyRef.name").to_string(), str_of(&r["key"], "secretKeyRef.key").to_string());
            assert!(secrets.contains_key(&key), "`{name}`: Secret {key:?} is not in deploy/secrets.example.yaml");
        } else if let Some(r) = from["configMapKeyRef"].as_hash().map(|_| &from["configMapKeyRef"]) {
            assert!(!secret, "`{name}` is secret: bind it from a Secret");
            let key = (str_of(&r["name"], "configMapKeyRef.name").to_string(), str_of(&r["key"], "configMapKeyRef.key").to_string());
            assert!(config.contains_key(&key), "`{name}`: ConfigMap {key:?} is not in deploy/config.yaml");
        } else {
            assert!(!secret, "`{name}` is secret: never inline");
            assert!(v["value"].as_str().is_some(), "`{name}` has neither value nor valueFrom");
        }
    }
    for (name, spec) in declared {
        if spec.get("required").and_then(|r| r.as_bool()).unwrap_or(false) {
            assert!(provided.contains(name), "spin.toml requires `{name}`: deploy/spinapp.yaml must provide it");
        }
        let secret = spec.get("secret").and_then(|s| s.as_bool()).unwrap_or(false);
        let default = spec.get("default").and_then(|d| d.as_str());
        if secret && default == Some("") {
            assert!(provided.contains(name), "secret `{name}` has an empty default: provide it from a Secret");
        }
    }
}

#[test]
fn every_scheduled_job_has_a_cronjob() {
    let all = all_docs();
    let app_name = str_of(&spinapp(&all)["metadata"]["name"], "metadata.name").to_string();
    let secrets = entries(&all, "Secret");
    let m = manifest();
    let jobs: BTreeSet<String> = m["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["route"].as_str())
        .filter(|r| r.starts_with("/jobs/"))
        .map(String::from)
        .collect();
    assert!(!jobs.is_empty());
    let mut scheduled = BTreeSet::new();
    for cron in of_kind(&all, "CronJob") {
        let spec = &cron["spec"];
        let schedule = str_of(&spec["schedule"], "schedule");
        assert_eq!(schedule.split_whitespace().count(), 5, "{schedule}");
        assert_eq!(spec["concurrencyPolicy"].as_str(), Some("Forbid"));
        let container = &spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
        let args: Vec<&str> = container["args"].as_vec().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert!(args.windows(2).any(|w| w == ["-X", "POST"]), "{args:?}");
        assert!(args.contains(&"Authorization: Bearer $(JOBS_SECRET)"), "{args:?}");
        let env = &container["env"][0];
        assert_eq!(env["name"].as_str(), Some("JOBS_SECRET"));
        let r = &env["valueFrom"]["secretKeyRef"];
        let key = (str_of(&r["name"], "secret").to_string(), str_of(&r["key"], "key").to_string());
        assert!(secrets.contains_key(&key), "{key:?}");
        let url = args.last().unwrap();
        let path = url.strip_prefix(&format!("http://{app_name}")).unwrap_or_else(|| panic!("{url}: not the SpinApp's Service"));
        scheduled.insert(path.to_string());
    }
    assert_eq!(scheduled, jobs, "a CronJob for each /jobs/ route of spin.toml, and no other");
}
