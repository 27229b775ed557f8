//! List paging: `page` (from 1) and `page_size` (at most 100), and the list envelope
//! `{ "items": [...], "total": N, "page": P, "page_size": S }`.

use serde::Serialize;

use crate::{ApiError, Query};

pub const MAX_PAGE_SIZE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub page_size: u32,
}

impl Paging {
    pub fn from_query(q: &Query, default_size: u32) -> Result<Self, ApiError> {
        let number = |name: &str, default: u32, max: u32, message: &str| -> Result<u32, ApiError> {
            match q.get(name) {
                None => Ok(default),
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(ApiError::bad_request("invalid_paging", message)),
                },
            }
        };
        Ok(Self {
            page: number("page", 1, 1_000_000, "Il numero di pagina deve essere un numero intero maggiore di zero.")?,
            page_size: number(
                "page_size",
                default_size,
                MAX_PAGE_SIZE,
                "Il numero di risultati per pagina deve essere compreso tra 1 e 100.",
            )?,
        })
    }

    pub fn offset(&self) -> i64 {
        (i64::from(self.page) - 1) * i64::from(self.page_size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }

    /// A page past the last one is a client error (page 1 of an empty list is fine).
    pub fn ensure_in_range(&self, total: i64) -> Result<(), ApiError> {
        if self.page > 1 && self.offset() >= total {
            let pages = (total + self.limit() - 1) / self.limit();
            return Err(ApiError::bad_request(
                "page_out_of_range",
                format!("La pagina {} non esiste: i risultati occupano {} pagine.", self.page, pages.max(1)),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub page_size: u32,
}

impl<T: Serialize> Page<T> {
    pub fn new(items: Vec<T>, total: i64, paging: Paging) -> Self {
        Self { items, total, page: paging.page, page_size: paging.page_size }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paging(q: &str) -> Result<Paging, ApiError> {
        Paging::from_query(&Query::parse(q).unwrap(), 10)
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(paging("").unwrap(), Paging { page: 1, page_size: 10 });
        let p = paging("page=3&page_size=100").unwrap();
        assert_eq!((p.offset(), p.limit()), (200, 100));
        let p = paging("page=3&page_size=10").unwrap();
        assert!(p.ensure_in_range(21).is_ok());
        let e = p.ensure_in_range(20).unwrap_err();
        assert_eq!((e.status, e.code), (400, "page_out_of_range"));
        assert!(e.message.contains("2 pagine"), "{}", e.message);
        assert!(paging("").unwrap().ensure_in_range(0).is_ok(), "an empty first page is fine");
        for bad in ["page=0", "page=-1", "page=abc", "page_size=0", "page_size=101", "page=1.5"] {
            let e = paging(bad).unwrap_err();
            assert_eq!((e.status, e.code), (400, "invalid_paging"), "{bad}");
        }
    }
}
