//! `apply --migrations`: each Supabase target's pending migration files,
//! run against the environment's database (`migrations.database_url`)
//! before anything else is written.

use std::time::Instant;

use super::Output;
use crate::Error;
use crate::config::{Environment, Workspace};
use crate::engine::Planned;
use crate::migrate::{ApplyError, Database, LocalFile, files};
use crate::plan::{Reason, Subject, Value};
use crate::provider::{ErrorKind, Provider, ProviderError};

/// The files one target's database needs, in order.
pub struct Job<'a> {
    target: String,
    database: &'a Database,
    files: Vec<LocalFile>,
    /// The history as the plan saw it.
    live: Vec<String>,
}

/// Why `--migrations` cannot go ahead.
pub enum Blocked {
    /// The history disagrees with the files (exit 3).
    Refused(String),
    Error(Error),
}

/// What `apply --migrations` would run, target by target; refused when the
/// Supabase CLI's push guards fail.
pub fn jobs<'a>(
    ws: &Workspace,
    env: &Environment,
    planned: &'a Planned,
) -> Result<Vec<Job<'a>>, Blocked> {
    let mut jobs = Vec::new();
    let mut local: Option<Vec<LocalFile>> = None;
    for ((target, desired), provider) in planned
        .plan
        .targets
        .iter()
        .zip(&planned.desired)
        .zip(&planned.providers)
    {
        let Provider::Supabase(supabase) = provider else {
            continue;
        };
        let Some(change) = target
            .changes
            .iter()
            .find(|c| c.subject == Subject::MigrationHead)
        else {
            continue;
        };
        let Some(database) = supabase.database() else {
            return Err(Blocked::Error(Error::Usage(format!(
                "--migrations: target {} has no database to apply migrations to: set `migrations.database_url` in {} (e.g. `database_url: {{ secret: env:DATABASE_URL }}`), or run `supabase db push`",
                target.name,
                env.file.display()
            ))));
        };
        match &change.reason {
            Reason::LiveAhead { .. }
            | Reason::OutOfOrder { .. }
            | Reason::LiveBeyondHead { .. } => {
                return Err(Blocked::Refused(format!(
                    "target {}: {}\n  envctl applies no migration while the history and the files disagree (as `supabase db push` refuses)",
                    target.name, change.reason
                )));
            }
            Reason::LiveUnavailable { why } => {
                return Err(Blocked::Error(Error::Usage(format!(
                    "target {}: the migration history could not be read: {why}",
                    target.name
                ))));
            }
            _ => {}
        }
        let pending = match &change.after {
            Some(Value::Migrations { pending, .. }) => pending.clone(),
            _ => Vec::new(),
        };
        // Not refused: live holds exactly the versions up to the head that
        // are not pending.
        let live = desired
            .migrations
            .as_ref()
            .map(|m| {
                m.upto
                    .iter()
                    .filter(|v| !pending.contains(v))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let list = match &local {
            Some(list) => list,
            None => local.insert(
                files::list(&ws.root.join(&ws.paths.migrations))
                    .map_err(|e| Blocked::Error(Error::Usage(e)))?,
            ),
        };
        let files = pending
            .iter()
            .map(|v| {
                list.iter()
                    .find(|f| f.version == *v)
                    .cloned()
                    .ok_or_else(|| {
                        Blocked::Error(Error::Usage(format!(
                            "migration {v} has no file named {v}_<name>.sql in {}",
                            ws.paths.migrations
                        )))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        jobs.push(Job {
            target: target.name.clone(),
            database,
            files,
            live,
        });
    }
    Ok(jobs)
}

/// `--dry-run`: the files and their statement counts, nothing run.
pub fn dry_run(jobs: &[Job<'_>], out: &Output) -> Result<(), Error> {
    let mut text = String::new();
    for job in jobs {
        if job.files.is_empty() {
            text.push_str(&format!(
                "No migrations to apply to {} (target {}).\n",
                job.database.describe(),
                job.target
            ));
            continue;
        }
        text.push_str(&format!(
            "Would apply {} migration{} to {} (target {}), in order, each file in its own transaction:\n",
            job.files.len(),
            if job.files.len() == 1 { "" } else { "s" },
            job.database.describe(),
            job.target
        ));
        for file in &job.files {
            let statements = file.statements().map_err(Error::Usage)?;
            text.push_str(&format!(
                "  {}  ({} statement{})\n",
                file.file_name,
                statements.len(),
                if statements.len() == 1 { "" } else { "s" }
            ));
        }
    }
    out.print(&text);
    Ok(())
}

/// Applies every job's files; returns how many were applied. A failure
/// says what was applied, what was rolled back, and what was not run.
pub fn run(
    runtime: &tokio::runtime::Runtime,
    jobs: &[Job<'_>],
    env: &str,
    out: &Output,
) -> Result<usize, Error> {
    let mut count = 0;
    for job in jobs.iter().filter(|j| !j.files.is_empty()) {
        let started = Instant::now();
        let result = runtime.block_on(job.database.apply(&job.files, &job.live, |a| {
            out.note(&format!(
                "target {}: applied {} ({} statement{}, {} ms)",
                job.target,
                a.file,
                a.statements,
                if a.statements == 1 { "" } else { "s" },
                a.elapsed.as_millis()
            ))
        }));
        let fail = |message: String| {
            Error::Provider(ProviderError::new(
                &job.target,
                "apply migrations",
                ErrorKind::Database,
                message,
            ))
        };
        match result {
            Ok(applied) => {
                count += applied.len();
                out.note(&format!(
                    "target {}: {} migration{} applied and recorded in {} ({} ms)",
                    job.target,
                    applied.len(),
                    if applied.len() == 1 { "" } else { "s" },
                    job.database.describe(),
                    started.elapsed().as_millis()
                ));
            }
            Err(ApplyError::Before(message)) => {
                return Err(fail(format!(
                    "{message}\n  nothing was applied, and no variable or function was written"
                )));
            }
            Err(ApplyError::Failed { done, failure }) => {
                let names = |files: &[String]| {
                    if files.is_empty() {
                        "none".to_string()
                    } else {
                        files.join(", ")
                    }
                };
                let done: Vec<String> = done.iter().map(|a| a.file.clone()).collect();
                let not_run: Vec<String> = job
                    .files
                    .iter()
                    .skip(done.len())
                    .map(|f| f.file_name.clone())
                    .collect();
                return Err(fail(format!(
                    "{failure}\n  rolled back: nothing of {} is applied or recorded\n  applied and recorded before it: {}\n  not applied: {}\n  no variable or function was written; fix the file and run `envctl apply {env} --migrations` again: it continues with {}",
                    failure.file,
                    names(&done),
                    names(&not_run),
                    failure.file
                )));
            }
        }
    }
    Ok(count)
}
