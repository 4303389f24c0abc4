//! The Netlify target end to end: the built binary against the fake
//! Netlify API on loopback — one site, whose production and deploy-preview
//! contexts are two environments of the project.

use crate::common;

use std::time::Duration;

use common::Workspace;
use common::netlify::{
    NETLIFY_SITE_ID as SITE, PROD_STRIPE, STAGING_STRIPE, netlify, netlify_canaries, netlify_env,
    netlify_workspace,
};
use envctl_fakes::Server;
use envctl_fakes::netlify::{EnvValue, EnvVar, FakeNetlify};

const RECORD: &str = "ENVCTL_SECRET_DIGESTS";

/// Runs envctl and checks that no token or canary secret shows up.
pub fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = ws.run(args, &pairs);
    let all = run.all();
    for canary in netlify_canaries() {
        assert!(!all.contains(canary), "{canary} leaked:\n{all}");
    }
    run
}

/// The value of `key` in `context` (`branch:NAME` for a branch).
pub fn value(server: &Server<FakeNetlify>, key: &str, context: &str) -> Option<String> {
    let vars = server.api().env(SITE);
    let var = vars.get(key)?;
    let (context, parameter) = match context.strip_prefix("branch:") {
        Some(b) => ("branch", Some(b.to_string())),
        None => (context, None),
    };
    var.values
        .iter()
        .find(|v| v.context == context && v.context_parameter == parameter)
        .map(|v| v.value.clone())
}

/// Requests that were not `GET`s.
pub fn writes(server: &Server<FakeNetlify>) -> usize {
    server
        .requests()
        .iter()
        .filter(|l| l.request.method != "GET")
        .count()
}

pub fn var(key: &str, scopes: &[&str], is_secret: bool, values: &[(&str, &str)]) -> EnvVar {
    EnvVar {
        key: key.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        is_secret,
        values: values
            .iter()
            .enumerate()
            .map(|(i, (context, value))| {
                let (context, parameter) = match context.strip_prefix("branch:") {
                    Some(b) => ("branch", Some(b.to_string())),
                    None => (*context, None),
                };
                EnvValue {
                    id: format!("00000000-0000-4000-8000-00000000000{i}"),
                    context: context.into(),
                    context_parameter: parameter,
                    value: value.to_string(),
                }
            })
            .collect(),
        updated_at_ms: 0,
    }
}

const ALL: &[&str] = &["builds", "functions", "runtime", "post-processing"];

#[test]
fn plan_apply_plan_round_trip_writes_the_secret_as_a_secret_and_verifies_it() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 2 to add, 0 to change, 0 to delete.")
        .expect_output("+ STRIPE_SECRET_KEY")
        .expect_output("+ VITE_API_URL");
    assert_eq!(writes(&server), 0, "a plan writes nothing");
    server.clear_log();
    run(&ws, &["apply", "prod", "--yes"], &env)
        .expect(0)
        .expect_output("Apply complete: 2 changes written to production.");
    // Both variables in one POST, then the record.
    assert_eq!(server.count("POST", "/env"), 2, "{:#?}", server.requests());
    let vars = server.api().env(SITE);
    let stripe = &vars["STRIPE_SECRET_KEY"];
    assert!(stripe.is_secret, "a secret reference is created secret");
    assert!(!stripe.scopes.contains(&"post-processing".to_string()));
    assert_eq!(
        value(&server, "STRIPE_SECRET_KEY", "production").as_deref(),
        Some(PROD_STRIPE)
    );
    assert!(!vars["VITE_API_URL"].is_secret);
    assert_eq!(
        value(&server, "VITE_API_URL", "production").as_deref(),
        Some("https://api.huddle.app")
    );
    let record = value(&server, RECORD, "production").expect("a record for production");
    assert!(record.starts_with("envctl-v1 at="), "{record}");
    assert!(record.contains(" STRIPE_SECRET_KEY="), "{record}");
    assert!(!record.contains("CANARY"), "{record}");

    // Nothing left to do; the secret is verified by envctl's record.
    server.clear_log();
    let plan = run(&ws, &["plan", "prod", "--detailed-exitcode"], &env);
    plan.expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.");
    assert!(!plan.all().contains("cannot be verified"), "{}", plan.all());
    assert!(!plan.all().contains(RECORD), "{}", plan.all());
    run(&ws, &["drift", "prod", "--strict"], &env).expect(0);
}

#[test]
fn a_plan_costs_the_same_requests_whatever_the_number_of_variables() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    let mut counts = Vec::new();
    for n in [0, 200] {
        for i in 0..n {
            let key = format!("HAND_{i}");
            server
                .api()
                .put_by_hand(SITE, var(&key, ALL, false, &[("all", "x")]));
        }
        server.clear_log();
        run(&ws, &["plan", "prod"], &env).expect(0);
        counts.push(server.requests().len());
    }
    // The site by name within its account, then every variable at once.
    assert_eq!(counts, [2, 2]);
}

#[test]
fn a_secret_changed_by_hand_is_drift_and_the_next_apply_writes_it_again() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    run(&ws, &["drift", "prod"], &env).expect(0);

    let fake = server.api();
    fake.advance_clock(Duration::from_secs(600));
    fake.set_value_by_hand(
        SITE,
        "STRIPE_SECRET_KEY",
        "production",
        "sk_live_CANARY_pasted",
    );
    run(&ws, &["drift", "prod"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    run(&ws, &["plan", "prod"], &env)
        .expect(0)
        .expect_output("~ STRIPE_SECRET_KEY")
        .expect_output("min after envctl last recorded it (by hand")
        .expect_output("Netlify does not show secret values: it will be written again");

    // A plain value edited by hand is read back and compared.
    fake.set_value_by_hand(SITE, "VITE_API_URL", "production", "https://evil.example");
    run(&ws, &["plan", "prod"], &env)
        .expect(0)
        .expect_output("~ VITE_API_URL: \"https://evil.example\" → \"https://api.huddle.app\"")
        .expect_output("Plan: 0 to add, 2 to change, 0 to delete.");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    assert_eq!(
        value(&server, "STRIPE_SECRET_KEY", "production").as_deref(),
        Some(PROD_STRIPE)
    );
    run(&ws, &["drift", "prod", "--strict"], &env).expect(0);
}

#[test]
fn two_contexts_share_the_site_and_neither_touches_the_other() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    // A value for all contexts, set by hand before envctl.
    server.api().put_by_hand(
        SITE,
        var(
            "VITE_API_URL",
            ALL,
            false,
            &[("all", "https://api.huddle.app")],
        ),
    );
    run(&ws, &["apply", "prod", "--yes"], &env)
        .expect(0)
        .expect_output("Apply complete: 1 change written to production.");
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    for (key, context, want) in [
        ("STRIPE_SECRET_KEY", "production", PROD_STRIPE),
        ("STRIPE_SECRET_KEY", "deploy-preview", STAGING_STRIPE),
        (
            "VITE_API_URL",
            "deploy-preview",
            "https://api.staging.huddle.app",
        ),
        // The `all` value was split: every other context kept it.
        ("VITE_API_URL", "production", "https://api.huddle.app"),
        ("VITE_API_URL", "branch-deploy", "https://api.huddle.app"),
        ("VITE_API_URL", "dev", "https://api.huddle.app"),
    ] {
        assert_eq!(
            value(&server, key, context).as_deref(),
            Some(want),
            "{key} in {context}"
        );
    }
    assert_eq!(value(&server, "VITE_API_URL", "all"), None);
    // Staging's apply moved every shared variable's `updated_at`; the
    // production record still vouches for its secret.
    server.api().advance_clock(Duration::from_secs(600));
    run(&ws, &["drift", "prod", "staging", "--strict"], &env).expect(0);
    let plan = run(&ws, &["plan", "prod", "--detailed-exitcode"], &env);
    plan.expect(0);

    // Pruning staging removes only staging's values.
    ws.remove_line("environments/staging.yaml", "VITE_API_URL");
    ws.edit(
        "environments/staging.yaml",
        "context: deploy-preview",
        "context: deploy-preview\n    prune: true",
    );
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    assert_eq!(value(&server, "VITE_API_URL", "deploy-preview"), None);
    assert_eq!(
        value(&server, "VITE_API_URL", "production").as_deref(),
        Some("https://api.huddle.app")
    );
    run(&ws, &["drift", "prod", "staging", "--strict"], &env).expect(0);
}

#[test]
fn scopes_that_differ_from_the_targets_are_a_change() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    ws.edit(
        "environments/production.yaml",
        "context: production",
        "context: production\n    scopes: [builds, functions]",
    );
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("~ VITE_API_URL")
        .expect_output("its scopes are builds, functions, runtime, post-processing, the target's are builds, functions")
        .expect_output("Plan: 0 to add, 2 to change, 0 to delete.");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let vars = server.api().env(SITE);
    for key in ["VITE_API_URL", "STRIPE_SECRET_KEY"] {
        assert_eq!(vars[key].scopes, ["builds", "functions"], "{key}");
    }
    assert_eq!(
        value(&server, "STRIPE_SECRET_KEY", "production").as_deref(),
        Some(PROD_STRIPE)
    );
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env).expect(0);
}

#[test]
fn redeploy_builds_production_and_says_what_other_contexts_need() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env)
        .expect(0)
        .expect_output("keeps the old values until the site is built again; run `envctl apply production --redeploy`");
    assert!(server.api().builds(SITE).is_empty());
    ws.edit(
        "environments/production.yaml",
        "https://api.huddle.app",
        "https://api2.huddle.app",
    );
    run(&ws, &["apply", "prod", "--yes", "--redeploy"], &env)
        .expect(0)
        .expect_output("started a production build of huddle-web with the new values: build");
    assert_eq!(server.api().builds(SITE).len(), 1);
    run(&ws, &["apply", "staging", "--yes", "--redeploy"], &env)
        .expect(0)
        .expect_output("--redeploy builds only production; deploys of the deploy-preview context keep the old values");
    assert_eq!(server.api().builds(SITE).len(), 1);
}

#[test]
fn import_reads_a_context_with_secrets_as_references() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    server.api().put_by_hand(
        SITE,
        var(
            "SENTRY_DSN",
            ALL,
            false,
            &[("production", "https://o1.ingest.sentry.io/2")],
        ),
    );
    run(
        &ws,
        &[
            "import",
            "imported",
            "--from",
            "netlify:huddle-web:production",
        ],
        &env,
    )
    .expect(0);
    let text = ws.read("environments/imported.yaml");
    for line in [
        "  site:\n    type: netlify\n    site: \"huddle-web\"\n    context: \"production\"\n",
        "  VITE_API_URL: \"https://api.huddle.app\"\n",
        "  SENTRY_DSN: \"https://o1.ingest.sentry.io/2\"\n",
        "  STRIPE_SECRET_KEY: { secret: env:STRIPE_SECRET_KEY } # needs a value",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(
        !text.contains(RECORD),
        "envctl's record is not imported:\n{text}"
    );
    assert!(!text.contains("CANARY"), "{text}");
}

/// examples/huddle (runbook 000) writes its frontend's variables to the
/// Netlify site beside Vercel: staging to the site's deploy previews.
#[test]
fn the_huddle_example_writes_its_frontend_to_netlify_beside_vercel() {
    use envctl_fakes::supabase::FakeSupabase;
    use envctl_fakes::vercel::FakeVercel;
    let supabase = FakeSupabase::new("sbp_CANARY_example_token_0000000000000000");
    supabase.add_project("huddlestagingprojxyz");
    let vercel = FakeVercel::new("vercel_CANARY_example_token");
    vercel.add_project("prj_huddleweb0001", "huddle-web", Some("team_huddle"));
    vercel.grant_team("vercel_CANARY_example_token", "team_huddle");
    let (supabase, vercel, server) = (Server::start(supabase), Server::start(vercel), netlify());
    let mut env = netlify_env(&server);
    env.extend([
        (
            "SUPABASE_ACCESS_TOKEN".to_string(),
            "sbp_CANARY_example_token_0000000000000000".to_string(),
        ),
        ("ENVCTL_SUPABASE_API_URL".to_string(), supabase.url()),
        (
            "VERCEL_TOKEN".to_string(),
            "vercel_CANARY_example_token".to_string(),
        ),
        ("ENVCTL_VERCEL_API_URL".to_string(), vercel.url()),
    ]);
    for name in [
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "OPENAI_API_KEY",
        "FCM_SERVER_KEY",
    ] {
        env.push((
            format!("STAGING_{name}"),
            format!("CANARY_staging_{name}_9f8e7d"),
        ));
    }
    let ws = Workspace::copy_of("examples/huddle");
    run(&ws, &["plan", "staging", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("target site — netlify huddle-web (deploy-preview)");
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    let vars = server.api().env(SITE);
    let keys: Vec<&String> = vars.keys().collect();
    assert!(
        keys.iter().all(|k| k.starts_with("VITE_")),
        "only the frontend's: {keys:?}"
    );
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert_eq!(
        value(&server, "VITE_SUPABASE_URL", "deploy-preview").as_deref(),
        Some("https://huddlestagingprojxyz.supabase.co")
    );
    assert_eq!(value(&server, "VITE_SUPABASE_URL", "production"), None);
    // All that is left is the migrations, which apply writes only when
    // asked (`--migrations`).
    let plan = run(&ws, &["plan", "staging"], &env);
    plan.expect(0)
        .expect_output("target site — netlify huddle-web (deploy-preview)\n    (6 unchanged)")
        .expect_output("Plan: 0 to add, 1 to change, 0 to delete.");
}

/// Scopes are the whole variable's: a target changes them only while no
/// other context holds a value, and says so otherwise.
#[test]
fn a_target_never_changes_scopes_another_context_relies_on() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    ws.edit(
        "environments/staging.yaml",
        "context: deploy-preview",
        "context: deploy-preview\n    scopes: [builds]",
    );
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("another deploy context holds a value of it");
    let vars = server.api().env(SITE);
    assert_eq!(vars["VITE_API_URL"].scopes, ALL, "production's scopes kept");
    assert_eq!(
        value(&server, "VITE_API_URL", "deploy-preview").as_deref(),
        Some("https://api.staging.huddle.app")
    );
    // A delete beside an `all` value leaves this context with none.
    server.api().put_by_hand(
        SITE,
        var("OLD_FLAG", ALL, false, &[("all", "1"), ("production", "2")]),
    );
    ws.edit(
        "environments/production.yaml",
        "    context: production",
        "    context: production\n    prune: true",
    );
    run(&ws, &["apply", "prod", "--yes", "--allow-delete"], &env).expect(0);
    assert_eq!(value(&server, "OLD_FLAG", "production"), None);
    assert_eq!(
        value(&server, "OLD_FLAG", "deploy-preview").as_deref(),
        Some("1")
    );
}
