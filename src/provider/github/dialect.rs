//! How the GitHub REST API speaks, for the shared HTTP client.
//!
//! - Every request names the media type and the API version
//!   (docs.github.com/rest/about-the-rest-api/api-versions):
//!   `Accept: application/vnd.github+json`, `X-GitHub-Api-Version: 2022-11-28`.
//! - Errors are `{message, documentation_url, errors}`; a validation error's
//!   `errors` are objects with a `code` (`missing_field`, `invalid`,
//!   `already_exists`, …) or plain strings
//!   (docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api).
//! - Rate limits (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api):
//!   a primary limit answers 403 or 429 with `x-ratelimit-remaining: 0`
//!   and `x-ratelimit-reset` (epoch seconds); a secondary limit answers
//!   403 or 429, with `retry-after` seconds when it says, and a message
//!   that names the rate limit. Without any hint, GitHub asks to wait at
//!   least a minute.

use reqwest::header::HeaderMap;

use crate::provider::http::{Dialect, header_seconds};

pub static DIALECT: Dialect = Dialect {
    name: "GitHub",
    headers: &[
        ("accept", "application/vnd.github+json"),
        ("x-github-api-version", "2022-11-28"),
    ],
    error,
    rate_limit,
    throttled: Some(throttled),
};

/// GitHub's wait for a secondary rate limit that gave no hint.
const UNHINTED_WAIT_S: f64 = 60.0;

fn error(body: &serde_json::Value) -> (Option<String>, Option<&str>) {
    let code = body
        .pointer("/errors/0/code")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    (code, body.get("message").and_then(|m| m.as_str()))
}

fn rate_limit(headers: &HeaderMap, body: &[u8]) -> Option<f64> {
    if let Some(seconds) = header_seconds(headers, "retry-after") {
        return Some(seconds);
    }
    if exhausted(headers)
        && let Some(reset) = header_seconds(headers, "x-ratelimit-reset")
    {
        let now = crate::clock::now_ms() as f64 / 1000.0;
        return Some((reset - now).max(0.0));
    }
    says_rate_limit(body).then_some(UNHINTED_WAIT_S)
}

/// A 403 (or another refusal) that is a rate limit: the primary limit
/// spent, or a message that says so.
fn throttled(status: u16, headers: &HeaderMap, body: &[u8]) -> bool {
    match status {
        429 => true,
        403 => exhausted(headers) || says_rate_limit(body),
        _ => false,
    }
}

/// `x-ratelimit-remaining: 0`: the primary rate limit is spent.
fn exhausted(headers: &HeaderMap) -> bool {
    header_seconds(headers, "x-ratelimit-remaining") == Some(0.0)
}

fn says_rate_limit(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_ascii_lowercase))
        .is_some_and(|m| m.contains("rate limit"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn errors_give_the_message_and_the_first_validation_code() {
        let body = serde_json::json!({
            "message": "Validation Failed",
            "documentation_url": "https://docs.github.com/rest",
            "errors": [{"resource": "Variable", "code": "already_exists", "field": "name"}]
        });
        assert_eq!(
            error(&body),
            (Some("already_exists".into()), Some("Validation Failed"))
        );
        let simple = serde_json::json!({
            "message": "Not Found", "documentation_url": "x", "errors": ["a string"]
        });
        assert_eq!(error(&simple), (None, Some("Not Found")));
        assert_eq!(error(&serde_json::json!({})), (None, None));
    }

    #[test]
    fn rate_limits_are_read_from_headers_then_the_message() {
        let now = crate::clock::now_ms() / 1000;
        assert_eq!(
            rate_limit(&headers(&[("retry-after", "7")]), b""),
            Some(7.0)
        );
        let reset = (now + 30).to_string();
        let spent = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset),
        ]);
        let wait = rate_limit(&spent, b"").unwrap();
        assert!((28.0..=31.0).contains(&wait), "{wait}");
        // A reset without the limit being spent is no hint.
        let left = headers(&[
            ("x-ratelimit-remaining", "12"),
            ("x-ratelimit-reset", &reset),
        ]);
        assert_eq!(rate_limit(&left, b""), None);
        let secondary = br#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#;
        assert_eq!(rate_limit(&left, secondary), Some(UNHINTED_WAIT_S));
    }

    #[test]
    fn a_403_is_a_rate_limit_only_when_github_says_so() {
        let spent = headers(&[("x-ratelimit-remaining", "0")]);
        let body = br#"{"message":"API rate limit exceeded for user ID 1."}"#;
        assert!(throttled(403, &spent, b""));
        assert!(throttled(403, &HeaderMap::new(), body));
        assert!(throttled(429, &HeaderMap::new(), b""));
        let refused = br#"{"message":"Resource not accessible by personal access token"}"#;
        assert!(!throttled(403, &HeaderMap::new(), refused));
        assert!(!throttled(
            403,
            &headers(&[("x-ratelimit-remaining", "4999")]),
            refused
        ));
        assert!(!throttled(404, &spent, body));
    }
}
