//! The GitHub target: a repository's GitHub Actions secrets and variables,
//! at the repository level or for one deployment environment
//! (docs.github.com/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions,
//! docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables).
//!
//! A variable declared as a secret reference is written as an Actions
//! *secret* (sealed to the scope's public key, [`seal`]); a plain one as an
//! Actions *variable*. A plan costs the pages of two lists; an apply, one
//! request per write, the public key once, and the record.
//!
//! Values: variables are readable. Secrets are write-only and GitHub says
//! only when each last changed, so envctl keeps a digest record in one
//! variable of its own ([`record`]): a secret it names is verified until
//! GitHub's `updated_at` moves past it (changed by hand: written again);
//! one it does not name is unknown until `apply --adopt` writes it.
//!
//! GitHub keeps secrets and variables apart, so one name can be both. The
//! snapshot holds one value per name: a name stored as the other kind than
//! declared (or as both) is [`LiveValue::Stale`], so a plan shows one
//! change, and apply writes the declared kind and deletes the other.
//!
//! What apply needs from the read — which names are secrets and which
//! variables, the digests the record vouched for, whether the record
//! variable exists, GitHub's clock skew — travels in the snapshot as
//! [`Handles`]; the provider keeps nothing between read and apply.

pub mod api;
mod apply;
pub mod checks;
mod connect;
pub mod dialect;
mod hints;
pub mod record;
mod seal;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet};

use super::{LiveValue, ProviderError, Snapshot, ago};
use crate::provider::http::{HttpError, parse_rfc3339};
use api::{Api, SecretEntry, VariableEntry};
pub use connect::connect;
use envctl_core::secret::{Fingerprint, Secret};
use hints::Need;
use record::{Record, Verdict};
pub use settings::Settings;

/// What apply needs from the read it plans from: [`super::Handles`].
/// Digests show keyed in `Debug`.
#[derive(Debug, Clone, Default)]
pub struct Handles {
    /// Whether these come from a read (a snapshot from elsewhere has none).
    read: bool,
    /// Names GitHub holds as secrets, and as variables (the record aside).
    secrets: BTreeSet<String>,
    variables: BTreeSet<String>,
    /// The record's entries for secrets GitHub still holds (vouched for
    /// or changed since), each with the time it was written.
    kept: BTreeMap<String, (Fingerprint, i64)>,
    /// Whether the record variable exists (updated, else created).
    has_record: bool,
    /// GitHub's clock minus this machine's; 0 when it sent no `Date`.
    skew_ms: i64,
}

#[derive(Debug, Clone)]
pub struct GithubProvider {
    target: String,
    repository: String,
    environment: Option<String>,
    /// Declared as secret references: written as Actions secrets.
    secrets: BTreeSet<String>,
    /// Declared plain: written as Actions variables.
    plain: BTreeSet<String>,
    api: Api,
}

impl GithubProvider {
    pub fn new(
        target: &str,
        settings: &Settings,
        secrets: BTreeSet<String>,
        plain: BTreeSet<String>,
        api: Api,
    ) -> GithubProvider {
        GithubProvider {
            target: target.to_string(),
            repository: settings.repository.clone(),
            environment: settings.environment.clone(),
            secrets,
            plain,
            api,
        }
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// Both lists, read at once.
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let (secrets, variables) = tokio::join!(self.api.secrets(), self.api.variables());
        let secrets = secrets.map_err(|e| self.error(Need::Read, e))?;
        let variables = variables.map_err(|e| self.error(Need::Read, e))?;
        let skew_ms = secrets.skew_ms.or(variables.skew_ms).unwrap_or(0);
        let mut warnings = Vec::new();
        let record_var = variables.items.iter().find(|v| v.name == record::NAME);
        let record = record_var.and_then(|v| Record::parse(&v.value));
        if record_var.is_some() && record.is_none() {
            warnings.push(format!(
                "the variable {} does not hold a record envctl wrote: no secret can be verified until the next apply rewrites it",
                record::NAME
            ));
        }
        let variables: BTreeMap<&str, &VariableEntry> = variables
            .items
            .iter()
            .filter(|v| v.name != record::NAME)
            .map(|v| (v.name.as_str(), v))
            .collect();
        let mut snapshot = Snapshot::default();
        let mut handles = Handles {
            read: true,
            has_record: record_var.is_some(),
            skew_ms,
            variables: variables.keys().map(|k| k.to_string()).collect(),
            ..Handles::default()
        };
        for secret in &secrets.items {
            let updated = secret.updated_at.as_deref().and_then(parse_rfc3339);
            if let Some(ms) = updated {
                snapshot.updated_ms.insert(secret.name.clone(), ms);
            } else if record
                .as_ref()
                .is_some_and(|r| r.digests.contains_key(&secret.name))
            {
                warnings.push(format!(
                    "GitHub did not say when secret {} last changed: a change by hand since envctl wrote it would not be seen",
                    secret.name
                ));
            }
            snapshot.versions.insert(
                format!("secret:{}", secret.name),
                format!("updated {}", secret.updated_at.as_deref().unwrap_or("?")),
            );
            let also_variable = variables.contains_key(secret.name.as_str());
            let live = self.secret_value(
                secret,
                updated,
                record.as_ref(),
                also_variable,
                &mut handles,
            );
            handles.secrets.insert(secret.name.clone());
            snapshot.variables.insert(secret.name.clone(), live);
        }
        for (name, variable) in &variables {
            snapshot.versions.insert(
                format!("variable:{name}"),
                format!("updated {}", variable.updated_at.as_deref().unwrap_or("?")),
            );
            if snapshot.variables.contains_key(*name) {
                continue; // also a secret: decided above
            }
            if let Some(ms) = variable.updated_at.as_deref().and_then(parse_rfc3339) {
                snapshot.updated_ms.insert(name.to_string(), ms);
            }
            snapshot
                .variables
                .insert(name.to_string(), self.variable_value(variable));
        }
        snapshot.warnings = warnings;
        snapshot.handles = super::Handles::new(handles);
        Ok(snapshot)
    }

    /// A secret as a live value: what the record says of it, unless it is
    /// declared plain or is also a variable of a declared secret.
    fn secret_value(
        &self,
        secret: &SecretEntry,
        updated: Option<i64>,
        record: Option<&Record>,
        also_variable: bool,
        handles: &mut Handles,
    ) -> LiveValue {
        let name = &secret.name;
        if self.plain.contains(name) {
            return LiveValue::Stale {
                why: "stored as an Actions secret but declared plain: it will be written as a variable and the secret deleted".into(),
            };
        }
        if also_variable && self.secrets.contains(name) {
            return LiveValue::Stale {
                why: "also stored as an Actions variable of the same name, which anyone who can read the repository sees: the secret will be written again and the variable deleted".into(),
            };
        }
        if let Some(r) = record
            && let Some(digest) = r.digests.get(name)
        {
            handles
                .kept
                .insert(name.clone(), (digest.clone(), r.time_of(name)));
        }
        match record::verify(record, name, updated) {
            Verdict::Vouched(digest) => LiveValue::Digest(digest),
            Verdict::ChangedSince(ms) => LiveValue::Stale {
                why: format!(
                    "updated {} after envctl last recorded it (by hand, or by an apply that stopped before recording it), and GitHub does not show secret values: it will be written again",
                    ago(ms)
                ),
            },
            Verdict::Unrecorded => LiveValue::Unreadable,
        }
    }

    /// A variable as a live value: its text, unless it should be a secret.
    fn variable_value(&self, variable: &VariableEntry) -> LiveValue {
        if self.secrets.contains(&variable.name) {
            return LiveValue::Stale {
                why: "stored as an Actions variable, which anyone who can read the repository sees: it will be written as a secret and the variable deleted".into(),
            };
        }
        LiveValue::Plain(Secret::new(variable.value.clone()))
    }

    /// Whether `name` is written as a secret.
    fn is_secret(&self, name: &str) -> bool {
        self.secrets.contains(name)
    }

    /// An HTTP failure in the user's terms.
    fn error(&self, need: Need, e: HttpError) -> ProviderError {
        hints::error(
            &self.target,
            &self.repository,
            self.environment.as_deref(),
            need,
            e,
        )
    }
}

#[cfg(test)]
mod stub_tests;
#[cfg(test)]
mod tests;
