//! Apply under failure and interruption, end to end: the `envctl` binary
//! against the fakes, with "the k-th write fails" swept over every write of
//! a mixed apply on each platform, a Vercel split whose create fails, and
//! Ctrl-C in the middle of an apply.
//!
//! What every case checks is the product's promise: apply never exits 0
//! while a target is wrong, its report of what was not done is exactly what
//! `plan` shows afterwards, running it again converges, nothing undeclared
//! is touched, and no declared key that had a value is left without one.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::Workspace;
use common::platforms::{
    CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, PRODUCTION_REF, Platforms, STAGING_REF, VERCEL_PROJECT,
    cloudflare, cloudflare_env, pairs,
};
use envctl_fakes::cloudflare::VarType;
use envctl_fakes::server::Faults;
use envctl_fakes::supabase::FunctionStatus;
use envctl_fakes::vercel::EnvType;

const PROJECT: &str = "version: 1\nproject: faults\n";

/// A workspace holding only `envctl.yaml` and `environments/production.yaml`.
fn workspace(production: &str) -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", PROJECT);
    ws.write("environments/production.yaml", production);
    ws
}

/// Short timeouts, so a write that fails for good gives up in well under a
/// second instead of retrying for two minutes.
fn fast(mut env: Vec<(String, String)>) -> Vec<(String, String)> {
    env.retain(|(k, _)| k != "ENVCTL_HTTP_DEADLINE");
    env.push(("ENVCTL_HTTP_DEADLINE".into(), "0.6".into()));
    env
}

/// `(target, key)` of every change `plan --format json` shows; functions
/// as `function <slug>`.
fn planned(ws: &Workspace, env: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    let run = ws.run(&["plan", "production", "--format", "json"], env);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("plan JSON: {e}\n{}", run.all()));
    let mut out = BTreeSet::new();
    for target in doc["plan"]["targets"].as_array().unwrap() {
        let name = target["name"].as_str().unwrap();
        for change in target["changes"].as_array().unwrap() {
            let action = change["action"].as_str().unwrap();
            if !matches!(action, "create" | "update" | "delete") {
                continue;
            }
            let subject = &change["subject"];
            let key = match subject["kind"].as_str().unwrap() {
                "variable" => subject["name"].as_str().unwrap().to_string(),
                "function" => format!("function {}", subject["slug"].as_str().unwrap()),
                other => panic!("unexpected subject {other}"),
            };
            out.insert((name.to_string(), key));
        }
    }
    out
}

/// The report's list after `label` (`done:`, `not done:`), as
/// `(target, key)`.
fn reported(text: &str, label: &str) -> BTreeSet<(String, String)> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{text}"));
    let line = line.trim();
    if line == "nothing" {
        return BTreeSet::new();
    }
    line.split(", ")
        .map(|item| {
            let (target, write) = item.split_once(": ").unwrap();
            let key = if let Some(slug) = write.strip_prefix("deploy function ") {
                format!("function {slug}")
            } else if let Some(slug) = write.strip_prefix("delete function ") {
                format!("function {slug}")
            } else if let Some((_, slug)) = write.split_once(" on function ") {
                format!("function {slug}")
            } else if let Some(name) = write.strip_prefix("set ") {
                name.to_string()
            } else if let Some(name) = write.strip_prefix("delete ") {
                name.to_string()
            } else {
                panic!("unexpected item {item}")
            };
            (target.to_string(), key)
        })
        .collect()
}

/// One platform's mixed apply, seeded afresh for each k.
struct Scenario {
    faults: &'static Faults,
    ws: Workspace,
    env: Vec<(String, String)>,
    /// What live state should look like that the apply may not touch.
    untouched: Box<dyn Fn() -> String>,
    /// Declared keys with a value before the apply that still have one.
    valued: Box<dyn Fn() -> BTreeSet<String>>,
}

/// Sweeps "the k-th write fails" over every write of the apply: `start`
/// seeds a fresh fake. Returns how many k were swept.
fn sweep(start: fn() -> Scenario) -> u64 {
    // A clean run counts the writes.
    let writes = {
        let scenario = start();
        let env = pairs(&scenario.env);
        scenario.faults.fail_write(0);
        scenario
            .ws
            .run(&["apply", "production", "--yes"], &env)
            .expect(0);
        scenario.faults.writes_seen()
    };
    assert!(writes > 0);
    for k in 1..=writes {
        let scenario = start();
        let (faults, ws) = (scenario.faults, &scenario.ws);
        let env = pairs(&scenario.env);
        let before_untouched = (scenario.untouched)();
        let before_valued = (scenario.valued)();
        let want = planned(ws, &env);
        faults.fail_write(k);
        let run = ws.run(&["apply", "production", "--yes"], &env);
        faults.fail_write(0);
        let text = run.all();
        assert_eq!(run.code(), 1, "k={k}: apply must fail\n{text}");
        assert!(text.contains("apply failed partway"), "k={k}:\n{text}");
        assert!(
            !text.contains("LEFT WITHOUT"),
            "k={k}: a single failure left a key without a value\n{text}"
        );
        let not_done = reported(&text, "not done:");
        let done = reported(&text, "done:");
        let remaining = planned(ws, &env);
        assert_eq!(
            not_done, remaining,
            "k={k}: the report's `not done` is not what plan shows\n{text}"
        );
        let all: BTreeSet<_> = done.union(&not_done).cloned().collect();
        assert_eq!(all, want, "k={k}: done + not done is not the plan\n{text}");
        assert_eq!(
            (scenario.untouched)(),
            before_untouched,
            "k={k}: something undeclared was touched"
        );
        let valued = (scenario.valued)();
        assert!(
            before_valued.is_subset(&valued),
            "k={k}: left without a value: {:?}\n{text}",
            before_valued.difference(&valued).collect::<Vec<_>>()
        );
        ws.run(&["apply", "production", "--yes"], &env).expect(0);
        ws.run(&["plan", "production", "--detailed-exitcode"], &env)
            .expect(0);
        assert_eq!((scenario.untouched)(), before_untouched, "k={k}: rerun");
    }
    writes
}

/// Leaks a server so the scenario's closures can hold `'static` handles;
/// a few per test, freed when the test process ends.
fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

// ---------------------------------------------------------------- Vercel

const VERCEL_ENV: &str = "\
targets:
  web: { type: vercel, project: huddle-web, team: team_huddle, target: production, prune: true }
variables:
  VITE_NEW: https://new.example
  VITE_CHANGED: https://changed-new.example
  VITE_SHARED: https://shared-new.example
  API_SECRET: { secret: env:FAULTS_API_SECRET }
";

const VERCEL_DECLARED: [&str; 4] = ["VITE_NEW", "VITE_CHANGED", "VITE_SHARED", "API_SECRET"];

fn vercel_scenario() -> Scenario {
    let p = leak(Platforms::start());
    let fake = p.vercel.api();
    let rec = |key: &str, value: &str, targets: &[&str]| {
        fake.insert_record(
            VERCEL_PROJECT,
            key,
            value,
            EnvType::Encrypted,
            targets,
            None,
            "by hand",
        );
    };
    rec(
        "VITE_CHANGED",
        "https://changed-old.example",
        &["production"],
    );
    rec(
        "VITE_SHARED",
        "https://shared-old.example",
        &["production", "preview"],
    );
    rec("OLD_KEY", "old", &["production"]);
    rec("OLD_SHARED", "old-shared", &["production", "preview"]);
    rec("PREVIEW_ONLY", "preview", &["preview"]);
    let ws = workspace(VERCEL_ENV);
    let mut env = fast(p.env());
    env.push(("FAULTS_API_SECRET".into(), "CANARY-api-secret-7".into()));
    let untouched = move || {
        // Every other target's view: key → value, per target.
        let mut view = BTreeMap::new();
        for r in fake.records(VERCEL_PROJECT) {
            for t in r.target.iter().filter(|t| *t != "production") {
                view.insert(format!("{t}/{}", r.key), r.value.clone());
            }
        }
        format!("{view:?}")
    };
    let valued = move || {
        fake.records(VERCEL_PROJECT)
            .iter()
            .filter(|r| r.target.iter().any(|t| t == "production"))
            .filter(|r| VERCEL_DECLARED.contains(&r.key.as_str()))
            .map(|r| r.key.clone())
            .collect()
    };
    Scenario {
        faults: p.vercel.faults(),
        ws,
        env,
        untouched: Box::new(untouched),
        valued: Box::new(valued),
    }
}

#[test]
fn every_failed_write_of_a_vercel_apply_is_reported_and_recovered() {
    let swept = sweep(vercel_scenario);
    eprintln!("vercel: swept k = 1..={swept}");
    assert!(swept >= 4, "splits, create and delete are separate writes");
}

/// Production and preview share one Vercel record; the desired state gives
/// production its own value, so apply must split the record. Returns the
/// shared record's id.
fn shared_split() -> (Platforms, Workspace, String) {
    let p = Platforms::start();
    let shared = p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "VITE_SHARED",
        "https://shared-old.example",
        EnvType::Encrypted,
        &["production", "preview"],
        None,
        "",
    );
    let ws = workspace(
        "targets:\n  web: { type: vercel, project: huddle-web, team: team_huddle, target: production }\n\
         variables:\n  VITE_SHARED: https://shared-new.example\n",
    );
    (p, ws, shared)
}

/// The regression: a shared record was narrowed, the create that followed
/// failed, and production had no value at all.
#[test]
fn a_failed_create_after_a_split_puts_the_shared_record_back() {
    let (p, ws, shared) = shared_split();
    let fake = p.vercel.api();
    let env = fast(p.env());
    let env = pairs(&env);
    // Write 1 narrows the shared record, write 2 creates production's own.
    p.vercel.faults().fail_write(2);
    let run = ws.run(&["apply", "production", "--yes"], &env);
    p.vercel.faults().fail_write(0);
    run.expect(1)
        .expect_output("not done: web: set VITE_SHARED")
        .expect_output("still has its old or its new value");
    let record = fake.record(VERCEL_PROJECT, &shared).unwrap();
    assert_eq!(record.target, ["production", "preview"], "put back");
    assert_eq!(record.value, "https://shared-old.example");
    ws.run(&["apply", "production", "--yes"], &env).expect(0);
    ws.run(&["plan", "production", "--detailed-exitcode"], &env)
        .expect(0);
    assert_eq!(
        fake.record(VERCEL_PROJECT, &shared).unwrap().target,
        ["preview"]
    );
}

/// When the undo fails too, the report names the key production is left
/// without.
#[test]
fn a_split_whose_undo_fails_names_the_key_left_without_a_value() {
    let (p, ws, _) = shared_split();
    let env = fast(p.env());
    let env = pairs(&env);
    p.vercel.faults().fail_writes(2, 2);
    let run = ws.run(&["apply", "production", "--yes"], &env);
    p.vercel.faults().fail_write(0);
    run.expect(1)
        .expect_output("LEFT WITHOUT A VALUE (had one before; undoing the half-done change failed too): web: VITE_SHARED");
    ws.run(&["apply", "production", "--yes"], &env).expect(0);
    ws.run(&["plan", "production", "--detailed-exitcode"], &env)
        .expect(0);
}

// -------------------------------------------------------------- Supabase

const SUPABASE_ENV: &str = "\
targets:
  functions: { type: supabase, project_ref: hdlproductionabcdefg, prune: true }
variables:
  STRIPE_SECRET_KEY: { secret: env:FAULTS_STRIPE }
  NEW_SECRET: { secret: env:FAULTS_NEW }
functions:
  hello:
  webhook: { verify_jwt: false }
";

fn supabase_scenario() -> Scenario {
    let p = leak(Platforms::start());
    let fake = p.supabase.api();
    fake.seed_reserved(PRODUCTION_REF);
    fake.set_secret(PRODUCTION_REF, "STRIPE_SECRET_KEY", "sk_old");
    fake.set_secret(PRODUCTION_REF, "OLD_SECRET", "old");
    fake.add_function(PRODUCTION_REF, "webhook", true, FunctionStatus::Active);
    fake.add_function(PRODUCTION_REF, "old-fn", true, FunctionStatus::Active);
    fake.set_secret(STAGING_REF, "STRIPE_SECRET_KEY", "sk_staging");
    fake.add_function(STAGING_REF, "old-fn", true, FunctionStatus::Active);
    let ws = workspace(SUPABASE_ENV);
    for slug in ["hello", "webhook"] {
        ws.write(
            &format!("supabase/functions/{slug}/index.ts"),
            "Deno.serve(() => new Response(\"hi\"));\n",
        );
    }
    let mut env = fast(p.env());
    env.push(("FAULTS_STRIPE".into(), "sk_test_CANARY_faults_1".into()));
    env.push(("FAULTS_NEW".into(), "CANARY-new-secret-2".into()));
    let untouched = move || {
        let reserved: Vec<(String, Option<String>)> = fake
            .secret_names(PRODUCTION_REF)
            .into_iter()
            .filter(|n| n.starts_with("SUPABASE_"))
            .map(|n| (n.clone(), fake.secret_digest(PRODUCTION_REF, &n)))
            .collect();
        let staging: Vec<(String, Option<String>)> = fake
            .secret_names(STAGING_REF)
            .into_iter()
            .map(|n| (n.clone(), fake.secret_digest(STAGING_REF, &n)))
            .collect();
        let staging_fns: Vec<(String, bool)> = fake
            .functions(STAGING_REF)
            .into_iter()
            .map(|f| (f.slug, f.verify_jwt))
            .collect();
        format!("{reserved:?} {staging:?} {staging_fns:?}")
    };
    let valued = move || {
        let mut out: BTreeSet<String> = fake
            .secret_names(PRODUCTION_REF)
            .into_iter()
            .filter(|n| ["STRIPE_SECRET_KEY", "NEW_SECRET"].contains(&n.as_str()))
            .collect();
        out.extend(
            fake.functions(PRODUCTION_REF)
                .into_iter()
                .filter(|f| ["hello", "webhook"].contains(&f.slug.as_str()))
                .map(|f| format!("function {}", f.slug)),
        );
        out
    };
    Scenario {
        faults: p.supabase.faults(),
        ws,
        env,
        untouched: Box::new(untouched),
        valued: Box::new(valued),
    }
}

#[test]
fn every_failed_write_of_a_supabase_apply_is_reported_and_recovered() {
    let swept = sweep(supabase_scenario);
    eprintln!("supabase: swept k = 1..={swept}");
    assert!(
        swept >= 5,
        "secrets, deletes, deploy, patch, function delete"
    );
}

// ------------------------------------------------------------ Cloudflare

fn cloudflare_scenario() -> Scenario {
    let server = leak(cloudflare());
    let fake = server.api();
    let hand = |env: &str, key: &str, value: &str| {
        fake.set_by_hand(
            CLOUDFLARE_ACCOUNT,
            KLUBZ_PRODUCTION,
            env,
            key,
            VarType::PlainText,
            value,
        );
    };
    hand("production", "PUBLIC_URL", "https://old.example");
    hand("production", "OLD_VAR", "old");
    hand("preview", "PUBLIC_URL", "https://preview.example");
    let ws = workspace(&format!(
        "targets:\n  pages:\n    type: cloudflare\n    project: {KLUBZ_PRODUCTION}\n    environment: production\n    account_id: {CLOUDFLARE_ACCOUNT}\n    prune: true\n\
         variables:\n  PUBLIC_URL: https://new.example\n  JWT_SECRET: {{ secret: env:FAULTS_JWT }}\n"
    ));
    let mut env = fast(cloudflare_env(server));
    env.push(("FAULTS_JWT".into(), "CANARY-jwt-faults-3".into()));
    let untouched = move || {
        format!(
            "{:?}",
            fake.env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, "preview")
        )
    };
    let valued = move || {
        fake.env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, "production")
            .into_keys()
            .filter(|k| ["PUBLIC_URL", "JWT_SECRET"].contains(&k.as_str()))
            .collect()
    };
    Scenario {
        faults: server.faults(),
        ws,
        env,
        untouched: Box::new(untouched),
        valued: Box::new(valued),
    }
}

#[test]
fn every_failed_write_of_a_cloudflare_apply_is_reported_and_recovered() {
    let swept = sweep(cloudflare_scenario);
    eprintln!("cloudflare: swept k = 1..={swept}");
    assert_eq!(swept, 1, "sets and deletes go in one PATCH");
}

// ----------------------------------------------------------------- Ctrl-C

/// Ctrl-C in the middle of an apply: the request in flight is finished,
/// nothing more is sent, the report says what was and was not done, the
/// audit log has what was done, and the exit code is 130.
#[test]
fn ctrl_c_during_apply_reports_audits_and_exits_130() {
    interrupt_apply("-INT");
}

#[test]
fn sigterm_during_apply_is_handled_like_ctrl_c() {
    interrupt_apply("-TERM");
}

fn interrupt_apply(signal: &str) {
    use std::process::{Command, Stdio};
    let scenario = supabase_scenario();
    let ws = &scenario.ws;
    let server = &scenario.faults;
    let env = pairs(&scenario.env);
    let want = planned(ws, &env);
    server.set_latency(Duration::from_millis(300));
    server.fail_write(0);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envctl"));
    cmd.arg("--chdir")
        .arg(ws.dir.path())
        .args(["apply", "production", "--yes"])
        .env_clear()
        .env("ENVCTL_TEST_KEYRING", ws.keyring_file())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    // Long enough that the latency never runs into a deadline.
    for (k, v) in &env {
        if *k != "ENVCTL_HTTP_DEADLINE" {
            cmd.env(k, v);
        }
    }
    let child = cmd.spawn().unwrap();
    let started = Instant::now();
    while server.writes_seen() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no write was sent"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // The fake has logged and answered the first write; the next one is
    // in flight for 300 ms.
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let run = common::Run(child.wait_with_output().unwrap());
    server.set_latency(Duration::ZERO);
    let text = run.all();
    assert_eq!(run.code(), 130, "{text}");
    assert!(text.contains("apply interrupted"), "{text}");
    let done = reported(&text, "done:");
    let not_done = reported(&text, "not done:");
    assert!(!done.is_empty(), "the write in flight was finished\n{text}");
    assert!(!not_done.is_empty(), "apply stopped early\n{text}");
    assert_eq!(
        done.union(&not_done).cloned().collect::<BTreeSet<_>>(),
        want
    );

    // The audit log has an entry for each thing done, and nothing else.
    let log = ws.read(".envctl/audit.jsonl");
    let audited: BTreeSet<(String, String)> = log
        .lines()
        .map(|l| {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                e["target"].as_str().unwrap().to_string(),
                e["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(audited, done, "{log}");

    // Plan shows exactly the remainder; apply finishes it.
    assert_eq!(planned(ws, &env), not_done, "{text}");
    ws.run(&["apply", "production", "--yes"], &env).expect(0);
    ws.run(&["plan", "production", "--detailed-exitcode"], &env)
        .expect(0);
}

// ------------------------------------------------------- Across targets

const ACROSS_ENV: &str = "\
targets:
  functions: { type: supabase, project_ref: hdlproductionabcdefg, prune: true }
  web: { type: vercel, project: huddle-web, team: team_huddle, target: production, prune: true }
variables:
  VITE_NEW: { value: https://new.example, targets: [web] }
  VITE_CHANGED: { value: https://changed-new.example, targets: [web] }
  STRIPE_SECRET_KEY: { secret: env:FAULTS_STRIPE, targets: [functions] }
  NEW_SECRET: { secret: env:FAULTS_NEW, targets: [functions] }
";

/// Targets on two platforms are written at the same time: when one fails,
/// the other still finishes, and the report says exactly what each did.
#[test]
fn a_failed_target_beside_another_platform_is_reported_exactly() {
    for failing in ["supabase", "vercel"] {
        let p = Platforms::start();
        p.supabase
            .api()
            .set_secret(PRODUCTION_REF, "STRIPE_SECRET_KEY", "sk_old");
        p.supabase
            .api()
            .set_secret(PRODUCTION_REF, "OLD_SECRET", "old");
        let ws = workspace(ACROSS_ENV);
        let mut env = fast(p.env());
        env.push(("FAULTS_STRIPE".into(), "sk_test_CANARY_faults_1".into()));
        env.push(("FAULTS_NEW".into(), "CANARY-new-secret-2".into()));
        let env = pairs(&env);
        let want = planned(&ws, &env);
        let (faults, other) = match failing {
            "supabase" => (p.supabase.faults(), "web"),
            _ => (p.vercel.faults(), "functions"),
        };
        faults.fail_write(1);
        let run = ws.run(&["apply", "production", "--yes"], &env);
        faults.fail_write(0);
        let text = run.all();
        assert_eq!(run.code(), 1, "{failing}: apply must fail\n{text}");
        assert!(!text.contains("CANARY"), "{text}");
        let (done, not_done) = (reported(&text, "done:"), reported(&text, "not done:"));
        assert_eq!(not_done, planned(&ws, &env), "{failing}: not done\n{text}");
        let all: BTreeSet<_> = done.union(&not_done).cloned().collect();
        assert_eq!(all, want, "{failing}: done + not done\n{text}");
        let other_writes: BTreeSet<_> = want.iter().filter(|(t, _)| t == other).collect();
        assert!(!other_writes.is_empty());
        assert!(
            other_writes.iter().all(|w| done.contains(*w)),
            "{failing}: target {other} on the other platform finished\n{text}"
        );
        ws.run(&["apply", "production", "--yes"], &env).expect(0);
        ws.run(&["plan", "production", "--detailed-exitcode"], &env)
            .expect(0);
    }
}
