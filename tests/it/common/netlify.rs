//! The fake Netlify set up as the Netlify tests use it: one team
//! (`huddle`) with the site `huddle-web`, a token for a Developer of it and
//! one for a Reviewer, and a project whose production and staging
//! environments are two deploy contexts of that one site.

use envctl_fakes::Server;
use envctl_fakes::netlify::{FakeNetlify, Role};

use super::Workspace;

/// A Developer of the `huddle` team: reads and writes variables.
pub const NETLIFY_TOKEN: &str = "nfp_CANARY_developer_4b7e91d2c3";
/// A Reviewer of the team: sees the site, may not touch its variables.
pub const NETLIFY_REVIEWER_TOKEN: &str = "nfp_CANARY_reviewer_8c1a6f03e5";
pub const NETLIFY_ACCOUNT: &str = "huddle";
pub const NETLIFY_ACCOUNT_ID: &str = "5f3c2b1a0e9d8c7b6a5f4e3d";
pub const NETLIFY_SITE: &str = "huddle-web";
pub const NETLIFY_SITE_ID: &str = "3970e0fe-8564-4903-9a55-c5f8de49fb8b";
/// The values of `STRIPE_SECRET_KEY` in production and staging.
pub const PROD_STRIPE: &str = "sk_live_CANARY_netlify_prod_51Hq9Xz2";
pub const STAGING_STRIPE: &str = "sk_test_CANARY_netlify_stg_7Lm3Pq8W";

/// The fake Netlify with the team, its site and both tokens.
pub fn netlify() -> Server<FakeNetlify> {
    let fake = FakeNetlify::new();
    fake.add_account(NETLIFY_ACCOUNT_ID, NETLIFY_ACCOUNT, "Huddle");
    fake.add_site(NETLIFY_ACCOUNT, NETLIFY_SITE_ID, NETLIFY_SITE);
    fake.grant(NETLIFY_TOKEN, NETLIFY_ACCOUNT, Role::Developer);
    fake.grant(NETLIFY_REVIEWER_TOKEN, NETLIFY_ACCOUNT, Role::Reviewer);
    Server::start(fake)
}

/// The token, the fake's URL, short timeouts, and the secrets
/// [`netlify_workspace`] references (canary values).
pub fn netlify_env(server: &Server<FakeNetlify>) -> Vec<(String, String)> {
    vec![
        ("NETLIFY_AUTH_TOKEN".into(), NETLIFY_TOKEN.into()),
        (
            "ENVCTL_NETLIFY_API_URL".into(),
            format!("{}/api/v1", server.url()),
        ),
        ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
        ("ENVCTL_HTTP_DEADLINE".into(), "20".into()),
        ("PROD_STRIPE_KEY".into(), PROD_STRIPE.into()),
        ("STAGING_STRIPE_KEY".into(), STAGING_STRIPE.into()),
    ]
}

/// Every value a Netlify test must never show.
pub fn netlify_canaries() -> [&'static str; 4] {
    [
        NETLIFY_TOKEN,
        NETLIFY_REVIEWER_TOKEN,
        PROD_STRIPE,
        STAGING_STRIPE,
    ]
}

/// A project with `production` (protected, alias `prod`) writing the
/// site's `production` context and `staging` writing its
/// `deploy-preview` context; each declares a secret, `STRIPE_SECRET_KEY`,
/// and a plain `VITE_API_URL` for its one target, `site`.
pub fn netlify_workspace() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write(
        "envctl.yaml",
        "version: 1\nproject: huddle\naliases:\n  prod: production\n",
    );
    ws.write(
        "environments/production.yaml",
        "protected: true\ntargets:\n  site:\n    type: netlify\n    site: huddle-web\n    account: huddle\n    context: production\n\n\
         variables:\n  STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_KEY }\n  VITE_API_URL: https://api.huddle.app\n",
    );
    ws.write(
        "environments/staging.yaml",
        "targets:\n  site:\n    type: netlify\n    site: huddle-web\n    context: deploy-preview\n\n\
         variables:\n  STRIPE_SECRET_KEY: { secret: env:STAGING_STRIPE_KEY }\n  VITE_API_URL: https://api.staging.huddle.app\n",
    );
    ws
}
