//! Honest inputs end to end: envctl refuses what it cannot stand behind
//! (an empty secret, a source that is not a regular file, an output it
//! could not write, a file it should not overwrite, a value a dotenv file
//! cannot hold, a migration file the Supabase CLI ignores) instead of
//! exiting 0 with a target that is wrong.

mod common;

use common::Workspace;
use common::platforms::{PRODUCTION_REF, Platforms, pairs};

const LOCAL: &str = "environments/local.yaml";

/// The environment for a production run with one secret replaced.
fn with(env: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    env.iter()
        .map(|(k, v)| {
            let v = if k == name { value } else { v.as_str() };
            (k.clone(), v.to_string())
        })
        .collect()
}

#[test]
fn an_empty_or_blank_ci_secret_is_refused_by_plan_and_apply_and_nothing_is_written() {
    let ws = Workspace::example();
    let p = Platforms::start();
    for blank in ["", "   ", "\n"] {
        let env = with(&p.env(), "PROD_STRIPE_SECRET_KEY", blank);
        let env = pairs(&env);

        let apply = ws.run(&["apply", "prod", "--yes"], &env);
        apply
            .expect(1)
            .expect_output("STRIPE_SECRET_KEY")
            .expect_output("env:PROD_STRIPE_SECRET_KEY")
            .expect_output("nothing was written");
        assert!(
            p.supabase.api().secret_names(PRODUCTION_REF).is_empty(),
            "{blank:?}: apply wrote to Supabase"
        );

        let plan = ws.run(&["plan", "prod", "--require-secrets"], &env);
        plan.expect(1)
            .expect_output("STRIPE_SECRET_KEY (env:PROD_STRIPE_SECRET_KEY: the value is");
        // Without --require-secrets the plan still comes, with a warning.
        ws.run(&["plan", "prod"], &env)
            .expect(0)
            .expect_output("warning: STRIPE_SECRET_KEY: env:PROD_STRIPE_SECRET_KEY: the value is")
            .expect_output("planned as unknown");
    }
    let env = p.env();
    let drift = ws.run(
        &["drift", "production", "--require-secrets"],
        &pairs(&with(&env, "PROD_FCM_SERVER_KEY", " ")),
    );
    drift.expect(1).expect_output("FCM_SERVER_KEY");
}

#[test]
fn every_source_kind_with_a_blank_value_is_unresolved_naming_variable_and_source() {
    let ws = Workspace::example();
    ws.write("secrets/openai.txt", "  \n");
    ws.edit(
        LOCAL,
        "OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }",
        "OPENAI_API_KEY: { secret: file:secrets/openai.txt }",
    );
    ws.edit(
        LOCAL,
        "FCM_SERVER_KEY: { secret: env:FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: { command: [printf, \"\\t\"] } }",
    );
    ws.edit(
        LOCAL,
        "STRIPE_WEBHOOK_SECRET: { secret: env:STRIPE_TEST_WEBHOOK_SECRET }",
        "STRIPE_WEBHOOK_SECRET: { secret: keyring }",
    );
    std::fs::write(
        ws.keyring_file(),
        r#"{"huddle/local/STRIPE_WEBHOOK_SECRET": ""}"#,
    )
    .unwrap();
    let env = [("STRIPE_TEST_SECRET_KEY", "sk_test_CANARYstripe0001")];
    let plan = ws.run(&["plan", "local", "--require-secrets"], &env);
    plan.expect(1)
        .expect_output("OPENAI_API_KEY (file:secrets/openai.txt: the value is only whitespace")
        .expect_output("FCM_SERVER_KEY (command: printf: the value is only whitespace")
        .expect_output("STRIPE_WEBHOOK_SECRET (keyring: the value is empty");
    let apply = ws.run(&["apply", "local", "--yes"], &env);
    apply.expect(1).expect_output("nothing was written");
    assert!(!ws.path(".env.local").exists() && !ws.path("supabase/functions/.env").exists());
}

#[test]
fn allow_empty_lets_an_empty_secret_through() {
    let ws = Workspace::example();
    ws.edit(
        LOCAL,
        "FCM_SERVER_KEY: { secret: env:FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: env:FCM_SERVER_KEY, allow_empty: true }",
    );
    ws.run(&["validate"], &[]).expect(0);
    let mut env = common::local_secrets();
    env.retain(|(k, _)| *k != "FCM_SERVER_KEY");
    env.push(("FCM_SERVER_KEY", ""));
    ws.run(&["plan", "local", "--require-secrets"], &env)
        .expect(0);
    ws.run(&["apply", "local", "--yes"], &env).expect(0);
    let written = ws.read("supabase/functions/.env");
    assert!(
        written
            .lines()
            .any(|l| l == "FCM_SERVER_KEY=" || l == "FCM_SERVER_KEY=\"\""),
        "{written}"
    );
    // `allow_empty` belongs to secrets: on a plain value it is a mistake.
    ws.edit(
        LOCAL,
        "VITE_WS_URL: ws://localhost:54321/realtime/v1",
        "VITE_WS_URL: { value: \"ws://localhost:54321/realtime/v1\", allow_empty: true }",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output("`allow_empty` goes with `secret:`");
}

#[test]
fn rotate_refuses_a_blank_new_value() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let run = ws.run_with_input(
        &[
            "rotate",
            "production",
            "STRIPE_SECRET_KEY",
            "--stdin",
            "--yes",
        ],
        &pairs(&env),
        Some("   \n"),
    );
    run.expect(1).expect_output("is only whitespace");
    assert!(p.supabase.api().secret_names(PRODUCTION_REF).is_empty());
}
