//! The Vercel target: one project's environment variables for one Vercel
//! target (`production`, `preview` — optionally one git branch — or
//! `development`) or one custom environment ([`scope`]).
//!
//! Vercel keeps a key as one or more *records*, each for a set of targets.
//! envctl owns the records whose targets include its target and whose git
//! branch is its branch. A record shared with other targets is never
//! changed for them: apply first *splits* it (the record keeps the other
//! targets, envctl writes a record of its own), and the plan says so.
//!
//! Values: `plain` records are readable; `encrypted` ones, when needed,
//! are read all at once as `vercel env pull` reads them ([`pull`]);
//! `sensitive` ones can never be read. To know whether a value
//! is still the one it wrote without reading it, envctl keeps a tag in the
//! record's comment: `[envctl sha256:<digest> at:<ms>]`, the SHA-256 of the
//! value and the time it wrote it. If Vercel's `updatedAt` is close to that
//! time, the digest stands for the value; if the record was updated later,
//! someone changed it by hand, and the plan rewrites it. A value read
//! back (no tag, or a stale one) is marked in the snapshot's `untagged`;
//! where it equals the declared one, the next apply tags it, comment only
//! ([`tagging`]). See
//! `docs/platforms.md` for the trade-off. The comment's text before the
//! tag is the variable's `description:` when it has one.
//!
//! What apply needs from the read — the scope read, each owned record's
//! id, kind, targets and comment, and Vercel's clock skew — travels in the
//! snapshot as
//! [`Handles`]; the provider itself keeps nothing between read and apply.

mod aftercare;
pub mod api;
mod apply;
pub mod checks;
mod connect;
mod custom;
mod deploys;
pub mod detect;
pub mod dialect;
mod hints;
mod pull;
mod records;
mod scope;
pub mod settings;
mod tagging;
mod tags;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{LiveValue, ProviderError, Snapshot, ago, now_ms};
use crate::provider::http::HttpError;
use api::{Api, Record};
pub use connect::connect;
use envctl_core::secret::Secret;
pub use records::Handles;
use records::Owned;
use scope::Scope;
pub use settings::Settings;
use tags::{own_part, parse_tag};

/// How far Vercel's `updatedAt` may be from the time envctl wrote a value
/// (clock skew plus the request's own time) for the tag to still count.
pub const TAG_TOLERANCE_MS: i64 = super::CLOCK_TOLERANCE_MS;

/// How many decrypting reads run at once.
const READ_CONCURRENCY: usize = 8;

#[derive(Debug, Clone)]
pub struct VercelProvider {
    target: String,
    project: String,
    vercel_target: String,
    git_branch: Option<String>,
    /// Variables declared as secret references: written as `sensitive`.
    secrets: BTreeSet<String>,
    api: Api,
    /// Read every readable value (by id when encrypted) instead of trusting
    /// tags: for `import`, which needs the values themselves.
    read_values: bool,
    /// The declared `description:` of each variable that has one: written
    /// before the tag in the record's comment.
    descriptions: BTreeMap<String, String>,
}

impl VercelProvider {
    /// This provider, reading values rather than digests (see `read_values`).
    pub fn reading_values(mut self) -> VercelProvider {
        self.read_values = true;
        self
    }

    /// This provider, writing each variable's description before the tag.
    pub fn with_descriptions(mut self, descriptions: BTreeMap<String, String>) -> VercelProvider {
        self.descriptions = descriptions;
        self
    }

    pub fn new(
        target: &str,
        project: &str,
        vercel_target: &str,
        git_branch: Option<&str>,
        secrets: BTreeSet<String>,
        api: Api,
    ) -> VercelProvider {
        VercelProvider {
            target: target.to_string(),
            project: project.to_string(),
            vercel_target: vercel_target.to_string(),
            git_branch: git_branch.map(str::to_string),
            secrets,
            api,
            read_values: false,
            descriptions: BTreeMap::new(),
        }
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// The record type a value is written as: `sensitive` for a secret
    /// wherever Vercel allows it (not in `development`).
    fn wanted_kind(&self, key: &str) -> &'static str {
        if self.secrets.contains(key) && self.vercel_target != "development" {
            "sensitive"
        } else {
            "encrypted"
        }
    }

    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let scope = self.resolve_scope().await?;
        let asked = now_ms();
        let (records, server_ms) = self
            .api
            .list(&self.project, &scope.query())
            .await
            .map_err(|e| self.error(e))?;
        // `Date` has whole seconds; half the round trip is noise.
        let skew_ms = server_ms.map_or(0, |server| server - (asked + now_ms()) / 2);
        let mut warnings = Vec::new();
        let mut owned = BTreeMap::new();
        let mut variables = BTreeMap::new();
        let mut to_decrypt = Vec::new();
        let mut versions = BTreeMap::new();
        let mut updated_ms = BTreeMap::new();
        let mut descriptions = BTreeMap::new();
        let mut untagged = BTreeSet::new();
        for r in records.iter().filter(|r| scope.owns(r)) {
            versions.insert(
                format!("record:{}", r.key),
                format!(
                    "{} {} updated {}",
                    r.id,
                    r.kind,
                    r.updated_at.unwrap_or_default()
                ),
            );
            if let Some(ms) = r.updated_at {
                updated_ms.insert(r.key.clone(), ms);
            }
            if owned.contains_key(&r.key) {
                warnings.push(format!(
                    "{} has more than one record for this target; envctl compares the first",
                    r.key
                ));
                continue;
            }
            let record = Owned {
                id: r.id.clone(),
                kind: r.kind.clone(),
                targets: r.target.clone(),
                custom_ids: r.custom_environment_ids.clone(),
                comment: r.comment.clone().unwrap_or_default(),
            };
            if record.shared() {
                warnings.push(format!(
                    "{} is one record shared by {}: a change here splits it, and the other targets keep the current value",
                    r.key,
                    Scope::describe_set(&record.targets, &record.custom_ids)
                ));
            }
            let own = own_part(&record.comment);
            if !own.is_empty() {
                descriptions.insert(r.key.clone(), own);
            }
            match self.live_value(r) {
                Known::Value(v) => {
                    variables.insert(r.key.clone(), v);
                }
                Known::Decrypt => {
                    // Read rather than trusted: a tag written now spares
                    // later plans the read.
                    if !self.read_values {
                        untagged.insert(r.key.clone());
                    }
                    to_decrypt.push((r.key.clone(), r.id.clone()));
                }
            }
            owned.insert(r.key.clone(), record);
        }
        for (key, value) in self.read_encrypted(&scope, to_decrypt).await? {
            variables.insert(key, value);
        }
        Ok(Snapshot {
            variables,
            functions: None,
            migrations: None,
            settings: Default::default(),
            warnings,
            versions,
            updated_ms,
            descriptions,
            untagged,
            handles: super::Handles::new(Handles {
                scope: Some(scope),
                owned,
                skew_ms,
            }),
        })
    }

    /// What can be known of a record's value without another request.
    fn live_value(&self, r: &Record) -> Known {
        let secret = self.secrets.contains(&r.key);
        if secret && r.kind == "plain" {
            return Known::Value(LiveValue::Stale {
                why: "stored as plain text, which anyone on the project can read; it will be rewritten as sensitive"
                    .into(),
            });
        }
        if secret && r.kind == "encrypted" && self.wanted_kind(&r.key) == "sensitive" {
            return Known::Value(LiveValue::Stale {
                why: "stored as encrypted, which the dashboard reveals; it will be rewritten as sensitive"
                    .into(),
            });
        }
        if let Some((digest, at)) =
            parse_tag(r.comment.as_deref().unwrap_or("")).filter(|_| !self.read_values)
        {
            let updated = r.updated_at.unwrap_or(at);
            if (updated - at).abs() <= TAG_TOLERANCE_MS {
                return Known::Value(LiveValue::Digest(digest));
            }
            if r.kind == "sensitive" {
                return Known::Value(LiveValue::Stale {
                    why: format!(
                        "changed outside envctl: updated {} after envctl wrote it, and sensitive values cannot be read",
                        ago(updated - at)
                    ),
                });
            }
        }
        match (r.kind.as_str(), &r.value) {
            ("plain", Some(v)) => Known::Value(LiveValue::Plain(Secret::new(v.clone()))),
            ("sensitive", _) => Known::Value(LiveValue::Unreadable),
            _ => Known::Decrypt,
        }
    }

    /// Reads the named `encrypted` records' values: all at once with one
    /// pull of the target's values, as `vercel env pull` does; by id the
    /// ones the pull did not show, or every one if the pull failed. A single
    /// record is read by id, which shows no other value.
    async fn read_encrypted(
        &self,
        scope: &Scope,
        wanted: Vec<(String, String)>,
    ) -> Result<Vec<(String, LiveValue)>, ProviderError> {
        if wanted.len() < 2 {
            return self.decrypt(wanted).await;
        }
        let Ok(mut pulled) = self.api.pull(&self.project, scope).await else {
            return self.decrypt(wanted).await;
        };
        let mut out = Vec::new();
        let mut rest = Vec::new();
        for (key, id) in wanted {
            match pulled.take(&key) {
                Some(value) => out.push((key, LiveValue::Readable(value))),
                None => rest.push((key, id)),
            }
        }
        drop(pulled);
        out.extend(self.decrypt(rest).await?);
        Ok(out)
    }

    /// Reads the named records' values by id, a few at a time.
    async fn decrypt(
        &self,
        wanted: Vec<(String, String)>,
    ) -> Result<Vec<(String, LiveValue)>, ProviderError> {
        let limit = Arc::new(Semaphore::new(READ_CONCURRENCY));
        let mut tasks = JoinSet::new();
        for (key, id) in wanted {
            let (api, project, limit) = (self.api.clone(), self.project.clone(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("never closed");
                (key, api.read_value(&project, &id).await)
            });
        }
        let mut out = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let (key, result) = joined.expect("read tasks do not panic");
            let value = result.map_err(|e| self.error(e))?;
            out.push((
                key,
                value.map_or(LiveValue::Unreadable, LiveValue::Readable),
            ));
        }
        Ok(out)
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// An HTTP failure in the user's terms: what to do about it.
    fn error(&self, e: HttpError) -> ProviderError {
        hints::error(&self.target, &self.project, e)
    }
}

enum Known {
    Value(LiveValue),
    /// An `encrypted` record whose value must be read by id.
    Decrypt,
}
