//! The fake Supabase and Vercel on loopback, set up with the shipped
//! example's projects, and the environment the `envctl` binary needs to
//! talk to them.

use envctl_fakes::Server;
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
}
