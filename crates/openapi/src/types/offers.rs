//! The offers component's types: the public offer API (open data) and its reference
//! lists. Their operations name the schemas in `ops` itself (`Js(Some(..))`), as they
//! also answer 304 to `If-None-Match`.

use super::{Schemas, Typed, add, add_page};

pub const TYPES: &[Typed] = &[];

pub fn register(v: &mut Schemas) {
    add::<offers::OfferDetail>(v);
    add::<offers::handler::RefItems>(v);
    add_page::<offers::OfferSummary>("OfferPage", v);
}
