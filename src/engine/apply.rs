//! Applying a plan: every write derived and checked first, dotenv files
//! staged, then target by target, stopping cleanly on Ctrl-C. Also the
//! audit record of what was written.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Engine, Planned};
use crate::Error;
use crate::provider::{ApplyFailure, Provider, Snapshot, Stop, Write};
use envctl_core::plan::{Subject, TargetPlan};

/// What apply did, per target.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Each target's writes, described (`set X`, `deploy function f`).
    pub applied: Vec<(String, Vec<String>)>,
    /// What was written, per target, for the audit log.
    pub written: Vec<(String, Subject)>,
}

/// Applies a plan target by target. All writes are derived (and every secret
/// checked) before the first one is sent, so a bad value writes nothing.
pub async fn apply(planned: &Planned) -> Result<ApplyReport, Error> {
    apply_until(planned, &Stop::new()).await
}

/// One target's writes, ready to send.
struct Batch<'a> {
    plan: &'a TargetPlan,
    provider: &'a Provider,
    live: &'a Snapshot,
    writes: Vec<Write>,
}

/// [`apply`], stopping between requests once `stop` is requested (Ctrl-C).
/// A failure or a stop is an [`Error::Partial`] that says what was done,
/// what was not, and which keys a target was left without.
pub async fn apply_until(planned: &Planned, stop: &Stop) -> Result<ApplyReport, Error> {
    let mut batches = Vec::new();
    for run in planned.runs()? {
        let writes = envctl_core::apply::writes(run.plan, run.desired, &planned.secrets.values)
            .map_err(Error::Apply)?;
        batches.push(Batch {
            plan: run.plan,
            provider: run.provider,
            live: run.live,
            writes,
        });
    }
    // Every dotenv file is written in full to a temporary file before the
    // first write of all; each is renamed into place in its turn. A file
    // that cannot be edited or written stops the apply with nothing changed.
    let mut staged = BTreeMap::new();
    for (index, batch) in batches.iter().enumerate() {
        if let (Provider::Dotenv(dotenv), false) = (batch.provider, batch.writes.is_empty()) {
            staged.insert(index, dotenv.stage(&batch.writes).map_err(Error::Provider)?);
        }
    }
    let mut report = ApplyReport::default();
    for (index, batch) in batches.iter().enumerate() {
        if batch.writes.is_empty() {
            continue;
        }
        let result = match (batch.provider, staged.remove(&index)) {
            _ if stop.requested() => Err(ApplyFailure::stopped(&batch.plan.name, &[])),
            (Provider::Dotenv(dotenv), Some(file)) => {
                dotenv.commit(file).map_err(ApplyFailure::nothing)
            }
            _ => {
                batch
                    .provider
                    .apply_until(batch.live, &batch.writes, stop)
                    .await
            }
        };
        if let Err(failure) = result {
            return Err(partial(report, &batches, index, failure));
        }
        let name = &batch.plan.name;
        report
            .written
            .extend(batch.writes.iter().map(|w| (name.clone(), w.subject())));
        report.applied.push((
            name.clone(),
            batch.writes.iter().map(Write::describe).collect(),
        ));
    }
    Ok(report)
}

/// The error of an apply that stopped at `batches[index]`: what the
/// earlier targets and this one did, and everything not done.
fn partial(
    report: ApplyReport,
    batches: &[Batch<'_>],
    index: usize,
    failure: ApplyFailure,
) -> Error {
    let batch = &batches[index];
    let target = &batch.plan.name;
    let shown = |w: &Write| format!("{target}: {}", w.describe());
    let mut done: Vec<String> = report
        .applied
        .iter()
        .flat_map(|(t, w)| w.iter().map(move |w| format!("{t}: {w}")))
        .collect();
    done.extend(failure.done.iter().map(|&i| shown(&batch.writes[i])));
    let mut written = report.written;
    written.extend(
        failure
            .done
            .iter()
            .map(|&i| (target.clone(), batch.writes[i].subject())),
    );
    let not_done = (0..batch.writes.len())
        .filter(|i| !failure.done.contains(i))
        .map(|i| shown(&batch.writes[i]))
        .chain(batches[index + 1..].iter().flat_map(|later| {
            later
                .writes
                .iter()
                .map(move |w| format!("{}: {}", later.plan.name, w.describe()))
        }))
        .collect();
    let left_without = failure
        .left_without
        .iter()
        .map(|k| format!("{target}: {k}"))
        .collect();
    Error::Partial(Box::new(crate::error::Partial {
        target: target.clone(),
        done,
        not_done,
        left_without,
        interrupted: failure.interrupted,
        written,
        cause: failure.error,
    }))
}

/// [`apply_until`] on the engine's runtime, stopped by the first SIGINT
/// (Ctrl-C) or SIGTERM: the request in flight finishes, nothing after it
/// is sent. `on_interrupt` runs when the signal arrives, so the caller
/// can say why apply is still busy.
pub fn interruptible(
    engine: &Engine,
    planned: &Planned,
    on_interrupt: impl FnOnce(),
) -> Result<ApplyReport, Error> {
    let stop = Stop::new();
    engine.block_on(async {
        let apply = apply_until(planned, &stop);
        tokio::pin!(apply);
        tokio::select! {
            result = &mut apply => result,
            () = interrupted() => {
                stop.request();
                on_interrupt();
                apply.await
            }
        }
    })?
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM. Listening replaces
/// the default action (ending the process at once), so apply can finish
/// the request in flight and report.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The audit log could not be appended to (the changes were written).
#[derive(Debug)]
pub struct AuditFailure {
    pub log: PathBuf,
    pub error: std::io::Error,
}

/// The audit entries of what was written, appended to the log when `sink`
/// is a file; returned for the CLI to show when it is not.
pub fn audit(
    planned: &Planned,
    written: &[(String, Subject)],
    command: &str,
    sink: &crate::audit::Sink,
) -> Result<Vec<crate::audit::Entry>, AuditFailure> {
    if *sink == crate::audit::Sink::Off {
        return Ok(Vec::new());
    }
    let entries = crate::audit::entries(&planned.plan, written, command, &crate::audit::user());
    if let crate::audit::Sink::File(log) = sink {
        crate::audit::append(log, &entries).map_err(|error| AuditFailure {
            log: log.clone(),
            error,
        })?;
    }
    Ok(entries)
}
