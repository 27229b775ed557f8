//! The notifications component's types: the delivery job's report. The job's body is
//! ignored (no request row).

use super::{Schemas, Typed, add, t};

pub const TYPES: &[Typed] = &[t("POST", "/jobs/notifications/deliver", None, Some("DeliveryReport"))];

pub fn register(v: &mut Schemas) {
    add::<notifications::delivery::Report>(v);
}
