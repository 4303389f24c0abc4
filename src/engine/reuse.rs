//! What a protected environment's secrets must not equal (`reused-secret`):
//! the values of every environment that is not protected, as digests.
//!
//! Resolved here, beside the protected environment's own secrets, from the
//! sources that read without side effects: `env:`, `file:` and `keyring`.
//! A `command` source of another environment is not run (a password
//! manager may prompt, or need a login the job lacks), and a value that
//! cannot be resolved is not compared. A source both environments name
//! (`env:OPENAI_API_KEY` in each) is skipped: one source read twice in one
//! process gives one value by construction, so its equality says what the
//! files already say, not that a value was copied. Plain values the other
//! environment writes in YAML that are sensitive count too: a production
//! secret sitting in staging's file is in git.

use std::collections::BTreeSet;

use crate::config::{Environment, SecretRef, VarValue, Variable, Workspace};
use crate::secret::{self, EnvSource, Fingerprint};
use envctl_core::rules::SecretElsewhere;

/// The values `env`'s secrets must not equal; empty unless `env` is
/// protected.
pub fn elsewhere(
    ws: &Workspace,
    env: &Environment,
    source: &dyn EnvSource,
) -> Vec<SecretElsewhere> {
    if !env.protected {
        return Vec::new();
    }
    // Checked at start-up (crate::settings::check).
    let from_env = crate::settings::secrets_from_env().unwrap_or_default();
    let reference = |e: &Environment, v: &Variable| match &v.value {
        VarValue::Secret(_) if from_env.contains(&e.name) => Some(SecretRef::Env(v.name.clone())),
        VarValue::Secret(r) => Some(r.clone()),
        _ => None,
    };
    // A keychain entry is per environment, so the same word is not the
    // same source.
    let mine: BTreeSet<SecretRef> = env
        .variables
        .values()
        .filter_map(|v| reference(env, v))
        .filter(|r| *r != SecretRef::Keyring)
        .collect();
    let mut out = Vec::new();
    for other in ws.environments.values().filter(|o| !o.protected) {
        for var in other.variables.values() {
            let fingerprint = match (&var.value, reference(other, var)) {
                (VarValue::Plain(text), _) if var.is_sensitive() && !text.trim().is_empty() => {
                    Fingerprint::of(text)
                }
                (_, Some(SecretRef::Command(_))) | (_, None) => continue,
                (_, Some(r)) if mine.contains(&r) => continue,
                (_, Some(r)) => {
                    let account =
                        crate::keyring::secret_account(&ws.project, &other.name, &var.name);
                    match secret::resolve(&r, &ws.root, source, &account) {
                        Ok(value) if secret::blank(&value).is_none() => value.fingerprint(),
                        _ => continue,
                    }
                }
            };
            out.push(SecretElsewhere {
                environment: other.name.clone(),
                name: var.name.clone(),
                fingerprint,
            });
        }
    }
    out
}
