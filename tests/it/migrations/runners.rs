//! Other runners' histories (`migrations.history`) on a real PostgreSQL
//! server: each runner's table created and filled with the DDL and rows
//! the runner itself writes (copied from its source), then `plan` must
//! show the true head and pending files, and `apply --migrations` must
//! name the runner's command and write nothing.

use super::{TOKEN, assert_no_leak, pg, query_at};
use crate::common;

use common::Workspace;
use common::platforms::pairs;
use envctl_fakes::Server;
use envctl_fakes::supabase::FakeSupabase;

const REF: &str = "runnersstagingabcdef";

struct Case {
    ws: Workspace,
    fake: Server<FakeSupabase>,
    url: String,
}

impl Case {
    /// A project whose migrations in `folder` are `runner`'s, and a
    /// staging environment on a fresh database.
    fn new(test: &str, runner: &str, folder: &str, extra: &str) -> Case {
        let url = pg::server().database(test);
        let ws = Workspace::at(tempfile::tempdir().unwrap());
        ws.write(
            "envctl.yaml",
            &format!(
                "version: 1\nproject: runners\npaths:\n  migrations: {folder}\ndefaults:\n  migrations:\n    head: latest\n    history: {runner}\n{extra}"
            ),
        );
        ws.write(
            "environments/staging.yaml",
            &format!(
                "targets:\n  db:\n    type: supabase\n    project_ref: {REF}\nmigrations:\n  database_url: {{ secret: env:STAGING_DATABASE_URL }}\n"
            ),
        );
        std::fs::create_dir_all(ws.path(folder)).unwrap();
        let fake = FakeSupabase::new(TOKEN);
        fake.add_project(REF);
        Case {
            ws,
            fake: Server::start(fake),
            url,
        }
    }

    fn files(&self, names: &[&str]) {
        for name in names {
            self.ws.write(name, "select 1;\n");
        }
    }

    fn exec(&self, sql: &str) {
        pg::block_on(async {
            let db = pg::connect(&self.url).await.unwrap();
            db.batch_execute(sql).await.unwrap();
        })
    }

    fn run(&self, args: &[&str]) -> common::Run {
        let env = vec![
            ("SUPABASE_ACCESS_TOKEN".to_string(), TOKEN.to_string()),
            ("ENVCTL_SUPABASE_API_URL".into(), self.fake.url()),
            ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
            ("STAGING_DATABASE_URL".into(), self.url.clone()),
        ];
        let run = self.ws.run(args, &pairs(&env));
        if std::env::var_os("ENVCTL_TEST_SHOW").is_some() {
            eprintln!("$ envctl {}\n{}", args.join(" "), run.all());
        }
        assert_no_leak(&run.all());
        run
    }

    /// `plan staging` says the live head is `head` and `pending` are
    /// pending (none: nothing to do, exit 0 with --detailed-exitcode).
    fn plan_shows(&self, head: &str, pending: &[&str]) -> common::Run {
        let run = self.run(&["plan", "staging", "--detailed-exitcode"]);
        if pending.is_empty() {
            run.expect(0);
        } else {
            run.expect(2)
                .expect_output(&format!("{head} →"))
                .expect_output(&pending.join(", "));
        }
        run
    }

    /// `apply --migrations` names `tool` and writes nothing.
    fn apply_names(&self, runner: &str, tool: &str, table: &str) {
        let before = query_at(&self.url, &format!("SELECT count(*) FROM {table}"));
        self.run(&["apply", "staging", "--migrations", "--yes"])
            .expect(1)
            .expect_output(&format!(
                "target db's migrations are kept by {runner} (`migrations.history` in environments/staging.yaml): envctl reads that history but does not apply its files; run `{tool}`"
            ));
        let after = query_at(&self.url, &format!("SELECT count(*) FROM {table}"));
        assert_eq!(before, after, "nothing was applied or recorded");
    }
}

#[test]
fn node_pg_migrate_history_is_read_by_name() {
    let case = Case::new("npm_runner", "node-pg-migrate", "migrations", "");
    case.files(&[
        "migrations/001_users.sql",
        "migrations/002_posts.sql",
        "migrations/010_tags.sql",
    ]);
    // Before the first run: no table, everything pending.
    case.plan_shows("", &["001_users", "002_posts", "010_tags"]);
    // node-pg-migrate's ensureMigrationsTable and Migration.apply.
    case.exec(
        r#"CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
           INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('001_users', NOW());
           INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('002_posts', NOW());"#,
    );
    case.plan_shows("002_posts", &["010_tags"]);
    case.apply_names(
        "node-pg-migrate",
        "npx node-pg-migrate up",
        r#""public"."pgmigrations""#,
    );
    case.exec(r#"INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('010_tags', NOW());"#);
    case.plan_shows("010_tags", &[]);
    // Nothing pending: `--migrations` has nothing to refuse.
    case.run(&["apply", "staging", "--migrations", "--yes"])
        .expect(0);

    // A gap before the newest applied file: node-pg-migrate refuses to run
    // (checkOrder), so it is drift.
    case.exec(r#"DELETE FROM "public"."pgmigrations" WHERE name = '002_posts'"#);
    case.run(&["plan", "staging"])
        .expect(0)
        .expect_output("local migrations older than the live head were never applied: 002_posts")
        .expect_output("it applies with `npx node-pg-migrate up`");
}

#[test]
fn knex_history_is_read_by_file_name_with_its_lock() {
    let case = Case::new(
        "knex_runner",
        "knex",
        "db/migrations",
        "    history_schema: app\n",
    );
    case.files(&[
        "db/migrations/20240101000000_users.js",
        "db/migrations/20240102000000_posts.ts",
        "db/migrations/20240103000000_tags.js",
        "db/migrations/README.md",
    ]);
    // knex's table-creator (schemaName `app`), as its PostgreSQL dialect
    // writes it, and the rows of one batch.
    case.exec(
        r#"CREATE SCHEMA app;
           create table "app"."knex_migrations" ("id" serial primary key, "name" varchar(255), "batch" integer, "migration_time" timestamptz);
           create table "app"."knex_migrations_lock" ("index" serial primary key, "is_locked" integer);
           insert into "app"."knex_migrations_lock" ("is_locked") values (0);
           insert into "app"."knex_migrations" ("batch", "migration_time", "name") values (1, now(), '20240101000000_users.js');
           insert into "app"."knex_migrations" ("batch", "migration_time", "name") values (1, now(), '20240103000000_tags.js');"#,
    );
    // knex runs a file older than the newest applied one: pending, not
    // drift.
    let run = case.plan_shows("20240103000000_tags.js", &["20240102000000_posts.ts"]);
    assert!(
        !run.all().contains("older than the live head"),
        "{}",
        run.all()
    );
    case.exec(r#"update "app"."knex_migrations_lock" set "is_locked" = 1"#);
    case.run(&["plan", "staging"])
        .expect_output(r#""app"."knex_migrations_lock" is locked"#);
    case.apply_names(
        "knex",
        "npx knex migrate:latest",
        r#""app"."knex_migrations""#,
    );
}

#[test]
fn prisma_history_counts_finished_migrations_only() {
    let case = Case::new("prisma_runner", "prisma", "prisma/migrations", "");
    case.files(&[
        "prisma/migrations/20240101000000_init/migration.sql",
        "prisma/migrations/20240102000000_posts/migration.sql",
        "prisma/migrations/20240103000000_tags/migration.sql",
        "prisma/migrations/migration_lock.toml",
    ]);
    // The schema engine's CREATE TABLE, and a row as `migrate deploy`
    // leaves one that finished, and one that failed.
    case.exec(
        r#"CREATE TABLE "_prisma_migrations" (
               "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL,
               "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT,
               "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
               "applied_steps_count" INTEGER NOT NULL DEFAULT 0);
           INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
             VALUES ('6f0b1c3e-0000-4000-8000-000000000001', 'b6d0e4c3', now(), '20240101000000_init', 1);
           INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, applied_steps_count)
             VALUES ('6f0b1c3e-0000-4000-8000-000000000002', 'a1c2e3f4', NULL, '20240102000000_posts', 'syntax error', 0);"#,
    );
    case.plan_shows(
        "20240101000000_init",
        &["20240102000000_posts", "20240103000000_tags"],
    )
    .expect_output("records migration 20240102000000_posts as failed");
    case.apply_names(
        "prisma",
        "npx prisma migrate deploy",
        r#""public"."_prisma_migrations""#,
    );
}

#[test]
fn drizzle_history_is_matched_by_the_journals_when() {
    let case = Case::new("drizzle_runner", "drizzle", "drizzle", "");
    case.files(&[
        "drizzle/0000_init.sql",
        "drizzle/0001_posts.sql",
        "drizzle/0002_tags.sql",
    ]);
    case.ws.write(
        "drizzle/meta/_journal.json",
        r#"{"version":"7","dialect":"postgresql","entries":[
  {"idx":0,"version":"7","when":1717000000000,"tag":"0000_init","breakpoints":true},
  {"idx":1,"version":"7","when":1717000100000,"tag":"0001_posts","breakpoints":true},
  {"idx":2,"version":"7","when":1717000200000,"tag":"0002_tags","breakpoints":true}]}"#,
    );
    // PgDialect.migrate's table, and the rows it inserts: the file's
    // SHA-256 and the entry's `when`.
    let hash = "4a45092ccf992ea92250053a80b931b787924ba61648f420555511b84f10ab6c";
    case.exec(&format!(
        r#"CREATE SCHEMA IF NOT EXISTS "drizzle";
           CREATE TABLE IF NOT EXISTS "drizzle"."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);
           insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values('{hash}', 1717000000000);
           insert into "drizzle"."__drizzle_migrations" ("hash", "created_at") values('{hash}', 1717000100000);"#
    ));
    case.plan_shows("0001_posts", &["0002_tags"]);
    case.apply_names(
        "drizzle",
        "npx drizzle-kit migrate",
        r#""drizzle"."__drizzle_migrations""#,
    );
}

#[test]
fn golang_migrate_history_is_one_version_and_a_dirty_flag() {
    let case = Case::new("golang_runner", "golang-migrate", "migrations", "");
    case.files(&[
        "migrations/1_init.up.sql",
        "migrations/1_init.down.sql",
        "migrations/2_posts.up.sql",
        "migrations/2_posts.down.sql",
        "migrations/3_tags.up.sql",
    ]);
    // The postgres driver's ensureVersionTable and SetVersion.
    case.exec(
        r#"CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null);
           INSERT INTO "public"."schema_migrations" (version, dirty) VALUES (2, false);"#,
    );
    case.plan_shows("2", &["3"]);
    case.exec(r#"TRUNCATE "public"."schema_migrations"; INSERT INTO "public"."schema_migrations" (version, dirty) VALUES (3, true);"#);
    case.plan_shows("2", &["3"])
        .expect_output("is dirty at version 3");
    case.apply_names(
        "golang-migrate",
        "migrate -path <folder> -database <url> up",
        r#""public"."schema_migrations""#,
    );
}

#[test]
fn flyway_history_is_read_by_version() {
    let case = Case::new("flyway_runner", "flyway", "sql", "");
    case.files(&[
        "sql/V1__init.sql",
        "sql/V1_1__posts.sql",
        "sql/V2__tags.sql",
        "sql/R__views.sql",
    ]);
    // Flyway's PostgreSQL createMetaDataTable, and rows as `flyway migrate`
    // records them.
    case.exec(
        r#"CREATE TABLE "public"."flyway_schema_history" (
               "installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
               "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
               "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
               "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL);
           ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
           INSERT INTO "public"."flyway_schema_history" VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 123, 'postgres', now(), 5, true);
           INSERT INTO "public"."flyway_schema_history" VALUES (2, '1.1', 'posts', 'SQL', 'V1_1__posts.sql', 456, 'postgres', now(), 5, true);
           INSERT INTO "public"."flyway_schema_history" VALUES (3, NULL, 'views', 'SQL', 'R__views.sql', 789, 'postgres', now(), 5, true);"#,
    );
    case.plan_shows("1.1", &["2"]);
    case.apply_names(
        "flyway",
        "flyway migrate",
        r#""public"."flyway_schema_history""#,
    );
}

/// Runbook 002: `npm run migrate` (node-pg-migrate) ran every numbered
/// file; the example's settings read its history, so nothing is pending,
/// where envctl used to call all 12 pending.
#[test]
fn runbook_002s_numbered_migrations_are_not_all_pending() {
    let example = Workspace::copy_of("examples/prompt-atoms");
    let project = std::fs::read_to_string(example.path("envctl.yaml")).unwrap();
    assert!(project.contains("history: node-pg-migrate"), "{project}");
    let staging = std::fs::read_to_string(example.path("environments/staging.yaml")).unwrap();
    assert!(staging.contains("database_url: { secret: env:STAGING_DATABASE_URL }"));

    let case = Case::new("runbook_002", "node-pg-migrate", "backend/migrations", "");
    let mut names: Vec<String> = std::fs::read_dir(example.path("backend/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12);
    for name in &names {
        let text =
            std::fs::read_to_string(example.path(&format!("backend/migrations/{name}"))).unwrap();
        case.ws.write(&format!("backend/migrations/{name}"), &text);
    }
    let stems: Vec<&str> = names.iter().map(|n| n.trim_end_matches(".sql")).collect();
    let mut sql = String::from(
        r#"CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);"#,
    );
    for stem in &stems[..10] {
        sql.push_str(&format!(
            "\nINSERT INTO \"public\".\"pgmigrations\" (name, run_on) VALUES ('{stem}', NOW());"
        ));
    }
    case.exec(&sql);
    case.plan_shows("011_enhance_template_system", &stems[10..]);
    for stem in &stems[10..] {
        case.exec(&format!(
            "INSERT INTO \"public\".\"pgmigrations\" (name, run_on) VALUES ('{stem}', NOW());"
        ));
    }
    let run = case.plan_shows("", &[]);
    assert!(
        !run.all().contains("001_create_user_profiles"),
        "{}",
        run.all()
    );
    // A pinned head may name the number alone.
    case.ws
        .append("environments/staging.yaml", "  head: \"012\"");
    case.run(&["plan", "staging"])
        .expect(0)
        .expect_output("live is past the desired head: 013_add_billing_and_orgs applied");
}

#[test]
fn history_settings_are_checked_when_loading() {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    let project = |migrations: &str| {
        format!(
            "version: 1\nproject: runners\npaths:\n  migrations: migrations\ndefaults:\n  migrations:\n    head: latest\n{migrations}"
        )
    };
    ws.write("migrations/001_a.sql", "select 1;\n");
    ws.write(
        "environments/staging.yaml",
        &format!("targets:\n  db:\n    type: supabase\n    project_ref: {REF}\n"),
    );
    let cases = [
        (
            "    history: knexx\n",
            "unknown migration runner `knexx`",
            "did you mean `knex`?",
        ),
        (
            "    history_table: mine\n",
            "`history_table` is used only with `history`",
            "name the runner",
        ),
        (
            "    history: prisma\n    history_table: mine\n",
            "prisma always records its history in `_prisma_migrations`",
            "remove `history_table`",
        ),
        (
            "    history: knex\n    history_schema: \"app; drop\"\n",
            "`history_schema` `app; drop` is not a table or schema name",
            "letters, digits",
        ),
        (
            "    history: node-pg-migrate\n",
            "`migrations.history` is set but environment staging has no `database_url`",
            "add `database_url: { secret: env:DATABASE_URL }`",
        ),
    ];
    for (settings, error, help) in cases {
        ws.write("envctl.yaml", &project(settings));
        ws.run(&["validate"], &[])
            .expect(1)
            .expect_output(error)
            .expect_output(help);
    }
    // With the database URL, valid; the runner's ids are the head.
    ws.write("envctl.yaml", &project("    history: node-pg-migrate\n"));
    ws.append(
        "environments/staging.yaml",
        "migrations:\n  database_url: { secret: env:STAGING_DATABASE_URL }\n  head: \"001\"",
    );
    ws.run(&["validate"], &[]).expect(0);
}
