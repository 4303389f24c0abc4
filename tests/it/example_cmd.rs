//! `envctl example`: the `.env.example` of an environment's dotenv files,
//! printed, written and checked, on the shipped example, the team examples
//! that commit one (runbook 000 §1.4 "Create `.env` from template", runbook
//! 002 "Set all vars from `.env.example`") and small fixture workspaces.
//! Canary values for every secret source never reach any output or file.

use crate::common;

use common::Workspace;
use common::platforms::pairs;

/// The shipped example's local secrets, as canaries.
fn canaries() -> Vec<(String, String)> {
    common::local_secrets()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every file under the workspace, as text, for "no canary on disk".
fn disk(ws: &Workspace) -> String {
    ws.files()
        .into_iter()
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

#[test]
fn example_prints_each_dotenv_file_with_secrets_empty_under_their_source() {
    let ws = Workspace::example();
    let secrets = canaries();
    let run = ws.run(&["example"], &pairs(&secrets));
    run.expect(0).expect_no_canary(&secrets);
    let text = run.stdout();
    for line in [
        "# --- .env.local (target web) ---",
        "# --- supabase/functions/.env (target functions) ---",
        "VITE_API_URL=http://localhost:54321/functions/v1",
        "ALLOW_STRIPE_FALLBACK=true",
        "# secret: from env STRIPE_TEST_SECRET_KEY\nSTRIPE_SECRET_KEY=\n",
        "# secret: from env FCM_SERVER_KEY\nFCM_SERVER_KEY=\n",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    // The default environment is local; an alias names the same text.
    assert_eq!(ws.run(&["example", "local"], &[]).stdout(), text);
    // Nothing was written.
    assert!(!ws.path(".env.example").exists());
}

#[test]
fn write_then_check_then_a_stale_file_exits_2_naming_keys_only() {
    let ws = Workspace::example();
    let secrets = canaries();
    let env = pairs(&secrets);
    ws.run(&["example", "--check"], &env)
        .expect(2)
        .expect_output(".env.example does not exist; write it with `envctl example local --write`");
    ws.run(&["example", "--write"], &env)
        .expect(0)
        .expect_output("wrote .env.example for environment local: new file")
        .expect_no_canary(&secrets);
    assert_eq!(ws.read(".env.example"), ws.run(&["example"], &[]).stdout());
    ws.run(&["example", "--check"], &env)
        .expect(0)
        .expect_output(".env.example is up to date with environment local");

    // Someone pasted a real key into the template and dropped a line;
    // the environment gained a variable.
    let pasted = "sk_test_CANARYpastedintothetemplate";
    ws.edit(
        ".env.example",
        "STRIPE_SECRET_KEY=\n",
        &format!("STRIPE_SECRET_KEY={pasted}\n"),
    );
    ws.remove_line(".env.example", "VITE_WS_URL=");
    ws.append(
        "environments/local.yaml",
        "  VITE_SENTRY_DSN: https://k@o1.ingest.sentry.io/2",
    );
    let run = ws.run(&["example", "--check"], &env);
    run.expect(2)
        .expect_output("missing VITE_SENTRY_DSN, VITE_WS_URL; another value for STRIPE_SECRET_KEY")
        .expect_output("update it with `envctl example local --write`")
        .expect_no_canary(&[("pasted".into(), pasted.into())]);

    let run = ws.run(&["example", "--write"], &env);
    run.expect(0)
        .expect_output("added VITE_SENTRY_DSN, VITE_WS_URL; changed STRIPE_SECRET_KEY")
        .expect_no_canary(&[("pasted".into(), pasted.into())]);
    ws.run(&["example", "--check"], &[]).expect(0);
    assert!(!disk(&ws).contains(pasted));
    for (name, value) in &secrets {
        assert!(!disk(&ws).contains(value.as_str()), "{name} on disk");
    }
}

#[test]
fn write_and_check_take_a_path_relative_to_the_project() {
    let ws = Workspace::example();
    ws.run(&["example", "local", "--write", "web/.env.example"], &[])
        .expect(0)
        .expect_output("wrote web/.env.example");
    assert!(ws.path("web/.env.example").is_file());
    ws.run(&["example", "--check", "web/.env.example"], &[])
        .expect(0);
    ws.write(
        "web/.env.example",
        "VITE_API_URL=http://localhost:54321/functions/v1\n",
    );
    ws.run(&["example", "--check", "web/.env.example"], &[])
        .expect(2)
        .expect_output("update it with `envctl example local --write web/.env.example`");
    ws.run(&["example", "--check", "--write"], &[]).expect(1);
    // The flag's value is optional: an environment there is a slip.
    ws.run(&["example", "--write", "prod"], &[])
        .expect(1)
        .expect_output(
            "`--write prod` names a file, not the environment: write `envctl example prod --write`",
        );
    assert!(!ws.path("prod").exists());
}

#[test]
fn an_environment_without_a_dotenv_target_is_an_error_naming_those_with_one() {
    let ws = Workspace::example();
    ws.run(&["example", "prod"], &[])
        .expect(1)
        .expect_output("environment production has no dotenv target")
        .expect_output("environments with one: local");
    ws.run(&["example", "nope"], &[])
        .expect(1)
        .expect_output("no environment named `nope`");
}

#[test]
fn every_source_is_named_and_no_value_is_resolved_or_shown() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir);
    ws.write("envctl.yaml", "version: 1\nproject: demo\n");
    ws.write(
        "environments/dev.yaml",
        "local: true\n\
         targets:\n  app: { type: dotenv, path: app/.env }\n  api: { type: dotenv, path: api/.env, receives: [API_*] }\n\
         variables:\n\
         \x20 APP_URL: \"http://localhost:3000/#top\"\n\
         \x20 API_TOKEN: { secret: \"file:secrets/token\" }\n\
         \x20 API_KEY: { secret: keyring }\n\
         \x20 API_PASSWORD: { secret: { command: [sh, -c, \"touch ran && echo CANARYcommand\"] } }\n\
         \x20 APP_PIN: { value: CANARYpin-0042, sensitive: true }\n\
         \x20 TWILIO_ACCOUNT_SID: { value: AC3f9a0c1e7b2d4086a1b2c3d4e5f60718, sensitive: false }\n\
         \x20 SERVICE_KEY: sk_live_CANARYliteralkey0001\n",
    );
    ws.write("secrets/token", "CANARYfile-token\n");
    let run = ws.run(&["example", "dev"], &[]);
    run.expect(0);
    let text = run.stdout();
    for line in [
        "# --- api/.env (target api) ---",
        "# --- app/.env (target app) ---",
        "# secret: from file secrets/token\nAPI_TOKEN=\n",
        "# secret: from the keychain (`envctl secret set dev API_KEY`)\nAPI_KEY=\n",
        "# secret: from the command `sh`\nAPI_PASSWORD=\n",
        "# secret: written in environments/dev.yaml (not copied here)\nAPP_PIN=\n",
        "# secret: written in environments/dev.yaml (not copied here)\nSERVICE_KEY=\n",
        "TWILIO_ACCOUNT_SID=AC3f9a0c1e7b2d4086a1b2c3d4e5f60718\n",
        "APP_URL=\"http://localhost:3000/#top\"\n",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(!run.all().contains("CANARY"), "{}", run.all());
    assert!(!ws.path("ran").exists(), "a command source was run");
}

#[test]
fn the_examples_whose_runbooks_use_a_template_commit_an_up_to_date_one() {
    // huddle: runbook 000 §1.4 "Create `.env` from template"; prompt-atoms:
    // runbook 002 "Set all vars from `.env.example`".
    for name in ["huddle", "prompt-atoms"] {
        let ws = Workspace::copy_of(&format!("examples/{name}"));
        assert!(
            ws.path(".env.example").is_file(),
            "{name} ships no .env.example"
        );
        ws.run(&["example", "--check"], &[])
            .expect(0)
            .expect_output(".env.example is up to date with environment local");
    }
}

#[test]
fn a_description_is_the_comment_above_its_variable() {
    let ws = Workspace::example();
    let secrets = canaries();
    ws.edit(
        "environments/local.yaml",
        "  STRIPE_SECRET_KEY: { secret: env:STRIPE_TEST_SECRET_KEY",
        "  STRIPE_SECRET_KEY: { description: \"Stripe's test-mode secret key, from the dashboard\", secret: env:STRIPE_TEST_SECRET_KEY",
    );
    let run = ws.run(&["example"], &pairs(&secrets));
    run.expect(0).expect_no_canary(&secrets);
    assert!(
        run.stdout().contains("# Stripe's test-mode secret key, from the dashboard\n# secret: from env STRIPE_TEST_SECRET_KEY\nSTRIPE_SECRET_KEY=\n"),
        "{}",
        run.stdout()
    );
}
