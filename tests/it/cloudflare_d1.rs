//! End to end: `apply --migrations` on a D1 database (runbook 004,
//! `examples/klubz`), against the fake Cloudflare API: what is sent is
//! what `wrangler d1 migrations apply <DATABASE> --remote` (4.86.0) sends,
//! byte for byte, and the history rows are the ones it writes.

use crate::common;

use common::Workspace;
use common::platforms::{
    CLOUDFLARE_ACCOUNT, KLUBZ_MIGRATIONS, KLUBZ_STAGING_DB, assert_no_leak, cloudflare,
    cloudflare_env, pairs,
};
use envctl_fakes::Server;
use envctl_fakes::cloudflare::FakeCloudflare;

fn klubz() -> Workspace {
    Workspace::copy_of("examples/klubz")
}

fn run(ws: &Workspace, args: &[&str], env: &[(String, String)]) -> common::Run {
    let run = ws.run(args, &pairs(env));
    assert_no_leak(&run.all());
    run
}

fn names(server: &Server<FakeCloudflare>) -> Vec<String> {
    server
        .api()
        .migrations(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB, "d1_migrations")
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// What wrangler appends to a file: its history row.
fn recorded(name: &str) -> String {
    format!(
        "\n\t\t\t\t\t\t\t\tINSERT INTO d1_migrations (name)\n\t\t\t\t\t\t\t\tvalues ('{name}');\n\t\t\t\t\t\t"
    )
}

const CREATE: &str = "CREATE TABLE IF NOT EXISTS d1_migrations(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);";
const LIST: &str = "SELECT *\n\t\tFROM d1_migrations\n\t\tORDER BY id";

const INVITES: &str = "CREATE TABLE trip_invites (id TEXT PRIMARY KEY);\n";
const RATINGS: &str = "-- ratings; one per trip\nCREATE TABLE ratings (trip_id TEXT, stars INTEGER);\nCREATE INDEX ratings_trip ON ratings (trip_id);\n";
const LATER: &str = "ALTER TABLE trips ADD COLUMN note TEXT;\n";

#[test]
fn d1_migrations_apply_as_wrangler_applies_them() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    // wrangler's order is parseInt of the part before `_`: 4, 9, 10,
    // not the names' order (`0004…`, `10_…`, `9_…`).
    ws.write("migrations/0004_trip_invites.sql", INVITES);
    ws.write("migrations/10_later.sql", LATER);
    ws.write("migrations/9_ratings.sql", RATINGS);
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("0004_trip_invites.sql, 10_later.sql, 9_ratings.sql");

    run(
        &ws,
        &["apply", "staging", "--migrations", "--dry-run"],
        &env,
    )
    .expect(0)
    .expect_output("0004_trip_invites.sql")
    .expect_output("Dry run: nothing was written.");
    let before = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    assert!(
        !before.iter().any(|q| q.starts_with("CREATE")),
        "a dry run sends nothing but the plan's read: {before:?}"
    );

    let r = run(&ws, &["apply", "staging", "--migrations", "--yes"], &env);
    r.expect(0)
        .expect_output("target pages: applied 0004_trip_invites.sql")
        .expect_output(&format!(
            "target pages: 3 migrations applied and recorded in D1 database {KLUBZ_STAGING_DB} (d1_migrations)"
        ));
    let out = r.all();
    let at = |file: &str| out.find(&format!("applied {file}")).unwrap();
    assert!(at("0004_trip_invites.sql") < at("9_ratings.sql"));
    assert!(at("9_ratings.sql") < at("10_later.sql"));

    let queries = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    let sent = &queries[before.len()..];
    // The plan's read, then wrangler's requests.
    let start = sent.iter().position(|q| q == CREATE).expect("the CREATE");
    assert_eq!(
        sent[start..],
        [
            CREATE.to_string(),
            LIST.to_string(),
            format!("{INVITES}{}", recorded("0004_trip_invites.sql")),
            format!("{RATINGS}{}", recorded("9_ratings.sql")),
            format!("{LATER}{}", recorded("10_later.sql")),
        ]
    );
    let rows = server
        .api()
        .migrations(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB, "d1_migrations")
        .unwrap();
    let mut want: Vec<String> = KLUBZ_MIGRATIONS.iter().map(|n| n.to_string()).collect();
    want.extend(["0004_trip_invites.sql", "9_ratings.sql", "10_later.sql"].map(String::from));
    assert_eq!(names(&server), want);
    assert_eq!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6]
    );
    assert!(rows.iter().all(|r| r.applied_at.len() == 19), "{rows:?}");

    run(&ws, &["drift", "staging"], &env).expect(0);
    run(&ws, &["plan", "staging", "--detailed-exitcode"], &env).expect(0);
    // Nothing pending: nothing more is sent but the plan's reads.
    let count = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB)
        .len();
    run(&ws, &["apply", "staging", "--migrations", "--yes"], &env)
        .expect(0)
        .expect_output("Nothing to apply.");
    let after = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    assert!(
        after[count..].iter().all(|q| !q.contains("INSERT")),
        "{after:?}"
    );
}

#[test]
fn a_failing_d1_migration_stops_the_run_and_names_the_file() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    run(&ws, &["apply", "staging", "--yes"], &env).expect(0);
    let patches = server.count("PATCH", "/pages/projects/");
    ws.write("migrations/0004_trip_invites.sql", INVITES);
    ws.write(
        "migrations/0005_broken.sql",
        "CREATE TABLE ok_part (id TEXT);\nCREATE TABLEE broken (id TEXT);\n",
    );
    ws.write("migrations/0006_after.sql", LATER);
    ws.edit(
        "environments/staging.yaml",
        "APP_URL: https://klubz-staging.pages.dev",
        "APP_URL: https://klubz-staging.pages.dev/",
    );
    server.api().fail_d1_statements_containing(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_STAGING_DB,
        "TABLEE",
        "near \"TABLEE\": syntax error at offset 7",
    );
    let r = run(&ws, &["apply", "staging", "--migrations", "--yes"], &env);
    r.expect(1)
        .expect_output("target pages: applied 0004_trip_invites.sql")
        .expect_output("0005_broken.sql failed:")
        .expect_output("near \"TABLEE\": syntax error at offset 7: SQLITE_ERROR")
        .expect_output("rolled back: nothing of 0005_broken.sql is applied or recorded")
        .expect_output("applied and recorded before it: 0004_trip_invites.sql")
        .expect_output("not applied: 0005_broken.sql, 0006_after.sql")
        .expect_output("no variable or function was written");
    let mut want: Vec<String> = KLUBZ_MIGRATIONS.iter().map(|n| n.to_string()).collect();
    want.push("0004_trip_invites.sql".into());
    assert_eq!(
        names(&server),
        want,
        "the failing file and those after it are not recorded"
    );
    let ran = server
        .api()
        .d1_statements(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    assert!(
        !ran.iter()
            .any(|s| s.contains("ok_part") || s.contains("ADD COLUMN note")),
        "the failing file's batch is rolled back whole, and no later file runs: {ran:?}"
    );
    assert_eq!(
        server.count("PATCH", "/pages/projects/"),
        patches,
        "no variable was written"
    );
    run(&ws, &["plan", "staging"], &env)
        .expect(0)
        .expect_output("0005_broken.sql, 0006_after.sql");

    // A file name wrangler could not record is refused before anything is sent.
    std::fs::remove_file(ws.path("migrations/0005_broken.sql")).unwrap();
    ws.write("migrations/0007_it's.sql", LATER);
    let count = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB)
        .len();
    run(&ws, &["apply", "staging", "--migrations", "--yes"], &env)
        .expect(1)
        .expect_output("0007_it's.sql: wrangler records a migration as `values ('<file name>')` without escaping");
    let queries = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    assert!(
        queries[count..].iter().all(|q| !q.starts_with("CREATE")),
        "{queries:?}"
    );
}

#[test]
fn a_d1_history_naming_a_missing_file_is_not_applied_over() {
    let server = cloudflare();
    let env = cloudflare_env(&server);
    let ws = klubz();
    ws.write("migrations/0004_trip_invites.sql", INVITES);
    server.api().record_migrations(
        CLOUDFLARE_ACCOUNT,
        KLUBZ_STAGING_DB,
        "d1_migrations",
        &["0005_hotfix_from_a_laptop.sql"],
    );
    run(&ws, &["apply", "staging", "--migrations", "--yes"], &env)
        .expect(3)
        .expect_output("live has migrations that are not local files: 0005_hotfix_from_a_laptop.sql")
        .expect_output("`wrangler d1 migrations apply <DATABASE> --remote` would apply the other files anyway; restore the missing ones first");
    let queries = server
        .api()
        .d1_queries(CLOUDFLARE_ACCOUNT, KLUBZ_STAGING_DB);
    assert!(queries.iter().all(|q| !q.contains("INSERT")), "{queries:?}");
}
