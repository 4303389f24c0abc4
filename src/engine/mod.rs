//! The engine: everything between parsed arguments and printed output.
//! It resolves secrets, reads live state, plans, applies and reports, and
//! returns data (plans, reports, notes, drift rows) for the command line
//! to render. It never prints and never picks an exit code, so a second
//! front end (a library user, a test) gets the same behaviour without
//! scraping text.
//!
//! Network and database calls run on the one async runtime [`Engine`]
//! owns, built the first time something needs it.

pub mod aftercare;
pub mod apply;
pub mod diff;
pub mod drift;
pub mod early;
pub mod import;
pub mod migrations;
pub mod plan;
mod reuse;
pub mod rotate;
pub mod sources;

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::future::Future;

use tokio::runtime::Runtime;

use crate::Error;
use crate::config::{Environment, Workspace};

pub use apply::{ApplyReport, apply, apply_until};
pub use plan::{Planned, Secrets, TargetRun, offline, read_all, resolve_secrets, rules_context};

/// Owns the process's async runtime. One per process: reqwest's pooled
/// connections belong to the runtime that opened them, so planning and
/// applying on one runtime lets apply reuse what the plan read through.
/// Built lazily, so commands that never touch the network (`validate`,
/// `schema`) start none.
#[derive(Default)]
pub struct Engine {
    runtime: OnceCell<Runtime>,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Runs a future to completion on the runtime. A single thread is
    /// enough: the work is waiting on the network, and tasks spawned on it
    /// (drift's per-environment plans) still run concurrently.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        Ok(self.runtime()?.block_on(future))
    }

    fn runtime(&self) -> Result<&Runtime, Error> {
        if let Some(runtime) = self.runtime.get() {
            return Ok(runtime);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Io {
                context: "starting the async runtime".into(),
                source: e,
            })?;
        Ok(self.runtime.get_or_init(|| runtime))
    }
}

/// The environments named (aliases allowed, each once, in the order
/// given), or all of them when none is named.
pub fn selected<'a>(ws: &'a Workspace, names: &[String]) -> Result<Vec<&'a Environment>, Error> {
    if names.is_empty() {
        return Ok(ws.environments.values().collect());
    }
    let mut seen = BTreeSet::new();
    let mut envs = Vec::new();
    for name in names {
        let env = ws.environment(name)?;
        if seen.insert(&env.name) {
            envs.push(env);
        }
    }
    Ok(envs)
}
