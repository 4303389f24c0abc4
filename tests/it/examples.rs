//! End-to-end runs of the built binary on copies of the team examples in
//! `examples/` (one per runbook 000–004): each validates, round-trips its
//! local environment offline with canary secrets that never show up in any
//! output, and refuses the breakage its runbook describes, naming the rule
//! and the file and line.
//!
//! Staging and production read live Vercel, Supabase and Cloudflare
//! projects, so they are only checked here offline (`validate`, and
//! `plan prod` when the desired state is refused before anything live is
//! read); `tests/it/cloudflare.rs` runs klubz's against the fake Cloudflare.

use crate::common;

use common::Workspace;
use common::platforms::pairs;

/// One example: its folder under `examples/`, the `env:` secrets its local
/// environment references, and how many keys `plan local` adds to an empty
/// machine.
struct Example {
    name: &'static str,
    local_secrets: &'static [&'static str],
    local_adds: usize,
}

const HUDDLE: Example = Example {
    name: "huddle",
    local_secrets: &[
        "STRIPE_TEST_SECRET_KEY",
        "STRIPE_TEST_WEBHOOK_SECRET",
        "OPENAI_API_KEY",
        "FCM_SERVER_KEY",
        "LOCAL_SUPABASE_SERVICE_ROLE_KEY",
    ],
    local_adds: 13,
};

const PROMORANG: Example = Example {
    name: "promorang",
    local_secrets: &["LOCAL_SUPABASE_SERVICE_ROLE_KEY"],
    local_adds: 10,
};

const PROMPT_ATOMS: Example = Example {
    name: "prompt-atoms",
    local_secrets: &[
        "LOCAL_SUPABASE_SERVICE_ROLE_KEY",
        "STRIPE_TEST_SECRET_KEY",
        "STRIPE_TEST_WEBHOOK_SECRET",
        "OPENAI_API_KEY",
    ],
    local_adds: 13,
};

const REALDEALKICKZ: Example = Example {
    name: "realdealkickz",
    local_secrets: &[
        "LOCAL_SUPABASE_SERVICE_ROLE_KEY",
        "STRIPE_TEST_SECRET_KEY",
        "STRIPE_TEST_WEBHOOK_SECRET",
        "LOCAL_REVALIDATE_SECRET",
        "UPSTASH_DEV_REDIS_REST_TOKEN",
    ],
    local_adds: 11,
};

const KLUBZ: Example = Example {
    name: "klubz",
    local_secrets: &["LOCAL_JWT_SECRET", "LOCAL_ENCRYPTION_KEY"],
    local_adds: 6,
};

const ALL: [&Example; 5] = [&HUDDLE, &PROMORANG, &PROMPT_ATOMS, &REALDEALKICKZ, &KLUBZ];

/// A canary value for a secret: unique per name, easy to grep for.
fn canary(name: &str) -> String {
    format!(
        "canary-{}-5f3a9c1e7b2d4086",
        name.to_lowercase().replace('_', "-")
    )
}

impl Example {
    fn secrets(&self) -> Vec<(String, String)> {
        self.local_secrets
            .iter()
            .map(|name| (name.to_string(), canary(name)))
            .collect()
    }
}

/// A copy of one example in a temporary folder, so nothing is written into
/// the repository.
fn copy(example: &Example) -> Workspace {
    Workspace::copy_of(&format!("examples/{}", example.name))
}

// ---------------------------------------------------------------------------
// Every example: validate, and a local round trip with canary secrets.

#[test]
fn every_example_validates_offline() {
    for example in ALL {
        let ws = copy(example);
        let run = ws.run(&["validate"], &[]);
        run.expect(0)
            .expect_output("valid: local, production, staging");
        assert!(
            !run.all().contains("warning"),
            "{}: validate should be clean:\n{}",
            example.name,
            run.all()
        );
    }
}

#[test]
fn every_example_validates_its_aliases() {
    for example in ALL {
        let ws = copy(example);
        ws.run(&["validate", "prod"], &[]).expect(0);
    }
}

fn local_round_trip(example: &Example) {
    let ws = copy(example);
    let secrets = example.secrets();
    let env = pairs(&secrets);

    // Without the secrets: the plan still works, with "cannot be verified".
    let run = ws.run(&["plan", "local"], &[]);
    run.expect(0).expect_output(&format!(
        "{} cannot be verified",
        example.local_secrets.len()
    ));

    let run = ws.run(&["plan", "local", "--detailed-exitcode"], &env);
    run.expect(2)
        .expect_output(&format!(
            "Plan: {} to add, 0 to change, 0 to delete.",
            example.local_adds
        ))
        .expect_no_canary(&secrets);
    assert!(
        !run.all().contains("cannot be verified") && !run.all().contains("warning"),
        "{}: every secret resolves:\n{}",
        example.name,
        run.all()
    );

    for format in ["json", "markdown"] {
        ws.run(&["plan", "local", "--format", format], &env)
            .expect(0)
            .expect_no_canary(&secrets);
    }

    ws.run(&["apply", "local", "--yes"], &env)
        .expect(0)
        .expect_output(&format!(
            "Apply complete: {} changes written to local.",
            example.local_adds
        ))
        .expect_no_canary(&secrets);

    ws.run(&["plan", "local", "--detailed-exitcode"], &env)
        .expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.")
        .expect_no_canary(&secrets);

    // The secrets were resolved and written, each to some dotenv file.
    let written: String = ws
        .files()
        .into_iter()
        .filter(|(p, _)| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(".env") || name == ".dev.vars"
        })
        .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    for (name, value) in &secrets {
        assert!(
            written.contains(value.as_str()),
            "{}: {name} was not written",
            example.name
        );
    }

    // drift agrees: local is in sync now (the deployed environments need
    // platform tokens and are not checked here).
    ws.run(&["drift", "local"], &env)
        .expect(0)
        .expect_no_canary(&secrets);
}

#[test]
fn huddle_local_round_trip() {
    local_round_trip(&HUDDLE);
}

#[test]
fn promorang_local_round_trip() {
    local_round_trip(&PROMORANG);
}

#[test]
fn prompt_atoms_local_round_trip() {
    local_round_trip(&PROMPT_ATOMS);
}

#[test]
fn realdealkickz_local_round_trip() {
    local_round_trip(&REALDEALKICKZ);
}

#[test]
fn klubz_local_round_trip() {
    local_round_trip(&KLUBZ);
}

// ---------------------------------------------------------------------------
// Runbook 000 (huddle): bypass flags never deployed.

#[test]
fn huddle_bypass_flag_in_production_is_refused() {
    let ws = copy(&HUDDLE);
    let line = ws.append(
        "environments/production.yaml",
        "  ALLOW_STRIPE_FALLBACK: \"true\"",
    );
    // `plan prod` refuses before it needs any token or live state.
    for args in [&["validate"][..], &["plan", "prod"][..]] {
        ws.run(args, &[])
            .expect(3)
            .expect_output(&format!(
                "environments/production.yaml:{line}:26: error[forbidden-flag]: bypass flag ALLOW_STRIPE_FALLBACK is enabled in production"
            ));
    }
}

#[test]
fn huddle_bypass_flag_in_a_preview_is_refused_too() {
    let ws = copy(&HUDDLE);
    let line = ws.append(
        "environments/staging.yaml",
        "  ALLOW_WEBHOOK_TEST_BYPASS: \"true\"",
    );
    ws.run(&["validate", "staging"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/staging.yaml:{line}:30: error[forbid]: ALLOW_WEBHOOK_TEST_BYPASS is forbidden in staging"
        ))
        .expect_output("runbook 000 §2.3");
}

#[test]
fn huddle_bypass_flags_stay_allowed_locally() {
    let ws = copy(&HUDDLE);
    let run = ws.run(&["validate", "local"], &[]);
    run.expect(0);
    assert!(!run.all().contains("forbidden-flag"), "{}", run.all());
}

#[test]
fn huddle_localhost_api_in_production_is_refused() {
    let ws = copy(&HUDDLE);
    ws.edit(
        "environments/production.yaml",
        "VITE_WS_URL: wss://api.huddle.app/realtime/v1",
        "VITE_WS_URL: ws://localhost:54321/realtime/v1",
    );
    let line = ws.line_of("environments/production.yaml", "VITE_WS_URL:");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:16: error[localhost-url]: VITE_WS_URL points at localhost"
        ))
        .expect_output(&format!(
            "environments/production.yaml:{line}:16: error[pattern]: VITE_WS_URL does not match"
        ));
}

#[test]
fn huddle_service_role_key_sent_to_supabase_is_refused() {
    let ws = copy(&HUDDLE);
    // Pushing the whole backend env file to Supabase (runbook 000 §3 step 6)
    // would include the service-role key, which Supabase injects itself.
    let line = ws.append(
        "environments/staging.yaml",
        "  SUPABASE_SERVICE_ROLE_KEY: { secret: env:STAGING_SERVICE_ROLE_KEY, targets: [functions] }",
    );
    ws.run(&["validate"], &[]).expect(3).expect_output(&format!(
        "environments/staging.yaml:{line}:30: error[supabase-reserved]"
    ));
}

// ---------------------------------------------------------------------------
// Runbook 001 (promorang): the Create flow's bucket, the upload fallback,
// the production API.

#[test]
fn promorang_missing_content_bucket_in_production_is_refused() {
    let ws = copy(&PROMORANG);
    ws.remove_line("environments/production.yaml", "SUPABASE_CONTENT_BUCKET:");
    let line = ws.line_of("envctl.yaml", "- SUPABASE_CONTENT_BUCKET");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "envctl.yaml:{line}:7: error[required]: required variable SUPABASE_CONTENT_BUCKET is not set in production"
        ))
        .expect_output(
            "environments/production.yaml:1:1: error[parity]: SUPABASE_CONTENT_BUCKET is declared in staging but not in production",
        );
}

#[test]
fn promorang_missing_content_bucket_only_warns_locally() {
    let ws = copy(&PROMORANG);
    ws.remove_line("environments/local.yaml", "SUPABASE_CONTENT_BUCKET:");
    let line = ws.line_of("envctl.yaml", "- SUPABASE_CONTENT_BUCKET");
    ws.run(&["validate"], &[])
        .expect(0)
        .expect_output(&format!("envctl.yaml:{line}:7: warning[required]"));
}

#[test]
fn promorang_upload_fallback_in_production_is_refused() {
    let ws = copy(&PROMORANG);
    ws.edit(
        "environments/production.yaml",
        "  SUPABASE_CONTENT_BUCKET: content\n",
        "  SUPABASE_CONTENT_BUCKET: content\n  ALLOW_UPLOAD_FALLBACK: \"true\"\n",
    );
    let line = ws.line_of("environments/production.yaml", "ALLOW_UPLOAD_FALLBACK");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:26: error[forbidden-flag]: bypass flag ALLOW_UPLOAD_FALLBACK is enabled in production (target api)"
        ));
}

#[test]
fn promorang_webhooks_on_without_their_secret_are_refused() {
    let ws = copy(&PROMORANG);
    ws.edit(
        "environments/production.yaml",
        "  SUPABASE_CONTENT_BUCKET: content\n",
        "  SUPABASE_CONTENT_BUCKET: content\n  STRIPE_WEBHOOKS_ENABLED: \"true\"\n",
    );
    let line = ws.line_of("envctl.yaml", "- name: STRIPE_WEBHOOK_SECRET");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!("envctl.yaml:{line}:7: error[required]: STRIPE_WEBHOOK_SECRET is required when STRIPE_WEBHOOKS_ENABLED"));
}

#[test]
fn promorang_production_frontend_on_localhost_is_refused() {
    let ws = copy(&PROMORANG);
    ws.edit(
        "environments/production.yaml",
        "VITE_API_URL: https://api.promorang.com/api",
        "VITE_API_URL: http://localhost:3001/api",
    );
    let line = ws.line_of("environments/production.yaml", "VITE_API_URL:");
    ws.run(&["plan", "prod"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:17: error[localhost-url]: VITE_API_URL points at localhost"
        ))
        .expect_output(&format!(
            "environments/production.yaml:{line}:17: error[pattern]: VITE_API_URL does not match"
        ));
}

#[test]
fn promorang_production_head_must_be_a_migration_file() {
    let ws = copy(&PROMORANG);
    ws.edit(
        "environments/production.yaml",
        "head: \"20251020113000\"",
        "head: \"20251020113001\"",
    );
    let line = ws.line_of("environments/production.yaml", "head:");
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output(&format!(
            "environments/production.yaml:{line}:3: error: migration head `20251020113001` is not a file in supabase/migrations"
        ))
        .expect_output("did you mean `20251020113000`?");
}

// ---------------------------------------------------------------------------
// Runbook 002 (prompt-atoms): NEXT_PUBLIC_ is public; numbered migrations.

#[test]
fn prompt_atoms_service_role_under_next_public_is_refused() {
    let ws = copy(&PROMPT_ATOMS);
    ws.edit(
        "environments/production.yaml",
        "  NEXT_PUBLIC_API_BASE_URL: https://api.promptatoms.dev\n",
        "  NEXT_PUBLIC_API_BASE_URL: https://api.promptatoms.dev\n  NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY: { secret: env:PROD_SUPABASE_SERVICE_ROLE_KEY }\n",
    );
    let line = ws.line_of(
        "environments/production.yaml",
        "NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY",
    );
    for args in [&["validate"][..], &["plan", "prod"][..]] {
        ws.run(args, &[])
            .expect(3)
            .expect_output(&format!(
                "environments/production.yaml:{line}:42: error[client-exposed-secret]: NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY is a secret reference"
            ))
            .expect_output(&format!(
                "environments/production.yaml:{line}:42: error[forbid]: NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY is forbidden in production"
            ));
    }
}

#[test]
fn prompt_atoms_service_role_under_next_public_is_refused_locally_too() {
    let ws = copy(&PROMPT_ATOMS);
    let line = ws.append(
        "environments/local.yaml",
        "  NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY: { secret: env:LOCAL_SUPABASE_SERVICE_ROLE_KEY }",
    );
    let secrets = PROMPT_ATOMS.secrets();
    ws.run(&["plan", "local"], &pairs(&secrets))
        .expect(3)
        .expect_output(&format!(
            "environments/local.yaml:{line}:42: error[forbid]: NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY is forbidden in local"
        ))
        .expect_no_canary(&secrets);
    assert!(
        !ws.path("frontend/.env.local").exists(),
        "a refused plan writes nothing"
    );
}

#[test]
fn prompt_atoms_github_webhook_needs_its_secret() {
    let ws = copy(&PROMPT_ATOMS);
    ws.remove_line("environments/production.yaml", "CODE_REPO_WEBHOOK_SECRET:");
    let line = ws.line_of("envctl.yaml", "- name: CODE_REPO_WEBHOOK_SECRET");
    ws.run(&["validate", "production"], &[])
        .expect(3)
        .expect_output(&format!(
            "envctl.yaml:{line}:7: error[required]: CODE_REPO_WEBHOOK_SECRET is required when CODE_REPO_PROVIDER"
        ));
}

#[test]
fn prompt_atoms_production_must_report_production() {
    let ws = copy(&PROMPT_ATOMS);
    ws.edit(
        "environments/production.yaml",
        "APP_ENV: production",
        "APP_ENV: staging",
    );
    let line = ws.line_of("environments/production.yaml", "APP_ENV:");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:12: error[pattern]: APP_ENV does not match `^production$`"
        ));
}

#[test]
fn prompt_atoms_numbered_migration_head_must_exist() {
    let ws = copy(&PROMPT_ATOMS);
    // The runbook's list skips 009.
    ws.append("environments/production.yaml", "  head: \"009\"");
    let line = ws.line_of("environments/production.yaml", "database_url:");
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output(&format!(
            "environments/production.yaml:{line}:3: error: migration head `009` is not a file in backend/migrations"
        ));

    // A real numbered version pins fine.
    ws.edit(
        "environments/production.yaml",
        "head: \"009\"",
        "head: \"012\"",
    );
    ws.run(&["validate"], &[]).expect(0);
}

// ---------------------------------------------------------------------------
// Runbook 003 (realdealkickz): staging → production parity, the Zod schema
// as required variables, Stripe key modes.

#[test]
fn realdealkickz_variable_added_to_staging_only_breaks_parity() {
    let ws = copy(&REALDEALKICKZ);
    ws.append("environments/staging.yaml", "  NEW_DROPS_ENABLED: \"true\"");
    for args in [&["validate"][..], &["plan", "prod"][..]] {
        ws.run(args, &[])
            .expect(3)
            .expect_output(
                "environments/production.yaml:1:1: error[parity]: NEW_DROPS_ENABLED is declared in staging but not in production",
            );
    }

    // Promoting it fixes production.
    ws.append(
        "environments/production.yaml",
        "  NEW_DROPS_ENABLED: \"true\"",
    );
    ws.run(&["validate"], &[]).expect(0);
}

#[test]
fn realdealkickz_staging_only_variables_are_exempt_from_parity() {
    let ws = copy(&REALDEALKICKZ);
    ws.append(
        "environments/staging.yaml",
        "  NEW_DROPS_ENABLED: { value: \"true\", environment_specific: true }",
    );
    let run = ws.run(&["validate"], &[]);
    run.expect(0);
    assert!(!run.all().contains("parity"), "{}", run.all());
}

#[test]
fn realdealkickz_missing_zod_variable_in_production_is_refused() {
    let ws = copy(&REALDEALKICKZ);
    ws.remove_line("environments/production.yaml", "STRIPE_WEBHOOK_SECRET:");
    let line = ws.line_of("envctl.yaml", "- name: STRIPE_WEBHOOK_SECRET");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "envctl.yaml:{line}:7: error[required]: STRIPE_WEBHOOK_SECRET is required when STRIPE_SECRET_KEY is set, and is not set in production"
        ))
        .expect_output(
            "environments/production.yaml:1:1: error[parity]: STRIPE_WEBHOOK_SECRET is declared in staging but not in production",
        );
}

#[test]
fn realdealkickz_test_key_in_production_is_refused() {
    let ws = copy(&REALDEALKICKZ);
    ws.edit(
        "environments/production.yaml",
        "pk_live_51Rdk0ProductionPublishable",
        "pk_test_51Rdk0StagingSandboxPublishable",
    );
    let line = ws.line_of(
        "environments/production.yaml",
        "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY:",
    );
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:39: error[stripe-key-mode]: NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY is a Stripe test-mode key in protected environment production"
        ));
}

#[test]
fn realdealkickz_live_secret_key_on_a_laptop_is_refused() {
    let ws = copy(&REALDEALKICKZ);
    let mut secrets = REALDEALKICKZ.secrets();
    for (name, value) in &mut secrets {
        if name == "STRIPE_TEST_SECRET_KEY" {
            *value = "sk_live_canary5f3a9c1e7b2d4086".to_string();
        }
    }
    let line = ws.line_of("environments/local.yaml", "STRIPE_SECRET_KEY:");
    ws.run(&["apply", "local", "--yes"], &pairs(&secrets))
        .expect(3)
        .expect_output(&format!(
            "environments/local.yaml:{line}:22: error[stripe-key-mode]: STRIPE_SECRET_KEY is a Stripe live-mode key outside production (local)"
        ))
        .expect_no_canary(&secrets);
    assert!(
        !ws.path(".env.local").exists(),
        "a refused apply writes nothing"
    );
}

#[test]
fn realdealkickz_reseeding_production_is_refused() {
    let ws = copy(&REALDEALKICKZ);
    let line = ws.append("environments/production.yaml", "  SEED_ON_DEPLOY: \"true\"");
    ws.run(&["validate"], &[])
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{line}:19: error[forbid]: SEED_ON_DEPLOY is forbidden in production"
        ));
}

// ---------------------------------------------------------------------------
// Runbook 004 (klubz): Cloudflare Pages + D1, conditionally required secrets.

#[test]
fn klubz_half_a_twilio_configuration_is_refused() {
    let ws = copy(&KLUBZ);
    ws.append(
        "environments/production.yaml",
        "  TWILIO_ACCOUNT_SID: { secret: env:PROD_TWILIO_ACCOUNT_SID }",
    );
    let line = ws.line_of("envctl.yaml", "- together: [TWILIO_ACCOUNT_SID");
    let run = ws.run(&["validate", "prod"], &[]);
    run.expect(3)
        .expect_output(&format!(
            "envctl.yaml:{line}:7: error[required]: TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set"
        ))
        .expect_output(&format!(
            "envctl.yaml:{line}:7: error[required]: TWILIO_PHONE_NUMBER is required when TWILIO_ACCOUNT_SID is set"
        ));
    // All three: fine.
    ws.append(
        "environments/production.yaml",
        "  TWILIO_AUTH_TOKEN: { secret: env:PROD_TWILIO_AUTH_TOKEN }\n  TWILIO_PHONE_NUMBER: \"+15550100\"",
    );
    let run = ws.run(&["validate", "prod"], &[]);
    run.expect(0);
    assert!(!run.all().contains("error["), "{}", run.all());
}

#[test]
fn klubz_sendgrid_needs_its_key() {
    let ws = copy(&KLUBZ);
    ws.remove_line("environments/staging.yaml", "SENDGRID_API_KEY:");
    let line = ws.line_of("envctl.yaml", "- name: SENDGRID_API_KEY");
    // Staging is not protected: a warning, as locally.
    ws.run(&["validate", "staging"], &[])
        .expect(0)
        .expect_output(&format!(
            "envctl.yaml:{line}:7: warning[required]: SENDGRID_API_KEY is required when EMAIL_PROVIDER is `sendgrid`, and is not set in staging"
        ));
}

#[test]
fn klubz_production_links_must_point_at_production() {
    let ws = copy(&KLUBZ);
    ws.edit(
        "environments/production.yaml",
        "APP_URL: https://klubz-production.pages.dev",
        "APP_URL: https://klubz-staging.pages.dev",
    );
    let line = ws.line_of("environments/production.yaml", "APP_URL:");
    ws.run(&["validate"], &[]).expect(3).expect_output(&format!(
        "environments/production.yaml:{line}:12: error[pattern]: APP_URL does not match"
    ));
}

#[test]
fn klubz_cloudflare_targets_are_checked_when_loading() {
    let ws = copy(&KLUBZ);
    ws.edit(
        "environments/production.yaml",
        "environment: production",
        "environment: staging",
    );
    ws.edit(
        "environments/production.yaml",
        "database_id: 0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
        "database_id: klubz-production-db",
    );
    let line = ws.line_of("environments/production.yaml", "type: cloudflare");
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output(&format!(
            "environments/production.yaml:{line}:5: error: `staging` is not a Cloudflare Pages environment"
        ))
        .expect_output("`environment: production` or `environment: preview`")
        .expect_output("`klubz-production-db` is not a D1 database id")
        .expect_output("not the database's name");

    let ws = copy(&KLUBZ);
    ws.edit(
        "environments/staging.yaml",
        "    prune: true",
        "    prune: true\n    migrations_dir: db/migrations",
    );
    ws.run(&["validate"], &[])
        .expect(1)
        .expect_output("target `pages` has a D1 database but no migrations folder db/migrations");
}
