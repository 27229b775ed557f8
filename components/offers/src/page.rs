//! The public HTML page of an offer, `/offerte/<code>`: the sections of the manual's
//! detail page, and schema.org `JobPosting` JSON-LD in the served HTML (crawlers that
//! run no JavaScript see it). The page shell (header, footer) is the site's layout,
//! rendered by the web build into a template with `{{…}}` placeholders.

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::json;

use crate::OfferDetail;

/// `YYYY-MM-DD` → `dd/mm/yyyy`.
pub fn italian_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "SI" } else { "NO" }
}

fn item(label: &str, value: &str) -> String {
    format!("<dt class=\"col-sm-5\">{}</dt><dd class=\"col-sm-7\">{}</dd>", text(label), text(value))
}

/// schema.org JobPosting with Google's required properties.
pub fn json_ld(o: &OfferDetail, base_url: &str) -> String {
    let employment = match (o.contract_type.code.as_str(), o.work_mode.as_deref()) {
        ("tirocinio", _) => vec!["INTERN"],
        ("tempo-determinato" | "somministrazione" | "intermittente", Some("PART TIME")) => vec!["TEMPORARY", "PART_TIME"],
        ("tempo-determinato" | "somministrazione" | "intermittente", _) => vec!["TEMPORARY", "FULL_TIME"],
        (_, Some("PART TIME")) => vec!["PART_TIME"],
        _ => vec!["FULL_TIME"],
    };
    let value = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": o.occupation,
        "description": format!("<p>{}</p><p>{}</p>", text(&o.description), text(&o.how_to_apply)),
        "identifier": { "@type": "PropertyValue", "name": "Toscana Lavoro", "value": o.code },
        "datePosted": o.published_at,
        "validThrough": format!("{}T23:59:59", o.deadline),
        "employmentType": employment,
        "totalJobOpenings": o.places,
        "hiringOrganization": {
            "@type": "Organization",
            "name": format!("Centro per l'impiego di {}", o.cpi.name),
            "sameAs": "https://arti.toscana.it"
        },
        "jobLocation": o.locations.iter().map(|l| json!({
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": l.name,
                "addressRegion": l.sigla,
                "addressCountry": "IT"
            }
        })).collect::<Vec<_>>(),
        "url": format!("{base_url}/offerte/{}", o.code),
        "directApply": false
    });
    // `</` must not end the <script> element early
    format!(
        "\n  <script type=\"application/ld+json\">{}</script>",
        value.to_string().replace("</", "<\\/")
    )
}

/// The page body (the manual's "Dettaglio Offerta").
pub fn body(o: &OfferDetail) -> String {
    let back = "<a href=\"/cittadino/offerte/\">Torna all'elenco</a>";
    let mut html = format!(
        "<div class=\"d-flex flex-wrap justify-content-between align-items-baseline\"><h1>Dettaglio offerta ({})</h1>{back}</div>",
        text(&o.occupation)
    );
    if o.expired {
        html.push_str(&format!(
            "<div class=\"alert alert-warning\" role=\"status\">Questa offerta è scaduta il {}: non è più possibile candidarsi.</div>",
            italian_date(&o.deadline)
        ));
    }
    let mut cpi = o.cpi.name.clone();
    for extra in [&o.cpi.address, &o.cpi.email, &o.cpi.phone].into_iter().flatten() {
        cpi.push_str(" – ");
        cpi.push_str(extra);
    }
    html.push_str("<dl class=\"row\">");
    html.push_str(&item("Codice offerta", &o.code));
    html.push_str(&item("Scadenza", &italian_date(&o.deadline)));
    html.push_str(&item("Centro impiego", &cpi));
    html.push_str(&item("Tipo offerta", &o.offer_type.name));
    html.push_str("</dl>");
    html.push_str(&format!("<p>{}</p>", text(&o.how_to_apply)));

    html.push_str("<h2 class=\"h4\">Profilo professionale ricercato</h2><dl class=\"row\">");
    html.push_str(&item("Qualifica professionale", &o.occupation));
    html.push_str(&item("Descrizione estesa della qualifica", &o.description));
    html.push_str(&item("Esperienza richiesta", yes_no(o.experience_required)));
    if let Some(d) = &o.experience_description {
        html.push_str(&item("Descrizione dell'esperienza", d));
    }
    if let Some(m) = o.experience_months {
        html.push_str(&item("Durata dell'esperienza", &format!("{m} mesi")));
    }
    html.push_str(&item("Numero posti disponibili", &o.places.to_string()));
    html.push_str("</dl>");

    let places: Vec<String> = o.locations.iter().map(|l| format!("{} ({})", l.name, l.sigla)).collect();
    html.push_str("<h2 class=\"h4\">Condizioni lavorative offerte</h2><dl class=\"row\">");
    if let Some(mode) = &o.work_mode {
        html.push_str(&item("Modalità di lavoro", mode));
    }
    html.push_str(&item("Tipologia contrattuale offerta", &o.contract_type.name));
    html.push_str(&item("Sedi di lavoro", &places.join(", ")));
    html.push_str("</dl>");

    html.push_str("<h2 class=\"h4\">Ulteriori requisiti</h2><dl class=\"row\">");
    html.push_str(&item("Possesso partita IVA", yes_no(o.requirements.vat_number)));
    html.push_str(&item("Mezzi di trasporto", yes_no(o.requirements.own_transport)));
    html.push_str(&item("Disponibilità alle trasferte", yes_no(o.requirements.travel)));
    html.push_str(&item("Appartenenza collocamento mirato", yes_no(o.requirements.targeted_placement)));
    html.push_str("</dl>");

    if o.application.open {
        html.push_str(&format!(
            "<p class=\"mt-4\"><a class=\"btn btn-primary\" href=\"/cittadino/candidatura/?offerta={}\" data-requires-consent>Compila candidatura</a></p>\
             <p>Per candidarti devi accedere con SPID, CIE o CNS e avere caricato il tuo curriculum.</p>",
            attr(&o.code)
        ));
    }
    html.push_str(&format!("<p>{back}</p>"));
    html
}

/// Used when the page shell is missing (native tests, a manifest without the mount).
pub const FALLBACK_TEMPLATE: &str = "<!doctype html><html lang=\"it\"><head><title>{{title}}</title><meta name=\"description\" content=\"{{description}}\">{{head}}</head><body><main>{{content}}</main></body></html>";

/// Fills the page shell. `head` and `content` are trusted HTML built here; the other
/// values are escaped.
pub fn fill(template: &str, title: &str, description: &str, code: &str, head: &str, content: &str) -> String {
    template
        .replace("{{title}}", &text(title))
        .replace("{{description}}", &attr(description))
        .replace("{{code}}", &text(code))
        .replace("{{head}}", head)
        .replace("{{content}}", content)
}

pub fn not_found_body() -> String {
    "<h1>Offerta non trovata</h1><p>L'offerta richiesta non esiste. Controlla il codice offerta oppure \
     <a href=\"/cittadino/offerte/\">cerca tra le offerte di lavoro</a>.</p>"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cpi, Location, Named, Requirements};

    fn offer(expired: bool) -> OfferDetail {
        OfferDetail {
            code: "FI-1".into(),
            cpi: Cpi {
                code: "scandicci".into(),
                name: "SCANDICCI".into(),
                area: Named { code: "firenze".into(), name: "Firenze".into() },
                address: None,
                email: Some("cpi@example.org".into()),
                phone: None,
            },
            offer_type: Named { code: "preselezione".into(), name: "Preselezione".into() },
            contract_type: Named { code: "tirocinio".into(), name: "TIROCINIO".into() },
            occupation: "cuoco <b>&</b>".into(),
            occupation_istat: None,
            description: "Cuoco </script><script>alert(1)</script>".into(),
            experience_required: true,
            experience_description: Some("in cucina".into()),
            experience_months: Some(12),
            places: 2,
            work_mode: Some("FULL TIME".into()),
            how_to_apply: "Presso il CPI.".into(),
            requirements: Requirements { vat_number: false, own_transport: true, travel: false, targeted_placement: false },
            locations: vec![Location { istat: "048017".into(), name: "Firenze".into(), province: "Firenze".into(), sigla: "FI".into(), region: "Toscana".into() }],
            published_at: "2026-11-01".into(),
            deadline: "2026-12-31".into(),
            expired,
            application: crate::Application { mode: vacancy::Mode::Online, requirements: vec![], open: !expired },
        }
    }

    #[test]
    fn body_has_the_manual_sections_and_escapes_text() {
        let html = body(&offer(false));
        for part in ["Profilo professionale ricercato", "Condizioni lavorative offerte", "Ulteriori requisiti", "31/12/2026", "Firenze (FI)", "12 mesi", "Compila candidatura", "SCANDICCI – cpi@example.org"] {
            assert!(html.contains(part), "{part}");
        }
        assert!(html.contains("cuoco &lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(!html.contains("<script>"));
        let expired = body(&offer(true));
        assert!(expired.contains("scaduta il 31/12/2026"));
        assert!(!expired.contains("Compila candidatura"));
        let mut by_text = offer(false);
        by_text.application = crate::Application { mode: vacancy::Mode::Text, requirements: vec![], open: false };
        let html = body(&by_text);
        assert!(!html.contains("Compila candidatura") && html.contains("Presso il CPI."), "{html}");
    }

    #[test]
    fn json_ld_is_valid_and_cannot_close_the_script() {
        let ld = json_ld(&offer(false), "https://lavoro.example");
        let inner = ld.trim().trim_start_matches("<script type=\"application/ld+json\">").trim_end_matches("</script>");
        assert!(!inner.contains("</"), "{inner}");
        let v: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(v["@type"], "JobPosting");
        for key in ["title", "description", "datePosted", "validThrough", "hiringOrganization", "jobLocation", "employmentType", "identifier"] {
            assert!(!v[key].is_null(), "{key}");
        }
        assert_eq!(v["employmentType"], json!(["INTERN"]));
        assert_eq!(v["jobLocation"][0]["address"]["addressCountry"], "IT");
    }

    #[test]
    fn fill_escapes_the_plain_values() {
        let page = fill("<title>{{title}}</title><meta content=\"{{description}}\">{{code}}{{head}}{{content}}", "a<b", "x\"y", "FI-1", "<h>", "<c>");
        assert_eq!(page, "<title>a&lt;b</title><meta content=\"x&quot;y\">FI-1<h><c>");
        assert_eq!(italian_date("2026-01-05"), "05/01/2026");
    }
}
