//! "Nothing secret leaves envctl, and no input can take it down", end to
//! end: a platform that refuses a write with a 400 quoting the request
//! body (the fakes' `echo_writes` fault) must not get a secret into
//! envctl's stdout, stderr (at `-vv`) or audit log, while the status and
//! the platform's code still show; and a token that cannot go in an HTTP
//! header stops the run at once, naming where it came from, before any
//! request.

use crate::common;

use std::time::{Duration, Instant};

use common::platforms::{self, Platforms, pairs};
use common::{Run, Workspace};

/// A canary with characters JSON escapes (`"`, `\`) and one it may
/// (`é`), so an echo of the JSON body differs from the value as sent.
fn canary(tag: &str) -> String {
    format!("sk_CANARY_{tag}_\"quoted\"\\back-é-0001")
}

/// Every form of `value` a leak could take: as is, JSON-escaped once and
/// twice, and ASCII-escaped.
fn forms(value: &str) -> Vec<String> {
    let once = serde_json::to_string(value).unwrap();
    let once = once[1..once.len() - 1].to_string();
    let twice = serde_json::to_string(&once).unwrap();
    let twice = twice[1..twice.len() - 1].to_string();
    let ascii = once.replace('é', "\\u00e9");
    vec![value.to_string(), once, twice, ascii]
}

/// Exit 1, `HTTP 400`, the platform's words with the values cut out, and
/// no canary anywhere: output or any file in the workspace (the audit log
/// included).
#[track_caller]
fn assert_scrubbed(run: &Run, ws: &Workspace, canaries: &[String], shows: &[&str]) {
    let all = run.all();
    run.expect(1);
    for needle in ["HTTP 400", "invalid request:", "<redacted>"]
        .iter()
        .chain(shows)
    {
        assert!(all.contains(needle), "no `{needle}` in:\n{all}");
    }
    // -vv was on: the requests were logged.
    assert!(all.contains("debug: "), "{all}");
    for value in canaries {
        for form in forms(value) {
            assert!(!all.contains(&form), "{form:?} leaked:\n{all}");
        }
    }
    platforms::assert_no_leak(&all);
    for (path, bytes) in ws.files() {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("CANARY"),
            "{} holds a canary",
            path.display()
        );
    }
}

/// The staging environment's secrets, as canaries.
fn staging_env(p: &Platforms) -> (Vec<(String, String)>, Vec<String>) {
    let mut env = p.env();
    let mut canaries = Vec::new();
    for (name, value) in env.iter_mut() {
        if name.starts_with("STAGING_") {
            *value = canary(name);
            canaries.push(value.clone());
        }
    }
    (env, canaries)
}

#[test]
fn a_supabase_error_that_echoes_the_secrets_shows_none_of_them() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let (env, canaries) = staging_env(&p);
    p.supabase.faults().echo_writes(1);
    let run = ws.run(&["-vv", "apply", "staging", "--yes"], &pairs(&env));
    assert_scrubbed(&run, &ws, &canaries, &["set secrets"]);
    // The refused request did carry the canaries: the fake saw them.
    let sent = p
        .supabase
        .requests()
        .into_iter()
        .find(|l| l.request.method == "POST" && l.request.path.ends_with("/secrets"))
        .expect("the upsert was sent");
    assert_eq!(sent.status, Some(400));
    assert!(String::from_utf8_lossy(&sent.request.body).contains("sk_CANARY_"));
}

#[test]
fn a_vercel_error_that_echoes_the_values_shows_none_of_them() {
    let ws = Workspace::example();
    // A secret the web target receives, beside the plain VITE_* values.
    ws.edit(
        "envctl.yaml",
        r#"web: ["VITE_*"]"#,
        r#"web: ["VITE_*", "WEB_*"]"#,
    );
    ws.append(
        "environments/staging.yaml",
        "  WEB_SIGNING_SECRET: { secret: env:STAGING_WEB_SIGNING_SECRET }",
    );
    let p = Platforms::start();
    let (mut env, mut canaries) = staging_env(&p);
    let secret = canary("vercel");
    env.push(("STAGING_WEB_SIGNING_SECRET".into(), secret.clone()));
    canaries.push(secret);
    p.vercel.faults().echo_writes(1);
    let run = ws.run(&["-vv", "apply", "staging", "--yes"], &pairs(&env));
    assert_scrubbed(&run, &ws, &canaries, &["bad_request"]);
    // Plain values are values too (the plan shows them, the error does
    // not), and the full digest in envctl's tag goes as well.
    let all = run.all();
    let error = &all[all.find("error: ").expect("an error")..];
    assert!(
        !error.contains("https://staging.huddle.app/functions/v1"),
        "{error}"
    );
    assert!(error.contains("[envctl sha256:<redacted> at:"), "{error}");
    assert!(p.vercel.requests().iter().any(|l| l.status == Some(400)
        && String::from_utf8_lossy(&l.request.body).contains("sk_CANARY_vercel")));
}

#[test]
fn a_cloudflare_error_that_echoes_the_secrets_shows_none_of_them() {
    let ws = Workspace::copy_of("examples/klubz");
    // The D1 history is read with a POST, which the fault would refuse
    // before the apply's PATCH.
    ws.remove_line("environments/staging.yaml", "database_id:");
    let server = platforms::cloudflare();
    let mut env = platforms::cloudflare_env(&server);
    let mut canaries = Vec::new();
    for (name, value) in env.iter_mut() {
        if name.starts_with("STAGING_") {
            *value = canary(name);
            canaries.push(value.clone());
        }
    }
    server.faults().echo_writes(1);
    let run = ws.run(&["-vv", "apply", "staging", "--yes"], &pairs(&env));
    assert_scrubbed(&run, &ws, &canaries, &["8000000"]);
    assert_eq!(server.count("PATCH", "/pages/projects/"), 1, "not retried");
}

/// A token with a line break inside: exit 1 at once, the variable named,
/// the token not shown, and not one request sent.
#[track_caller]
fn assert_refused_token(run: &Run, took: Duration, names: &str, requests: usize) {
    let all = run.all();
    run.expect(1);
    assert!(took < Duration::from_secs(5), "took {took:?}:\n{all}");
    assert!(all.contains(names), "no `{names}` in:\n{all}");
    assert!(all.contains("a line break"), "{all}");
    assert!(
        !all.contains("CANARY") && !all.contains("second-line"),
        "{all}"
    );
    assert!(!all.contains("could not reach"), "{all}");
    assert_eq!(requests, 0, "requests were sent:\n{all}");
}

fn timed(f: impl FnOnce() -> Run) -> (Run, Duration) {
    let started = Instant::now();
    let run = f();
    (run, started.elapsed())
}

#[test]
fn a_token_with_a_line_break_is_refused_before_any_request() {
    let ws = Workspace::example();
    let p = Platforms::start();
    for var in ["SUPABASE_ACCESS_TOKEN", "VERCEL_TOKEN"] {
        let mut env = p.env();
        for (name, value) in env.iter_mut() {
            if name == var {
                *value = format!("{value}\nsecond-line");
            }
        }
        let (run, took) = timed(|| ws.run(&["-vv", "plan", "staging"], &pairs(&env)));
        let sent = p.supabase.requests().len() + p.vercel.requests().len();
        assert_refused_token(&run, took, var, sent);
    }
}

#[test]
fn a_cloudflare_token_with_a_line_break_is_refused_before_any_request() {
    let ws = Workspace::copy_of("examples/klubz");
    let server = platforms::cloudflare();
    let mut env = platforms::cloudflare_env(&server);
    for (name, value) in env.iter_mut() {
        if name == "CLOUDFLARE_API_TOKEN" {
            *value = format!("{value}\r\nsecond-line");
        }
    }
    let (run, took) = timed(|| ws.run(&["-vv", "apply", "staging", "--yes"], &pairs(&env)));
    assert_refused_token(&run, took, "CLOUDFLARE_API_TOKEN", server.requests().len());
}

#[test]
fn a_keychain_token_with_a_line_break_is_refused_naming_the_keychain() {
    let ws = Workspace::example();
    let p = Platforms::start();
    std::fs::write(
        ws.keyring_file(),
        serde_json::json!({ "login/vercel": format!("{}\nsecond-line", platforms::VERCEL_TOKEN) })
            .to_string(),
    )
    .unwrap();
    let env: Vec<(String, String)> = p
        .env()
        .into_iter()
        .filter(|(k, _)| k != "VERCEL_TOKEN")
        .collect();
    let (run, took) = timed(|| ws.run(&["plan", "staging"], &pairs(&env)));
    let sent = p.supabase.requests().len() + p.vercel.requests().len();
    assert_refused_token(&run, took, "keychain", sent);
    run.expect_output("login/vercel")
        .expect_output("envctl login vercel");
}
