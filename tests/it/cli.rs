//! End-to-end runs of the built binary on a copy of the shipped example:
//! exit codes, messages, and what is (not) written.

use crate::common;

use common::{Workspace, local_secrets};

#[test]
fn shipped_example_validates() {
    let ws = Workspace::example();
    let run = ws.run(&["validate"], &[]);
    run.expect(0);
    assert!(
        run.stderr().contains("valid: local, production, staging"),
        "{}",
        run.stderr()
    );
}

#[test]
fn bypass_flag_in_production_is_refused_naming_rule_file_and_line() {
    let ws = Workspace::example();
    ws.write(
        "environments/production.yaml",
        &format!(
            "{}  ALLOW_STRIPE_FALLBACK: \"true\"\n",
            ws.read("environments/production.yaml")
        ),
    );
    let line = ws.read("environments/production.yaml").lines().count();
    for args in [&["validate"][..], &["plan", "prod"][..]] {
        let run = ws.run(args, &[]);
        run.expect(3);
        let out = run.all();
        assert!(out.contains("forbidden-flag"), "{args:?}: {out}");
        assert!(
            out.contains(&format!("environments/production.yaml:{line}:")),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn plan_local_works_offline_without_credentials() {
    let ws = Workspace::example();
    let run = ws.run(&["plan", "local"], &[]);
    run.expect(0);
    assert!(run.stdout().contains("+ VITE_API_URL"), "{}", run.stdout());
    assert!(
        run.stdout()
            .contains("Plan: 7 to add, 0 to change, 0 to delete. 4 cannot be verified."),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr()
            .contains("STRIPE_SECRET_KEY: env:STRIPE_TEST_SECRET_KEY"),
        "{}",
        run.stderr()
    );
    assert!(!ws.path(".env.local").exists(), "plan writes nothing");
}

#[test]
fn plan_without_a_platform_token_says_which_and_exits_1() {
    let ws = Workspace::example();
    let run = ws.run(&["plan", "staging"], &[]);
    run.expect(1);
    assert!(
        run.stderr()
            .contains("no Supabase access token: set SUPABASE_ACCESS_TOKEN"),
        "{}",
        run.stderr()
    );
}

#[test]
fn apply_then_plan_is_a_no_op_and_keeps_comments_and_undeclared_keys() {
    let ws = Workspace::example();
    ws.write(
        ".env.local",
        "# my notes\nMY_OWN=keep me\nVITE_API_URL=http://old\n",
    );
    let secrets = local_secrets();
    ws.run(&["apply", "local", "--yes"], &secrets).expect(0);
    let text = ws.read(".env.local");
    assert!(
        text.starts_with("# my notes\nMY_OWN=keep me\nVITE_API_URL="),
        "{text}"
    );
    assert!(
        text.contains("VITE_API_URL=http://localhost:54321/functions/v1")
            || text.contains("VITE_API_URL=\"http://localhost"),
        "{text}"
    );
    let functions_env = ws.read("supabase/functions/.env");
    assert!(
        functions_env.contains("ALLOW_STRIPE_FALLBACK"),
        "{functions_env}"
    );

    let again = ws.run(&["plan", "local", "--detailed-exitcode"], &secrets);
    again.expect(0);
    assert!(
        again
            .stdout()
            .contains("Plan: 0 to add, 0 to change, 0 to delete."),
        "{}",
        again.stdout()
    );

    // A hand edit is drift: detailed exit code 2, and apply fixes it.
    ws.edit(
        "supabase/functions/.env",
        "ALLOW_STRIPE_FALLBACK=true",
        "ALLOW_STRIPE_FALLBACK=false",
    );
    ws.run(&["plan", "local", "--detailed-exitcode"], &secrets)
        .expect(2);
    ws.run(&["apply", "local", "-y"], &secrets).expect(0);
    ws.run(&["plan", "local", "--detailed-exitcode"], &secrets)
        .expect(0);
}

#[test]
fn apply_without_terminal_or_yes_refuses_and_writes_nothing() {
    let ws = Workspace::example();
    let run = ws.run(&["apply", "local"], &local_secrets());
    run.expect(1);
    assert!(
        run.stderr().contains("needs confirmation"),
        "{}",
        run.stderr()
    );
    assert!(!ws.path(".env.local").exists());
}

#[test]
fn apply_with_unresolved_secrets_writes_nothing() {
    let ws = Workspace::example();
    let run = ws.run(&["apply", "local", "--yes"], &[]);
    run.expect(1);
    assert!(run.stderr().contains("unresolved"), "{}", run.stderr());
    assert!(!ws.path(".env.local").exists() && !ws.path("supabase/functions/.env").exists());
}

/// One bad input: `from` replaced by `to` in `file`, then `command` run;
/// it must exit `code` with every `expect` in its output.
struct BadInput {
    name: &'static str,
    file: &'static str,
    from: &'static str,
    to: &'static str,
    command: &'static [&'static str],
    code: i32,
    expect: &'static [&'static str],
}

const BAD_INPUTS: &[BadInput] = &[
    BadInput {
        name: "yaml syntax error",
        file: "environments/local.yaml",
        from: "targets:",
        to: "targets: [unclosed",
        command: &["apply", "local", "--yes"],
        code: 1,
        expect: &["environments/local.yaml:", "YAML syntax error"],
    },
    BadInput {
        name: "unknown key",
        file: "environments/production.yaml",
        from: "protected: true",
        to: "protectd: true",
        command: &["validate"],
        code: 1,
        expect: &[
            "environments/production.yaml:4:1: error: unknown key `protectd`",
            "did you mean `protected`?",
        ],
    },
    BadInput {
        name: "duplicate key",
        file: "environments/local.yaml",
        from: "  VITE_WS_URL:",
        to: "  VITE_API_URL: x\n  VITE_WS_URL:",
        command: &["apply", "local", "--yes"],
        code: 1,
        expect: &[
            "environments/local.yaml:",
            "duplicate key `VITE_API_URL` (first defined on line",
        ],
    },
    BadInput {
        name: "wrong type",
        file: "environments/production.yaml",
        from: "protected: true",
        to: "protected: yes",
        command: &["validate"],
        code: 1,
        expect: &[
            "environments/production.yaml:4:12: error: expected `true` or `false`, found `yes`",
        ],
    },
    BadInput {
        name: "routing to an unknown target",
        file: "environments/local.yaml",
        from: "  ALLOW_WEBHOOK_TEST_BYPASS: \"true\"",
        to: "  ALLOW_WEBHOOK_TEST_BYPASS: { value: \"true\", targets: [functons] }",
        command: &["apply", "local", "--yes"],
        code: 1,
        expect: &[
            "environments/local.yaml:",
            "routed to `functons`",
            "did you mean `functions`?",
        ],
    },
    BadInput {
        name: "literal secret in a protected environment",
        file: "environments/production.yaml",
        from: "  STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY }",
        to: "  STRIPE_SECRET_KEY: sk_live_51HxCANARYliteral",
        command: &["validate"],
        code: 3,
        expect: &[
            "environments/production.yaml:",
            "literal-secret",
            "a Stripe live secret key",
        ],
    },
    BadInput {
        name: "unknown secret source",
        file: "environments/local.yaml",
        from: "{ secret: env:OPENAI_API_KEY }",
        to: "{ secret: \"vault:sk-CANARYpasted-by-mistake\" }",
        command: &["apply", "local", "--yes"],
        code: 1,
        expect: &["environments/local.yaml:", "unknown secret source `vault:`"],
    },
    BadInput {
        name: "alias to a missing environment",
        file: "envctl.yaml",
        from: "prod: production",
        to: "prod: prodution",
        command: &["validate"],
        code: 1,
        expect: &[
            "envctl.yaml:",
            "alias `prod` points to `prodution`",
            "did you mean `production`?",
        ],
    },
];

/// Each bad input: a clear message naming file, line and column, exit 1
/// (or 3 for a rule), and nothing written.
#[test]
fn bad_inputs_are_refused_clearly_and_write_nothing() {
    for case in BAD_INPUTS {
        let ws = Workspace::example();
        ws.edit(case.file, case.from, case.to);
        let before = ws.files();
        let run = ws.run(case.command, &local_secrets());
        assert_eq!(run.code(), case.code, "{}: {}", case.name, run.all());
        for needle in case.expect {
            assert!(
                run.all().contains(needle),
                "{}: expected `{needle}` in\n{}",
                case.name,
                run.all()
            );
        }
        assert!(
            !run.all().contains("CANARY"),
            "{}: {}",
            case.name,
            run.all()
        );
        assert_eq!(ws.files(), before, "{}: nothing may be written", case.name);
    }
}

#[test]
fn unknown_environment_suggests_the_nearest() {
    let ws = Workspace::example();
    let run = ws.run(&["plan", "prodution"], &[]);
    run.expect(1);
    assert!(
        run.stderr()
            .contains("no environment named `prodution`; did you mean `production`?"),
        "{}",
        run.stderr()
    );
}

#[test]
fn scalars_keep_their_source_text_end_to_end() {
    let ws = Workspace::example();
    ws.edit(
        "environments/local.yaml",
        "variables:\n",
        "variables:\n  VITE_PORT: 08080\n  VITE_FLAG: no\n  VITE_VERSION: 1.10\n",
    );
    ws.run(&["apply", "local", "--yes"], &local_secrets())
        .expect(0);
    let text = ws.read(".env.local");
    for expected in ["VITE_PORT=08080", "VITE_FLAG=no", "VITE_VERSION=1.10"] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
}

#[test]
fn missing_project_file_explains_chdir() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::at(dir);
    let run = ws.run(&["validate"], &[]);
    run.expect(1);
    assert!(
        run.stderr().contains("no envctl.yaml in") && run.stderr().contains("--chdir"),
        "{}",
        run.stderr()
    );
}

#[test]
fn schema_prints_both_schemas() {
    let ws = Workspace::example();
    let run = ws.run(&["schema"], &[]);
    run.expect(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert!(json["envctl.schema.json"]["properties"]["version"].is_object());
    assert!(json["envctl.schema.json"]["properties"]["audit"].is_object());
    assert!(json["environment.schema.json"]["properties"]["targets"].is_object());
}

#[test]
fn secret_commands_refuse_bad_input_before_touching_the_keychain() {
    let ws = Workspace::example();
    for (args, message) in [
        (&["rotate", "local", "X"][..], "X is not declared in local"),
        (&["login", "vercel"][..], "pass --stdin"),
        (&["import", "local"][..], "already exists; pass --force"),
        (
            &["import", "new", "--from", "heroku:app"][..],
            "--from heroku:app: write",
        ),
        (
            &["rotate", "local", "STRIPE_SECRET_KEY", "--generate", "8"][..],
            "from 16 to 4096",
        ),
    ] {
        let run = ws.run(args, &[]);
        run.expect(1);
        assert!(run.stderr().contains(message), "{args:?}: {}", run.stderr());
    }
    assert!(!ws.keyring_file().exists());
    assert!(!ws.path("environments/new.yaml").exists());
}

#[test]
fn json_and_markdown_plans_are_masked_and_versioned() {
    let ws = Workspace::example();
    let secrets = local_secrets();
    let run = ws.run(&["plan", "local", "--format", "json"], &secrets);
    run.expect(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["summary"]["add"], 11);
    let md = ws.run(&["plan", "local", "--format", "markdown"], &secrets);
    md.expect(0);
    assert!(
        md.stdout().contains("### envctl plan: `local`"),
        "{}",
        md.stdout()
    );
    assert!(md.stdout().contains("(sensitive)"), "{}", md.stdout());
}

#[test]
fn drift_and_diff_exit_codes() {
    let ws = Workspace::example();
    let secrets = local_secrets();
    ws.run(&["drift", "local"], &secrets).expect(2);
    ws.run(&["apply", "local", "--yes"], &secrets).expect(0);
    ws.run(&["drift", "local"], &secrets).expect(0);
    // Staging and production cannot be read without tokens: an error, never "in sync".
    let all = ws.run(&["drift"], &secrets);
    all.expect(1);
    assert!(
        all.stdout().contains("staging") && all.stdout().contains("no Supabase access token"),
        "{}",
        all.stdout()
    );

    let diff = ws.run(&["diff", "staging", "prod"], &[]);
    diff.expect(2);
    assert!(
        diff.stdout().contains("~ VITE_API_URL"),
        "{}",
        diff.stdout()
    );
    assert!(
        // No secret is set here: neither side can be resolved.
        diff.stdout().contains(
            "? STRIPE_SECRET_KEY: cannot resolve (in staging: env:STAGING_STRIPE_SECRET_KEY"
        ),
        "{}",
        diff.stdout()
    );
    ws.run(&["diff", "prod", "production"], &[]).expect(0);
}

#[test]
fn protected_deletes_need_allow_delete() {
    let ws = Workspace::example();
    // A protected local-file environment whose target prunes.
    ws.write(
        "environments/edge.yaml",
        "protected: true\ntargets:\n  web:\n    type: dotenv\n    path: edge.env\n    receives: [\"VITE_*\"]\n    prune: true\nvariables:\n  VITE_API_URL: https://edge.example.com\n  VITE_WS_URL: wss://edge.example.com\n  VITE_SUPABASE_URL: https://x.supabase.co\n  VITE_MAPBOX_TOKEN: pk.eyJ1IjoieCJ9.public\n  VITE_SUPABASE_ANON_KEY: anon\n  STRIPE_SECRET_KEY: { secret: env:K, environment_specific: true }\n  OPENAI_API_KEY: { secret: env:K }\n  FCM_SERVER_KEY: { secret: env:K }\n  STRIPE_WEBHOOK_SECRET: { secret: env:K }\n",
    );
    ws.edit(
        "envctl.yaml",
        "rules:\n",
        "rules:\n  disable: { parity: all }\n",
    );
    ws.write("edge.env", "OLD_KEY=1\n");
    let run = ws.run(
        &["apply", "edge", "--yes"],
        &[("K", "sk_live_51HxEdgeCANARY")],
    );
    run.expect(3);
    assert!(run.all().contains("protected-delete"), "{}", run.all());
    assert_eq!(ws.read("edge.env"), "OLD_KEY=1\n");
    ws.run(
        &["apply", "edge", "--yes", "--allow-delete"],
        &[("K", "sk_live_51HxEdgeCANARY")],
    )
    .expect(0);
    assert!(!ws.read("edge.env").contains("OLD_KEY"));
}

const EDGE: &str = "protected: true
targets:
  web: { type: dotenv, path: edge.env, receives: [\"*\"] }
variables:
  VITE_API_URL: https://edge.example.com
  VITE_WS_URL: wss://edge.example.com
  VITE_SUPABASE_URL: https://x.supabase.co
  VITE_MAPBOX_TOKEN: pk.eyJ1IjoieCJ9.public
  VITE_SUPABASE_ANON_KEY: anon
  STRIPE_SECRET_KEY: { secret: env:K }
  STRIPE_WEBHOOK_SECRET: { secret: env:K }
  FCM_SERVER_KEY: { secret: env:K }
";

#[test]
fn a_required_variable_may_exist_live_undeclared() {
    let ws = Workspace::example();
    ws.write("environments/edge.yaml", EDGE);
    ws.edit(
        "envctl.yaml",
        "rules:\n",
        "rules:\n  disable: { parity: all }\n",
    );
    let key = [("K", "sk_live_51HxEdgeCANARY")];
    ws.write("edge.env", "OPENAI_API_KEY=sk-live-from-the-dashboard\n");
    let run = ws.run(&["plan", "edge"], &key);
    run.expect(0);
    ws.write("edge.env", "");
    let run = ws.run(&["plan", "edge"], &key);
    run.expect(3);
    assert!(
        run.all()
            .contains("required variable OPENAI_API_KEY is not set in edge"),
        "{}",
        run.all()
    );
}

#[test]
fn markdown_refusal_is_markdown() {
    let ws = Workspace::example();
    ws.edit(
        "environments/production.yaml",
        "variables:\n",
        "variables:\n  ALLOW_STRIPE_FALLBACK: \"true\"\n",
    );
    let run = ws.run(&["plan", "prod", "--format", "markdown"], &[]);
    run.expect(3);
    assert!(
        run.stdout()
            .starts_with("### envctl plan: `production` — ❌ refused"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout()
            .contains("- ❌ **forbidden-flag** `environments/production.yaml:"),
        "{}",
        run.stdout()
    );
}

#[test]
fn one_bad_default_is_reported_once_and_duplicate_environment_files_are_refused() {
    let ws = Workspace::example();
    ws.edit("envctl.yaml", "head: latest", "head: \"20250101000001\"");
    let run = ws.run(&["validate"], &[]);
    run.expect(1);
    assert_eq!(
        run.stderr()
            .matches("migration head `20250101000001`")
            .count(),
        1,
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("did you mean `20250101000000`?"),
        "{}",
        run.stderr()
    );

    let ws = Workspace::example();
    ws.write(
        "environments/local.yml",
        &ws.read("environments/local.yaml"),
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(1);
    assert!(
        run.stderr()
            .contains("environment `local` is defined twice"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_pinned_head_takes_versions_in_numeric_order() {
    let ws = Workspace::example();
    ws.write("supabase/migrations/9_early.sql", "select 1;\n");
    ws.write("supabase/migrations/10_later.sql", "select 2;\n");
    ws.edit("envctl.yaml", "head: latest", "head: \"10\"");
    let loaded = envctl::config::load(ws.dir.path()).unwrap();
    let env = loaded.workspace.environment("staging").unwrap();
    let migrations = env.migrations.as_ref().unwrap();
    assert_eq!(migrations.versions, ["9", "10"]);
}
