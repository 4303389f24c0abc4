//! `import` of everything a Supabase project holds: variables, Edge
//! Functions with `verify_jwt`, the migration head, Auth URLs and Storage
//! buckets, into a file that validates.

use crate::common;

use common::Workspace;
use common::platforms::{MIGRATIONS, Platforms, STAGING_REF, assert_no_leak, pairs};
use envctl_fakes::supabase::FunctionStatus;

#[test]
fn import_writes_functions_head_auth_and_buckets() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let fake = p.supabase.api();
    fake.add_function(STAGING_REF, "stripe-webhook", false, FunctionStatus::Active);
    fake.set_auth_urls(
        STAGING_REF,
        "https://staging.huddle.app",
        "https://staging.huddle.app/auth/callback",
    );
    fake.add_bucket(STAGING_REF, "content", false);
    let env = p.env();
    let env = pairs(&env);

    let from = format!("supabase:{STAGING_REF}");
    let run = ws.run(&["import", "review", "--from", &from], &env);
    run.expect(0);
    assert_no_leak(&run.all());
    let file = ws.read("environments/review.yaml");
    for needle in [
        "functions:\n  stripe-webhook: { verify_jwt: false }",
        &format!("migrations:\n  head: \"{}\"", MIGRATIONS[1].0),
        "site_url: \"https://staging.huddle.app\"",
        "- \"https://staging.huddle.app/auth/callback\"",
        "buckets:\n  content: { public: false }",
    ] {
        assert!(file.contains(needle), "{needle} in\n{file}");
    }
    ws.run(&["validate"], &env).expect(0);
    // What was imported is what is live: nothing to change there (the
    // example's defaults add what the project lacks).
    let plan = ws.run(&["plan", "review"], &env);
    let out = plan.stdout();
    let changed: Vec<&str> = out
        .lines()
        .filter(|l| {
            ["auth.", "bucket ", "stripe-webhook"]
                .iter()
                .any(|n| l.contains(n))
        })
        .filter(|l| !l.trim_start().starts_with('='))
        .collect();
    assert!(changed.is_empty(), "{changed:?}\n{out}");
}
