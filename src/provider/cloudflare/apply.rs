//! Apply on Cloudflare: every set and delete of one deployment
//! environment in one PATCH, with envctl's record of the secrets it wrote
//! ([`super::record`]) in the same request, so the record is true exactly
//! when the secrets it lists are.

use std::collections::BTreeMap;

use super::api::{self, Change};
use super::record::{self, Record};
use super::{CloudflareProvider, Handles};
use crate::provider::{ApplyFailure, ProviderError, Snapshot, Write};
use envctl_core::secret::{Fingerprint, Secret};

impl CloudflareProvider {
    /// Every set and delete in one PATCH: all done, or nothing. The config
    /// hash, the record and the clock skew are the ones `live` (the read
    /// planned from) holds; without them (a snapshot from elsewhere) there
    /// is no hash to send and no record to keep.
    pub async fn apply(&self, live: &Snapshot, writes: &[Write]) -> Result<(), ApplyFailure> {
        let unread = Handles::default();
        let handles = live.handles.get::<Handles>().unwrap_or(&unread);
        if writes
            .iter()
            .any(|w| matches!(w, Write::SetFunction { .. } | Write::DeleteFunction { .. }))
        {
            return Err(ApplyFailure::nothing(ProviderError::local(
                &self.target,
                "apply",
                "a Cloudflare Pages project holds no Edge Functions",
            )));
        }
        let sets = crate::provider::sets(writes);
        let deletes = crate::provider::deletes(writes);
        if sets.is_empty() && deletes.is_empty() {
            return Ok(());
        }
        let mut changes: Vec<Change> = sets
            .iter()
            .map(|(_, name, value)| Change {
                name,
                set: Some((self.kind_of(name), *value)),
            })
            .chain(deletes.iter().map(|(_, name)| Change { name, set: None }))
            .collect();
        // The record travels in the same PATCH: it is true exactly when the
        // secrets it lists are.
        let at = crate::provider::now_ms() + handles.skew_ms;
        let record = self.record_after(&handles.recorded, &sets, &deletes, at);
        if let Some(text) = &record
            && text.expose().len() > record::MAX_LEN
        {
            return Err(ApplyFailure::nothing(ProviderError::local(
                &self.target,
                "apply",
                format!(
                    "the record of this environment's secrets ({}) would exceed Cloudflare's {} bytes for one variable: too many secrets for one deployment environment; nothing was written",
                    record::NAME,
                    record::MAX_LEN
                ),
            )));
        }
        let refreshed: Vec<(String, Secret)> = handles
            .others
            .iter()
            .map(|(env, r)| {
                let mut r = r.clone();
                r.at = at;
                (env.clone(), Secret::new(r.render()))
            })
            .collect();
        match &record {
            Some(text) => changes.push(Change {
                name: record::NAME,
                set: Some((api::PLAIN, text)),
            }),
            None if handles.had_record => changes.push(Change {
                name: record::NAME,
                set: None,
            }),
            None => {}
        }
        let refreshed: Vec<(&str, &Secret)> =
            refreshed.iter().map(|(env, r)| (env.as_str(), r)).collect();
        self.api
            .patch_env_vars(
                &self.project,
                &self.environment,
                &changes,
                handles.config_hash.as_deref(),
                &refreshed,
            )
            .await
            .map_err(|e| ApplyFailure::nothing(self.error(e)))
    }

    /// The record after these writes: the secrets the read verified
    /// (`recorded`), less what is deleted or turned plain, plus every
    /// secret written now. `None` when it lists nothing.
    fn record_after(
        &self,
        recorded: &BTreeMap<String, Fingerprint>,
        sets: &[(usize, &str, &Secret)],
        deletes: &[(usize, &str)],
        at: i64,
    ) -> Option<Secret> {
        let mut digests = recorded.clone();
        for (_, name) in deletes {
            digests.remove(*name);
        }
        for (_, name, value) in sets {
            if self.kind_of(name) == api::SECRET {
                digests.insert(name.to_string(), value.fingerprint());
            } else {
                digests.remove(*name);
            }
        }
        (!digests.is_empty()).then(|| {
            let times = BTreeMap::new();
            Secret::new(Record { at, digests, times }.render())
        })
    }
}
