//! The secrets lifecycle end to end, against the fake platforms: the
//! keychain (`secret`, `login`, `keyring` references), saved plans and
//! their staleness checks, `rotate`, `import`, the `secret-age` rule and
//! the audit log. The keychain is the test keyring file every run points
//! at (`ENVCTL_TEST_KEYRING`, debug builds only).

use crate::common;

use common::Workspace;
use common::platforms::{
    Platforms, STAGING_REF, VERCEL_PROJECT, VERCEL_TEAM, assert_no_leak, pairs,
};

const STAGING: &str = "environments/staging.yaml";
const KEYRING_VALUE: &str = "CANARY-keyring-fcm-0101";

fn sha256_hex(text: &str) -> String {
    envctl::secret::Fingerprint::of(text).hex().to_string()
}

/// Staging's FCM key read from the keychain instead of the environment.
fn keyring_workspace() -> Workspace {
    let ws = Workspace::example();
    ws.edit(
        STAGING,
        "FCM_SERVER_KEY: { secret: env:STAGING_FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: keyring }",
    );
    ws
}

#[test]
fn a_keyring_secret_is_stored_checked_planned_applied_and_removed() {
    let ws = keyring_workspace();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);

    let set = ws.run_with_input(
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &env,
        Some(&format!("{KEYRING_VALUE}\n")),
    );
    set.expect(0)
        .expect_output("account `huddle/staging/FCM_SERVER_KEY`");
    assert_no_leak(&set.all());
    assert_eq!(
        ws.keyring_entry("huddle/staging/FCM_SERVER_KEY").as_deref(),
        Some(KEYRING_VALUE),
        "the trailing newline is dropped"
    );

    let get = ws.run(&["secret", "get", "staging", "FCM_SERVER_KEY"], &env);
    get.expect(0)
        .expect_output("FCM_SERVER_KEY for staging: stored;")
        .expect_output("--reveal");
    // No unkeyed digest: it would confirm a guess of the value.
    assert!(!get.all().contains(&sha256_hex(KEYRING_VALUE)[..8]));
    assert_no_leak(&get.all());
    let reveal = ws.run(
        &["secret", "get", "staging", "FCM_SERVER_KEY", "--reveal"],
        &env,
    );
    assert_eq!(reveal.expect(0).stdout(), format!("{KEYRING_VALUE}\n"));

    let apply = ws.run(&["apply", "staging", "--yes"], &env);
    apply.expect(0);
    assert_no_leak(&apply.all());
    assert_eq!(
        p.supabase
            .api()
            .secret_digest(STAGING_REF, "FCM_SERVER_KEY"),
        Some(sha256_hex(KEYRING_VALUE))
    );
    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);

    ws.run(&["secret", "rm", "staging", "FCM_SERVER_KEY"], &env)
        .expect(0)
        .expect_output("still declares FCM_SERVER_KEY");
    assert_eq!(ws.keyring_entry("huddle/staging/FCM_SERVER_KEY"), None);
    ws.run(&["plan", "staging"], &env)
        .expect(0)
        .expect_output("FCM_SERVER_KEY: keyring: nothing is stored in the keychain")
        .expect_output("envctl secret set");
}

#[test]
fn secret_set_never_takes_a_value_it_cannot_read_safely() {
    let ws = keyring_workspace();
    // No terminal and no --stdin: no prompt, no hang.
    ws.run(&["secret", "set", "staging", "FCM_SERVER_KEY"], &[])
        .expect(1)
        .expect_output("pass --stdin");
    ws.run_with_input(
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some("\n"),
    )
    .expect(1)
    .expect_output("is empty; nothing was stored");
    // A value given as an argument is not accepted at all.
    ws.run(
        &["secret", "set", "staging", "FCM_SERVER_KEY", "CANARY-argv"],
        &[],
    )
    .expect(1);
    ws.run(&["secret", "get", "staging", "FCM_SERVER_KEY"], &[])
        .expect(1)
        .expect_output("nothing is stored in the keychain");
    ws.run(&["secret", "set", "stagign", "X", "--stdin"], &[])
        .expect(1)
        .expect_output("staging");
    assert!(!ws.keyring_file().exists(), "nothing was stored");
}

#[test]
fn without_a_keychain_envctl_says_so_and_writes_nothing() {
    let ws = keyring_workspace();
    let p = Platforms::start();
    let mut env = p.env();
    env.push(("ENVCTL_TEST_KEYRING".into(), "unavailable".into()));
    let env = pairs(&env);
    ws.run_with_input(
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &env,
        Some(KEYRING_VALUE),
    )
    .expect(1)
    .expect_output("no OS keychain is available on this machine")
    .expect_output("`env:NAME` or `file:PATH`");
    ws.run(&["plan", "staging"], &env)
        .expect(0)
        .expect_output("FCM_SERVER_KEY: keyring: no OS keychain is available");
    ws.run(&["plan", "staging", "--require-secrets"], &env)
        .expect(1);
    let before = p.supabase.requests().len();
    ws.run(&["apply", "staging", "--yes"], &env).expect(1);
    assert_eq!(
        p.supabase.count("POST", "/secrets"),
        0,
        "apply never writes while a secret is unknown"
    );
    assert!(p.supabase.requests().len() >= before);
    ws.run_with_input(&["login", "vercel", "--stdin"], &env, Some("tok"))
        .expect(1)
        .expect_output("no OS keychain");
}

#[test]
fn each_broken_source_gets_a_clear_error_and_nothing_is_written() {
    let p = Platforms::start();
    let env = p.env();
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let cases: [Case; 4] = [
        (
            "{ secret: env:NOT_SET_ANYWHERE }",
            "environment variable NOT_SET_ANYWHERE is not set",
            &[],
        ),
        ("{ secret: file:secrets/missing.txt }", "cannot read", &[]),
        (
            "{ secret: { command: [\"false\"] } }",
            "`false` failed",
            &[],
        ),
        (
            "{ secret: { command: [\"sleep\", \"5\"] } }",
            "did not finish within 0.5s",
            &[("ENVCTL_COMMAND_TIMEOUT", "0.5")],
        ),
    ];
    for (source, message, extra) in cases {
        let ws = Workspace::example();
        ws.edit(STAGING, "{ secret: env:STAGING_FCM_SERVER_KEY }", source);
        let mut env = pairs(&env);
        env.extend_from_slice(extra);
        ws.run(&["plan", "staging"], &env)
            .expect(0)
            .expect_output(message)
            .expect_output("planned as unknown");
        let posts = p.supabase.count("POST", "/secrets");
        let run = ws.run(&["apply", "staging", "--yes"], &env);
        run.expect(1).expect_output("FCM_SERVER_KEY");
        assert_no_leak(&run.all());
        assert_eq!(p.supabase.count("POST", "/secrets"), posts, "{source}");
    }
}

#[test]
fn a_world_readable_secret_file_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::example();
    ws.edit(
        STAGING,
        "{ secret: env:STAGING_FCM_SERVER_KEY }",
        "{ secret: file:secrets/fcm.txt }",
    );
    ws.write("secrets/fcm.txt", "CANARY-file-fcm\n");
    let path = ws.path("secrets/fcm.txt");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let p = Platforms::start();
    let env = p.env();
    let run = ws.run(&["plan", "staging"], &pairs(&env));
    run.expect(0)
        .expect_output("can be read by other users (mode 644)");
    assert_no_leak(&run.all());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = ws.run(&["plan", "staging"], &pairs(&env));
    assert!(!run.all().contains("read by other users"), "{}", run.all());
}

#[test]
fn login_stores_a_token_used_when_the_variable_is_unset() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env: Vec<(String, String)> = p
        .env()
        .into_iter()
        .filter(|(k, _)| k != "SUPABASE_ACCESS_TOKEN" && k != "VERCEL_TOKEN")
        .collect();
    let env = pairs(&env);
    ws.run(&["plan", "staging"], &env)
        .expect(1)
        .expect_output("or run `envctl login");
    for (platform, token) in [
        ("supabase", common::platforms::SUPABASE_TOKEN),
        ("vercel", common::platforms::VERCEL_TOKEN),
    ] {
        let run = ws.run_with_input(&["login", platform, "--stdin"], &env, Some(token));
        run.expect(0)
            .expect_output(&format!("account `login/{platform}`"));
        assert_no_leak(&run.all());
    }
    let plan = ws.run(&["plan", "staging"], &env);
    plan.expect(0).expect_output("Plan:");
    assert_no_leak(&plan.all());
}

#[test]
fn a_saved_plan_applies_when_nothing_changed_and_holds_no_value() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["plan", "staging", "--out", "staging.plan"], &env)
        .expect(0)
        .expect_output("Saved the plan to staging.plan");
    let text = ws.read("staging.plan");
    assert_no_leak(&text);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format_version"], 3);
    assert_eq!(doc["environment"], "staging");
    assert!(doc["live"]["web"].is_object() && doc["live"]["functions"].is_object());
    assert_eq!(
        doc["secrets"]["STRIPE_SECRET_KEY"]["source"],
        "env:STAGING_STRIPE_SECRET_KEY"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ws.path("staging.plan"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let apply = ws.run(&["apply", "staging.plan"], &env);
    apply
        .expect(0)
        .expect_output("live state and secrets are as planned")
        .expect_output("Apply complete");
    assert_no_leak(&apply.all());
    ws.run(&["plan", "staging", "--detailed-exitcode"], &env)
        .expect(0);

    // The audit log: one line per change, fingerprints only.
    let log = ws.read(".envctl/audit.jsonl");
    assert_no_leak(&log);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let stripe = lines
        .iter()
        .find(|l| l["key"] == "STRIPE_SECRET_KEY")
        .expect("STRIPE_SECRET_KEY is in the audit log");
    assert_eq!(stripe["environment"], "staging");
    assert_eq!(stripe["target"], "functions");
    assert_eq!(stripe["action"], "create");
    assert_eq!(stripe["command"], "apply staging.plan");
    // Keyed with the key the saved plan wrote, never the bare digest.
    let after = stripe["after"].as_str().unwrap();
    assert!(after.starts_with("hmac:"), "{after}");
    assert!(!after.contains(&sha256_hex("sk_test_CANARYstaging0001")[..8]));
    assert!(stripe["time"].as_str().unwrap().ends_with('Z'));
    assert!(
        lines
            .iter()
            .any(|l| l["key"] == "VITE_API_URL" && l["target"] == "web")
    );
}

#[test]
fn a_stale_plan_is_refused_and_names_what_changed() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    ws.run(&["apply", "staging", "--yes"], &pairs(&env))
        .expect(0);
    ws.edit(
        STAGING,
        "https://staging.huddle.app/functions/v1",
        "https://staging.huddle.app/api",
    );
    ws.run(&["plan", "staging", "--out", "s.plan"], &pairs(&env))
        .expect(0);

    // Someone sets a secret by hand between plan and apply.
    p.supabase
        .api()
        .set_secret(STAGING_REF, "OPENAI_API_KEY", "sk-CANARY-by-hand");
    p.vercel.clear_log();
    let run = ws.run(&["apply", "s.plan"], &pairs(&env));
    run.expect(1)
        .expect_output("s.plan is stale")
        .expect_output("functions: var:OPENAI_API_KEY changed (hmac:")
        .expect_output("nothing was written");
    assert_no_leak(&run.all());
    assert_eq!(p.vercel.count("POST", "/env"), 0);
    assert_eq!(p.vercel.count("PATCH", "/env"), 0);

    // A secret's source changes between plan and apply.
    ws.run(&["apply", "staging", "--yes"], &pairs(&env))
        .expect(0);
    ws.run(&["plan", "staging", "--out", "s.plan"], &pairs(&env))
        .expect(0);
    let mut changed = env.clone();
    for (k, v) in &mut changed {
        if k == "STAGING_STRIPE_SECRET_KEY" {
            *v = "sk_test_CANARYrotated".into();
        }
    }
    let run = ws.run(&["apply", "s.plan"], &pairs(&changed));
    run.expect(1).expect_output(
        "secret STRIPE_SECRET_KEY from env:STAGING_STRIPE_SECRET_KEY has a different value than the one planned",
    );
    assert_no_leak(&run.all());
    assert_eq!(
        p.supabase
            .api()
            .secret_digest(STAGING_REF, "STRIPE_SECRET_KEY"),
        Some(sha256_hex("sk_test_CANARYstaging0001")),
        "nothing was written"
    );
    // A Vercel record edited by hand after the plan.
    let run = {
        ws.run(&["plan", "staging", "--out", "s.plan"], &pairs(&env))
            .expect(0);
        let records = p.vercel.api().records("prj_huddleweb0001");
        let id = records
            .iter()
            .find(|r| r.key == "VITE_WS_URL")
            .unwrap()
            .id
            .clone();
        p.vercel.api().edit_behind_back(
            "prj_huddleweb0001",
            &id,
            "wss://elsewhere.example/realtime",
        );
        ws.run(&["apply", "s.plan"], &pairs(&env))
    };
    run.expect(1)
        .expect_output("web: record:VITE_WS_URL changed");
}

#[test]
fn a_broken_edited_or_foreign_plan_file_is_refused() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["plan", "staging", "--out", "s.plan"], &env)
        .expect(0);
    let good = ws.read("s.plan");

    ws.write("truncated.plan", &good[..good.len() / 2]);
    ws.run(&["apply", "truncated.plan"], &env)
        .expect(1)
        .expect_output("not a plan file, or a truncated one");

    ws.write(
        "edited.plan",
        &good.replacen("\"allow_delete\": false", "\"allow_delete\": true", 1),
    );
    ws.run(&["apply", "edited.plan"], &env)
        .expect(1)
        .expect_output("was changed after it was written");

    ws.write(
        "future.plan",
        &good.replacen("\"format_version\": 3", "\"format_version\": 7", 1),
    );
    ws.run(&["apply", "future.plan"], &env)
        .expect(1)
        .expect_output("plan format version 7");

    let other = Workspace::example();
    other.edit("envctl.yaml", "project: huddle", "project: other");
    other.write("s.plan", &good);
    other
        .run(&["apply", "s.plan"], &env)
        .expect(1)
        .expect_output("a plan for project `huddle`, but this is `other`");

    ws.run(&["apply", "missing.plan"], &env)
        .expect(1)
        .expect_output("cannot read the plan file");
    assert_eq!(p.supabase.count("POST", "/secrets"), 0);
    assert_eq!(p.vercel.count("POST", "/env"), 0);
}

#[test]
fn rotate_puts_a_new_value_everywhere_the_secret_goes() {
    let ws = Workspace::example();
    ws.edit(
        STAGING,
        "FCM_SERVER_KEY: { secret: env:STAGING_FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: file:secrets/fcm.txt, targets: [web, functions] }",
    );
    ws.write("secrets/fcm.txt", "CANARY-old-fcm\n");
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    // An unrelated pending change stays out of the rotation.
    ws.edit(
        STAGING,
        "wss://staging.huddle.app/realtime/v1",
        "wss://staging.huddle.app/rt",
    );

    let run = ws.run(
        &["rotate", "staging", "FCM_SERVER_KEY", "--generate", "--yes"],
        &env,
    );
    run.expect(0).expect_output("Wrote the new FCM_SERVER_KEY");
    assert!(!run.all().contains("VITE_WS_URL"), "{}", run.all());
    assert_no_leak(&run.all());
    let new = ws.read("secrets/fcm.txt");
    let new = new.trim_end();
    assert_eq!(new.len(), 48);
    assert!(new.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(!run.all().contains(new));
    assert_eq!(
        p.supabase
            .api()
            .secret_digest(STAGING_REF, "FCM_SERVER_KEY"),
        Some(sha256_hex(new))
    );
    let records = p.vercel.api().records("prj_huddleweb0001");
    let record = records
        .iter()
        .find(|r| r.key == "FCM_SERVER_KEY")
        .expect("the web target received FCM_SERVER_KEY");
    assert_eq!(record.value, new);
    ws.edit(
        STAGING,
        "wss://staging.huddle.app/rt",
        "wss://staging.huddle.app/realtime/v1",
    );
    ws.run(&["drift", "staging"], &env).expect(0);
    assert!(
        ws.read(".envctl/audit.jsonl")
            .contains("\"command\":\"rotate\"")
    );
}

#[test]
fn rotate_of_a_source_envctl_cannot_write_says_where_the_value_goes() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(
        &["rotate", "staging", "OPENAI_API_KEY", "--generate", "--yes"],
        &env,
    )
    .expect(1)
    .expect_output("which envctl cannot write")
    .expect_output("--stdin");
    ws.run(
        &["rotate", "staging", "VITE_API_URL", "--stdin", "--yes"],
        &env,
    )
    .expect(1)
    .expect_output("is a plain value");
    ws.run(&["rotate", "staging", "NOPE", "--stdin", "--yes"], &env)
        .expect(1)
        .expect_output("NOPE is not declared in staging");
    let run = ws.run_with_input(
        &["rotate", "staging", "OPENAI_API_KEY", "--stdin", "--yes"],
        &env,
        Some("sk-CANARY-new-openai\n"),
    );
    run.expect(0)
        .expect_output("put the new value there before the next plan");
    assert_no_leak(&run.all());
    assert_eq!(
        p.supabase
            .api()
            .secret_digest(STAGING_REF, "OPENAI_API_KEY"),
        Some(sha256_hex("sk-CANARY-new-openai"))
    );
    // Without --yes and no terminal, nothing is stored or written.
    let posts = p.supabase.count("POST", "/secrets");
    ws.run_with_input(
        &["rotate", "staging", "OPENAI_API_KEY", "--stdin"],
        &env,
        Some("sk-CANARY-newer\n"),
    )
    .expect(1);
    assert_eq!(p.supabase.count("POST", "/secrets"), posts);
}

#[test]
fn secrets_older_than_the_rotation_period_get_a_warning() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    p.supabase
        .api()
        .set_secret_updated_at(STAGING_REF, "OPENAI_API_KEY", "2020-01-01T00:00:00Z");
    ws.run(&["plan", "staging"], &env)
        .expect(0)
        .expect_output("warning[secret-age]: secret OPENAI_API_KEY was last set")
        .expect_output("more than 90")
        .expect_output("envctl rotate <env> OPENAI_API_KEY");
    ws.edit(
        "envctl.yaml",
        "rules:\n",
        "rules:\n  secret_max_age_days: 100000\n",
    );
    let run = ws.run(&["plan", "staging"], &env);
    assert!(!run.all().contains("secret-age"), "{}", run.all());
}

#[test]
fn the_audit_log_can_be_moved_or_switched_off() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    ws.edit(
        "envctl.yaml",
        "rules:\n",
        "audit:\n  path: logs/envctl.jsonl\nrules:\n",
    );
    ws.run(&["apply", "staging", "--yes"], &pairs(&env))
        .expect(0);
    assert!(ws.read("logs/envctl.jsonl").lines().count() > 5);
    assert!(!ws.path(".envctl").exists());
    ws.edit("envctl.yaml", "path: logs/envctl.jsonl", "enabled: false");
    ws.run(&["apply", "production", "--yes"], &pairs(&env))
        .expect(0);
    assert!(!ws.path(".envctl").exists());
    assert!(
        !ws.read("logs/envctl.jsonl")
            .contains("\"environment\":\"production\"")
    );
}

#[test]
fn import_writes_an_environment_that_plans_clean_for_plain_values() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "staging", "--yes"], &env).expect(0);
    let original = ws.read(STAGING);
    ws.run(&["import", "staging", "--from", "supabase:x"], &env)
        .expect(1)
        .expect_output("already exists")
        .expect_output("--force");
    std::fs::remove_file(ws.path(STAGING)).unwrap();
    // A value Vercel stores as plain text is the one kind written inline.
    p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "VITE_PLAIN_FLAG",
        "on",
        envctl_fakes::vercel::EnvType::Plain,
        &["preview"],
        Some("staging"),
        "",
    );
    let vercel = format!("vercel:{VERCEL_PROJECT}:preview:staging");
    let supabase = format!("supabase:{STAGING_REF}");
    let run = ws.run(
        &[
            "import",
            "staging",
            "--from",
            &supabase,
            "--from",
            &vercel,
            "--team",
            VERCEL_TEAM,
        ],
        &env,
    );
    run.expect(0)
        .expect_output("Wrote environments/staging.yaml");
    assert_no_leak(&run.all());
    let imported = ws.read(STAGING);
    assert_no_leak(&imported);
    assert!(
        imported.contains("VITE_PLAIN_FLAG: { value: \"on\", targets: [web] }"),
        "{imported}"
    );
    // Stored `encrypted`, but shipped to every browser by its prefix: inline.
    assert!(
        imported.contains(
            "VITE_API_URL: { value: \"https://staging.huddle.app/functions/v1\", targets: [web] }"
        ),
        "{imported}"
    );
    assert!(
        imported
            .contains("STRIPE_SECRET_KEY: { secret: env:STRIPE_SECRET_KEY, targets: [functions] }"),
        "{imported}"
    );
    assert!(imported.contains("needs a value"), "{imported}");
    assert_ne!(imported, original);
    let plan = ws.run(&["plan", "staging", "--format", "json"], &env);
    plan.expect(0);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout()).unwrap();
    for target in doc["plan"]["targets"].as_array().unwrap() {
        for change in target["changes"].as_array().unwrap() {
            let plain = change["after"]["kind"] == "text";
            if plain {
                assert_eq!(change["action"], "unchanged", "{change}");
            }
        }
    }
}
