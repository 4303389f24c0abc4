//! The Netlify target's failures end to end: every error class Netlify
//! answers with, rate limits, paging through sites, and what envctl
//! refuses before it sends anything. Nothing secret shows in any of them.

use crate::common;
use crate::netlify::{run, value, writes};

use common::Workspace;
use common::netlify::{
    NETLIFY_ACCOUNT, NETLIFY_REVIEWER_TOKEN, NETLIFY_SITE_ID as SITE, netlify, netlify_env,
    netlify_workspace,
};

/// `env` with `name` set to `value` (replaced if it was there).
fn with(env: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = env.iter().filter(|(k, _)| k != name).cloned().collect();
    env.push((name.into(), value.into()));
    env
}

fn fails(ws: &Workspace, args: &[&str], env: &[(String, String)], expected: &[&str]) {
    let r = run(ws, args, env);
    r.expect(1);
    for needle in expected {
        r.expect_output(needle);
    }
}

#[test]
fn a_bad_token_or_none_is_a_clear_error_and_nothing_is_written() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    let bad = with(&env, "NETLIFY_AUTH_TOKEN", "nfp_CANARY_revoked_0000");
    for args in [
        &["plan", "prod"][..],
        &["apply", "prod", "--yes"][..],
        &["drift", "prod"][..],
    ] {
        fails(
            &ws,
            args,
            &bad,
            &[
                "HTTP 401",
                "Netlify refused the token (NETLIFY_AUTH_TOKEN, else `envctl login netlify`)",
            ],
        );
    }
    assert_eq!(writes(&server), 0);
    assert!(server.requests().iter().all(|l| l.status == Some(401)));
    server.clear_log();
    let none: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "NETLIFY_AUTH_TOKEN")
        .cloned()
        .collect();
    fails(
        &ws,
        &["plan", "prod"],
        &none,
        &["NETLIFY_AUTH_TOKEN", "envctl login netlify"],
    );
    assert!(
        server.requests().is_empty(),
        "nothing is sent without a token"
    );
}

#[test]
fn a_reviewer_is_refused_with_the_role_that_may() {
    let server = netlify();
    let env = with(
        &netlify_env(&server),
        "NETLIFY_AUTH_TOKEN",
        NETLIFY_REVIEWER_TOKEN,
    );
    let ws = netlify_workspace();
    fails(
        &ws,
        &["apply", "prod", "--yes"],
        &env,
        &["HTTP 403", "a team Owner or Developer can"],
    );
    assert_eq!(writes(&server), 0);
    assert!(server.api().env(SITE).is_empty());
}

#[test]
fn an_unknown_site_or_account_says_what_to_check() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    // A name no site has, within the account: found by listing, not sent.
    ws.edit(
        "environments/production.yaml",
        "site: huddle-web",
        "site: huddle-wbe",
    );
    fails(
        &ws,
        &["plan", "prod"],
        &env,
        &["no site named huddle-wbe in account huddle is visible to this token"],
    );
    // An unknown account: Netlify's 404.
    ws.edit(
        "environments/production.yaml",
        "site: huddle-wbe",
        "site: huddle-web",
    );
    ws.edit(
        "environments/production.yaml",
        "account: huddle",
        "account: hudle",
    );
    fails(
        &ws,
        &["plan", "prod"],
        &env,
        &["HTTP 404", "check `site`", "and `account`"],
    );
    // A site id Netlify does not know.
    ws.edit(
        "environments/production.yaml",
        "site: huddle-web",
        "site: 00000000-0000-4000-8000-000000000000",
    );
    ws.edit(
        "environments/production.yaml",
        "account: hudle",
        "account: huddle",
    );
    fails(
        &ws,
        &["plan", "prod"],
        &env,
        &[
            "HTTP 404",
            "site 00000000-0000-4000-8000-000000000000 (account huddle) was not found",
        ],
    );
    // The site's id with another team's slug.
    server
        .api()
        .add_account("0a0b0c0d0e0f", "other-team", "Other");
    server.api().grant(
        common::netlify::NETLIFY_TOKEN,
        "other-team",
        envctl_fakes::netlify::Role::Owner,
    );
    ws.edit(
        "environments/production.yaml",
        "site: 00000000-0000-4000-8000-000000000000",
        &format!("site: {SITE}"),
    );
    ws.edit(
        "environments/production.yaml",
        "account: huddle",
        "account: other-team",
    );
    fails(
        &ws,
        &["plan", "prod"],
        &env,
        &["belongs to account huddle, not other-team"],
    );
    // The id with the right account: one round trip, two requests.
    ws.edit(
        "environments/production.yaml",
        "account: other-team",
        "account: huddle",
    );
    server.clear_log();
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env).expect(2);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(writes(&server), 0);
}

#[test]
fn a_site_is_found_on_a_later_page() {
    use envctl_fakes::netlify::{FakeNetlify, Role};
    // Sites whose names hold the one looked for, listed before it.
    let fake = FakeNetlify::new();
    fake.add_account(
        common::netlify::NETLIFY_ACCOUNT_ID,
        NETLIFY_ACCOUNT,
        "Huddle",
    );
    for i in 0..5 {
        let id = format!("3970e0fe-8564-4903-9a55-00000000000{i}");
        fake.add_site(NETLIFY_ACCOUNT, &id, &format!("a{i}-huddle-web"));
    }
    fake.add_site(NETLIFY_ACCOUNT, SITE, "huddle-web");
    fake.grant(
        common::netlify::NETLIFY_TOKEN,
        NETLIFY_ACCOUNT,
        Role::Developer,
    );
    fake.set_per_page_max(2);
    let server = envctl_fakes::Server::start(fake);
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    // Netlify's largest page is asked for and given 2 at a time: envctl
    // follows `Link` to the page that holds the exact name.
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    // Three pages for the plan's read, three for apply's own.
    assert_eq!(
        server.count("GET", "/huddle/sites"),
        6,
        "{:#?}",
        server.requests()
    );
    assert!(value(&server, "VITE_API_URL", "production").is_some());
    assert!(
        server
            .api()
            .env("3970e0fe-8564-4903-9a55-000000000004")
            .is_empty()
    );
}

#[test]
fn a_429_is_waited_out_and_the_apply_completes() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    server.faults().throttle(2, 1);
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let statuses: Vec<Option<u16>> = server.requests().iter().map(|l| l.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == Some(429)).count(),
        2,
        "{statuses:?}"
    );
    assert!(value(&server, "STRIPE_SECRET_KEY", "production").is_some());
}

#[test]
fn a_refusal_that_quotes_the_request_shows_no_value() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    server.faults().echo_writes(1);
    let r = run(&ws, &["-vv", "apply", "prod", "--yes"], &env);
    r.expect(1)
        .expect_output("HTTP 422")
        .expect_output("done: nothing")
        .expect_output("not done: site: set STRIPE_SECRET_KEY");
    assert!(
        !r.all().contains("https://api.huddle.app\",\"context"),
        "{}",
        r.all()
    );
    assert!(server.api().env(SITE).is_empty(), "nothing written");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
}

#[test]
fn names_and_settings_netlify_refuses_are_caught_before_anything_is_sent() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    ws.edit(
        "environments/production.yaml",
        "  VITE_API_URL:",
        "  AWS_SECRET_ACCESS_KEY: x\n  URL: https://huddle.app\n  VITE_API_URL:",
    );
    ws.edit(
        "environments/production.yaml",
        "context: production",
        "context: prod\n    scopes: [build]",
    );
    let r = run(&ws, &["validate", "prod"], &env);
    r.expect(1)
        .expect_output("`prod` is not a Netlify deploy context")
        .expect_output("`build` is not a Netlify scope")
        .expect_output("starts with AWS_")
        .expect_output("`URL` is one of Netlify's read-only variables");
    run(&ws, &["plan", "prod"], &env).expect(1);
    assert!(server.requests().is_empty());
}

#[test]
fn a_secret_is_never_given_a_dev_value() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    ws.write(
        "environments/local.yaml",
        "targets:\n  site:\n    type: netlify\n    site: huddle-web\n    context: dev\n\n\
         variables:\n  STRIPE_SECRET_KEY: { secret: env:STAGING_STRIPE_KEY }\n",
    );
    fails(
        &ws,
        &["apply", "local", "--yes"],
        &env,
        &[
            "STRIPE_SECRET_KEY is a secret on Netlify, and envctl keeps secrets' values out of the dev context",
        ],
    );
    assert_eq!(value(&server, "STRIPE_SECRET_KEY", "dev"), None);
}
