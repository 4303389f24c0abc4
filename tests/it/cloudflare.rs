//! End to end: the built binary on a copy of `examples/klubz` (runbook 004)
//! against the fake Cloudflare API on loopback.

use crate::common;

use common::Workspace;
use common::platforms::{
    CLOUDFLARE_ACCOUNT, CLOUDFLARE_DNS_TOKEN, KLUBZ_MIGRATIONS, KLUBZ_PRODUCTION_DB, KLUBZ_STAGING,
    KLUBZ_STAGING_DB, assert_no_leak, cloudflare, cloudflare_env, pairs,
};
use envctl_fakes::Server;
use envctl_fakes::cloudflare::{FakeCloudflare, VarType};

fn klubz() -> Workspace {
    Workspace::copy_of("examples/klubz")
}

/// Runs envctl and checks that no token or canary secret shows up.
fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

fn patches(server: &Server<FakeCloudflare>) -> usize {
    server.count("PATCH", "/pages/projects/")
}

/// Staging's nine variables: four plain, five secret.
const STAGING_KEYS: usize = 9;
const STAGING_SECRETS: usize = 5;

#[test]
fn plan_apply_plan_round_trip_with_secrets_written_as_secret_text() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();

    run(&ws, &["plan", "staging", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output(&format!(
            "Plan: {STAGING_KEYS} to add, 0 to change, 0 to delete."
        ));
    run(&ws, &["apply", "staging", "--yes"], &env)
        .expect(0)
        .expect_output(&format!(
            "Apply complete: {STAGING_KEYS} changes written to staging."
        ))
        .expect_output("keeps the old values until the next deployment");
    assert_eq!(patches(&server), 1, "one PATCH for every variable");

    let stored = server
        .api()
        .env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING, "production");
    // Every declared key, and envctl's record of the secrets it wrote.
    assert_eq!(stored.len(), STAGING_KEYS + 1);
    let record = &stored["ENVCTL_SECRET_DIGESTS"];
    assert_eq!(record.kind, VarType::PlainText);
    assert!(
        record.value.starts_with("envctl-v1 at="),
        "{}",
        record.value
    );
    assert!(!record.value.contains("CANARY"));
    assert_eq!(
        record.value.split(' ').count(),
        2 + STAGING_SECRETS,
        "every secret recorded"
    );
    assert_eq!(stored["JWT_SECRET"].kind, VarType::SecretText);
    assert_eq!(stored["JWT_SECRET"].value, "CANARY-jwt-staging-0101");
    assert_eq!(stored["STRIPE_SECRET_KEY"].kind, VarType::SecretText);
    assert_eq!(stored["APP_URL"].kind, VarType::PlainText);
    assert_eq!(stored["APP_URL"].value, "https://klubz-staging.pages.dev");
    assert!(
        server
            .api()
            .env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING, "preview")
            .is_empty(),
        "the other deployment environment is left alone"
    );

    // Secrets cannot be read back, but envctl's record verifies them.
    let plan = run(&ws, &["plan", "staging", "--detailed-exitcode"], &env);
    plan.expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.");
    assert!(!plan.all().contains("cannot be verified"), "{}", plan.all());
    assert!(
        !plan.all().contains("ENVCTL_SECRET_DIGESTS"),
        "{}",
        plan.all()
    );
    run(&ws, &["drift", "staging", "--strict"], &env)
        .expect(0)
        .expect_output("in sync");
    for format in ["json", "markdown"] {
        run(&ws, &["plan", "staging", "--format", format], &env).expect(0);
    }
    assert_eq!(patches(&server), 1);
}

#[test]
fn hand_edits_show_up_in_drift() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    let fake = server.api();
    let edit = |key: &str, kind: VarType, value: &str| {
        fake.set_by_hand(
            CLOUDFLARE_ACCOUNT,
            KLUBZ_STAGING,
            "production",
            key,
            kind,
            value,
        )
    };

    // A plain variable changed in the dashboard.
    edit(
        "APP_URL",
        VarType::PlainText,
        "https://klubz-old.example.com",
    );
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output(
            "~ APP_URL: \"https://klubz-old.example.com\" → \"https://klubz-staging.pages.dev\"",
        );

    // A secret added by hand (prune is on: it is drift, and apply removes it).
    edit(
        "ADMIN_BACKDOOR_TOKEN",
        VarType::SecretText,
        "CANARY-by-hand-0201",
    );
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 1 to delete");
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("- ADMIN_BACKDOOR_TOKEN");

    // A secret removed by hand, and one turned into plain text.
    fake.remove_by_hand(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_STAGING,
        "production",
        "SENDGRID_API_KEY",
    )
    .unwrap();
    edit("JWT_SECRET", VarType::PlainText, "CANARY-now-plain-0202");
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 1 to add, 2 to change, 1 to delete");
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("it will be rewritten as secret_text");

    // One apply repairs all of it, in one request.
    let before = patches(&server);
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    assert_eq!(patches(&server), before + 1);
    let stored = fake.env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING, "production");
    assert!(!stored.contains_key("ADMIN_BACKDOOR_TOKEN"));
    assert_eq!(stored["JWT_SECRET"].kind, VarType::SecretText);
    assert_eq!(stored["JWT_SECRET"].value, "CANARY-jwt-staging-0101");
    assert_eq!(stored["SENDGRID_API_KEY"].value, "SG.CANARYklubz0105");
    assert_eq!(stored["APP_URL"].value, "https://klubz-staging.pages.dev");
    run(&ws, &["drift", "staging"], &env).expect(0);
}

#[test]
fn a_plan_is_one_project_read_and_one_d1_query_whatever_the_number_of_variables() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    let plan_cost = |ws: &Workspace| {
        server.clear_log();
        run(ws, &["plan", "staging"], &env).expect(0);
        let log = server.requests();
        let reads = server.count("GET", &format!("/pages/projects/{KLUBZ_STAGING}"));
        let queries = server.count("POST", &format!("/d1/database/{KLUBZ_STAGING_DB}/query"));
        (log.len(), reads, queries)
    };
    assert_eq!(plan_cost(&ws), (2, 1, 1));

    let mut extra = String::new();
    for i in 0..200 {
        extra.push_str(&format!("  FEATURE_{i:03}: \"value {i}\"\n"));
    }
    ws.write(
        "environments/staging.yaml",
        &format!("{}{extra}", ws.read("environments/staging.yaml")),
    );
    assert_eq!(plan_cost(&ws), (2, 1, 1), "200 more variables, same cost");
    server.clear_log();
    run(&ws, &["apply", "staging", "--yes"], &env)
        .expect(0)
        .expect_output("Apply complete: 209 changes written to staging.");
    assert_eq!(
        (server.requests().len(), patches(&server)),
        (3, 1),
        "apply: the plan's two reads, then one PATCH"
    );
    assert_eq!(plan_cost(&ws), (2, 1, 1));
}

#[test]
fn enabling_payments_in_production_without_the_stripe_secrets_is_refused() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    let line = ws.append(
        "environments/production.yaml",
        "  PAYMENTS_ENABLED: \"true\"",
    );
    assert!(line > 0);
    let rule = ws.line_of("envctl.yaml", "- names: [STRIPE_SECRET_KEY");
    for args in [&["plan", "prod"][..], &["apply", "prod", "--yes"][..]] {
        run(&ws, args, &env)
            .expect(3)
            .expect_output(&format!(
                "envctl.yaml:{rule}:7: error[required]: STRIPE_SECRET_KEY is required when PAYMENTS_ENABLED is `true`, and is not set in production"
            ))
            .expect_output(&format!(
                "envctl.yaml:{rule}:7: error[required]: STRIPE_WEBHOOK_SECRET is required when PAYMENTS_ENABLED is `true`, and is not set in production"
            ));
    }
    assert_eq!(patches(&server), 0, "nothing written");

    // Declaring them lets the plan through.
    ws.append(
        "environments/production.yaml",
        "  STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY }\n  STRIPE_WEBHOOK_SECRET: { secret: env:PROD_STRIPE_WEBHOOK_SECRET }",
    );
    let mut env = env;
    env.push((
        "PROD_STRIPE_SECRET_KEY".into(),
        "sk_live_CANARYklubz0301".into(),
    ));
    env.push((
        "PROD_STRIPE_WEBHOOK_SECRET".into(),
        "whsec_CANARYklubz0302".into(),
    ));
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 8 to add, 0 to change, 0 to delete.");
}

/// Bad input: each gets a clear message and exit 1, and nothing is written.
#[test]
fn unknown_account_unknown_project_and_a_token_without_pages_are_clear_errors() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let cases: [(&str, &str, &str, &[&str]); 3] = [
        (
            "account_id: 4f2a9c1e7b3d40865e1f2a3b4c5d6e7f",
            "account_id: 9999999999999999999999999999abcd",
            "",
            &[
                "HTTP 403 10000: Authentication error",
                "for account 9999999999999999999999999999abcd",
                "check `account_id` or CLOUDFLARE_ACCOUNT_ID",
            ],
        ),
        (
            "project: klubz-production",
            "project: klubz-prod",
            "",
            &[
                "project klubz-prod: HTTP 404 8000007: Project not found.",
                "account 4f2a9c1e7b3d40865e1f2a3b4c5d6e7f has no Pages project `klubz-prod`",
            ],
        ),
        (
            "",
            "",
            CLOUDFLARE_DNS_TOKEN,
            &[
                "HTTP 403 10000: Authentication error",
                "hold Account › Cloudflare Pages › Edit",
            ],
        ),
    ];
    for (from, to, token, expected) in cases {
        let ws = klubz();
        if !from.is_empty() {
            ws.edit("environments/production.yaml", from, to);
        }
        let mut env = env.clone();
        if !token.is_empty() {
            env.retain(|(k, _)| k != "CLOUDFLARE_API_TOKEN");
            env.push(("CLOUDFLARE_API_TOKEN".into(), token.into()));
        }
        for args in [
            &["plan", "prod"][..],
            &["apply", "prod", "--yes"][..],
            &["drift", "prod"][..],
        ] {
            let r = run(&ws, args, &env);
            r.expect(1);
            for needle in expected {
                r.expect_output(needle);
            }
        }
    }
    assert_eq!(patches(&server), 0, "nothing written");

    // No token, no account: said before anything is sent.
    server.clear_log();
    let ws = klubz();
    let no_token: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "CLOUDFLARE_API_TOKEN")
        .cloned()
        .collect();
    run(&ws, &["plan", "prod"], &no_token)
        .expect(1)
        .expect_output("no Cloudflare API token: set CLOUDFLARE_API_TOKEN");
    ws.remove_line("environments/production.yaml", "account_id:");
    run(&ws, &["plan", "prod"], &env).expect(1).expect_output(
        "no Cloudflare account: set `account_id` on the target, or CLOUDFLARE_ACCOUNT_ID",
    );
    assert!(server.requests().is_empty());
    let mut with_account = env.clone();
    with_account.push(("CLOUDFLARE_ACCOUNT_ID".into(), CLOUDFLARE_ACCOUNT.into()));
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &with_account).expect(2);
}

#[test]
fn d1_migrations_pending_and_history_drift() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);

    // A new local migration is pending on both databases.
    ws.write(
        "migrations/0004_trip_invites.sql",
        "CREATE TABLE trip_invites (id TEXT PRIMARY KEY);\n",
    );
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("migration head")
        .expect_output("0004_trip_invites.sql");
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    let applied = run(&ws, &["apply", "staging", "--yes"], &env);
    applied
        .expect(0)
        .expect_output("1 migration not applied yet (0004_trip_invites.sql); apply them with `envctl apply staging --migrations`, or `wrangler d1 migrations apply");
    assert!(!applied.all().contains("migrations.database_url"));
    server.api().record_migrations(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_STAGING_DB,
        "d1_migrations",
        &["0004_trip_invites.sql"],
    );
    run(&ws, &["drift", "staging"], &env).expect(0);

    // Production's history names a file the folder does not have:
    // schema drift, refused in a protected environment.
    server.api().record_migrations(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_PRODUCTION_DB,
        "d1_migrations",
        &["0004_trip_invites.sql", "0005_hotfix_from_a_laptop.sql"],
    );
    let target = ws.line_of("environments/production.yaml", "type: cloudflare");
    run(&ws, &["plan", "prod"], &env)
        .expect(3)
        .expect_output(&format!(
            "environments/production.yaml:{target}:5: error[migration-drift]: schema drift in production: live has migrations that are not local files: 0005_hotfix_from_a_laptop.sql"
        ))
        .expect_output("wrangler matches the history by file name");
    assert_eq!(
        server
            .api()
            .migrations(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION_DB, "d1_migrations")
            .unwrap()
            .len(),
        KLUBZ_MIGRATIONS.len() + 2,
        "envctl never writes to D1"
    );
}

#[test]
fn a_database_wrangler_never_migrated_has_everything_pending() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    let fresh = "11111111-2222-4333-8444-555555555555";
    server.api().add_database(CLOUDFLARE_ACCOUNT, fresh);
    ws.edit("environments/staging.yaml", KLUBZ_STAGING_DB, fresh);
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("has no d1_migrations table yet")
        .expect_output("0001_initial_schema.sql, 0002_trips.sql, 0003_payment_status.sql");

    // A custom table name is what is queried.
    ws.edit(
        "environments/staging.yaml",
        "    prune: true",
        "    prune: true\n    migrations_table: klubz_migrations",
    );
    server.api().record_migrations(
        CLOUDFLARE_ACCOUNT,
        fresh,
        "klubz_migrations",
        &KLUBZ_MIGRATIONS,
    );
    server.clear_log();
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 9 to add, 0 to change, 0 to delete");
    let query = server
        .requests()
        .into_iter()
        .find(|l| l.request.method == "POST")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&query.request.body)
            .contains("SELECT name FROM klubz_migrations ORDER BY id")
    );
}

#[test]
fn rate_limits_and_server_errors_are_retried() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    server.faults().throttle(1, 1);
    run(&ws, &["plan", "staging", "--detailed-exitcode"], &env).expect(2);
    assert_eq!(
        server.count("GET", "/pages/projects/") + server.count("POST", "/query"),
        3
    );
    server.faults().fail(1);
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    run(&ws, &["plan", "staging", "--detailed-exitcode"], &env).expect(0);
}

#[test]
fn the_wrangler_config_hash_is_echoed_and_no_secret_is_logged() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    server.api().set_wrangler_config_hash(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_STAGING,
        "production",
        "cfghash-1234",
    );
    run(&ws, &["-vv", "apply", "staging", "--yes"], &env)
        .expect(0)
        .expect_output("PATCH /accounts/");
    let patch = server
        .requests()
        .into_iter()
        .find(|l| l.request.method == "PATCH")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&patch.request.body).unwrap();
    let config = &body["deployment_configs"]["production"];
    assert_eq!(config["wrangler_config_hash"], "cfghash-1234");
    assert_eq!(config["env_vars"]["JWT_SECRET"]["type"], "secret_text");
    assert_eq!(config["env_vars"]["APP_URL"]["type"], "plain_text");
    assert!(body["deployment_configs"].get("preview").is_none());
}
