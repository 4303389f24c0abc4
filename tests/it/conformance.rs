//! The provider conformance scenario against every provider available:
//! the platform ones against their fakes on loopback.

use crate::common;

use std::collections::BTreeSet;

use common::platforms::{
    Platforms, STAGING_REF, SUPABASE_TOKEN, VERCEL_PROJECT, VERCEL_TEAM, VERCEL_TOKEN,
};
use envctl::http::Policy;
use envctl::provider::{supabase, vercel};
use envctl::secret::Secret;

use envctl::provider::{Provider, conformance, dotenv::DotenvProvider, memory::MemoryProvider};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn memory_provider_conforms() {
    block_on(conformance::run(&Provider::Memory(MemoryProvider::new()))).unwrap();
}

#[test]
fn dotenv_provider_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let provider = Provider::Dotenv(DotenvProvider::new(
        "local",
        dir.path().join(".env.test"),
        ".env.test",
    ));
    block_on(conformance::run(&provider)).unwrap();
}

#[test]
fn supabase_provider_conforms() {
    let p = Platforms::start();
    let api = supabase::api::Api::new(
        &p.supabase.url(),
        Secret::new(SUPABASE_TOKEN.into()),
        Policy::default(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let provider = Provider::Supabase(supabase::SupabaseProvider::new(
        "functions",
        STAGING_REF,
        api,
        dir.path().to_path_buf(),
        "supabase/functions",
        false,
    ));
    block_on(conformance::run(&provider)).unwrap();
}

#[test]
fn vercel_provider_conforms_for_plain_and_secret_values() {
    let p = Platforms::start();
    let api = vercel::api::Api::new(
        &p.vercel.url(),
        Secret::new(VERCEL_TOKEN.into()),
        Some(VERCEL_TEAM.into()),
        Policy::default(),
    )
    .unwrap();
    let provider = Provider::Vercel(vercel::VercelProvider::new(
        "web",
        VERCEL_PROJECT,
        "preview",
        Some("staging"),
        BTreeSet::new(),
        api,
    ));
    block_on(conformance::run(&provider)).unwrap();
}

#[test]
fn cloudflare_provider_conforms() {
    use common::platforms::{CLOUDFLARE_ACCOUNT, CLOUDFLARE_TOKEN, KLUBZ_STAGING, cloudflare};
    use envctl::provider::cloudflare as cf;
    let server = cloudflare();
    let api = cf::api::Api::new(
        &format!("{}/client/v4", server.url()),
        Secret::new(CLOUDFLARE_TOKEN.into()),
        CLOUDFLARE_ACCOUNT,
        Policy::default(),
    )
    .unwrap();
    // Secret values are write-only on Cloudflare: the scenario's values go
    // in as plain_text, which can be read back and compared.
    let provider = Provider::Cloudflare(cf::CloudflareProvider::new(
        "pages",
        KLUBZ_STAGING,
        "preview",
        BTreeSet::new(),
        api,
        None,
    ));
    block_on(conformance::run(&provider)).unwrap();
    assert!(
        server
            .api()
            .env_vars(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING, "production")
            .is_empty(),
        "only the target's deployment environment is written"
    );
}

#[test]
fn github_provider_conforms_at_the_repository_and_an_environment() {
    use common::platforms::{GITHUB_ENVIRONMENT, GITHUB_REPO, GITHUB_TOKEN, github};
    use envctl::provider::github as gh;
    let server = github();
    let names = |n: &str| BTreeSet::from([n.to_string()]);
    for environment in [None, Some(GITHUB_ENVIRONMENT)] {
        let settings = gh::Settings {
            repository: GITHUB_REPO.into(),
            environment: environment.map(str::to_string),
            receives: None,
            prune: false,
        };
        let api = gh::api::Api::new(
            &server.url(),
            Secret::new(GITHUB_TOKEN.into()),
            GITHUB_REPO,
            environment,
            Policy::default(),
        )
        .unwrap();
        // The scenario's secret is sealed and written as an Actions
        // secret, verified on the next read by envctl's record; its plain
        // value is an Actions variable.
        let provider = Provider::Github(gh::GithubProvider::new(
            "ci",
            &settings,
            names("TOKEN"),
            names("PLAIN"),
            api,
        ));
        block_on(conformance::run(&provider)).unwrap();
        let fake = server.api();
        assert_eq!(
            fake.secret_plaintext(GITHUB_REPO, environment, "TOKEN")
                .as_deref(),
            Some("rotated"),
            "GitHub opened what envctl sealed"
        );
        let variables = fake.variables(GITHUB_REPO, environment);
        assert_eq!(
            variables.keys().collect::<Vec<_>>(),
            ["ENVCTL_SECRET_DIGESTS"],
            "the pruned variable is gone; the record stays"
        );
    }
}

#[test]
fn conformance_catches_a_provider_that_drops_writes() {
    // A provider that fails its first write must not pass the scenario.
    let memory = MemoryProvider::new();
    memory.fail_at(0);
    assert!(block_on(conformance::run(&Provider::Memory(memory))).is_err());
}

/// An apply that fails halfway reports what was and was not done, and a
/// new plan shows exactly the remainder.
#[test]
fn partial_apply_reports_done_and_not_done() {
    use envctl::{config, engine};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("envctl.yaml"), "version: 1\nproject: t\n").unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/dev.yaml"),
        "targets:\n  a: { type: dotenv, path: a.env }\n  b: { type: dotenv, path: b.env }\nvariables:\n  X: \"1\"\n  Y: \"2\"\n",
    )
    .unwrap();
    let ws = config::load(dir.path()).unwrap().workspace;
    let env = ws.environment("dev").unwrap();
    let (first, second) = (MemoryProvider::new(), MemoryProvider::new());
    let plan_with = |a: &MemoryProvider, b: &MemoryProvider| {
        let secrets = engine::resolve_secrets(
            &ws,
            env,
            &std::collections::BTreeMap::<String, String>::new(),
        );
        let providers = vec![Provider::Memory(a.clone()), Provider::Memory(b.clone())];
        let live = block_on(engine::read_all(&providers)).unwrap();
        let desired = envctl::plan::desired_targets(env, &secrets.resolution);
        let plan = envctl::plan::diff(&ws.project, env, &desired, &live);
        engine::Planned {
            plan,
            verdict: Default::default(),
            desired,
            providers,
            secrets,
            live,
        }
    };
    second.fail_at(1);
    let err = block_on(engine::apply(&plan_with(&first, &second))).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("done: a: set X, a: set Y, b: set X"),
        "{text}"
    );
    assert!(text.contains("not done: b: set Y"), "{text}");
    let remainder = plan_with(&first, &second);
    let s = remainder.plan.summary();
    assert_eq!((s.add, s.change, s.delete), (1, 0, 0), "only b's Y remains");
    block_on(engine::apply(&remainder)).unwrap();
    assert_eq!(second.get("Y").as_deref(), Some("2"));
}

#[test]
fn netlify_provider_conforms_in_a_context_and_a_branch() {
    use common::netlify::{NETLIFY_SITE_ID, NETLIFY_TOKEN, netlify};
    use envctl::provider::netlify as nf;
    let server = netlify();
    let names = |n: &str| BTreeSet::from([n.to_string()]);
    for context in ["production", "branch:staging"] {
        let settings = nf::Settings {
            site: "huddle-web".into(),
            account: None,
            context: context.into(),
            scopes: None,
            receives: None,
            prune: false,
        };
        let api = nf::api::Api::new(
            &format!("{}/api/v1", server.url()),
            Secret::new(NETLIFY_TOKEN.into()),
            Policy::default(),
        )
        .unwrap();
        // The scenario's secret is written `is_secret` and verified on
        // the next read by envctl's record.
        let provider = Provider::Netlify(nf::NetlifyProvider::new(
            "site",
            &settings,
            settings.deploy_context().unwrap(),
            names("TOKEN"),
            api,
        ));
        block_on(conformance::run(&provider)).unwrap();
    }
    let vars = server.api().env(NETLIFY_SITE_ID);
    let token = &vars["TOKEN"];
    assert!(token.is_secret);
    let mut contexts: Vec<(String, Option<String>, String)> = token
        .values
        .iter()
        .map(|v| {
            (
                v.context.clone(),
                v.context_parameter.clone(),
                v.value.clone(),
            )
        })
        .collect();
    contexts.sort();
    assert_eq!(
        contexts,
        [
            ("branch".into(), Some("staging".into()), "rotated".into()),
            ("production".into(), None, "rotated".into())
        ],
        "each context holds its own value"
    );
    assert_eq!(
        vars.keys().collect::<Vec<_>>(),
        ["ENVCTL_SECRET_DIGESTS", "TOKEN"],
        "the pruned variable is gone; the record stays"
    );
}
