//! No unkeyed digest of a secret leaves envctl: fingerprints in output are
//! HMACs under the team's key, or absent; saved plans carry their key's id;
//! guessable secrets are refused where a digest of them is published.

use crate::common;

use common::platforms::{Platforms, canaries, pairs};
use common::{Workspace, local_secrets};
use envctl::secret::Fingerprint;

const KEY: &str = "team-fingerprint-key-0123456789";

/// Every 8-hex prefix of an unkeyed SHA-256 of a secret the run knows.
fn unkeyed_prefixes(secrets: &[(&str, &str)]) -> Vec<String> {
    secrets
        .iter()
        .map(|(_, v)| Fingerprint::of(v).hex()[..8].to_string())
        .collect()
}

fn assert_no_unkeyed(text: &str, secrets: &[(&str, &str)]) {
    for prefix in unkeyed_prefixes(secrets) {
        assert!(
            !text.contains(&prefix),
            "an unkeyed digest prefix {prefix} is in the output:\n{text}"
        );
    }
}

#[test]
fn without_a_key_no_fingerprint_is_shown() {
    let ws = Workspace::example();
    let secrets = local_secrets();
    for format in ["human", "json", "markdown"] {
        let run = ws.run(&["plan", "local", "--format", format, "-vv"], &secrets);
        run.expect(0);
        assert_no_unkeyed(&run.all(), &secrets);
    }
    let run = ws.run(&["plan", "local"], &secrets);
    assert!(run.stdout().contains("(sensitive)"), "{}", run.stdout());
    ws.run(&["apply", "local", "--yes"], &secrets).expect(0);
    assert_no_unkeyed(&ws.read(".envctl/audit.jsonl"), &secrets);
}

#[test]
fn with_a_key_fingerprints_are_keyed_and_stable() {
    let ws = Workspace::example();
    let mut with_key = local_secrets();
    with_key.push(("ENVCTL_FINGERPRINT_KEY", KEY));
    let first = ws.run(&["plan", "local"], &with_key);
    first.expect(0);
    assert!(
        !first.stdout().contains("(sensitive)"),
        "{}",
        first.stdout()
    );
    assert!(first.stdout().contains("(sensitive "), "{}", first.stdout());
    assert_no_unkeyed(&first.all(), &with_key);
    // The same key shows the same fingerprints; another key, others.
    assert_eq!(
        ws.run(&["plan", "local"], &with_key).stdout(),
        first.stdout()
    );
    let mut other = local_secrets();
    other.push(("ENVCTL_FINGERPRINT_KEY", "another-team-key-9876543210"));
    let second = ws.run(&["plan", "local"], &other);
    assert_ne!(second.stdout(), first.stdout());
    ws.run(&["apply", "local", "--yes"], &with_key).expect(0);
    let audit = ws.read(".envctl/audit.jsonl");
    assert!(audit.contains("\"after\":\"hmac:"), "{audit}");
    assert_no_unkeyed(&audit, &with_key);
}

#[test]
fn a_short_key_is_refused_by_name() {
    let ws = Workspace::example();
    let mut env = local_secrets();
    env.push(("ENVCTL_FINGERPRINT_KEY", "short"));
    ws.run(&["plan", "local"], &env)
        .expect(1)
        .expect_output("ENVCTL_FINGERPRINT_KEY must be at least 16 characters");
}

#[test]
fn saved_plans_write_a_key_and_refuse_another() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    let run = ws.run(&["plan", "staging", "--out", "staging.plan"], &env);
    run.expect(0).expect_output("Wrote a fingerprint key to");
    let key = ws.path(".envctl/fingerprint-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(ws.read(".envctl/.gitignore").contains("*"));
    let text = ws.read("staging.plan");
    assert_no_unkeyed(&text, &canaries());
    assert!(text.contains("\"fingerprint_key\""), "{text}");

    let mut other = env.clone();
    other.push(("ENVCTL_FINGERPRINT_KEY", KEY));
    ws.run(&["apply", "staging.plan"], &other)
        .expect(1)
        .expect_output("another fingerprint key");
    ws.run(&["apply", "staging.plan"], &env).expect(0);
}

#[test]
fn guessable_secrets_are_refused_where_protected_and_warned_elsewhere() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let mut env = p.env();
    for (k, v) in env.iter_mut() {
        if k == "PROD_STRIPE_WEBHOOK_SECRET" || k == "STAGING_STRIPE_WEBHOOK_SECRET" {
            *v = "whsec_Password123".into();
        }
    }
    let env = pairs(&env);
    ws.run(&["plan", "prod"], &env)
        .expect(3)
        .expect_output("weak-secret")
        .expect_output("STRIPE_WEBHOOK_SECRET is too guessable");
    ws.run(&["apply", "prod", "--yes"], &env).expect(3);
    let staging = ws.run(&["plan", "staging"], &env);
    staging.expect(0).expect_output("warning[weak-secret]");
    assert!(!staging.all().contains("Password123"));
}
