//! The appointments component's request and answer types.

use super::{Schemas, Typed};

pub const TYPES: &[Typed] = &[];

pub fn register(_v: &mut Schemas) {}
