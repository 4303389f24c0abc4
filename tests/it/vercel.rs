//! The Vercel target end to end: the `envctl` binary (and, for races, the
//! provider itself) against the fake Vercel API on loopback.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::Workspace;
use common::platforms::{
    Platforms, VERCEL_PROJECT, VERCEL_TEAM, VERCEL_TOKEN, assert_no_leak, pairs,
};
use envctl::provider::{Provider, Write};
use envctl::secret::Secret;
use envctl_fakes::vercel::{EnvType, Record};

const SENTRY: &str = "sntrys_CANARY_sentry_token_0042";

/// The example, plus a secret routed to the Vercel target and a
/// `development` environment.
fn workspace() -> Workspace {
    let ws = Workspace::example();
    for file in ["environments/staging.yaml", "environments/production.yaml"] {
        ws.edit(
            file,
            "variables:\n",
            "variables:\n  SENTRY_AUTH_TOKEN: { secret: env:SENTRY_AUTH_TOKEN, targets: [web] }\n",
        );
    }
    ws.write(
        "environments/development.yaml",
        "targets:\n  web:\n    type: vercel\n    project: huddle-web\n    team: team_huddle\n    target: development\n\
         variables:\n  VITE_API_URL: http://localhost:54321/functions/v1\n\
         \x20 SENTRY_AUTH_TOKEN: { secret: env:SENTRY_AUTH_TOKEN, targets: [web] }\n",
    );
    ws
}

fn env(p: &Platforms) -> Vec<(String, String)> {
    let mut env = p.env();
    env.push(("SENTRY_AUTH_TOKEN".into(), SENTRY.into()));
    env
}

fn ours<'a>(records: &'a [Record], key: &str, target: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|r| r.key == key && r.target.iter().any(|t| t == target))
        .collect()
}

#[test]
fn plan_apply_plan_for_production_preview_branch_and_development() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    for name in ["prod", "staging", "development"] {
        ws.run(&["plan", name, "--detailed-exitcode"], &env)
            .expect(2);
        let apply = ws.run(&["apply", name, "--yes"], &env);
        apply.expect(0);
        assert_no_leak(&apply.all());
        let again = ws.run(&["plan", name, "--detailed-exitcode"], &env);
        again.expect(0);
        assert_no_leak(&again.all());
    }
    let records = p.vercel.api().records(VERCEL_PROJECT);
    let prod = ours(&records, "SENTRY_AUTH_TOKEN", "production");
    assert_eq!(prod.len(), 1);
    assert_eq!(prod[0].kind, EnvType::Sensitive, "secrets are sensitive");
    assert_eq!(prod[0].target, ["production"]);
    assert!(prod[0].comment.starts_with("[envctl sha256:"));
    let preview = ours(&records, "SENTRY_AUTH_TOKEN", "preview");
    assert_eq!(preview[0].git_branch.as_deref(), Some("staging"));
    assert_eq!(preview[0].kind, EnvType::Sensitive);
    let dev = ours(&records, "SENTRY_AUTH_TOKEN", "development");
    assert_eq!(
        dev[0].kind,
        EnvType::Encrypted,
        "Vercel allows no sensitive values in development"
    );
    let url = ours(&records, "VITE_API_URL", "production");
    assert_eq!(url[0].kind, EnvType::Encrypted);
    assert_eq!(url[0].value, "https://huddle.app/functions/v1");
    // One batch per apply, and the plans read no value by id.
    assert_eq!(p.vercel.count("POST", "/env"), 3);
    assert_eq!(
        p.vercel
            .requests()
            .iter()
            .filter(|l| l.request.method == "GET" && l.request.segments().len() == 5)
            .count(),
        0,
        "no record was read by id"
    );
}

#[test]
fn a_sensitive_value_changed_by_hand_is_drift() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    ws.run(&["drift", "prod"], &env).expect(0);

    let fake = p.vercel.api();
    let id = ours(
        &fake.records(VERCEL_PROJECT),
        "SENTRY_AUTH_TOKEN",
        "production",
    )[0]
    .id
    .clone();
    fake.advance_clock(Duration::from_secs(600));
    fake.edit_behind_back(VERCEL_PROJECT, &id, "sntrys_CANARY_pasted_by_hand");
    let drift = ws.run(&["drift", "prod"], &env);
    drift.expect(2);
    let plan = ws.run(&["plan", "prod"], &env);
    assert!(
        plan.stdout().contains("~ SENTRY_AUTH_TOKEN")
            && plan.stdout().contains("changed outside envctl"),
        "{}",
        plan.stdout()
    );
    assert_no_leak(&drift.all());
    assert_no_leak(&plan.all());

    // An encrypted value edited by hand is read back and compared.
    let url = ours(&fake.records(VERCEL_PROJECT), "VITE_API_URL", "production")[0]
        .id
        .clone();
    fake.edit_behind_back(VERCEL_PROJECT, &url, "https://evil.example");
    let plan = ws.run(&["plan", "prod"], &env);
    assert!(
        plan.stdout().contains("https://evil.example"),
        "{}",
        plan.stdout()
    );
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    ws.run(&["drift", "prod"], &env).expect(0);
}

#[test]
fn a_record_shared_with_preview_is_split_never_changed_for_both() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    let fake = p.vercel.api();
    let shared = fake.insert_record(
        VERCEL_PROJECT,
        "VITE_WS_URL",
        "wss://old.huddle.app",
        EnvType::Encrypted,
        &["production", "preview"],
        None,
        "set up by hand",
    );
    let plan = ws.run(&["plan", "prod"], &env);
    assert!(
        plan.stdout()
            .contains("VITE_WS_URL is one record shared by production, preview"),
        "{}",
        plan.stdout()
    );
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let kept = fake.record(VERCEL_PROJECT, &shared).unwrap();
    assert_eq!(kept.target, ["preview"]);
    assert_eq!(kept.value, "wss://old.huddle.app");
    let records = fake.records(VERCEL_PROJECT);
    let prod = ours(&records, "VITE_WS_URL", "production");
    assert_eq!(prod.len(), 1);
    assert_eq!(prod[0].value, "wss://huddle.app/realtime/v1");
    ws.run(&["plan", "prod", "--detailed-exitcode"], &env)
        .expect(0);
}

#[test]
fn a_plan_of_a_thousand_variables_costs_only_list_pages() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    let mut extra = String::from("variables:\n");
    for i in 0..1000 {
        extra.push_str(&format!("  VITE_FLAG_{i:04}: value-{i}\n"));
    }
    ws.edit("environments/production.yaml", "variables:\n", &extra);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    assert_eq!(
        p.vercel.count("POST", "/env"),
        1,
        "one batch for 1,005 values"
    );
    p.vercel.clear_log();
    ws.run(&["plan", "prod", "--detailed-exitcode"], &env)
        .expect(0);
    let gets = p.vercel.requests();
    assert!(
        gets.len() <= 11,
        "{} requests for 1,005 records (100 a page)",
        gets.len()
    );
    assert!(gets.iter().all(|l| l.request.segments().len() == 4));
}

#[test]
fn storms_of_429_and_500s_are_ridden_out() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    p.vercel.faults().throttle(3, 0);
    p.vercel.faults().fail_every(4);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    ws.run(&["plan", "prod", "--detailed-exitcode"], &env)
        .expect(0);
    let statuses: Vec<Option<u16>> = p.vercel.requests().iter().map(|l| l.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == Some(429)).count(), 3);
    assert!(statuses.contains(&Some(500)));
}

#[test]
fn bad_inputs_are_clear_errors_and_write_nothing() {
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    let check = |ws: &Workspace, env: &[(&str, &str)], expected: &str| {
        for args in [&["plan", "prod"][..], &["apply", "prod", "--yes"][..]] {
            let run = ws.run(args, env);
            run.expect(1);
            assert!(run.stderr().contains(expected), "{}", run.stderr());
            assert_no_leak(&run.all());
        }
        assert!(p.vercel.api().records(VERCEL_PROJECT).is_empty());
    };

    let ws = workspace();
    ws.edit(
        "environments/production.yaml",
        "project: huddle-web",
        "project: huddle-webb",
    );
    check(&ws, &env, "no project `huddle-webb` is visible");

    let ws = workspace();
    ws.edit(
        "environments/production.yaml",
        "team: team_huddle",
        "team: team_someoneelse",
    );
    check(&ws, &env, "may not act for this project's team");

    let ws = workspace();
    let mut wrong = common::platforms::Platforms::env(&p);
    wrong.push(("VERCEL_TOKEN".into(), "not-a-real-token".into()));
    wrong.push(("SENTRY_AUTH_TOKEN".into(), SENTRY.into()));
    check(&ws, &pairs(&wrong), "HTTP 403 forbidden");

    let ws = workspace();
    ws.edit(
        "environments/production.yaml",
        "variables:\n",
        "variables:\n  AWS_REGION: { value: us-east-1, targets: [web] }\n",
    );
    check(&ws, &env, "Vercel refuses the name `AWS_REGION`");
    assert!(
        p.vercel
            .requests()
            .iter()
            .all(|l| l.request.method == "GET"),
        "nothing was written"
    );
}

/// A record created by someone else between plan and apply: Vercel refuses
/// that key; the others are written and reported as done.
#[test]
fn a_key_refused_at_apply_is_reported_and_the_rest_is_done() {
    let p = Platforms::start();
    let api = envctl::provider::vercel::api::Api::new(
        &p.vercel.url(),
        Secret::new(VERCEL_TOKEN.into()),
        Some(VERCEL_TEAM.into()),
        envctl::http::Policy::default(),
    )
    .unwrap();
    let provider = Provider::Vercel(envctl::provider::vercel::VercelProvider::new(
        "web",
        VERCEL_PROJECT,
        "production",
        None,
        BTreeSet::new(),
        api,
    ));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let live = runtime.block_on(provider.read()).unwrap();
    p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "B",
        "theirs",
        EnvType::Encrypted,
        &["production", "preview"],
        None,
        "",
    );
    let writes = vec![
        Write::Set {
            name: "A".into(),
            value: Secret::new("a".into()),
        },
        Write::Set {
            name: "B".into(),
            value: Secret::new("b".into()),
        },
    ];
    let failure = runtime
        .block_on(provider.apply(&live, &writes))
        .unwrap_err();
    assert_eq!(failure.done, [0]);
    assert!(
        failure.error.message.contains("B:") && failure.error.message.contains("ENV_CONFLICT"),
        "{}",
        failure.error
    );
    let records = p.vercel.api().records(VERCEL_PROJECT);
    assert_eq!(ours(&records, "A", "production")[0].value, "a");
    assert_eq!(ours(&records, "B", "production")[0].value, "theirs");
}

#[test]
fn apply_says_deployments_run_old_values_and_redeploys_production_when_asked() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    p.vercel
        .api()
        .add_deployment(VERCEL_PROJECT, "dpl_live0001", "production");
    let apply = ws.run(&["apply", "prod", "--yes"], &env);
    apply.expect(0);
    assert!(
        apply.stderr().contains(
            "huddle-web's running production deployment keeps the old values until it is redeployed"
        ),
        "{}",
        apply.stderr()
    );
    assert_eq!(p.vercel.api().deployments(VERCEL_PROJECT).len(), 1);

    ws.edit(
        "environments/production.yaml",
        "VITE_API_URL: https://huddle.app/functions/v1",
        "VITE_API_URL: https://api.huddle.app/functions/v1",
    );
    let apply = ws.run(&["apply", "prod", "--yes", "--redeploy"], &env);
    apply.expect(0);
    assert!(
        apply
            .stderr()
            .contains("redeployed the latest production deployment, dpl_live0001 (https://"),
        "{}",
        apply.stderr()
    );
    let deployments = p.vercel.api().deployments(VERCEL_PROJECT);
    assert_eq!(deployments.len(), 2);
    assert_eq!(deployments[1].redeploy_of.as_deref(), Some("dpl_live0001"));
}

#[test]
fn a_secret_stored_as_plain_text_is_rewritten_as_sensitive() {
    let ws = workspace();
    let p = Platforms::start();
    let env = env(&p);
    let env = pairs(&env);
    let id = p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "SENTRY_AUTH_TOKEN",
        SENTRY,
        EnvType::Plain,
        &["production"],
        None,
        "",
    );
    let plan = ws.run(&["plan", "prod"], &env);
    assert!(
        plan.stdout().contains("~ SENTRY_AUTH_TOKEN")
            && plan.stdout().contains("stored as plain text"),
        "{}",
        plan.stdout()
    );
    assert_no_leak(&plan.all());
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let record = p.vercel.api().record(VERCEL_PROJECT, &id).unwrap();
    assert_eq!(record.kind, EnvType::Sensitive);
    ws.run(&["plan", "prod", "--detailed-exitcode"], &env)
        .expect(0);
}
