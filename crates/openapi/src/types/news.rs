//! The news component's types: the public news list and one item.

use super::{Schemas, Typed, add, add_page, t};

pub const TYPES: &[Typed] = &[
    t("GET", "/api/news", None, Some("NewsPage")),
    t("GET", "/api/news/{news}", None, Some("NewsItem")),
];

pub fn register(v: &mut Schemas) {
    add::<news::NewsItem>(v);
    add_page::<news::NewsItem>("NewsPage", v);
}
