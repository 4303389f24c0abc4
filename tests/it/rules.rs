//! The rules engine over plans built from small desired states and live
//! snapshots — pure calls, no files but the YAML, no fakes.

use crate::common;

use std::collections::BTreeMap;

use envctl::provider::{LiveValue, Snapshot};
use envctl::rules::{self, RuleId, Severity, Verdict};
use envctl::secret::Fingerprint;
use envctl::{config, engine, plan};

const PROJECT: &str = "version: 1\nproject: t\n";

/// Loads a workspace with the given envctl.yaml tail and environments,
/// plans `env` against `live` (one snapshot per target, in name order).
fn verdict(
    project_tail: &str,
    envs: &[(&str, &str)],
    env: &str,
    live: Vec<Snapshot>,
    secrets: &[(&str, &str)],
) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("envctl.yaml"),
        format!("{PROJECT}{project_tail}"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    for (name, text) in envs {
        std::fs::write(dir.path().join(format!("environments/{name}.yaml")), text).unwrap();
    }
    let ws = config::load(dir.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .workspace;
    let environment = ws.environment(env).unwrap();
    let source: BTreeMap<String, String> = secrets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let resolved = engine::resolve_secrets(&ws, environment, &source);
    let desired = plan::desired_targets(environment, &resolved.resolution);
    let live = if live.is_empty() {
        vec![Snapshot::default(); desired.len()]
    } else {
        live
    };
    let plan = plan::diff(&ws.project, environment, &desired, &live);
    rules::evaluate(&plan, &engine::rules_context(&ws, environment, false))
}

fn env(protected: bool, vars: &str) -> String {
    format!(
        "protected: {protected}\ntargets:\n  app:\n    type: dotenv\n    path: app.env\nvariables:\n{vars}"
    )
}

fn ids(v: &Verdict) -> Vec<(RuleId, Severity)> {
    v.findings.iter().map(|f| (f.rule, f.severity)).collect()
}

fn live(pairs: &[(&str, &str)]) -> Vec<Snapshot> {
    vec![common::readable(pairs)]
}

#[test]
fn bypass_flags_refused_in_protected_warned_elsewhere_ignored_locally() {
    let vars = "  ALLOW_STRIPE_FALLBACK: \"true\"\n";
    let v = verdict("", &[("prod", &env(true, vars))], "prod", vec![], &[]);
    assert_eq!(ids(&v), [(RuleId::ForbiddenFlag, Severity::Error)]);
    assert_eq!(v.findings[0].location.as_ref().unwrap().line, 7);
    let v = verdict(
        "",
        &[("staging", &env(false, vars))],
        "staging",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), [(RuleId::ForbiddenFlag, Severity::Warning)]);
    let v = verdict("", &[("local", &env(false, vars))], "local", vec![], &[]);
    assert_eq!(ids(&v), []);
    for off in ["\"false\"", "\"0\"", "\"\"", "off"] {
        let v = verdict(
            "",
            &[(
                "prod",
                &env(true, &format!("  ALLOW_STRIPE_FALLBACK: {off}\n")),
            )],
            "prod",
            vec![],
            &[],
        );
        assert_eq!(ids(&v), [], "{off}");
    }
}

#[test]
fn rules_judge_the_state_after_the_plan() {
    // Live has the flag on; the plan sets it off: the plan fixes it and passes.
    let fixed = verdict(
        "",
        &[("prod", &env(true, "  ALLOW_X_FALLBACK: \"false\"\n"))],
        "prod",
        live(&[("ALLOW_X_FALLBACK", "true")]),
        &[],
    );
    assert_eq!(ids(&fixed), []);
    // Live has it on and the plan leaves it (undeclared, no prune): refused.
    let left = verdict(
        "",
        &[("prod", &env(true, "  OTHER: x\n"))],
        "prod",
        live(&[("ALLOW_X_FALLBACK", "true")]),
        &[],
    );
    assert_eq!(ids(&left), [(RuleId::ForbiddenFlag, Severity::Error)]);
    assert_eq!(left.findings[0].target.as_deref(), Some("app"));
}

#[test]
fn localhost_urls_outside_local() {
    for url in [
        "http://localhost:3000",
        "https://127.0.0.1/x",
        "ws://0.0.0.0:1",
        "http://[::1]:8080",
        "postgres://u:p@localhost/db",
    ] {
        let v = verdict(
            "",
            &[("prod", &env(true, &format!("  URL: {url}\n")))],
            "prod",
            vec![],
            &[],
        );
        assert_eq!(ids(&v), [(RuleId::LocalhostUrl, Severity::Error)], "{url}");
    }
    let v = verdict(
        "",
        &[("prod", &env(true, "  URL: https://localhost.example.com\n"))],
        "prod",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
    let v = verdict(
        "",
        &[("local", &env(false, "  URL: http://localhost:3000\n"))],
        "local",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
}

#[test]
fn stripe_key_mode_by_environment_even_for_secret_references() {
    let vars = "  STRIPE_SECRET_KEY: { secret: env:K }\n";
    let v = verdict(
        "",
        &[("prod", &env(true, vars))],
        "prod",
        vec![],
        &[("K", "sk_test_abcdef123")],
    );
    assert_eq!(ids(&v), [(RuleId::StripeKeyMode, Severity::Error)]);
    let v = verdict(
        "",
        &[("staging", &env(false, vars))],
        "staging",
        vec![],
        &[("K", "sk_live_abcdef123")],
    );
    assert_eq!(ids(&v), [(RuleId::StripeKeyMode, Severity::Error)]);
    let v = verdict(
        "",
        &[("prod", &env(true, vars))],
        "prod",
        vec![],
        &[("K", "sk_live_abcdef123")],
    );
    assert_eq!(ids(&v), []);
    assert!(!format!("{v:?}").contains("abcdef"));
}

#[test]
fn client_exposed_prefixes_never_carry_secrets() {
    let v = verdict(
        "",
        &[("prod", &env(true, "  VITE_KEY: { secret: env:K }\n"))],
        "prod",
        vec![],
        &[("K", "x")],
    );
    assert_eq!(ids(&v), [(RuleId::ClientExposedSecret, Severity::Error)]);
    let v = verdict(
        "",
        &[(
            "prod",
            &env(true, "  NEXT_PUBLIC_STRIPE: pk_live_123456789\n"),
        )],
        "prod",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), [], "publishable keys are public");
    let v = verdict(
        "rules:\n  client_prefixes: [PUBLIC_]\n",
        &[("prod", &env(true, "  PUBLIC_SECRET: sk_live_1234567890\n"))],
        "prod",
        vec![],
        &[],
    );
    assert!(
        ids(&v).contains(&(RuleId::ClientExposedSecret, Severity::Error)),
        "{v:?}"
    );
    assert!(
        ids(&v).contains(&(RuleId::LiteralSecret, Severity::Error)),
        "{v:?}"
    );
}

#[test]
fn supabase_names_are_reserved_on_supabase_targets_only() {
    let text = "targets:\n  fx:\n    type: supabase\n    project_ref: abcdefghijabcdefghij\n  web:\n    type: dotenv\n    path: w.env\nvariables:\n  SUPABASE_URL: https://x.supabase.co\n";
    let v = verdict(
        "",
        &[("staging", text)],
        "staging",
        vec![Snapshot::default(), Snapshot::default()],
        &[],
    );
    assert_eq!(ids(&v), [(RuleId::SupabaseReserved, Severity::Error)]);
    assert_eq!(v.findings[0].target.as_deref(), Some("fx"));
}

#[test]
fn required_and_conditionally_required() {
    let tail = "rules:\n  required:\n    - A\n    - name: WEBHOOK\n      when: { variable: KEY }\n    - name: SMS_TOKEN\n      when: { variable: SMS, equals: \"on\" }\n";
    let v = verdict(
        tail,
        &[("prod", &env(true, "  A: x\n"))],
        "prod",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
    let v = verdict(
        tail,
        &[("prod", &env(true, "  KEY: x\n  SMS: \"on\"\n"))],
        "prod",
        vec![],
        &[],
    );
    let names: Vec<String> = v.findings.iter().map(|f| f.message()).collect();
    assert_eq!(
        ids(&v),
        [(RuleId::Required, Severity::Error); 3],
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|m| m.contains("SMS_TOKEN is required when SMS is `on`")),
        "{names:?}"
    );
    let v = verdict(
        tail,
        &[("dev", &env(false, "  A: x\n  SMS: \"off\"\n"))],
        "dev",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
}

#[test]
fn required_names_share_a_condition_and_together_groups_all_or_none() {
    // runbook 004 §2: Stripe's two secrets when payments are on; the
    // Twilio trio only as a whole.
    let tail = "rules:\n  required:\n    - names: [STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET]\n      when: { variable: PAYMENTS_ENABLED, equals: \"true\" }\n    - together: [TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER]\n";
    let messages = |vars: &str, live_pairs: &[(&str, &str)]| -> Vec<String> {
        let live = if live_pairs.is_empty() {
            vec![]
        } else {
            live(live_pairs)
        };
        let v = verdict(tail, &[("prod", &env(true, vars))], "prod", live, &[]);
        assert!(
            v.findings
                .iter()
                .all(|f| f.rule == RuleId::Required && f.severity == Severity::Error)
        );
        v.findings.iter().map(|f| f.message()).collect()
    };
    assert!(messages("  PAYMENTS_ENABLED: \"false\"\n", &[]).is_empty());
    let m = messages("  PAYMENTS_ENABLED: \"true\"\n", &[]);
    assert_eq!(
        m,
        [
            "STRIPE_SECRET_KEY is required when PAYMENTS_ENABLED is `true`, and is not set in prod",
            "STRIPE_WEBHOOK_SECRET is required when PAYMENTS_ENABLED is `true`, and is not set in prod",
        ]
    );
    let m = messages(
        "  PAYMENTS_ENABLED: \"true\"\n  STRIPE_SECRET_KEY: x\n  STRIPE_WEBHOOK_SECRET: y\n",
        &[],
    );
    assert!(m.is_empty(), "{m:?}");

    // None of the trio: fine. One: the other two are named.
    assert!(messages("  OTHER: x\n", &[]).is_empty());
    let m = messages("  TWILIO_AUTH_TOKEN: x\n", &[]);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m[0].starts_with("TWILIO_ACCOUNT_SID is required when TWILIO_AUTH_TOKEN is set (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER go together)"), "{m:?}");
    assert!(m[1].starts_with("TWILIO_PHONE_NUMBER is required"), "{m:?}");
    // A member that exists live (undeclared, kept) counts as set.
    let m = messages(
        "  TWILIO_AUTH_TOKEN: x\n  TWILIO_ACCOUNT_SID: y\n",
        &[("TWILIO_PHONE_NUMBER", "+15550100")],
    );
    assert!(m.is_empty(), "{m:?}");
}

#[test]
fn required_entries_are_checked_when_loading() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    for (entry, expected) in [
        (
            "{ together: [A] }",
            "`together` lists two or more variables",
        ),
        ("{ name: A, names: [B] }", "exactly one of `name`, `names`"),
        ("{ names: [] }", "exactly one of `name`, `names`"),
        (
            "{ together: [A, B], when: { variable: C } }",
            "`together` is its own condition",
        ),
    ] {
        std::fs::write(
            dir.path().join("envctl.yaml"),
            format!("{PROJECT}rules:\n  required:\n    - {entry}\n"),
        )
        .unwrap();
        let e = config::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains(expected), "{entry}: {e}");
    }
}

#[test]
fn parity_between_deployed_environments() {
    let staging = env(
        false,
        "  A: x\n  ONLY_STAGING: x\n  DEBUG: { value: x, environment_specific: true }\n",
    );
    let prod = env(true, "  A: y\n");
    let v = verdict(
        "",
        &[("staging", &staging), ("production", &prod)],
        "production",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), [(RuleId::Parity, Severity::Error)]);
    assert!(
        v.findings[0]
            .message()
            .contains("ONLY_STAGING is declared in staging but not in production")
    );
    let v = verdict(
        "rules:\n  disable: { parity: [production] }\n",
        &[("staging", &staging), ("production", &prod)],
        "production",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
}

#[test]
fn deletes_in_protected_environments_and_custom_lists() {
    let text = "protected: true\ntargets:\n  app:\n    type: dotenv\n    path: a.env\n    prune: true\nvariables:\n  A: x\n";
    let v = verdict("", &[("prod", text)], "prod", live(&[("OLD", "1")]), &[]);
    assert_eq!(ids(&v), [(RuleId::ProtectedDelete, Severity::Error)]);

    let tail = "rules:\n  forbid:\n    - { name: \"DEBUG*\", value: \"^(1|true)$\", message: no debug in prod }\n  patterns:\n    - { name: \"*_URL\", regex: \"^https://\" }\n";
    let v = verdict(
        tail,
        &[(
            "prod",
            &env(
                true,
                "  DEBUG_SQL: \"true\"\n  API_URL: http://api.example.com\n",
            ),
        )],
        "prod",
        vec![],
        &[],
    );
    assert_eq!(
        ids(&v),
        [
            (RuleId::Forbid, Severity::Error),
            (RuleId::Pattern, Severity::Error)
        ]
    );
}

#[test]
fn findings_are_sorted_and_stable() {
    let vars = "  Z_URL: http://localhost\n  ALLOW_A_FALLBACK: \"1\"\n  STRIPE_SECRET_KEY: sk_test_1234567\n";
    let a = verdict("", &[("prod", &env(true, vars))], "prod", vec![], &[]);
    let b = verdict("", &[("prod", &env(true, vars))], "prod", vec![], &[]);
    assert_eq!(a, b);
    let lines: Vec<usize> = a
        .findings
        .iter()
        .map(|f| f.location.as_ref().unwrap().line)
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn digests_from_a_platform_compare_without_plaintext() {
    let vars = "  TOKEN: { secret: env:T }\n";
    let digest = |v: &str| {
        vec![Snapshot {
            variables: [("TOKEN".to_string(), LiveValue::Digest(Fingerprint::of(v)))].into(),
            ..Snapshot::default()
        }]
    };
    let dir_verdict = verdict(
        "",
        &[("prod", &env(true, vars))],
        "prod",
        digest("same"),
        &[("T", "same")],
    );
    assert_eq!(ids(&dir_verdict), []);
}

#[test]
fn aliases_in_rule_environment_lists_mean_the_environment() {
    let staging = env(false, "  A: x\n  ONLY_STAGING: x\n");
    let prod = env(true, "  A: y\n");
    let tail = "aliases:\n  prod: production\nrules:\n  disable: { parity: [prod] }\n";
    let v = verdict(
        tail,
        &[("staging", &staging), ("production", &prod)],
        "production",
        vec![],
        &[],
    );
    assert_eq!(ids(&v), []);
}
