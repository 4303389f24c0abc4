//! Statement kinds as CLI 2.117.0 decides them (each case was run with
//! that CLI and its protocol read in the server log).

use super::*;

#[test]
fn statements_the_cli_runs_on_their_own() {
    for text in [
        "vacuum public.t",
        "VACUUM",
        "vacuum(analyze) t",
        "vacuum\nt",
        "/* x */ Vacuum a",
        "-- why\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i on t (id)",
        "create index\nconcurrently i on a (id)",
        "drop index concurrently i1",
        "reindex table concurrently t",
        "REINDEX (VERBOSE) TABLE CONCURRENTLY t",
        "cluster",
        "cluster a",
        "alter system set work_mem = '4MB'",
    ] {
        assert!(runs_alone(text), "{text}");
    }
    for text in [
        "analyze t",
        "refresh materialized view concurrently mv",
        "discard all",
        "create database x",
        "alter type e add value 'b'",
        "create index i on t (id)",
        "vacuumx",
        // The CLI's `.` stops at a line end.
        "reindex (verbose)\n table concurrently a",
        "select 'vacuum'",
        "create table concurrently_named (id int)",
    ] {
        assert!(!runs_alone(text), "{text}");
    }
}

#[test]
fn transaction_control_as_the_cli_sees_it() {
    for (text, want) in [
        ("begin", Some(Control::Begin)),
        ("Begin", Some(Control::Begin)),
        ("/* c */ BEGIN", Some(Control::Begin)),
        ("begin isolation level serializable", Some(Control::Begin)),
        ("begin work", Some(Control::Begin)),
        ("start transaction", Some(Control::Begin)),
        ("commit", Some(Control::End)),
        ("-- x\ncommit", Some(Control::End)),
        ("commit work", Some(Control::End)),
        ("end", Some(Control::End)),
        ("end transaction", Some(Control::End)),
        ("abort", Some(Control::End)),
        ("rollback", Some(Control::End)),
        ("prepare transaction 'x'", Some(Control::End)),
        ("commit prepared 'x'", Some(Control::End)),
        ("rollback prepared 'x'", Some(Control::End)),
        ("commit and chain", Some(Control::Chain)),
        ("commit and no chain", Some(Control::End)),
        ("rollback to savepoint s", None),
        ("rollback\nto savepoint s", None),
        ("rollback work to s", None),
        ("savepoint s", None),
        ("release savepoint s", None),
        ("prepare p as select 1", None),
        (
            "create function f() returns int language sql begin atomic select 1; end",
            None,
        ),
        ("do $$ begin perform 1; end $$", None),
        ("-- begin\nselect 1", None),
    ] {
        assert_eq!(control(text), want, "{text}");
    }
}

#[test]
fn statements_that_need_a_transaction_block() {
    assert_eq!(needs_block("lock table a"), Some("LOCK TABLE"));
    assert_eq!(needs_block("LOCK a IN SHARE MODE"), Some("LOCK TABLE"));
    assert_eq!(needs_block("savepoint s"), Some("SAVEPOINT"));
    assert_eq!(needs_block("release s"), Some("RELEASE SAVEPOINT"));
    assert_eq!(
        needs_block("rollback to savepoint s"),
        Some("ROLLBACK TO SAVEPOINT")
    );
    assert_eq!(
        needs_block("declare c cursor for select 1"),
        Some("DECLARE CURSOR")
    );
    assert_eq!(needs_block("declare c cursor with hold for select 1"), None);
    assert_eq!(needs_block("rollback"), None);
    assert_eq!(needs_block("select 1"), None);
    assert_eq!(needs_block("-- lock\nselect 1"), None);
}

#[test]
fn comment_only_statements_are_empty() {
    assert!(is_empty("-- nothing"));
    assert!(is_empty("/* a; b */\n-- c"));
    assert!(is_empty("/* nested /* x */ still */"));
    assert!(!is_empty("-- x\nselect 1"));
    assert_eq!(leading_code("-- a\n  /* b */ select 1"), "select 1");
}
