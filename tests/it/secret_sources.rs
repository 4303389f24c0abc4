//! `envctl secret sources ENV`: each secret source and platform token an
//! environment needs, with whether it can be found now, as text, JSON or a
//! workflow step's `env:` block; never a value.

use crate::common::Workspace;

const CANARY: &str = "CANARYsources7Hq2Wm9Xp4Yr1Zs6Ab3Cd8";

/// The line of `text` that starts with `name` and a space.
fn line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
}

fn words(line: &str) -> Vec<&str> {
    line.split("  ")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

#[test]
fn text_names_each_source_its_kind_and_whether_it_is_set() {
    let ws = Workspace::example();
    let run = ws.run(
        &["secret", "sources", "prod"],
        &[("PROD_STRIPE_SECRET_KEY", CANARY), ("VERCEL_TOKEN", CANARY)],
    );
    run.expect(0);
    assert!(
        !run.all().contains(CANARY),
        "a value in the output:\n{}",
        run.all()
    );
    let out = run.stdout();
    assert_eq!(
        words(line(&out, "STRIPE_SECRET_KEY")),
        ["STRIPE_SECRET_KEY", "env", "PROD_STRIPE_SECRET_KEY", "set"]
    );
    assert_eq!(
        words(line(&out, "FCM_SERVER_KEY")),
        ["FCM_SERVER_KEY", "env", "PROD_FCM_SERVER_KEY", "missing"]
    );
    assert_eq!(
        words(line(&out, "Vercel token")),
        ["Vercel token", "token", "VERCEL_TOKEN", "set"]
    );
    assert!(line(&out, "Supabase access token").ends_with("missing"));
    assert_eq!(out.lines().count(), 6, "4 variables and 2 tokens:\n{out}");
    run.expect_output("6 sources, 4 missing");
}

#[test]
fn an_empty_variable_is_missing_and_check_exits_2_until_all_are_there() {
    let ws = Workspace::example();
    let mut env = vec![
        ("PROD_STRIPE_SECRET_KEY", CANARY),
        ("PROD_STRIPE_WEBHOOK_SECRET", CANARY),
        ("OPENAI_API_KEY", CANARY),
        ("PROD_FCM_SERVER_KEY", " "),
        ("VERCEL_TOKEN", CANARY),
        ("SUPABASE_ACCESS_TOKEN", CANARY),
    ];
    let run = ws.run(&["secret", "sources", "production", "--check"], &env);
    run.expect(2);
    assert!(line(&run.stdout(), "FCM_SERVER_KEY").ends_with("missing"));
    env[3].1 = CANARY;
    let run = ws.run(&["secret", "sources", "production", "--check"], &env);
    run.expect(0).expect_output("none missing");
    assert!(!run.all().contains(CANARY));
    // Without --check, missing sources are listed, not a failure.
    ws.run(&["secret", "sources", "production"], &[]).expect(0);
}

#[test]
fn file_keyring_and_command_sources() {
    let ws = Workspace::example();
    let local = "environments/local.yaml";
    ws.edit(
        local,
        "{ secret: env:OPENAI_API_KEY }",
        "{ secret: keyring }",
    );
    ws.edit(
        local,
        "{ secret: env:FCM_SERVER_KEY }",
        "{ secret: file:secrets/fcm.txt }",
    );
    ws.edit(
        local,
        "{ secret: env:STRIPE_TEST_WEBHOOK_SECRET }",
        "{ secret: { command: [op, read, \"op://dev/stripe/whsec\"] } }",
    );
    let out = ws
        .run(&["secret", "sources", "local"], &[])
        .expect(0)
        .stdout();
    assert!(
        line(&out, "OPENAI_API_KEY").contains("keyring")
            && line(&out, "OPENAI_API_KEY").ends_with("missing")
    );
    assert!(line(&out, "OPENAI_API_KEY").contains("huddle/local/OPENAI_API_KEY"));
    assert!(line(&out, "FCM_SERVER_KEY").ends_with("missing"));
    assert_eq!(
        words(line(&out, "STRIPE_WEBHOOK_SECRET")),
        ["STRIPE_WEBHOOK_SECRET", "command", "op", "not checked"]
    );
    // A command's arguments (they may name a vault's items) are not shown.
    assert!(!out.contains("op://"), "{out}");
    // Local targets are dotenv files: no token is needed.
    assert!(!out.contains("token "), "{out}");

    ws.run_with_input(
        &["secret", "set", "local", "OPENAI_API_KEY", "--stdin"],
        &[],
        Some(CANARY),
    )
    .expect(0);
    ws.write("secrets/fcm.txt", CANARY);
    let run = ws.run(
        &["secret", "sources", "local", "--check"],
        &[("STRIPE_TEST_SECRET_KEY", CANARY)],
    );
    run.expect(0);
    let out = run.stdout();
    assert!(line(&out, "OPENAI_API_KEY").ends_with("stored"));
    assert_eq!(
        words(line(&out, "FCM_SERVER_KEY")),
        ["FCM_SERVER_KEY", "file", "secrets/fcm.txt", "present"]
    );
    assert!(!run.all().contains(CANARY));

    let github = ws
        .run(&["secret", "sources", "local", "--format", "github"], &[])
        .expect(0)
        .stdout();
    assert!(github.contains("          # OPENAI_API_KEY: keyring huddle/local/OPENAI_API_KEY: not an environment variable"), "{github}");
    assert!(
        github.contains("          # STRIPE_WEBHOOK_SECRET: command op"),
        "{github}"
    );
    assert!(!github.contains("op://"), "{github}");
    assert!(
        github.contains("          STRIPE_TEST_SECRET_KEY: ${{ secrets.STRIPE_TEST_SECRET_KEY }}"),
        "{github}"
    );
}

#[test]
fn github_prints_a_step_env_block_and_json_the_same_rows() {
    // Variables in name order (FCM_SERVER_KEY, OPENAI_API_KEY, …), then tokens.
    let ws = Workspace::example();
    let github = ws
        .run(
            &["secret", "sources", "production", "--format", "github"],
            &[],
        )
        .expect(0)
        .stdout();
    let expected = "        env:\n          \
PROD_FCM_SERVER_KEY: ${{ secrets.PROD_FCM_SERVER_KEY }}\n          \
OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}\n          \
PROD_STRIPE_SECRET_KEY: ${{ secrets.PROD_STRIPE_SECRET_KEY }}\n          \
PROD_STRIPE_WEBHOOK_SECRET: ${{ secrets.PROD_STRIPE_WEBHOOK_SECRET }}\n          \
SUPABASE_ACCESS_TOKEN: ${{ secrets.SUPABASE_ACCESS_TOKEN }}\n          \
VERCEL_TOKEN: ${{ secrets.VERCEL_TOKEN }}\n";
    assert_eq!(github, expected);

    let run = ws.run(
        &["secret", "sources", "production", "--format", "json"],
        &[("OPENAI_API_KEY", CANARY)],
    );
    run.expect(0);
    assert!(!run.all().contains(CANARY));
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(json["environment"], "production");
    let rows = json["sources"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let openai = rows.iter().find(|r| r["name"] == "OPENAI_API_KEY").unwrap();
    assert_eq!(openai["kind"], "env");
    assert_eq!(openai["source"][0], "OPENAI_API_KEY");
    assert_eq!(openai["status"], "set");
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "token" && r["status"] == "missing")
    );
}

#[test]
fn secrets_from_env_shows_the_variables_plan_would_read() {
    let ws = Workspace::example();
    let out = ws
        .run(
            &["secret", "sources", "production"],
            &[("ENVCTL_SECRETS_FROM_ENV", "production")],
        )
        .expect(0)
        .stdout();
    assert_eq!(
        words(line(&out, "STRIPE_SECRET_KEY")),
        ["STRIPE_SECRET_KEY", "env", "STRIPE_SECRET_KEY", "missing"]
    );
}

#[test]
fn an_unknown_environment_is_an_error() {
    let ws = Workspace::example();
    ws.run(&["secret", "sources", "prdo"], &[])
        .expect(1)
        .expect_output("did you mean");
}
