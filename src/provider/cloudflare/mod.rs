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
//! envctl could tag (as it does on Vercel), so a secret that exists is
//! planned as `unknown`: envctl sees a secret added, removed, or turned
//! into plain text by hand, but not a secret's value changed by hand.
//! `docs/platforms.md` says so to the user.

pub mod api;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use super::{AppliedMigration, ApplyFailure, LiveValue, ProviderError, Snapshot, Write};
use crate::http::{Failure, HttpError, Policy};
use crate::secret::Secret;
use api::{Api, Change};

/// A D1 database whose migration history a plan reads.
#[derive(Debug, Clone)]
pub struct D1 {
    pub database_id: String,
    /// The history table (an identifier checked when loading).
    pub table: String,
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
    /// The environment's `wrangler_config_hash` from the last read.
    config_hash: Arc<Mutex<Option<String>>>,
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
            config_hash: Arc::default(),
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
        let (project, history) = tokio::join!(self.api.project(&self.project), self.history());
        let project = project.map_err(|e| self.error(e))?;
        let (migrations, mut warnings) = history?;
        let config = project.config(&self.environment);
        *self.config_hash.lock().unwrap_or_else(|e| e.into_inner()) =
            config.wrangler_config_hash.clone();
        let mut variables = BTreeMap::new();
        for (name, var) in &config.env_vars {
            let Some(var) = var else { continue };
            let secret = self.secrets.contains(name);
            let live = match (var.kind.as_str(), secret) {
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

    /// Every set and delete in one PATCH: all done, or nothing.
    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    pub async fn apply(&self, writes: &[Write]) -> Result<(), ApplyFailure> {
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
        let changes: Vec<Change> = sets
            .iter()
            .map(|(_, name, value)| Change {
                name,
                set: Some((self.kind_of(name), *value)),
            })
            .chain(deletes.iter().map(|(_, name)| Change { name, set: None }))
            .collect();
        let hash = self
            .config_hash
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.api
            .patch_env_vars(&self.project, &self.environment, &changes, hash.as_deref())
            .await
            .map_err(|e| ApplyFailure::nothing(self.error(e)))
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
