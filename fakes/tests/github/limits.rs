//! Rate limits (primary and secondary), injected failures, and the spec
//! check itself.

use std::time::Duration;

use envctl_fakes::openapi::GITHUB;
use serde_json::json;

use super::*;

#[test]
fn the_primary_limit_counts_down_and_refuses_with_remaining_zero() {
    let server = start();
    server.api().set_rate_limit(3);
    let path = repo("/actions/variables");
    for remaining in [2, 1, 0] {
        let reply = get(&server, &path);
        expect(&server, &reply, 200);
        assert_eq!(reply.rate_header("x-ratelimit-limit"), 3);
        assert_eq!(reply.rate_header("x-ratelimit-remaining"), remaining);
        assert_eq!(reply.rate_header("x-ratelimit-used"), 3 - remaining);
    }
    let reply = get(&server, &path);
    let body = expect(&server, &reply, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("API rate limit exceeded for user ID")
    );
    assert_eq!(reply.rate_header("x-ratelimit-remaining"), 0);
    assert!(reply.header("retry-after").is_none());
    let reset = reply.rate_header("x-ratelimit-reset");
    let now = reply.header("date").unwrap().to_string();
    assert!(reset > 0, "{now}");
    // `/rate_limit` answers, does not count, and says the same.
    let overview = expect(&server, &get(&server, "/rate_limit"), 200);
    assert_eq!(overview["resources"]["core"]["remaining"], 0);
    assert_eq!(overview["resources"]["core"]["reset"], reset);
    assert_eq!(overview["rate"], overview["resources"]["core"]);
    assert_eq!(
        server.api().rate_limit_used(Some(TOKEN)),
        3,
        "used stops at the limit"
    );
    // Another token has its own window.
    let other = call(&server, "GET", &path, Some(READER), None);
    expect(&server, &other, 200);
    server.api().set_rate_limit_status(429);
    expect(&server, &get(&server, &path), 429);
    server.api().advance_clock(Duration::from_secs(3600));
    let reply = get(&server, &path);
    expect(&server, &reply, 200);
    assert_eq!(
        reply.rate_header("x-ratelimit-remaining"),
        2,
        "a new window"
    );
    assert!(reply.rate_header("x-ratelimit-reset") >= reset + 3600);
}

#[test]
fn a_shorter_window_resets_seconds_ahead() {
    let server = start();
    server.api().set_rate_limit(1);
    server.api().set_rate_limit_window(Duration::from_secs(2));
    let path = repo("/actions/variables");
    expect(&server, &get(&server, &path), 200);
    let reply = get(&server, &path);
    expect(&server, &reply, 403);
    assert_eq!(reply.rate_header("x-ratelimit-remaining"), 0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset = reply.rate_header("x-ratelimit-reset");
    assert!((now..=now + 2).contains(&reset), "{reset} vs {now}");
    server.api().advance_clock(Duration::from_secs(2));
    expect(&server, &get(&server, &path), 200);
}

#[test]
fn anonymous_callers_get_sixty_and_githubs_hint() {
    let server = start();
    for _ in 0..60 {
        call(&server, "GET", "/user", None, None);
    }
    let reply = call(&server, "GET", &repo(""), None, None);
    let body = expect(&server, &reply, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Authenticated requests get a higher rate limit")
    );
    assert_eq!(server.api().rate_limit_used(None), 60);
    // Tokens are counted apart.
    expect(&server, &get(&server, &repo("")), 200);
}

#[test]
fn an_injected_secondary_limit_asks_to_retry_after() {
    let server = start();
    server.faults().throttle(1, 7);
    let reply = get(&server, &repo("/actions/secrets"));
    let body = expect(&server, &reply, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    assert_eq!(reply.header("retry-after"), Some("7"));
    assert!(
        reply.rate_header("x-ratelimit-remaining") > 0,
        "not the primary limit"
    );
    server.api().set_rate_limit_status(429);
    server.faults().throttle(1, 2);
    let reply = get(&server, &repo("/actions/secrets"));
    expect(&server, &reply, 429);
    assert_eq!(reply.header("retry-after"), Some("2"));
    expect(&server, &get(&server, &repo("/actions/secrets")), 200);
}

#[test]
fn injected_failures_and_echoes_come_in_githubs_shape() {
    let server = start();
    server.faults().fail(1);
    let reply = get(&server, &repo("/actions/variables"));
    assert_eq!(expect(&server, &reply, 500)["message"], "Server Error");
    server.faults().echo_writes(1);
    let body = json!({ "name": "API_KEY", "value": "CANARY-echo" });
    let path = repo("/actions/variables");
    let reply = call(&server, "POST", &path, Some(TOKEN), Some(&body));
    let answer = expect(&server, &reply, 422);
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with("invalid request: {"), "{message}");
    assert!(message.contains("CANARY-echo"));
    expect(
        &server,
        &call(&server, "POST", &path, Some(TOKEN), Some(&body)),
        201,
    );
}

#[test]
fn version_2026_drops_the_rate_object() {
    let server = start();
    let headers = [
        ("Authorization", "Bearer ghp_envctl_classic_repo"),
        ("X-GitHub-Api-Version", "2026-03-10"),
    ];
    let reply = common::send(&server.url(), "GET", "/rate_limit", &headers, b"");
    // The vendored spec describes 2022-11-28, where `rate` is required; its
    // `x-github-breaking-changes` drops it in 2026-03-10.
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert!(body.get("rate").is_none());
    assert_eq!(body["resources"]["core"]["used"], 0);
    assert_eq!(body["resources"]["core"]["limit"], 5000);
    let anonymous = call(&server, "GET", "/rate_limit", None, None);
    assert_eq!(
        expect(&server, &anonymous, 200)["resources"]["core"]["limit"],
        60
    );
}

#[test]
fn the_spec_check_rejects_wrong_shapes() {
    let good = json!({ "total_count": 1, "secrets": [{ "name": "A", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z" }] });
    GITHUB
        .validate_response("actions/list-repo-secrets", 200, &good)
        .expect("a good list");
    let wrong = [
        ("actions/list-repo-secrets", 200, json!({ "secrets": [] })),
        (
            "actions/list-repo-secrets",
            200,
            json!({ "total_count": 1, "secrets": [{ "name": "A" }] }),
        ),
        (
            "actions/list-repo-variables",
            200,
            json!({ "total_count": 1, "variables": [{ "name": "A", "created_at": "x", "updated_at": "x" }] }),
        ),
        ("actions/get-repo-public-key", 200, json!({ "key": "k" })),
        (
            "actions/create-or-update-repo-secret",
            201,
            json!({ "created": true }),
        ),
        ("actions/create-repo-variable", 201, json!({ "name": "A" })),
        ("repos/get", 404, json!({ "message": 404 })),
        ("users/get-authenticated", 200, json!({ "login": "x" })),
    ];
    for (op, status, body) in &wrong {
        assert!(
            GITHUB.validate_response(op, *status, body).is_err(),
            "{op} accepted {body}"
        );
    }
    assert!(
        GITHUB
            .validate_response("actions/create-or-update-repo-secret", 200, &json!({}))
            .is_err(),
        "200 is not declared"
    );
    assert!(
        GITHUB
            .validate_request(
                "actions/create-or-update-repo-secret",
                &json!({ "encrypted_value": "c2VjcmV0" })
            )
            .is_err()
    );
    assert!(
        GITHUB
            .validate_request(
                "actions/create-or-update-repo-secret",
                &json!({ "encrypted_value": "!!", "key_id": "1" })
            )
            .is_err()
    );
    assert!(
        GITHUB
            .validate_schema("validation-error", &json!({ "message": "m" }))
            .is_err()
    );
    assert_eq!(
        GITHUB
            .response_headers("actions/list-repo-secrets", 200)
            .unwrap(),
        ["link"],
        "the spec documents Link on lists"
    );
}
