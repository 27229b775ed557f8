//! The OpenAPI 3.1 document of the portal's `/api/...` and `/jobs/...` endpoints.
//!
//! Operations come from the table in [`ops`]; the schemas of their request bodies and
//! answers (named per operation in [`types`]) and of every error are derived
//! (`utoipa::ToSchema`, behind the `openapi` features of the components and of
//! `common`, `vacancy` and `access`) from the very structs the components deserialise
//! and serialise, so they cannot drift. `cargo run --release -p openapi` writes
//! `web/openapi.json`, which the static component serves at `/api/openapi.json`; the
//! test below fails when the committed file is not what the code generates.
//!
//! Left out on purpose: the OIDC provider's `/.well-known/...` and `/oidc/...` endpoints
//! (OpenID Connect discovery describes them), the SAML/SPID endpoints under `/auth/`
//! (browser redirects), pages, feeds and the development-only `/api/dev/...`.

pub mod ops;
pub mod types;

use ops::{In, Op, Out, Who};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::{ResponseBuilder, ResponsesBuilder};
use utoipa::openapi::schema::{ComponentsBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, LicenseBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required, ServerBuilder};
use utoipa::ToSchema;

/// Where `cargo run -p openapi` writes the document (relative to the repository root).
pub const OUTPUT: &str = "web/openapi.json";

const DESCRIPTION: &str = "\
API del portale Toscana Lavoro. Tutte le risposte di errore hanno la forma \
`{\"error\": {\"code\", \"message\"}}` (messaggio in italiano; 422 aggiunge `fields`).\n\n\
**Accesso.** Le operazioni pubbliche non richiedono autenticazione. Le altre richiedono \
la sessione del portale (cookie `__Host-tl_session`, ottenuto con SPID, CIE o CNS); ogni \
scrittura richiede anche l'intestazione `X-CSRF-Token` con il token di `GET /api/session`. \
I job (`/jobs/...`) richiedono `Authorization: Bearer` con il segreto dei job.\n\n\
**Dati aperti (riuso).** Le offerte di lavoro pubblicate (`GET /api/offers`, \
`GET /api/offers/{offer}`) e le liste di riferimento (`GET /api/ref/...`) sono dati aperti \
rilasciati con licenza Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0, la \
licenza predefinita per i dati aperti della pubblica amministrazione): citare \
\"Regione Toscana - Toscana Lavoro\". Le liste di comuni e province vengono da ISTAT.\n\n\
**Limiti di utilizzo.** Le letture pubbliche delle offerte non hanno un limite per \
client nel portale, ma sono memorizzabili: `Cache-Control: max-age=60` per le offerte e \
`max-age=3600` per le liste di riferimento, con `ETag` (rivalidare con `If-None-Match`, \
risposta 304). Si chiede ai riusatori di non superare una richiesta al secondo e di \
rispettare la cache; i limiti del portale rispondono 429 con `Retry-After` (secondi) \
dove indicato: codici di verifica, ricerca aziende, richieste di visione dei CV, accessi. \
Quando il servizio è sovraccarico qualunque operazione può rispondere 503 con \
`Retry-After`: riprovare dopo quei secondi, non subito.\n\n\
Non descritti qui: gli endpoint OpenID Connect (`/.well-known/openid-configuration` li \
descrive), gli accessi SPID/CIE/CNS sotto `/auth/` (redirect del browser), le pagine e i feed.";

fn error_ref() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name("Error"))
}

fn json_response(desc: &str, schema: RefOr<Schema>) -> utoipa::openapi::response::Response {
    ResponseBuilder::new().description(desc).content("application/json", ContentBuilder::new().schema(Some(schema)).build()).build()
}

fn any_object() -> RefOr<Schema> {
    RefOr::T(Schema::Object(ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object)).build()))
}

/// The named schema, or a generic object where the operation has no type.
fn named_or_object(name: Option<&str>) -> RefOr<Schema> {
    name.map_or_else(any_object, |n| RefOr::Ref(Ref::from_schema_name(n)))
}

fn binary(media: &str, desc: &str) -> utoipa::openapi::response::Response {
    let s = ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).content_media_type(media).build();
    ResponseBuilder::new().description(desc).content(media, ContentBuilder::new().schema(Some(Schema::Object(s))).build()).build()
}

/// The error statuses an operation may answer: every one the guards, the bounded body
/// reader and the handlers of its kind use.
pub fn error_statuses(op: &Op) -> Vec<u16> {
    let mut s = vec![400, 404];
    let write = matches!(op.method, "POST" | "PUT" | "PATCH" | "DELETE");
    if op.who != Who::Public {
        s.extend([401, 403]);
    }
    // the runner's admission control (a full queue) for any operation; a job also
    // when its secret is not configured
    s.push(503);
    if write || op.who != Who::Public {
        s.extend([409, 422, 429]);
    }
    if write {
        s.extend([413, 415]);
    }
    if op.who == Who::Public && op.ok == Out::Json(None) {
        s.extend([422, 429]);
    }
    s.sort_unstable();
    s.dedup();
    s
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Richiesta non valida",
        401 => "Accesso richiesto",
        403 => "Non consentito (ruolo, stato dell'account o token CSRF mancante)",
        404 => "Non trovato",
        409 => "In conflitto con lo stato attuale",
        413 => "Corpo della richiesta troppo grande",
        415 => "Tipo di contenuto non accettato",
        422 => "Dati non validi (`fields` per campo)",
        429 => "Troppe richieste (`Retry-After`)",
        503 => "Servizio sovraccarico (`Retry-After`) o non configurato",
        _ => "Errore",
    }
}

fn operation(op: &Op) -> utoipa::openapi::path::Operation {
    let mut responses = ResponsesBuilder::new();
    let typed = types::find(op.method, op.path);
    let answer = || named_or_object(typed.and_then(|t| t.response));
    let (status, ok) = match op.ok {
        Out::Json(Some(name)) => ("200", json_response("Esito", named_or_object(Some(name)))),
        Out::Json(None) => ("200", json_response("Esito", answer())),
        Out::Created => ("201", json_response("Creato", answer())),
        Out::Pdf => ("200", binary("application/pdf", "Documento PDF")),
        Out::Ics => ("200", binary("text/calendar", "Evento iCalendar")),
        Out::Zip => ("200", binary("application/zip", "Archivio ZIP")),
        Out::File => ("200", binary("application/octet-stream", "Il file, con il suo tipo")),
        Out::Html => ("200", binary("text/html", "Pagina HTML")),
    };
    responses = responses.response(status, ok);
    for a in types::ALSO.iter().filter(|a| a.method == op.method && a.path == op.path) {
        responses = responses.response(a.status, json_response("Esito", named_or_object(Some(a.response))));
    }
    if matches!(op.ok, Out::Json(Some(_))) {
        responses = responses.response("304", ResponseBuilder::new().description("Non modificato (`If-None-Match`)").build());
    }
    if op.ok == Out::Html {
        responses = responses.response("303", ResponseBuilder::new().description("Redirect alla pagina dell'esito").build());
    }
    // hyper, in front of every component (the runner's and Spin's), answers a request
    // line longer than it accepts with 414 and no body
    responses = responses.response("414", ResponseBuilder::new().description("URI troppo lungo (risposta del server HTTP, senza corpo)").build());
    for s in error_statuses(op) {
        // the pages opened from e-mail links answer their errors as pages too
        responses = if op.ok == Out::Html {
            responses.response(s.to_string(), binary("text/html", reason(s)))
        } else {
            responses.response(s.to_string(), RefOr::Ref(Ref::from_response_name(format!("E{s}"))))
        };
    }
    let tag = op.tag;
    let mut b = OperationBuilder::new()
        .summary(Some(op.summary))
        .operation_id(Some(operation_id(op)))
        .tag(tag)
        .responses(responses.build());
    for name in op.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')) {
        let schema = if name == "offer" {
            ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).pattern(Some("^[A-Z]{2}-[0-9]+$")).build()
        } else if name == "client" {
            ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).min_length(Some(1)).build()
        } else {
            ObjectBuilder::new().schema_type(SchemaType::Type(Type::Integer)).minimum(Some(1)).build()
        };
        b = b.parameter(ParameterBuilder::new().name(name).parameter_in(ParameterIn::Path).required(Required::True).schema(Some(schema)));
    }
    for q in op.query.split(',').filter(|q| !q.is_empty()) {
        let (name, required) = match q.strip_suffix('!') {
            Some(n) => (n, Required::True),
            None => (q, Required::False),
        };
        let schema = ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).build();
        b = b.parameter(ParameterBuilder::new().name(name).parameter_in(ParameterIn::Query).required(required).schema(Some(schema)));
    }
    let request = || named_or_object(typed.and_then(|t| t.request));
    let body = match op.body {
        In::None => None,
        In::Json => Some(("application/json", request())),
        In::Form => Some(("application/x-www-form-urlencoded", request())),
        In::File => Some((
            "application/octet-stream",
            RefOr::T(Schema::Object(ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)).content_media_type("application/octet-stream").build())),
        )),
    };
    if let Some((media, schema)) = body {
        b = b.request_body(Some(RequestBodyBuilder::new().content(media, ContentBuilder::new().schema(Some(schema)).build()).required(Some(Required::True)).build()));
    }
    b = match op.who {
        Who::Public => b.securities(Some(Vec::<SecurityRequirement>::new())),
        Who::Job => b.security(SecurityRequirement::new("jobs", Vec::<String>::new())),
        _ => b.security(SecurityRequirement::new("session", Vec::<String>::new())),
    };
    let who = match op.who {
        Who::Public => "pubblica",
        Who::Session => "persona con accesso",
        Who::Citizen => "cittadino",
        Who::Company => "per conto di un'azienda",
        Who::Operator => "operatore del CPI",
        Who::Admin => "amministratore",
        Who::Job => "job pianificato",
    };
    b.description(Some(format!("Chi: {who}."))).build()
}

/// `get_api_offers_offer`: method and path, one identifier per operation.
pub fn operation_id(op: &Op) -> String {
    let p: String = op.path.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let p = p.split('_').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("_");
    format!("{}_{p}", op.method.to_ascii_lowercase())
}

fn method(m: &str) -> HttpMethod {
    match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        "PATCH" => HttpMethod::Patch,
        other => panic!("method {other} not in the document"),
    }
}

pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for op in ops::OPS {
        paths = paths.path(op.path, PathItem::new(method(op.method), operation(op)));
    }
    let mut schemas = types::Schemas::new();
    types::register(&mut schemas);
    types::add::<common::validation::FieldError>(&mut schemas);
    types::add::<common::error::Envelope<'static>>(&mut schemas);
    let envelope = common::error::Envelope::name().into_owned();
    let mut components = ComponentsBuilder::new()
        .security_scheme("session", SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description("__Host-tl_session", "Sessione del portale; le scritture richiedono anche X-CSRF-Token"))))
        .security_scheme("jobs", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    for s in [400, 401, 403, 404, 409, 413, 415, 422, 429, 503] {
        components = components.response(format!("E{s}"), json_response(reason(s), error_ref()));
    }
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.dedup_by(|a, b| a.0 == b.0);
    for (name, s) in schemas {
        components = components.schema(if name == envelope { "Error".to_string() } else { name }, s);
    }
    let tags = ["documentazione", "offerte", "notizie", "accesso", "registrazione", "profilo", "cv", "candidature", "appuntamenti", "colloqui", "fascicolo", "documenti", "ricerche salvate", "azienda", "operatore", "amministrazione", "job"];
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Toscana Lavoro API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .license(Some(LicenseBuilder::new().name("EUPL-1.2 (software); CC BY 4.0 (dati aperti delle offerte)").identifier(Some("EUPL-1.2")).build())),
        )
        .servers(Some([ServerBuilder::new().url("/").build()]))
        .paths(paths.build())
        .components(Some(components.build()))
        .tags(Some(tags.map(|t| TagBuilder::new().name(t).build())))
        .build()
}

/// The document as written to [`OUTPUT`]: pretty JSON and a final newline.
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().expect("the document serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    #[test]
    fn the_committed_document_is_the_generated_one() {
        let committed = std::fs::read_to_string(root().join(OUTPUT)).unwrap_or_default();
        assert!(committed == document_json(), "{OUTPUT} is stale: run `cargo run --release -p openapi` and commit it");
    }

    #[test]
    fn operations_are_unique_and_3_1() {
        let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let mut ids: Vec<String> = ops::OPS.iter().map(operation_id).collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "two operations share a method and path");
        let count: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(count, n);
    }

    #[test]
    fn public_offer_schemas_come_from_the_components_types() {
        let doc: serde_json::Value = serde_json::from_str(&document_json()).unwrap();
        let detail = &doc["components"]["schemas"]["OfferDetail"]["properties"];
        for field in ["code", "cpi", "locations", "deadline", "expired", "application"] {
            assert!(detail.get(field).is_some(), "OfferDetail.{field}");
        }
        assert_eq!(doc["components"]["schemas"]["Mode"]["enum"], serde_json::json!(["online", "text"]));
        assert!(doc["components"]["schemas"]["Error"]["properties"]["error"].is_object());
    }
}
