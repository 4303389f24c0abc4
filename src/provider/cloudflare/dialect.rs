//! How the Cloudflare v4 API speaks, for the shared HTTP client: every
//! answer is the envelope `{success, result, errors: [{code, message}]}`,
//! codes being numbers, and a 429 carries `Retry-After` seconds.

use reqwest::header::HeaderMap;

use crate::provider::http::{Dialect, header_seconds};

pub static DIALECT: Dialect = Dialect {
    name: "Cloudflare",
    headers: &[],
    error,
    rate_limit,
    throttled: None,
};

fn error(body: &serde_json::Value) -> (Option<String>, Option<&str>) {
    let first = body.pointer("/errors/0");
    (
        first.and_then(|e| e.get("code")).and_then(code),
        first
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str()),
    )
}

/// An envelope error's code, a number or (rarely) a string, as text.
pub fn code(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn rate_limit(headers: &HeaderMap, _: &[u8]) -> Option<f64> {
    header_seconds(headers, "retry-after")
}
