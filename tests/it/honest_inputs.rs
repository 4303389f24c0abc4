//! Honest inputs end to end: envctl refuses what it cannot stand behind
//! (an empty secret, a source that is not a regular file, an output it
//! could not write, a file it should not overwrite, a value a dotenv file
//! cannot hold, a migration file the Supabase CLI ignores) instead of
//! exiting 0 with a target that is wrong.

use crate::common;

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

/// Runs envctl as `Workspace::run` does, but kills it and fails the test
/// after `secs` instead of hanging.
fn run_within(ws: &Workspace, args: &[&str], env: &[(&str, &str)], secs: u64) -> common::Run {
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envctl"));
    cmd.arg("--chdir")
        .arg(ws.dir.path())
        .args(args)
        .env_clear()
        .env("ENVCTL_TEST_KEYRING", ws.keyring_file())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let mut child = cmd.spawn().unwrap();
    // Drained while waiting, so a full pipe cannot stall envctl.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.unwrap().read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed().as_secs() >= secs {
            child.kill().unwrap();
            panic!("envctl {args:?} did not finish within {secs}s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    common::Run(std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    })
}

#[cfg(unix)]
#[test]
fn a_file_source_must_be_a_small_regular_file_and_a_fifo_cannot_block() {
    let ws = Workspace::example();
    ws.edit(
        LOCAL,
        "OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }",
        "OPENAI_API_KEY: { secret: file:secrets/openai }",
    );
    std::fs::create_dir_all(ws.path("secrets")).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(ws.path("secrets/openai"))
        .status()
        .unwrap();
    assert!(status.success());
    let mut env = common::local_secrets();
    env.retain(|(k, _)| *k != "OPENAI_API_KEY");
    let plan = run_within(&ws, &["plan", "local", "--require-secrets"], &env, 60);
    plan.expect(1)
        .expect_output("secrets/openai is a named pipe; a file: source must be a regular file");

    std::fs::remove_file(ws.path("secrets/openai")).unwrap();
    std::fs::write(ws.path("secrets/openai"), vec![b'k'; 1024 * 1024 + 1]).unwrap();
    run_within(&ws, &["plan", "local", "--require-secrets"], &env, 60)
        .expect(1)
        .expect_output("is larger than 1 MiB");
    // Exactly 1 MiB is allowed.
    std::fs::write(ws.path("secrets/openai"), vec![b'k'; 1024 * 1024]).unwrap();
    run_within(&ws, &["plan", "local", "--require-secrets"], &env, 60).expect(0);

    ws.edit(LOCAL, "file:secrets/openai", "file:/dev/zero");
    run_within(&ws, &["plan", "local", "--require-secrets"], &env, 60)
        .expect(1)
        .expect_output("/dev/zero is a device");
}

#[test]
fn invalid_envctl_settings_are_errors_naming_the_variable_and_what_is_accepted() {
    let ws = Workspace::example();
    let secrets = common::local_secrets();
    for (name, value, accepted) in [
        (
            "ENVCTL_HTTP_TIMEOUT",
            "-5",
            "a number of seconds greater than 0",
        ),
        (
            "ENVCTL_HTTP_DEADLINE",
            "0",
            "a number of seconds greater than 0",
        ),
        (
            "ENVCTL_COMMAND_TIMEOUT",
            "abc",
            "a number of seconds greater than 0",
        ),
        ("ENVCTL_LOG", "verbose", "`debug` or `trace`"),
    ] {
        let mut env = secrets.clone();
        env.push((name, value));
        ws.run(&["plan", "local"], &env)
            .expect(1)
            .expect_output(&format!(
                "error: {name}={value:?} is not valid: expected {accepted}"
            ));
    }
    let mut env = secrets.clone();
    env.extend([("ENVCTL_HTTP_TIMEOUT", "0.5"), ("ENVCTL_LOG", "debug")]);
    ws.run(&["plan", "local"], &env).expect(0);
}

/// Runs envctl with its standard output sent to `stdout`.
fn run_to(
    ws: &Workspace,
    args: &[&str],
    env: &[(&str, &str)],
    stdout: std::process::Stdio,
) -> common::Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_envctl"));
    cmd.arg("--chdir")
        .arg(ws.dir.path())
        .args(args)
        .env_clear()
        .env("ENVCTL_TEST_KEYRING", ws.keyring_file())
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped());
    common::Run(cmd.spawn().unwrap().wait_with_output().unwrap())
}

#[cfg(target_os = "linux")]
#[test]
fn a_plan_written_to_a_full_disk_is_an_error_and_a_closed_pipe_is_not() {
    let ws = Workspace::example();
    let env = common::local_secrets();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    for format in ["markdown", "human", "json"] {
        run_to(
            &ws,
            &["plan", "local", "--format", format],
            &env,
            full.try_clone().unwrap().into(),
        )
        .expect(1)
        .expect_output("error: writing to standard output failed");
    }
    // `validate` and `diff` print results too.
    run_to(
        &ws,
        &["diff", "local", "staging"],
        &env,
        full.try_clone().unwrap().into(),
    )
    .expect(1)
    .expect_output("writing to standard output failed");

    // A reader that went away (`envctl plan local | head -0`) stays a success.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    run_to(
        &ws,
        &["plan", "local", "--format", "markdown"],
        &env,
        writer.into(),
    )
    .expect(0);
}

#[test]
fn plan_out_never_overwrites_a_file_that_is_not_a_saved_plan_without_force() {
    let ws = Workspace::example();
    let env = common::local_secrets();
    let before = ws.files();
    for file in ["envctl.yaml", "environments/local.yaml", "environments"] {
        ws.run(&["plan", "local", "--out", file], &env)
            .expect(1)
            .expect_output(&format!(
                "{} exists and is not an envctl saved plan",
                ws.path(file).display()
            ))
            .expect_output("--force");
    }
    assert_eq!(ws.files(), before, "a refused --out wrote something");

    // A saved plan is replaced, even a stale or older one.
    ws.run(&["plan", "local", "--out", "local.plan"], &env)
        .expect(0);
    ws.run(&["plan", "local", "--out", "local.plan"], &env)
        .expect(0);
    let text = ws
        .read("local.plan")
        .replace("\"format_version\": 1", "\"format_version\": 0");
    ws.write("local.plan", &text);
    ws.run(&["plan", "local", "--out", "local.plan"], &env)
        .expect(0);
    ws.run(&["apply", "local.plan"], &env).expect(0);

    // --force replaces anything, and needs --out.
    ws.write("notes.txt", "mine\n");
    ws.run(&["plan", "local", "--out", "notes.txt", "--force"], &env)
        .expect(0);
    assert!(ws.read("notes.txt").contains("\"format_version\": 1"));
    ws.run(&["plan", "local", "--force"], &env).expect(1);
}

#[test]
fn a_value_a_dotenv_file_cannot_hold_is_refused_at_its_yaml_line_and_nothing_is_written() {
    let ws = Workspace::example();
    let env = common::local_secrets();
    // `#` needs quotes, and a final `\` would escape the closing one.
    ws.edit(
        LOCAL,
        "VITE_WS_URL: ws://localhost:54321/realtime/v1",
        "VITE_WS_URL: \"ws://localhost:54321/#\\\\\"",
    );
    let line = ws.line_of(LOCAL, "VITE_WS_URL:");
    let at = format!("environments/local.yaml:{line}:");
    let message = "VITE_WS_URL cannot go to target web (.env.local): this value cannot be written in dotenv syntax";
    ws.run(&["validate", "local"], &[])
        .expect(1)
        .expect_output(&at)
        .expect_output(message);
    ws.run(&["plan", "local"], &env)
        .expect(1)
        .expect_output(&at)
        .expect_output(message);
    // Before this, `functions` (first in order) was written and then `web` failed.
    ws.run(&["apply", "local", "--yes"], &env)
        .expect(1)
        .expect_output(&at);
    assert!(!ws.path(".env.local").exists() && !ws.path("supabase/functions/.env").exists());

    // A NUL, in a plain value and from a secret source.
    ws.edit(LOCAL, "\"ws://localhost:54321/#\\\\\"", "\"ws://a\\0b\"");
    // (The YAML front end refuses it first, at the value's line.)
    ws.run(&["validate", "local"], &[])
        .expect(1)
        .expect_output(&at)
        .expect_output("U+0000 (NUL)");
    ws.edit(LOCAL, "\"ws://a\\0b\"", "ws://localhost:54321/realtime/v1");
    ws.write("secrets/fcm", "fcm\0key\n");
    ws.edit(
        LOCAL,
        "FCM_SERVER_KEY: { secret: env:FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: file:secrets/fcm }",
    );
    let line = ws.line_of(LOCAL, "FCM_SERVER_KEY:");
    ws.run(&["validate", "local"], &[]).expect(0);
    ws.run(&["apply", "local", "--yes"], &env)
        .expect(1)
        .expect_output(&format!("environments/local.yaml:{line}:"))
        .expect_output("FCM_SERVER_KEY cannot go to target functions (supabase/functions/.env)");
    assert!(!ws.path(".env.local").exists() && !ws.path("supabase/functions/.env").exists());
}

#[test]
fn a_sql_file_the_supabase_cli_skips_is_named_and_never_the_head_and_duplicate_versions_are_errors()
{
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    // The fakes hold both migrations of the example as applied.
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);

    ws.write("supabase/migrations/20250301000000.sql", "select 1;\n");
    ws.write("supabase/migrations/notes_20250401.sql", "-- scratch\n");
    let warning = "supabase/migrations/20250301000000.sql: warning: not a migration: the Supabase CLI reads only `<digits>_<name>.sql`";
    ws.run(&["validate"], &[])
        .expect(0)
        .expect_output(warning)
        .expect_output("supabase/migrations/notes_20250401.sql: warning: not a migration");
    // Before, 20250301000000 became a head `supabase db push` could never reach.
    let plan = ws.run(&["plan", "staging", "--detailed-exitcode"], &env);
    plan.expect(0).expect_output(warning);
    assert!(
        !plan.stdout().contains("20250301000000"),
        "{}",
        plan.stdout()
    );

    ws.write(
        "supabase/migrations/20250215093000_again.sql",
        "select 2;\n",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output("20250215093000_again.sql and 20250215093000_bookings.sql have the same version 20250215093000");
    ws.run(&["plan", "staging"], &env).expect(1);
}

#[test]
fn diff_compares_resolved_secrets_by_digest_and_never_prints_one() {
    let ws = Workspace::example();
    let webhook = "whsec_CANARYshared0042";
    let env = [
        ("STAGING_STRIPE_WEBHOOK_SECRET", webhook),
        ("PROD_STRIPE_WEBHOOK_SECRET", webhook),
        ("STAGING_STRIPE_SECRET_KEY", "sk_test_CANARYstaging0001"),
        ("PROD_STRIPE_SECRET_KEY", "sk_live_CANARYprod0005"),
        ("OPENAI_API_KEY", "sk-CANARYopenai0004"),
        ("STAGING_FCM_SERVER_KEY", "CANARY-fcm-staging-0003"),
        ("PROD_FCM_SERVER_KEY", "   "),
    ];
    let run = ws.run(&["diff", "staging", "production"], &env);
    run.expect(2)
        .expect_output(
            "= STRIPE_WEBHOOK_SECRET: same value (env:STAGING_STRIPE_WEBHOOK_SECRET in staging, env:PROD_STRIPE_WEBHOOK_SECRET in production)",
        )
        .expect_output("~ STRIPE_SECRET_KEY: different value")
        .expect_output("? FCM_SERVER_KEY: cannot resolve (in production: env:PROD_FCM_SERVER_KEY: the value is only whitespace");
    let out = run.all();
    assert!(
        !out.contains("OPENAI_API_KEY"),
        "same reference, same value: no line\n{out}"
    );
    for (_, value) in env {
        let digest = envctl::secret::Fingerprint::of(value);
        assert!(!out.contains(value) || value.trim().is_empty(), "{out}");
        assert!(
            !out.contains(&digest.hex()[..8]),
            "a digest was printed:\n{out}"
        );
    }

    // Two environments that differ only in where the same secrets come
    // from are the same.
    let qa = ws
        .read("environments/staging.yaml")
        .replace("env:STAGING_STRIPE_WEBHOOK_SECRET", "env:QA_WEBHOOK");
    ws.write("environments/qa.yaml", &qa);
    let mut both = env.to_vec();
    both.push(("QA_WEBHOOK", webhook));
    ws.run(&["diff", "staging", "qa"], &both)
        .expect(0)
        .expect_output("= STRIPE_WEBHOOK_SECRET: same value")
        .expect_output("staging and qa declare the same keys");
    both.retain(|(k, _)| *k != "QA_WEBHOOK");
    both.push(("QA_WEBHOOK", "whsec_CANARYother0043"));
    ws.run(&["diff", "staging", "qa"], &both)
        .expect(2)
        .expect_output("~ STRIPE_WEBHOOK_SECRET: different value");
}
