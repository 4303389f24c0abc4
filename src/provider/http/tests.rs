//! Tests of the shared client's own behaviour. How each platform's dialect
//! reads errors and rate limits is tested with the platforms
//! (`provider/dialect_tests.rs`).

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::client::tls_config;
use super::limiter::Limiter;
use super::*;
use envctl_core::secret::Secret;

fn message(v: &serde_json::Value) -> (Option<String>, Option<&str>) {
    (None, v.get("message").and_then(|m| m.as_str()))
}

fn retry_after(headers: &HeaderMap, _: &[u8]) -> Option<f64> {
    header_seconds(headers, "retry-after")
}

/// A platform of no name in particular.
static EXAMPLE: Dialect = Dialect {
    name: "Example",
    headers: &[],
    error: message,
    rate_limit: retry_after,
    throttled: None,
};

fn client(token: &str) -> Result<Client, String> {
    Client::new(
        &EXAMPLE,
        "http://127.0.0.1:1",
        Secret::new(token.into()),
        Policy::default(),
    )
}

#[test]
fn every_client_shares_one_tls_configuration_offering_http2() {
    let config = tls_config().unwrap();
    assert_eq!(
        config.alpn_protocols,
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    );
    assert!(config.enable_sni);
    // Built once: later clients get clones of the same configuration.
    let again = tls_config().unwrap();
    assert!(std::sync::Arc::ptr_eq(
        config.crypto_provider(),
        again.crypto_provider()
    ));
}

#[test]
fn http_dates_parse_to_epoch_milliseconds() {
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(784_111_777_000)
    );
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
    assert_eq!(parse_http_date("yesterday"), None);
}

#[test]
fn rfc3339_times_parse_to_epoch_milliseconds() {
    assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777_000));
    assert_eq!(
        parse_rfc3339("1994-11-06T08:49:37.25Z"),
        Some(784_111_777_250)
    );
    assert_eq!(
        parse_rfc3339("1994-11-06T09:49:37+01:00"),
        Some(784_111_777_000)
    );
    assert_eq!(
        parse_rfc3339("1994-11-06 03:49:37.123456-05:00"),
        Some(784_111_777_123)
    );
    assert_eq!(parse_rfc3339("1994-11-06"), None);
    assert_eq!(parse_rfc3339("last week"), None);
}

#[test]
fn plain_http_only_to_loopback() {
    assert!(check_base_url("https://api.example.com").is_ok());
    assert_eq!(
        check_base_url("http://127.0.0.1:8080/").unwrap(),
        "http://127.0.0.1:8080"
    );
    assert!(check_base_url("http://localhost").is_ok());
    assert!(check_base_url("http://[::1]:9").is_ok());
    assert!(check_base_url("http://api.example.com").is_err());
    assert!(check_base_url("http://127.0.0.1.evil.com").is_err());
    assert!(check_base_url("ftp://x").is_err());
    assert!(check_base_url("https://").is_err());
}

#[tokio::test]
async fn limiter_holds_back_the_request_over_the_limit() {
    let limiter = Limiter::new(2, Duration::from_millis(200));
    let deadline = Instant::now() + Duration::from_secs(5);
    let started = Instant::now();
    for _ in 0..3 {
        limiter.acquire("GET x", deadline).await;
    }
    assert!(started.elapsed() >= Duration::from_millis(190));
    let state = limiter.state.lock().unwrap();
    assert_eq!(
        state["GET x"].sent.len(),
        1,
        "the window slid past the first two"
    );
}

#[test]
fn backoff_grows_and_is_capped() {
    let policy = Policy::default();
    let first = policy.backoff(1);
    assert!(first <= Duration::from_millis(250) && first >= Duration::from_millis(125));
    let late = policy.backoff(30);
    assert!(late <= Duration::from_secs(20) && late >= Duration::from_secs(10));
}

#[test]
fn a_rate_limit_without_a_hint_waits_a_second_and_an_absurd_one_is_capped() {
    let client = client("t").unwrap();
    assert_eq!(
        client.rate_limit_wait(&HeaderMap::new(), b""),
        Duration::from_secs(1)
    );
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", "86400".parse().unwrap());
    assert_eq!(
        client.rate_limit_wait(&headers, b""),
        Duration::from_secs(300)
    );
}

#[test]
fn an_error_without_a_message_names_the_platform_and_status() {
    let client = client("t").unwrap();
    let call = Call::new("read", reqwest::Method::GET, "GET x", "/x".into());
    assert_eq!(
        client.platform_message(&call, 502, b"<html>"),
        (
            None,
            "Example answered 502 without an error message".to_string()
        )
    );
}

#[test]
fn a_token_that_cannot_go_in_a_header_is_described_not_shown() {
    assert_eq!(token_flaw("sbp_0123abc"), None);
    assert_eq!(
        token_flaw("tok_CANARY\nsecond").as_deref(),
        Some("a line break (character 11 of 17)")
    );
    assert_eq!(
        token_flaw("Bearer tok").as_deref(),
        Some("a space (character 7 of 10)")
    );
    assert_eq!(
        token_flaw("tok\u{7f}").as_deref(),
        Some("a control character (character 4 of 4)")
    );
    assert_eq!(
        token_flaw("tok\u{201d}").as_deref(),
        Some("a non-ASCII character (character 4 of 4)")
    );
    let refused = client("tok_CANARY\r\nx").unwrap_err();
    assert!(refused.contains("a line break") && !refused.contains("CANARY"));
}

#[test]
fn debug_never_shows_the_token() {
    let client = client("tok_canary_123").unwrap();
    assert!(!format!("{client:?}").contains("canary"));
}

#[test]
fn a_link_header_names_the_next_page_or_not() {
    use super::links_next;
    assert!(links_next(
        r#"<https://api.netlify.com/api/v1/sites?page=2>; rel="next", <https://api.netlify.com/api/v1/sites?page=9>; rel="last""#
    ));
    assert!(links_next("<https://x/?page=3>; rel=next"));
    assert!(!links_next(
        r#"<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first""#
    ));
    assert!(!links_next(""));
    assert!(!links_next("<https://x/next>; title=\"next\""));
}
