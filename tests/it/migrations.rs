//! Migrations against a real PostgreSQL server (see `migrations/pg.rs`):
//! the `envctl` binary reads the history from the database, applies
//! pending files, and records them as the Supabase CLI's `db push` does.
//! The Management API (secrets, functions) is the fake on loopback.

use crate::common;
#[path = "migrations/differential.rs"]
mod differential;
#[path = "migrations/pg.rs"]
mod pg;
#[path = "migrations/runners.rs"]
mod runners;

use std::time::Instant;

use common::Workspace;
use common::platforms::pairs;
use envctl_fakes::Server;
use envctl_fakes::supabase::FakeSupabase;

const TOKEN: &str = "sbp_0123456789abcdef0123456789abcdefCANARY";
const STAGING_REF: &str = "shopstagingabcdefghi";
const PRODUCTION_REF: &str = "shopproductionabcdef";

/// A migration file: its name and the statements the Supabase CLI would
/// record for it (`SplitAndTrim`: split at top-level `;`, each trimmed,
/// the `;` dropped, comments kept with the statement they precede).
struct File {
    name: &'static str,
    statements: Vec<&'static str>,
    /// Text after the last `;` (a comment becomes a statement of its own).
    tail: &'static str,
}

impl File {
    fn new(name: &'static str, statements: &[&'static str]) -> File {
        File {
            name,
            statements: statements.to_vec(),
            tail: "",
        }
    }

    fn text(&self) -> String {
        format!("{};\n{}", self.statements.join(";\n\n"), self.tail)
    }

    fn recorded(&self) -> Vec<String> {
        let mut out: Vec<String> = self.statements.iter().map(|s| s.to_string()).collect();
        if !self.tail.trim().is_empty() {
            out.push(self.tail.trim().to_string());
        }
        out
    }

    fn version(&self) -> &'static str {
        self.name.split('_').next().unwrap()
    }
}

/// Real-world-shaped migrations: tables, RLS policies, a plpgsql trigger
/// function with `$$` bodies, a SQL-standard body, an index, a seed.
fn app_migrations() -> Vec<File> {
    let mut seed = File::new(
        "20250104000000_seed_plans.sql",
        &[
            r#"insert into public.plans (slug, name, description) values
  ('free', 'Free', 'Up to 3 bookings; no card needed'),
  ('pro', 'Pro', E'Unlimited bookings;\nPriority support'),
  ('team', 'Team', $d$Everything in Pro; plus "seats"$d$),
  ('o''brien', 'O''Brien special', 'it''s; fine')"#,
            "-- grants, as Supabase's default privileges would give\ngrant select on public.plans to anon, authenticated",
            "do $$\nbegin\n  raise notice 'seeded %; done', (select count(*) from public.plans);\nend\n$$",
        ],
    );
    seed.tail = "\n-- end of seed\n";
    vec![
        File::new(
            "20250101000000_profiles.sql",
            &[
                "-- Profiles: one row per auth user.\ncreate table public.profiles (\n  id uuid primary key references auth.users (id) on delete cascade,\n  username text unique,\n  full_name text,\n  updated_at timestamptz not null default now(),\n  constraint username_length check (char_length(username) >= 3)\n)",
                "alter table public.profiles enable row level security",
                "create policy \"Profiles are viewable by everyone; even anon.\" on public.profiles\n  for select to anon, authenticated using (true)",
                "create policy \"Users insert their own profile\" on public.profiles\n  for insert to authenticated with check ((select auth.uid()) = id)",
                "create policy \"Users update their own profile\" on public.profiles\n  for update to authenticated using ((select auth.uid()) = id)",
            ],
        ),
        File::new(
            "20250102000000_handle_new_user.sql",
            &[
                "-- Creates a profile for every new user.\ncreate or replace function public.handle_new_user()\nreturns trigger\nlanguage plpgsql\nsecurity definer set search_path = ''\nas $$\nbegin\n  -- a comment; with a semicolon\n  insert into public.profiles (id, full_name)\n  values (new.id, coalesce(new.raw_user_meta_data ->> 'full_name', 'anonymous; unnamed'));\n  return new;\nend;\n$$",
                "create trigger on_auth_user_created\n  after insert on auth.users\n  for each row execute procedure public.handle_new_user()",
            ],
        ),
        File::new(
            "20250103000000_bookings.sql",
            &[
                "create table public.plans (\n  slug text primary key,\n  name text not null,\n  description text\n)",
                r"create table public.bookings (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  plan text not null references public.plans (slug),
  starts_at timestamptz not null,
  note text default E'booked via the app;\n(edit me)'
)",
                "create index bookings_user_id_starts_at_idx on public.bookings (user_id, starts_at desc)",
                "comment on table public.bookings is 'One row per booking; see plans.'",
                "alter table public.bookings enable row level security",
                "create policy \"Own bookings\" on public.bookings\n  for all to authenticated\n  using (user_id = (select auth.uid()))\n  with check (user_id = (select auth.uid()))",
                "/* SQL-standard body: its semicolons stay inside. */\ncreate function public.booking_count(uid uuid) returns bigint\nlanguage sql stable\nbegin atomic\n  select count(*) from public.bookings where user_id = uid;\nend",
            ],
        ),
        seed,
    ]
}

struct Setup {
    ws: Workspace,
    fake: Server<FakeSupabase>,
    url: String,
}

impl Setup {
    /// A workspace with staging and (protected) production, each a single
    /// Supabase target whose database is `url` (a fresh database).
    fn new(test: &str, files: &[File]) -> Setup {
        let url = pg::server().database(test);
        let ws = Workspace::at(tempfile::tempdir().unwrap());
        ws.write(
            "envctl.yaml",
            "version: 1\nproject: shop\ndefaults:\n  migrations:\n    head: latest\n",
        );
        ws.write(
            "environments/staging.yaml",
            &format!(
                "targets:\n  db:\n    type: supabase\n    project_ref: {STAGING_REF}\nmigrations:\n  database_url: {{ secret: env:STAGING_DATABASE_URL }}\n"
            ),
        );
        ws.write(
            "environments/production.yaml",
            &format!(
                "protected: true\ntargets:\n  db:\n    type: supabase\n    project_ref: {PRODUCTION_REF}\nmigrations:\n  database_url: {{ secret: env:PROD_DATABASE_URL }}\n"
            ),
        );
        std::fs::create_dir_all(ws.path("supabase/migrations")).unwrap();
        let setup = Setup {
            ws,
            fake: {
                let fake = FakeSupabase::new(TOKEN);
                fake.add_project(STAGING_REF);
                fake.add_project(PRODUCTION_REF);
                Server::start(fake)
            },
            url,
        };
        for file in files {
            setup.add(file);
        }
        setup
    }

    fn add(&self, file: &File) {
        self.ws
            .write(&format!("supabase/migrations/{}", file.name), &file.text());
    }

    fn remove(&self, file: &File) {
        std::fs::remove_file(self.ws.path(&format!("supabase/migrations/{}", file.name))).unwrap();
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("SUPABASE_ACCESS_TOKEN".into(), TOKEN.into()),
            ("ENVCTL_SUPABASE_API_URL".into(), self.fake.url()),
            ("ENVCTL_HTTP_TIMEOUT".into(), "2".into()),
            ("STAGING_DATABASE_URL".into(), self.url.clone()),
            ("PROD_DATABASE_URL".into(), self.url.clone()),
        ]
    }

    fn run(&self, args: &[&str]) -> common::Run {
        let env = self.env();
        let run = self.ws.run(args, &pairs(&env));
        if std::env::var_os("ENVCTL_TEST_SHOW").is_some() {
            eprintln!("$ envctl {}\n{}", args.join(" "), run.all());
        }
        assert_no_leak(&run.all());
        run
    }

    fn history(&self) -> Vec<Row> {
        history_at(&self.url)
    }

    fn query_one(&self, sql: &str) -> String {
        query_at(&self.url, sql)
    }

    fn exec(&self, sql: &str) {
        pg::block_on(async {
            let db = pg::connect(&self.url).await.unwrap();
            db.batch_execute(sql).await.unwrap();
        })
    }
}

/// A history row: version, name, statements.
type Row = (String, String, Option<Vec<String>>);

/// The history table of the database at `url`, in version order (none
/// without the table).
fn history_at(url: &str) -> Vec<Row> {
    pg::block_on(async {
        let db = pg::connect(url).await.unwrap();
        match db
            .query(
                "SELECT version, coalesce(name, ''), statements FROM supabase_migrations.schema_migrations ORDER BY version",
                &[],
            )
            .await
        {
            Ok(rows) => rows
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::UNDEFINED_TABLE) => {
                Vec::new()
            }
            Err(e) => panic!("{e}"),
        }
    })
}

/// The first column of the first row `sql` returns, as text.
fn query_at(url: &str, sql: &str) -> String {
    pg::block_on(async {
        let db = pg::connect(url).await.unwrap();
        let rows = db.simple_query(sql).await.unwrap();
        rows.iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some(r.get(0).unwrap_or("NULL").to_string())
                }
                _ => None,
            })
            .unwrap_or_default()
    })
}

fn assert_no_leak(text: &str) {
    assert!(
        !text.contains(pg::PASSWORD) && !text.contains("CANARY"),
        "the database password or a token leaked:\n{text}"
    );
}

fn expected_rows(files: &[File]) -> Vec<Row> {
    files
        .iter()
        .map(|f| {
            let name = f.name.split_once('_').unwrap().1.trim_end_matches(".sql");
            (
                f.version().to_string(),
                name.to_string(),
                Some(f.recorded()),
            )
        })
        .collect()
}

#[test]
fn applying_real_world_migrations_records_what_the_supabase_cli_would() {
    let files = app_migrations();
    let s = Setup::new("apply", &files);

    let plan = s.run(&["plan", "staging", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(
        plan.stdout().contains("20250101000000") && plan.stdout().contains("20250104000000"),
        "{}",
        plan.stdout()
    );
    assert_eq!(s.fake.count("GET", "/database/migrations"), 0);

    // The most verbose log names the database, never its password.
    let apply = s.run(&["apply", "staging", "--migrations", "--yes", "-vv"]);
    apply.expect(0);
    assert!(
        apply
            .stderr()
            .contains("database: connecting to postgres@127.0.0.1:"),
        "{}",
        apply.stderr()
    );
    for f in &files {
        assert!(
            apply.stderr().contains(&format!("applied {}", f.name)),
            "{}",
            apply.stderr()
        );
    }
    assert!(
        apply.stderr().contains("4 migrations applied and recorded"),
        "{}",
        apply.stderr()
    );

    // The Supabase CLI's bookkeeping: one row per file, its version, its
    // name, and its statements as SplitAndTrim gives them.
    assert_eq!(s.history(), expected_rows(&files));
    // The table is the CLI's own shape.
    assert_eq!(
        s.query_one(
            "SELECT string_agg(column_name || ' ' || data_type || ' ' || is_nullable, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'supabase_migrations' AND table_name = 'schema_migrations'"
        ),
        "version text NO, statements ARRAY YES, name text YES"
    );

    // The schema the files describe is there and works.
    assert_eq!(
        s.query_one("SELECT count(*) FROM pg_policies WHERE schemaname = 'public'"),
        "4"
    );
    assert_eq!(
        s.query_one("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relrowsecurity AND relnamespace = 'public'::regnamespace"),
        "bookings,profiles"
    );
    assert_eq!(
        s.query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'bookings_user_id_starts_at_idx'"
        ),
        "1"
    );
    assert_eq!(
        s.query_one("SELECT description FROM public.plans WHERE slug = 'pro'"),
        "Unlimited bookings;\nPriority support"
    );
    assert_eq!(
        s.query_one("SELECT name FROM public.plans WHERE slug = 'o''brien'"),
        "O'Brien special"
    );
    s.exec("INSERT INTO auth.users (id, raw_user_meta_data) VALUES ('00000000-0000-0000-0000-000000000001', '{\"full_name\": \"Ada\"}')");
    assert_eq!(s.query_one("SELECT full_name FROM public.profiles"), "Ada");
    assert_eq!(
        s.query_one("SELECT public.booking_count('00000000-0000-0000-0000-000000000001')"),
        "0"
    );

    // Nothing pending now.
    let again = s.run(&["plan", "staging", "--detailed-exitcode"]);
    again.expect(0);
    assert!(!again.stdout().contains("pending"), "{}", again.stdout());
    s.run(&["apply", "staging", "--migrations", "--yes"])
        .expect(0);
    assert_eq!(s.history().len(), 4);
    // Production reads the same database: in sync, nothing refused.
    s.run(&["plan", "production", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn a_failure_midway_rolls_back_that_file_keeps_earlier_ones_and_a_rerun_continues() {
    let a = File::new("20250101000000_a.sql", &["create table public.a (id int)"]);
    let mut b = File::new(
        "20250102000000_b.sql",
        &[
            "create table public.b_first (id int)",
            "-- the typo\ninsert into public.missing (id) values (1)",
            "create table public.b_third (id int)",
        ],
    );
    let c = File::new("20250103000000_c.sql", &["create table public.c (id int)"]);
    let s = Setup::new("midway", &[]);
    for f in [&a, &b, &c] {
        s.add(f);
    }

    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    apply.expect(1);
    let err = apply.stderr();
    for want in [
        "20250102000000_b.sql failed at statement 2 of 3 (line 4: insert into public.missing (id) values (1))",
        "relation \"public.missing\" does not exist",
        "42P01",
        "rolled back: nothing of 20250102000000_b.sql is applied or recorded",
        "applied and recorded before it: 20250101000000_a.sql",
        "not applied: 20250102000000_b.sql, 20250103000000_c.sql",
        "envctl apply staging --migrations",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    assert_eq!(s.history(), expected_rows(&[a]));
    assert_eq!(
        s.query_one("SELECT to_regclass('public.b_first')::text"),
        "NULL"
    );

    // Fixed, the rerun goes on from b.
    b.statements[1] = "-- fixed\ninsert into public.b_first (id) values (1)";
    s.add(&b);
    let rerun = s.run(&["apply", "staging", "--migrations", "--yes"]);
    rerun.expect(0);
    assert!(
        !rerun.stderr().contains("applied 20250101000000_a.sql"),
        "{}",
        rerun.stderr()
    );
    let a = File::new("20250101000000_a.sql", &["create table public.a (id int)"]);
    assert_eq!(s.history(), expected_rows(&[a, b, c]));
}

#[test]
fn a_file_edited_after_it_was_applied_is_drift_refused_in_production() {
    let files = app_migrations();
    let s = Setup::new("edited", &files);
    s.run(&["apply", "staging", "--migrations", "--yes"])
        .expect(0);

    // Comments and spacing are not what runs: no drift.
    let mut first = app_migrations().remove(0);
    first.statements[1] = "-- RLS on\nalter table   public.profiles enable row level security";
    s.add(&first);
    s.run(&["plan", "production", "--detailed-exitcode"])
        .expect(0);

    // A real edit is.
    first.statements[0] =
        "create table public.profiles (id uuid primary key, username text not null)";
    s.add(&first);
    let plan = s.run(&["plan", "staging", "--detailed-exitcode"]);
    plan.expect(2);
    assert!(
        plan.all()
            .contains("migrations edited after they were applied: 20250101000000"),
        "{}",
        plan.all()
    );
    assert!(plan.all().contains("migration-drift"), "{}", plan.all());

    let prod = s.run(&["plan", "production"]);
    prod.expect(3);
    assert!(
        prod.all().contains("error[migration-drift]"),
        "{}",
        prod.all()
    );
    let before = s.history();
    s.run(&["apply", "production", "--migrations", "--yes"])
        .expect(3);
    assert_eq!(s.history(), before);

    // Staging only warns: a new file still applies.
    let next = File::new(
        "20250105000000_next.sql",
        &["create table public.next (id int)"],
    );
    s.add(&next);
    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    apply.expect(0);
    assert!(
        apply.all().contains("warning[migration-drift]"),
        "{}",
        apply.all()
    );
    assert_eq!(s.history().len(), 5);
}

#[test]
fn out_of_order_and_missing_files_are_refused_with_the_reason() {
    let a = File::new("20250101000000_a.sql", &["create table public.a (id int)"]);
    let b = File::new("20250102000000_b.sql", &["create table public.b (id int)"]);
    let c = File::new("20250103000000_c.sql", &["create table public.c (id int)"]);
    let s = Setup::new("order", &[]);
    s.add(&a);
    s.add(&c);
    s.run(&["apply", "staging", "--migrations", "--yes"])
        .expect(0);

    // b is older than the live head and was never applied.
    s.add(&b);
    let plan = s.run(&["plan", "staging"]);
    plan.expect(0);
    assert!(
        plan.all().contains(
            "local migrations older than the live head were never applied: 20250102000000"
        ),
        "{}",
        plan.all()
    );
    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    apply.expect(3);
    assert!(
        apply.stderr().contains("older than the live head")
            && apply.stderr().contains("applies no migration"),
        "{}",
        apply.stderr()
    );
    assert_eq!(s.history().len(), 2);
    assert_eq!(s.query_one("SELECT to_regclass('public.b')::text"), "NULL");

    // A live version with no local file.
    s.remove(&b);
    s.remove(&c);
    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    apply.expect(3);
    assert!(
        apply
            .stderr()
            .contains("live has migrations that are not local files: 20250103000000"),
        "{}",
        apply.stderr()
    );
    s.run(&["plan", "production"]).expect(3);
}

#[test]
fn dry_run_lists_the_files_and_writes_nothing() {
    let files = app_migrations();
    let s = Setup::new("dry", &files);
    let run = s.run(&["apply", "staging", "--migrations", "--dry-run"]);
    run.expect(0);
    let out = run.stdout();
    for (file, n) in [
        ("20250101000000_profiles.sql", 5),
        ("20250102000000_handle_new_user.sql", 2),
        ("20250103000000_bookings.sql", 7),
        ("20250104000000_seed_plans.sql", 4),
    ] {
        assert!(out.contains(&format!("{file}  ({n} statements)")), "{out}");
    }
    assert!(
        out.contains("Would apply 4 migrations to postgres@127.0.0.1:"),
        "{out}"
    );
    assert!(
        run.stderr().contains("Dry run: nothing was written."),
        "{}",
        run.stderr()
    );
    assert_eq!(
        s.query_one("SELECT to_regclass('supabase_migrations.schema_migrations')::text"),
        "NULL"
    );
}

#[test]
fn a_history_written_by_the_supabase_cli_is_read_as_applied() {
    let files = app_migrations();
    let s = Setup::new("cli_history", &files[..2]);
    // What `supabase db push` leaves after the first two files.
    s.exec("CREATE SCHEMA IF NOT EXISTS supabase_migrations;
            CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
            ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
            ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;");
    for f in &files[..2] {
        for st in f.recorded() {
            s.exec(&st);
        }
    }
    pg::block_on(async {
        let db = pg::connect(&s.url).await.unwrap();
        for f in &files[..2] {
            let version = f.version();
            let name = f.name.split_once('_').unwrap().1.trim_end_matches(".sql");
            let statements = f.recorded();
            db.execute(
                "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)",
                &[&version, &name, &statements],
            )
            .await
            .unwrap();
        }
    });
    s.run(&["plan", "production", "--detailed-exitcode"])
        .expect(0);
    for f in &files[2..] {
        s.add(f);
    }
    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    apply.expect(0);
    assert!(
        !apply.stderr().contains("applied 20250101000000"),
        "{}",
        apply.stderr()
    );
    assert_eq!(s.history(), expected_rows(&files));
}

#[test]
fn connection_problems_are_clear_and_never_show_the_password() {
    let files = app_migrations();
    let s = Setup::new("conn", &files);
    let env = s.env();
    let mut pairs = pairs(&env);

    // Unset reference.
    pairs.retain(|(k, _)| *k != "STAGING_DATABASE_URL");
    let run = s.ws.run(&["plan", "staging"], &pairs);
    run.expect(1);
    assert!(
        run.stderr().contains(
            "env:STAGING_DATABASE_URL: environment variable STAGING_DATABASE_URL is not set"
        ),
        "{}",
        run.stderr()
    );

    // Wrong password.
    let wrong = s.url.replace(pg::PASSWORD, "CANARY-wrong-password");
    pairs.push(("STAGING_DATABASE_URL", &wrong));
    let run = s.ws.run(&["plan", "staging"], &pairs);
    run.expect(1);
    assert!(
        run.stderr().contains("password authentication failed"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr()
            .contains("cannot connect to the database postgres@127.0.0.1:"),
        "{}",
        run.stderr()
    );
    assert_no_leak(&run.all());
    assert!(!run.all().contains("CANARY-wrong"), "{}", run.all());

    // Not a URL.
    pairs.pop();
    pairs.push(("STAGING_DATABASE_URL", "host=localhost password=CANARYkv"));
    let run = s.ws.run(&["plan", "staging"], &pairs);
    run.expect(1);
    assert!(
        run.stderr().contains("does not start with postgresql://"),
        "{}",
        run.stderr()
    );
    assert_no_leak(&run.all());
}

#[test]
fn migrations_need_a_database_url() {
    let s = Setup::new("no_url", &app_migrations());
    s.ws.write(
        "environments/staging.yaml",
        &format!("targets:\n  db:\n    type: supabase\n    project_ref: {STAGING_REF}\n"),
    );
    s.fake.api().set_migrations(STAGING_REF, &[]);
    let run = s.run(&["apply", "staging", "--migrations", "--yes"]);
    run.expect(1);
    assert!(
        run.stderr().contains("set `migrations.database_url`"),
        "{}",
        run.stderr()
    );

    // A plain URL in the file is refused without being echoed.
    s.ws.write(
        "environments/staging.yaml",
        &format!("targets:\n  db:\n    type: supabase\n    project_ref: {STAGING_REF}\nmigrations:\n  database_url: postgresql://u:CANARYinline@h/db\n"),
    );
    let run = s.run(&["validate"]);
    run.expect(1);
    assert!(
        run.stderr().contains("a database URL holds a password"),
        "{}",
        run.stderr()
    );
}

#[test]
fn two_hundred_migrations_apply_and_plan_quickly() {
    let s = Setup::new("many", &[]);
    let count = 200;
    for i in 0..count {
        let text = format!(
            "-- migration {i}\ncreate table public.t{i} (id bigint generated always as identity primary key, note text default 'n; {i}');\n\ncreate index t{i}_note_idx on public.t{i} (note);\n\ninsert into public.t{i} (note) values ('seed; {i}'), (E'it\\'s {i}');\n"
        );
        s.ws.write(
            &format!("supabase/migrations/{}_t{i}.sql", 20250101000000u64 + i),
            &text,
        );
    }
    let started = Instant::now();
    let apply = s.run(&["apply", "staging", "--migrations", "--yes"]);
    let took = started.elapsed();
    apply.expect(0);
    assert_eq!(s.history().len(), count as usize);
    let started = Instant::now();
    s.run(&["plan", "staging", "--detailed-exitcode"]).expect(0);
    let plan_took = started.elapsed();
    eprintln!(
        "applied {count} migrations (600 statements) in {} ms; planning against 200 applied took {} ms",
        took.as_millis(),
        plan_took.as_millis()
    );
    assert!(took.as_secs() < 120, "{took:?}");
}

#[test]
fn tls_follows_sslmode() {
    let server = pg::server();
    let Some(ca) = server.tls_ca.clone() else {
        assert!(
            std::env::var_os("ENVCTL_TEST_DATABASE_URL").is_some(),
            "the harness could not turn TLS on: is `openssl` installed?"
        );
        eprintln!(
            "tls_follows_sslmode: skipped (ENVCTL_TEST_DATABASE_URL's server is not ours to configure)"
        );
        return;
    };
    let s = Setup::new("tls", &app_migrations()[..1]);
    std::fs::copy(&ca, s.ws.path("ca.crt")).unwrap();
    std::fs::copy(ca.with_file_name("other-ca.crt"), s.ws.path("other-ca.crt")).unwrap();
    let plain = s.url.clone();
    let with = |host: &str, query: &str| {
        plain
            .replace("@127.0.0.1:", &format!("@{host}:"))
            .replace("sslmode=disable", query)
    };
    let plan = |url: &str| {
        let mut env = s.env();
        env.retain(|(k, _)| k != "STAGING_DATABASE_URL");
        env.push(("STAGING_DATABASE_URL".into(), url.to_string()));
        let run =
            s.ws.run(&["plan", "staging", "--detailed-exitcode"], &pairs(&env));
        if std::env::var_os("ENVCTL_TEST_SHOW").is_some() {
            eprintln!("$ envctl plan staging # {url}\n{}", run.all());
        }
        assert_no_leak(&run.all());
        run
    };
    // Encrypted; the certificate checked as asked.
    for (host, query) in [
        ("127.0.0.1", "sslmode=require"),
        ("127.0.0.1", "sslmode=prefer"),
        ("localhost", "sslmode=verify-full&sslrootcert=ca.crt"),
        ("127.0.0.1", "sslmode=verify-ca&sslrootcert=ca.crt"),
    ] {
        let run = plan(&with(host, query));
        assert_eq!(run.code(), 2, "{host} {query}: {}", run.all());
        assert!(run.stdout().contains("1 pending"), "{}", run.stdout());
    }
    // The certificate names localhost, not 127.0.0.1.
    let run = plan(&with("127.0.0.1", "sslmode=verify-full&sslrootcert=ca.crt"));
    run.expect(1);
    assert!(
        run.stderr().contains("cannot connect to the database"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().to_lowercase().contains("not valid for name"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("sslmode=verify-ca"),
        "{}",
        run.stderr()
    );
    // Signed by a CA we were not told to trust.
    let run = plan(&with(
        "localhost",
        "sslmode=verify-full&sslrootcert=other-ca.crt",
    ));
    run.expect(1);
    assert!(
        run.stderr().contains("sslrootcert=PATH"),
        "{}",
        run.stderr()
    );
    // The system's roots do not know a test CA either.
    let run = plan(&with("localhost", "sslmode=verify-full"));
    run.expect(1);
    // And apply works over TLS.
    let mut env = s.env();
    env.retain(|(k, _)| k != "STAGING_DATABASE_URL");
    let url = with("localhost", "sslmode=verify-full&sslrootcert=ca.crt");
    env.push(("STAGING_DATABASE_URL".into(), url));
    s.ws.run(&["apply", "staging", "--migrations", "--yes"], &pairs(&env))
        .expect(0);
    assert_eq!(s.history().len(), 1);
}

#[test]
fn an_old_cli_table_without_statements_or_name_is_read_and_upgraded() {
    let files = app_migrations();
    let s = Setup::new("old_table", &files[..2]);
    // An early Supabase CLI kept only versions.
    s.exec(
        "CREATE SCHEMA supabase_migrations;
         CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
         INSERT INTO supabase_migrations.schema_migrations VALUES ('20250101000000');",
    );
    for st in files[0].recorded() {
        s.exec(&st);
    }
    let plan = s.run(&["plan", "staging"]);
    plan.expect(0);
    assert!(
        plan.stdout().contains("1 pending: 20250102000000"),
        "{}",
        plan.stdout()
    );
    s.run(&["apply", "staging", "--migrations", "--yes"])
        .expect(0);
    let history = s.history();
    // The columns were added; the old row has no name or statements.
    assert_eq!(
        history[0],
        ("20250101000000".to_string(), String::new(), None)
    );
    assert_eq!(history[1..], expected_rows(&files[1..2]));
    s.run(&["plan", "production", "--detailed-exitcode"])
        .expect(0);
}
