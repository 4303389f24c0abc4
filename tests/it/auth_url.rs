//! `auth-url` end to end: a production project's Auth URLs at localhost or
//! at staging's host are refused by `validate` (exit 3) at their line;
//! staging's redirect to production's host only warns.

use crate::common;

use common::Workspace;

const PRODUCTION: &str = "environments/production.yaml";
const STAGING: &str = "environments/staging.yaml";

fn workspace(production: &str, staging: &str) -> Workspace {
    let ws = Workspace::example();
    ws.append(PRODUCTION, production);
    ws.append(STAGING, staging);
    ws
}

const STAGING_AUTH: &str = "auth:\n  site_url: https://staging.huddle.app\n";

#[test]
fn a_production_site_url_at_localhost_is_refused_at_its_line() {
    let ws = workspace(
        "auth:\n  site_url: http://localhost:3000\n  redirect_urls:\n    - https://staging.huddle.app/auth/callback\n",
        STAGING_AUTH,
    );
    let run = ws.run(&["validate", "production"], &[]);
    run.expect(3);
    let err = run.all();
    let site = ws.line_of(PRODUCTION, "site_url:");
    let redirect = ws.line_of(PRODUCTION, "staging.huddle.app/auth/callback");
    for needle in [
        format!("{PRODUCTION}:{site}:"),
        format!("{PRODUCTION}:{redirect}:"),
        "error[auth-url]".to_string(),
        "`auth.site_url` http://localhost:3000 points at localhost in production".to_string(),
        "which is staging's (its site_url)".to_string(),
    ] {
        assert!(err.contains(&needle), "{needle} in {err}");
    }
}

#[test]
fn own_urls_pass_and_staging_redirecting_to_production_warns() {
    let ws = workspace(
        "auth:\n  site_url: https://huddle.app\n  redirect_urls:\n    - https://huddle.app/auth/callback\n",
        "auth:\n  site_url: https://staging.huddle.app\n  redirect_urls:\n    - http://localhost:3000/auth/callback\n    - https://huddle.app/auth/callback\n",
    );
    ws.run(&["validate", "production"], &[]).expect(0);
    let run = ws.run(&["validate", "staging"], &[]);
    run.expect(0);
    let line = ws.line_of(STAGING, "- https://huddle.app/auth/callback");
    let out = run.all();
    assert!(
        out.contains(&format!("{STAGING}:{line}:")) && out.contains("warning[auth-url]"),
        "{out}"
    );
    assert!(!out.contains("localhost:3000"), "{out}");
}
