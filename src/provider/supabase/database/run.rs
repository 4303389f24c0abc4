//! One migration file, run the way `supabase db push` (CLI 2.117.0) runs
//! it, so a file does the same with either tool (`envctl_core::migration::kind`
//! says how the CLI sorts statements; docs/migrations.md says why):
//!
//! - First `RESET ALL`: nothing a file set for its session (a dump's
//!   `set_config('search_path', '', false)`) reaches the next file.
//! - A file with transaction control (`BEGIN`, `COMMIT`, …) runs statement
//!   by statement, each committed on its own unless the file opened a
//!   transaction; its history row follows on its own.
//! - Any other file runs in one transaction with its history row, except
//!   that a statement the CLI runs on its own (`CREATE INDEX CONCURRENTLY`,
//!   `VACUUM`, …) commits what ran before it and runs outside the
//!   transaction; so does any statement PostgreSQL refuses in a
//!   transaction block when it is the first of its transaction. `LOCK`,
//!   `SAVEPOINT` and the like fail there, as PostgreSQL fails them in the
//!   CLI's pipeline.
//!
//! The CLI sends the transactional part as one pipeline (the extended
//! protocol, one Sync); envctl sends the same statements one by one inside
//! `BEGIN` … `COMMIT`, which commits and rolls back the same statements.

use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::super::files::LocalFile;
use super::db::INSERT_VERSION;
use envctl_core::migration::kind::{self, Control};
use envctl_core::migration::split::Statement;

/// Where a file stopped.
pub(super) struct Failed {
    pub stage: Stage,
    pub cause: Cause,
    /// How many of the file's first statements stay applied (committed
    /// before the failure); the rest is rolled back.
    pub kept: usize,
}

pub(super) enum Stage {
    /// `RESET ALL` before the file.
    Reset,
    /// The statement at this index (0-based).
    Statement(usize),
    /// Recording the file in the history table.
    Record,
}

pub(super) enum Cause {
    Database(tokio_postgres::Error),
    /// Refused by envctl, with why and the fix.
    Refused(String),
}

type Run = Result<(), Failed>;

fn at(stage: Stage, kept: usize) -> impl FnOnce(tokio_postgres::Error) -> Failed {
    move |e| Failed {
        stage,
        cause: Cause::Database(e),
        kept,
    }
}

async fn simple(client: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    let _: Vec<SimpleQueryMessage> = client.simple_query(sql).await?;
    Ok(())
}

/// Runs `statements` of `file` and records it.
pub(super) async fn file(client: &Client, file: &LocalFile, statements: &[Statement]) -> Run {
    simple(client, "RESET ALL")
        .await
        .map_err(at(Stage::Reset, 0))?;
    if statements.iter().any(|s| kind::control(&s.text).is_some()) {
        one_by_one(client, file, statements).await
    } else {
        in_transactions(client, file, statements).await
    }
}

/// The history row: the file's version, name and statements (`{}` for a
/// file without any, as the CLI records it).
async fn record(
    client: &Client,
    file: &LocalFile,
    statements: &[Statement],
) -> Result<(), tokio_postgres::Error> {
    let texts: Vec<&str> = statements.iter().map(|s| s.text.as_str()).collect();
    client
        .query_typed(
            INSERT_VERSION,
            &[
                (&file.version, Type::TEXT),
                (&file.name, Type::TEXT),
                (&texts, Type::TEXT_ARRAY),
            ],
        )
        .await?;
    Ok(())
}

/// A file with transaction control: each statement on its own.
async fn one_by_one(client: &Client, file: &LocalFile, statements: &[Statement]) -> Run {
    let mut kept = 0;
    let mut open: Option<usize> = None;
    for (i, st) in statements.iter().enumerate() {
        if let Err(e) = simple(client, &st.text).await {
            let _ = simple(client, "ROLLBACK").await;
            return Err(at(Stage::Statement(i), kept)(e));
        }
        match kind::control(&st.text) {
            Some(Control::Begin) => open = open.or(Some(i)),
            Some(Control::End) => open = None,
            Some(Control::Chain) => open = Some(i),
            None => {}
        }
        if open.is_none() {
            kept = i + 1;
        }
    }
    if let Some(begin) = open {
        // The CLI would record the file inside that transaction and report
        // success; the session's end then rolls all of it back.
        let _ = simple(client, "ROLLBACK").await;
        return Err(Failed {
            stage: Stage::Statement(begin),
            cause: Cause::Refused(format!(
                "{} opens a transaction here and never ends it: add COMMIT; at the end of the file (`supabase db push` would report success, and everything from this statement on, its history row included, would be rolled back when its session ends)",
                file.file_name
            )),
            kept,
        });
    }
    record(client, file, statements)
        .await
        .map_err(at(Stage::Record, kept))
}

/// Any other file: one transaction with its history row, cut where a
/// statement must run outside one.
async fn in_transactions(client: &Client, file: &LocalFile, statements: &[Statement]) -> Run {
    let mut kept = 0;
    // Whether a statement with code ran in the open transaction.
    let mut ran = false;
    simple(client, "BEGIN")
        .await
        .map_err(at(Stage::Statement(0), kept))?;
    for (i, st) in statements.iter().enumerate() {
        let text = &st.text;
        if kind::runs_alone(text) {
            simple(client, "COMMIT")
                .await
                .map_err(at(Stage::Statement(i.saturating_sub(1)), kept))?;
            kept = i;
            alone(client, text, i, kept).await?;
            kept = i + 1;
            ran = false;
            continue;
        }
        if let Some(what) = kind::needs_block(text) {
            let _ = simple(client, "ROLLBACK").await;
            return Err(Failed {
                stage: Stage::Statement(i),
                cause: Cause::Refused(format!(
                    "{what} can only be used in transaction blocks: `supabase db push` runs a file without BEGIN or COMMIT outside a transaction block, where PostgreSQL refuses {what} (SQLSTATE 25P01); open one in the file: BEGIN; … COMMIT;"
                )),
                kept,
            });
        }
        match simple(client, text).await {
            Ok(()) => ran |= !kind::is_empty(text),
            // The first statement of its transaction, PostgreSQL refuses
            // in a transaction block: the CLI's pipeline runs it, and
            // commits it at once.
            Err(e) if !ran && e.code() == Some(&SqlState::ACTIVE_SQL_TRANSACTION) => {
                simple(client, "ROLLBACK")
                    .await
                    .map_err(at(Stage::Statement(i), kept))?;
                alone(client, text, i, kept).await?;
                kept = i + 1;
            }
            Err(e) => {
                let _ = simple(client, "ROLLBACK").await;
                return Err(at(Stage::Statement(i), kept)(e));
            }
        }
    }
    if let Err(e) = record(client, file, statements).await {
        let _ = simple(client, "ROLLBACK").await;
        return Err(at(Stage::Record, kept)(e));
    }
    simple(client, "COMMIT")
        .await
        .map_err(at(Stage::Record, kept))
}

/// A statement outside any transaction, then a new transaction for what
/// follows.
async fn alone(client: &Client, text: &str, i: usize, kept: usize) -> Run {
    simple(client, text)
        .await
        .map_err(at(Stage::Statement(i), kept))?;
    simple(client, "BEGIN")
        .await
        .map_err(at(Stage::Statement(i), i + 1))
}
