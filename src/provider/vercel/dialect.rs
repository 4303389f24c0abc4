//! How Vercel's REST API speaks, for the shared HTTP client: errors are
//! `{"error": {"code", "message"}}`, and a 429 carries `Retry-After`
//! seconds, or a `rate_limited` body whose `limit.reset` is the epoch
//! second the window resets.

use reqwest::header::HeaderMap;

use crate::provider::http::{Dialect, header_seconds};

pub static DIALECT: Dialect = Dialect {
    name: "Vercel",
    headers: &[],
    error,
    rate_limit,
    throttled: None,
};

fn error(body: &serde_json::Value) -> (Option<String>, Option<&str>) {
    let error = body.get("error");
    (
        error
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
            .map(str::to_string),
        error
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str()),
    )
}

fn rate_limit(headers: &HeaderMap, body: &[u8]) -> Option<f64> {
    header_seconds(headers, "retry-after").or_else(|| vercel_reset(body))
}

/// `limit.reset` of Vercel's `rate_limited` body: epoch seconds.
fn vercel_reset(body: &[u8]) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let reset = v.pointer("/error/limit/reset")?.as_f64()?;
    let now = crate::clock::now_ms() as f64 / 1000.0;
    Some((reset - now).max(0.0))
}
