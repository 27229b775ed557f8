//! Response headers every component sends.

/// Sent on every response.
pub const BASE: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];

/// Sent on HTML pages: no framing, only our own scripts, styles, fonts and images.
pub const HTML: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    ),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
];

/// API responses with personal or changing data must not be stored by caches.
pub const NO_STORE: (&str, &str) = ("cache-control", "no-store");

pub const JSON: (&str, &str) = ("content-type", "application/json; charset=utf-8");
