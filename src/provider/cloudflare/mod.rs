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

pub mod api;
pub mod record;

use std::collections::{BTreeMap, BTreeSet};

use super::{AppliedMigration, ApplyFailure, LiveValue, ProviderError, Snapshot, Write};
use crate::http::{Failure, HttpError, Policy};
use crate::secret::{Fingerprint, Secret};
use api::{Api, Change};
use record::Record;

/// A D1 database whose migration history a plan reads.
#[derive(Debug, Clone)]
pub struct D1 {
    pub database_id: String,
    /// The history table (an identifier checked when loading).
    pub table: String,
}

/// What apply needs from the read it plans from:
/// [`super::Handles::Cloudflare`]. Digests show keyed in `Debug`.
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

    /// The client from `CLOUDFLARE_API_TOKEN`, `ENVCTL_CLOUDFLARE_API_URL`,
    /// and the account: `account_id` from the target, else
    /// `CLOUDFLARE_ACCOUNT_ID`.
    pub fn api_from_env(account_id: Option<&str>) -> Result<Api, String> {
        let token = crate::keyring::token(
            api::TOKEN_VAR,
            "cloudflare",
            "Cloudflare API token",
            "https://dash.cloudflare.com/profile/api-tokens with Account › Cloudflare Pages › Edit, and D1 › Edit for a D1 database",
        )?;
        let account = match account_id {
            Some(a) => a.to_string(),
            None => {
                let from_env = std::env::var(api::ACCOUNT_VAR).unwrap_or_default();
                let from_env = from_env.trim();
                if from_env.is_empty() {
                    return Err(format!(
                        "no Cloudflare account: set `account_id` on the target, or {} (the 32 hex digits in https://dash.cloudflare.com/<account id>)",
                        api::ACCOUNT_VAR
                    ));
                }
                if !crate::config::is_account_id(from_env) {
                    return Err(format!(
                        "{} is not a Cloudflare account id: expected 32 hex digits",
                        api::ACCOUNT_VAR
                    ));
                }
                from_env.to_string()
            }
        };
        let base = std::env::var(api::URL_VAR).unwrap_or_else(|_| api::DEFAULT_URL.to_string());
        Api::new(&base, token, &account, Policy::from_env())
            .map_err(|e| format!("{}: {e}", api::URL_VAR))
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// Whether this target is a project's production environment.
    pub fn is_production(&self) -> bool {
        self.environment == "production"
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
            .and_then(crate::http::parse_rfc3339);
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
        let mut verified = BTreeMap::new();
        let mut variables = BTreeMap::new();
        for (name, var) in &config.env_vars {
            let Some(var) = var else { continue };
            if name == record::NAME {
                continue;
            }
            let secret = self.secrets.contains(name);
            let recorded = record.as_ref().and_then(|r| r.digests.get(name));
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
            Err(e) => Err(self.d1_error(d1, e)),
        }
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

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
            return Err(ApplyFailure::nothing(ProviderError {
                target: self.target.clone(),
                operation: "apply".into(),
                message: "a Cloudflare Pages project holds no Supabase Edge Functions".into(),
            }));
        }
        let sets = super::sets(writes);
        let deletes = super::deletes(writes);
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
        let at = super::now_ms() + handles.skew_ms;
        let record = self.record_after(&handles.recorded, &sets, &deletes, at);
        if let Some(text) = &record
            && text.expose().len() > record::MAX_LEN
        {
            return Err(ApplyFailure::nothing(ProviderError {
                target: self.target.clone(),
                operation: "apply".into(),
                message: format!(
                    "the record of this environment's secrets ({}) would exceed Cloudflare's {} bytes for one variable: too many secrets for one deployment environment; nothing was written",
                    record::NAME,
                    record::MAX_LEN
                ),
            }));
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
        (!digests.is_empty()).then(|| Secret::new(Record { at, digests }.render()))
    }

    fn kind_of(&self, name: &str) -> &'static str {
        if self.secrets.contains(name) {
            api::SECRET
        } else {
            api::PLAIN
        }
    }

    /// A Pages failure in the user's terms. Cloudflare answers a token it
    /// does not accept, a token without the permission, and an account the
    /// token was not made for alike (403, code 10000), so the hint names
    /// all three.
    fn error(&self, e: HttpError) -> ProviderError {
        let project = &self.project;
        let account = self.api.account();
        let hint = match (e.code.as_deref(), e.failure) {
            (Some("8000007"), _) | (None, Failure::NotFound) => format!(
                "account {account} has no Pages project `{project}`: check `project` (the name in <name>.pages.dev) and the account id"
            ),
            (Some("10000" | "10001" | "9109" | "1000" | "6003" | "6111"), _)
            | (_, Failure::Unauthorized | Failure::Forbidden) => format!(
                "Cloudflare refused the token in {} for account {account}: it must be valid and active, be made for this account (check `account_id` or {}), and hold Account › Cloudflare Pages › Edit",
                api::TOKEN_VAR,
                api::ACCOUNT_VAR
            ),
            (Some("7003" | "7000"), _) => format!(
                "Cloudflare could not route the request: check the account id `{account}` (32 hex digits) and the project name"
            ),
            (_, failure) => self.generic_hint(failure),
        };
        ProviderError::from_http(&self.target, project, e, &hint)
    }

    fn d1_error(&self, d1: &D1, e: HttpError) -> ProviderError {
        let account = self.api.account();
        let db = &d1.database_id;
        let hint = match (e.code.as_deref(), e.failure) {
            (Some("10000" | "10001" | "9109" | "1000" | "6003" | "6111"), _)
            | (_, Failure::Unauthorized | Failure::Forbidden) => format!(
                "Cloudflare refused the token in {} for D1 in account {account}: it needs Account › D1 › Edit (the query endpoint's permission) as well as Cloudflare Pages › Edit",
                api::TOKEN_VAR
            ),
            (Some("7003" | "7000" | "7404"), _) | (None, Failure::NotFound) => format!(
                "account {account} has no D1 database {db}: check `database_id` (`wrangler d1 list` shows it)"
            ),
            (_, failure) => self.generic_hint(failure),
        };
        let mut message = format!("d1 database {db}: {e}");
        if !hint.is_empty() {
            message.push_str(&format!("\n  help: {hint}"));
        }
        ProviderError {
            target: self.target.clone(),
            operation: e.operation,
            message,
        }
    }

    fn generic_hint(&self, failure: Failure) -> String {
        match failure {
            Failure::RateLimited => {
                "Cloudflare kept rate limiting (1,200 requests per 5 minutes per user); wait and run again".to_string()
            }
            Failure::Server => {
                "Cloudflare had a server error; try again later, or check https://www.cloudflarestatus.com".to_string()
            }
            Failure::Network => format!(
                "could not reach the Cloudflare API (set {} only to point at a different API)",
                api::URL_VAR
            ),
            _ => String::new(),
        }
    }
}
