//! Conversions to Spin SDK responses (the only part of this crate that needs Spin).

use spin_sdk::http::Response;

use crate::error::ApiError;
use crate::headers;

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        let mut b = Response::builder();
        b.status(e.status);
        for (k, v) in headers::BASE {
            b.header(*k, *v);
        }
        b.header(headers::JSON.0, headers::JSON.1);
        b.header(headers::NO_STORE.0, headers::NO_STORE.1);
        b.body(e.body()).build()
    }
}
