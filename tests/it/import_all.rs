//! `import` of everything a Supabase project holds: variables, Edge
//! Functions with `verify_jwt`, the migration head, Auth URLs and Storage
//! buckets, into a file that validates.

use crate::common;

use common::Workspace;
use common::platforms::{
    MIGRATIONS, PRODUCTION_REF, Platforms, STAGING_REF, assert_no_leak, pairs,
};
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
        // The example's code is not the fake's: import takes functions'
        // names and `verify_jwt`, not their source.
        .filter(|l| !l.contains("source changed"))
        .collect();
    assert!(changed.is_empty(), "{changed:?}\n{out}");
}

/// `import` in a folder with nothing in it: it creates `envctl.yaml` and
/// `environments/`, says so, and writes a file that validates; a second
/// environment leaves `envctl.yaml` alone, and an existing environment
/// file still needs --force.
#[test]
fn import_into_an_empty_folder_creates_the_project() {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    let prod = format!("supabase:{PRODUCTION_REF}");

    let run = ws.run(&["import", "production", "--from", &prod], &env);
    run.expect(0);
    let said = run.all();
    for needle in [
        "Created envctl.yaml.",
        "Created environments/.",
        "Wrote environments/production.yaml",
    ] {
        assert!(said.contains(needle), "{needle} in {said}");
    }
    assert_no_leak(&said);
    let project = ws.read("envctl.yaml");
    let folder = ws.path(".").canonicalize().unwrap();
    let name = folder.file_name().unwrap().to_str().unwrap();
    assert!(
        project.starts_with("# yaml-language-server: $schema="),
        "{project}"
    );
    assert!(project.contains("version: 1\n"), "{project}");
    assert!(
        project.contains(&format!("project: \"{name}\"")),
        "{project}"
    );
    ws.run(&["validate"], &env).expect(0);

    let staging = format!("supabase:{STAGING_REF}");
    let run = ws.run(&["import", "staging", "--from", &staging], &env);
    run.expect(0);
    assert!(!run.all().contains("Created"), "{}", run.all());
    assert_eq!(ws.read("envctl.yaml"), project);

    let before = ws.read("environments/production.yaml");
    let again = ws.run(&["import", "production", "--from", &staging], &env);
    assert_ne!(again.code(), 0);
    assert!(again.stderr().contains("--force"), "{}", again.stderr());
    assert_eq!(ws.read("environments/production.yaml"), before);
    ws.run(&["import", "production", "--from", &prod, "--force"], &env)
        .expect(0);
}

#[test]
fn a_failed_import_into_an_empty_folder_leaves_it_empty() {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    let run = ws.run(&["import", "production"], &[]);
    assert_ne!(run.code(), 0);
    assert!(run.stderr().contains("--from"), "{}", run.stderr());
    assert_eq!(ws.files(), []);
}
