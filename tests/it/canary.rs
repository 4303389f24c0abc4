//! Canary secrets through every command: they must never appear in stdout,
//! stderr, or any file envctl writes other than the target files themselves,
//! nor may an unkeyed digest of one (issue 16).

use crate::common;

use common::platforms::pairs;
use common::{Workspace, local_secrets};
use envctl::secret::Fingerprint;

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
    source_canaries_from_every_kind(&ws, staging);
    let p = Platforms::start();
    let mut env = p.env();
    env.push(("ENVCTL_LOG".into(), "trace".into()));
    let env = pairs(&env);

    let outputs = run_every_command(&ws, &p, &env);
    assert_outputs_clean(&outputs);
    assert_only_sources_hold_canaries(&ws, staging);
    assert_platforms_got_their_canaries(&p);
}

/// Three of staging's secrets from a keyring, a file and a command; the
/// others stay env sources.
fn source_canaries_from_every_kind(ws: &Workspace, staging: &str) {
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
}

/// Every command against the fake platforms, failing ones included, ending
/// with a forced panic: each one's label, output and exit code.
fn run_every_command(
    ws: &Workspace,
    p: &common::platforms::Platforms,
    env: &[(&str, &str)],
) -> Vec<(String, String, i32)> {
    let mut outputs = Vec::new();
    let mut run = |args: &[&str], input: Option<&str>, extra: &[(&str, &str)]| {
        let mut all = env.to_vec();
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
    outputs
}

/// No output holds a canary, the panic is withheld, and the commands that
/// should have worked or failed did.
#[track_caller]
fn assert_outputs_clean(outputs: &[(String, String, i32)]) {
    for (command, text, _) in outputs {
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
}

#[track_caller]
fn assert_only_sources_hold_canaries(ws: &Workspace, staging: &str) {
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
}

#[track_caller]
fn assert_platforms_got_their_canaries(p: &common::platforms::Platforms) {
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

// ---------------------------------------------------------------------------
// Issue 16: values envctl did not declare, and platform errors that echo
// what envctl sent. Every command and format at `-vv`, prune off and on;
// no output, no saved plan, no audit log and no imported file may hold a
// canary or the first 8 hex digits of an unkeyed SHA-256 of one.

/// A fixed fingerprint key, so the keyed runs are deterministic.
pub(crate) const FINGERPRINT_KEY: &str = "canary-fingerprint-key-0123456789";

/// Runs envctl at `-vv` in one workspace and checks every output, and
/// every file envctl may have written, for canaries and unkeyed digests.
pub(crate) struct Sweep<'a> {
    ws: &'a Workspace,
    env: Vec<(String, String)>,
    /// Every value that must never be shown, nor its unkeyed digest.
    canaries: Vec<String>,
}

impl<'a> Sweep<'a> {
    pub(crate) fn new(ws: &'a Workspace, env: Vec<(String, String)>, seeded: &[&str]) -> Sweep<'a> {
        let mut canaries: Vec<String> = env
            .iter()
            .filter(|(_, v)| v.contains(CANARY))
            .map(|(_, v)| v.clone())
            .collect();
        canaries.extend(seeded.iter().map(|v| v.to_string()));
        Sweep { ws, env, canaries }
    }

    /// Sets (or replaces) one variable of every later run.
    pub(crate) fn set(&mut self, name: &str, value: &str) {
        self.env.retain(|(k, _)| k != name);
        self.env.push((name.into(), value.into()));
    }

    pub(crate) fn unset(&mut self, name: &str) {
        self.env.retain(|(k, _)| k != name);
    }

    /// Runs `envctl -vv ARGS`, checks its output and the workspace's
    /// files, and returns the exit code and the output.
    #[track_caller]
    pub(crate) fn run(&mut self, args: &[&str], input: Option<&str>) -> (i32, String) {
        let mut full = vec!["-vv"];
        full.extend_from_slice(args);
        let run = self.ws.run_with_input(&full, &pairs(&self.env), input);
        let label = full.join(" ");
        let all = run.all();
        self.assert_clean(&format!("`{label}`"), &all);
        // -vv was on and the command ran for real.
        assert!(!all.trim().is_empty(), "`{label}` printed nothing");
        self.assert_files_clean(&label);
        (run.code(), all)
    }

    /// Like [`Sweep::run`], and the exit code must be one of `codes`.
    #[track_caller]
    pub(crate) fn expect(&mut self, args: &[&str], input: Option<&str>, codes: &[i32]) {
        let (code, all) = self.run(args, input);
        assert!(
            codes.contains(&code),
            "{args:?} exited {code}, expected one of {codes:?}:\n{all}"
        );
    }

    /// `validate`, `plan` of each environment and `drift`, in every format.
    /// `prod` is planned with `--allow-delete` (prune may be on).
    /// A saved plan of prod and its apply, under a key (`plan --out`
    /// needs one); unless `keep_key`, the key is unset again after.
    pub(crate) fn saved_prod_plan(&mut self, keep_key: bool) {
        self.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
        let out = ["plan", "prod", "--allow-delete", "--out", "prod.plan"];
        self.expect(&out, None, &[0]);
        self.expect(&["apply", "prod.plan"], None, &[0]);
        if !keep_key {
            self.unset("ENVCTL_FINGERPRINT_KEY");
        }
    }

    pub(crate) fn every_format(&mut self, plans: &[&str]) {
        for format in FORMATS {
            self.expect(&["validate", "--format", format], None, &[0]);
            for env in plans {
                let mut args = vec!["plan", env, "--format", format];
                if *env == "prod" {
                    args.push("--allow-delete");
                }
                self.expect(&args, None, &[0]);
            }
            self.expect(&["drift", "--format", format], None, &[0, 2]);
        }
    }

    /// `import` into a new environment file per source; each file is
    /// checked by the run, then removed so later runs do not plan it.
    pub(crate) fn import_each(&mut self, sources: &[(&str, String)], extra: &[&str]) {
        for (name, from) in sources {
            let mut args = vec!["import", name, "--from", from];
            args.extend_from_slice(extra);
            self.expect(&args, None, &[0]);
            std::fs::remove_file(self.ws.path(&format!("environments/{name}.yaml"))).unwrap();
        }
    }

    #[track_caller]
    fn assert_clean(&self, what: &str, text: &str) {
        assert!(!text.contains(CANARY), "{what} leaked a canary:\n{text}");
        for value in &self.canaries {
            let digest = Fingerprint::of(value);
            let prefix = &digest.hex()[..8];
            assert!(
                !text.contains(prefix),
                "{what} holds {prefix}, an unkeyed digest prefix of a canary:\n{text}"
            );
        }
    }

    /// Every file but the dotenv targets envctl writes values into: saved
    /// plans, the audit log, imported YAML, the fingerprint key.
    #[track_caller]
    fn assert_files_clean(&self, after: &str) {
        for (path, bytes) in self.ws.files() {
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with(".env") || name == ".dev.vars" {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            self.assert_clean(&format!("{} (after `{after}`)", path.display()), &text);
        }
    }
}

/// The fake served a 400 to a write whose body held a canary: the echo
/// fault did fire on something worth echoing.
#[track_caller]
fn assert_echoed(log: &[envctl_fakes::server::Logged], platform: &str) {
    assert!(
        log.iter()
            .any(|l| l.status == Some(400)
                && String::from_utf8_lossy(&l.request.body).contains(CANARY)),
        "{platform} echoed no write carrying a canary"
    );
}

const FORMATS: [&str; 4] = ["human", "json", "markdown", "github"];

/// Undeclared records seeded on Supabase and Vercel, in staging and
/// production: what no output may show.
const HUDDLE_UNDECLARED_SUPABASE: [(&str, &str); 2] = [
    ("UNDECLARED_SB_SECRET", "CANARY-sb-undeclared-0401"),
    (
        "UNDECLARED_SB_TOKEN",
        "ghp_CANARYsbundeclared0402abcdefghij",
    ),
];
const HUDDLE_UNDECLARED_VERCEL: [(&str, &str, envctl_fakes::vercel::EnvType); 3] = [
    (
        "UNDECLARED_ENCRYPTED",
        "postgres://app:CANARYpassw0rd0403@db.internal/app",
        envctl_fakes::vercel::EnvType::Encrypted,
    ),
    (
        "UNDECLARED_SENSITIVE",
        "CANARY-sensitive-0404",
        envctl_fakes::vercel::EnvType::Sensitive,
    ),
    // Stored as plain text by the platform, but it looks secret
    // (classify: a known token), so it must be masked all the same.
    (
        "UNDECLARED_PLAIN_TOKEN",
        "ghp_CANARYplainundeclared0405abcdef",
        envctl_fakes::vercel::EnvType::Plain,
    ),
];

#[test]
fn undeclared_values_on_supabase_and_vercel_and_echoed_errors_leak_nothing() {
    use common::platforms::{self, Platforms};
    let ws = Workspace::example();
    give_web_a_signing_secret(&ws);
    let p = Platforms::start();
    let mut seeded = seed_huddle_undeclared(&p);
    let mut env = p.env();
    env.push((
        "STAGING_WEB_SIGNING_SECRET".into(),
        "CANARYwebStaging7Qx9Lm2Pz4Rt8Vb".into(),
    ));
    env.push((
        "PROD_WEB_SIGNING_SECRET".into(),
        "CANARYwebProd3Kd8Wn5Hy1Jc6Fg".into(),
    ));
    // Values that only reach envctl on stdin.
    let rotated = "sk-CANARYrotatedUndeclared0406xyz";
    let keyring = "CANARYkeyringUndeclared0407Zq";
    seeded.extend([rotated, keyring]);
    let mut s = Sweep::new(&ws, env, &seeded);

    // Errors that quote the request: the first write on each platform is
    // refused with a 400 holding its body.
    p.supabase.faults().echo_writes(1);
    s.expect(&["apply", "prod", "--yes"], None, &[1]);
    assert_echoed(&p.supabase.requests(), "supabase");
    p.vercel.faults().echo_writes(1);
    s.expect(&["apply", "staging", "--yes"], None, &[1]);
    assert_echoed(&p.vercel.requests(), "vercel");
    s.expect(&["apply", "staging", "--yes"], None, &[0]);
    s.expect(&["apply", "prod", "--yes"], None, &[0]);

    // Prune off, no fingerprint key: every command and format.
    sweep_huddle(&mut s, false);
    let rotate = ["rotate", "staging", "OPENAI_API_KEY", "--stdin", "--yes"];
    s.expect(&rotate, Some(&format!("{rotated}\n")), &[0]);
    ws.edit(
        "environments/staging.yaml",
        "FCM_SERVER_KEY: { secret: env:STAGING_FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: keyring }",
    );
    let set = ["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"];
    s.expect(&set, Some(&format!("{keyring}\n")), &[0]);
    s.expect(&["secret", "get", "staging", "FCM_SERVER_KEY"], None, &[0]);
    s.expect(&["apply", "staging", "--yes"], None, &[0]);

    // Prune on, under a key: the undeclared records are planned as deletes.
    s.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
    turn_prune_on_in_huddle(&ws);
    let plan =
        s.ws.run(&["plan", "prod", "--allow-delete"], &pairs(&s.env));
    assert!(
        plan.stdout().contains("- UNDECLARED_SENSITIVE")
            && plan.stdout().contains("- UNDECLARED_SB_SECRET"),
        "prune is not on:\n{}",
        plan.all()
    );
    sweep_huddle(&mut s, true);
    s.expect(&["apply", "staging", "--yes"], None, &[0]);
    s.expect(&["drift", "staging"], None, &[0]);
    assert!(
        !p.supabase
            .api()
            .secret_names(platforms::STAGING_REF)
            .contains(&"UNDECLARED_SB_SECRET".to_string()),
        "prune did not delete"
    );
}

/// A secret the web target receives, so Vercel writes carry one (and
/// envctl's comment tag its full digest).
fn give_web_a_signing_secret(ws: &Workspace) {
    ws.edit(
        "envctl.yaml",
        r#"web: ["VITE_*"]"#,
        r#"web: ["VITE_*", "WEB_*"]"#,
    );
    for (file, var) in [
        ("environments/staging.yaml", "STAGING_WEB_SIGNING_SECRET"),
        ("environments/production.yaml", "PROD_WEB_SIGNING_SECRET"),
    ] {
        ws.append(
            file,
            &format!("  WEB_SIGNING_SECRET: {{ secret: env:{var} }}"),
        );
    }
}

/// Seeds the undeclared records on Supabase (staging and production) and
/// Vercel (production and the staging preview); returns their values.
fn seed_huddle_undeclared(p: &common::platforms::Platforms) -> Vec<&'static str> {
    use common::platforms::{self, VERCEL_PROJECT};
    let mut seeded = Vec::new();
    for project_ref in [platforms::STAGING_REF, platforms::PRODUCTION_REF] {
        for (key, value) in HUDDLE_UNDECLARED_SUPABASE {
            p.supabase.api().set_secret(project_ref, key, value);
            seeded.push(value);
        }
    }
    for (targets, branch) in [
        (&["production"][..], None),
        (&["preview"][..], Some("staging")),
    ] {
        for (key, value, kind) in HUDDLE_UNDECLARED_VERCEL {
            p.vercel
                .api()
                .insert_record(VERCEL_PROJECT, key, value, kind, targets, branch, "");
            seeded.push(value);
        }
    }
    seeded
}

/// Every command and format on the huddle example, a saved plan and its
/// apply, and an import from each platform. Without `prune` the
/// fingerprint key is unset again after the saved plan.
fn sweep_huddle(s: &mut Sweep, prune: bool) {
    use common::platforms::{self, VERCEL_PROJECT, VERCEL_TEAM};
    s.every_format(&["staging", "prod"]);
    s.expect(&["plan", "staging", "--detailed-exitcode"], None, &[0, 2]);
    s.expect(&["drift", "--require-secrets"], None, &[0, 2]);
    s.expect(&["diff", "staging", "production"], None, &[2]);
    s.expect(&["diff", "staging", "production", "--live"], None, &[2]);
    s.saved_prod_plan(prune);
    let sources = [
        (
            "from-supabase",
            format!("supabase:{}", platforms::STAGING_REF),
        ),
        ("from-vercel", format!("vercel:{VERCEL_PROJECT}:production")),
        (
            "from-preview",
            format!("vercel:{VERCEL_PROJECT}:preview:staging"),
        ),
    ];
    s.import_each(&sources, &["--team", VERCEL_TEAM]);
}

/// Turns prune on for every Vercel and Supabase target of staging and
/// production.
fn turn_prune_on_in_huddle(ws: &Workspace) {
    for file in ["environments/staging.yaml", "environments/production.yaml"] {
        let text = ws.read(file);
        ws.write(
            file,
            &text
                .replace(
                    "    target: production\n",
                    "    target: production\n    prune: true\n",
                )
                .replace(
                    "    git_branch: staging\n",
                    "    git_branch: staging\n    prune: true\n",
                )
                .replace(
                    "    project_ref: hdl",
                    "    prune: true\n    project_ref: hdl",
                ),
        );
    }
}

#[test]
fn undeclared_values_on_cloudflare_and_echoed_errors_leak_nothing() {
    use common::platforms::{self, CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, KLUBZ_STAGING};
    use envctl_fakes::cloudflare::VarType;
    let ws = Workspace::copy_of("examples/klubz");
    let server = platforms::cloudflare();
    // secret_text is write-only; plain_text is readable, but looks secret.
    let undeclared = [
        (
            "UNDECLARED_SECRET",
            VarType::SecretText,
            "CANARY-cf-secret-0501",
        ),
        (
            "UNDECLARED_PLAIN_TOKEN",
            VarType::PlainText,
            "ghp_CANARYcfplain0502abcdefghijklm",
        ),
    ];
    let mut seeded = Vec::new();
    for project in [KLUBZ_STAGING, KLUBZ_PRODUCTION] {
        for (key, kind, value) in undeclared {
            server
                .api()
                .set_by_hand(CLOUDFLARE_ACCOUNT, project, "production", key, kind, value);
            seeded.push(value);
        }
    }
    // A developer's .dev.vars with a secret nobody declared.
    ws.write(
        ".dev.vars",
        "UNDECLARED_DEV=ghp_CANARYdevvars0503abcdefghijkl\n",
    );
    seeded.push("ghp_CANARYdevvars0503abcdefghijkl");
    let rotated = "CANARYrotatedJwt0504Xk7Lp2Qw9Zr";
    seeded.push(rotated);
    let mut env = platforms::cloudflare_env(&server);
    env.push(("LOCAL_JWT_SECRET".into(), "CANARY-jwt-local-0505".into()));
    env.push((
        "LOCAL_ENCRYPTION_KEY".into(),
        "CANARY-enc-local-0506".into(),
    ));
    // For `import --from cloudflare:…`, which has no target to name it.
    env.push(("CLOUDFLARE_ACCOUNT_ID".into(), CLOUDFLARE_ACCOUNT.into()));
    let mut s = Sweep::new(&ws, env, &seeded);

    // Prune off first (klubz prunes by default).
    for file in ["environments/staging.yaml", "environments/production.yaml"] {
        ws.edit(file, "    prune: true\n", "    prune: false\n");
    }
    // The D1 history is read with a POST, which the echo fault would
    // refuse before the apply's PATCH.
    let db = "    database_id: 5b0c7a7e-2d3f-4a1b-9c8d-7e6f5a4b3c21\n";
    ws.edit("environments/staging.yaml", db, "");
    server.faults().echo_writes(1);
    s.expect(&["apply", "staging", "--yes"], None, &[1]);
    assert_echoed(&server.requests(), "cloudflare");
    ws.edit(
        "environments/staging.yaml",
        "    account_id: 4f2a9c1e7b3d40865e1f2a3b4c5d6e7f\n",
        &format!("    account_id: 4f2a9c1e7b3d40865e1f2a3b4c5d6e7f\n{db}"),
    );
    s.expect(&["apply", "staging", "--yes"], None, &[0]);
    s.expect(&["apply", "prod", "--yes"], None, &[0]);
    s.expect(&["plan", "local"], None, &[0]);
    s.expect(&["apply", "local", "--yes"], None, &[0]);

    let sweep = |s: &mut Sweep, prune: bool| {
        s.every_format(&["staging", "prod", "local"]);
        s.expect(&["drift", "--require-secrets"], None, &[0, 2]);
        s.expect(&["diff", "staging", "production", "--live"], None, &[2]);
        s.expect(&["diff", "local", "staging"], None, &[2]);
        s.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
        let out = ["plan", "staging", "--out", "staging.plan"];
        s.expect(&out, None, &[0]);
        s.expect(&["apply", "staging.plan"], None, &[0]);
        if !prune {
            s.unset("ENVCTL_FINGERPRINT_KEY");
        }
        let sources = [
            (
                "from-pages",
                format!("cloudflare:{KLUBZ_STAGING}:production"),
            ),
            ("from-dotenv", "dotenv:.dev.vars".to_string()),
        ];
        s.import_each(&sources, &[]);
    };
    sweep(&mut s, false);
    let rotate = ["rotate", "staging", "JWT_SECRET", "--stdin", "--yes"];
    s.expect(&rotate, Some(&format!("{rotated}\n")), &[0]);

    s.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
    for file in ["environments/staging.yaml", "environments/production.yaml"] {
        ws.edit(file, "    prune: false\n", "    prune: true\n");
    }
    sweep(&mut s, true);
    s.expect(&["apply", "staging", "--yes"], None, &[0]);
    let left = server
        .api()
        .env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING, "production");
    assert!(
        !left.contains_key("UNDECLARED_SECRET"),
        "prune did not delete"
    );
}

#[test]
fn undeclared_values_on_github_and_echoed_errors_leak_nothing() {
    use common::platforms::{self, GITHUB_ENVIRONMENT, GITHUB_REPO};
    let ws = platforms::github_workspace();
    let server = platforms::github();
    let fake = server.api();
    // Secrets are write-only; a variable is readable, but looks secret.
    let secret = "CANARY-gh-secret-0601";
    let plain = "ghp_CANARYghplain0602abcdefghijklmnop";
    for scope in [None, Some(GITHUB_ENVIRONMENT)] {
        fake.set_secret_by_hand(GITHUB_REPO, scope, "UNDECLARED_SECRET", secret);
        fake.set_variable_by_hand(GITHUB_REPO, scope, "UNDECLARED_PLAIN_TOKEN", plain);
    }
    let rotated = "CANARYrotatedDeploy0603Xk7Lp2Qw";
    let mut s = Sweep::new(
        &ws,
        platforms::github_env(&server),
        &[secret, plain, rotated],
    );

    // A refusal quoting the sealed secret envctl sent: neither it nor
    // the value it seals shows.
    server.faults().echo_writes(1);
    let (code, all) = s.run(&["apply", "ci", "--yes"], None);
    assert_eq!(code, 1, "{all}");
    let refused = server
        .requests()
        .into_iter()
        .find(|l| l.status == Some(422))
        .expect("github echoed no write");
    let body: serde_json::Value = serde_json::from_slice(&refused.request.body).unwrap();
    let sealed = body["encrypted_value"].as_str().unwrap();
    assert!(
        !all.contains(&sealed[..16]),
        "the sealed value leaked:\n{all}"
    );
    s.expect(&["apply", "ci", "--yes"], None, &[0]);
    s.expect(&["apply", "prod", "--yes"], None, &[0]);

    let sweep = |s: &mut Sweep, prune: bool| {
        s.every_format(&["ci", "prod"]);
        s.expect(&["drift", "--require-secrets"], None, &[0, 2]);
        s.expect(&["diff", "ci", "production", "--live"], None, &[2]);
        s.saved_prod_plan(prune);
        let sources = [
            ("from-repo", format!("github:{GITHUB_REPO}")),
            (
                "from-env",
                format!("github:{GITHUB_REPO}:{GITHUB_ENVIRONMENT}"),
            ),
        ];
        s.import_each(&sources, &[]);
    };
    sweep(&mut s, false);
    let rotate = ["rotate", "ci", "DEPLOY_KEY", "--stdin", "--yes"];
    s.expect(&rotate, Some(&format!("{rotated}\n")), &[0]);
    assert_eq!(
        fake.secret_plaintext(GITHUB_REPO, None, "DEPLOY_KEY")
            .as_deref(),
        Some(rotated)
    );

    // Prune on, under a key: the undeclared ones are planned as deletes.
    s.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
    for file in ["environments/ci.yaml", "environments/production.yaml"] {
        ws.edit(file, "    repository:", "    prune: true\n    repository:");
    }
    let plan = s.ws.run(&["plan", "ci"], &pairs(&s.env));
    assert!(
        plan.stdout().contains("- UNDECLARED_SECRET")
            && plan.stdout().contains("- UNDECLARED_PLAIN_TOKEN"),
        "prune is not on:\n{}",
        plan.all()
    );
    sweep(&mut s, true);
    s.expect(&["apply", "ci", "--yes"], None, &[0]);
    s.expect(&["drift", "ci"], None, &[0, 2]);
    for scope in [None, Some(GITHUB_ENVIRONMENT)] {
        assert!(
            !fake
                .secrets(GITHUB_REPO, scope)
                .contains_key("UNDECLARED_SECRET")
                && !fake
                    .variables(GITHUB_REPO, scope)
                    .contains_key("UNDECLARED_PLAIN_TOKEN"),
            "prune did not delete in {scope:?}"
        );
    }
}
