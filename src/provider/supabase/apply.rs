//! Apply on Supabase: secrets in one upsert and one delete, then function
//! deploys and settings a few at a time, then pruned functions.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::api::Bundle;
use super::{DEPLOY_CONCURRENCY, SupabaseProvider, bundle};
use crate::provider::{ApplyFailure, ProviderError, Stop, Write};
use envctl_core::secret::Secret;

impl SupabaseProvider {
    /// Secrets (one upsert), pruned secrets (one delete), function deploys
    /// and settings (four at a time), pruned functions. Each request changes
    /// a key from its old value to its new one in one step, so a failure
    /// between requests leaves every key with its old or its new value.
    /// `stop` is looked at before each request. Every bundle is read from
    /// disk before anything is sent, so a missing file writes nothing.
    pub async fn apply(&self, writes: &[Write], stop: &Stop) -> Result<(), ApplyFailure> {
        let bundles = self.bundles(writes)?;
        let mut done = Vec::new();
        self.write_secrets(writes, stop, &mut done).await?;
        self.apply_settings(writes, stop, &mut done).await?;
        self.deploy_functions(writes, bundles, stop, &mut done)
            .await?;
        for (i, write) in writes.iter().enumerate() {
            if let Write::DeleteFunction { slug } = write {
                if stop.requested() {
                    return Err(ApplyFailure::stopped(&self.target, &done));
                }
                self.api
                    .delete_function(&self.project_ref, slug)
                    .await
                    .map_err(|e| {
                        ApplyFailure::after(&done, self.error(e, "edge_functions:write"))
                    })?;
                done.push(i);
            }
        }
        Ok(())
    }

    /// The source of every function to deploy, read before anything is sent.
    fn bundles(&self, writes: &[Write]) -> Result<BTreeMap<String, Bundle>, ApplyFailure> {
        let mut bundles = BTreeMap::new();
        for write in writes {
            if let Write::SetFunction {
                slug, deploy: true, ..
            } = write
            {
                let dir = self.root.join(&self.functions_dir);
                let b = bundle::read(&dir, &self.functions_dir, slug).map_err(|why| {
                    ApplyFailure::nothing(ProviderError::local(
                        &self.target,
                        &format!("deploy function {slug}"),
                        why,
                    ))
                })?;
                bundles.insert(slug.clone(), b);
            }
        }
        Ok(bundles)
    }

    /// Every secret set in one upsert, every pruned one in one delete.
    async fn write_secrets(
        &self,
        writes: &[Write],
        stop: &Stop,
        done: &mut Vec<usize>,
    ) -> Result<(), ApplyFailure> {
        let project = self.project_ref.as_str();
        let sets = crate::provider::sets(writes);
        if !sets.is_empty() {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, done));
            }
            let pairs: Vec<(&str, &Secret)> = sets.iter().map(|(_, n, v)| (*n, *v)).collect();
            self.api
                .upsert_secrets(project, &pairs)
                .await
                .map_err(|e| ApplyFailure::after(done, self.error(e, "secrets:write")))?;
            done.extend(sets.iter().map(|(i, _, _)| *i));
        }
        let deletes = crate::provider::deletes(writes);
        if !deletes.is_empty() {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, done));
            }
            let names: Vec<&str> = deletes.iter().map(|(_, n)| *n).collect();
            self.api
                .delete_secrets(project, &names)
                .await
                .map_err(|e| ApplyFailure::after(done, self.error(e, "secrets:write")))?;
            done.extend(deletes.iter().map(|(i, _)| *i));
        }
        Ok(())
    }

    /// Function deploys and settings, a few at a time; a task that finds
    /// `stop` requested sends nothing.
    async fn deploy_functions(
        &self,
        writes: &[Write],
        bundles: BTreeMap<String, Bundle>,
        stop: &Stop,
        done: &mut Vec<usize>,
    ) -> Result<(), ApplyFailure> {
        let bundles = Arc::new(bundles);
        let limit = Arc::new(Semaphore::new(DEPLOY_CONCURRENCY));
        let mut tasks = JoinSet::new();
        for (i, write) in writes.iter().enumerate() {
            let (slug, verify_jwt, deploy) = match write {
                Write::SetFunction {
                    slug,
                    verify_jwt,
                    deploy,
                } => (slug.clone(), *verify_jwt, *deploy),
                _ => continue,
            };
            let (api, project, bundles, limit, stop) = (
                self.api.clone(),
                self.project_ref.clone(),
                bundles.clone(),
                limit.clone(),
                stop.clone(),
            );
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                if stop.requested() {
                    return (i, None);
                }
                let result = if deploy {
                    api.deploy_function(&project, &slug, verify_jwt, &bundles[&slug])
                        .await
                } else {
                    api.update_verify_jwt(&project, &slug, verify_jwt).await
                };
                (i, Some(result))
            });
        }
        let mut first_error = None;
        let mut skipped = false;
        while let Some(joined) = tasks.join_next().await {
            let (i, result) = joined.expect("deploy tasks do not panic");
            match result {
                Some(Ok(())) => done.push(i),
                Some(Err(e)) => {
                    first_error.get_or_insert(self.error(e, "edge_functions:write"));
                }
                None => skipped = true,
            }
        }
        if let Some(error) = first_error {
            return Err(ApplyFailure::after(done, error));
        }
        if skipped {
            return Err(ApplyFailure::stopped(&self.target, done));
        }
        Ok(())
    }
}
