//! The shared HTTP client speaking each platform's dialect: where its
//! error body keeps the code and message, how it says when a rate limit
//! resets, and that an error echoing the request shows none of its values.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use zeroize::Zeroizing;

use super::http::{Body, Call, Client, Dialect, Exposed, MAX_MESSAGE, Policy};
use super::{cloudflare, supabase, vercel};
use envctl_core::secret::Secret;

fn client(dialect: &'static Dialect, token: &str) -> Client {
    Client::new(
        dialect,
        "http://127.0.0.1:1",
        Secret::new(token.into()),
        Policy::default(),
    )
    .unwrap()
}

#[test]
fn rate_limit_waits_follow_each_platforms_hint() {
    let client = |dialect| client(dialect, "t");
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-reset", "7".parse().unwrap());
    assert_eq!(
        client(&supabase::dialect::DIALECT).rate_limit_wait(&headers, b""),
        Duration::from_secs(7)
    );
    // Vercel: no Retry-After, but the body's reset (epoch seconds).
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = format!(
        r#"{{"error":{{"code":"rate_limited","limit":{{"remaining":0,"reset":{}}}}}}}"#,
        now + 30
    );
    let wait =
        client(&vercel::dialect::DIALECT).rate_limit_wait(&HeaderMap::new(), body.as_bytes());
    assert!(
        wait > Duration::from_secs(25) && wait <= Duration::from_secs(31),
        "{wait:?}"
    );
    let mut retry = HeaderMap::new();
    retry.insert("retry-after", "2".parse().unwrap());
    assert_eq!(
        client(&vercel::dialect::DIALECT).rate_limit_wait(&retry, body.as_bytes()),
        Duration::from_secs(2)
    );
    assert_eq!(
        client(&cloudflare::dialect::DIALECT).rate_limit_wait(&retry, b""),
        Duration::from_secs(2)
    );
}

#[test]
fn cloudflare_errors_give_their_numeric_code_and_message() {
    let client = client(&cloudflare::dialect::DIALECT, "t");
    let body = br#"{"success":false,"result":null,"messages":[],"errors":[{"code":8000007,"message":"Project not found."}]}"#;
    let call = Call::new("read", reqwest::Method::GET, "GET x", "/x".into());
    assert_eq!(
        client.platform_message(&call, 404, body),
        (
            Some("8000007".to_string()),
            "Project not found.".to_string()
        )
    );
    assert_eq!(
        client.platform_message(&call, 502, b"<html>"),
        (
            None,
            "Cloudflare answered 502 without an error message".to_string()
        )
    );
}

/// A call whose body holds `value`, built the way the platform
/// clients build theirs.
fn call_sending(value: &str) -> Call {
    let secret = Secret::new(value.into());
    let mut exposed = Exposed::default();
    let body = serde_json::to_vec(&serde_json::json!([
        { "name": "STRIPE_SECRET_KEY", "value": exposed.expose(&secret) }
    ]))
    .unwrap();
    Call::new("set secrets", reqwest::Method::POST, "POST x", "/x".into())
        .json_bytes(Zeroizing::new(body), exposed)
}

#[test]
fn an_error_that_echoes_the_request_shows_status_code_and_message_without_values() {
    let canary = "sk_live_CANARY\"0005\"";
    let call = call_sending(canary);
    let Body::Json(sent) = &call.body else {
        panic!("a JSON body")
    };
    let sent = String::from_utf8(sent.to_vec()).unwrap();
    let client = |dialect| client(dialect, "tok_CANARY_token");
    let vercel = serde_json::json!({"error": {
        "code": "bad_request",
        "message": format!("invalid request: {sent}"),
        "value": canary,
    }});
    let (code, message) = client(&vercel::dialect::DIALECT).platform_message(
        &call,
        400,
        vercel.to_string().as_bytes(),
    );
    assert_eq!(code.as_deref(), Some("bad_request"));
    assert_eq!(
        message,
        r#"invalid request: [{"name":"STRIPE_SECRET_KEY","value":"<redacted>"}]"#
    );
    // Not in a `value` field: found as what was sent.
    let supabase =
        serde_json::json!({ "message": format!("bad secret {canary} (tok_CANARY_token)") });
    let (_, message) = client(&supabase::dialect::DIALECT).platform_message(
        &call,
        422,
        supabase.to_string().as_bytes(),
    );
    assert_eq!(message, "bad secret <redacted> (<redacted>)");
    let cloudflare = serde_json::json!({"success": false, "errors": [{
        "code": 8000000,
        "message": format!("{}{sent}", "x".repeat(400)),
    }]});
    let (code, message) = client(&cloudflare::dialect::DIALECT).platform_message(
        &call,
        400,
        cloudflare.to_string().as_bytes(),
    );
    assert_eq!(code.as_deref(), Some("8000000"));
    assert_eq!(message.chars().count(), MAX_MESSAGE + 1);
    let error = client(&cloudflare::dialect::DIALECT).refusal(&call, 200, Some("8000000"), &sent);
    assert!(!error.to_string().contains("CANARY"), "{error}");
    assert!(
        error.to_string().starts_with("HTTP 200 8000000: "),
        "{error}"
    );
}
