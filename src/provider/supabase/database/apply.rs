//! Applying migration files to the database as `supabase db push` does:
//! every file read and split first, the history checked against the one
//! the plan saw, then each file in its own transaction with its history
//! row, so a failure rolls back that file and keeps the ones before it.

use std::fmt;
use std::time::{Duration, Instant};

use tokio_postgres::types::Type;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::super::files::{LocalFile, version_order};
use super::db::{CREATE_TABLE, Database, INSERT_VERSION, error_text, read_history};
use envctl_core::migration::split::Statement;

impl Database {
    /// Applies `files` in order, each in its own transaction with its
    /// history row, as `supabase db push` does. `live` is the history the
    /// plan saw: if it changed since, nothing is applied. `progress` hears
    /// of each file once it is committed.
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
        let mut client = self.connect().await.map_err(ApplyError::Before)?;
        client
            .batch_execute(&CREATE_TABLE.join(";\n"))
            .await
            .map_err(|e| {
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
                    "database: applying {} ({} statements) in one transaction",
                    file.file_name,
                    statements.len()
                )
            });
            let started = Instant::now();
            match apply_one(&mut client, file, statements).await {
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
        let (index, error) = match failed {
            Failed::Statement(i, e) => (Some(i), e),
            Failed::Record(e) => (None, e),
        };
        let mut message = self.scrub(&error_text(&error));
        let statement = index.map(|i| {
            let st = &statements[i];
            let (line, text) = st.headline();
            let at = error
                .as_db_error()
                .and_then(|db| match db.position() {
                    Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
                    _ => None,
                })
                .map(|p| st.line_of(p));
            if let Some(at) = at {
                message.push_str(&format!(" (line {at})"));
            }
            FailedStatement {
                number: i + 1,
                of: statements.len(),
                line,
                text: shorten(text, 120),
            }
        });
        Failure {
            file: file.file_name.clone(),
            statement,
            message,
        }
    }
}

enum Failed {
    Statement(usize, tokio_postgres::Error),
    Record(tokio_postgres::Error),
}

/// One file in one transaction: its statements, then its history row. On
/// any error the transaction is rolled back.
async fn apply_one(
    client: &mut Client,
    file: &LocalFile,
    statements: &[Statement],
) -> Result<(), Failed> {
    let tx = client.transaction().await.map_err(Failed::Record)?;
    for (i, st) in statements.iter().enumerate() {
        let result: Result<Vec<SimpleQueryMessage>, _> = tx.simple_query(&st.text).await;
        if let Err(e) = result {
            let _ = tx.rollback().await;
            return Err(Failed::Statement(i, e));
        }
    }
    // As the CLI: a file without statements records NULL.
    let texts: Option<Vec<&str>> =
        (!statements.is_empty()).then(|| statements.iter().map(|s| s.text.as_str()).collect());
    let recorded = tx
        .query_typed(
            INSERT_VERSION,
            &[
                (&file.version, Type::TEXT),
                (&file.name, Type::TEXT),
                (&texts, Type::TEXT_ARRAY),
            ],
        )
        .await;
    if let Err(e) = recorded {
        let _ = tx.rollback().await;
        return Err(Failed::Record(e));
    }
    tx.commit().await.map_err(Failed::Record)
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
    /// `None` when recording the version failed (after every statement ran).
    pub statement: Option<FailedStatement>,
    /// The database's error, scrubbed.
    pub message: String,
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
        match &self.statement {
            Some(s) => write!(
                f,
                "{} failed at statement {} of {} (line {}: {}):\n    {}",
                self.file, s.number, s.of, s.line, s.text, self.message
            ),
            None => write!(
                f,
                "{}: recording it in supabase_migrations.schema_migrations failed:\n    {}",
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
