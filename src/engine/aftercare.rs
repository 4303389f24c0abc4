//! What follows a successful apply: migrations apply left to another tool,
//! deployments still running on old values, and `--redeploy`. Returned as
//! [`Note`]s for the caller to word; nothing here prints.

use super::{ApplyReport, Engine, Planned};
use crate::Error;
use crate::provider::Provider;
use envctl_core::plan::{Action, Change, Plan, Subject, TargetPlan, Value};

/// One thing left to do or done after apply, per target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The migration history disagrees with the files (a warning): envctl
    /// does not repair it.
    HistoryDisagrees { target: String, reason: String },
    /// Supabase migrations pending, left to `--migrations` or the Supabase
    /// CLI.
    MigrationsPending {
        target: String,
        pending: Vec<String>,
        description: String,
    },
    /// D1 migrations pending: envctl never applies them; wrangler does.
    D1MigrationsPending {
        target: String,
        pending: Vec<String>,
        description: String,
    },
    /// A Cloudflare Pages target changed: its running deployments keep
    /// the old values. `redeploy_asked`: `--redeploy` was given, which
    /// covers Vercel only.
    PagesKeepOld {
        target: String,
        production: bool,
        redeploy_asked: bool,
    },
    /// `--redeploy` started a production deployment.
    Redeployed { target: String, url: String },
    /// `--redeploy`, but Vercel has no production deployment yet.
    NothingToRedeploy { target: String },
    /// Vercel production keeps the old values until redeployed.
    ProductionKeepsOld { target: String },
    /// Vercel preview deployments keep the old values until rebuilt.
    PreviewKeepsOld { target: String },
}

/// What apply leaves to the Supabase CLI: pending migrations, and history
/// that disagrees with the files. D1 migrations are always left to
/// wrangler; Supabase ones unless `--migrations` ran them (`supabase_done`).
pub fn migrations_left(plan: &Plan, supabase_done: bool) -> Vec<Note> {
    let mut notes = Vec::new();
    for target in &plan.targets {
        let d1 = target.traits.migrations_by_file;
        for change in &target.changes {
            if change.subject != Subject::MigrationHead
                || change.action == Action::Unchanged
                || (supabase_done && !d1)
            {
                continue;
            }
            notes.extend(migration_note(target, change, d1));
        }
    }
    notes
}

/// A migration head change's note, if it needs one.
fn migration_note(target: &TargetPlan, change: &Change, d1: bool) -> Option<Note> {
    if change.is_schema_drift() {
        return Some(Note::HistoryDisagrees {
            target: target.name.clone(),
            reason: change.reason.to_string(),
        });
    }
    let Some(Value::Migrations { pending, .. }) = &change.after else {
        return None;
    };
    let (target, pending, description) = (
        target.name.clone(),
        pending.clone(),
        target.description.clone(),
    );
    Some(if d1 {
        Note::D1MigrationsPending {
            target,
            pending,
            description,
        }
    } else {
        Note::MigrationsPending {
            target,
            pending,
            description,
        }
    })
}

/// The notes of [`redeploys`] up to where it stopped, and why it stopped.
pub struct Redeploys {
    pub notes: Vec<Note>,
    /// A redeploy that failed; the notes before it still stand.
    pub error: Option<Error>,
}

/// Vercel builds read variables at build time, Pages binds them to a
/// deployment when it is made: which deployments run on old values, and
/// with `redeploy`, Vercel production redeployed.
pub fn redeploys(
    engine: &Engine,
    planned: &Planned,
    report: &ApplyReport,
    redeploy: bool,
) -> Redeploys {
    let mut notes = Vec::new();
    let error = redeploy_each(engine, planned, report, redeploy, &mut notes).err();
    Redeploys { notes, error }
}

fn redeploy_each(
    engine: &Engine,
    planned: &Planned,
    report: &ApplyReport,
    redeploy: bool,
    notes: &mut Vec<Note>,
) -> Result<(), Error> {
    for run in planned.runs()? {
        let target = run.plan.name.clone();
        let changed = report
            .applied
            .iter()
            .any(|(name, writes)| *name == target && !writes.is_empty());
        if !changed {
            continue;
        }
        match run.provider {
            Provider::Cloudflare(pages) => notes.push(Note::PagesKeepOld {
                target,
                production: pages.is_production(),
                redeploy_asked: redeploy,
            }),
            Provider::Vercel(vercel) if vercel.needs_redeploy() => {
                notes.push(if redeploy && vercel.is_production() {
                    match engine
                        .block_on(vercel.redeploy())?
                        .map_err(Error::Provider)?
                    {
                        Some(url) => Note::Redeployed { target, url },
                        None => Note::NothingToRedeploy { target },
                    }
                } else if vercel.is_production() {
                    Note::ProductionKeepsOld { target }
                } else {
                    Note::PreviewKeepsOld { target }
                });
            }
            _ => {}
        }
    }
    Ok(())
}
