//! How Netlify's API speaks, for the shared HTTP client.
//!
//! - Errors are `{code, message}` (the OpenAPI description's `error`).
//! - Rate limits (docs.netlify.com/api/get-started/#rate-limiting): 500
//!   requests a minute in general, 3 deploys a minute; answers carry
//!   `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`
//!   (epoch seconds); past the limit Netlify answers 429, with
//!   `Retry-After` seconds when it says.

use reqwest::header::HeaderMap;

use crate::provider::http::{Dialect, header_seconds};

pub static DIALECT: Dialect = Dialect {
    name: "Netlify",
    headers: &[],
    error,
    rate_limit,
    throttled: None,
};

fn error(body: &serde_json::Value) -> (Option<String>, Option<&str>) {
    let code = body.get("code").and_then(|c| match c {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    });
    (code, body.get("message").and_then(|m| m.as_str()))
}

fn rate_limit(headers: &HeaderMap, _body: &[u8]) -> Option<f64> {
    if let Some(seconds) = header_seconds(headers, "retry-after") {
        return Some(seconds);
    }
    let reset = header_seconds(headers, "x-ratelimit-reset")?;
    let now = crate::clock::now_ms() as f64 / 1000.0;
    Some((reset - now).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_give_the_code_and_message() {
        let body = serde_json::json!({"code": 422, "message": "Invalid key"});
        assert_eq!(error(&body), (Some("422".into()), Some("Invalid key")));
        assert_eq!(error(&serde_json::json!({})), (None, None));
    }

    #[test]
    fn a_429_waits_for_retry_after_then_the_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", "4".parse().unwrap());
        assert_eq!(rate_limit(&headers, b""), Some(4.0));
        let reset = (crate::clock::now_ms() / 1000 + 20).to_string();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", reset.parse().unwrap());
        let wait = rate_limit(&headers, b"").unwrap();
        assert!((18.0..=21.0).contains(&wait), "{wait}");
        assert_eq!(rate_limit(&HeaderMap::new(), b""), None);
    }
}
