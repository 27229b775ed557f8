//! Query strings: `a=1&b=due` decoded, with bounded size.

use crate::ApiError;

/// Longest query string we accept: filters are short; anything longer is abuse.
pub const MAX_QUERY_LEN: usize = 2048;

#[derive(Debug, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        if raw.len() > MAX_QUERY_LEN {
            return Err(ApiError::new(414, "query_too_long", "La richiesta contiene troppi parametri di ricerca."));
        }
        let pairs = form_urlencoded::parse(raw.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        Ok(Self { pairs })
    }

    /// An `application/x-www-form-urlencoded` body (the caller bounds its size).
    pub fn parse_form(body: &str) -> Self {
        Self { pairs: form_urlencoded::parse(body.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    /// The first non-empty value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_ignores_empty_values() {
        let q = Query::parse("q=operaio+specializzato&empty=&x=%C3%A8&x=2").unwrap();
        assert_eq!(q.get("q"), Some("operaio specializzato"));
        assert_eq!(q.get("empty"), None);
        assert_eq!(q.get("x"), Some("è"));
        assert_eq!(q.get("missing"), None);
    }

    #[test]
    fn refuses_overlong_queries() {
        let e = Query::parse(&"a=1&".repeat(1000)).unwrap_err();
        assert_eq!(e.status, 414);
    }
}
