//! `plan` (and `apply`) of one environment with its live reads in flight
//! while the desired state is judged: resolving secrets and the offline
//! rules take time at thousands of variables, and none of it decides what
//! is read. Judging still decides what happens: a refusal or an error of
//! the desired state comes first, exactly as when nothing was read, and
//! the reads are then dropped unused. Nothing is written here.

use tokio::sync::oneshot;

use super::Engine;
use super::plan::{self, Planned, Prepared};
use crate::Error;
use crate::config::{Environment, Workspace};
use envctl_core::rules::Verdict;

/// What planning one environment came to: its plan, or the verdict that
/// refuses its desired state (then the plan is not made).
pub enum Early {
    Planned(Box<Planned>),
    Refused(Verdict),
}

/// [`plan::prepare`] on a thread of its own while every target is read on
/// the engine's runtime; then the plan. `on_prepared` sees the secrets as
/// resolved (to report what did not resolve) before the verdict counts.
pub fn plan(
    engine: &Engine,
    ws: &Workspace,
    env: &Environment,
    require_secrets: bool,
    allow_delete: bool,
    on_prepared: impl FnOnce(&Prepared),
) -> Result<Early, Error> {
    let providers = plan::connect(ws, env);
    let Ok(providers) = providers else {
        // Nothing to read: judge first, as always, then say why not.
        let prepared = plan::prepare(ws, env, require_secrets)?;
        on_prepared(&prepared);
        if let Some(verdict) = prepared.refusal {
            return Ok(Early::Refused(verdict));
        }
        return Err(providers
            .err()
            .unwrap_or_else(|| internal("no connect error")));
    };
    let (tx, rx) = oneshot::channel();
    let (prepared, live) = std::thread::scope(|scope| {
        let judging = scope.spawn(move || {
            let _ = tx.send(plan::prepare(ws, env, require_secrets));
        });
        let read = engine.block_on(read_while(&providers, rx));
        match judging.join() {
            Ok(()) => read,
            // A panic goes on as the panic it was (its hook has run).
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })?;
    let prepared = prepared?;
    on_prepared(&prepared);
    let Prepared { secrets, refusal } = prepared;
    if let Some(verdict) = refusal {
        return Ok(Early::Refused(verdict));
    }
    let live = live.ok_or_else(|| internal("no live state"))??;
    let planned = plan::judge(ws, env, secrets, allow_delete, providers, live)?;
    Ok(Early::Planned(Box::new(planned)))
}

type Live = Result<Vec<crate::provider::Snapshot>, Error>;

/// Reads every target until the judgement arrives; then finishes the reads
/// only if the desired state stands.
async fn read_while(
    providers: &[crate::provider::Provider],
    judged: oneshot::Receiver<Result<Prepared, Error>>,
) -> (Result<Prepared, Error>, Option<Live>) {
    let reads = plan::read_all(providers);
    tokio::pin!(reads, judged);
    let mut live = None;
    let prepared = loop {
        tokio::select! {
            p = &mut judged => break p,
            l = &mut reads, if live.is_none() => live = Some(l),
        }
    };
    let Ok(prepared) = prepared else {
        // The judging thread panicked: the caller resumes its panic.
        return (Err(internal("judging stopped")), None);
    };
    let stands = matches!(&prepared, Ok(p) if p.refusal.is_none());
    if stands && live.is_none() {
        live = Some(reads.await);
    }
    (prepared, live)
}

/// A state that cannot happen; an error rather than a panic.
fn internal(what: &str) -> Error {
    Error::Usage(format!(
        "internal error while planning: {what}; nothing was written"
    ))
}
