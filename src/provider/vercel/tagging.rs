//! Tagging records whose values a plan read and verified equal to the
//! declared ones: a comment-only edit per record (`PATCH
//! /v9/projects/{id}/env/{envId}` with `{comment}`), a few at once. The
//! value is not sent again: an upsert of the whole batch would be one
//! request, but it rewrites every value (a secret crossing the network
//! once more, for nothing) and would overwrite a value changed by hand
//! since the plan read it. The comment keeps the declared description
//! (else the user's own words) before the tag, as every write does.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::records::Handles;
use super::tags::with_tag;
use super::{VercelProvider, now_ms};
use crate::provider::{ApplyFailure, Stop, Write};

/// How many comment edits run at once.
const TAG_CONCURRENCY: usize = 8;

impl VercelProvider {
    /// 4. Tags the records `writes` marks as verified (`Write::Tag`). A
    ///    key without a record in the read has nothing to tag.
    pub(super) async fn tag_verified(
        &self,
        handles: &Handles,
        writes: &[Write],
        done: &mut Vec<usize>,
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        let tags = crate::provider::tags(writes);
        if tags.is_empty() {
            return Ok(());
        }
        if stop.requested() {
            return Err(ApplyFailure::stopped(&self.target, done));
        }
        let now = now_ms() + handles.skew_ms;
        let limit = Arc::new(Semaphore::new(TAG_CONCURRENCY));
        let mut tasks = JoinSet::new();
        for (i, name, value) in tags {
            let Some(record) = handles.owned.get(name) else {
                done.push(i);
                continue;
            };
            let own = match self.descriptions.get(name) {
                Some(description) => description.as_str(),
                None => record.comment.as_str(),
            };
            let comment = with_tag(own, &value.fingerprint(), now);
            let (api, project, limit) = (self.api.clone(), self.project.clone(), limit.clone());
            let (id, name) = (record.id.clone(), name.to_string());
            let stop = stop.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                if stop.requested() {
                    return (i, None);
                }
                (
                    i,
                    Some(api.set_comment(&project, &id, &name, &comment).await),
                )
            });
        }
        let mut failed = None;
        let mut stopped = false;
        while let Some(joined) = tasks.join_next().await {
            match joined.expect("tag tasks do not panic") {
                (i, Some(Ok(()))) => done.push(i),
                (_, Some(Err(e))) => {
                    failed.get_or_insert(e);
                }
                (_, None) => stopped = true,
            }
        }
        match failed {
            Some(e) => Err(ApplyFailure::after(done, self.error(e))),
            None if stopped => Err(ApplyFailure::stopped(&self.target, done)),
            None => Ok(()),
        }
    }
}
