//! Plain logic of the owner's CV pages (C2): the edit's merge and history note, the
//! list's description filter, the history's labels.

use crate::{Meta, MetaIn};

/// An edit's fields over the CV's current ones: what the edit leaves out stays as it is
/// (the file name is the edit's own: it names the new file, if any).
pub fn merge_meta(current: &MetaIn, edit: MetaIn) -> MetaIn {
    MetaIn {
        description: edit.description.or_else(|| current.description.clone()),
        search_consent: edit.search_consent.or(current.search_consent),
        territories: edit.territories.or_else(|| current.territories.clone()),
        file_name: edit.file_name,
    }
}

/// The history note of an edit from `before` to `after` (territories in any order).
pub fn change_note(before: &Meta, after: &Meta, file_replaced: bool) -> Option<String> {
    let mut changes = Vec::new();
    if after.description != before.description {
        changes.push("descrizione");
    }
    if after.search_consent != before.search_consent {
        changes.push(if after.search_consent { "consenso alla ricerca rilasciato" } else { "consenso alla ricerca revocato" });
    }
    let mut was = before.territories.clone();
    was.sort();
    if after.territories != was {
        changes.push("territori di interesse");
    }
    if file_replaced {
        changes.push("file sostituito");
    }
    (!changes.is_empty()).then(|| format!("Curriculum modificato: {}.", changes.join(", ")))
}

/// The `LIKE … ESCAPE '\'` pattern of a description filter: contains `d`, literally.
pub fn description_filter(d: &str) -> String {
    format!("%{}%", d.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// The history's label of an event kind.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "caricamento" => "Caricamento",
        "modifica" => "Modifica",
        _ => "Utilizzo",
    }
}

/// How messages to the owner name a CV: its description, or "Curriculum Vitae".
pub fn cv_label(description: &str) -> String {
    if description.is_empty() { "Curriculum Vitae".to_string() } else { description.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(description: &str, consent: bool, territories: &[&str]) -> Meta {
        Meta { description: description.into(), search_consent: consent, territories: territories.iter().map(|t| t.to_string()).collect() }
    }

    #[test]
    fn an_edit_keeps_what_it_leaves_out() {
        let current = MetaIn {
            description: Some("Cuoco".into()),
            search_consent: Some(true),
            territories: Some(vec!["prato".into()]),
            file_name: Some("old.pdf".into()),
        };
        let m = merge_meta(&current, MetaIn { search_consent: Some(false), ..Default::default() });
        assert_eq!(m.description.as_deref(), Some("Cuoco"));
        assert_eq!(m.search_consent, Some(false));
        assert_eq!(m.territories, Some(vec!["prato".to_string()]));
        assert_eq!(m.file_name, None, "the file name is the edit's own");
        let m = merge_meta(&current, MetaIn { description: Some(String::new()), territories: Some(vec![]), ..Default::default() });
        assert_eq!((m.description.as_deref(), m.territories), (Some(""), Some(vec![])));
    }

    #[test]
    fn change_notes() {
        let before = meta("Cuoco", false, &["prato", "firenze"]);
        assert_eq!(change_note(&before, &meta("Cuoco", false, &["firenze", "prato"]), false), None, "same territories, sorted: nothing changed");
        assert_eq!(
            change_note(&before, &meta("Chef", true, &["firenze"]), true).as_deref(),
            Some("Curriculum modificato: descrizione, consenso alla ricerca rilasciato, territori di interesse, file sostituito.")
        );
        assert_eq!(
            change_note(&meta("x", true, &[]), &meta("x", false, &[]), false).as_deref(),
            Some("Curriculum modificato: consenso alla ricerca revocato.")
        );
        assert_eq!(change_note(&before, &meta("Cuoco", false, &["firenze", "prato"]), true).as_deref(), Some("Curriculum modificato: file sostituito."));
    }

    #[test]
    fn filters_and_labels() {
        assert_eq!(description_filter("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(description_filter("cuoco"), "%cuoco%");
        assert_eq!(event_label("caricamento"), "Caricamento");
        assert_eq!(event_label("modifica"), "Modifica");
        assert_eq!(event_label("utilizzo"), "Utilizzo");
        assert_eq!(cv_label(""), "Curriculum Vitae");
        assert_eq!(cv_label("Cuoco"), "Cuoco");
    }
}
