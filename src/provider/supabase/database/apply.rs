//! Applying migration files to the database as `supabase db push` does:
//! every file read and split first, the history table set up and checked
//! against the one the plan saw, then each file as the CLI runs it
//! (`run.rs`), so a failure keeps the files before it.

use std::fmt;
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::super::files::{LocalFile, version_order};
use super::db::{CREATE_TABLE, Database, PROVISIONED, error_text, read_history};
use super::run::{self, Cause, Failed, Stage};
use envctl_core::migration::split::Statement;

impl Database {
    /// Applies `files` in order with their history rows, as `supabase db
    /// push` does. `live` is the history the plan saw: if it changed since,
    /// nothing is applied. `progress` hears of each file once it is
    /// recorded.
    pub async fn apply(
        &self,
        files: &[LocalFile],
        live: &[String],
        mut progress: impl FnMut(&Applied),
    ) -> Result<Vec<Applied>, ApplyError> {
        // Every file is read and split before anything runs.
        let mut loaded = Vec::new();
        for file in files {
            let statements = file.statements().map_err(ApplyError::Before)?;
            loaded.push((file, statements));
        }
        let client = self.connect().await.map_err(ApplyError::Before)?;
        set_up(&client).await.map_err(|e| {
            ApplyError::Before(self.query_error("creating the migration history table", &e))
        })?;
        let now = read_history(&client).await.map_err(|e| {
            ApplyError::Before(self.query_error("reading the migration history", &e))
        })?;
        let mut now: Vec<String> = now.into_iter().map(|r| r.version).collect();
        now.sort_by(|a, b| version_order(a, b));
        let mut then = live.to_vec();
        then.sort_by(|a, b| version_order(a, b));
        if now != then {
            return Err(ApplyError::Before(format!(
                "the migration history of {} changed since it was read (someone applied or repaired migrations meanwhile); nothing was applied: plan again",
                self.shown
            )));
        }
        let mut done = Vec::new();
        for (file, statements) in &loaded {
            crate::log::debug(|| {
                format!(
                    "database: applying {} ({} statements)",
                    file.file_name,
                    statements.len()
                )
            });
            let started = Instant::now();
            match run::file(&client, file, statements).await {
                Ok(()) => {
                    let applied = Applied {
                        file: file.file_name.clone(),
                        version: file.version.clone(),
                        statements: statements.len(),
                        elapsed: started.elapsed(),
                    };
                    progress(&applied);
                    done.push(applied);
                }
                Err(failed) => {
                    let failure = self.failure(file, statements, failed);
                    return Err(ApplyError::Failed {
                        done,
                        failure: Box::new(failure),
                    });
                }
            }
        }
        Ok(done)
    }

    fn failure(&self, file: &LocalFile, statements: &[Statement], failed: Failed) -> Failure {
        let (mut message, position) = match &failed.cause {
            Cause::Database(e) => (self.scrub(&error_text(e)), error_position(e)),
            Cause::Refused(why) => (why.clone(), None),
        };
        if let Cause::Database(e) = &failed.cause
            && e.code() == Some(&tokio_postgres::error::SqlState::ACTIVE_SQL_TRANSACTION)
        {
            message.push_str(NOT_IN_A_TRANSACTION);
        }
        let stage = match failed.stage {
            Stage::Reset => FailedAt::Reset,
            Stage::Record => FailedAt::Record,
            Stage::Statement(i) => {
                let st = &statements[i];
                let (line, text) = st.headline();
                if let Some(p) = position {
                    message.push_str(&format!(" (line {})", st.line_of(p)));
                }
                FailedAt::Statement(FailedStatement {
                    number: i + 1,
                    of: statements.len(),
                    line,
                    text: shorten(text, 120),
                })
            }
        };
        Failure {
            file: file.file_name.clone(),
            at: stage,
            message,
            kept: failed.kept,
        }
    }
}

/// What a statement PostgreSQL refuses in a transaction block needs.
const NOT_IN_A_TRANSACTION: &str = "\n    `supabase db push` runs such a statement outside a transaction only when it is the first statement of the file, or when it is one the CLI knows to run on its own (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, VACUUM, CLUSTER, ALTER SYSTEM); elsewhere it fails, as here: move it to a file of its own";

/// The creation of the history table, in one transaction, unless it is
/// there already (as the CLI does).
async fn set_up(client: &Client) -> Result<(), tokio_postgres::Error> {
    let provisioned: bool = client.query_one(PROVISIONED, &[]).await?.get(0);
    if provisioned {
        return Ok(());
    }
    client
        .batch_execute(&format!("BEGIN;\n{};\nCOMMIT", CREATE_TABLE.join(";\n")))
        .await
}

fn error_position(e: &tokio_postgres::Error) -> Option<usize> {
    e.as_db_error().and_then(|db| match db.position() {
        Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
        _ => None,
    })
}

/// A file applied and recorded.
#[derive(Debug, Clone)]
pub struct Applied {
    pub file: String,
    pub version: String,
    pub statements: usize,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub enum ApplyError {
    /// Nothing was applied.
    Before(String),
    /// `done` were applied and recorded; the failing file was rolled back.
    Failed {
        done: Vec<Applied>,
        failure: Box<Failure>,
    },
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub file: String,
    pub at: FailedAt,
    /// The database's error, scrubbed, or why envctl refused the file.
    pub message: String,
    /// How many of the file's first statements stay applied: they were
    /// committed before the failure (by the file's own COMMIT, or before a
    /// statement that runs outside a transaction). The file is not
    /// recorded.
    pub kept: usize,
}

/// Where a file failed.
#[derive(Debug, Clone)]
pub enum FailedAt {
    /// Resetting the session before the file (`RESET ALL`).
    Reset,
    Statement(FailedStatement),
    /// Recording it, after every statement ran.
    Record,
    /// The file and its history row, sent as one request that failed as
    /// a whole (a D1 database).
    Query,
}

#[derive(Debug, Clone)]
pub struct FailedStatement {
    /// 1-based.
    pub number: usize,
    pub of: usize,
    /// The file line of `text`.
    pub line: usize,
    /// The statement's first line of SQL.
    pub text: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            FailedAt::Statement(s) => write!(
                f,
                "{} failed at statement {} of {} (line {}: {}):\n    {}",
                self.file, s.number, s.of, s.line, s.text, self.message
            ),
            FailedAt::Record => write!(
                f,
                "{}: recording it in supabase_migrations.schema_migrations failed:\n    {}",
                self.file, self.message
            ),
            FailedAt::Query => write!(f, "{} failed:\n    {}", self.file, self.message),
            FailedAt::Reset => write!(
                f,
                "{}: resetting the session before it (RESET ALL) failed:\n    {}",
                self.file, self.message
            ),
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}
