//! The Cloudflare target: a Pages project's environment variables for one
//! deployment environment (`production` or `preview`), and, when a D1
//! database is configured, its migration history as wrangler records it.
//!
//! A plan costs one `GET` of the project (both environments come in it)
//! and one D1 query, whatever the number of variables; an apply is one
//! `PATCH` with merge semantics: listed keys are set, keys sent as `null`
//! are deleted, the rest stay as they are.
//!
//! Values: `plain_text` variables are readable. `secret_text` ones are
//! write-only, and Cloudflare keeps no per-variable comment or timestamp
//! envctl could tag (as it does on Vercel), so envctl keeps a record of
//! the secrets it wrote in one variable of its own ([`record`]). A secret
//! in the record is verified while the project has not changed since; one
//! outside it is `unknown` until `apply --adopt` writes it.
//! `docs/platforms.md` says so to the user.
//!
//! What apply needs from the read — the environment's
//! `wrangler_config_hash`, the secrets the record verified, the other
//! environments' records to refresh, and Cloudflare's clock skew — travels
//! in the snapshot as [`Handles`]; the provider keeps nothing between read
//! and apply.

mod aftercare;
pub mod api;
mod apply;
pub mod checks;
mod connect;
mod d1;
mod deploys;
pub mod detect;
pub mod dialect;
mod hints;
pub mod record;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet};

use super::{AppliedMigration, LiveValue, ProviderError, Snapshot};
use crate::provider::http::{Failure, HttpError};
use api::Api;
pub use connect::connect;
use envctl_core::secret::{Fingerprint, Secret};
use record::Record;
pub use settings::Settings;

/// A D1 database whose migration history a plan reads.
#[derive(Debug, Clone)]
pub struct D1 {
    pub database_id: String,
    /// The history table (an identifier checked when loading).
    pub table: String,
    /// The migrations folder, relative to the project root.
    pub dir: String,
}

/// What apply needs from the read it plans from:
/// [`super::Handles`]. Digests show keyed in `Debug`.
#[derive(Debug, Clone, Default)]
pub struct Handles {
    /// The environment's `wrangler_config_hash`, sent back with the PATCH.
    config_hash: Option<String>,
    /// The secrets verified through envctl's record.
    recorded: BTreeMap<String, Fingerprint>,
    /// Whether a record was there (an apply that empties it deletes it).
    had_record: bool,
    /// Cloudflare's clock minus this machine's; 0 when it sent no `Date`.
    skew_ms: i64,
    /// The other deployment environments' records that still held:
    /// refreshed by every PATCH.
    others: Vec<(String, Record)>,
}

#[derive(Debug, Clone)]
pub struct CloudflareProvider {
    target: String,
    project: String,
    environment: String,
    /// Variables declared as secret references: written as `secret_text`.
    secrets: BTreeSet<String>,
    api: Api,
    d1: Option<D1>,
}

impl CloudflareProvider {
    pub fn new(
        target: &str,
        project: &str,
        environment: &str,
        secrets: BTreeSet<String>,
        api: Api,
        d1: Option<D1>,
    ) -> CloudflareProvider {
        CloudflareProvider {
            target: target.to_string(),
            project: project.to_string(),
            environment: environment.to_string(),
            secrets,
            api,
            d1,
        }
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// The project and the D1 history, read at once.
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let asked = super::now_ms();
        let (project, history) = tokio::join!(self.api.project(&self.project), self.history());
        let project = project.map_err(|e| self.error(e))?;
        // The record's time is written in Cloudflare's clock, as
        // `modified_on` is; `Date` has whole seconds.
        let skew_ms = project
            .server_ms
            .map_or(0, |server| server - (asked + super::now_ms()) / 2);
        let (migrations, mut warnings) = history?;
        let config = project.config(&self.environment);
        let record_of = |config: &api::DeploymentConfig| {
            config
                .env_vars
                .get(record::NAME)
                .and_then(|v| v.as_ref()?.value.as_deref())
                .and_then(Record::parse)
        };
        let record = record_of(&config);
        let modified = project
            .modified_on
            .as_deref()
            .and_then(crate::provider::http::parse_rfc3339);
        // Changed after envctl's last write: what it recorded may be gone.
        let changed_since = match (&record, modified) {
            (Some(r), Some(m)) if !r.holds(Some(m)) => Some(m - r.at),
            _ => None,
        };
        // The other environment's record, if it still holds: this target's
        // PATCH moves `modified_on` too, so it must move that record's time.
        let others: Vec<(String, Record)> = project
            .deployment_configs
            .iter()
            .filter(|(env, _)| **env != self.environment)
            .filter_map(|(env, config)| Some((env.clone(), record_of(config.as_ref()?)?)))
            .filter(|(_, r)| r.holds(modified))
            .collect();
        if record.is_some() && modified.is_none() {
            warnings.push(format!(
                "Cloudflare did not say when project {} last changed: a secret changed by hand since envctl wrote it would not be seen",
                self.project
            ));
        }
        let (variables, verified) =
            self.variables(&config, record.as_ref(), changed_since, &mut warnings);
        Ok(Snapshot {
            variables,
            migrations,
            warnings,
            handles: super::Handles::new(Handles {
                config_hash: config.wrangler_config_hash.clone(),
                recorded: verified,
                had_record: record.is_some(),
                skew_ms,
                others,
            }),
            ..Default::default()
        })
    }

    /// The environment's variables as live values, and the secrets envctl's
    /// record verified. `changed_since`: how long after the record's time
    /// the project changed, when it did.
    fn variables(
        &self,
        config: &api::DeploymentConfig,
        record: Option<&Record>,
        changed_since: Option<i64>,
        warnings: &mut Vec<String>,
    ) -> (BTreeMap<String, LiveValue>, BTreeMap<String, Fingerprint>) {
        let mut verified = BTreeMap::new();
        let mut variables = BTreeMap::new();
        for (name, var) in &config.env_vars {
            let Some(var) = var else { continue };
            if name == record::NAME {
                continue;
            }
            let secret = self.secrets.contains(name);
            let recorded = record.and_then(|r| r.digests.get(name));
            let live = match (var.kind.as_str(), secret) {
                (api::SECRET, _) if recorded.is_some() && changed_since.is_some() => {
                    LiveValue::Stale {
                        why: format!(
                            "the project changed {} after envctl last wrote its secrets, and Cloudflare does not show secret_text values: it will be written again",
                            super::ago(changed_since.unwrap_or_default())
                        ),
                    }
                }
                (api::SECRET, _) if recorded.is_some() => {
                    let digest = recorded.cloned().expect("checked");
                    verified.insert(name.clone(), digest.clone());
                    LiveValue::Digest(digest)
                }
                (api::PLAIN, true) => LiveValue::Stale {
                    why: "stored as plain_text, which anyone with access to the project can read; it will be rewritten as secret_text".into(),
                },
                (api::PLAIN, false) => {
                    LiveValue::Plain(Secret::new(var.value.clone().unwrap_or_default()))
                }
                (api::SECRET, _) => LiveValue::Unreadable,
                (other, _) => {
                    warnings.push(format!(
                        "{name} has type `{other}`, which envctl does not know; its value cannot be compared"
                    ));
                    LiveValue::Unreadable
                }
            };
            variables.insert(name.clone(), live);
        }
        (variables, verified)
    }

    /// The applied migrations' names in the order wrangler applied them;
    /// `None` without a D1 database. A database wrangler never migrated
    /// has no history table yet: everything is pending.
    async fn history(&self) -> Result<(Option<Vec<AppliedMigration>>, Vec<String>), ProviderError> {
        let Some(d1) = &self.d1 else {
            return Ok((None, Vec::new()));
        };
        let sql = format!("SELECT name FROM {} ORDER BY id", d1.table);
        match self.api.d1_query(&d1.database_id, &sql).await {
            Ok(rows) => Ok((
                Some(
                    rows.iter()
                        .filter_map(|r| r.get("name").and_then(|n| n.as_str()))
                        .map(AppliedMigration::from)
                        .collect(),
                ),
                Vec::new(),
            )),
            Err(e) if e.failure == Failure::Rejected && e.message.contains("no such table") => {
                Ok((
                    Some(Vec::new()),
                    vec![format!(
                        "D1 database {} has no {} table yet: no migration was ever applied with wrangler",
                        d1.database_id, d1.table
                    )],
                ))
            }
            Err(e) => Err(hints::d1_error(&self.target, d1, self.api.account(), e)),
        }
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    fn error(&self, e: HttpError) -> ProviderError {
        hints::pages_error(&self.target, &self.project, self.api.account(), e)
    }

    fn kind_of(&self, name: &str) -> &'static str {
        if self.secrets.contains(name) {
            api::SECRET
        } else {
            api::PLAIN
        }
    }
}
