//! The Supabase target end to end: the `envctl` binary against the fake
//! Management API on loopback (and the fake Vercel, which staging also
//! uses).

use crate::common;

use std::time::{Duration, Instant};

use common::Workspace;
use common::platforms::{
    MIGRATIONS, PRODUCTION_REF, Platforms, STAGING_REF, SUPABASE_TOKEN, assert_no_leak, canaries,
    pairs,
};
use envctl_fakes::supabase::{FunctionStatus, sha256_hex};

fn canary(name: &str) -> &'static str {
    canaries()
        .into_iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .unwrap()
}

#[test]
fn plan_apply_plan_leaves_nothing_to_do() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);

    let first = ws.run(&["plan", "staging", "--detailed-exitcode"], &env);
    first.expect(2);
    assert!(
        first.stdout().contains("+ function stripe-webhook"),
        "{}",
        first.stdout()
    );
    assert_no_leak(&first.all());

    let apply = ws.run(&["apply", "staging", "--yes"], &env);
    apply.expect(0);
    assert_no_leak(&apply.all());

    let fake = p.supabase.api();
    let mut names = fake.secret_names(STAGING_REF);
    names.sort();
    assert_eq!(
        names,
        [
            "FCM_SERVER_KEY",
            "OPENAI_API_KEY",
            "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "ALLOW_STRIPE_FALLBACK",
            "ALLOW_WEBHOOK_TEST_BYPASS",
        ]
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(
        fake.secret_digest(STAGING_REF, "STRIPE_SECRET_KEY")
            .unwrap(),
        sha256_hex(canary("STAGING_STRIPE_SECRET_KEY").as_bytes())
    );
    let functions = fake.functions(STAGING_REF);
    assert_eq!(functions.len(), 7);
    let webhook = fake.function(STAGING_REF, "stripe-webhook").unwrap();
    assert!(!webhook.verify_jwt);
    assert_eq!(
        webhook.entrypoint_path.as_deref(),
        Some("supabase/functions/stripe-webhook/index.ts")
    );
    assert!(
        fake.deployed_files(STAGING_REF, "hazard-scan")
            .iter()
            .any(|(name, _)| name == "supabase/functions/hazard-scan/index.ts")
    );
    // One upsert for every secret.
    assert_eq!(p.supabase.count("POST", "/secrets"), 1);

    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);
    // Production is untouched.
    assert!(p.supabase.api().secret_names(PRODUCTION_REF).is_empty());
}

#[test]
fn a_secret_changed_by_hand_is_drift_found_by_digest() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    ws.run(&["drift", "staging"], &env).expect(0);

    p.supabase
        .api()
        .set_secret(STAGING_REF, "OPENAI_API_KEY", "sk-CANARY-set-by-hand");
    let drift = ws.run(&["drift", "staging"], &env);
    drift.expect(2);
    let plan = ws.run(&["plan", "staging"], &env);
    assert!(
        plan.stdout().contains("~ OPENAI_API_KEY"),
        "{}",
        plan.stdout()
    );
    assert_no_leak(&drift.all());
    assert_no_leak(&plan.all());
}

#[test]
fn an_undeclared_function_is_left_alone_unless_pruning() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    p.supabase
        .api()
        .add_function(STAGING_REF, "legacy-report", true, FunctionStatus::Active);
    p.supabase
        .api()
        .add_function(STAGING_REF, "long-gone", true, FunctionStatus::Removed);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    // Throttled after envctl deployed it (a deploy makes it active).
    p.supabase
        .api()
        .add_function(STAGING_REF, "mesh-alert", true, FunctionStatus::Throttled);
    let throttled = ws.run(&["plan", "staging"], &env);
    assert!(
        throttled
            .stdout()
            .contains("warning: Edge Function mesh-alert is THROTTLED"),
        "{}",
        throttled.stdout()
    );
    assert!(
        p.supabase
            .api()
            .function(STAGING_REF, "legacy-report")
            .is_some()
    );
    let plan = ws.run(&["plan", "staging"], &env);
    assert!(
        !plan.stdout().contains("long-gone"),
        "REMOVED functions are ignored: {}",
        plan.stdout()
    );

    ws.edit(
        "environments/staging.yaml",
        "project_ref: hdlstagingabcdefghij",
        "project_ref: hdlstagingabcdefghij\n    prune: true",
    );
    let plan = ws.run(&["plan", "staging"], &env);
    assert!(
        plan.stdout().contains("- function legacy-report"),
        "{}",
        plan.stdout()
    );
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    let legacy = p.supabase.api().function(STAGING_REF, "legacy-report");
    assert!(
        legacy.is_none() || legacy.unwrap().status == FunctionStatus::Removed,
        "pruned"
    );
}

#[test]
fn a_plan_makes_one_request_per_list_whatever_the_count() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    for i in 0..300 {
        p.supabase
            .api()
            .set_secret(STAGING_REF, &format!("EXTRA_{i}"), "x");
    }
    for i in 0..40 {
        p.supabase.api().add_function(
            STAGING_REF,
            &format!("extra-{i}"),
            true,
            FunctionStatus::Active,
        );
    }
    ws.run(&["plan", "staging"], &env).expect(0);
    let s = &p.supabase;
    assert_eq!(s.count("GET", "/secrets"), 1);
    assert_eq!(s.count("GET", "/functions"), 1);
    assert_eq!(s.count("GET", "/database/migrations"), 1);
    assert_eq!(s.requests().len(), 3, "nothing else is read");
}

#[test]
fn the_migration_history_falls_back_to_sql_and_a_missing_table_is_empty() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    p.supabase.api().refuse_migrations_endpoint(true);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);
    assert!(p.supabase.count("POST", "/database/query") >= 2);

    p.supabase
        .api()
        .set_migration_table_missing(STAGING_REF, true);
    let plan = ws.run(&["plan", "staging", "--detailed-exitcode"], &env);
    plan.expect(2);
    assert!(
        plan.stdout().contains("~ migration head"),
        "{}",
        plan.stdout()
    );
    let apply = ws.run(&["apply", "staging", "--yes"], &env);
    apply.expect(0);
    assert!(
        apply.stderr().contains("2 migrations not applied yet")
            && apply.stderr().contains("supabase db push"),
        "{}",
        apply.stderr()
    );
}

#[test]
fn migration_history_that_disagrees_with_the_files_refuses_production() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    p.supabase.api().set_migrations(
        PRODUCTION_REF,
        &[MIGRATIONS[0], MIGRATIONS[1], ("20250301000000", "hotfix")],
    );
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(3);
    assert!(
        plan.stdout().contains("migration-drift") && plan.stdout().contains("20250301000000"),
        "{}",
        plan.stdout()
    );
    // Out of order: the live head is past a file that never ran.
    p.supabase
        .api()
        .set_migrations(STAGING_REF, &[MIGRATIONS[1]]);
    let drift = ws.run(&["drift", "staging"], &env);
    drift.expect(2);
}

#[test]
fn plans_and_applies_get_through_429_storms_and_500s() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    for faults in [p.supabase.faults(), p.vercel.faults()] {
        faults.throttle(4, 0);
        faults.fail_every(3);
    }
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);
    let throttled = p
        .supabase
        .requests()
        .iter()
        .filter(|l| l.status == Some(429))
        .count();
    assert_eq!(throttled, 4);
    assert_eq!(p.supabase.api().functions(STAGING_REF).len(), 7);
}

#[test]
fn a_dropped_connection_and_a_slow_answer_are_retried() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let mut env = p.env();
    env.push(("ENVCTL_HTTP_TIMEOUT".into(), "0.5".into()));
    let env = pairs(&env);
    p.supabase.faults().drop_connections(2);
    p.supabase.faults().stall(1, Duration::from_secs(2));
    ws.run(&["plan", "staging"], &env).expect(0);
    let dropped = p
        .supabase
        .requests()
        .iter()
        .filter(|l| l.status.is_none())
        .count();
    assert_eq!(dropped, 2);
}

#[test]
fn a_dead_server_is_a_clear_error_within_the_deadline() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut env = p.env();
    env.push((
        "ENVCTL_SUPABASE_API_URL".into(),
        format!("http://127.0.0.1:{dead}"),
    ));
    env.push(("ENVCTL_HTTP_DEADLINE".into(), "3".into()));
    let env = pairs(&env);
    let started = Instant::now();
    let run = ws.run(&["plan", "staging"], &env);
    run.expect(1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "gave up within the deadline"
    );
    assert!(
        run.stderr().contains("could not connect")
            && run.stderr().contains("could not reach the Supabase API"),
        "{}",
        run.stderr()
    );
}

/// Runs `plan` and `apply` on a broken setup: both exit 1 with `expected`
/// in the message, and nothing reaches the fake's state.
fn refused(ws: &Workspace, p: &Platforms, env: &[(&str, &str)], expected: &str) {
    for args in [&["plan", "staging"][..], &["apply", "staging", "--yes"][..]] {
        let run = ws.run(args, env);
        run.expect(1);
        assert!(run.stderr().contains(expected), "{}", run.stderr());
        assert_no_leak(&run.all());
    }
    assert!(p.supabase.api().secret_names(STAGING_REF).is_empty());
    assert!(p.supabase.api().functions(STAGING_REF).is_empty());
    let writes = p
        .supabase
        .requests()
        .iter()
        .filter(|l| l.request.method != "GET" && !l.request.path.ends_with("/database/query"))
        .count();
    assert_eq!(writes, 0, "nothing was sent that writes");
}

#[test]
fn bad_inputs_are_clear_errors_and_write_nothing() {
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);

    let ws = Workspace::example();
    ws.edit(
        "environments/staging.yaml",
        "hdlstagingabcdefghij",
        "hdl-staging",
    );
    refused(&ws, &p, &env, "`hdl-staging` is not a Supabase project ref");

    let ws = Workspace::example();
    std::fs::remove_dir_all(ws.path("supabase/functions/hazard-scan")).unwrap();
    refused(
        &ws,
        &p,
        &env,
        "Edge Function `hazard-scan` has no folder supabase/functions/hazard-scan",
    );

    let ws = Workspace::example();
    ws.edit(
        "environments/staging.yaml",
        "variables:",
        "functions:\n  2fast:\n\nvariables:",
    );
    refused(&ws, &p, &env, "`2fast` is not a valid Edge Function name");

    let ws = Workspace::example();
    let mut wrong = p.env();
    wrong.push((
        "SUPABASE_ACCESS_TOKEN".into(),
        "sbp_ffffffffffffffffffffffffffffffffffffffff".into(),
    ));
    refused(&ws, &p, &pairs(&wrong), "HTTP 401");
    let run = ws.run(&["plan", "staging"], &pairs(&wrong));
    assert!(
        run.stderr()
            .contains("was refused (mistyped, expired or revoked)"),
        "{}",
        run.stderr()
    );

    let scoped = "sbp_1111111111111111111111111111111111111111";
    p.supabase
        .api()
        .add_token(scoped, &["edge_functions:read", "database:read"]);
    let mut limited = p.env();
    limited.push(("SUPABASE_ACCESS_TOKEN".into(), scoped.into()));
    refused(&ws, &p, &pairs(&limited), "the `secrets:read` permission");

    let ws = Workspace::example();
    ws.edit(
        "environments/staging.yaml",
        "hdlstagingabcdefghij",
        "unknownprojectrefabc",
    );
    let run = ws.run(&["plan", "staging"], &env);
    run.expect(1);
    assert!(
        run.stderr().contains("HTTP 404")
            && run.stderr().contains("no project unknownprojectrefabc"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_most_verbose_log_shows_requests_but_no_token_or_value() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let mut env = p.env();
    env.push(("ENVCTL_LOG".into(), "trace".into()));
    let env = pairs(&env);
    p.supabase.faults().fail(1);
    let run = ws.run(&["-vv", "apply", "staging", "--yes"], &env);
    run.expect(0);
    let err = run.stderr();
    assert!(
        err.contains("debug: POST /v1/projects/hdlstagingabcdefghij/secrets -> 201"),
        "{err}"
    );
    assert!(err.contains("trace:") && err.contains("retrying"), "{err}");
    assert_no_leak(&run.all());
    assert!(!err.contains(SUPABASE_TOKEN));
}

/// Every request body envctl sent has the shape Supabase's OpenAPI file
/// documents for its operation.
#[test]
fn request_bodies_match_the_openapi_description() {
    use envctl_fakes::openapi::validate_request;
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    p.supabase.api().refuse_migrations_endpoint(true);
    p.supabase
        .api()
        .add_function(STAGING_REF, "stripe-webhook", true, FunctionStatus::Active);
    // The same code as the local folder: only `verify_jwt` differs, which
    // is a PATCH, not a deploy.
    let source = std::fs::read(ws.path("supabase/functions/stripe-webhook/index.ts")).unwrap();
    p.supabase
        .api()
        .deploy_by_hand(STAGING_REF, "stripe-webhook", &[("index.ts", &source)]);
    p.supabase.api().set_secret(STAGING_REF, "OLD_KEY", "x");
    ws.edit(
        "environments/staging.yaml",
        "project_ref: hdlstagingabcdefghij",
        "project_ref: hdlstagingabcdefghij\n    prune: true",
    );
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    let mut checked = std::collections::BTreeSet::new();
    for logged in p.supabase.requests() {
        let r = &logged.request;
        if !r.path.contains(STAGING_REF) {
            continue;
        }
        let op = match (r.method.as_str(), r.path.rsplit('/').next().unwrap()) {
            ("POST", "secrets") => "v1-bulk-create-secrets",
            ("DELETE", "secrets") => "v1-bulk-delete-secrets",
            ("POST", "query") => "v1-run-a-query",
            ("PATCH", _) => "v1-update-a-function",
            _ => continue,
        };
        let body = r.json().unwrap();
        validate_request(op, &body).unwrap_or_else(|e| panic!("{op}: {e}"));
        checked.insert(op);
    }
    assert_eq!(
        checked.len(),
        4,
        "every kind of body was sent and checked: {checked:?}"
    );
}

/// The HTTPS path end to end, with the TLS configuration every client
/// shares: the fake's certificate is verified against the roots in
/// `SSL_CERT_FILE`, and refused (nothing sent) when they do not hold its
/// issuer. The certificates are `fakes/tls/`, made for these tests only.
#[test]
fn https_to_a_platform_verifies_its_certificate() {
    let tls = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fakes/tls");
    let read = |name: &str| std::fs::read(tls.join(name)).unwrap();
    let supabase = envctl_fakes::supabase::FakeSupabase::new(SUPABASE_TOKEN);
    supabase.add_project(STAGING_REF);
    supabase.set_migrations(STAGING_REF, &MIGRATIONS);
    let https = envctl_fakes::Server::start_tls(supabase, &read("server.pem"), &read("server.key"));
    assert!(https.url().starts_with("https://127.0.0.1:"));

    let ws = Workspace::example();
    let p = Platforms::start();
    // Only the roots named here: no folder of system certificates.
    let no_dir = tempfile::tempdir().unwrap();
    let with_roots = |roots: &str| {
        let mut env: Vec<(String, String)> = p
            .env()
            .into_iter()
            .filter(|(k, _)| k != "ENVCTL_SUPABASE_API_URL")
            .collect();
        env.push(("ENVCTL_SUPABASE_API_URL".into(), https.url()));
        env.push((
            "SSL_CERT_FILE".into(),
            tls.join(roots).display().to_string(),
        ));
        env.push(("SSL_CERT_DIR".into(), no_dir.path().display().to_string()));
        env
    };

    let env = with_roots("ca.pem");
    let run = ws.run(&["plan", "staging"], &pairs(&env));
    run.expect(0);
    assert_no_leak(&run.all());
    assert_eq!(https.count("GET", "/secrets"), 1);
    assert_eq!(https.count("GET", "/functions"), 1);

    https.clear_log();
    let env = with_roots("other-ca.pem");
    let run = ws.run(&["plan", "staging"], &pairs(&env));
    run.expect(1);
    let stderr = run.stderr();
    assert!(stderr.contains("invalid peer certificate"), "{stderr}");
    // A certificate that is not trusted is not retried.
    assert!(!stderr.contains("attempts)"), "{stderr}");
    assert_no_leak(&run.all());
    assert!(
        https.requests().is_empty(),
        "nothing reaches an untrusted server"
    );
}
