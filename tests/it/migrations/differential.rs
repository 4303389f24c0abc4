//! The differential suite: the same migration files applied by envctl
//! (`envctl apply staging --migrations --yes`) and by the official
//! Supabase CLI (`supabase db push --db-url … --include-all`, pinned, see
//! `common/supabase_cli.rs`), each into a fresh database on the throwaway
//! server. Whether it succeeded, the rows of
//! `supabase_migrations.schema_migrations` (version, name, statements)
//! and a `pg_dump` of what is left (schema and data) must be the same.
//!
//! The cases are what differed once: files shaped like a `supabase db
//! pull` dump, session settings, dollar-quoted bodies, statements that
//! cannot run in a transaction block, a file's own transaction control,
//! empty and comment-only files, a failure midway, and every example's
//! migrations. One difference is kept on purpose and asserted as such:
//! a file that opens a transaction and never ends it (see the docs).

use super::{Setup, pg, query_at};
use crate::common::supabase_cli::{self, SupabaseCli};

#[path = "differential_cases.rs"]
mod cases;

type Files = Vec<(String, String)>;

fn files(list: &[(&str, &str)]) -> Files {
    list.iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect()
}

/// What one tool left behind.
struct Outcome {
    success: bool,
    rows: Vec<super::Row>,
    dump: String,
    url: String,
    output: String,
}

fn envctl(case: &str, files: &[(String, String)]) -> Outcome {
    let s = Setup::new(&format!("d_{case}_e"), &[]);
    for (name, text) in files {
        s.ws.write(&format!("supabase/migrations/{name}"), text);
    }
    let run = s.run(&["apply", "staging", "--migrations", "--yes"]);
    assert!(
        matches!(run.code(), 0 | 1),
        "envctl exited {}:\n{}",
        run.code(),
        run.all()
    );
    Outcome {
        success: run.code() == 0,
        rows: s.history(),
        dump: pg::dump(&s.url),
        url: s.url.clone(),
        output: run.all(),
    }
}

fn oracle(cli: &SupabaseCli, case: &str, files: &[(String, String)]) -> Outcome {
    let url = pg::server().database(&format!("d_{case}_s"));
    let pushed = cli.db_push(files, &url);
    Outcome {
        success: pushed.success,
        rows: super::history_at(&url),
        dump: pg::dump(&url),
        url,
        output: pushed.output,
    }
}

/// Both tools on `files`; `None` when the CLI is missing outside CI.
fn both(case: &str, files: &[(String, String)]) -> Option<(Outcome, Outcome)> {
    let cli = supabase_cli::require("differential migration")?;
    Some((envctl(case, files), oracle(&cli, case, files)))
}

/// Applies `files` with both tools and asserts they agree; returns what
/// envctl left (for the case's own assertions), or `None` when skipped.
#[track_caller]
fn same(case: &str, files: &[(String, String)]) -> Option<Outcome> {
    let (ours, theirs) = both(case, files)?;
    let context = || {
        format!(
            "\n--- envctl\n{}\n--- supabase db push\n{}",
            ours.output, theirs.output
        )
    };
    assert_eq!(
        ours.success,
        theirs.success,
        "{case}: envctl {} where the Supabase CLI {}{}",
        if ours.success { "succeeded" } else { "failed" },
        if theirs.success {
            "succeeded"
        } else {
            "failed"
        },
        context()
    );
    assert_eq!(
        ours.rows,
        theirs.rows,
        "{case}: the history rows differ (left envctl, right the CLI){}",
        context()
    );
    if let Some(at) = first_difference(&ours.dump, &theirs.dump) {
        panic!("{case}: the databases differ (pg_dump):\n{at}{}", context());
    }
    Some(ours)
}

/// The first line where two dumps differ, with the lines around it.
fn first_difference(a: &str, b: &str) -> Option<String> {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i))?;
    let window = |lines: &[&str]| -> String {
        lines[i.saturating_sub(4)..(i + 4).min(lines.len())]
            .iter()
            .map(|l| format!("    {l}\n"))
            .collect()
    };
    Some(format!(
        "at line {}\n  envctl:\n{}  supabase db push:\n{}",
        i + 1,
        window(&la),
        window(&lb)
    ))
}

/// The comment `settings_N` got: the settings its file saw.
fn seen(out: &Outcome, n: usize) -> String {
    query_at(
        &out.url,
        &format!("SELECT obj_description('public.settings_{n}'::regclass, 'pg_class')"),
    )
}

fn tables(out: &Outcome) -> String {
    query_at(
        &out.url,
        "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')",
    )
}

fn versions(out: &Outcome) -> Vec<&str> {
    out.rows.iter().map(|r| r.0.as_str()).collect()
}

#[test]
fn a_dump_shaped_file_does_not_change_the_next_files_search_path() {
    let Some(out) = same("dump", &cases::dump_then_plain()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    assert_eq!(tables(&out), "plain,plain_pkey,todos,todos_pkey");
}

#[test]
fn session_settings_stay_in_the_file_that_sets_them() {
    let Some(out) = same("settings", &cases::session_settings()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    let defaults =
        "search_path=\"$user\", public statement_timeout=0 lock_timeout=0 check_function_bodies=on";
    // Not even envctl's own lock_timeout reaches the first file.
    assert_eq!(seen(&out, 1), defaults);
    assert_eq!(
        seen(&out, 2),
        "search_path=elsewhere, public statement_timeout=25s lock_timeout=1s check_function_bodies=off"
    );
    assert_eq!(seen(&out, 3), defaults);
}

#[test]
fn dollar_quoted_bodies_and_literals() {
    let Some(out) = same("dollar", &cases::dollar_bodies()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    assert_eq!(query_at(&out.url, "SELECT public.semis()"), "a;b $$;$$ c;");
}

#[test]
fn statements_that_cannot_run_in_a_transaction_block_run() {
    let Some(out) = same("nontx", &cases::non_transactional()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    assert_eq!(out.rows.len(), 4);
    assert_eq!(tables(&out), "t,u,u_v,w");
}

#[test]
fn such_a_statement_outside_the_clis_list_runs_only_first_in_its_file() {
    let Some(out) = same("unlisted", &cases::non_transactional_unlisted()) else {
        return;
    };
    assert!(!out.success);
    assert_eq!(tables(&out), "NULL");
    for want in [
        "DISCARD ALL cannot run inside a transaction block",
        "move it to a file of its own",
    ] {
        assert!(out.output.contains(want), "{want}:\n{}", out.output);
    }
}

#[test]
fn such_a_statement_commits_what_ran_before_it_in_its_file() {
    let Some(out) = same("nontxfail", &cases::non_transactional_failing()) else {
        return;
    };
    assert!(!out.success);
    // What ran before the failing CREATE INDEX CONCURRENTLY stays, and the
    // file is not recorded.
    assert_eq!(tables(&out), "a,t2");
    assert_eq!(versions(&out), ["20250101000000"]);
    assert!(
        out.output
            .contains("statement 1 of 20250102000000_b.sql stays applied"),
        "{}",
        out.output
    );
}

#[test]
fn empty_and_comment_only_files_are_recorded() {
    let Some(out) = same("empty", &cases::empty_and_comments()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    let statements: Vec<Option<Vec<String>>> = out.rows.iter().map(|r| r.2.clone()).collect();
    assert_eq!(
        statements,
        [
            Some(vec![]),
            Some(vec![]),
            Some(vec!["-- nothing here yet".to_string()]),
            Some(vec!["/* a block; comment */".to_string()]),
            Some(vec![
                "create table public.e (id int)".to_string(),
                "-- the end".to_string()
            ]),
        ]
    );
}

#[test]
fn a_failure_in_file_two_of_three() {
    let Some(out) = same("midway", &cases::failure_midway()) else {
        return;
    };
    assert!(!out.success);
    assert_eq!(versions(&out), ["20250101000000"]);
    assert_eq!(tables(&out), "a");
}

#[test]
fn a_files_own_begin_and_commit() {
    let Some(out) = same("txn", &cases::own_transactions()) else {
        return;
    };
    assert!(out.success, "{}", out.output);
    assert_eq!(tables(&out), "t,w,x,y");
}

#[test]
fn a_failure_after_a_files_own_commit_keeps_what_it_committed() {
    let Some(out) = same("txnfail", &cases::own_commit_then_failure()) else {
        return;
    };
    assert!(!out.success);
    // Each statement outside the file's own transaction is committed on
    // its own, as the CLI runs such a file.
    assert_eq!(tables(&out), "t,x,y");
    assert!(out.rows.is_empty());
    assert!(
        out.output
            .contains("statements 1-5 of 20250101000000_a.sql stay applied"),
        "{}",
        out.output
    );
}

#[test]
fn lock_outside_a_transaction_block_fails_as_with_the_cli() {
    let Some(out) = same("lock", &cases::lock_outside_a_block()) else {
        return;
    };
    assert!(!out.success);
    assert!(
        out.output
            .contains("LOCK TABLE can only be used in transaction blocks"),
        "{}",
        out.output
    );
}

/// The examples' files whose last statement needs what the throwaway
/// server lacks (Supabase enables PostGIS; Debian's server has none): both
/// tools stop there, with the same error, after the same files.
const NEEDS_MORE_THAN_THE_SERVER: [(&str, &str); 1] =
    [("huddle", "type \"geography\" does not exist")];

#[test]
fn every_examples_migrations() {
    if supabase_cli::require("differential migration").is_none() {
        return;
    }
    // One thread per example: each is two pushes into databases of its own.
    std::thread::scope(|scope| {
        for (name, files) in cases::examples() {
            scope.spawn(move || example(&name, &files));
        }
    });
}

fn example(name: &str, files: &[(String, String)]) {
    let out = same(name, files).expect("the CLI was found");
    match NEEDS_MORE_THAN_THE_SERVER.iter().find(|(n, _)| *n == name) {
        Some((_, error)) => {
            assert!(
                !out.success && out.output.contains(error),
                "{name}: {}",
                out.output
            );
            assert_eq!(out.rows.len(), files.len() - 1, "{name}");
        }
        None => {
            assert!(out.success, "{name}: {}", out.output);
            assert_eq!(out.rows.len(), files.len(), "{name}");
        }
    }
}

/// The documented difference: a file that opens a transaction and never
/// ends it. The CLI reports success, and the session's end rolls back
/// everything from that BEGIN on, history rows included; envctl refuses
/// the file and rolls it back.
#[test]
fn a_begin_without_commit_is_refused_where_the_cli_loses_it() {
    let files = cases::begin_without_commit();
    let Some((ours, theirs)) = both("nocommit", &files) else {
        return;
    };
    assert!(theirs.success, "{}", theirs.output);
    assert!(theirs.rows.is_empty(), "{:?}", theirs.rows);
    assert_eq!(tables(&theirs), "t");

    assert!(!ours.success);
    assert!(
        ours.output
            .contains("20250101000000_a.sql opens a transaction")
            && ours.output.contains("line 2"),
        "{}",
        ours.output
    );
    assert!(ours.rows.is_empty());
    assert_eq!(tables(&ours), "t");
}
