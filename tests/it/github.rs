//! The GitHub target end to end: the built binary against the fake GitHub
//! API on loopback — a repository's Actions secrets and variables, and one
//! deployment environment's.

use crate::common;

use std::time::Duration;

use common::Workspace;
use common::platforms::{
    GITHUB_CI_DEPLOY_KEY as CI_DEPLOY_KEY, GITHUB_ENVIRONMENT, GITHUB_NO_SECRETS_WRITE_TOKEN,
    GITHUB_PROD_DEPLOY_KEY as PROD_DEPLOY_KEY, GITHUB_REPO, assert_no_leak, github, github_env,
    github_workspace, pairs,
};
use envctl_fakes::Server;
use envctl_fakes::github::FakeGitHub;

const RECORD: &str = "ENVCTL_SECRET_DIGESTS";
const PRODUCTION: Option<&str> = Some(GITHUB_ENVIRONMENT);

/// `env` with `name` set to `value` (replaced if it was there).
fn with(env: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = env.iter().filter(|(k, _)| k != name).cloned().collect();
    env.push((name.into(), value.into()));
    env
}

/// Runs envctl and checks that no token or canary secret shows up.
fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

/// Names of the secrets, and of the variables, GitHub holds at a level.
fn names(server: &Server<FakeGitHub>, environment: Option<&str>) -> (Vec<String>, Vec<String>) {
    let fake = server.api();
    (
        fake.secrets(GITHUB_REPO, environment).into_keys().collect(),
        fake.variables(GITHUB_REPO, environment)
            .into_keys()
            .collect(),
    )
}

fn variable(server: &Server<FakeGitHub>, environment: Option<&str>, name: &str) -> String {
    server.api().variables(GITHUB_REPO, environment)[name]
        .value
        .clone()
}

fn plaintext(server: &Server<FakeGitHub>, environment: Option<&str>, name: &str) -> String {
    server
        .api()
        .secret_plaintext(GITHUB_REPO, environment, name)
        .unwrap_or_else(|| panic!("no secret {name}"))
}

/// Requests that were not `GET`s.
fn writes(server: &Server<FakeGitHub>) -> usize {
    server
        .requests()
        .iter()
        .filter(|l| l.request.method != "GET")
        .count()
}

#[test]
fn plan_apply_plan_round_trip_seals_the_secret_and_writes_the_variable() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 2 to add, 0 to change, 0 to delete.")
        .expect_output("+ DEPLOY_KEY")
        .expect_output("+ SITE_URL");
    assert_eq!(writes(&server), 0, "a plan writes nothing");
    server.clear_log();
    run(&ws, &["apply", "ci", "--yes"], &env)
        .expect(0)
        .expect_output("Apply complete: 2 changes written to ci.");
    // The public key once, one sealed PUT, the variable, then the record.
    assert_eq!(server.count("GET", "/actions/secrets/public-key"), 1);
    assert_eq!(server.count("PUT", "/actions/secrets/DEPLOY_KEY"), 1);
    assert_eq!(server.count("POST", "/actions/variables"), 2);
    let put = server
        .requests()
        .into_iter()
        .find(|l| l.request.method == "PUT")
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&put.request.body).contains("CANARY"),
        "the value travels sealed"
    );

    // GitHub opened what envctl sealed: the value applied.
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
    assert_eq!(variable(&server, None, "SITE_URL"), "https://ci.huddle.app");
    let (secrets, variables) = names(&server, None);
    assert_eq!(secrets, ["DEPLOY_KEY"]);
    assert_eq!(variables, [RECORD, "SITE_URL"]);
    let record = variable(&server, None, RECORD);
    assert!(record.starts_with("envctl-v1 at="), "{record}");
    assert!(record.contains(" DEPLOY_KEY="), "{record}");
    assert!(!record.contains("CANARY"), "{record}");
    assert_eq!(
        names(&server, PRODUCTION),
        (vec![], vec![]),
        "the environment is left alone"
    );

    // Nothing left to do, and the secret is verified by envctl's record.
    let plan = run(&ws, &["plan", "ci", "--detailed-exitcode"], &env);
    plan.expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.");
    assert!(!plan.all().contains("cannot be verified"), "{}", plan.all());
    assert!(!plan.all().contains(RECORD), "{}", plan.all());
    run(&ws, &["drift", "ci", "--strict"], &env)
        .expect(0)
        .expect_output("in sync");
    for format in ["json", "markdown", "github"] {
        run(&ws, &["plan", "ci", "--format", format], &env).expect(0);
    }
}

#[test]
fn a_secret_changed_by_hand_is_drift_and_the_next_apply_writes_it_again() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    run(&ws, &["drift", "ci"], &env).expect(0);

    let fake = server.api();
    fake.advance_clock(Duration::from_secs(600));
    fake.set_secret_by_hand(GITHUB_REPO, None, "DEPLOY_KEY", "dk_CANARY_pasted_by_hand");
    run(&ws, &["drift", "ci"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    // GitHub's wording for a secret written after envctl's record.
    run(&ws, &["plan", "ci"], &env)
        .expect(0)
        .expect_output("~ DEPLOY_KEY")
        .expect_output("min after envctl last recorded it (by hand")
        .expect_output("GitHub does not show secret values: it will be written again");

    // A plain variable edited by hand is read back and compared.
    fake.set_variable_by_hand(GITHUB_REPO, None, "SITE_URL", "https://evil.example");
    run(&ws, &["plan", "ci"], &env)
        .expect(0)
        .expect_output("~ SITE_URL: \"https://evil.example\" → \"https://ci.huddle.app\"")
        .expect_output("Plan: 0 to add, 2 to change, 0 to delete.");

    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
    assert_eq!(variable(&server, None, "SITE_URL"), "https://ci.huddle.app");
    run(&ws, &["drift", "ci", "--strict"], &env).expect(0);
}

#[test]
fn a_secret_envctl_never_recorded_is_unknown_until_apply_adopt_records_it() {
    let server = github();
    let env = with(
        &github_env(&server),
        "PROD_NPM_TOKEN",
        "npm_CANARY_declared_9fK2Lq",
    );
    let ws = github_workspace();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let fake = server.api();
    fake.set_secret_by_hand(
        GITHUB_REPO,
        PRODUCTION,
        "NPM_TOKEN",
        "npm_CANARY_by_hand_0001",
    );
    ws.append(
        "environments/production.yaml",
        "  NPM_TOKEN: { secret: env:PROD_NPM_TOKEN }",
    );

    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(0)
        .expect_output("1 secret in production cannot be verified")
        .expect_output("envctl apply production --adopt");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    assert_eq!(
        plaintext(&server, PRODUCTION, "NPM_TOKEN"),
        "npm_CANARY_by_hand_0001",
        "a plain apply leaves what it cannot know alone"
    );
    run(&ws, &["drift", "production"], &env)
        .expect(0)
        .expect_output("1 secret cannot be verified");
    run(&ws, &["drift", "production", "--strict"], &env)
        .expect(2)
        .expect_output("not verified");

    run(
        &ws,
        &["plan", "prod", "--adopt", "--detailed-exitcode"],
        &env,
    )
    .expect(2)
    .expect_output("~ NPM_TOKEN")
    .expect_output("Plan: 0 to add, 1 to change, 0 to delete.");
    run(&ws, &["apply", "prod", "--adopt", "--yes"], &env).expect(0);
    assert_eq!(
        plaintext(&server, PRODUCTION, "NPM_TOKEN"),
        "npm_CANARY_declared_9fK2Lq"
    );
    let record = variable(&server, PRODUCTION, RECORD);
    assert!(
        record.contains(" NPM_TOKEN=") && record.contains(" DEPLOY_KEY="),
        "{record}"
    );
    let plan = run(&ws, &["plan", "prod", "--detailed-exitcode"], &env);
    plan.expect(0);
    assert!(!plan.all().contains("cannot be verified"), "{}", plan.all());
    run(&ws, &["drift", "production", "--strict"], &env).expect(0);
}

#[test]
fn an_environment_target_writes_only_that_environment() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 2 to add, 0 to change, 0 to delete.");
    server.clear_log();
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    let scope = format!("/repos/{GITHUB_REPO}/environments/{GITHUB_ENVIRONMENT}/");
    for logged in server.requests() {
        assert!(
            logged.request.path.starts_with(&scope),
            "{} {}",
            logged.request.method,
            logged.request.path
        );
    }
    assert_eq!(
        plaintext(&server, PRODUCTION, "DEPLOY_KEY"),
        PROD_DEPLOY_KEY
    );
    assert_eq!(
        variable(&server, PRODUCTION, "SITE_URL"),
        "https://huddle.app"
    );
    assert!(variable(&server, PRODUCTION, RECORD).contains(" DEPLOY_KEY="));
    assert_eq!(
        names(&server, None),
        (vec![], vec![]),
        "nothing at the repository level"
    );
    run(&ws, &["plan", "prod", "--detailed-exitcode"], &env).expect(0);

    // The repository level is another scope with its own record: applying
    // it leaves the environment verified, and a hand change to one is
    // drift of that one only.
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    run(&ws, &["drift", "ci", "production", "--strict"], &env).expect(0);
    server.api().advance_clock(Duration::from_secs(600));
    server
        .api()
        .set_secret_by_hand(GITHUB_REPO, PRODUCTION, "DEPLOY_KEY", "dk_CANARY_by_hand");
    run(&ws, &["drift", "ci", "--strict"], &env).expect(0);
    run(&ws, &["drift", "production"], &env)
        .expect(2)
        .expect_output("drift: 0 to add, 1 to change, 0 to delete");
    run(&ws, &["apply", "prod", "--yes"], &env).expect(0);
    assert_eq!(
        plaintext(&server, PRODUCTION, "DEPLOY_KEY"),
        PROD_DEPLOY_KEY
    );
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
}

#[test]
fn a_name_stored_as_the_other_kind_is_one_change_and_ends_as_the_declared_kind() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    let fake = server.api();
    // Declared secret, live as a variable anyone can read; declared plain,
    // live as a secret.
    fake.set_variable_by_hand(GITHUB_REPO, None, "DEPLOY_KEY", "dk_CANARY_as_a_variable");
    fake.set_secret_by_hand(GITHUB_REPO, None, "SITE_URL", "https://old.example");
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 0 to add, 2 to change, 0 to delete.")
        .expect_output("~ DEPLOY_KEY")
        .expect_output("it will be written as a secret and the variable deleted")
        .expect_output("~ SITE_URL")
        .expect_output("it will be written as a variable and the secret deleted");
    run(&ws, &["apply", "ci", "--yes"], &env)
        .expect(0)
        .expect_output("Apply complete: 2 changes written to ci.");
    let (secrets, variables) = names(&server, None);
    assert_eq!(secrets, ["DEPLOY_KEY"]);
    assert_eq!(variables, [RECORD, "SITE_URL"]);
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
    assert_eq!(variable(&server, None, "SITE_URL"), "https://ci.huddle.app");
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env).expect(0);

    // Both kinds at once: the variable beside the secret goes.
    fake.set_variable_by_hand(GITHUB_REPO, None, "DEPLOY_KEY", "dk_CANARY_beside_it");
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 0 to add, 1 to change, 0 to delete.")
        .expect_output("also stored as an Actions variable of the same name");
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    let (secrets, variables) = names(&server, None);
    assert_eq!(secrets, ["DEPLOY_KEY"]);
    assert_eq!(variables, [RECORD, "SITE_URL"]);
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
    run(&ws, &["drift", "ci", "--strict"], &env).expect(0);
}

/// 130 secrets (two pages of 100) and 70 variables (three of 30), set by
/// hand; the environment declares the secrets of the second page, every
/// variable (the last changed) and one new secret.
fn seed_pages(server: &Server<FakeGitHub>, ws: &Workspace) -> Vec<(String, String)> {
    let mut env = github_env(server);
    let mut yaml = String::from(
        "targets:\n  ci:\n    type: github\n    repository: huddle-app/huddle\n\nvariables:\n",
    );
    for i in 0..130 {
        let name = format!("SECRET_{i:03}");
        server
            .api()
            .set_secret_by_hand(GITHUB_REPO, None, &name, &format!("CANARY-{i}"));
        if i >= 100 {
            yaml.push_str(&format!("  {name}: {{ secret: env:CI_{name} }}\n"));
            env.push((format!("CI_{name}"), format!("CANARY-{i}-q8Vx2Lm")));
        }
    }
    for i in 0..70 {
        let name = format!("VAR_{i:02}");
        server
            .api()
            .set_variable_by_hand(GITHUB_REPO, None, &name, &format!("value {i}"));
        let value = if i == 69 { "changed" } else { "value" };
        yaml.push_str(&format!("  {name}: \"{value} {i}\"\n"));
    }
    yaml.push_str("  NEW_SECRET: { secret: env:CI_NEW_SECRET }\n");
    env.push(("CI_NEW_SECRET".into(), "CANARY-new-7Hq2Xw9Lp".into()));
    ws.write("environments/ci.yaml", &yaml);
    env
}

#[test]
fn a_plan_over_130_secrets_and_70_variables_reads_only_the_pages_it_needs() {
    let server = github();
    let ws = github_workspace();
    let env = seed_pages(&server, &ws);
    server.clear_log();
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 1 to add, 1 to change, 0 to delete.")
        .expect_output("+ NEW_SECRET")
        .expect_output("~ VAR_69: \"value 69\" → \"changed 69\"")
        .expect_output("30 secrets in ci cannot be verified");
    let pages = |kind: &str| -> Vec<String> {
        server
            .requests()
            .iter()
            .filter(|l| l.request.path.ends_with(&format!("/actions/{kind}")))
            .map(|l| {
                assert_eq!(l.request.method, "GET");
                format!(
                    "{}/{}",
                    l.request.query("page").unwrap_or("?"),
                    l.request.query("per_page").unwrap_or("?")
                )
            })
            .collect()
    };
    let mut secrets = pages("secrets");
    let mut variables = pages("variables");
    secrets.sort();
    variables.sort();
    assert_eq!(secrets, ["1/100", "2/100"]);
    assert_eq!(variables, ["1/30", "2/30", "3/30"]);
    assert_eq!(server.requests().len(), 5, "nothing but the pages");

    // An exact number of pages costs no extra, empty one.
    for i in 60..70 {
        let name = format!("VAR_{i:02}");
        server
            .api()
            .remove_variable_by_hand(GITHUB_REPO, None, &name);
    }
    for i in 100..130 {
        let name = format!("SECRET_{i:03}");
        server.api().remove_secret_by_hand(GITHUB_REPO, None, &name);
    }
    server.clear_log();
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("Plan: 41 to add, 0 to change, 0 to delete.");
    assert_eq!(
        (pages("secrets").len(), pages("variables").len()),
        (1, 2),
        "100 secrets are one page, 60 variables two"
    );
}

/// Statuses the fake answered, in order.
fn statuses(server: &Server<FakeGitHub>) -> Vec<u16> {
    server
        .requests()
        .iter()
        .map(|l| l.status.unwrap_or(0))
        .collect()
}

#[test]
fn a_primary_rate_limit_is_waited_out_until_its_reset() {
    for status in [403, 429] {
        let server = github();
        let env = github_env(&server);
        let ws = github_workspace();
        // One request per two-second window: the plan's second list is
        // refused with `x-ratelimit-remaining: 0` and a reset a second or
        // two ahead, waits until then, and is read.
        let fake = server.api();
        fake.set_rate_limit_window(Duration::from_secs(2));
        fake.set_rate_limit(1);
        fake.set_rate_limit_status(status);
        run(&ws, &["plan", "ci", "--detailed-exitcode"], &env)
            .expect(2)
            .expect_output("Plan: 2 to add, 0 to change, 0 to delete.");
        let mut seen = statuses(&server);
        seen.sort_unstable();
        assert_eq!(seen, [200, 200, status], "one refusal, waited out");
    }
}

#[test]
fn a_secondary_rate_limit_is_waited_out_for_its_retry_after() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    for status in [403, 429] {
        server.api().set_rate_limit_status(status);
        server.clear_log();
        server.faults().throttle(2, 1);
        let started = std::time::Instant::now();
        run(&ws, &["plan", "ci", "--detailed-exitcode"], &env).expect(2);
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert_eq!(statuses(&server), [status, status, 200, 200]);
    }
    server.faults().throttle(1, 1);
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env).expect(0);
}

/// An error run: exit 1, each of `expected` in the output, and no canary.
#[track_caller]
fn fails(ws: &Workspace, args: &[&str], env: &[(String, String)], expected: &[&str]) {
    let r = run(ws, args, env);
    r.expect(1);
    for needle in expected {
        r.expect_output(needle);
    }
    assert!(!r.all().contains(CI_DEPLOY_KEY) && !r.all().contains(PROD_DEPLOY_KEY));
}

#[test]
fn a_bad_token_or_none_is_a_clear_error_and_nothing_is_written() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    let bad = with(&env, "GITHUB_TOKEN", "github_pat_CANARY_revoked_0000");
    for args in [
        &["plan", "ci"][..],
        &["apply", "ci", "--yes"][..],
        &["drift", "ci"][..],
    ] {
        fails(
            &ws,
            args,
            &bad,
            &[
                "HTTP 401",
                "Bad credentials",
                "GitHub refused the token (GITHUB_TOKEN or GH_TOKEN, else `envctl login github`)",
            ],
        );
    }
    assert_eq!(writes(&server), 0);
    assert!(
        server.requests().iter().all(|l| l.status == Some(401)),
        "an answer, not retried into success"
    );

    // No token at all: said before anything is sent.
    server.clear_log();
    let none: Vec<(String, String)> = env
        .iter()
        .filter(|(k, _)| k != "GITHUB_TOKEN")
        .cloned()
        .collect();
    fails(
        &ws,
        &["plan", "ci"],
        &none,
        &["GITHUB_TOKEN", "envctl login github"],
    );
    assert!(server.requests().is_empty());
    // `gh`'s other name for it is read too.
    let gh = with(&none, "GH_TOKEN", common::platforms::GITHUB_TOKEN);
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &gh).expect(2);
}

#[test]
fn a_token_that_may_not_write_secrets_names_the_permission_and_writes_nothing() {
    let server = github();
    let ws = github_workspace();
    let env = with(
        &github_env(&server),
        "GITHUB_TOKEN",
        GITHUB_NO_SECRETS_WRITE_TOKEN,
    );
    // It may read: the plan works.
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env).expect(2);
    for (args, scope) in [
        (["apply", "ci", "--yes"], None),
        (["apply", "prod", "--yes"], PRODUCTION),
    ] {
        fails(
            &ws,
            &args,
            &env,
            &[
                "HTTP 403",
                "Resource not accessible by personal access token",
                "the token may not write secrets",
                "Secrets: write",
                "`repo` scope",
            ],
        );
        assert_eq!(names(&server, scope), (vec![], vec![]), "nothing written");
    }
    fails(
        &ws,
        &["apply", "prod", "--yes"],
        &env,
        &["Secrets: write, and Environments: write"],
    );
    assert_eq!(
        server.count("PUT", "/secrets/"),
        3,
        "each apply stopped at its first write, not retried"
    );
}

#[test]
fn an_unknown_repository_or_environment_says_what_to_check() {
    let server = github();
    let env = github_env(&server);
    let cases: [(&str, &str, &str, &[&str]); 2] = [
        (
            "environments/ci.yaml",
            "repository: huddle-app/huddle",
            "repository: huddle-app/hudle",
            &[
                "HTTP 404",
                "Not Found",
                "repository huddle-app/hudle was not found, or is not visible to this token",
                "check `repository` (OWNER/REPO)",
            ],
        ),
        (
            "environments/production.yaml",
            "environment: production",
            "environment: prodution",
            &[
                "HTTP 404",
                "repository huddle-app/huddle or its environment `prodution` was not found",
                "check `repository` and `environment` (Settings › Environments)",
            ],
        ),
    ];
    for (file, from, to, expected) in cases {
        let ws = github_workspace();
        ws.edit(file, from, to);
        let name = if file.contains("ci") {
            "ci"
        } else {
            "production"
        };
        for args in [
            &["plan", name][..],
            &["apply", name, "--yes"][..],
            &["drift", name][..],
        ] {
            fails(&ws, args, &env, expected);
        }
    }
    assert_eq!(writes(&server), 0, "nothing written");
    assert_eq!(names(&server, None), (vec![], vec![]));
    assert_eq!(names(&server, PRODUCTION), (vec![], vec![]));
}

#[test]
fn a_value_github_refuses_is_a_422_that_quotes_nothing_sent() {
    let server = github();
    let ws = github_workspace();
    // Over GitHub's 48 KB for one value.
    let huge = format!("dk_CANARY_{}", "x".repeat(48 * 1024));
    let env = with(&github_env(&server), "CI_DEPLOY_KEY", &huge);
    fails(
        &ws,
        &["apply", "ci", "--yes"],
        &env,
        &[
            "HTTP 422 custom: Validation Failed",
            "help: GitHub refused the secret: its value may be over GitHub's 48 KB",
            "done: nothing",
            "not done: ci: set DEPLOY_KEY",
        ],
    );
    assert_eq!(names(&server, None), (vec![], vec![]), "nothing written");

    // A refusal that quotes the request: the sealed value it sent is cut
    // out of what envctl shows.
    let env = with(&env, "CI_DEPLOY_KEY", CI_DEPLOY_KEY);
    server.clear_log();
    server.faults().echo_writes(1);
    let r = run(&ws, &["-vv", "apply", "ci", "--yes"], &env);
    r.expect(1)
        .expect_output("HTTP 422")
        .expect_output("invalid request:");
    let put = server
        .requests()
        .into_iter()
        .find(|l| l.request.method == "PUT")
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&put.request.body).unwrap();
    let sealed = body["encrypted_value"].as_str().unwrap();
    assert!(sealed.len() > 40);
    assert!(!r.all().contains(sealed), "{}", r.all());
    assert!(!r.all().contains(&sealed[..16]), "{}", r.all());
    assert_eq!(names(&server, None), (vec![], vec![]), "nothing written");
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);

    // The same for a plain value: the plan shows it, the error does not.
    let value = "https://ci.huddle.app/v2-7Qx9Lm";
    ws.edit("environments/ci.yaml", "https://ci.huddle.app", value);
    server.faults().echo_writes(1);
    let r = run(&ws, &["apply", "ci", "--yes"], &env);
    r.expect(1)
        .expect_output(value)
        .expect_output("help: GitHub refused the variable");
    let error = &r.all()[r.all().find("error:").unwrap()..];
    assert!(error.contains("invalid request:"), "{error}");
    assert!(!error.contains("v2-7Qx9Lm"), "{error}");
    assert_eq!(variable(&server, None, "SITE_URL"), "https://ci.huddle.app");
}

#[test]
fn import_writes_variables_inline_and_secrets_as_references() {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    let fake = server.api();
    fake.set_secret_by_hand(GITHUB_REPO, None, "NPM_TOKEN", "npm_CANARY_by_hand_0002");
    fake.set_variable_by_hand(GITHUB_REPO, PRODUCTION, "REGION", "eu-west-1");
    for (name, from) in [
        ("imported", format!("github:{GITHUB_REPO}")),
        (
            "imported-prod",
            format!("github:{GITHUB_REPO}:{GITHUB_ENVIRONMENT}"),
        ),
    ] {
        run(&ws, &["import", name, "--from", &from], &env).expect(0);
    }
    let text = ws.read("environments/imported.yaml");
    for line in [
        "  ci:\n    type: github\n    repository: \"huddle-app/huddle\"\n",
        "  SITE_URL: \"https://ci.huddle.app\"\n",
        "  DEPLOY_KEY: { secret: env:DEPLOY_KEY } # needs a value",
        "  NPM_TOKEN: { secret: env:NPM_TOKEN } # needs a value: github does not return it\n",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert!(
        !text.contains(RECORD),
        "envctl's record is not imported:\n{text}"
    );
    assert!(!text.contains("CANARY"), "{text}");
    let prod = ws.read("environments/imported-prod.yaml");
    assert!(prod.contains("    environment: \"production\"\n"), "{prod}");
    assert!(prod.contains("  REGION: \"eu-west-1\"\n"), "{prod}");
    assert!(!prod.contains("SITE_URL"), "{prod}");

    // The imported file plans against what it was imported from.
    let env = with(&env, "NPM_TOKEN", "npm_CANARY_by_hand_0002");
    let env = with(&env, "DEPLOY_KEY", CI_DEPLOY_KEY);
    run(&ws, &["plan", "imported", "--detailed-exitcode"], &env)
        .expect(0)
        .expect_output("1 secret in imported cannot be verified");
}

/// The `ci` environment with `DEPLOY_KEY` from a file on this machine,
/// applied: what an admin's machine holds.
fn applied_from_a_file() -> (Server<FakeGitHub>, Vec<(String, String)>, Workspace) {
    let server = github();
    let env = github_env(&server);
    let ws = github_workspace();
    ws.write("secrets/deploy-key", &format!("{CI_DEPLOY_KEY}\n"));
    ws.edit(
        "environments/ci.yaml",
        "{ secret: env:CI_DEPLOY_KEY }",
        "{ secret: file:secrets/deploy-key }",
    );
    run(&ws, &["apply", "ci", "--yes"], &env).expect(0);
    (server, env, ws)
}

#[test]
fn rotate_writes_the_new_value_to_github_and_its_source() {
    let (server, env, ws) = applied_from_a_file();
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), CI_DEPLOY_KEY);

    run(
        &ws,
        &["rotate", "ci", "DEPLOY_KEY", "--generate", "--yes"],
        &env,
    )
    .expect(0)
    .expect_output("DEPLOY_KEY");
    let rotated = ws.read("secrets/deploy-key");
    let rotated = rotated.trim_end();
    assert_ne!(rotated, CI_DEPLOY_KEY);
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), rotated);
    run(&ws, &["plan", "ci", "--detailed-exitcode"], &env).expect(0);

    // From standard input, with an env source: the variable holds it next.
    let stdin = "dk_CANARY_rotated_4Tz8Qm1Wc";
    ws.edit(
        "environments/ci.yaml",
        "{ secret: file:secrets/deploy-key }",
        "{ secret: env:CI_DEPLOY_KEY }",
    );
    let after = with(&env, "CI_DEPLOY_KEY", stdin);
    let r = ws.run_with_input(
        &["rotate", "ci", "DEPLOY_KEY", "--stdin", "--yes"],
        &pairs(&after),
        Some(stdin),
    );
    r.expect(0);
    assert_no_leak(&r.all());
    assert_eq!(plaintext(&server, None, "DEPLOY_KEY"), stdin);
    run(&ws, &["drift", "ci", "--strict"], &after).expect(0);
}

/// The pattern of docs/ci.md: an admin's machine holds the source (here a
/// file), `rotate` writes the new value to GitHub as the secret CI reads,
/// and CI — resolving every secret from the variable of its own name
/// (`ENVCTL_SECRETS_FROM_ENV=ci`) — plans the same value: no change. With
/// the old value it would plan one.
#[test]
fn ci_resolving_from_the_secrets_an_admin_rotated_into_github_agrees() {
    let (server, env, ws) = applied_from_a_file();
    run(
        &ws,
        &["rotate", "ci", "DEPLOY_KEY", "--generate", "--yes"],
        &env,
    )
    .expect(0);
    let rotated = plaintext(&server, None, "DEPLOY_KEY");
    assert_eq!(ws.read("secrets/deploy-key").trim_end(), rotated);

    // CI has no file: the job maps the GitHub secret to DEPLOY_KEY.
    std::fs::remove_file(ws.path("secrets/deploy-key")).unwrap();
    let ci = with(
        &with(&env, "ENVCTL_SECRETS_FROM_ENV", "ci"),
        "DEPLOY_KEY",
        &rotated,
    );
    // The value resolved from the environment never shows, in any format.
    for args in [
        &["plan", "ci", "--detailed-exitcode"][..],
        &["plan", "ci", "--format", "json"],
        &["drift", "ci", "--strict"],
    ] {
        let r = run(&ws, args, &ci);
        r.expect(0);
        assert!(!r.all().contains(&rotated), "the rotated value leaked");
    }
    let stale = with(&ci, "DEPLOY_KEY", CI_DEPLOY_KEY);
    let r = run(&ws, &["plan", "ci", "--detailed-exitcode"], &stale);
    r.expect(2).expect_output("DEPLOY_KEY");
    assert!(!r.all().contains(&rotated) && !r.all().contains(CI_DEPLOY_KEY));
    // Without the setting, or naming another environment, CI cannot
    // read the admin's file.
    for setting in ["", "production"] {
        let other = with(&env, "ENVCTL_SECRETS_FROM_ENV", setting);
        let r = run(
            &ws,
            &["plan", "ci", "--require-secrets"],
            &with(&other, "DEPLOY_KEY", &rotated),
        );
        r.expect(1);
        assert_no_leak(&r.all());
    }
}

#[test]
fn secrets_from_env_takes_environment_names_only() {
    let server = github();
    let env = with(
        &github_env(&server),
        "ENVCTL_SECRETS_FROM_ENV",
        "ci production",
    );
    let ws = github_workspace();
    run(&ws, &["plan", "ci"], &env).expect(1).expect_output(
        "ENVCTL_SECRETS_FROM_ENV=\"ci production\" is not valid: expected environment names",
    );
}
