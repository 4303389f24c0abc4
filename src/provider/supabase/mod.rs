//! The Supabase target: a project's Edge Function secrets, its Edge
//! Functions, and its migration head, over the Management API.
//!
//! Secrets are compared by digest: Supabase lists hex(sha256(value)), never
//! the plaintext, which is exactly a [`Fingerprint`](crate::secret::Fingerprint).
//! A plan costs one request per list (secrets, functions, migrations),
//! whatever their number; an apply sends one upsert and one delete for all
//! secrets, then deploys functions a few at a time.

pub mod api;
pub mod bundle;
pub mod checks;
pub mod dialect;
mod hints;
pub mod settings;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::postgres::Database;
use super::{
    AppliedMigration, ApplyFailure, ErrorKind, LiveFunction, LiveValue, ProviderError, Snapshot,
    Stop, Write,
};
use crate::provider::http::HttpError;
use crate::secret::Secret;
use api::Api;
pub use settings::Settings;

/// Names Supabase reserves; they show up in lists and are never ours.
pub const RESERVED_PREFIX: &str = "SUPABASE_";

/// How many function deploys run at once.
const DEPLOY_CONCURRENCY: usize = 4;

#[derive(Debug, Clone)]
pub struct SupabaseProvider {
    target: String,
    project_ref: String,
    api: Api,
    root: PathBuf,
    functions_dir: String,
    read_migrations: bool,
    /// `migrations.database_url`: the history is read there, not through
    /// the Management API, and `apply --migrations` writes there.
    database: Option<Arc<Database>>,
}

impl SupabaseProvider {
    pub fn new(
        target: &str,
        project_ref: &str,
        api: Api,
        root: PathBuf,
        functions_dir: &str,
        read_migrations: bool,
    ) -> SupabaseProvider {
        SupabaseProvider {
            target: target.to_string(),
            project_ref: project_ref.to_string(),
            api,
            root,
            functions_dir: functions_dir.to_string(),
            read_migrations,
            database: None,
        }
    }

    /// Reads (and migrates) the history in this database directly.
    pub fn with_database(self, database: Database) -> SupabaseProvider {
        SupabaseProvider {
            database: Some(Arc::new(database)),
            ..self
        }
    }

    pub fn database(&self) -> Option<&Database> {
        self.database.as_deref()
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// Secrets, functions and (when the environment pins a head) migrations,
    /// read at once.
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let project = self.project_ref.as_str();
        let migrations = async {
            match (&self.database, self.read_migrations) {
                (_, false) => Ok(None),
                (Some(db), true) => db
                    .history()
                    .await
                    .map(|rows| {
                        Some(
                            rows.into_iter()
                                .map(|r| AppliedMigration {
                                    version: r.version,
                                    statements: r.statements,
                                })
                                .collect(),
                        )
                    })
                    .map_err(|message| {
                        ProviderError::new(
                            &self.target,
                            "read migration history",
                            ErrorKind::Database,
                            message,
                        )
                    }),
                (None, true) => self
                    .api
                    .applied_migrations(project)
                    .await
                    .map(|versions| {
                        Some(versions.into_iter().map(AppliedMigration::from).collect())
                    })
                    .map_err(|e| self.error(e, "database:read")),
            }
        };
        let (secrets, functions, migrations) = tokio::join!(
            self.api.list_secrets(project),
            self.api.list_functions(project),
            migrations
        );
        let secrets = secrets.map_err(|e| self.error(e, "secrets:read"))?;
        let functions = functions.map_err(|e| self.error(e, "edge_functions:read"))?;
        let migrations = migrations?;

        let mut warnings = Vec::new();
        let mut variables = BTreeMap::new();
        let mut versions = BTreeMap::new();
        let mut updated_ms = BTreeMap::new();
        for s in secrets {
            if s.name.starts_with(RESERVED_PREFIX) {
                continue;
            }
            if let Some(ms) = s.updated_ms {
                updated_ms.insert(s.name.clone(), ms);
            }
            let live = match s.digest {
                Some(d) => LiveValue::Digest(d),
                None => {
                    warnings.push(format!(
                        "secret {} was listed without a SHA-256 digest; its value cannot be compared",
                        s.name
                    ));
                    LiveValue::Unreadable
                }
            };
            variables.insert(s.name, live);
        }
        let mut live_functions = BTreeMap::new();
        for f in functions {
            match f.status.as_str() {
                "REMOVED" => continue,
                "THROTTLED" => warnings.push(format!(
                    "Edge Function {} is THROTTLED: it exceeded its plan's limits and may not serve requests",
                    f.slug
                )),
                _ => {}
            }
            versions.insert(
                format!("function:{}", f.slug),
                format!(
                    "version {} updated {} verify_jwt={}",
                    f.version, f.updated_at, f.verify_jwt
                ),
            );
            live_functions.insert(
                f.slug,
                LiveFunction {
                    verify_jwt: f.verify_jwt,
                },
            );
        }
        Ok(Snapshot {
            variables,
            functions: Some(live_functions),
            migrations,
            warnings,
            versions,
            updated_ms,
            handles: super::Handles::None,
        })
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// Secrets (one upsert), pruned secrets (one delete), function deploys
    /// and settings (four at a time), pruned functions. Each request changes
    /// a key from its old value to its new one in one step, so a failure
    /// between requests leaves every key with its old or its new value.
    /// `stop` is looked at before each request. Every bundle is read from
    /// disk before anything is sent, so a missing file writes nothing.
    pub async fn apply(&self, writes: &[Write], stop: &Stop) -> Result<(), ApplyFailure> {
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
        let mut done = Vec::new();
        let project = self.project_ref.as_str();

        let stopped = |done: &[usize]| ApplyFailure::stopped(&self.target, done);
        let sets = super::sets(writes);
        if !sets.is_empty() {
            if stop.requested() {
                return Err(stopped(&done));
            }
            let pairs: Vec<(&str, &Secret)> = sets.iter().map(|(_, n, v)| (*n, *v)).collect();
            self.api
                .upsert_secrets(project, &pairs)
                .await
                .map_err(|e| ApplyFailure::after(&done, self.error(e, "secrets:write")))?;
            done.extend(sets.iter().map(|(i, _, _)| *i));
        }

        let deletes = super::deletes(writes);
        if !deletes.is_empty() {
            if stop.requested() {
                return Err(stopped(&done));
            }
            let names: Vec<&str> = deletes.iter().map(|(_, n)| *n).collect();
            self.api
                .delete_secrets(project, &names)
                .await
                .map_err(|e| ApplyFailure::after(&done, self.error(e, "secrets:write")))?;
            done.extend(deletes.iter().map(|(i, _)| *i));
        }

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
            return Err(ApplyFailure::after(&done, error));
        }
        if skipped {
            return Err(stopped(&done));
        }

        for (i, write) in writes.iter().enumerate() {
            if let Write::DeleteFunction { slug } = write {
                if stop.requested() {
                    return Err(stopped(&done));
                }
                self.api.delete_function(project, slug).await.map_err(|e| {
                    ApplyFailure::after(&done, self.error(e, "edge_functions:write"))
                })?;
                done.push(i);
            }
        }
        Ok(())
    }

    /// An HTTP failure in the user's terms: what to do about it.
    fn error(&self, e: HttpError, permission: &str) -> ProviderError {
        hints::error(&self.target, &self.project_ref, e, permission)
    }
}
