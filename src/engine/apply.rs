//! Applying a plan: every write derived and checked first, dotenv files
//! staged, then the targets (platforms concurrently, one platform's
//! targets in order), stopping cleanly on Ctrl-C. Also the
//! audit record of what was written.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use super::{Engine, Planned};
use crate::Error;
use crate::provider::{ApplyFailure, Provider, Snapshot, Stop, Write};
use envctl_core::plan::{Subject, TargetPlan};

/// What apply did, per target.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Each target's writes, described (`set X`, `deploy function f`).
    pub applied: Vec<(String, Vec<String>)>,
    /// What was written, per target, for the audit log. Tags are not in
    /// it: they change no value.
    pub written: Vec<(String, Subject)>,
    /// How many variables were tagged as verified (`Write::Tag`): no
    /// value changed; in neither `applied` nor `written`.
    pub tagged: usize,
}

/// Applies a plan, platforms concurrently. All writes are derived (and every secret
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
    // Targets on different platforms are written concurrently; targets on
    // one platform one after another, in plan order, since two of them may
    // share a project or site and work from each other's writes. Once one
    // fails, no other target starts; those in flight finish.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (index, batch) in batches.iter().enumerate() {
        let platform = std::mem::discriminant(batch.provider);
        let same = |g: &&mut Vec<usize>| std::mem::discriminant(batches[g[0]].provider) == platform;
        match groups.iter_mut().find(same) {
            Some(group) => group.push(index),
            None => groups.push(vec![index]),
        }
    }
    let staged = std::sync::Mutex::new(staged);
    let failed = AtomicBool::new(false);
    let run_group = |group: Vec<usize>| {
        let (batches, staged, failed) = (&batches, &staged, &failed);
        async move {
            let mut outcomes = Vec::new();
            for index in group {
                let batch = &batches[index];
                if batch.writes.is_empty() {
                    continue;
                }
                if failed.load(Ordering::SeqCst) {
                    break;
                }
                let file = staged.lock().ok().and_then(|mut s| s.remove(&index));
                let result = match (batch.provider, file) {
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
                if result.is_err() {
                    failed.store(true, Ordering::SeqCst);
                }
                outcomes.push((index, result));
            }
            outcomes
        }
    };
    let runs = join_all(groups.into_iter().map(run_group).collect()).await;
    let mut outcomes: Vec<_> = runs.into_iter().flatten().collect();
    outcomes.sort_by_key(|(index, _)| *index);
    report(&batches, outcomes)
}

/// The report of every target's outcome (in plan order); the targets
/// without one did not start.
fn report(
    batches: &[Batch<'_>],
    outcomes: Vec<(usize, Result<(), ApplyFailure>)>,
) -> Result<ApplyReport, Error> {
    let mut report = ApplyReport::default();
    let mut failures = Vec::new();
    for (index, result) in outcomes {
        let batch = &batches[index];
        let name = &batch.plan.name;
        let done: Vec<usize> = match result {
            Ok(()) => (0..batch.writes.len()).collect(),
            Err(failure) => {
                let done = failure.done.clone();
                failures.push((index, failure));
                done
            }
        };
        let (tags, writes): (Vec<&Write>, Vec<&Write>) = done
            .iter()
            .map(|&i| &batch.writes[i])
            .partition(|w| matches!(w, Write::Tag { .. }));
        report.tagged += tags.len();
        let writes = writes.into_iter();
        report
            .written
            .extend(writes.clone().map(|w| (name.clone(), w.subject())));
        report
            .applied
            .push((name.clone(), writes.map(Write::describe).collect()));
    }
    if failures.is_empty() {
        return Ok(report);
    }
    Err(partial(report, batches, failures))
}

/// The error of an apply where the targets in `failures` (in plan order,
/// at least one) failed or stopped: what every target did, everything not
/// done, and which keys a target was left without.
fn partial(
    report: ApplyReport,
    batches: &[Batch<'_>],
    failures: Vec<(usize, ApplyFailure)>,
) -> Error {
    let done = report
        .applied
        .iter()
        .flat_map(|(t, w)| w.iter().map(move |w| format!("{t}: {w}")))
        .collect();
    let applied: BTreeMap<&str, usize> = report
        .applied
        .iter()
        .map(|(t, w)| (t.as_str(), w.len()))
        .collect();
    let mut not_done = Vec::new();
    for (index, batch) in batches.iter().enumerate() {
        let target = &batch.plan.name;
        let shown = |w: &Write| format!("{target}: {}", w.describe());
        let failure = failures.iter().find(|(i, _)| *i == index).map(|(_, f)| f);
        match failure {
            Some(f) => not_done.extend(
                (0..batch.writes.len())
                    .filter(|i| !f.done.contains(i))
                    .map(|i| shown(&batch.writes[i])),
            ),
            None if applied.contains_key(target.as_str()) => {}
            None => not_done.extend(batch.writes.iter().map(shown)),
        }
    }
    let left_without = failures
        .iter()
        .flat_map(|(index, f)| {
            let target = &batches[*index].plan.name;
            f.left_without.iter().map(move |k| format!("{target}: {k}"))
        })
        .collect();
    let mut failures = failures.into_iter();
    let Some((first, failure)) = failures.next() else {
        unreachable!("partial() is called with at least one failure")
    };
    let also = failures.filter(|(_, f)| !f.interrupted);
    let also = also.map(|(_, f)| f.error).collect();
    Error::Partial(Box::new(crate::error::Partial {
        target: batches[first].plan.name.clone(),
        done,
        not_done,
        left_without,
        interrupted: failure.interrupted,
        written: report.written,
        cause: failure.error,
        also,
    }))
}

/// Every future run to completion, concurrently on the current task; the
/// outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
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
