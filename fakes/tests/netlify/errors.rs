//! Errors in Netlify's model: `401` without a valid token, `404` for what
//! a token cannot see and for unknown routes, `403` for a Reviewer, the
//! rate limit's `429`, and the shared fault injection.

use std::time::Duration;

use serde_json::json;

use super::*;

#[test]
fn no_token_or_an_unknown_one_is_401_access_denied() {
    let server = start();
    for token in [None, Some("nfp_unknown")] {
        let reply = call(
            &server,
            "GET",
            &format!("/api/v1/sites/{SITE}"),
            token,
            None,
        );
        let body = expect(&server, &reply, 401);
        assert_eq!(body, json!({"code": 401, "message": "Access Denied"}));
    }
    let reply = common::send(
        &server.url(),
        "GET",
        "/api/v1/accounts",
        &[("Authorization", &format!("token {TOKEN}"))],
        b"",
    );
    expect(&server, &reply, 401);
}

#[test]
fn what_a_token_cannot_see_is_404_never_403() {
    let server = start();
    server
        .api()
        .put_by_hand(SITE, plain("API_URL", &[("all", "x")]));
    let theirs = [
        ("GET", format!("/api/v1/sites/{SITE}")),
        (
            "GET",
            format!("/api/v1/accounts/{ACCOUNT}/env?site_id={SITE}"),
        ),
        (
            "GET",
            format!("/api/v1/accounts/{OTHER}/env?site_id={SITE}"),
        ),
        ("GET", format!("/api/v1/api/v1/sites/{SITE}/env")),
        ("DELETE", var_path("API_URL")),
        ("POST", format!("/api/v1/sites/{SITE}/builds")),
    ];
    for (method, target) in &theirs {
        let reply = call(&server, method, target, Some(STRANGER), None);
        let body = expect(&server, &reply, 404);
        assert_eq!(
            body,
            json!({"code": 404, "message": "Not Found"}),
            "{method} {target}"
        );
    }
    assert_eq!(server.api().env(SITE).len(), 1);
}

#[test]
fn unknown_routes_and_methods_are_404() {
    let server = start();
    for (method, target) in [
        ("GET", "/api/v1/nothing/here/at/all"),
        ("GET", "/api/v1/sites/"),
        ("GET", "/sites"),
        ("GET", "/api/v2/sites"),
        ("DELETE", "/api/v1/sites"),
        ("POST", "/api/v1/accounts"),
        ("PUT", "/api/v1/accounts/huddle/env"),
    ] {
        let reply = call(&server, method, target, Some(TOKEN), None);
        assert_eq!(
            expect(&server, &reply, 404)["message"],
            "Not Found",
            "{method} {target}"
        );
        assert!(operation_id(&request(method, target)).is_none());
    }
    // Unknown routes are 404 with or without a token.
    expect(
        &server,
        &call(&server, "GET", "/api/v1/nothing", None, None),
        404,
    );
}

#[test]
fn a_reviewer_reads_sites_but_no_variables_and_writes_nothing() {
    let server = start();
    server
        .api()
        .put_by_hand(SITE, plain("API_URL", &[("all", "x")]));
    expect(
        &server,
        &call(&server, "GET", "/api/v1/sites", Some(REVIEWER), None),
        200,
    );
    let write = json!([{"key": "NEW", "values": [{"context": "all", "value": "x"}]}]);
    let patch = json!({"context": "dev", "value": "y"});
    let refused = [
        ("GET", env_path(&format!("?site_id={SITE}")), None),
        ("GET", format!("/api/v1/api/v1/sites/{SITE}/env"), None),
        ("GET", var_path("API_URL"), None),
        ("POST", env_path(&format!("?site_id={SITE}")), Some(&write)),
        ("PATCH", var_path("API_URL"), Some(&patch)),
        ("DELETE", var_path("API_URL"), None),
    ];
    for (method, target, body) in refused {
        let reply = call(&server, method, &target, Some(REVIEWER), body);
        expect(&server, &reply, 403);
    }
    assert_eq!(server.api().env(SITE).len(), 1, "nothing changed");
}

#[test]
fn past_the_rate_limit_is_429_until_the_window_ends() {
    let server = start();
    server.api().set_rate_limit(3);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let reply = get(&server, "/api/v1/accounts");
        expect(&server, &reply, 200);
        assert_eq!(reply.rate_header("x-ratelimit-limit"), 3);
        remaining.push(reply.rate_header("x-ratelimit-remaining"));
    }
    assert_eq!(remaining, [2, 1, 0]);
    let limited = get(&server, "/api/v1/accounts");
    expect(&server, &limited, 429);
    assert_eq!(limited.rate_header("x-ratelimit-remaining"), 0);
    let wait = limited.rate_header("retry-after");
    assert!((1..=60).contains(&wait), "{wait}");
    let date = limited.header("date").unwrap().to_string();
    assert!(
        limited.rate_header("x-ratelimit-reset") > 1_700_000_000,
        "epoch seconds"
    );
    // Another token has its own window.
    let other = call(&server, "GET", "/api/v1/accounts", Some(STRANGER), None);
    expect(&server, &other, 200);

    server.api().advance_clock(Duration::from_secs(61));
    let again = get(&server, "/api/v1/accounts");
    expect(&server, &again, 200);
    assert_eq!(again.rate_header("x-ratelimit-remaining"), 2);
    assert_ne!(
        again.header("date").unwrap(),
        date,
        "Date follows the fake's clock"
    );
}

#[test]
fn injected_faults_answer_in_netlifys_shape() {
    let server = start();
    server.faults().throttle(1, 7);
    let reply = get(&server, "/api/v1/accounts");
    expect(&server, &reply, 429);
    assert_eq!(reply.rate_header("retry-after"), 7);
    assert_eq!(reply.rate_header("x-ratelimit-remaining"), 0);

    server.faults().fail(1);
    expect(&server, &get(&server, "/api/v1/accounts"), 500);

    server.faults().echo_writes(1);
    let body = json!({"context": "dev", "value": "echoed-value"});
    let reply = call(
        &server,
        "PATCH",
        &var_path("API_URL"),
        Some(TOKEN),
        Some(&body),
    );
    let error = expect(&server, &reply, 422);
    assert!(error["message"].as_str().unwrap().contains("echoed-value"));
    expect(&server, &get(&server, "/api/v1/accounts"), 200);
}
