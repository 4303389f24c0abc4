//! Canary secrets through every command: they must never appear in stdout,
//! stderr, or any file envctl writes other than the target files themselves.

mod common;

use common::{Workspace, local_secrets};

const CANARY: &str = "CANARY";

#[test]
fn canary_secrets_never_leak() {
    let ws = Workspace::example();
    // A literal secret typed into a protected environment must not be echoed either.
    ws.edit(
        "environments/production.yaml",
        "  OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }",
        "  OPENAI_API_KEY: sk-proj-CANARYliteral00000000000000",
    );
    let mut secrets = local_secrets();
    secrets.extend([
        ("PROD_STRIPE_SECRET_KEY", "sk_live_CANARYprod0005"),
        ("PROD_STRIPE_WEBHOOK_SECRET", "whsec_CANARYprod0006"),
        ("PROD_FCM_SERVER_KEY", "CANARYprodfcm0007"),
        ("STAGING_STRIPE_SECRET_KEY", "sk_test_CANARYstaging0008"),
        ("STAGING_STRIPE_WEBHOOK_SECRET", "whsec_CANARYstaging0009"),
        ("STAGING_FCM_SERVER_KEY", "CANARYstagingfcm0010"),
    ]);
    // Something live and secret-looking that the desired state does not declare.
    ws.write(
        ".env.local",
        "# notes\nUNDECLARED_TOKEN=ghp_CANARYundeclared0123456789abcdef\n",
    );

    let commands: &[&[&str]] = &[
        &["validate"],
        &["plan", "local"],
        &["plan", "local", "--format", "json"],
        &["plan", "local", "--format", "markdown"],
        &["apply", "local", "--yes"],
        &["plan", "local", "--detailed-exitcode"],
        &["drift"],
        &["drift", "--format", "json"],
        &["diff", "staging", "production"],
        &["diff", "local", "production"],
        &["plan", "prod"],
        &["plan", "prod", "--format", "json"],
        &["plan", "staging"],
        &["apply", "prod", "--yes"],
        &["schema"],
    ];
    for args in commands {
        let run = ws.run(args, &secrets);
        assert!(
            !run.all().contains(CANARY),
            "{args:?} leaked a canary:\n{}",
            run.all()
        );
        // Every command ran for real: make sure something was said.
        assert!(!run.all().trim().is_empty(), "{args:?} printed nothing");
    }
    let targets = [
        ws.path(".env.local"),
        ws.path("supabase/functions/.env"),
        ws.path("environments/production.yaml"),
    ];
    for (path, bytes) in ws.files() {
        if targets.contains(&path) {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} contains a canary",
            path.display()
        );
    }
    // The apply did write the values where they belong.
    assert!(
        ws.read(".env.local")
            .contains("UNDECLARED_TOKEN=ghp_CANARY")
    );
    assert!(
        ws.read("supabase/functions/.env")
            .contains("sk_test_CANARYstripe0001")
    );
}

/// Issue 5's canary run: a canary in every source kind (env, file,
/// keyring, command), through every command against the fake platforms —
/// failing ones, every format, a saved plan, `-vv` with trace logging, a
/// rotation, an import and a forced panic with `RUST_BACKTRACE=1`. No canary
/// may appear anywhere but in the platform it was meant for.
#[test]
fn canaries_from_every_source_kind_stay_out_of_every_output() {
    use common::platforms::{Platforms, pairs};
    let ws = Workspace::example();
    let staging = "environments/staging.yaml";
    ws.edit(
        staging,
        "FCM_SERVER_KEY: { secret: env:STAGING_FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: keyring }",
    );
    ws.edit(
        staging,
        "OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }",
        "OPENAI_API_KEY: { secret: file:secrets/openai.txt }",
    );
    ws.edit(
        staging,
        "STRIPE_WEBHOOK_SECRET: { secret: env:STAGING_STRIPE_WEBHOOK_SECRET }",
        "STRIPE_WEBHOOK_SECRET: { secret: { command: [printf, \"whsec_CANARYcommand0301\"] } }",
    );
    ws.write("secrets/openai.txt", "sk-CANARYfile0302\n");
    let p = Platforms::start();
    let mut env = p.env();
    env.push(("ENVCTL_LOG".into(), "trace".into()));
    let env = pairs(&env);

    let mut outputs = Vec::new();
    let mut run = |args: &[&str], input: Option<&str>, extra: &[(&str, &str)]| {
        let mut all = env.clone();
        all.extend_from_slice(extra);
        let run = ws.run_with_input(args, &all, input);
        outputs.push((args.join(" "), run.all(), run.code()));
    };
    run(
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        Some("CANARYkeyring0303\n"),
        &[],
    );
    run(&["secret", "get", "staging", "FCM_SERVER_KEY"], None, &[]);
    run(&["validate", "--format", "github"], None, &[]);
    for format in ["human", "json", "markdown", "github"] {
        run(&["-vv", "plan", "staging", "--format", format], None, &[]);
    }
    run(
        &["-vv", "plan", "staging", "--out", "staging.plan"],
        None,
        &[],
    );
    run(&["-vv", "apply", "staging.plan"], None, &[]);
    run(&["-vv", "drift", "staging", "--format", "json"], None, &[]);
    run(
        &["-vv", "diff", "staging", "production", "--live"],
        None,
        &[],
    );
    // Failing commands: a stale plan, a throttled platform, a bad rotate.
    run(&["plan", "staging", "--out", "stale.plan"], None, &[]);
    p.supabase.api().set_secret(
        common::platforms::STAGING_REF,
        "NEW_BY_HAND",
        "CANARYbyhand0304",
    );
    run(&["-vv", "apply", "stale.plan"], None, &[]);
    p.supabase.faults().fail(2);
    run(
        &["-vv", "apply", "staging", "--yes"],
        None,
        &[("ENVCTL_HTTP_DEADLINE", "1")],
    );
    run(
        &[
            "-vv",
            "rotate",
            "staging",
            "OPENAI_API_KEY",
            "--stdin",
            "--yes",
        ],
        Some("sk-CANARYrotated0305\n"),
        &[],
    );
    run(
        &[
            "rotate",
            "staging",
            "STRIPE_WEBHOOK_SECRET",
            "--generate",
            "--yes",
        ],
        None,
        &[],
    );
    run(
        &[
            "-vv",
            "import",
            "imported",
            "--from",
            "supabase:hdlstagingabcdefghij",
        ],
        None,
        &[],
    );
    run(
        &["plan", "staging"],
        None,
        &[("ENVCTL_TEST_PANIC", "1"), ("RUST_BACKTRACE", "1")],
    );

    for (command, text, _) in &outputs {
        assert!(!text.contains(CANARY), "`{command}` leaked:\n{text}");
    }
    let (_, panic, code) = outputs.last().unwrap();
    assert_eq!(*code, 101, "{panic}");
    assert!(
        panic.contains("envctl crashed at") && panic.contains("message withheld"),
        "{panic}"
    );
    let codes: Vec<i32> = outputs.iter().map(|(_, _, c)| *c).collect();
    assert_eq!(&codes[..4], &[0, 0, 0, 0], "{outputs:?}");
    assert!(
        outputs
            .iter()
            .any(|(c, t, code)| c == "-vv apply stale.plan"
                && *code == 1
                && t.contains("is stale"))
    );

    // Files envctl wrote: only the source files it owns may hold a canary
    // (the rotated file: source), never a plan, a log or an import.
    for (path, bytes) in ws.files() {
        let text = String::from_utf8_lossy(&bytes);
        // The file source, and the YAML whose `command` prints a canary.
        if path.ends_with("secrets/openai.txt") || path.ends_with(staging) {
            continue;
        }
        assert!(!text.contains(CANARY), "{} holds a canary", path.display());
    }
    // The platforms hold what was meant for them.
    let digest = |v: &str| envctl::secret::Fingerprint::of(v).hex().to_string();
    let api = p.supabase.api();
    let at = common::platforms::STAGING_REF;
    assert_eq!(
        api.secret_digest(at, "FCM_SERVER_KEY"),
        Some(digest("CANARYkeyring0303"))
    );
    assert_eq!(
        api.secret_digest(at, "OPENAI_API_KEY"),
        Some(digest("sk-CANARYrotated0305"))
    );
}
