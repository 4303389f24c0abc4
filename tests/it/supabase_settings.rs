//! A Supabase project's settings as desired state, end to end: Auth URLs
//! and Storage buckets planned, applied, and reported as drift against the
//! fake Management API.

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, STAGING_REF, assert_no_leak, pairs};

const SETTINGS: &str = "
auth:
  site_url: https://staging.huddle.app
  redirect_urls:
    - https://staging.huddle.app/auth/callback
    - https://*.huddle-web.vercel.app/**
buckets:
  content: { public: false }
  avatars: { public: true }
";

fn workspace() -> Workspace {
    let ws = Workspace::example();
    ws.append("environments/staging.yaml", SETTINGS);
    ws
}

#[test]
fn auth_urls_and_buckets_are_planned_applied_then_unchanged() {
    let ws = workspace();
    let p = Platforms::start();
    let fake = p.supabase.api();
    fake.set_auth_urls(STAGING_REF, "http://localhost:3000", "");
    fake.add_bucket(STAGING_REF, "avatars", false);
    fake.add_bucket(STAGING_REF, "exports", false);
    let env = p.env();
    let env = pairs(&env);

    let plan = ws.run(&["plan", "staging", "--detailed-exitcode"], &env);
    plan.expect(2);
    let out = plan.stdout();
    for needle in [
        "auth.site_url",
        "https://staging.huddle.app",
        "bucket content",
        "bucket avatars",
    ] {
        assert!(out.contains(needle), "{needle} in {out}");
    }
    assert_no_leak(&plan.all());

    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    let (site_url, list) = fake.auth_urls(STAGING_REF);
    assert_eq!(site_url.as_deref(), Some("https://staging.huddle.app"));
    assert_eq!(
        list.as_deref(),
        Some("https://staging.huddle.app/auth/callback,https://*.huddle-web.vercel.app/**")
    );
    // One PATCH, holding only the declared fields.
    let patches = fake.auth_patches(STAGING_REF);
    assert_eq!(patches.len(), 1, "{patches:?}");
    let mut keys: Vec<&String> = patches[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["site_url", "uri_allow_list"]);
    let buckets = fake.buckets(STAGING_REF);
    assert!(!buckets["content"].public);
    assert!(buckets["avatars"].public);
    // Undeclared buckets hold data: never deleted.
    assert!(buckets.contains_key("exports"));

    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);
}

#[test]
fn a_site_url_changed_by_hand_is_drift() {
    let ws = workspace();
    let p = Platforms::start();
    let fake = p.supabase.api();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    fake.set_auth_urls(
        STAGING_REF,
        "https://huddle.app",
        "https://staging.huddle.app/auth/callback,https://*.huddle-web.vercel.app/**",
    );
    let drift = ws.run(&["drift", "staging"], &env);
    assert_ne!(drift.code(), 0, "{}", drift.all());
    assert!(
        drift.all().contains("drift: 1 to change"),
        "{}",
        drift.all()
    );
    let plan = ws.run(&["plan", "staging"], &env);
    assert!(
        plan.stdout().contains("auth.site_url") && plan.stdout().contains("https://huddle.app"),
        "{}",
        plan.stdout()
    );
}

#[test]
fn a_site_url_that_is_no_url_is_refused_with_its_line() {
    let ws = Workspace::example();
    let line = ws.append(
        "environments/staging.yaml",
        "auth:\n  site_url: staging.huddle.app\n",
    );
    let run = ws.run(&["validate"], &[]);
    assert_ne!(run.code(), 0);
    let want = format!("environments/staging.yaml:{}", line - 1);
    assert!(run.all().contains(&want), "{want} in {}", run.all());
    assert!(run.all().contains("scheme://"), "{}", run.all());
}

#[test]
fn settings_without_a_supabase_target_are_refused() {
    let ws = Workspace::example();
    ws.append("environments/local.yaml", "buckets:\n  content: ~\n");
    let run = ws.run(&["validate"], &[]);
    assert_ne!(run.code(), 0);
    assert!(
        run.all()
            .contains("needs a target that holds the project's settings"),
        "{}",
        run.all()
    );
}
