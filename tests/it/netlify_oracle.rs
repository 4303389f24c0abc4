//! netlify-cli 26.2.0, Netlify's own CLI, reads back what envctl writes to
//! the fake Netlify, and what the CLI changes by hand envctl sees as drift.
//! Without netlify-cli this test fails in CI and is skipped elsewhere with
//! a notice; `.ci/run` installs it.

use crate::common;
use crate::netlify::run;

use common::netlify::{
    NETLIFY_SITE_ID as SITE, NETLIFY_TOKEN, PROD_STRIPE, netlify, netlify_env, netlify_workspace,
};
use common::netlify_cli::NetlifyCli;

#[test]
fn netlify_cli_reads_what_envctl_wrote_and_envctl_sees_what_it_changes() {
    let Some(cli) = NetlifyCli::require() else {
        return;
    };
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    let base = server.url();
    let list = |context: &str| cli.env_list(&base, NETLIFY_TOKEN, SITE, context);

    // Each context resolves to its own plain value; the secret is not
    // shown to the CLI either, and envctl's record is a plain variable.
    let production = list("production");
    assert_eq!(
        production["VITE_API_URL"], "https://api.huddle.app",
        "{production}"
    );
    let previews = list("deploy-preview");
    assert_eq!(
        previews["VITE_API_URL"], "https://api.staging.huddle.app",
        "{previews}"
    );
    for listed in [&production, &previews] {
        assert!(!listed.to_string().contains("CANARY"), "{listed}");
        assert!(listed.get("ENVCTL_SECRET_DIGESTS").is_some(), "{listed}");
    }
    run(&ws, &["drift", "prod", "staging", "--strict"], &env).expect(0);

    // The CLI changes production's plain value and its secret by hand.
    let set = |args: &[&str]| {
        let out = cli.run(&base, NETLIFY_TOKEN, SITE, args);
        assert!(
            out.status.success(),
            "netlify {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    server
        .api()
        .advance_clock(std::time::Duration::from_secs(60));
    set(&[
        "env:set",
        "VITE_API_URL",
        "https://evil.example",
        "--context",
        "production",
        "--force",
    ]);
    set(&[
        "env:set",
        "STRIPE_SECRET_KEY",
        "sk_live_CANARY_by_hand_0000",
        "--secret",
        "--context",
        "production",
        "--force",
    ]);
    run(&ws, &["drift", "prod"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 2 to change, 0 to delete");
    run(&ws, &["plan", "prod"], &env)
        .expect(0)
        .expect_output("~ VITE_API_URL: \"https://evil.example\" → \"https://api.huddle.app\"")
        .expect_output("~ STRIPE_SECRET_KEY");
    // Netlify keeps one update time per variable, not per context: a
    // secret changed in production is unverified in staging too, and is
    // written again there (the plain value is compared as read).
    run(&ws, &["drift", "staging"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("(by hand, in this or another context");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    assert_eq!(list("production")["VITE_API_URL"], "https://api.huddle.app");
    assert_eq!(
        crate::netlify::value(&server, "STRIPE_SECRET_KEY", "production").as_deref(),
        Some(PROD_STRIPE)
    );
    run(&ws, &["drift", "prod", "staging", "--strict"], &env).expect(0);
}
