//! The fake platforms on loopback — Supabase and Vercel set up with the
//! shipped example's projects, Cloudflare with klubz's, GitHub with one
//! repository — and the environment the `envctl` binary needs to talk to
//! them.

use super::Workspace;
use envctl_fakes::Server;
use envctl_fakes::cloudflare::{FakeCloudflare, Permission};
use envctl_fakes::github::{self as gh, FakeGitHub};
use envctl_fakes::supabase::FakeSupabase;
use envctl_fakes::vercel::FakeVercel;

pub const SUPABASE_TOKEN: &str = "sbp_0123456789abcdef0123456789abcdefCANARY";
pub const VERCEL_TOKEN: &str = "vercel_tok_CANARY_5f1e2d";
pub const STAGING_REF: &str = "hdlstagingabcdefghij";
pub const PRODUCTION_REF: &str = "hdlproductionabcdefg";
pub const VERCEL_PROJECT: &str = "huddle-web";
pub const VERCEL_TEAM: &str = "team_huddle";

/// Applied versions of the example's two migration files.
pub const MIGRATIONS: [(&str, &str); 2] =
    [("20250101000000", "init"), ("20250215093000", "bookings")];

pub struct Platforms {
    pub supabase: Server<FakeSupabase>,
    pub vercel: Server<FakeVercel>,
}

impl Platforms {
    /// Both fakes with the example's projects, migrations already applied.
    pub fn start() -> Platforms {
        let supabase = FakeSupabase::new(SUPABASE_TOKEN);
        for r in [STAGING_REF, PRODUCTION_REF] {
            supabase.add_project(r);
            supabase.set_migrations(r, &MIGRATIONS);
        }
        let vercel = FakeVercel::new(VERCEL_TOKEN);
        vercel.add_project("prj_huddleweb0001", VERCEL_PROJECT, Some(VERCEL_TEAM));
        vercel.grant_team(VERCEL_TOKEN, VERCEL_TEAM);
        Platforms {
            supabase: Server::start(supabase),
            vercel: Server::start(vercel),
        }
    }

    /// Tokens, API URLs, short timeouts, and every secret the example's
    /// staging and production environments reference (canary values).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![
            ("SUPABASE_ACCESS_TOKEN".into(), SUPABASE_TOKEN.into()),
            ("ENVCTL_SUPABASE_API_URL".into(), self.supabase.url()),
            ("VERCEL_TOKEN".into(), VERCEL_TOKEN.into()),
            ("ENVCTL_VERCEL_API_URL".into(), self.vercel.url()),
            ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
            ("ENVCTL_HTTP_DEADLINE".into(), "20".into()),
        ];
        env.extend(
            canaries()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        env
    }
}

/// Secret values for staging and production; each contains `CANARY`.
pub fn canaries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("STAGING_STRIPE_SECRET_KEY", "sk_test_CANARYstaging0001"),
        ("STAGING_STRIPE_WEBHOOK_SECRET", "whsec_CANARYstaging0002"),
        ("STAGING_FCM_SERVER_KEY", "CANARY-fcm-staging-0003"),
        ("OPENAI_API_KEY", "sk-CANARYopenai0004"),
        ("PROD_STRIPE_SECRET_KEY", "sk_live_CANARYprod0005"),
        ("PROD_STRIPE_WEBHOOK_SECRET", "whsec_CANARYprod0006"),
        ("PROD_FCM_SERVER_KEY", "CANARY-fcm-prod-0007"),
    ]
}

/// `(k, v)` pairs as the `&str` pairs `Workspace::run` takes.
pub fn pairs(env: &[(String, String)]) -> Vec<(&str, &str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Panics if the output holds a token or a canary secret.
pub fn assert_no_leak(text: &str) {
    assert!(
        !text.contains("CANARY"),
        "a secret or token leaked:\n{text}"
    );
    assert!(!text.contains(SUPABASE_TOKEN) && !text.contains(VERCEL_TOKEN));
    assert!(!text.contains(CLOUDFLARE_TOKEN) && !text.contains("cf_tok_"));
    assert!(!text.contains(GITHUB_TOKEN) && !text.contains("github_pat_"));
}

// ---------------------------------------------------------------------------
// Cloudflare, set up with examples/klubz's account, projects and databases.

pub const CLOUDFLARE_TOKEN: &str = "cf_tok_CANARY_pages_d1_7e41";
/// A valid token with DNS rights only: no Pages, no D1.
pub const CLOUDFLARE_DNS_TOKEN: &str = "cf_tok_CANARY_dns_only_19ab";
pub const CLOUDFLARE_ACCOUNT: &str = "4f2a9c1e7b3d40865e1f2a3b4c5d6e7f";
pub const KLUBZ_STAGING: &str = "klubz-staging";
pub const KLUBZ_PRODUCTION: &str = "klubz-production";
pub const KLUBZ_STAGING_DB: &str = "5b0c7a7e-2d3f-4a1b-9c8d-7e6f5a4b3c21";
pub const KLUBZ_PRODUCTION_DB: &str = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b";
/// examples/klubz/migrations, as wrangler names them in `d1_migrations`.
pub const KLUBZ_MIGRATIONS: [&str; 3] = [
    "0001_initial_schema.sql",
    "0002_trips.sql",
    "0003_payment_status.sql",
];

/// The fake Cloudflare with klubz's two Pages projects and two D1
/// databases, every migration applied.
pub fn cloudflare() -> Server<FakeCloudflare> {
    let fake = FakeCloudflare::new();
    fake.add_account(CLOUDFLARE_ACCOUNT);
    fake.grant(
        CLOUDFLARE_TOKEN,
        CLOUDFLARE_ACCOUNT,
        &[Permission::PagesEdit, Permission::D1Edit],
    );
    fake.grant(CLOUDFLARE_DNS_TOKEN, CLOUDFLARE_ACCOUNT, &[]);
    for (project, db) in [
        (KLUBZ_STAGING, KLUBZ_STAGING_DB),
        (KLUBZ_PRODUCTION, KLUBZ_PRODUCTION_DB),
    ] {
        fake.add_project(CLOUDFLARE_ACCOUNT, project);
        fake.add_database(CLOUDFLARE_ACCOUNT, db);
        fake.record_migrations(CLOUDFLARE_ACCOUNT, db, "d1_migrations", &KLUBZ_MIGRATIONS);
    }
    Server::start(fake)
}

/// The token, the fake's URL, short timeouts, and every secret klubz's
/// staging and production reference (canary values).
pub fn cloudflare_env(server: &Server<FakeCloudflare>) -> Vec<(String, String)> {
    let mut env = vec![
        ("CLOUDFLARE_API_TOKEN".into(), CLOUDFLARE_TOKEN.into()),
        (
            "ENVCTL_CLOUDFLARE_API_URL".into(),
            format!("{}/client/v4", server.url()),
        ),
        ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
        ("ENVCTL_HTTP_DEADLINE".into(), "20".into()),
    ];
    env.extend(
        klubz_canaries()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env
}

/// Secret values for klubz's staging and production; each contains `CANARY`.
pub fn klubz_canaries() -> Vec<(&'static str, &'static str)> {
    vec![
        ("STAGING_JWT_SECRET", "CANARY-jwt-staging-0101"),
        ("STAGING_ENCRYPTION_KEY", "CANARY-enc-staging-0102"),
        ("STAGING_STRIPE_SECRET_KEY", "sk_test_CANARYklubz0103"),
        ("STAGING_STRIPE_WEBHOOK_SECRET", "whsec_CANARYklubz0104"),
        ("STAGING_SENDGRID_API_KEY", "SG.CANARYklubz0105"),
        ("PROD_JWT_SECRET", "CANARY-jwt-prod-0106"),
        ("PROD_ENCRYPTION_KEY", "CANARY-enc-prod-0107"),
    ]
}

// ---------------------------------------------------------------------------
// GitHub: one repository with a `production` environment.

/// A fine-grained token given the repository with Secrets, Variables and
/// Environments: read and write.
pub const GITHUB_TOKEN: &str = "github_pat_CANARY_secrets_vars_env_5c2e";
/// A valid token that may read everything but write no secret.
pub const GITHUB_NO_SECRETS_WRITE_TOKEN: &str = "github_pat_CANARY_no_secrets_write_8d1f";
pub const GITHUB_REPO: &str = "huddle-app/huddle";
pub const GITHUB_ENVIRONMENT: &str = "production";

/// The fake GitHub with [`GITHUB_REPO`] and its `production` environment,
/// and the two tokens.
pub fn github() -> Server<FakeGitHub> {
    use gh::Permission::*;
    let fake = FakeGitHub::new();
    fake.add_repository(GITHUB_REPO);
    fake.add_environment(GITHUB_REPO, GITHUB_ENVIRONMENT);
    fake.grant(
        GITHUB_TOKEN,
        GITHUB_REPO,
        &[SecretsWrite, VariablesWrite, EnvironmentsWrite],
    );
    fake.grant(
        GITHUB_NO_SECRETS_WRITE_TOKEN,
        GITHUB_REPO,
        &[SecretsRead, VariablesWrite, EnvironmentsRead],
    );
    Server::start(fake)
}

/// The token, the fake's URL, short timeouts, and the secrets
/// [`github_workspace`] references (canary values).
pub fn github_env(server: &Server<FakeGitHub>) -> Vec<(String, String)> {
    vec![
        ("GITHUB_TOKEN".into(), GITHUB_TOKEN.into()),
        ("ENVCTL_GITHUB_API_URL".into(), server.url()),
        ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
        ("ENVCTL_HTTP_DEADLINE".into(), "20".into()),
        ("CI_DEPLOY_KEY".into(), GITHUB_CI_DEPLOY_KEY.into()),
        ("PROD_DEPLOY_KEY".into(), GITHUB_PROD_DEPLOY_KEY.into()),
    ]
}

/// The values of `DEPLOY_KEY` in [`github_workspace`]'s two environments.
pub const GITHUB_CI_DEPLOY_KEY: &str = "dk_CANARY_ci_7Qx9Lm2Pz4Rt8Vb3";
pub const GITHUB_PROD_DEPLOY_KEY: &str = "dk_CANARY_prod_3Kd8Wn5Hy1Jc6F";

/// A project with two environments on [`GITHUB_REPO`]: `ci` at the
/// repository level, `production` (protected, alias `prod`) in its
/// deployment environment. Each declares a secret, `DEPLOY_KEY`, and a
/// plain variable, `SITE_URL`, for its one target, `ci`.
pub fn github_workspace() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write(
        "envctl.yaml",
        "version: 1\nproject: huddle\naliases:\n  prod: production\n",
    );
    ws.write(
        "environments/ci.yaml",
        "targets:\n  ci:\n    type: github\n    repository: huddle-app/huddle\n\n\
         variables:\n  DEPLOY_KEY: { secret: env:CI_DEPLOY_KEY }\n  SITE_URL: https://ci.huddle.app\n",
    );
    ws.write(
        "environments/production.yaml",
        "protected: true\ntargets:\n  ci:\n    type: github\n    repository: huddle-app/huddle\n    environment: production\n\n\
         variables:\n  DEPLOY_KEY: { secret: env:PROD_DEPLOY_KEY }\n  SITE_URL: https://huddle.app\n",
    );
    ws
}
