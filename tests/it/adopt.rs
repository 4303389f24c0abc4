//! Secrets whose live value cannot be known are still managed: rotation
//! always writes, `--adopt` writes and records how to verify, and drift
//! says how many secrets are unverifiable (`--strict` fails on them).

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, assert_no_leak, pairs};
use envctl_fakes::vercel::EnvType;

const SENTRY: &str = "sntrys_CANARY_sentry_token_0001";
const BY_HAND: &str = "sntrys_CANARY_by_hand_0002";

/// The example, with a secret that goes to Vercel production.
fn workspace() -> Workspace {
    let ws = Workspace::example();
    ws.edit(
        "environments/production.yaml",
        "  OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }\n",
        "  OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }\n  SENTRY_AUTH_TOKEN: { secret: env:SENTRY_AUTH_TOKEN, targets: [web] }\n",
    );
    ws
}

fn env(p: &Platforms) -> Vec<(String, String)> {
    let mut env = p.env();
    env.push(("SENTRY_AUTH_TOKEN".into(), SENTRY.into()));
    env
}

/// The example with a Vercel secret, the fakes, and their environment.
fn started() -> (Workspace, Platforms, Vec<(String, String)>) {
    let p = Platforms::start();
    let env = env(&p);
    (workspace(), p, env)
}

/// The value the fake holds for a record.
fn live(p: &Platforms, id: &str) -> String {
    p.vercel.api().record(VERCEL_PROJECT, id).unwrap().value
}

/// A `sensitive` record made by hand: no envctl tag, value unreadable.
fn by_hand(p: &Platforms) -> String {
    p.vercel.api().insert_record(
        VERCEL_PROJECT,
        "SENTRY_AUTH_TOKEN",
        BY_HAND,
        EnvType::Sensitive,
        &["production"],
        None,
        "",
    )
}

#[test]
fn adopt_writes_an_unknowable_secret_and_makes_it_verifiable() {
    let (ws, p, env) = started();
    let env = pairs(&env);
    let id = by_hand(&p);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    assert_eq!(
        live(&p, &id),
        BY_HAND,
        "a plain apply leaves what it cannot know alone"
    );

    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("1 secret in production cannot be verified")
        .expect_output("envctl apply production --adopt");
    ws.run(&["drift", "production"], &env)
        .expect(0)
        .expect_output("1 secret cannot be verified");
    ws.run(&["drift", "production", "--strict"], &env)
        .expect(2)
        .expect_output("not verified");
    ws.run(&["plan", "prod", "--adopt", "--detailed-exitcode"], &env)
        .expect(2)
        .expect_output("~ SENTRY_AUTH_TOKEN")
        .expect_output("--adopt");

    let adopt = ws.run(&["apply", "prod", "--adopt", "--yes"], &env);
    adopt.expect(0);
    assert_no_leak(&adopt.all());
    let record = p.vercel.api().record(VERCEL_PROJECT, &id).unwrap();
    assert_eq!(record.value, SENTRY);
    assert!(record.comment.starts_with("[envctl sha256:"), "{record:?}");

    // Verifiable from now on: nothing unknown, strict drift is green.
    let again = ws.run(&["plan", "prod", "--detailed-exitcode"], &env);
    again.expect(0);
    assert!(
        !again.all().contains("cannot be verified"),
        "{}",
        again.all()
    );
    ws.run(&["drift", "production", "--strict"], &env).expect(0);

    // And a later hand change is drift.
    p.vercel
        .api()
        .advance_clock(std::time::Duration::from_secs(600));
    p.vercel
        .api()
        .edit_behind_back(VERCEL_PROJECT, &id, "sntrys_CANARY_later_0003");
    ws.run(&["drift", "production"], &env)
        .expect(2)
        .expect_output("drift");
}

#[test]
fn a_saved_adopt_plan_applies_with_the_adoption() {
    let (ws, p, env) = started();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let id = by_hand(&p);
    // envctl's own record was for production too: drop it so the hand one stands.
    let ours = p
        .vercel
        .api()
        .records(VERCEL_PROJECT)
        .into_iter()
        .find(|r| r.key == "SENTRY_AUTH_TOKEN" && r.id != id)
        .unwrap();
    p.vercel.api().remove_record(VERCEL_PROJECT, &ours.id);
    ws.run(&["plan", "prod", "--adopt", "--out", "adopt.plan"], &env)
        .expect(0);
    ws.run(&["apply", "adopt.plan"], &env).expect(0);
    assert_eq!(live(&p, &id), SENTRY);
}

#[test]
fn rotate_writes_even_where_the_live_value_cannot_be_read() {
    let (ws, p, env) = started();
    let env = pairs(&env);
    let id = by_hand(&p);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let rotated = "sntrys_CANARY_rotated_value_0004";
    // The new value is made where the source lives (here: the variable).
    let mut after: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .filter(|(k, _)| *k != "SENTRY_AUTH_TOKEN")
        .collect();
    after.push(("SENTRY_AUTH_TOKEN", rotated));
    let run = ws.run_with_input(
        &["rotate", "prod", "SENTRY_AUTH_TOKEN", "--stdin", "--yes"],
        &after,
        Some(rotated),
    );
    run.expect(0).expect_output("SENTRY_AUTH_TOKEN");
    assert!(!run.all().contains("Nothing to apply"), "{}", run.all());
    assert_no_leak(&run.all());
    assert_eq!(live(&p, &id), rotated);
}

#[test]
fn rotate_with_a_file_source_writes_the_file_and_every_target() {
    let (ws, p, env) = started();
    let env = pairs(&env);
    ws.write("secrets/sentry", &format!("{SENTRY}\n"));
    ws.edit(
        "environments/production.yaml",
        "SENTRY_AUTH_TOKEN: { secret: env:SENTRY_AUTH_TOKEN, targets: [web] }",
        "SENTRY_AUTH_TOKEN: { secret: file:secrets/sentry, targets: [web] }",
    );
    let id = by_hand(&p);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    ws.run(
        &["rotate", "prod", "SENTRY_AUTH_TOKEN", "--generate", "--yes"],
        &env,
    )
    .expect(0);
    let written = ws.read("secrets/sentry");
    let live = live(&p, &id);
    assert_eq!(format!("{live}\n"), written, "source and platform agree");
    assert_ne!(live, BY_HAND);
}

mod cloudflare {
    use super::common::Workspace;
    use super::common::platforms::{
        CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, assert_no_leak, cloudflare, cloudflare_env, pairs,
    };
    use envctl_fakes::cloudflare::VarType;

    fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> super::common::Run {
        let run = ws.run(args, &pairs(env));
        assert_no_leak(&run.all());
        run
    }

    #[test]
    fn a_secret_text_made_by_hand_is_adopted_then_verified_then_a_hand_change_is_drift() {
        let server = cloudflare();
        let env = cloudflare_env(&server);
        let ws = Workspace::copy_of("examples/klubz");
        let fake = server.api();
        let by_hand = |value: &str| {
            fake.set_by_hand(
                CLOUDFLARE_ACCOUNT,
                KLUBZ_PRODUCTION,
                "production",
                "JWT_SECRET",
                VarType::SecretText,
                value,
            )
        };
        by_hand("CANARY-jwt-by-hand-0301");
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        let stored = |key: &str| {
            fake.env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_PRODUCTION, "production")[key]
                .value
                .clone()
        };
        assert_eq!(stored("JWT_SECRET"), "CANARY-jwt-by-hand-0301");
        run(&ws, &["plan", "production"], &env)
            .expect(0)
            .expect_output("1 secret in production cannot be verified");
        run(&ws, &["drift", "production", "--strict"], &env).expect(2);

        run(&ws, &["apply", "production", "--adopt", "--yes"], &env).expect(0);
        assert_ne!(stored("JWT_SECRET"), "CANARY-jwt-by-hand-0301");
        let plan = run(&ws, &["plan", "production", "--detailed-exitcode"], &env);
        plan.expect(0);
        assert!(!plan.all().contains("cannot be verified"), "{}", plan.all());
        run(&ws, &["drift", "production", "--strict"], &env).expect(0);

        // Changed in the dashboard later: the record no longer vouches.
        fake.advance_clock(std::time::Duration::from_secs(600));
        by_hand("CANARY-jwt-later-0302");
        run(&ws, &["drift", "production"], &env).expect(2);
        run(&ws, &["plan", "production"], &env)
            .expect(0)
            .expect_output("~ JWT_SECRET")
            .expect_output("after envctl last wrote its secrets");
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        assert_ne!(stored("JWT_SECRET"), "CANARY-jwt-later-0302");
        run(&ws, &["plan", "production", "--detailed-exitcode"], &env).expect(0);
    }

    #[test]
    fn a_hand_change_soon_after_an_apply_is_still_drift() {
        let server = cloudflare();
        let env = cloudflare_env(&server);
        let ws = Workspace::copy_of("examples/klubz");
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        server
            .api()
            .advance_clock(std::time::Duration::from_secs(30));
        server.api().set_by_hand(
            CLOUDFLARE_ACCOUNT,
            KLUBZ_PRODUCTION,
            "production",
            "JWT_SECRET",
            VarType::SecretText,
            "CANARY-jwt-soon-0303",
        );
        run(&ws, &["drift", "production"], &env).expect(2);
    }

    #[test]
    fn applying_one_environment_of_a_project_leaves_the_other_verified() {
        let server = cloudflare();
        let env = cloudflare_env(&server);
        let ws = Workspace::copy_of("examples/klubz");
        // Staging as the production project's preview environment.
        ws.edit(
            "environments/staging.yaml",
            "    project: klubz-staging\n    environment: production\n",
            "    project: klubz-production\n    environment: preview\n",
        );
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        server
            .api()
            .advance_clock(std::time::Duration::from_secs(600));
        run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
        run(&ws, &["drift", "production", "--strict"], &env).expect(0);
        server
            .api()
            .advance_clock(std::time::Duration::from_secs(600));
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        run(&ws, &["drift", "staging", "production"], &env).expect(0);
    }

    #[test]
    fn strict_drift_fails_on_a_secret_it_cannot_resolve() {
        let server = cloudflare();
        let env = cloudflare_env(&server);
        let ws = Workspace::copy_of("examples/klubz");
        run(&ws, &["apply", "production", "--yes"], &env).expect(0);
        let without: Vec<(String, String)> = env
            .iter()
            .filter(|(k, _)| k != "PROD_JWT_SECRET")
            .cloned()
            .collect();
        run(&ws, &["drift", "production"], &without).expect(0);
        run(&ws, &["drift", "production", "--strict"], &without)
            .expect(2)
            .expect_output("not verified");
    }

    #[test]
    fn the_record_name_cannot_be_declared() {
        let ws = Workspace::copy_of("examples/klubz");
        ws.edit(
            "environments/production.yaml",
            "  ENVIRONMENT: production\n",
            "  ENVIRONMENT: production\n  ENVCTL_SECRET_DIGESTS: mine\n",
        );
        let line = ws.line_of("environments/production.yaml", "ENVCTL_SECRET_DIGESTS");
        ws.run(&["validate", "production"], &[])
            .expect(1)
            .expect_output(&format!("environments/production.yaml:{line}:"))
            .expect_output("is where envctl records the secrets it wrote");
    }
}
