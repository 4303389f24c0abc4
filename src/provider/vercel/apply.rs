//! Apply on Vercel, in four steps: split shared records, create or update
//! every value in one request, delete in one request, tag the records a
//! plan verified by reading ([`super::tagging`]); and the undo of a split
//! whose create did not happen.

use std::collections::BTreeSet;

use super::api::NewRecord;
use super::records::{Handles, Owned};
use super::scope::Scope;
use super::tags::with_tag;
use super::{VercelProvider, now_ms};
use crate::provider::{ApplyFailure, ErrorKind, ProviderError, Snapshot, Stop, Write};

/// Keys whose shared record was narrowed, and the narrowed records of the
/// sets among them (to undo if their create does not happen).
type Splits<'a> = (BTreeSet<String>, Vec<(&'a str, &'a Owned)>);

impl VercelProvider {
    /// Splits shared records, then creates/updates every value in one
    /// request, then deletes in one request, then tags verified records
    /// (comment only). A key Vercel refuses is
    /// reported; the others are done.
    ///
    /// Vercel refuses a record whose targets overlap another record of the
    /// same key (`ENV_CONFLICT`), so a split cannot create the new record
    /// first: the shared record must be narrowed before the create. From the
    /// narrowing until the create's answer this target has no value for the
    /// key (one or two requests' time). If the create fails or Vercel
    /// refuses the key, the narrowing is undone (our target is put back on
    /// the shared record), so a failure leaves the old value served; only if
    /// the undo fails too is the key reported as left without a value.
    /// `stop` is looked at before the splits and before the deletes, never
    /// between a split and its create. The records and the clock skew are
    /// the ones `live` (the read planned from) holds; without them (a
    /// snapshot from elsewhere) every key is treated as unowned.
    pub async fn apply(
        &self,
        live: &Snapshot,
        writes: &[Write],
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        let unread = Handles::default();
        let handles = live.handles.get::<Handles>().unwrap_or(&unread);
        let scope = match &handles.scope {
            Some(scope) => scope.clone(),
            None => self.resolve_scope().await.map_err(ApplyFailure::nothing)?,
        };
        let mut done = Vec::new();
        for write in writes {
            if let Write::SetFunction { .. } | Write::DeleteFunction { .. } = write {
                return Err(ApplyFailure::nothing(ProviderError::local(
                    &self.target,
                    "apply",
                    "a Vercel project holds no Edge Functions",
                )));
            }
        }
        if stop.requested() {
            return Err(ApplyFailure::stopped(&self.target, &done));
        }
        let (split, narrowed) = self
            .split_shared(&scope, handles, writes, &mut done)
            .await?;
        self.set_all(&scope, handles, writes, (&split, &narrowed), &mut done)
            .await?;
        self.delete_owned(handles, writes, &split, &mut done, stop)
            .await?;
        self.tag_verified(handles, writes, &mut done, stop).await
    }

    /// 1. Split shared records: they keep every other target. A set's
    ///    split is undone later if its create does not happen; taking our
    ///    target off the record is a delete, done here.
    async fn split_shared<'a>(
        &self,
        scope: &Scope,
        handles: &'a Handles,
        writes: &'a [Write],
        done: &mut Vec<usize>,
    ) -> Result<Splits<'a>, ApplyFailure> {
        let mut split = BTreeSet::new();
        let mut narrowed: Vec<(&str, &Owned)> = Vec::new();
        for (i, write) in writes.iter().enumerate() {
            let name = match write {
                Write::Set { name, .. } | Write::Delete { name } => name,
                _ => continue,
            };
            let Some(record) = handles.owned.get(name).filter(|r| r.shared()) else {
                continue;
            };
            let (targets, custom) = scope.without(&record.targets, &record.custom_ids);
            let custom = (!record.custom_ids.is_empty()).then_some(custom.as_slice());
            if let Err(e) = self
                .api
                .set_scope(&self.project, &record.id, name, &targets, custom)
                .await
            {
                let failure = ApplyFailure::after(done, self.error(e));
                return Err(self.undo_splits(&narrowed, failure).await);
            }
            split.insert(name.clone());
            match write {
                Write::Delete { .. } => done.push(i),
                _ => narrowed.push((name.as_str(), record)),
            }
        }
        Ok((split, narrowed))
    }

    /// 2. Every value in one request. Upsert updates a record of exactly
    ///    this scope; a split key gets a new record.
    async fn set_all(
        &self,
        scope: &Scope,
        handles: &Handles,
        writes: &[Write],
        (split, narrowed): (&BTreeSet<String>, &[(&str, &Owned)]),
        done: &mut Vec<usize>,
    ) -> Result<(), ApplyFailure> {
        let owned = &handles.owned;
        let now = now_ms() + handles.skew_ms;
        let sets = crate::provider::sets(writes);
        if sets.is_empty() {
            return Ok(());
        }
        let records: Vec<NewRecord> = sets
            .iter()
            .map(|(_, name, value)| {
                let existing = owned.get(*name).filter(|_| !split.contains(*name));
                // Sensitive is one-way on Vercel; never downgrade.
                let kind = match existing {
                    Some(r) if r.kind == "sensitive" => "sensitive",
                    _ => self.wanted_kind(name),
                };
                // The declared description, else the user's own words.
                let own = match self.descriptions.get(*name) {
                    Some(description) => description.as_str(),
                    None => existing.map_or("", |r| r.comment.as_str()),
                };
                let comment = with_tag(own, &value.fingerprint(), now);
                let (target, custom_environment_ids) = scope.fields();
                NewRecord {
                    key: name,
                    value: value.expose(),
                    kind,
                    target,
                    git_branch: scope.branch(),
                    custom_environment_ids,
                    comment,
                }
            })
            .collect();
        let refused = match self.api.create(&self.project, &records).await {
            Ok(refused) => refused,
            Err(e) => {
                let failure = ApplyFailure::after(done, self.error(e));
                return Err(self.undo_splits(narrowed, failure).await);
            }
        };
        let refused_keys: BTreeSet<&str> =
            refused.iter().filter_map(|r| r.key.as_deref()).collect();
        let all_refused = !refused.is_empty() && refused_keys.is_empty();
        let created = |name: &str| !all_refused && !refused_keys.contains(name);
        done.extend(
            sets.iter()
                .filter(|(_, name, _)| created(name))
                .map(|(i, _, _)| *i),
        );
        if refused.is_empty() {
            return Ok(());
        }
        let reasons: Vec<String> = refused
            .iter()
            .map(|r| {
                format!(
                    "{}: {} ({})",
                    r.key.as_deref().unwrap_or("(a key)"),
                    r.message,
                    r.code
                )
            })
            .collect();
        let error = ProviderError::new(
            &self.target,
            "create environment variables",
            ErrorKind::Http(crate::provider::http::Failure::Rejected),
            format!("Vercel refused {}", reasons.join("; ")),
        )
        .in_scope(format!("project {}", self.project));
        let not_created: Vec<(&str, &Owned)> = narrowed
            .iter()
            .filter(|(name, _)| !created(name))
            .copied()
            .collect();
        let failure = ApplyFailure::after(done, error);
        Err(self.undo_splits(&not_created, failure).await)
    }

    /// 3. Deletes of records that are envctl's alone, in one request.
    async fn delete_owned(
        &self,
        handles: &Handles,
        writes: &[Write],
        split: &BTreeSet<String>,
        done: &mut Vec<usize>,
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        let deletes: Vec<(usize, &str)> = crate::provider::deletes(writes)
            .into_iter()
            .filter(|(_, name)| !split.contains(*name))
            .filter_map(|(i, name)| handles.owned.get(name).map(|r| (i, r.id.as_str())))
            .collect();
        if deletes.is_empty() {
            return Ok(());
        }
        if stop.requested() {
            return Err(ApplyFailure::stopped(&self.target, done));
        }
        let ids: Vec<&str> = deletes.iter().map(|(_, id)| *id).collect();
        self.api
            .delete(&self.project, &ids)
            .await
            .map_err(|e| ApplyFailure::after(done, self.error(e)))?;
        done.extend(deletes.iter().map(|(i, _)| *i));
        Ok(())
    }

    /// Puts this target back on shared records that were narrowed for a
    /// set whose create did not happen, so they serve the old value again.
    /// Keys whose undo fails are what `failure` reports this target left
    /// without.
    async fn undo_splits(
        &self,
        narrowed: &[(&str, &Owned)],
        mut failure: ApplyFailure,
    ) -> ApplyFailure {
        let mut left_without = Vec::new();
        for (name, record) in narrowed {
            let custom = (!record.custom_ids.is_empty()).then_some(record.custom_ids.as_slice());
            let undone = self
                .api
                .set_scope(&self.project, &record.id, name, &record.targets, custom)
                .await;
            if undone.is_err() {
                left_without.push((*name).to_string());
            }
        }
        failure.left_without = left_without.into();
        failure
    }
}
