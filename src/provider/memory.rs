//! An in-memory target: the reference provider for tests and the
//! conformance scenario. Shared state, so a test can look behind the plan.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{ApplyFailure, LiveFunction, LiveValue, ProviderError, Snapshot, Write};
use envctl_core::secret::Secret;

#[derive(Debug, Clone, Default)]
pub struct MemoryProvider {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    variables: BTreeMap<String, Secret>,
    functions: BTreeMap<String, bool>,
    /// Fail the write with this index (0-based), for partial-failure tests.
    fail_at: Option<usize>,
}

impl MemoryProvider {
    pub fn new() -> MemoryProvider {
        MemoryProvider::default()
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.lock()
            .variables
            .get(name)
            .map(|s| s.expose().to_string())
    }

    /// Makes the n-th write of the next apply fail.
    pub fn fail_at(&self, n: usize) {
        self.lock().fail_at = Some(n);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn read(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            variables: state
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), LiveValue::Readable(v.clone())))
                .collect(),
            functions: Some(
                state
                    .functions
                    .iter()
                    .map(|(k, v)| {
                        let f = LiveFunction {
                            verify_jwt: *v,
                            changed_files: None,
                        };
                        (k.clone(), f)
                    })
                    .collect(),
            ),
            migrations: None,
            ..Snapshot::default()
        }
    }

    pub fn apply(&self, writes: &[Write]) -> Result<(), ApplyFailure> {
        let mut state = self.lock();
        let fail_at = state.fail_at.take();
        for (i, write) in writes.iter().enumerate() {
            if fail_at == Some(i) {
                let err = ProviderError::local("memory", "apply", "injected failure");
                return Err(ApplyFailure::after(&(0..i).collect::<Vec<_>>(), err));
            }
            match write {
                Write::Set { name, value } => {
                    state.variables.insert(name.clone(), value.clone());
                }
                Write::Delete { name } => {
                    state.variables.remove(name);
                }
                Write::SetFunction {
                    slug, verify_jwt, ..
                } => {
                    state.functions.insert(slug.clone(), *verify_jwt);
                }
                Write::DeleteFunction { slug } => {
                    state.functions.remove(slug);
                }
                Write::SetSetting { .. } | Write::SetBucket { .. } | Write::Tag { .. } => {}
            }
        }
        Ok(())
    }
}
