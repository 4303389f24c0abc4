//! The rules that check values against each other, end to end on small
//! fixture apps: `supabase-key-project`, `cross-environment-target`,
//! `stripe-key-pair` and `reused-secret` each refuse the runbook incident
//! they come from and pass the setup that is right; `sensitive:` says
//! what a plain value's looks cannot. Canary values never reach output.

use crate::common;

use common::Workspace;

const PROD_REF: &str = "shopproductionrefabc";
const STAGING_REF: &str = "shopstagingrefabcdef";

/// An anon key of `project`, shaped as the Supabase dashboard shows it.
fn anon(project: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let payload =
        format!(r#"{{"iss":"supabase","ref":"{project}","role":"anon","iat":1735689600}}"#);
    let mut b64 = String::new();
    for chunk in payload.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            b64.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    format!("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{b64}.c2lnbmF0dXJlLW5vdC1yZWFs")
}

/// A Next.js app on Vercel and Supabase with staging and production, as
/// runbook 003 runs it; every value right.
fn shop() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write(
        "envctl.yaml",
        "version: 1\nproject: shop\nroutes:\n  db: []\n",
    );
    let env = |protected: bool, target: &str, project: &str| {
        format!(
            "protected: {protected}\n\
             targets:\n\
             \x20 app: {{ type: vercel, project: shop, team: team_shop, target: {target} }}\n\
             \x20 db: {{ type: supabase, project_ref: {project} }}\n\
             variables:\n\
             \x20 NEXT_PUBLIC_SUPABASE_URL: https://{project}.supabase.co\n\
             \x20 NEXT_PUBLIC_SUPABASE_ANON_KEY: {}\n",
            anon(project)
        )
    };
    ws.write(
        "environments/production.yaml",
        &env(true, "production", PROD_REF),
    );
    ws.write(
        "environments/staging.yaml",
        &env(false, "preview", STAGING_REF),
    );
    ws.run(&["validate"], &[]).expect(0);
    ws
}

#[test]
fn the_staging_anon_key_under_the_production_url_is_refused() {
    let ws = shop();
    ws.edit(
        "environments/production.yaml",
        &anon(PROD_REF),
        &anon(STAGING_REF),
    );
    let line = ws.line_of(
        "environments/production.yaml",
        "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    );
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output(&format!("environments/production.yaml:{line}:"))
        .expect_output(&format!(
            "error[supabase-key-project]: NEXT_PUBLIC_SUPABASE_ANON_KEY is a key of Supabase project {STAGING_REF}, while target db puts production in project {PROD_REF}"
        ))
        .expect_output("fix: use project");
    // The same mistake in staging warns.
    let ws = shop();
    ws.edit(
        "environments/staging.yaml",
        &anon(STAGING_REF),
        &anon(PROD_REF),
    );
    ws.run(&["validate", "staging"], &[])
        .expect(0)
        .expect_output("warning[supabase-key-project]");
}

#[test]
fn staging_on_the_production_project_is_refused_in_either_direction() {
    let ws = shop();
    ws.edit(
        "environments/staging.yaml",
        &format!("project_ref: {STAGING_REF}"),
        &format!("project_ref: {PROD_REF}"),
    );
    let line = ws.line_of("environments/staging.yaml", "db:");
    let run = ws.run(&["validate"], &[]);
    run.expect(3)
        .expect_output(&format!("environments/staging.yaml:{line}:"))
        .expect_output(&format!(
            "error[cross-environment-target]: target db writes to supabase project {PROD_REF}, as target db of production does"
        ))
        .expect_output("error[cross-environment-target]: target db writes to supabase project")
        .expect_output("refused: the desired state of production, staging");

    // A URL is enough: staging's frontend talking to production's project.
    let ws = shop();
    ws.edit(
        "environments/staging.yaml",
        &format!("https://{STAGING_REF}.supabase.co"),
        &format!("https://{PROD_REF}.supabase.co"),
    );
    ws.run(&["validate", "staging"], &[])
        .expect(3)
        .expect_output(&format!(
            "error[cross-environment-target]: NEXT_PUBLIC_SUPABASE_URL points at {PROD_REF}.supabase.co, which is production's (target db)"
        ));
    ws.run(&["validate", "production"], &[]).expect(0);

    // A preview writing Vercel's production variables.
    let ws = shop();
    ws.edit(
        "environments/staging.yaml",
        "target: preview",
        "target: production",
    );
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output("target app writes to vercel project shop (team team_shop), target production, as target app of staging does");
}

/// A payments app whose environments are dotenv files, so `plan` resolves
/// and judges secrets without any platform.
fn payments() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", "version: 1\nproject: pay\n");
    ws.write(
        "environments/production.yaml",
        "protected: true\n\
         targets:\n  app: { type: dotenv, path: prod.env }\n\
         variables:\n\
         \x20 NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: pk_live_51Pay0ProductionPublishable\n\
         \x20 STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY }\n\
         \x20 OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }\n",
    );
    ws.write(
        "environments/staging.yaml",
        "targets:\n  app: { type: dotenv, path: staging.env }\n\
         variables:\n\
         \x20 NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: pk_test_51Pay0StagingSandbox\n\
         \x20 STRIPE_SECRET_KEY: { secret: env:STAGING_STRIPE_SECRET_KEY }\n\
         \x20 OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }\n\
         \x20 STRIPE_WEBHOOK_SECRET: { secret: { command: [sh, -c, \"touch ran && echo whsec_CANARYcommand0001\"] }, environment_specific: true }\n",
    );
    ws
}

const PROD_LIVE: &str = "sk_live_CANARYprod4f8a1c9e2b7d3056";
const STAGING_TEST: &str = "sk_test_CANARYstaging9d1e4b7a2c8f5063";
const OPENAI: &str = "sk-proj-CANARYopenai3b8e1f6a9c2d7054";

#[test]
fn a_publishable_and_a_secret_key_of_two_stripe_modes_are_refused() {
    let ws = payments();
    let mismatched = [
        ("PROD_STRIPE_SECRET_KEY", STAGING_TEST),
        ("OPENAI_API_KEY", OPENAI),
    ];
    // validate resolves nothing: the secret key's mode is not known.
    ws.run(&["validate"], &[]).expect(0);
    let run = ws.run(&["plan", "production"], &mismatched);
    run.expect(3)
        .expect_output("error[stripe-key-pair]: NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is a live-mode Stripe key and STRIPE_SECRET_KEY a test-mode one, in production")
        .expect_output("environments/production.yaml:5:");
    common::platforms::assert_no_leak(&run.all());

    let right = [
        ("PROD_STRIPE_SECRET_KEY", PROD_LIVE),
        ("OPENAI_API_KEY", OPENAI),
    ];
    let run = ws.run(&["plan", "production"], &right);
    run.expect(0);
    assert!(!run.all().contains("stripe-key-pair"), "{}", run.all());
    common::platforms::assert_no_leak(&run.all());

    // Outside production it warns.
    ws.edit(
        "environments/staging.yaml",
        "pk_test_51Pay0StagingSandbox",
        "pk_live_51Pay0Mixup",
    );
    let staging = [
        ("STAGING_STRIPE_SECRET_KEY", STAGING_TEST),
        ("OPENAI_API_KEY", OPENAI),
    ];
    let run = ws.run(&["plan", "staging"], &staging);
    run.expect(0).expect_output("warning[stripe-key-pair]");
    common::platforms::assert_no_leak(&run.all());
}

#[test]
fn a_production_secret_equal_to_a_staging_one_is_refused_by_digest_only() {
    let ws = payments();
    let promoted = [
        ("PROD_STRIPE_SECRET_KEY", PROD_LIVE),
        ("STAGING_STRIPE_SECRET_KEY", PROD_LIVE),
        ("OPENAI_API_KEY", OPENAI),
    ];
    let run = ws.run(&["plan", "production"], &promoted);
    run.expect(3).expect_output(
        "error[reused-secret]: STRIPE_SECRET_KEY in production has the same value as STRIPE_SECRET_KEY in staging: their digests match",
    );
    // OPENAI_API_KEY reads one source in both: shared on purpose, as written.
    assert!(
        !run.all().contains("OPENAI_API_KEY in production"),
        "{}",
        run.all()
    );
    common::platforms::assert_no_leak(&run.all());
    let digest = envctl::secret::Fingerprint::of(PROD_LIVE);
    assert!(!run.all().contains(digest.hex()), "{}", run.all());
    // Another environment's `command` source is never run.
    assert!(!ws.path("ran").exists(), "staging's command ran");
    // Staging is not protected: the rule judges production only (staging
    // is refused for holding a live key, by `stripe-key-mode`).
    let run = ws.run(&["plan", "staging"], &promoted);
    run.expect(3).expect_output("error[stripe-key-mode]");
    assert!(!run.all().contains("reused-secret"), "{}", run.all());

    let own = [
        ("PROD_STRIPE_SECRET_KEY", PROD_LIVE),
        ("STAGING_STRIPE_SECRET_KEY", STAGING_TEST),
        ("OPENAI_API_KEY", OPENAI),
    ];
    let run = ws.run(&["plan", "production"], &own);
    run.expect(0);
    common::platforms::assert_no_leak(&run.all());

    // A keychain entry is staging's own source, however it is spelled.
    ws.edit(
        "environments/staging.yaml",
        "secret: env:STAGING_STRIPE_SECRET_KEY",
        "secret: keyring",
    );
    ws.run_with_input(
        &["secret", "set", "staging", "STRIPE_SECRET_KEY", "--stdin"],
        &[],
        Some(PROD_LIVE),
    )
    .expect(0);
    let run = ws.run(&["plan", "production"], &own);
    run.expect(3).expect_output("error[reused-secret]");
    common::platforms::assert_no_leak(&run.all());
}

#[test]
fn sensitive_false_vouches_for_an_identifier_and_true_masks_a_plain_secret() {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", "version: 1\nproject: klubz\n");
    let sid = "AC3f9a0c1e7b2d4086a1b2c3d4e5f60718";
    ws.write(
        "environments/production.yaml",
        &format!(
            "protected: true\ntargets:\n  app: {{ type: dotenv, path: prod.env }}\nvariables:\n  TWILIO_ACCOUNT_SID: {sid}\n"
        ),
    );
    // runbook 004 §2: a Twilio Account SID looks random; today a refusal.
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output("error[literal-secret]: TWILIO_ACCOUNT_SID holds a random-looking string");
    ws.edit(
        "environments/production.yaml",
        &format!("TWILIO_ACCOUNT_SID: {sid}"),
        &format!("TWILIO_ACCOUNT_SID: {{ value: {sid}, sensitive: false }}"),
    );
    ws.run(&["validate"], &[]).expect(0);
    ws.run(&["plan", "production"], &[])
        .expect(0)
        .expect_output(sid);

    // The reverse: a plain value that looks ordinary but is a secret.
    let pin = "CANARY-door-pin-0042";
    ws.append(
        "environments/production.yaml",
        &format!("  ADMIN_PIN: {{ value: {pin}, sensitive: true }}"),
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(3).expect_output(
        "error[literal-secret]: ADMIN_PIN holds a value marked `sensitive: true` written literally in YAML",
    );
    common::platforms::assert_no_leak(&run.all());
    ws.write("environments/local.yaml", &format!(
        "targets:\n  app: {{ type: dotenv, path: .env.local }}\nvariables:\n  ADMIN_PIN: {{ value: {pin}, sensitive: true }}\n  TWILIO_ACCOUNT_SID: {{ value: {sid}, sensitive: false }}\n"
    ));
    for args in [
        &["plan", "local"][..],
        &["plan", "local", "--format", "json"],
        &["example"],
    ] {
        let run = ws.run(args, &[]);
        run.expect(0);
        common::platforms::assert_no_leak(&run.all());
    }
}

#[test]
fn a_marker_that_cannot_hold_is_refused_at_its_line_without_the_value() {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", "version: 1\nproject: t\n");
    ws.write(
        "environments/production.yaml",
        "protected: true\ntargets:\n  app: { type: dotenv, path: prod.env }\nvariables:\n  KEY: { value: sk_live_CANARYnotanidentifier01, sensitive: false }\n",
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(1)
        .expect_output("environments/production.yaml:5:")
        .expect_output(
            "`sensitive: false` on KEY: the value is a Stripe live secret key by its format",
        );
    common::platforms::assert_no_leak(&run.all());
    ws.write(
        "environments/production.yaml",
        "targets:\n  app: { type: dotenv, path: prod.env }\nvariables:\n  KEY: { secret: env:KEY, sensitive: true }\n",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output("`sensitive` goes with `value:`; a `secret:` reference is always sensitive");
}

// ---------------------------------------------------------------------------
// The team examples, each broken the way its runbook describes.

/// realdealkickz (runbook 003 §12: "Stripe secret mismatch in staging→prod
/// promotion"): production handed staging's values. Each is refused before
/// anything live is read, so no platform is needed.
#[test]
fn realdealkickz_refuses_a_promotion_that_carried_staging_values() {
    let ws = Workspace::copy_of("examples/realdealkickz");
    let staging_anon = ws.read("environments/staging.yaml");
    let staging_anon = staging_anon
        .lines()
        .find_map(|l| l.trim().strip_prefix("NEXT_PUBLIC_SUPABASE_ANON_KEY: "))
        .and_then(|v| v.split_whitespace().next())
        .expect("staging's anon key")
        .to_string();
    let prod = ws.read("environments/production.yaml");
    let prod_anon = prod
        .lines()
        .find_map(|l| l.trim().strip_prefix("NEXT_PUBLIC_SUPABASE_ANON_KEY: "))
        .and_then(|v| v.split_whitespace().next())
        .expect("production's anon key")
        .to_string();
    ws.edit("environments/production.yaml", &prod_anon, &staging_anon);
    ws.run(&["validate", "prod"], &[])
        .expect(3)
        .expect_output("error[supabase-key-project]: NEXT_PUBLIC_SUPABASE_ANON_KEY is a key of Supabase project rdkstagingprojectxyz, while target db puts production in project rdkproductionprojabc");

    let ws = Workspace::copy_of("examples/realdealkickz");
    // The live publishable key went over, the staging secret key with it.
    let test_key = "sk_test_CANARYsandbox7c1e9a4f2b8d";
    let run = ws.run(&["plan", "prod"], &[("PROD_STRIPE_SECRET_KEY", test_key)]);
    run.expect(3)
        .expect_output("error[stripe-key-pair]: NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is a live-mode Stripe key and STRIPE_SECRET_KEY a test-mode one")
        .expect_output("live state was not used");
    common::platforms::assert_no_leak(&run.all());

    // Production's live key, copied into staging's variable as well.
    let live_key = "sk_live_CANARYshared5e2a8c1f9b4d7063";
    let both = [
        ("PROD_STRIPE_SECRET_KEY", live_key),
        ("STAGING_STRIPE_SECRET_KEY", live_key),
    ];
    let run = ws.run(&["plan", "prod"], &both);
    run.expect(3).expect_output(
        "error[reused-secret]: STRIPE_SECRET_KEY in production has the same value as STRIPE_SECRET_KEY in staging: their digests match",
    );
    common::platforms::assert_no_leak(&run.all());

    // Staging's database pointed at production's project.
    ws.edit(
        "environments/staging.yaml",
        "project_ref: rdkstagingprojectxyz",
        "project_ref: rdkproductionprojabc",
    );
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output("error[cross-environment-target]: target db writes to supabase project rdkproductionprojabc, as target db of production does");
}

/// klubz (runbook 004 §2, "Conditionally required: TWILIO_ACCOUNT_SID,
/// TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER"): the Account SID is an
/// identifier that looks random; `sensitive: false` says so.
#[test]
fn klubz_declares_the_twilio_account_sid_not_secret() {
    let ws = Workspace::copy_of("examples/klubz");
    let sid = "AC3f9a0c1e7b2d4086a1b2c3d4e5f60718";
    ws.append(
        "environments/staging.yaml",
        &format!(
            "  TWILIO_ACCOUNT_SID: {{ value: {sid}, environment_specific: true }}\n  TWILIO_AUTH_TOKEN: {{ secret: env:STAGING_TWILIO_AUTH_TOKEN, environment_specific: true }}\n  TWILIO_PHONE_NUMBER: {{ value: \"+15005550006\", environment_specific: true }}"
        ),
    );
    ws.run(&["validate", "staging"], &[])
        .expect(0)
        .expect_output("warning[literal-secret]: TWILIO_ACCOUNT_SID holds a random-looking string");
    ws.edit(
        "environments/staging.yaml",
        &format!("{{ value: {sid}, environment_specific: true }}"),
        &format!("{{ value: {sid}, sensitive: false, environment_specific: true }}"),
    );
    let run = ws.run(&["validate", "staging"], &[]);
    run.expect(0);
    assert!(!run.all().contains("warning"), "{}", run.all());
    // And two Pages projects stay two: staging's links at production's
    // address are refused in staging too.
    ws.edit(
        "environments/staging.yaml",
        "APP_URL: https://klubz-staging.pages.dev",
        "APP_URL: https://klubz-production.pages.dev",
    );
    ws.run(&["validate", "staging"], &[])
        .expect(3)
        .expect_output("error[cross-environment-target]: APP_URL points at klubz-production.pages.dev, which is production's (target pages)");
}
