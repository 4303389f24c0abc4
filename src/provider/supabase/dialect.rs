//! How the Supabase Management API speaks, for the shared HTTP client:
//! errors are `{"message": …}`, and a 429 carries `x-ratelimit-reset`, the
//! seconds until the window resets (Management API rate limits: 120
//! requests a minute per endpoint).

use reqwest::header::HeaderMap;

use crate::provider::http::{Dialect, header_seconds};

pub static DIALECT: Dialect = Dialect {
    name: "Supabase",
    headers: &[],
    error,
    rate_limit,
    throttled: None,
};

fn error(body: &serde_json::Value) -> (Option<String>, Option<&str>) {
    (None, body.get("message").and_then(|m| m.as_str()))
}

fn rate_limit(headers: &HeaderMap, _: &[u8]) -> Option<f64> {
    header_seconds(headers, "x-ratelimit-reset").or_else(|| header_seconds(headers, "retry-after"))
}
