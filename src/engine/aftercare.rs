//! What follows a successful apply: migrations apply left to another tool,
//! deployments still running on old values, and `--redeploy`. Returned as
//! [`Note`]s for the caller to word; nothing here prints.

use super::{ApplyReport, Engine, Planned};
use crate::Error;
use envctl_core::plan::{Action, Change, Plan, Subject, TargetPlan, Value};

/// One thing left to do or done after apply, per target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The migration history disagrees with the files (a warning): envctl
    /// does not repair it.
    HistoryDisagrees { target: String, reason: String },
    /// Migrations pending, left to `--migrations` or the platform's `tool`.
    MigrationsPending {
        target: String,
        pending: Vec<String>,
        description: String,
        tool: &'static str,
        /// `--migrations` needs `migrations.database_url` (the migrations
        /// of the environment's database, not a target's own).
        needs_url: bool,
    },
    /// Migrations pending that another runner keeps (`migrations.history`):
    /// envctl never applies them; the runner's `tool` does.
    MigrationsPendingElsewhere {
        target: String,
        pending: Vec<String>,
        description: String,
        tool: &'static str,
    },
    /// What the platform says after the apply, in its words: deployments
    /// that keep the old values, a redeploy started.
    Platform { target: String, text: String },
}

/// What apply leaves to the migration tools: pending migrations, and
/// history that disagrees with the files, unless `--migrations` ran them
/// (`applied`). Migrations another runner keeps are always left to it.
pub fn migrations_left(plan: &Plan, applied: bool) -> Vec<Note> {
    let mut notes = Vec::new();
    for target in &plan.targets {
        let elsewhere = target.traits.runner_history;
        for change in &target.changes {
            if change.subject != Subject::MigrationHead
                || change.action == Action::Unchanged
                || (applied && !elsewhere)
            {
                continue;
            }
            notes.extend(migration_note(target, change, elsewhere));
        }
    }
    notes
}

/// A migration head change's note, if it needs one.
fn migration_note(target: &TargetPlan, change: &Change, elsewhere: bool) -> Option<Note> {
    if change.is_schema_drift() {
        return Some(Note::HistoryDisagrees {
            target: target.name.clone(),
            reason: change.reason.to_string(),
        });
    }
    let Some(Value::Migrations { pending, .. }) = &change.after else {
        return None;
    };
    let tool = target
        .traits
        .migration_tool
        .unwrap_or("the platform's own tool");
    let traits = target.traits;
    let (target, pending, description) = (
        target.name.clone(),
        pending.clone(),
        target.description.clone(),
    );
    let needs_url = !traits.migrations_by_file;
    Some(if elsewhere {
        Note::MigrationsPendingElsewhere {
            target,
            pending,
            description,
            tool,
        }
    } else {
        Note::MigrationsPending {
            target,
            pending,
            description,
            tool,
            needs_url,
        }
    })
}

/// The notes of [`redeploys`] up to where it stopped, and why it stopped.
pub struct Redeploys {
    pub notes: Vec<Note>,
    /// A redeploy that failed; the notes before it still stand.
    pub error: Option<Error>,
}

/// Deployments that run on old values after the apply, as each platform
/// tells them (a build reads variables when it runs); with `redeploy`,
/// what the platform redeployed.
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
        let said = engine
            .block_on(
                run.provider
                    .after_apply(&planned.plan.environment, redeploy),
            )?
            .map_err(Error::Provider)?;
        if let Some(text) = said {
            notes.push(Note::Platform { target, text });
        }
    }
    Ok(())
}
