//! Where apply's audit entries go: the log file by default, JSON lines on
//! standard output when `CI=true` (a runner's files die with the job) plus
//! a collapsible section in the GitHub Actions step summary, and what
//! `--audit stdout|file|off` and `audit.enabled: false` change. No canary
//! secret appears in any of them.

use crate::common::{self, Run, Workspace};

const KEY: (&str, &str) = (
    "ENVCTL_FINGERPRINT_KEY",
    "audit-ci-test-key-0123456789abcdef",
);
const LOG: &str = ".envctl/audit.jsonl";

/// The example's local secrets (canaries), the fingerprint key, and `extra`.
fn env<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env = common::local_secrets();
    env.push(KEY);
    env.extend_from_slice(extra);
    env
}

/// The lines of stdout that are JSON objects, parsed.
fn json_lines(run: &Run) -> Vec<serde_json::Value> {
    run.stdout()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// No canary in the run's output or in `texts`.
#[track_caller]
fn no_canary(run: &Run, texts: &[&str]) {
    for (name, value) in common::local_secrets() {
        let first_line = value.lines().next().unwrap();
        assert!(
            !run.all().contains(first_line),
            "{name} leaked:\n{}",
            run.all()
        );
        for text in texts {
            assert!(!text.contains(first_line), "{name} leaked:\n{text}");
        }
    }
}

#[test]
fn on_ci_the_entries_go_to_stdout_and_the_step_summary_not_to_a_file() {
    let ws = Workspace::example();
    let summary = ws.home.path().join("step-summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let summary_var = summary.to_str().unwrap();
    let run = ws.run(
        &["apply", "local", "--yes"],
        &env(&[("CI", "true"), ("GITHUB_STEP_SUMMARY", summary_var)]),
    );
    run.expect(0);
    let entries = json_lines(&run);
    assert_eq!(entries.len(), 11, "{}", run.stdout());
    for e in &entries {
        assert_eq!(e["environment"], "local");
        assert_eq!(e["command"], "apply");
        assert_eq!(e["action"], "create");
    }
    // A secret is identified by its keyed fingerprint only.
    let stripe = entries
        .iter()
        .find(|e| e["key"] == "STRIPE_SECRET_KEY")
        .expect("an entry for STRIPE_SECRET_KEY");
    assert!(
        stripe["after"].as_str().unwrap().starts_with("hmac:"),
        "{stripe}"
    );
    // After the human plan, and nothing else on stdout starts with `{`.
    let stdout = run.stdout();
    assert!(
        stdout.starts_with("envctl plan: huddle / local"),
        "{stdout}"
    );
    assert!(!ws.path(".envctl").exists(), "no log file on CI");

    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n<details><summary>envctl audit: 11 changes"),
        "{text}"
    );
    assert!(text.contains("```json\n{\"time\":"), "{text}");
    assert!(text.trim_end().ends_with("</details>"), "{text}");
    assert_eq!(
        text.matches("\"environment\":\"local\"").count(),
        11,
        "{text}"
    );
    no_canary(&run, &[&text]);
}

#[test]
fn audit_off_records_nothing_anywhere() {
    let ws = Workspace::example();
    let summary = ws.home.path().join("step-summary.md");
    let summary_var = summary.to_str().unwrap();
    let run = ws.run(
        &["apply", "local", "--yes", "--audit", "off"],
        &env(&[("CI", "true"), ("GITHUB_STEP_SUMMARY", summary_var)]),
    );
    run.expect(0);
    assert!(json_lines(&run).is_empty(), "{}", run.stdout());
    assert!(!ws.path(".envctl").exists());
    assert!(!summary.exists());
    // The apply itself happened.
    assert!(ws.read(".env.local").contains("VITE_API_URL="));
}

#[test]
fn audit_file_on_ci_writes_the_log_and_prints_no_entries() {
    let ws = Workspace::example();
    let summary = ws.home.path().join("step-summary.md");
    let summary_var = summary.to_str().unwrap();
    let run = ws.run(
        &["apply", "local", "--yes", "--audit", "file"],
        &env(&[("CI", "true"), ("GITHUB_STEP_SUMMARY", summary_var)]),
    );
    run.expect(0);
    assert!(json_lines(&run).is_empty(), "{}", run.stdout());
    assert!(!summary.exists());
    let log = ws.read(LOG);
    assert_eq!(log.lines().count(), 11, "{log}");
    no_canary(&run, &[&log]);
}

#[test]
fn without_ci_the_default_is_the_file_and_stdout_can_be_asked_for() {
    let ws = Workspace::example();
    let run = ws.run(&["apply", "local", "--yes"], &env(&[("CI", "false")]));
    run.expect(0);
    assert!(json_lines(&run).is_empty(), "{}", run.stdout());
    assert_eq!(ws.read(LOG).lines().count(), 11);
    assert!(ws.read(".envctl/.gitignore").lines().any(|l| l == "*"));

    // Rotation writes entries too; `--audit stdout` sends them to stdout.
    let new_value = "sk_test_CANARYrotated0005";
    let run = ws.run_with_input(
        &[
            "rotate",
            "local",
            "STRIPE_SECRET_KEY",
            "--stdin",
            "--yes",
            "--audit",
            "stdout",
        ],
        &env(&[]),
        Some(new_value),
    );
    run.expect(0);
    let entries = json_lines(&run);
    assert_eq!(entries.len(), 1, "{}", run.all());
    assert_eq!(entries[0]["command"], "rotate");
    assert_eq!(entries[0]["key"], "STRIPE_SECRET_KEY");
    assert_eq!(entries[0]["action"], "update");
    assert!(!run.all().contains(new_value), "{}", run.all());
    assert_eq!(ws.read(LOG).lines().count(), 11, "stdout only");
    no_canary(&run, &[]);
}

#[test]
fn a_switched_off_log_stays_off_on_ci_unless_stdout_is_asked_for() {
    let ws = Workspace::example();
    ws.edit(
        "envctl.yaml",
        "rules:\n",
        "audit:\n  enabled: false\nrules:\n",
    );
    let run = ws.run(&["apply", "local", "--yes"], &env(&[("CI", "true")]));
    run.expect(0);
    assert!(json_lines(&run).is_empty(), "{}", run.stdout());
    assert!(!ws.path(".envctl").exists());

    std::fs::remove_file(ws.path(".env.local")).unwrap();
    let run = ws.run(
        &["apply", "local", "--yes", "--audit", "file"],
        &env(&[("CI", "true")]),
    );
    run.expect(0).expect_output("no audit log is kept");
    assert!(!ws.path(".envctl").exists());

    std::fs::remove_file(ws.path(".env.local")).unwrap();
    let run = ws.run(
        &["apply", "local", "--yes", "--audit", "stdout"],
        &env(&[("CI", "true")]),
    );
    run.expect(0);
    assert_eq!(json_lines(&run).len(), 5, "{}", run.stdout());
}
