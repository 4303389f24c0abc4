//! `apply --redeploy` on every platform that builds values into its
//! deployments, end to end against the fakes: each says exactly which
//! deployment it rebuilt and which one that made, or why it cannot; and a
//! plan that changes such values says so before anything is applied.

use crate::common;

use common::Workspace;
use common::netlify::{netlify, netlify_env, netlify_workspace};
use common::platforms::{
    CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, Platforms, VERCEL_PROJECT, assert_no_leak, cloudflare,
    cloudflare_env, pairs,
};

fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

const STAGING_URL: &str = "VITE_API_URL: https://staging.huddle.app/functions/v1";
const STAGING_URL_2: &str = "VITE_API_URL: https://staging2.huddle.app/functions/v1";

#[test]
fn a_vercel_branch_target_redeploys_that_branchs_latest_preview() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let api = p.vercel.api();
    api.add_branch_deployment(VERCEL_PROJECT, "dpl_stg0001", "staging");
    // Newer, but of other branches and production: not this target's.
    api.add_branch_deployment(VERCEL_PROJECT, "dpl_feat001", "feature-x");
    api.add_deployment(VERCEL_PROJECT, "dpl_prod001", "production");

    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("note: running deployments keep the values they were built with until redeployed: `envctl apply staging --redeploy` rebuilds the latest one");
    run(&ws, &["apply", "staging", "--yes"], &env)
        .expect(0)
        .expect_output("huddle-web's running preview deployment of branch staging keeps the old values until it is redeployed; run `envctl apply staging --redeploy`");
    assert_eq!(api.deployments(VERCEL_PROJECT).len(), 3);

    ws.edit("environments/staging.yaml", STAGING_URL, STAGING_URL_2);
    let apply = run(&ws, &["apply", "staging", "--yes", "--redeploy"], &env);
    apply.expect(0).expect_output(
        "redeployed the latest preview deployment of branch staging, dpl_stg0001 (https://huddle-web-",
    );
    let deployments = api.deployments(VERCEL_PROJECT);
    let new = deployments.last().unwrap();
    assert_eq!(new.redeploy_of.as_deref(), Some("dpl_stg0001"));
    assert_eq!(new.branch.as_deref(), Some("staging"));
    assert_eq!(new.target, None, "still a preview");
    apply.expect_output(&format!(
        "with the new values: {} (https://{})",
        new.uid, new.url
    ));
    let listed = p.vercel.requests();
    let list = listed
        .iter()
        .find(|l| l.request.method == "GET" && l.request.path.ends_with("/deployments"))
        .unwrap();
    assert_eq!(list.request.query("branch"), Some("staging"));
    assert_eq!(list.request.query("target"), Some("preview"));
}

#[test]
fn a_vercel_branch_without_deployments_and_previews_of_every_branch_are_not_redeployed() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    p.vercel
        .api()
        .add_branch_deployment(VERCEL_PROJECT, "dpl_feat001", "feature-x");
    run(&ws, &["apply", "staging", "--yes", "--redeploy"], &env)
        .expect(0)
        .expect_output("no preview deployment of branch staging in huddle-web to redeploy: the next one is built with the new values");

    // Without `git_branch`, the values go to every branch's preview.
    ws.remove_line("environments/staging.yaml", "git_branch: staging");
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("until each is deployed again; `--redeploy` does not rebuild them");
    run(&ws, &["apply", "staging", "--yes", "--redeploy"], &env)
        .expect(0)
        .expect_output("--redeploy rebuilt no preview: the preview deployments of every branch and pull request keep the old values until each is deployed again (push a commit); envctl does not redeploy them, as there is one per branch and pull request")
        .expect_output("Set `git_branch` on the target");
    assert_eq!(
        p.vercel.count("POST", "/deployments"),
        0,
        "nothing redeployed"
    );
    assert_eq!(p.vercel.api().deployments(VERCEL_PROJECT).len(), 1);
}

#[test]
fn cloudflare_pages_retries_the_environments_latest_deployment() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = Workspace::copy_of("examples/klubz");
    let api = server.api();
    run(&ws, &["apply", "production", "--yes", "--redeploy"], &env)
        .expect(0)
        .expect_output("no production deployment of klubz-production to retry: the next deployment is made with the new values");

    let first = api.add_deployment(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, "production", "main");
    api.add_deployment(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, "preview", "feature-x");
    ws.edit(
        "environments/production.yaml",
        "variables:\n",
        "variables:\n  SEARCH_INDEX: trips-v1\n",
    );
    run(&ws, &["plan", "production"], &env)
        .expect(0)
        .expect_output("note: running deployments keep the values they were built with until redeployed: `envctl apply production --redeploy` rebuilds the latest one");
    run(&ws, &["apply", "production", "--yes"], &env)
        .expect(0)
        .expect_output("the running production deployment of klubz-production keeps the old values until the next deployment; run `envctl apply production --redeploy`");
    assert_eq!(
        api.deployments(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION).len(),
        2
    );

    ws.edit(
        "environments/production.yaml",
        "SEARCH_INDEX: trips-v1",
        "SEARCH_INDEX: trips-v2",
    );
    let apply = run(&ws, &["apply", "production", "--yes", "--redeploy"], &env);
    apply.expect(0).expect_output(&format!(
        "retried the latest production deployment of klubz-production, {} (https://{}.klubz-production.pages.dev), with the new values: ",
        &first[..8],
        &first[..8]
    ));
    let deployments = api.deployments(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION);
    let new = deployments.last().unwrap();
    assert_eq!(new.retry_of.as_deref(), Some(first.as_str()));
    assert_eq!(new.environment, "production");
    assert_eq!(new.env_vars["SEARCH_INDEX"].value, "trips-v2");
    apply.expect_output(&format!(
        "{} (https://{}.klubz-production.pages.dev)",
        new.short_id, new.short_id
    ));
    assert_eq!(server.count("GET", "/deployments"), 2);
    assert_eq!(server.count("POST", "/retry"), 1);
}

#[test]
fn a_netlify_plan_says_which_deploys_keep_old_values() {
    let server = netlify();
    let env = netlify_env(&server);
    let ws = netlify_workspace();
    let plan = ws.run(&["plan", "prod"], &pairs(&env));
    plan.expect(0).expect_output("note: running deployments keep the values they were built with until redeployed: `envctl apply production --redeploy` rebuilds the latest one");
    let staging = ws.run(&["plan", "staging"], &pairs(&env));
    staging
        .expect(0)
        .expect_output("until each is deployed again; `--redeploy` does not rebuild them");
    ws.run(&["apply", "prod", "--yes"], &pairs(&env)).expect(0);
    // Nothing to write: nothing to say about deployments.
    let again = ws.run(&["plan", "prod", "--format", "markdown"], &pairs(&env));
    again.expect(0);
    assert!(!again.stdout().contains("built with"), "{}", again.stdout());
}
