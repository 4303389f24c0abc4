//! `envctl init` on fixture apps (tests/fixtures/init/<stack>/): the four
//! files it writes validate at once, name what the folder shows (targets,
//! routes, functions, migrations, forbidden flags), copy no secret value
//! from a `.env` file, add `.envctl/` to `.gitignore` once, and are never
//! overwritten without `--force`.

use std::path::Path;

use crate::common::Workspace;

const FILES: [&str; 4] = [
    "envctl.yaml",
    "environments/local.yaml",
    "environments/staging.yaml",
    "environments/production.yaml",
];

/// Every file of the fixture, dotenv files included (they are what init reads).
fn copy_all(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_all(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn fixture(stack: &str) -> Workspace {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/init")
        .join(stack);
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    copy_all(&from, ws.dir.path());
    ws
}

/// The fixture's canary values: every value whose name holds `CANARY`.
fn canaries(ws: &Workspace) -> Vec<String> {
    let all: String = ws
        .files()
        .into_iter()
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let found: Vec<String> = all
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.starts_with("CANARY"))
        .map(str::to_string)
        .collect();
    assert!(!found.is_empty(), "the fixture has a canary");
    found
}

/// Runs init then validate; checks what every stack shares; returns the
/// four files' text.
fn init(stack: &str) -> (Workspace, [String; 4]) {
    let ws = fixture(stack);
    let canaries = canaries(&ws);
    let run = ws.run(&["init"], &[]);
    run.expect(0);
    let validate = ws.run(&["validate"], &[]);
    validate
        .expect(0)
        .expect_output("valid: local, production, staging");
    let files = FILES.map(|f| ws.read(f));
    for c in &canaries {
        for (name, text) in FILES.iter().zip(&files) {
            assert!(
                !text.contains(c.as_str()),
                "{stack}: a secret value in {name}:\n{text}"
            );
        }
        assert!(
            !run.all().contains(c.as_str()),
            "{stack}: a secret value in init's output"
        );
        assert!(!validate.all().contains(c.as_str()));
    }
    assert!(files[3].contains("protected: true"), "{}", files[3]);
    assert_eq!(ws.read(".gitignore").matches(".envctl/").count(), 1);
    (ws, files)
}

#[test]
fn vite_with_supabase_and_vercel() {
    let (_, [project, local, staging, production]) = init("vite-supabase");
    for line in [
        "web: [\"VITE_*\"]",
        "functions: [\"ALLOW_STRIPE_FALLBACK\", \"LOG_LEVEL\", \"OPENAI_API_KEY\", \"SESSION_SALT\", \"SKIP_EMAIL_VERIFY\", \"STRIPE_SECRET_KEY\"]",
        "    create-checkout:\n    stripe-webhook: { verify_jwt: false }",
        "  migrations:\n    head: latest",
        "ALLOW_STRIPE_FALLBACK: \"false\"",
        "forbidden_flags: [\"ALLOW_STRIPE_FALLBACK\", \"SKIP_EMAIL_VERIFY\"",
    ] {
        assert!(project.contains(line), "no `{line}` in:\n{project}");
    }
    // `_shared` is not a function; a SUPABASE_* name seen only in the
    // functions' .env is one Supabase sets itself: not declared anywhere.
    assert!(!project.contains("_shared"), "{project}");
    for text in [&project, &local, &staging, &production] {
        assert!(!text.contains("SUPABASE_SERVICE_ROLE_KEY"), "{text}");
    }
    for line in [
        "path: \".env.local\"",
        "path: \"supabase/functions/.env\"",
        "VITE_SUPABASE_URL: \"http://localhost:54321\"",
        "VITE_APP_NAME: \"Shop\"",
        "SKIP_EMAIL_VERIFY: \"true\"",
        "STRIPE_SECRET_KEY: { secret: env:STRIPE_SECRET_KEY }",
        // High-entropy value under a plain name: a secret by its looks.
        "SESSION_SALT: { secret: env:SESSION_SALT }",
    ] {
        assert!(local.contains(line), "no `{line}` in:\n{local}");
    }
    for line in [
        "type: vercel\n    project: \"prj_shop123\"\n    team: \"team_shop\"\n    target: preview",
        "type: supabase\n    project_ref: abcdefghijklmnopqrst",
        "STRIPE_SECRET_KEY: { secret: env:STAGING_STRIPE_SECRET_KEY }",
        "VITE_SUPABASE_URL: ~ # TODO",
    ] {
        assert!(staging.contains(line), "no `{line}` in:\n{staging}");
    }
    for line in [
        "target: production",
        "  # functions:\n  #   type: supabase\n  #   project_ref:",
        "STRIPE_SECRET_KEY: { secret: env:PROD_STRIPE_SECRET_KEY }",
    ] {
        assert!(production.contains(line), "no `{line}` in:\n{production}");
    }
    // The linked project is staging's guess, never production's.
    assert!(!production.contains("abcdefghijklmnopqrst"));
}

#[test]
fn next_with_vercel() {
    let (_, [project, local, staging, production]) = init("next-vercel");
    // Server code beside the pages: the host receives every variable.
    assert!(!project.contains("routes:"), "{project}");
    assert!(project.contains("PREVIEW_BYPASS: \"false\""), "{project}");
    assert!(
        local.contains("NEXT_PUBLIC_SITE_URL: \"http://localhost:3000\""),
        "{local}"
    );
    assert!(
        local.contains("DATABASE_URL: { secret: env:DATABASE_URL }"),
        "{local}"
    );
    assert!(
        staging.contains("project: \"prj_blog456\"\n    team: \"team_blog\"\n    target: preview")
    );
    assert!(production.contains("AUTH_SECRET: { secret: env:PROD_AUTH_SECRET }"));
    assert!(production.contains("NEXT_PUBLIC_ANALYTICS_ID: ~ # TODO"));
}

#[test]
fn sveltekit_with_netlify() {
    let (_, [_, local, staging, production]) = init("sveltekit-netlify");
    assert!(
        local.contains("PUBLIC_API_BASE: \"http://localhost:5173/api\""),
        "{local}"
    );
    assert!(
        local.contains("GITHUB_TOKEN: { secret: env:GITHUB_TOKEN }"),
        "{local}"
    );
    for (text, context) in [(&staging, "deploy-preview"), (&production, "production")] {
        assert!(
            text.contains(&format!(
                "type: netlify\n    site: \"5a1b2c3d-1111-2222-3333-444455556666\"\n    context: \"{context}\""
            )),
            "{text}"
        );
    }
}

#[test]
fn remix_on_cloudflare_pages_with_d1() {
    let (_, [project, local, staging, production]) = init("remix-cloudflare");
    assert!(project.contains("SKIP_CAPTCHA: \"false\""), "{project}");
    assert!(local.contains("path: \".dev.vars\""), "{local}");
    assert!(local.contains("APP_ENV: \"development\""), "{local}");
    assert!(
        staging.contains("type: cloudflare\n    project: \"tickets\"\n    environment: preview")
    );
    assert!(!staging.contains("database_id"), "{staging}");
    assert!(production.contains(
        "environment: production\n    database_id: \"0f2b7c1e-3a4d-4e5f-8a9b-1c2d3e4f5a6b\""
    ));
}

#[test]
fn bare_folder_with_only_env_files() {
    let (_, [project, local, staging, production]) = init("bare");
    assert!(project.contains("PAYMENTS_BYPASS: \"false\""), "{project}");
    // The value a developer's .env has wins over the example's.
    assert!(
        local.contains("path: \".env\"") && local.contains("PORT: \"8080\""),
        "{local}"
    );
    assert!(local.contains("PAYMENTS_BYPASS: \"0\""), "{local}");
    for text in [&staging, &production] {
        assert!(
            text.contains("targets: {}") && text.contains("# TODO: where"),
            "{text}"
        );
        assert!(text.contains("API_TOKEN: { secret: env:"), "{text}");
    }
}

#[test]
fn init_refuses_to_overwrite_without_force_and_gitignore_stays_single() {
    let (ws, _) = init("vite-supabase");
    ws.edit(
        "environments/staging.yaml",
        "staging: rules warn",
        "edited by hand",
    );
    let before = ws.files();
    let run = ws.run(&["init"], &[]);
    run.expect(1);
    for f in FILES {
        run.expect_output(f);
    }
    run.expect_output("--force");
    assert_eq!(ws.files(), before, "a refused init changed a file");
    ws.run(&["init", "--force"], &[]).expect(0);
    assert!(
        !ws.read("environments/staging.yaml")
            .contains("edited by hand")
    );
    assert_eq!(ws.read(".gitignore").matches(".envctl/").count(), 1);
    ws.run(&["validate"], &[]).expect(0);
}

#[test]
fn one_existing_file_is_enough_to_refuse() {
    let ws = fixture("bare");
    ws.write(".gitignore", "node_modules\n.envctl/\n");
    ws.write("envctl.yaml", "version: 1\nproject: mine\n");
    let run = ws.run(&["init"], &[]);
    run.expect(1).expect_output("envctl.yaml already exists");
    assert!(!ws.path("environments").exists());
    assert_eq!(ws.read(".gitignore"), "node_modules\n.envctl/\n");
}

#[test]
fn from_live_without_credentials_says_so_and_leaves_valid_files() {
    let ws = fixture("next-vercel");
    let run = ws.run(&["init", "--from-live"], &[]);
    run.expect(1)
        .expect_output("staging: not filled from live")
        .expect_output("VERCEL_TOKEN");
    ws.run(&["validate"], &[]).expect(0);
    assert!(
        ws.read("environments/production.yaml")
            .contains("protected: true")
    );
}

#[test]
fn from_live_fills_staging_and_production_from_the_linked_project() {
    use envctl_fakes::Server;
    use envctl_fakes::vercel::{EnvType, FakeVercel};
    const TOKEN: &str = "vercel_tok_CANARY_init_3c9a";
    const LIVE_SECRET: &str = "CANARYlive5Tq9Wm2Xp7Yr1Zs6Ab3Cd8Ef4Gh";
    let fake = FakeVercel::new(TOKEN);
    fake.add_project("prj_blog456", "blog", Some("team_blog"));
    fake.grant_team(TOKEN, "team_blog");
    let server = Server::start(fake);
    let api = server.api();
    api.insert_record(
        "prj_blog456",
        "NEXT_PUBLIC_SITE_URL",
        "https://blog.example",
        EnvType::Plain,
        &["production"],
        None,
        "",
    );
    api.insert_record(
        "prj_blog456",
        "AUTH_SECRET",
        LIVE_SECRET,
        EnvType::Encrypted,
        &["production", "preview"],
        None,
        "",
    );
    let url = server.url();
    let env = [
        ("VERCEL_TOKEN", TOKEN),
        ("ENVCTL_VERCEL_API_URL", url.as_str()),
        ("ENVCTL_HTTP_TIMEOUT", "2"),
    ];
    let ws = fixture("next-vercel");
    let run = ws.run(&["init", "--from-live"], &env);
    run.expect(0)
        .expect_output("production: filled from 1 live target")
        .expect_output("staging: filled from 1 live target");
    let production = ws.read("environments/production.yaml");
    assert!(
        production.contains("NEXT_PUBLIC_SITE_URL: \"https://blog.example\""),
        "{production}"
    );
    assert!(
        production.contains("AUTH_SECRET: { secret: env:AUTH_SECRET }"),
        "{production}"
    );
    assert!(production.contains("protected: true"), "{production}");
    for text in [run.all(), production, ws.read("environments/staging.yaml")] {
        assert!(!text.contains(LIVE_SECRET) && !text.contains(TOKEN));
    }
    ws.run(&["validate"], &[]).expect(0);
}
