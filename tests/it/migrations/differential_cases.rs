//! The files of each differential case.

use std::path::Path;

use super::{Files, files};

/// A file shaped like `supabase db pull`'s dump (its session settings,
/// `set_config('search_path', '', false)`, quoted names, a function with
/// its own search_path), then a file that names no schema.
pub fn dump_then_plain() -> Files {
    files(&[
        (
            "20250101000000_remote_schema.sql",
            r#"

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;


COMMENT ON SCHEMA "public" IS 'standard public schema';


CREATE OR REPLACE FUNCTION "public"."touch"() RETURNS "trigger"
    LANGUAGE "plpgsql"
    SET "search_path" TO ''
    AS $$
begin
  new.updated_at := now();
  return new;
end;
$$;


ALTER FUNCTION "public"."touch"() OWNER TO "postgres";

SET default_tablespace = '';

SET default_table_access_method = "heap";


CREATE TABLE IF NOT EXISTS "public"."todos" (
    "id" bigint NOT NULL,
    "task" "text",
    "updated_at" timestamp with time zone DEFAULT "now"()
);


ALTER TABLE "public"."todos" OWNER TO "postgres";


ALTER TABLE ONLY "public"."todos"
    ADD CONSTRAINT "todos_pkey" PRIMARY KEY ("id");


GRANT ALL ON TABLE "public"."todos" TO "anon";
GRANT ALL ON TABLE "public"."todos" TO "authenticated";
GRANT ALL ON TABLE "public"."todos" TO "service_role";
"#,
        ),
        (
            "20250102000000_plain.sql",
            "create table plain (id int primary key);\n",
        ),
    ])
}

/// The settings a file sees, kept as the comment of `public.settings_N`.
fn capture(n: usize) -> String {
    format!(
        "create table public.settings_{n} ();\n\
         do $$ begin execute format('comment on table public.settings_{n} is %L', concat_ws(' ', \
         'search_path=' || current_setting('search_path'), \
         'statement_timeout=' || current_setting('statement_timeout'), \
         'lock_timeout=' || current_setting('lock_timeout'), \
         'check_function_bodies=' || current_setting('check_function_bodies'))); end $$;\n"
    )
}

/// A file that sets its session (SET, not SET LOCAL), between two that
/// only look.
pub fn session_settings() -> Files {
    let second = format!(
        "SET lock_timeout = '1s';\nSET statement_timeout = '25s';\nset search_path = elsewhere, public;\nSET check_function_bodies = false;\n{}\
         create function public.lazy() returns int language sql as 'select public.not_yet()';\n",
        capture(2)
    );
    vec![
        ("20250101000000_first.sql".into(), capture(1)),
        ("20250102000000_sets.sql".into(), second),
        (
            "20250103000000_after.sql".into(),
            format!(
                "create function public.not_yet() returns int language sql as 'select 1';\n{}",
                capture(3)
            ),
        ),
    ]
}

/// `$$`, `$tag$`, nested tags, a DO block, BEGIN ATOMIC, E'' strings and
/// semicolons everywhere they do not end a statement.
pub fn dollar_bodies() -> Files {
    files(&[(
        "20250101000000_bodies.sql",
        r#"-- a comment; with a semicolon
create function public.semis() returns text language plpgsql as $fn$
begin
  -- inner; comment
  return 'a;b ' || $q$$$;$$$q$ || E' c\;';
end;
$fn$;

create function public.body() returns int
language sql stable
begin atomic
  select 1;
end;

do $$
declare n int;
begin
  n := (select public.body());
  raise notice 'n = %; fine', n;
end
$$;

/* block; comment */ comment on function public.semis() is 'returns; text';
create table public."semi;colon" (id int default 1);
"#,
    )])
}

/// Statements PostgreSQL refuses in a transaction block, in the CLI's
/// list and after other statements, and one first in its file.
pub fn non_transactional() -> Files {
    files(&[
        (
            "20250101000000_indexes.sql",
            "create table public.t (id int);\n\
             create index concurrently t_id on public.t (id);\n\
             vacuum public.t;\n\
             create table public.u (id int, v int);\n\
             reindex table concurrently public.t;\n\
             analyze public.u;\n\
             drop index concurrently public.t_id;\n\
             cluster;\n",
        ),
        (
            "20250102000000_first.sql",
            "create index concurrently u_v on public.u (v);\n",
        ),
        (
            "20250103000000_vacuum.sql",
            "-- statistics for the planner\nvacuum (analyze) public.u;\n",
        ),
        // Not in the CLI's list, but first in its file: the CLI's pipeline
        // runs it and commits it at once.
        (
            "20250104000000_discard.sql",
            "-- a fresh session\ndiscard all;\ncreate table public.w (id int);\n",
        ),
    ])
}

/// A statement PostgreSQL refuses in a transaction block, not in the
/// CLI's list, after another statement of its file.
pub fn non_transactional_unlisted() -> Files {
    files(&[(
        "20250101000000_a.sql",
        "create table public.x (id int);\ndiscard all;\n",
    )])
}

/// CREATE INDEX CONCURRENTLY failing after a statement of its file.
pub fn non_transactional_failing() -> Files {
    files(&[
        ("20250101000000_a.sql", "create table public.a (id int);\n"),
        (
            "20250102000000_b.sql",
            "create table public.t2 (id int);\n\
             create index concurrently t2_nope on public.t2 (nope);\n\
             create table public.never (id int);\n",
        ),
        ("20250103000000_c.sql", "create table public.c (id int);\n"),
    ])
}

pub fn empty_and_comments() -> Files {
    files(&[
        ("20250101000000_empty.sql", ""),
        ("20250102000000_blank.sql", "\n\n   \n"),
        ("20250103000000_comment.sql", "-- nothing here yet\n"),
        ("20250104000000_block.sql", "/* a block; comment */\n"),
        (
            "20250105000000_tail.sql",
            "create table public.e (id int);\n-- the end\n",
        ),
    ])
}

pub fn failure_midway() -> Files {
    files(&[
        ("20250101000000_a.sql", "create table public.a (id int);\n"),
        (
            "20250102000000_b.sql",
            "create table public.b_first (id int);\n\
             insert into public.missing (id) values (1);\n\
             create table public.b_third (id int);\n",
        ),
        ("20250103000000_c.sql", "create table public.c (id int);\n"),
    ])
}

/// A file wrapped in BEGIN; … COMMIT;, one with a COMMIT midway, one with
/// a ROLLBACK, one with LOCK inside its own transaction.
pub fn own_transactions() -> Files {
    files(&[
        (
            "20250101000000_wrapped.sql",
            "begin;\ncreate table public.t (id int);\ncommit;\n",
        ),
        (
            "20250102000000_midway.sql",
            "create table public.x (id int);\nCOMMIT;\ncreate table public.y (id int);\n",
        ),
        (
            "20250103000000_undone.sql",
            "begin;\ncreate table public.z (id int);\nrollback;\n",
        ),
        (
            "20250104000000_locked.sql",
            "begin;\nlock table public.t in access exclusive mode;\nsavepoint s;\ncreate table public.w (id int);\nrelease savepoint s;\ncommit;\n",
        ),
    ])
}

/// A file that commits, then fails: what it committed stays.
pub fn own_commit_then_failure() -> Files {
    files(&[(
        "20250101000000_a.sql",
        "create table public.t (id int);\nbegin;\ncreate table public.x (id int);\ncommit;\ncreate table public.y (id int);\ninsert into public.nope values (1);\n",
    )])
}

pub fn lock_outside_a_block() -> Files {
    files(&[(
        "20250101000000_a.sql",
        "create table public.t (id int);\nlock table public.t in share mode;\n",
    )])
}

pub fn begin_without_commit() -> Files {
    files(&[
        (
            "20250101000000_a.sql",
            "create table public.t (id int);\nbegin;\ncreate table public.u (id int);\n",
        ),
        ("20250102000000_b.sql", "create table public.v (id int);\n"),
    ])
}

/// Every example's migrations, and the repository's own.
pub fn examples() -> Vec<(String, Files)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![("root".to_string(), root.join("supabase/migrations"))];
    let mut examples: Vec<_> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("supabase/migrations").is_dir())
        .collect();
    examples.sort();
    for dir in examples {
        let name = dir.file_name().unwrap().to_string_lossy().replace('-', "_");
        dirs.push((name, dir.join("supabase/migrations")));
    }
    assert!(dirs.len() >= 4, "{dirs:?}");
    dirs.into_iter()
        .map(|(name, dir)| {
            let mut files: Files = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .map(|p| {
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(&p).unwrap(),
                    )
                })
                .collect();
            files.sort();
            (name, files)
        })
        .collect()
}
