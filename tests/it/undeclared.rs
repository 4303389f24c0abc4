//! Values envctl did not declare are secret until proven otherwise: a live
//! value is shown only when the desired state declares the key plain or
//! the platform stores it as plain text, whatever a secret detector makes
//! of it. Checked through every plan format, saved plans and `import`,
//! with prune off and on.

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, VERCEL_TEAM, pairs};
use envctl_fakes::vercel::EnvType;

/// Values a secret detector does not recognise, stored `encrypted` on
/// Vercel by hand: each must stay masked.
const UNDECLARED: [(&str, &str); 5] = [
    (
        "DATABASE_URL",
        "postgres://app:CANARYpassw0rd@db.internal:5432/app",
    ),
    (
        "SIGNING_KEY",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ),
    ("SERVICE_TOKEN", "3b241101-e2bb-4255-8caf-4136c566a962"),
    ("ADMIN_PASSWORD", "CANARY-correct-horse"),
    ("LEGACY_NOTE", "CANARY plain words"),
];

fn seeded() -> (Workspace, Platforms) {
    let ws = Workspace::example();
    let p = Platforms::start();
    for (key, value) in UNDECLARED {
        p.vercel.api().insert_record(
            VERCEL_PROJECT,
            key,
            value,
            EnvType::Encrypted,
            &["production"],
            None,
            "",
        );
    }
    // Stored as plain text by the platform: anyone on the project reads it.
    p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "BUILD_CHANNEL",
        "stable-visible",
        EnvType::Plain,
        &["production"],
        None,
        "",
    );
    (ws, p)
}

fn assert_masked(what: &str, text: &str) {
    for (key, value) in UNDECLARED {
        assert!(
            !text.contains(value),
            "{what} shows the value of undeclared {key}:\n{text}"
        );
    }
    assert!(!text.contains("CANARY"), "{what} leaked:\n{text}");
}

fn every_view(ws: &Workspace, env: &[(&str, &str)], label: &str) {
    for format in ["human", "json", "markdown", "github"] {
        let run = ws.run(&["plan", "prod", "--format", format, "-vv"], env);
        assert!(matches!(run.code(), 0 | 3), "{}", run.all());
        assert_masked(&format!("{label} plan --format {format}"), &run.all());
        if format == "json" {
            // The platform's own plain text is the one undeclared value shown.
            assert!(run.stdout().contains("stable-visible"), "{}", run.stdout());
        }
    }
    ws.run(
        &["plan", "prod", "--allow-delete", "--out", "prod.plan"],
        env,
    )
    .expect(0);
    assert_masked(&format!("{label} saved plan"), &ws.read("prod.plan"));
    std::fs::remove_file(ws.path("prod.plan")).unwrap();
}

#[test]
fn undeclared_vercel_values_are_masked_in_every_plan_view() {
    let (ws, p) = seeded();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    every_view(&ws, &env, "prune off");

    ws.edit(
        "environments/production.yaml",
        "    target: production\n",
        "    target: production\n    prune: true\n",
    );
    every_view(&ws, &env, "prune on");
    let run = ws.run(&["plan", "prod"], &env);
    assert!(run.stdout().contains("- DATABASE_URL"), "{}", run.stdout());
}

#[test]
fn a_key_declared_plain_shows_its_live_value() {
    let (ws, p) = seeded();
    let env = p.env();
    let env = pairs(&env);
    // Declared plain: its live value (read by id) may be shown as it was.
    ws.edit(
        "environments/production.yaml",
        "  VITE_API_URL: https://huddle.app/functions/v1\n",
        "  VITE_API_URL: https://huddle.app/functions/v1\n  LEGACY_NOTE: { value: \"new words\", targets: [web] }\n",
    );
    let run = ws.run(&["plan", "prod", "--format", "json"], &env);
    run.expect(0);
    assert!(
        run.stdout().contains("CANARY plain words"),
        "{}",
        run.stdout()
    );
    assert!(!run.stdout().contains("CANARYpassw0rd"), "{}", run.stdout());
}

#[test]
fn import_writes_what_is_not_plain_text_as_a_reference() {
    let (ws, p) = seeded();
    let env = p.env();
    let env = pairs(&env);
    std::fs::remove_file(ws.path("environments/production.yaml")).unwrap();
    ws.edit("envctl.yaml", "aliases:\n  prod: production\n", "");
    let vercel = format!("vercel:{VERCEL_PROJECT}:production");
    let run = ws.run(
        &[
            "import",
            "production",
            "--from",
            &vercel,
            "--team",
            VERCEL_TEAM,
        ],
        &env,
    );
    run.expect(0);
    assert_masked("import output", &run.all());
    let imported = ws.read("environments/production.yaml");
    assert_masked("imported file", &imported);
    for (key, _) in UNDECLARED {
        assert!(
            imported.contains(&format!("{key}: {{ secret: env:{key} }}")),
            "{key} not written as a reference:\n{imported}"
        );
    }
    assert!(
        imported.contains("BUILD_CHANNEL: \"stable-visible\""),
        "{imported}"
    );
}

#[test]
fn undeclared_dotenv_values_are_masked() {
    let ws = Workspace::example();
    ws.write(
        ".env.local",
        "DATABASE_URL=postgres://app:CANARYpassw0rd@localhost/app\n",
    );
    let secrets = common::local_secrets();
    for format in ["human", "json", "markdown"] {
        let run = ws.run(&["plan", "local", "--format", format], &secrets);
        assert_masked(&format!("plan local --format {format}"), &run.all());
    }
}
