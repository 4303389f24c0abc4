//! `apply --migrations`: each target's pending migration files, run
//! before anything else is written: against the environment's database
//! (`migrations.database_url`) for the target that holds the
//! environment's migrations, or against a target's own migration database
//! (one that keeps its history by file name). Progress is reported through
//! a callback, as each file commits. Migrations another runner keeps
//! (`migrations.history`) are read, never applied: the runner's command
//! is named instead.

use std::time::{Duration, Instant};

use super::{Engine, Planned};
use crate::Error;
use crate::config::{Environment, Workspace};
use crate::provider::database::{Applied, ApplyError, Failure};
use crate::provider::local_migrations::LocalFile;
use crate::provider::{ErrorKind, Migrator, ProviderError};
use envctl_core::plan::{Action, Change, Reason, Subject, Value};

/// The files one target's database needs, in order.
pub struct Job<'a> {
    target: String,
    migrator: Migrator<'a>,
    files: Vec<LocalFile>,
    /// The history as the plan saw it.
    live: Vec<String>,
    /// The platform's own tool, whose way of running files envctl follows.
    tool: &'static str,
}

/// Why `--migrations` cannot go ahead.
pub enum Blocked {
    /// The history disagrees with the files (exit 3).
    Refused(String),
    Error(Error),
}

/// What `apply --migrations` would run, target by target; refused when the
/// platform tool's guards fail, or when another runner keeps the history.
pub fn jobs<'a>(
    ws: &Workspace,
    env: &Environment,
    planned: &'a Planned,
) -> Result<Vec<Job<'a>>, Blocked> {
    let mut jobs = Vec::new();
    for run in planned.runs().map_err(Blocked::Error)? {
        let target = run.plan;
        let by_file = target.traits.migrations_by_file;
        if !target.traits.holds_functions && !by_file {
            continue;
        }
        let Some(change) = target
            .changes
            .iter()
            .find(|c| c.subject == Subject::MigrationHead)
        else {
            continue;
        };
        let tool = target
            .traits
            .migration_tool
            .unwrap_or("the platform's own tool");
        let pending = match &change.after {
            Some(Value::Migrations { pending, .. }) => pending.clone(),
            _ => Vec::new(),
        };
        let history = env.migrations.as_ref().and_then(|m| m.history.as_ref());
        if let (false, Some(history)) = (by_file, history) {
            if change.action == Action::Unchanged {
                continue;
            }
            return Err(Blocked::Error(Error::Usage(format!(
                "--migrations: target {}'s migrations are kept by {} (`migrations.history` in {}): envctl reads that history but does not apply its files; run `{tool}`{}",
                target.name,
                history.runner,
                env.file.display(),
                if pending.is_empty() {
                    String::new()
                } else {
                    format!(" (pending: {})", pending.join(", "))
                }
            ))));
        }
        let Some(migrator) = run.provider.migrator() else {
            return Err(Blocked::Error(Error::Usage(format!(
                "--migrations: target {} has no database to apply migrations to: set `migrations.database_url` in {} (e.g. `database_url: {{ secret: env:DATABASE_URL }}`), or run `{tool}`",
                target.name,
                env.file.display()
            ))));
        };
        guard(&target.name, change, tool, by_file)?;
        // Not refused: live holds exactly the versions up to the head that
        // are not pending.
        let live = run
            .desired
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
        let files = migrator
            .files(&ws.root, &ws.paths.migrations, &pending)
            .map_err(|e| Blocked::Error(Error::Usage(e)))?;
        jobs.push(Job {
            target: target.name.clone(),
            migrator,
            files,
            live,
            tool,
        });
    }
    Ok(jobs)
}

/// The Supabase CLI's push guards: no migration runs while the history
/// and the files disagree, or while the history is unknown. (wrangler
/// applies a D1 database's other files anyway; envctl does not: `by_file`.)
fn guard(target: &str, change: &Change, tool: &str, by_file: bool) -> Result<(), Blocked> {
    match &change.reason {
        Reason::LiveAhead { .. } | Reason::OutOfOrder { .. } | Reason::LiveBeyondHead { .. } => {
            let why = if by_file {
                format!(
                    "`{tool}` would apply the other files anyway; restore the missing ones first"
                )
            } else {
                format!("as `{tool}` refuses")
            };
            Err(Blocked::Refused(format!(
                "target {target}: {}\n  envctl applies no migration while the history and the files disagree ({why})",
                change.reason
            )))
        }
        Reason::LiveUnavailable { why } => Err(Blocked::Error(Error::Usage(format!(
            "target {target}: the migration history could not be read: {why}"
        )))),
        _ => Ok(()),
    }
}

/// What one job would run, for `--dry-run`.
pub struct Preview {
    pub target: String,
    /// The database, described without credentials.
    pub database: String,
    /// Each file's name and statement count, in order.
    pub files: Vec<(String, usize)>,
}

/// `--dry-run`: each job's files and their statement counts, nothing run.
/// Every file is split first, so a file that cannot be read fails the
/// whole preview.
pub fn preview(jobs: &[Job<'_>]) -> Result<Vec<Preview>, Error> {
    jobs.iter()
        .map(|job| {
            let files = job
                .files
                .iter()
                .map(|file| {
                    let statements = file.statements().map_err(Error::Usage)?;
                    Ok((file.file_name.clone(), statements.len()))
                })
                .collect::<Result<_, Error>>()?;
            Ok(Preview {
                target: job.target.clone(),
                database: job.migrator.describe(),
                files,
            })
        })
        .collect()
}

/// Progress of [`run`], reported as it happens.
pub enum Progress<'a> {
    /// One file applied and recorded.
    Applied { target: &'a str, file: &'a Applied },
    /// Every file of one target applied and recorded.
    Done {
        target: &'a str,
        count: usize,
        database: &'a str,
        elapsed: Duration,
    },
}

/// Applies every job's files; returns how many were applied. A failure
/// says what was applied, what was rolled back, and what was not run.
pub fn run(
    engine: &Engine,
    jobs: &[Job<'_>],
    env: &str,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<usize, Error> {
    let mut count = 0;
    for job in jobs.iter().filter(|j| !j.files.is_empty()) {
        let started = Instant::now();
        let result = engine.block_on(job.migrator.apply(&job.files, &job.live, |file| {
            progress(Progress::Applied {
                target: &job.target,
                file,
            })
        }))?;
        let applied = result.map_err(|e| failed(job, env, e))?;
        count += applied.len();
        progress(Progress::Done {
            target: &job.target,
            count: applied.len(),
            database: &job.migrator.describe(),
            elapsed: started.elapsed(),
        });
    }
    Ok(count)
}

/// The error of a job that failed: what was applied before the failing
/// file, and what was not run.
fn failed(job: &Job<'_>, env: &str, error: ApplyError) -> Error {
    let fail = |message: String| {
        Error::Provider(ProviderError::new(
            &job.target,
            "apply migrations",
            ErrorKind::Database,
            message,
        ))
    };
    match error {
        ApplyError::Before(message) => fail(format!(
            "{message}\n  nothing was applied, and no variable or function was written"
        )),
        ApplyError::Failed { done, failure } => {
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
            fail(format!(
                "{failure}\n  {}\n  applied and recorded before it: {}\n  not applied: {}\n  no variable or function was written; fix the file and run `envctl apply {env} --migrations` again: it continues with {}",
                kept(&failure, job.tool),
                names(&done),
                names(&not_run),
                failure.file
            ))
        }
    }
}

/// What of the failing file stays applied.
fn kept(failure: &Failure, tool: &str) -> String {
    let file = &failure.file;
    match failure.kept {
        0 => format!("rolled back: nothing of {file} is applied or recorded"),
        1 => format!(
            "statement 1 of {file} stays applied: it was committed before the failure, as `{tool}` commits it; the rest is rolled back and {file} is not recorded, so the next run starts it again from statement 1: make statement 1 safe to run twice (IF NOT EXISTS) or move what follows it to a file of its own"
        ),
        n => format!(
            "statements 1-{n} of {file} stay applied: they were committed before the failure, as `{tool}` commits them; the rest is rolled back and {file} is not recorded, so the next run starts it again from statement 1: make statements 1-{n} safe to run twice (IF NOT EXISTS) or move what follows them to a file of its own"
        ),
    }
}
