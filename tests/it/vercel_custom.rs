//! A Vercel target that names a custom environment (`target: qa`), end to
//! end against the fake Vercel: the project's custom environments are read
//! once per plan, records go to `customEnvironmentIds`, a hand change is
//! drift, an unknown slug names the ones that exist, and the project's
//! production and preview records are never touched.

use crate::common;

use std::time::Duration;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, assert_no_leak, pairs};
use envctl_fakes::vercel::{EnvType, Record};

const SENTRY: &str = "sntrys_CANARY_custom_env_0077";
const QA_URL: &str = "https://qa.huddle.app/functions/v1";

/// The example, plus `environments/qa.yaml`: one Vercel target on the
/// custom environment `slug`.
fn workspace(slug: &str) -> Workspace {
    let ws = Workspace::example();
    ws.write(
        "environments/qa.yaml",
        &format!(
            "targets:\n  web:\n    type: vercel\n    project: huddle-web\n    team: team_huddle\n    target: {slug}\n\
             variables:\n  VITE_API_URL: {QA_URL}\n\
             \x20 SENTRY_AUTH_TOKEN: {{ secret: env:SENTRY_AUTH_TOKEN, targets: [web] }}\n"
        ),
    );
    ws
}

fn env(p: &Platforms) -> Vec<(String, String)> {
    let mut env = p.env();
    env.push(("SENTRY_AUTH_TOKEN".into(), SENTRY.into()));
    env
}

fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

/// The platforms with custom environments `staging` and `qa` (returns
/// qa's id), and production and preview values of `VITE_API_URL` made by
/// hand.
fn platforms() -> (Platforms, String) {
    let p = Platforms::start();
    let api = p.vercel.api();
    api.add_custom_environment(VERCEL_PROJECT, "staging", "preview");
    let qa = api.add_custom_environment(VERCEL_PROJECT, "qa", "preview");
    for (target, url) in [
        ("production", "https://huddle.app/functions/v1"),
        ("preview", "https://preview.huddle.app/functions/v1"),
    ] {
        api.insert_record(
            VERCEL_PROJECT,
            "VITE_API_URL",
            url,
            EnvType::Encrypted,
            &[target],
            None,
            "",
        );
    }
    (p, qa)
}

fn of_custom<'a>(records: &'a [Record], qa: &str, key: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|r| r.key == key && r.custom_environment_ids.iter().any(|c| c == qa))
        .collect()
}

fn custom_reads(p: &Platforms) -> usize {
    p.vercel.count("GET", "/custom-environments")
}

#[test]
fn a_custom_environment_round_trips_and_leaves_production_and_preview_alone() {
    let ws = workspace("qa");
    let (p, qa) = platforms();
    let env = env(&p);
    let before: Vec<Record> = p.vercel.api().records(VERCEL_PROJECT);

    run(&ws, &["plan", "qa", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("target web — vercel huddle-web (qa)")
        .expect_output("+ VITE_API_URL")
        .expect_output("`envctl apply qa --redeploy` rebuilds the latest one");
    assert_eq!(custom_reads(&p), 1, "one read of the custom environments");
    run(&ws, &["apply", "qa", "--yes"], &env).expect(0);
    let reads = custom_reads(&p);
    run(&ws, &["plan", "qa", "--detailed-exitcode"], &env).expect(0);
    assert_eq!(custom_reads(&p), reads + 1, "once per plan");

    let records = p.vercel.api().records(VERCEL_PROJECT);
    let url = of_custom(&records, &qa, "VITE_API_URL");
    assert_eq!(url.len(), 1);
    assert_eq!(url[0].value, QA_URL);
    assert!(url[0].target.is_empty(), "{:?}", url[0].target);
    assert_eq!(url[0].custom_environment_ids, std::slice::from_ref(&qa));
    let sentry = of_custom(&records, &qa, "SENTRY_AUTH_TOKEN");
    assert_eq!(sentry[0].kind, EnvType::Sensitive, "secrets are sensitive");
    assert!(sentry[0].comment.starts_with("[envctl sha256:"));
    // Production's and preview's records are exactly as they were.
    for old in &before {
        let now = records.iter().find(|r| r.id == old.id).unwrap();
        assert_eq!(now, old, "{} of {:?} changed", old.key, old.target);
    }
    assert_eq!(records.len(), before.len() + 2);
}

#[test]
fn a_hand_change_in_a_custom_environment_is_drift() {
    let ws = workspace("qa");
    let (p, qa) = platforms();
    let env = env(&p);
    run(&ws, &["apply", "qa", "--yes"], &env).expect(0);
    run(&ws, &["drift", "qa"], &env).expect(0);
    let records = p.vercel.api().records(VERCEL_PROJECT);
    let sentry = of_custom(&records, &qa, "SENTRY_AUTH_TOKEN")[0].id.clone();
    // Later than the tag's tolerance.
    p.vercel.api().advance_clock(Duration::from_secs(600));
    p.vercel
        .api()
        .edit_behind_back(VERCEL_PROJECT, &sentry, "sntrys_by_hand");
    run(&ws, &["drift", "qa"], &env)
        .expect(2)
        .expect_output("web            drift: 1 to change");
    run(&ws, &["plan", "qa"], &env)
        .expect(0)
        .expect_output("~ SENTRY_AUTH_TOKEN")
        .expect_output("changed outside envctl");
    run(&ws, &["apply", "qa", "--yes"], &env).expect(0);
    run(&ws, &["drift", "qa"], &env).expect(0);
    let record = p.vercel.api().record(VERCEL_PROJECT, &sentry).unwrap();
    assert_eq!(record.value, SENTRY);
}

#[test]
fn an_unknown_slug_names_the_custom_environments_that_exist_and_sends_nothing() {
    let ws = workspace("stagin");
    let (p, _) = platforms();
    let env = env(&p);
    for command in ["plan", "apply"] {
        let args = if command == "plan" {
            vec!["plan", "qa"]
        } else {
            vec!["apply", "qa", "--yes"]
        };
        run(&ws, &args, &env)
            .expect(1)
            .expect_output(
                "project huddle-web has no custom environment `stagin`; its custom environments are `staging`, `qa`",
            )
            .expect_output("help: set `target:` to one of them");
    }
    assert_eq!(p.vercel.count("GET", "/env"), 0, "no records were read");
    for method in ["POST", "PATCH", "DELETE"] {
        assert_eq!(p.vercel.count(method, "/"), 0, "{method} sent");
    }
    // A standard target in capitals is caught before anything is read.
    let ws = workspace("Preview");
    // The target's settings start on the `type:` line.
    let line = ws.line_of("environments/qa.yaml", "type: vercel");
    run(&ws, &["validate", "qa"], &env)
        .expect(1)
        .expect_output(&format!("environments/qa.yaml:{line}"))
        .expect_output("write `target: preview`");
}

#[test]
fn a_record_shared_with_preview_is_split_and_preview_keeps_its_value() {
    let ws = workspace("qa");
    let (p, qa) = platforms();
    let env = env(&p);
    let api = p.vercel.api();
    let shared = api.insert_record(
        VERCEL_PROJECT,
        "SENTRY_AUTH_TOKEN",
        "sntrys_shared_old",
        EnvType::Encrypted,
        &["preview"],
        None,
        "",
    );
    api.edit_record_behind_back(VERCEL_PROJECT, &shared, None, Some(&[qa.as_str()]));
    run(&ws, &["plan", "qa"], &env)
        .expect(0)
        .expect_output(&format!(
            "SENTRY_AUTH_TOKEN is one record shared by preview, custom environment {qa}"
        ));
    run(&ws, &["apply", "qa", "--yes"], &env).expect(0);
    let old = api.record(VERCEL_PROJECT, &shared).unwrap();
    assert_eq!(old.value, "sntrys_shared_old");
    assert_eq!(old.target, ["preview"]);
    assert!(old.custom_environment_ids.is_empty(), "qa split off");
    let records = api.records(VERCEL_PROJECT);
    let ours = of_custom(&records, &qa, "SENTRY_AUTH_TOKEN");
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].value, SENTRY);
    run(&ws, &["plan", "qa", "--detailed-exitcode"], &env).expect(0);
}

#[test]
fn redeploy_rebuilds_the_custom_environments_latest_deployment_and_names_it() {
    let ws = workspace("qa");
    let (p, qa) = platforms();
    let env = env(&p);
    let api = p.vercel.api();
    api.add_custom_deployment(VERCEL_PROJECT, "dpl_qa0001", "qa");
    api.add_custom_deployment(VERCEL_PROJECT, "dpl_staging01", "staging");
    api.add_deployment(VERCEL_PROJECT, "dpl_prod0001", "production");
    run(&ws, &["apply", "qa", "--yes"], &env)
        .expect(0)
        .expect_output("huddle-web's running deployment of custom environment qa keeps the old values until it is redeployed; run `envctl apply qa --redeploy`");
    assert_eq!(api.deployments(VERCEL_PROJECT).len(), 3);

    ws.edit(
        "environments/qa.yaml",
        QA_URL,
        "https://qa2.huddle.app/functions/v1",
    );
    let apply = run(&ws, &["apply", "qa", "--yes", "--redeploy"], &env);
    apply.expect(0).expect_output(
        "redeployed the latest deployment of custom environment qa, dpl_qa0001 (https://huddle-web-",
    );
    let deployments = api.deployments(VERCEL_PROJECT);
    assert_eq!(deployments.len(), 4);
    let new = &deployments[3];
    assert_eq!(new.redeploy_of.as_deref(), Some("dpl_qa0001"));
    assert_eq!(new.custom_environment.as_deref(), Some(qa.as_str()));
    assert_eq!(new.target, None);
    apply.expect_output(&format!(
        "with the new values: {} (https://{})",
        new.uid, new.url
    ));
}

#[test]
fn import_reads_a_custom_environment() {
    let ws = workspace("qa");
    let (p, _) = platforms();
    let env = env(&p);
    run(&ws, &["apply", "qa", "--yes"], &env).expect(0);
    run(
        &ws,
        &[
            "import",
            "qa2",
            "--from",
            "vercel:huddle-web:qa",
            "--team",
            "team_huddle",
        ],
        &env,
    )
    .expect(0);
    let file = ws.read("environments/qa2.yaml");
    assert!(file.contains("    target: qa\n"), "{file}");
    assert!(
        file.contains(&format!("VITE_API_URL: \"{QA_URL}\"")),
        "{file}"
    );
    assert!(!file.contains("preview.huddle.app"), "{file}");
    assert!(!file.contains(SENTRY), "{file}");
}
