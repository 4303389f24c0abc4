//! Apply on GitHub: one request per write, every set before any delete — a secret
//! sealed and `PUT`, a variable created or updated, a delete — each
//! followed by the delete of the same name's other kind when the read
//! found one (a move). The scope's public key is read once, before the
//! first secret. When a secret was written or deleted, envctl's record
//! ([`super::record`]) is rewritten last, with `at` in GitHub's clock, so
//! every secret written is older than the record that vouches for it.
//! `stop` is looked at before every request; an apply that stops or fails
//! leaves the record as it was, and the next plan writes again the secrets
//! it did not get to record.

use super::api::PublicKey;
use super::hints::Need;
use super::{GithubProvider, Handles, record, seal};
use crate::provider::http::{Failure, HttpError};
use crate::provider::{ApplyFailure, ProviderError, Snapshot, Stop, Write};
use envctl_core::secret::Secret;

impl GithubProvider {
    /// Performs the writes planned from `live`; on failure or stop, says
    /// which were done. The names' kinds, the record and the clock skew
    /// are the ones `live` (the read planned from) holds; without them (a
    /// snapshot from elsewhere) a name is taken to be of its declared kind.
    pub async fn apply(
        &self,
        live: &Snapshot,
        writes: &[Write],
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        let unread = Handles::default();
        let handles = live.handles.get::<Handles>().unwrap_or(&unread);
        if writes
            .iter()
            .any(|w| matches!(w, Write::SetFunction { .. } | Write::DeleteFunction { .. }))
        {
            return Err(ApplyFailure::nothing(
                self.local("a GitHub repository holds no Edge Functions".to_string()),
            ));
        }
        let sets = crate::provider::sets(writes);
        let deletes = crate::provider::deletes(writes);
        if sets.is_empty() && deletes.is_empty() {
            return Ok(());
        }
        self.check_record_size(handles, &sets)?;
        let mut done = Vec::new();
        let mut changed: Vec<(&str, Option<&Secret>)> = Vec::new();
        let mut key: Option<PublicKey> = None;
        for (i, name, value) in &sets {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, &done));
            }
            let secret = self.is_secret(name);
            if secret && key.is_none() {
                let read = self.api.public_key().await;
                let read = read.map_err(|e| self.error(Need::WriteSecrets, e));
                key = Some(read.map_err(|e| ApplyFailure::after(&done, e))?);
            }
            let result = match (&key, secret) {
                (Some(key), true) => self.set_secret(handles, key, name, value).await,
                _ => self.set_variable(handles, name, value).await,
            };
            result.map_err(|e| ApplyFailure::after(&done, e))?;
            if secret || handles.secrets.contains(*name) {
                changed.push((name, secret.then_some(*value)));
            }
            done.push(*i);
        }
        for (i, name) in &deletes {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, &done));
            }
            let deleted_secret = self
                .delete(handles, name)
                .await
                .map_err(|e| ApplyFailure::after(&done, e))?;
            if deleted_secret {
                changed.push((name, None));
            }
            done.push(*i);
        }
        if changed.is_empty() {
            return Ok(());
        }
        if stop.requested() {
            return Err(ApplyFailure::stopped(&self.target, &done));
        }
        self.write_record(handles, changed)
            .await
            .map_err(|e| ApplyFailure::after(&done, e))
    }

    /// Seals and writes a secret; then deletes a variable of the same name.
    async fn set_secret(
        &self,
        handles: &Handles,
        key: &PublicKey,
        name: &str,
        value: &Secret,
    ) -> Result<(), ProviderError> {
        let sealed = seal::seal(&key.key, value).map_err(|why| self.local(why))?;
        let write = self.api.put_secret(name, &sealed, &key.key_id).await;
        write.map_err(|e| self.error(Need::WriteSecrets, e))?;
        if handles.variables.contains(name) {
            let gone = self.api.delete_variable(name).await;
            gone_or_absent(gone).map_err(|e| self.error(Need::WriteVariables, e))?;
        }
        Ok(())
    }

    /// Creates or updates a variable; then deletes a secret of the same
    /// name. Without a read, an update that finds nothing creates.
    async fn set_variable(
        &self,
        handles: &Handles,
        name: &str,
        value: &Secret,
    ) -> Result<(), ProviderError> {
        let exists = handles.variables.contains(name) || !handles.read;
        let mut write = self.api.put_variable(name, value, exists).await;
        if !handles.read && matches!(&write, Err(e) if e.failure == Failure::NotFound) {
            write = self.api.put_variable(name, value, false).await;
        }
        write.map_err(|e| self.error(Need::WriteVariables, e))?;
        if handles.secrets.contains(name) {
            let gone = self.api.delete_secret(name).await;
            gone_or_absent(gone).map_err(|e| self.error(Need::WriteSecrets, e))?;
        }
        Ok(())
    }

    /// Deletes every kind the read found under `name` (without a read, the
    /// declared kind); whether a secret was deleted. Already gone is done.
    async fn delete(&self, handles: &Handles, name: &str) -> Result<bool, ProviderError> {
        let (secret, variable) = if handles.read {
            (
                handles.secrets.contains(name),
                handles.variables.contains(name),
            )
        } else {
            (self.is_secret(name), !self.is_secret(name))
        };
        if secret {
            let gone = self.api.delete_secret(name).await;
            gone_or_absent(gone).map_err(|e| self.error(Need::WriteSecrets, e))?;
        }
        if variable {
            let gone = self.api.delete_variable(name).await;
            gone_or_absent(gone).map_err(|e| self.error(Need::WriteVariables, e))?;
        }
        Ok(secret)
    }

    /// Rewrites the record after the secrets: the entries the read found
    /// (each with its own time), plus what was written, less what was
    /// deleted or moved; deleted when it names nothing. `at` is taken now,
    /// in GitHub's clock.
    async fn write_record(
        &self,
        handles: &Handles,
        changed: Vec<(&str, Option<&Secret>)>,
    ) -> Result<(), ProviderError> {
        let at = crate::provider::now_ms() + handles.skew_ms;
        let record = record::after(&handles.kept, changed, at);
        let result = if record.digests.is_empty() {
            if !handles.has_record {
                return Ok(());
            }
            gone_or_absent(self.api.delete_variable(record::NAME).await)
        } else {
            let text = record::render(&record);
            let exists = handles.has_record;
            self.api.put_variable(record::NAME, &text, exists).await
        };
        result.map_err(|e| self.error(Need::WriteVariables, e))
    }

    /// Refuses, before anything is written, a record GitHub would not
    /// take as one variable.
    fn check_record_size(
        &self,
        handles: &Handles,
        sets: &[(usize, &str, &Secret)],
    ) -> Result<(), ApplyFailure> {
        let written = sets
            .iter()
            .filter(|(_, name, _)| self.is_secret(name))
            .map(|(_, name, value)| (*name, Some(*value)));
        let record = record::after(&handles.kept, written, crate::provider::now_ms());
        let text = record::render(&record);
        if text.expose().len() <= record::MAX_LEN {
            return Ok(());
        }
        Err(ApplyFailure::nothing(self.local(format!(
            "the record of this scope's secrets ({}) would exceed GitHub's {} bytes for one variable; nothing was written",
            record::NAME,
            record::MAX_LEN
        ))))
    }

    fn local(&self, message: String) -> ProviderError {
        ProviderError::local(&self.target, "apply", message)
    }
}

/// A delete's outcome, where already gone (404) is done.
fn gone_or_absent(result: Result<(), HttpError>) -> Result<(), HttpError> {
    match result {
        Err(e) if e.failure == Failure::NotFound => Ok(()),
        other => other,
    }
}
