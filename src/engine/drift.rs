//! `drift`: plan every selected environment at once and judge each. The
//! result is a [`Row`] per environment with a [`Status`]; the caller words
//! it and maps [`State`] to an exit code.

use std::sync::Arc;

use tokio::task::JoinSet;

use super::plan::{self, Planned, Secrets};
use super::{Engine, selected};
use crate::Error;
use crate::config::{Environment, Workspace};
use envctl_core::plan::{Action, TargetPlan};
use envctl_core::rules::Finding;

/// How an environment stands, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    InSync,
    Drift,
    /// A rule refuses the environment.
    Refused,
    /// It could not be planned: never reported as in sync.
    Error,
}

/// An environment's status in some detail.
#[derive(Debug)]
pub enum Status {
    /// Planning failed.
    Error(Error),
    /// The desired state breaks a rule; live state was not used.
    DesiredRefused,
    /// A protected environment's plan breaks a rule.
    Refused,
    Drift {
        add: usize,
        change: usize,
        delete: usize,
    },
    /// `--strict`: secrets nobody can verify (`apply --adopt` would make
    /// them verifiable).
    NotVerifiedAdoptable(usize),
    /// `--strict`: changes that cannot be verified for another reason.
    NotVerified(usize),
    /// In sync, but for secrets `apply --adopt` would make verifiable.
    InSyncAdoptable(usize),
    /// In sync, but for this many changes that cannot be verified.
    InSyncUnknown(usize),
    InSync,
}

impl Status {
    pub fn state(&self) -> State {
        match self {
            Status::Error(_) => State::Error,
            Status::DesiredRefused | Status::Refused => State::Refused,
            Status::Drift { .. } | Status::NotVerifiedAdoptable(_) | Status::NotVerified(_) => {
                State::Drift
            }
            Status::InSyncAdoptable(_) | Status::InSyncUnknown(_) | Status::InSync => State::InSync,
        }
    }
}

/// One target's changes, counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetRow {
    pub name: String,
    pub description: String,
    pub add: usize,
    pub change: usize,
    pub delete: usize,
    pub unknown: usize,
}

/// One environment's line in the drift report.
#[derive(Debug)]
pub struct Row {
    pub environment: String,
    pub status: Status,
    pub targets: Vec<TargetRow>,
    pub findings: Vec<Finding>,
}

impl Row {
    fn new(environment: &str, status: Status) -> Row {
        Row {
            environment: environment.to_string(),
            status,
            targets: Vec::new(),
            findings: Vec::new(),
        }
    }
}

/// The worst state of all rows ([`State::InSync`] when there are none).
pub fn worst(rows: &[Row]) -> State {
    rows.iter()
        .map(|r| r.status.state())
        .max()
        .unwrap_or(State::InSync)
}

/// How drift judges what it finds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// A secret that cannot be resolved is an error, not an unknown.
    pub require_secrets: bool,
    /// In protected environments, what cannot be verified is drift.
    pub strict: bool,
}

/// The environments drift checks: those named, or every one not marked
/// `local` (a developer's dotenv files are not on a CI runner) unless all
/// are.
pub fn environments<'a>(
    ws: &'a Workspace,
    names: &[String],
) -> Result<Vec<&'a Environment>, Error> {
    let mut envs = selected(ws, names)?;
    if names.is_empty() && envs.iter().any(|e| !e.local) {
        envs.retain(|e| !e.local);
    }
    Ok(envs)
}

/// Plans every environment drift checks, reading all of them at once,
/// and judges each. Secrets are resolved one environment after another
/// first (a `command` source may ask on the terminal); `on_secrets` sees
/// each environment's resolved secrets as they are, to report what did
/// not resolve.
pub fn check(
    engine: &Engine,
    ws: Workspace,
    names: &[String],
    options: Options,
    mut on_secrets: impl FnMut(&Secrets),
) -> Result<Vec<Row>, Error> {
    // Shared by the planning tasks; a copy per task would hold every
    // environment once per environment.
    let ws = Arc::new(ws);
    let envs = environments(&ws, names)?;
    let mut rows: Vec<Option<Row>> = Vec::new();
    let mut ready = Vec::new();
    for (i, env) in envs.iter().enumerate() {
        match plan::prepare(&ws, env, options.require_secrets) {
            Ok(prepared) => {
                on_secrets(&prepared.secrets);
                if let Some(verdict) = prepared.refusal {
                    let mut row = Row::new(&env.name, Status::DesiredRefused);
                    row.findings = verdict.findings;
                    rows.push(Some(row));
                } else {
                    rows.push(None);
                    ready.push((i, prepared.secrets));
                }
            }
            Err(e) => rows.push(Some(Row::new(&env.name, Status::Error(e)))),
        }
    }
    for (i, judged) in plan_all(engine, &ws, &envs, ready, options.strict)? {
        rows[i] = Some(judged);
    }
    Ok(rows.into_iter().flatten().collect())
}

/// An environment's row, by index into the environments drift checks.
type Outcome = (usize, Row);

/// Plans the given environments (by index into `envs`) concurrently and
/// judges each as soon as it is planned: its plan, live state and desired
/// state are dropped then, not held until every environment is done.
fn plan_all(
    engine: &Engine,
    ws: &Arc<Workspace>,
    envs: &[&Environment],
    ready: Vec<(usize, Secrets)>,
    strict: bool,
) -> Result<Vec<Outcome>, Error> {
    engine.block_on(async {
        let mut set = JoinSet::new();
        for (i, secrets) in ready {
            let (ws, name) = (Arc::clone(ws), envs[i].name.clone());
            set.spawn(async move {
                let env = &ws.environments[&name];
                let planned = plan::plan(&ws, env, secrets, true).await;
                (i, row(env, planned, strict))
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(outcome) => done.push(outcome),
                // A panic is a bug: it goes on as the panic it was.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => {
                    return Err(Error::Usage(format!("planning an environment failed: {e}")));
                }
            }
        }
        Ok(done)
    })?
}

/// Judges one planned environment.
fn row(env: &Environment, outcome: Result<Planned, Error>, strict: bool) -> Row {
    let planned = match outcome {
        Ok(planned) => planned,
        Err(e) => return Row::new(&env.name, Status::Error(e)),
    };
    let s = planned.plan.summary();
    let unverifiable = planned.plan.unverifiable();
    // Unknown for any reason (unreadable live value, unresolved secret).
    let strict_fails = strict && env.protected && s.unknown > 0;
    let status = if planned.verdict.refused() && env.protected {
        Status::Refused
    } else if planned.plan.has_changes() {
        Status::Drift {
            add: s.add,
            change: s.change,
            delete: s.delete,
        }
    } else if strict_fails && unverifiable > 0 {
        Status::NotVerifiedAdoptable(unverifiable)
    } else if strict_fails {
        Status::NotVerified(s.unknown)
    } else if unverifiable > 0 {
        Status::InSyncAdoptable(unverifiable)
    } else if s.unknown > 0 {
        Status::InSyncUnknown(s.unknown)
    } else {
        Status::InSync
    };
    let mut row = Row::new(&env.name, status);
    row.targets = planned.plan.targets.iter().map(target_row).collect();
    row.findings = planned.verdict.findings;
    row
}

fn target_row(target: &TargetPlan) -> TargetRow {
    let count = |a: Action| target.changes.iter().filter(|c| c.action == a).count();
    TargetRow {
        name: target.name.clone(),
        description: target.description.clone(),
        add: count(Action::Create),
        change: count(Action::Update),
        delete: count(Action::Delete),
        unknown: count(Action::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_state_wins_and_no_rows_is_in_sync() {
        let row = |status| Row::new("e", status);
        assert_eq!(worst(&[]), State::InSync);
        let rows = [
            row(Status::InSyncUnknown(2)),
            row(Status::NotVerified(1)),
            row(Status::DesiredRefused),
        ];
        assert_eq!(worst(&rows), State::Refused);
        let rows = [row(Status::Error(Error::Declined)), row(Status::Refused)];
        assert_eq!(worst(&rows), State::Error);
    }
}
