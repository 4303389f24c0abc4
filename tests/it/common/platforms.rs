//! The fake Supabase and Vercel on loopback, set up with the shipped
//! example's projects, and the environment the `envctl` binary needs to
//! talk to them.

use envctl_fakes::Server;
use envctl_fakes::cloudflare::{FakeCloudflare, Permission};
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
