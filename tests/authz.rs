//! The role × endpoint matrix (issue 15): every endpoint of `tests/support/routes.rs`
//! (which `tests/routes.rs` holds to every route of the manifests) tried by eight
//! actors, each answer held to the status the rules give, never a 5xx.
//!
//! Actors: anonymous; the citizen who applied to the offer; another citizen; a person
//! acting for the offer's company (Mario Rossi for ACME S.R.L., demo data); a person
//! acting for another company (GPI S.P.A.); an operator of the offer's CPI (Firenze); an
//! operator of another CPI (Prato); an administrator (the variable `bootstrap_admins`).
//! The world is made through the HTTP API only: the administrator grants the roles, the
//! operator publishes the offer, the citizen uploads a CV and applies, the operator
//! sends the application to the company.
//!
//! Each endpoint's expectation is written below from the rules of its component (who
//! may call it, what the fixture's state makes of the call); an endpoint of the table
//! with no expectation fails the test, so a new route cannot be left out. Writes carry
//! the session's CSRF token; a first pass sends every write that needs a session without
//! it, as every logged-in actor, and expects 403 (nothing is written then). Endpoints
//! that destroy part of the world (closing the offer, deleting the draft and the CV,
//! logout) run last, in the order of their `phase`.

use std::collections::HashMap;
use std::time::Instant;

use e2e::client::{Client, registered_citizen, unix_now};
use e2e::routes::{Body, ENDPOINTS, Endpoint};
use e2e::staff::{self, ACME, CF, GPI_CODE};
use e2e::{App, Reply, Start, request};
use serde_json::{Value, json};

const JOBS_SECRET: &str = "authz-jobs-secret-0123456789abcdefghij";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    Citizen,
    OtherCitizen,
    Company,
    OtherCompany,
    Operator,
    OtherOperator,
    Admin,
}

use Actor::*;

const ACTORS: [Actor; 8] = [Anonymous, Citizen, OtherCitizen, Company, OtherCompany, Operator, OtherOperator, Admin];

/// The status an answer must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exp {
    /// 2xx
    Ok,
    /// 3xx
    Redirect,
    Is(u16),
}

use Exp::{Is, Ok, Redirect};

impl Exp {
    fn accepts(self, status: u16) -> bool {
        match self {
            Ok => (200..300).contains(&status),
            Redirect => (300..400).contains(&status),
            Is(s) => s == status,
        }
    }
}

type Rule = Box<dyn Fn(Actor) -> Exp>;

/// The same answer for everyone, with or without a session.
fn everyone(e: Exp) -> Rule {
    Box::new(move |_| e)
}

/// 401 without a session; `e` for any logged-in person (every actor's account is active).
fn any_session(e: Exp) -> Rule {
    Box::new(move |a| if a == Anonymous { Is(401) } else { e })
}

/// 401 without a session; `e` for the actors in `who`; `others` for everyone else.
fn only(who: &'static [Actor], e: Exp, others: Exp) -> Rule {
    Box::new(move |a| match a {
        Anonymous => Is(401),
        a if who.contains(&a) => e,
        _ => others,
    })
}

/// What a case sends.
enum Payload {
    Nothing,
    Json(Value),
    Form(Vec<(&'static str, String)>),
    /// A CV file, as the pages upload it.
    File,
}

struct Case {
    send: Payload,
    rule: Rule,
    /// Cases run by phase, then in the table's order: destructive ones come last.
    phase: u8,
    /// A fixture made again just before this case (its placeholder).
    fresh: Option<&'static str>,
}

fn case(send: Payload, rule: Rule) -> Case {
    Case { send, rule, phase: 0, fresh: None }
}

fn get(rule: Rule) -> Case {
    case(Payload::Nothing, rule)
}

fn json(v: Value, rule: Rule) -> Case {
    case(Payload::Json(v), rule)
}

impl Case {
    fn phase(mut self, p: u8) -> Self {
        self.phase = p;
        self
    }

    fn fresh(mut self, placeholder: &'static str) -> Self {
        self.fresh = Some(placeholder);
        self
    }
}

const OPERATORS: &[Actor] = &[Operator, OtherOperator];
const COMPANIES: &[Actor] = &[Company, OtherCompany];

/// The world the actors act in.
struct World {
    app: App,
    clients: HashMap<&'static str, Client>,
    ids: HashMap<&'static str, String>,
    deadline: String,
    cv_bytes: Vec<u8>,
    /// The number of requirements the offer asks candidates to declare.
    requirements: usize,
    /// The runner's state directory (dropped after the runner).
    _state: tempfile::TempDir,
}

impl World {
    fn client(&self, a: Actor) -> &Client {
        &self.clients[name(a)]
    }

    fn id(&self, placeholder: &str) -> String {
        self.ids.get(placeholder).cloned().unwrap_or_else(|| panic!("no {placeholder} in the world"))
    }

    fn new_draft(&self) -> String {
        let r = self.client(Operator).post("/api/operator/drafts", &staff::offer_form("cameriere di sala", &self.deadline, ACME));
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["id"].as_i64().unwrap().to_string()
    }

    /// Makes the fixture of `placeholder` again.
    fn refresh(&mut self, placeholder: &'static str) {
        let v = match placeholder {
            "{draft}" => self.new_draft(),
            other => panic!("no way to make {other} again"),
        };
        self.ids.insert(placeholder, v);
    }
}

fn name(a: Actor) -> &'static str {
    match a {
        Anonymous => "anonymous",
        Citizen => "citizen",
        OtherCitizen => "other citizen",
        Company => "company",
        OtherCompany => "other company",
        Operator => "operator",
        OtherOperator => "other operator",
        Admin => "admin",
    }
}

/// The world, made through the HTTP API.
fn world() -> World {
    let state = tempfile::tempdir().unwrap();
    let app = Start::portal(state.path())
        .arg("--variable")
        .arg(format!("bootstrap_admins={}", CF[6]))
        .arg("--variable")
        .arg(format!("jobs_secret={JOBS_SECRET}"))
        .start();
    let admin = registered_citizen(&app, 6);
    assert_eq!(admin.get("/api/staff/me").json_checked()["admin"], true);
    let citizen = registered_citizen(&app, 1);
    let other_citizen = registered_citizen(&app, 3);
    let operator = registered_citizen(&app, 4);
    let other_operator = registered_citizen(&app, 5);
    let other_company = staff::registered_delegate(&app, 2, GPI_CODE);
    let company = staff::acting_for(&app, 0, ACME);
    staff::grant(&admin, CF[4], "operator", Some("firenze"));
    staff::grant(&admin, CF[5], "operator", Some("prato"));
    // a role that only the administrator's revocation in the matrix ends
    let spare_role = staff::grant(&admin, CF[7], "operator", Some("pisa"));

    let deadline = common::rome::day_at(unix_now() + 30 * 86_400);
    let offer = staff::publish(&operator, &staff::offer_form("aiuto cuoco", &deadline, ACME));
    let code = offer["code"].as_str().unwrap().to_string();
    let cv_bytes = staff::cv_file(&e2e::cvfiles::cv_text("Giulia Bianchi", CF[1], staff::EMAIL[1], "+39 338 9876543", "23/07/1992", "cuoco"));
    let cv = staff::upload_cv(&citizen, &cv_bytes, "CV cuoco");
    let requirements = citizen.get(&format!("/api/applications/form?offer={code}")).json_checked()["requirements"].as_array().unwrap().len();
    assert_eq!(requirements, 3, "qualifica, experience and the operator's own requirement");
    let applied = staff::apply(&citizen, &code, cv);
    assert_eq!(applied.status, 201, "{}", applied.body);
    let application = applied.json()["id"].as_i64().unwrap();
    for status in ["presa_in_carico", "inviata"] {
        let r = operator.post(&format!("/api/operator/applications/{application}/status"), &json!({ "status": status }));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // an incarico that only its holder's revocation in the matrix ends (IL GIRASOLE, a company)
    let incarico = other_citizen.post("/api/profile/companies", &json!({ "code": "94000010499", "role": "delegato", "declaration_accepted": true }));
    assert_eq!(incarico.status, 201, "{}", incarico.body);

    let mut clients = HashMap::new();
    clients.insert("anonymous", Client::anonymous(&app));
    for (a, c) in [(Citizen, citizen), (OtherCitizen, other_citizen), (Company, company), (OtherCompany, other_company), (Operator, operator), (OtherOperator, other_operator), (Admin, admin)] {
        clients.insert(name(a), c);
    }
    let mut ids = HashMap::new();
    ids.insert("{offer}", code);
    ids.insert("{cv}", cv.to_string());
    ids.insert("{application}", application.to_string());
    ids.insert("{role}", spare_role.to_string());
    ids.insert("{incarico}", incarico.json()["id"].as_i64().unwrap().to_string());
    ids.insert("{person}", CF[1].to_string());
    // C5: a desk of Firenze open every day for "ricerca", an exception, the citizen's
    // booking and message, the operator's calendar feed
    let op = &clients[name(Operator)];
    let desk = op.post("/api/operator/desks", &json!({ "name": "Sportello 1", "address": "Via Cavour 1, Firenze", "email": "cpi.firenze@example.org", "phone": "055 1234567" }));
    assert_eq!(desk.status, 201, "{}", desk.body);
    let desk = desk.json()["id"].as_i64().unwrap();
    let mut hours = 0;
    for weekday in 1..=7 {
        let r = op.post(&format!("/api/operator/desks/{desk}/hours"), &json!({ "kind": "ricerca", "weekday": weekday, "start": "08:00", "end": "20:00" }));
        assert_eq!(r.status, 201, "{}", r.body);
        hours = r.json()["id"].as_i64().unwrap();
    }
    let exception = op.post(&format!("/api/operator/desks/{desk}/exceptions"), &json!({ "day": deadline, "open": false, "note": "Chiuso" }));
    assert_eq!(exception.status, 201, "{}", exception.body);
    let citizen_client = &clients[name(Citizen)];
    let free = citizen_client.get("/api/appointments/availability?cpi=firenze&kind=ricerca").json_checked();
    let slot = free["items"][0]["slot"].as_str().expect("a free slot").to_string();
    let booked = citizen_client.post("/api/appointments", &json!({ "slot": slot }));
    assert_eq!(booked.status, 201, "{}", booked.body);
    let message = citizen_client.post("/api/appointments/messages", &json!({ "cpi": "firenze", "text": "Quando apre lo sportello del sabato?" }));
    assert_eq!(message.status, 201, "{}", message.body);
    let feed = op.post("/api/operator/appointments/feed", &json!({}));
    assert_eq!(feed.status, 201, "{}", feed.body);
    let feed = feed.json()["url"].as_str().unwrap().rsplit('/').next().unwrap().trim_end_matches(".ics").to_string();
    ids.insert("{appointment}", booked.json()["id"].as_i64().unwrap().to_string());
    ids.insert("{slot}", slot);
    ids.insert("{desk}", desk.to_string());
    ids.insert("{hours}", hours.to_string());
    ids.insert("{exception}", exception.json()["id"].as_i64().unwrap().to_string());
    ids.insert("{message}", message.json()["id"].as_i64().unwrap().to_string());
    ids.insert("{feed}", feed);
    // C6 B4: ACME invites the citizen whose application the CPI sent it, the day after
    // tomorrow (the room is not open during the matrix)
    let invited = clients[name(Company)].post(
        "/api/company/interviews",
        &json!({ "application": application, "date": common::rome::day_at(unix_now() + 2 * 86_400), "time": "10:00", "minutes": 30 }),
    );
    assert_eq!(invited.status, 201, "{}", invited.body);
    ids.insert("{interview}", invited.json()["id"].as_i64().unwrap().to_string());
    // C9 O1 records: an experience in the citizen's record (Firenze) and a regional course
    let record = op.post(&format!("/api/operator/records/experiences?person={}", CF[1]), &json!({ "employer": "Trattoria", "role": "Cuoco", "start_date": "2020-01-01" }));
    assert_eq!(record.status, 201, "{}", record.body);
    ids.insert("{record}", record.json()["id"].as_i64().unwrap().to_string());
    let course = op.post("/api/operator/courses", &json!({ "title": "Corso", "description": "Corso regionale", "trainer": "Agenzia", "start_date": "2026-01-10", "end_date": "2026-06-30" }));
    assert_eq!(course.status, 201, "{}", course.body);
    ids.insert("{course}", course.json()["id"].as_i64().unwrap().to_string());
    // C10: a document of Firenze for the citizen, sent to sign
    let document = op.post("/api/operator/documents", &json!({ "fiscal_code": CF[1], "kind": "patto_150", "text": "Ricerca attiva del lavoro." }));
    assert_eq!(document.status, 201, "{}", document.body);
    ids.insert("{document}", document.json()["id"].as_i64().unwrap().to_string());
    // X1: a saved search of the citizen; the unsubscribe token is only ever in e-mails
    let saved = clients[name(Citizen)].post("/api/saved-searches", &json!({ "name": "Cuoco", "filters": { "q": "cuoco" }, "frequency": "daily" }));
    assert_eq!(saved.status, 201, "{}", saved.body);
    ids.insert("{saved_search}", saved.json()["id"].as_i64().unwrap().to_string());
    ids.insert("{unsubscribe}", "0".repeat(64));
    let mut w = World { app, clients, ids, deadline, cv_bytes, requirements, _state: state };
    let draft = w.new_draft();
    w.ids.insert("{draft}", draft);
    w
}

/// Every endpoint's case: what is sent and what each actor must get.
fn case_of(e: &Endpoint, w: &World) -> Option<Case> {
    let offer_form = || staff::offer_form("aiuto cuoco", &w.deadline, ACME);
    let c = match (e.method, e.path) {
        // public pages, news, offers
        ("GET", "/" | "/cittadino/offerte/" | "/api/news" | "/api/news/1") => get(everyone(Ok)),
        ("GET", "/api/openapi.json") => get(everyone(Ok)),
        ("GET", "/api/offers" | "/api/offers/{offer}" | "/api/ref/provinces" | "/offerte/{offer}" | "/feeds/offers.rss" | "/sitemap.xml" | "/sitemaps/pages.xml") => {
            get(everyone(Ok))
        }
        // A1: the SSO bridge
        ("GET", "/api/session" | "/auth/spid/metadata" | "/auth/cie/metadata" | "/auth/spid/idps") => get(everyone(Ok)),
        // no IdP chosen
        ("GET", "/auth/spid/login") => get(everyone(Is(400))),
        // CIE has one IdP: the signed AuthnRequest's redirect
        ("GET", "/auth/cie/login") => get(everyone(Redirect)),
        // no SAMLResponse: refused
        ("POST", "/auth/spid/acs" | "/auth/cie/acs") => case(Payload::Form(vec![]), everyone(Is(403))),
        // neither a LogoutResponse nor a LogoutRequest
        ("GET", "/auth/spid/slo") => get(everyone(Is(400))),
        ("POST", "/auth/spid/slo" | "/auth/cie/slo") => case(Payload::Form(vec![]), everyone(Is(400))),
        // CNS is off without its header variable
        ("GET", "/auth/cns/login") => get(everyone(Is(403))),
        ("POST", "/auth/cns/login") => case(Payload::Form(vec![]), everyone(Is(403))),
        // anonymous: back home; a session: the page that continues to the IdP's single logout
        ("POST", "/auth/logout") => case(Payload::Form(vec![]), Box::new(|a| if a == Anonymous { Redirect } else { Ok })).phase(9),
        // jobs: the bearer secret, which no person has
        ("POST", "/jobs/cleanup" | "/jobs/notifications/deliver" | "/jobs/cv/retention" | "/jobs/appointments/remind") => json(json!({}), everyone(Is(401))),
        ("POST", "/jobs/alerts") => json(json!({}), everyone(Is(401))),
        // A1 A2 A3 B1: every actor's account is active
        ("GET", "/api/registration") => get(any_session(Ok)),
        ("POST", "/api/registration" | "/api/registration/otp" | "/api/registration/otp/verify" | "/api/registration/activation/resend") => {
            json(json!({}), any_session(Is(409)))
        }
        // an activation link needs no session; this one has no token
        ("GET", "/api/registration/activate") => get(everyone(Is(404))),
        ("POST", "/api/registration/activate") => case(Payload::Form(vec![("token", String::new())]), everyone(Is(404))),
        ("GET", "/api/profile" | "/api/profile/companies" | "/api/session/act-as") => get(any_session(Ok)),
        // empty forms: the guard lets them through to the field checks (nothing written)
        ("PUT", "/api/profile") | ("POST", "/api/profile/otp" | "/api/profile/otp/verify" | "/api/profile/companies" | "/api/profile/agencies" | "/api/profile/professional") => {
            json(json!({}), any_session(Is(422)))
        }
        // the other citizen's incarico: anyone else's revocation finds none of theirs
        ("DELETE", "/api/profile/companies/{incarico}") => get(only(&[OtherCitizen], Ok, Is(404))),
        // any session (also before registering), no code
        ("GET", "/api/companies/lookup") => get(any_session(Is(422))),
        ("POST", "/api/session/act-as") => json(json!({ "company_id": ACME }), only(&[Company], Ok, Is(403))),
        // C2 C3 B3
        ("GET", "/api/cv" | "/api/cv/form" | "/api/cv-requests") => get(any_session(Ok)),
        ("POST", "/api/cv") => case(Payload::File, any_session(Ok)),
        ("GET", "/api/cv/{cv}" | "/api/cv/{cv}/history") => get(only(&[Citizen], Ok, Is(404))),
        ("PUT", "/api/cv/{cv}") => case(Payload::File, only(&[Citizen], Ok, Is(404))),
        ("DELETE", "/api/cv/{cv}") => get(only(&[Citizen], Ok, Is(404))).phase(8),
        // no company has an accepted view request for it
        ("GET", "/api/cv/{cv}/file") => get(only(&[Citizen], Ok, Is(403))),
        ("GET", "/api/cv-search") => get(only(COMPANIES, Ok, Is(403))),
        // a company's request without a position, an owner's decision without a request
        ("POST", "/api/cv-requests") => json(json!({}), any_session(Is(422))),
        // the e-mail's link needs no session; this one has no token
        ("GET", "/api/cv-requests/decision") => get(everyone(Is(404))),
        ("POST", "/api/cv-requests/decision") => case(Payload::Form(vec![("token", String::new()), ("decision", "accept".into())]), everyone(Is(404))),
        // the operator of the citizen's CPI (Firenze); Prato's is refused the person
        ("GET", "/api/operator/cv?person={person}" | "/api/operator/cv/{cv}/file") => get(only(&[Operator], Ok, Is(403))),
        ("POST", "/api/operator/cv?person={person}") => case(Payload::File, only(&[Operator], Ok, Is(403))),
        // O1: the back office
        ("GET", "/api/staff/me") => get(any_session(Ok)),
        // Prato's operator is no operator of Firenze: a field error
        ("POST", "/api/staff/cpi") => json(json!({ "cpi": "firenze" }), Box::new(|a| match a {
            Anonymous => Is(401),
            Operator => Ok,
            OtherOperator => Is(422),
            _ => Is(403),
        })),
        ("GET", "/api/admin/roles" | "/api/admin/audit") => get(only(&[Admin], Ok, Is(403))),
        ("POST", "/api/admin/roles") => json(json!({ "fiscal_code": CF[7], "role": "operator", "cpi": "livorno" }), only(&[Admin], Ok, Is(403))),
        ("DELETE", "/api/admin/roles/{role}") => get(only(&[Admin], Ok, Is(403))),
        // each operator lists, publishes and drafts for their own CPI
        ("GET", "/api/operator/offers" | "/api/operator/drafts" | "/api/operator/companies?q=acme") => get(only(OPERATORS, Ok, Is(403))),
        ("POST", "/api/operator/offers" | "/api/operator/drafts") => json(offer_form(), only(OPERATORS, Ok, Is(403))),
        // the offer and the draft are Firenze's: Prato's operator finds neither
        ("GET", "/api/operator/offers/{offer}" | "/api/operator/drafts/{draft}") => get(op_of_firenze()),
        ("PUT", "/api/operator/offers/{offer}" | "/api/operator/drafts/{draft}") => json(offer_form(), op_of_firenze()),
        ("POST", "/api/operator/offers/{offer}/close") => json(json!({}), op_of_firenze()).phase(5),
        ("DELETE", "/api/operator/drafts/{draft}") => get(op_of_firenze()).phase(5),
        ("POST", "/api/operator/drafts/{draft}/publish") => json(json!({}), op_of_firenze()).phase(6).fresh("{draft}"),
        // C1 C4: any person may apply (every actor is an active citizen too)
        ("GET", "/api/applications/form?offer={offer}" | "/api/applications") => get(any_session(Ok)),
        // the citizen applied already; anyone else names a CV that is not theirs
        ("POST", "/api/applications") => {
            let body = json!({ "offer": w.id("{offer}"), "cv_id": w.id("{cv}").parse::<i64>().unwrap(), "declarations": vec![true; w.requirements] });
            json(body, only(&[Citizen], Is(409), Is(422)))
        }
        ("GET", "/api/applications/{application}" | "/api/applications/{application}/cv") => get(only(&[Citizen], Ok, Is(404))),
        // sent to the company already: no longer withdrawn
        ("POST", "/api/applications/{application}/withdraw") => json(json!({}), only(&[Citizen], Is(409), Is(404))),
        // O1 evaluation: each operator lists their own CPI's; this one is Firenze's
        ("GET", "/api/operator/applications") => get(only(OPERATORS, Ok, Is(403))),
        ("GET", "/api/operator/applications/{application}" | "/api/operator/applications/{application}/cv") => get(op_of_firenze()),
        // sent to the company already: the esito moves forward only
        ("POST", "/api/operator/applications/{application}/status") => json(json!({ "status": "non_inviata" }), Box::new(|a| match a {
            Anonymous => Is(401),
            Operator => Is(409),
            OtherOperator => Is(404),
            _ => Is(403),
        })),
        // the company's side: each company sees its own; only ACME received this application
        ("GET", "/api/company/offers" | "/api/company/applications") => get(only(COMPANIES, Ok, Is(403))),
        ("GET", "/api/company/applications/{application}/cv") => get(only(&[Company], Ok, Is(403))),
        // C5 X4: the kinds are public; searching, booking and writing to a CPI need a session
        ("GET", "/api/appointments/kinds") => get(everyone(Ok)),
        ("GET", "/api/appointments/availability?cpi=prato&kind=ricerca" | "/api/appointments" | "/api/appointments/messages") => get(any_session(Ok)),
        // the citizen's slot, booked already: taken for everyone
        ("POST", "/api/appointments") => json(json!({ "slot": w.id("{slot}") }), any_session(Is(409))),
        ("POST", "/api/appointments/messages") => json(json!({ "cpi": "prato", "text": "Vorrei sapere gli orari dello sportello." }), any_session(Ok)),
        ("GET", "/api/appointments/{appointment}" | "/api/appointments/{appointment}/receipt" | "/api/appointments/{appointment}/calendar") => {
            get(only(&[Citizen], Ok, Is(404)))
        }
        // cancelled by the CPI already (phase 0): no longer cancellable by its citizen
        ("POST", "/api/appointments/{appointment}/cancel") => json(json!({}), only(&[Citizen], Is(409), Is(404))).phase(7),
        // each operator works on their own CPI's desks; these are Firenze's
        ("GET", "/api/operator/desks" | "/api/operator/appointments" | "/api/operator/appointments/messages" | "/api/operator/appointments/feed") => {
            get(only(OPERATORS, Ok, Is(403)))
        }
        ("POST", "/api/operator/desks") => json(json!({ "name": "Sportello 2", "address": "Via Roma 2", "email": "s2@example.org", "phone": "055 2" }), only(OPERATORS, Ok, Is(403))),
        ("POST", "/api/operator/desks/{desk}") => json(json!({ "name": "Sportello 1", "address": "Via Cavour 1, Firenze", "email": "cpi.firenze@example.org", "phone": "055 1234567" }), op_of_firenze()),
        ("POST", "/api/operator/desks/{desk}/hours") => json(json!({ "kind": "iscrizione", "weekday": 1, "start": "09:00", "end": "12:00" }), op_of_firenze()),
        ("POST", "/api/operator/desks/{desk}/exceptions") => json(json!({ "day": w.deadline, "open": true, "kind": "ricerca", "start": "21:00", "end": "22:00" }), op_of_firenze()),
        ("POST", "/api/operator/desks/{desk}/hours/{hours}/delete" | "/api/operator/desks/{desk}/exceptions/{exception}/delete") => json(json!({}), op_of_firenze()).phase(5),
        ("POST", "/api/operator/appointments/{appointment}/cancel") => json(json!({ "reason": "Sportello chiuso" }), op_of_firenze()),
        ("POST", "/api/operator/appointments/messages/{message}/answer") => json(json!({ "text": "Il sabato è chiuso." }), op_of_firenze()),
        // a new URL, then none: after the feed's own case (phase 0)
        ("POST", "/api/operator/appointments/feed" | "/api/operator/appointments/feed/revoke") => json(json!({}), only(OPERATORS, Ok, Is(403))).phase(6),
        // the private URL is the credential: anyone holding it reads it
        ("GET", "/calendar/{feed}.ics") => get(everyone(Ok)),
        // C6 B4: the candidate's list; their own interview; confirmed by the first case
        ("GET", "/api/interviews") => get(any_session(Ok)),
        ("GET", "/api/interviews/{interview}" | "/api/interviews/{interview}/calendar") => get(only(&[Citizen], Ok, Is(404))),
        ("POST", "/api/interviews/{interview}/accept") => json(json!({}), only(&[Citizen], Ok, Is(404))),
        ("POST", "/api/interviews/{interview}/refuse") => json(json!({}), only(&[Citizen], Is(409), Is(404))),
        ("POST", "/api/interviews/{interview}/change") => json(json!({ "message": "Solo il pomeriggio" }), only(&[Citizen], Is(409), Is(404))),
        // the room: closed (not yet open) for the two parties, nobody else's
        ("GET", "/api/interviews/{interview}/room" | "/api/interviews/{interview}/room/signals") => get(only(&[Citizen], Is(409), Is(404))),
        ("POST", "/api/interviews/{interview}/room") => json(json!({}), only(&[Citizen], Is(409), Is(404))),
        ("POST", "/api/interviews/{interview}/room/signals") => json(json!({ "kind": "ready" }), only(&[Citizen], Is(409), Is(404))),
        // the company's side: each company its own; this interview is ACME's
        ("GET", "/api/company/interviews") => get(only(COMPANIES, Ok, Is(403))),
        // ACME invited this candidate already; GPI received no such application
        ("POST", "/api/company/interviews") => {
            let body = json!({ "application": w.id("{application}").parse::<i64>().unwrap(), "date": w.deadline, "time": "10:00" });
            json(body, company_of_acme(Is(409), Is(422)))
        }
        ("GET", "/api/company/interviews/{interview}" | "/api/company/interviews/{interview}/calendar") => get(company_of_acme(Ok, Is(404))),
        // no change was asked: no new date
        ("POST", "/api/company/interviews/{interview}/reschedule") => json(json!({ "date": w.deadline, "time": "11:00" }), company_of_acme(Is(409), Is(404))),
        ("POST", "/api/company/interviews/{interview}/cancel") => json(json!({}), company_of_acme(Ok, Is(404))).phase(7),
        ("GET", "/api/company/interviews/{interview}/room" | "/api/company/interviews/{interview}/room/signals") => get(company_of_acme(Is(409), Is(404))),
        ("POST", "/api/company/interviews/{interview}/room" | "/api/company/interviews/{interview}/room/admit") => json(json!({}), company_of_acme(Is(409), Is(404))),
        ("POST", "/api/company/interviews/{interview}/room/signals") => json(json!({ "kind": "hello" }), company_of_acme(Is(409), Is(404))),
        // C7 C8 C9 C11 X8: each person's own lists, prints and export
        ("GET", "/api/records/activities" | "/api/records/gg" | "/api/records/courses" | "/api/records/sap" | "/api/records/sap/pdf" | "/api/records/libretto" | "/api/records/libretto/pdf" | "/api/records/export") => {
            get(any_session(Ok))
        }
        // O1 records: the citizen is Firenze's; Prato's operator is refused (not their citizen)
        ("GET", "/api/operator/records?person={person}" | "/api/operator/records/sap?person={person}" | "/api/operator/records/libretto?person={person}") => get(only(&[Operator], Ok, Is(403))),
        ("GET", "/api/operator/records/reference" | "/api/operator/courses") => get(only(OPERATORS, Ok, Is(403))),
        ("POST", "/api/operator/records/admin?person={person}") => json(json!({ "employment_status": "Disoccupato" }), only(&[Operator], Ok, Is(403))),
        ("POST", "/api/operator/records/experiences?person={person}" | "/api/operator/records/experiences/{record}?person={person}") => {
            json(json!({ "employer": "Bar Roma", "role": "Barista", "start_date": "2021-01-01" }), only(&[Operator], Ok, Is(403)))
        }
        ("POST", "/api/operator/records/experiences/{record}/delete?person={person}") => json(json!({}), only(&[Operator], Ok, Is(403))).phase(5),
        ("POST", "/api/operator/courses" | "/api/operator/courses/{course}") => {
            json(json!({ "title": "Corso", "description": "Corso regionale", "trainer": "Agenzia", "start_date": "2026-01-10", "end_date": "2026-06-30" }), only(OPERATORS, Ok, Is(403)))
        }
        // C10 X5: the citizen's own document (Firenze's); in table order: taken in charge,
        // a code sent, a wrong code refused; the operator's signature before the
        // citizen's refused; cancelled last
        ("GET", "/api/documents") => get(any_session(Ok)),
        ("GET", "/api/documents/{document}/pdf") => get(only(&[Citizen], Ok, Is(404))),
        ("POST", "/api/documents/{document}/take" | "/api/documents/{document}/sign/code") => json(json!({}), only(&[Citizen], Ok, Is(404))),
        ("POST", "/api/documents/{document}/sign") => json(json!({ "code": "000000" }), only(&[Citizen], Is(400), Is(404))),
        ("GET", "/api/operator/documents") => get(only(OPERATORS, Ok, Is(403))),
        // Prato's operator: the citizen lives in Firenze's area
        ("POST", "/api/operator/documents") => json(
            json!({ "fiscal_code": CF[1], "kind": "ricevuta_did", "text": "Dichiarazione resa allo sportello." }),
            Box::new(|a| match a {
                Anonymous => Is(401),
                Operator => Ok,
                OtherOperator => Is(422),
                _ => Is(403),
            }),
        ),
        ("GET", "/api/operator/documents/{document}/pdf") => get(op_of_firenze()),
        ("POST", "/api/operator/documents/{document}/countersign") => json(
            json!({}),
            Box::new(|a| match a {
                Anonymous => Is(401),
                Operator => Is(409),
                OtherOperator => Is(404),
                _ => Is(403),
            }),
        ),
        ("POST", "/api/operator/documents/{document}/cancel") => json(json!({ "reason": "Sostituita dalla pratica 84" }), op_of_firenze()).phase(7),
        // the check page is public; a CV file is no PDF
        ("GET", "/api/verify?code=0000-0000-0000-0000") => get(everyone(Ok)),
        ("POST", "/api/verify") => case(Payload::File, everyone(Is(422))),
        // B2 C7 OIDC: discovery and keys are public; without a registered client the
        // authorization endpoint answers a page, the token endpoint invalid_client, userinfo
        // invalid_token, whoever asks (the partner authenticates, not the browser's session)
        ("GET", "/.well-known/openid-configuration" | "/oidc/jwks" | "/api/oidc/partners") => get(everyone(Ok)),
        ("GET", "/oidc/authorize") => get(everyone(Is(400))),
        ("POST", "/oidc/authorize") => case(Payload::Form(vec![]), everyone(Is(400))),
        ("POST", "/oidc/token") => case(Payload::Form(vec![]), everyone(Is(401))),
        ("GET", "/oidc/userinfo") => get(everyone(Is(401))),
        ("POST", "/oidc/userinfo") => case(Payload::Form(vec![]), everyone(Is(401))),
        // a CO site's hand-off: only a person acting for a company with an incarico
        ("POST", "/api/oidc/handoff") => json(json!({ "client_id": "demo-co-fi" }), only(COMPANIES, Ok, Is(403))),
        ("GET", "/api/oidc/consents") => get(any_session(Ok)),
        ("DELETE", "/api/oidc/consents/demo-gg") => get(any_session(Is(404))),
        // the back-channel logout job: only with the jobs' bearer secret, never a session
        ("POST", "/jobs/oidc/logout") => json(json!({}), everyone(Is(401))),
        // X1: any person saves searches; the citizen's search is theirs alone (404 to others)
        ("GET", "/api/saved-searches") => get(any_session(Ok)),
        ("POST", "/api/saved-searches") => json(json!({ "name": "Tutte le offerte", "filters": {}, "frequency": "none" }), any_session(Ok)),
        ("GET", "/api/saved-searches/{saved_search}") => get(only(&[Citizen], Ok, Is(404))),
        ("PATCH", "/api/saved-searches/{saved_search}") => json(json!({ "frequency": "weekly" }), only(&[Citizen], Ok, Is(404))),
        ("DELETE", "/api/saved-searches/{saved_search}") => get(only(&[Citizen], Ok, Is(404))).phase(8),
        // the unsubscribe link needs no session; this token is nobody's
        ("GET", "/ricerche/disiscrizione/{unsubscribe}") => get(everyone(Is(404))),
        ("POST", "/ricerche/disiscrizione/{unsubscribe}") => case(Payload::Form(vec![("List-Unsubscribe", "One-Click".into())]), everyone(Is(404))),
        // development only: the demo IdP refuses requests that are not its own, the mailbox is open
        ("GET", "/test-idp/spid/sso") => get(everyone(Is(400))),
        // the demo partner site: its page is open; a logout without a token is refused
        ("GET", "/demo-partner/") => get(everyone(Ok)),
        ("POST", "/demo-partner/backchannel-logout") => case(Payload::Form(vec![]), everyone(Is(400))),
        ("POST", "/test-idp/spid/login") => case(Payload::Form(vec![]), everyone(Is(400))),
        ("GET", "/dev/mailbox" | "/api/dev/mailbox") => get(everyone(Ok)),
        ("POST", "/api/dev/mailbox/send") => {
            json(json!({ "channel": "sms", "recipient": "+393331234567", "template": "otp", "params": { "code": "123456", "minutes": "10" } }), everyone(Ok))
        }
        _ => return None,
    };
    Some(c)
}

/// 401 without a session; `acme` for the person acting for ACME S.R.L., `other` for the
/// one acting for GPI S.P.A.; anyone else acts for no company.
fn company_of_acme(acme: Exp, other: Exp) -> Rule {
    Box::new(move |a| match a {
        Anonymous => Is(401),
        Company => acme,
        OtherCompany => other,
        _ => Is(403),
    })
}

/// 401 without a session; the operator of the offer's CPI (Firenze) gets it; Prato's
/// operator is told it does not exist; anyone else is no operator.
fn op_of_firenze() -> Rule {
    Box::new(|a| match a {
        Anonymous => Is(401),
        Operator => Ok,
        OtherOperator => Is(404),
        _ => Is(403),
    })
}

fn send(w: &World, c: &Client, e: &Endpoint, path: &str, payload: &Payload) -> Reply {
    match payload {
        Payload::Nothing if e.method == "GET" => c.get(path),
        Payload::Nothing => c.send(e.method, path, &json!({})),
        Payload::Json(v) => c.send(e.method, path, v),
        Payload::Form(fields) => {
            let mut headers = Vec::new();
            if !c.cookie.is_empty() {
                headers.push(("cookie", c.cookie.as_str()));
                headers.push(("x-csrf-token", c.csrf.as_str()));
            }
            let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            request(e.method, &format!("{}{path}", c.base), &headers, Some(&form))
        }
        Payload::File => c.upload(e.method, path, &w.cv_bytes, &staff::cv_meta("CV dalla matrice")),
    }
}

#[test]
fn every_endpoint_answers_each_role_as_the_rules_say() {
    let started = Instant::now();
    let mut w = world();
    let made = started.elapsed();

    // one expectation per endpoint of the table
    let missing: Vec<String> = ENDPOINTS.iter().filter(|e| case_of(e, &w).is_none()).map(|e| format!("{} {}", e.method, e.path)).collect();
    assert!(missing.is_empty(), "endpoints of tests/support/routes.rs without an expectation in tests/authz.rs: {missing:#?}");
    let body_kinds_match = ENDPOINTS.iter().all(|e| {
        let c = case_of(e, &w).unwrap();
        matches!((e.body, &c.send), (Body::File, Payload::File) | (Body::Form, Payload::Form(_)) | (Body::Json, Payload::Json(_)) | (Body::None, Payload::Nothing))
    });
    assert!(body_kinds_match, "a case sends another kind of body than its endpoint takes");

    let mut failures = Vec::new();
    let mut requests = 0;

    // writes that need a session, without the CSRF token: 403 for every logged-in actor
    for e in ENDPOINTS.iter().filter(|e| e.method != "GET") {
        let c = case_of(e, &w).unwrap();
        if (c.rule)(Anonymous) != Is(401) {
            continue;
        }
        for a in ACTORS.into_iter().filter(|a| *a != Anonymous && (c.rule)(*a) != Is(401)) {
            let path = e.path_with(|p| Some(w.id(p)));
            let r = w.client(a).send_without_csrf(e.method, &path, &json!({}));
            requests += 1;
            if r.status != 403 {
                failures.push(format!("{} {path} as {} without the CSRF token: {} (expected 403) {}", e.method, name(a), r.status, snippet(&r)));
            }
        }
    }

    // the matrix, destructive endpoints last
    let mut order: Vec<(u8, usize)> = ENDPOINTS.iter().enumerate().map(|(i, e)| (case_of(e, &w).unwrap().phase, i)).collect();
    order.sort();
    for (_, i) in order {
        let e = &ENDPOINTS[i];
        if let Some(p) = case_of(e, &w).unwrap().fresh {
            w.refresh(p);
        }
        let c = case_of(e, &w).unwrap();
        let path = e.path_with(|p| Some(w.id(p)));
        for a in ACTORS {
            let expected = (c.rule)(a);
            let r = send(&w, w.client(a), e, &path, &c.send);
            requests += 1;
            if r.status >= 500 || !expected.accepts(r.status) {
                failures.push(format!("{} {path} as {}: {} (expected {expected:?}) {}", e.method, name(a), r.status, snippet(&r)));
            }
        }
    }
    eprintln!("authz: world made in {made:?}; {requests} requests, {} endpoints × {} actors, in {:?} all told", ENDPOINTS.len(), ACTORS.len(), started.elapsed());
    assert!(failures.is_empty(), "{} answers differ from the rules:\n{}\n(runner log: {})", failures.len(), failures.join("\n"), w.app.log.display());
}

fn snippet(r: &Reply) -> String {
    r.body.chars().take(160).collect()
}
