//! What runs in CI every day: `drift` over every environment, `diff` for
//! promotions, and `--format github` annotations.

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, STAGING_REF, assert_no_leak, pairs};

#[test]
fn drift_reads_every_environment_and_reports_per_target() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let mut env = p.env();
    env.extend(
        common::local_secrets()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let env = pairs(&env);
    for name in ["local", "staging", "prod"] {
        ws.run(&["apply", name, "--yes"], &env).expect(0);
    }
    let clean = ws.run(&["drift"], &env);
    clean.expect(0);
    assert_no_leak(&clean.all());

    p.supabase
        .api()
        .set_secret(STAGING_REF, "FCM_SERVER_KEY", "CANARY-by-hand");
    let drift = ws.run(&["drift", "--format", "json"], &env);
    drift.expect(2);
    assert_no_leak(&drift.all());
    let doc: serde_json::Value = serde_json::from_str(&drift.stdout()).unwrap();
    assert_eq!(doc["exit"], 2);
    let envs = doc["environments"].as_array().unwrap();
    let names: Vec<&str> = envs
        .iter()
        .map(|e| e["environment"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["production", "staging"],
        "local environments are left out"
    );
    let staging = envs.iter().find(|e| e["environment"] == "staging").unwrap();
    let targets = staging["targets"].as_array().unwrap();
    let functions = targets.iter().find(|t| t["target"] == "functions").unwrap();
    assert_eq!(functions["status"], "drift: 1 to change");
    let web = targets.iter().find(|t| t["target"] == "web").unwrap();
    assert_eq!(web["status"], "in sync");
    let production = envs
        .iter()
        .find(|e| e["environment"] == "production")
        .unwrap();
    assert_eq!(production["status"], "in sync");

    let md = ws.run(&["drift", "--format", "markdown"], &env);
    assert!(
        md.stdout().contains(
            "| | `functions` (supabase project hdlstagingabcdefghij) | drift: 1 to change |"
        ),
        "{}",
        md.stdout()
    );
}

#[test]
fn an_unreadable_environment_is_an_error_never_in_sync() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let mut env = p.env();
    env.retain(|(k, _)| k != "VERCEL_TOKEN");
    let run = ws.run(&["drift", "staging", "prod"], &pairs(&env));
    run.expect(1);
    assert!(run.stdout().contains("no Vercel token"), "{}", run.stdout());
}

#[test]
fn github_format_annotates_findings_and_file_errors() {
    let ws = Workspace::example();
    ws.edit(
        "environments/production.yaml",
        "variables:\n",
        "variables:\n  ALLOW_STRIPE_FALLBACK: \"true\"\n",
    );
    let run = ws.run(&["validate", "--format", "github"], &[]);
    run.expect(3);
    let out = run.stdout();
    assert!(
        out.contains("::error file=environments/production.yaml,line=")
            && out.contains("title=envctl forbidden-flag (production)::"),
        "{out}"
    );

    ws.write("environments/staging.yaml", "targets: [unclosed\n");
    let run = ws.run(&["plan", "staging", "--format", "github"], &[]);
    run.expect(1);
    assert!(
        run.stdout().contains(
            "::error file=environments/staging.yaml,line=2,col=1,title=envctl::YAML syntax error"
        ),
        "{}",
        run.stdout()
    );
}

#[test]
fn diff_live_compares_same_named_targets_by_fingerprint() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let run = ws.run(&["diff", "staging", "prod", "--live"], &env);
    run.expect(2);
    let out = run.stdout();
    // OPENAI_API_KEY is the same secret in both: no line for it.
    assert!(!out.contains("OPENAI_API_KEY"), "{out}");
    assert!(
        out.contains("~ live functions: STRIPE_SECRET_KEY: different value"),
        "{out}"
    );
    assert!(
        out.contains("~ live web: VITE_API_URL: different value"),
        "{out}"
    );
    assert!(
        out.contains("~ STRIPE_SECRET_KEY: different value"),
        "{out}"
    );
    assert_no_leak(&run.all());
}

#[test]
fn drift_can_insist_on_every_secret() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    let mut missing = p.env();
    missing.retain(|(k, _)| k != "OPENAI_API_KEY");
    let missing = pairs(&missing);
    let lenient = ws.run(&["drift", "staging"], &missing);
    lenient.expect(0);
    assert!(
        lenient.stdout().contains("cannot be verified"),
        "{}",
        lenient.stdout()
    );
    let strict = ws.run(&["drift", "staging", "--require-secrets"], &missing);
    strict.expect(1);
    assert!(
        strict.stdout().contains("OPENAI_API_KEY"),
        "{}",
        strict.stdout()
    );
}
