//! `description:` on a variable, end to end: Vercel keeps it in the
//! record's comment before envctl's tag, a different description there is
//! a change (and drift), an environment's value keeps the default's
//! description, platforms without a field for it never show a change for
//! it, and a bad description is refused before anything is read.

use crate::common;

use std::time::Duration;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, assert_no_leak, pairs};
use envctl_fakes::vercel::Record;

const API_DESCRIPTION: &str = "Base URL of the Edge Functions the app calls";
const WS_DESCRIPTION: &str = "Realtime socket the app subscribes to";

/// The example with descriptions: one on production's `VITE_API_URL`, one
/// in the defaults for `VITE_WS_URL` (production gives only a value), one
/// on a secret that goes to Supabase only.
fn workspace() -> Workspace {
    let ws = Workspace::example();
    ws.edit(
        "environments/production.yaml",
        "  VITE_API_URL: https://huddle.app/functions/v1",
        &format!(
            "  VITE_API_URL: {{ value: https://huddle.app/functions/v1, description: {API_DESCRIPTION} }}"
        ),
    );
    ws.edit(
        "environments/production.yaml",
        "  STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY }",
        "  STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY, description: Stripe live key for checkout }",
    );
    ws.edit(
        "envctl.yaml",
        "  variables:\n",
        &format!(
            "  variables:\n    VITE_WS_URL: {{ value: \"wss://example.invalid\", description: {WS_DESCRIPTION} }}\n"
        ),
    );
    ws
}

fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

fn production(p: &Platforms, key: &str) -> Record {
    p.vercel
        .api()
        .records(VERCEL_PROJECT)
        .into_iter()
        .find(|r| r.key == key && r.target == ["production"])
        .unwrap_or_else(|| panic!("no production record of {key}"))
}

#[test]
fn vercel_keeps_the_description_before_the_tag_and_a_different_one_is_a_change() {
    let ws = workspace();
    let p = Platforms::start();
    let env = p.env();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let api_url = production(&p, "VITE_API_URL");
    assert!(
        api_url
            .comment
            .starts_with(&format!("{API_DESCRIPTION} [envctl sha256:")),
        "{}",
        api_url.comment
    );
    // Given only a value here, the default's description stands.
    let ws_url = production(&p, "VITE_WS_URL");
    assert_eq!(ws_url.value, "wss://huddle.app/realtime/v1");
    assert!(
        ws_url.comment.starts_with(WS_DESCRIPTION),
        "{}",
        ws_url.comment
    );
    // No description: the comment is the tag alone.
    assert!(
        production(&p, "VITE_SUPABASE_URL")
            .comment
            .starts_with("[envctl")
    );
    // Supabase keeps no description: nothing to change there, ever.
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env).expect(0);

    ws.edit(
        "environments/production.yaml",
        API_DESCRIPTION,
        "Where the app reaches the Edge Functions",
    );
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("~ VITE_API_URL: \"https://huddle.app/functions/v1\" → \"https://huddle.app/functions/v1\"  (the value matches; its description differs from `description:`)")
        .expect_output("Plan: 0 to add, 1 to change, 0 to delete.");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let comment = production(&p, "VITE_API_URL").comment;
    assert!(
        comment.starts_with("Where the app reaches the Edge Functions [envctl sha256:"),
        "{comment}"
    );
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env).expect(0);
}

#[test]
fn a_description_changed_in_the_dashboard_is_drift() {
    let ws = workspace();
    let p = Platforms::start();
    let env = p.env();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    run(&ws, &["drift", "prod"], &env).expect(0);
    let record = production(&p, "VITE_API_URL");
    let api = p.vercel.api();
    api.advance_clock(Duration::from_secs(600));
    let tag = &record.comment[record.comment.find("[envctl").unwrap()..];
    api.edit_record_behind_back(
        VERCEL_PROJECT,
        &record.id,
        Some(&format!("someone's words {tag}")),
        None,
    );
    run(&ws, &["drift", "prod"], &env)
        .expect(2)
        .expect_output("web            drift: 1 to change");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let comment = production(&p, "VITE_API_URL").comment;
    assert!(comment.starts_with(API_DESCRIPTION), "{comment}");
    run(&ws, &["drift", "prod"], &env).expect(0);
}

#[test]
fn a_bad_description_is_refused_with_its_line() {
    let p = Platforms::start();
    let env = p.env();
    let cases = [
        (
            "{ description: no value here }",
            "`description` goes with `value:` or `secret:`",
        ),
        (
            &format!("{{ value: x, description: {} }}", "d".repeat(401)) as &str,
            "`description` has 401 characters; at most 400 fit",
        ),
        (
            "{ value: x, description: \"two\\nlines\" }",
            "`description` is one line",
        ),
        (
            "{ value: x, description: \"  \" }",
            "`description` is empty",
        ),
    ];
    for (spec, error) in cases {
        let ws = Workspace::example();
        let line = ws.append(
            "environments/staging.yaml",
            &format!("  VITE_EXTRA: {spec}"),
        );
        run(&ws, &["plan", "staging"], &env)
            .expect(1)
            .expect_output(&format!("environments/staging.yaml:{line}"))
            .expect_output(error);
        assert!(p.vercel.requests().is_empty() && p.supabase.requests().is_empty());
    }
}
