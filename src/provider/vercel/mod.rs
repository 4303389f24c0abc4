//! The Vercel target: one project's environment variables for one Vercel
//! target (`production`, `preview` — optionally one git branch — or
//! `development`).
//!
//! Vercel keeps a key as one or more *records*, each for a set of targets.
//! envctl owns the records whose targets include its target and whose git
//! branch is its branch. A record shared with other targets is never
//! changed for them: apply first *splits* it (the record keeps the other
//! targets, envctl writes a record of its own), and the plan says so.
//!
//! Values: `plain` records are readable; `encrypted` ones are read by id
//! when needed; `sensitive` ones can never be read. To know whether a value
//! is still the one it wrote without reading it, envctl keeps a tag in the
//! record's comment: `[envctl sha256:<digest> at:<ms>]`, the SHA-256 of the
//! value and the time it wrote it. If Vercel's `updatedAt` is close to that
//! time, the digest stands for the value; if the record was updated later,
//! someone changed it by hand, and the plan rewrites it. See
//! `docs/vercel.md` for the trade-off.
//!
//! What apply needs from the read — each owned record's id, kind, targets
//! and comment, and Vercel's clock skew — travels in the snapshot as
//! [`Handles`]; the provider itself keeps nothing between read and apply.

pub mod api;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use regex::Regex;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{ApplyFailure, LiveValue, ProviderError, Snapshot, Stop, Write, ago, now_ms};
use crate::http::{Failure, HttpError, Policy};
use crate::secret::{Fingerprint, Secret};
use api::{Api, NewRecord, Record};

/// How far Vercel's `updatedAt` may be from the time envctl wrote a value
/// (clock skew plus the request's own time) for the tag to still count.
pub const TAG_TOLERANCE_MS: i64 = super::CLOCK_TOLERANCE_MS;

/// How many decrypting reads run at once.
const READ_CONCURRENCY: usize = 8;

/// What apply needs from the read it plans from: [`super::Handles::Vercel`].
#[derive(Debug, Clone, Default)]
pub struct Handles {
    /// The record envctl compared for each key this target owns.
    owned: BTreeMap<String, Owned>,
    /// Vercel's clock minus ours: tags are written in Vercel's time, so a
    /// skewed local clock cannot fake a hand edit. 0 when Vercel sent no
    /// `Date`.
    skew_ms: i64,
}

/// One record envctl owns, as read.
#[derive(Clone, Default)]
struct Owned {
    id: String,
    kind: String,
    targets: Vec<String>,
    /// Kept whole, so apply keeps the user's part; it holds envctl's tag,
    /// an unkeyed digest of the value, so `Debug` shows only the tag's
    /// keyed form.
    comment: String,
}

impl fmt::Debug for Owned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Owned")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("targets", &self.targets)
            .field("tag", &parse_tag(&self.comment))
            .field("comment_len", &self.comment.len())
            .finish()
    }
}

impl Owned {
    fn shared(&self) -> bool {
        self.targets.len() > 1
    }
}

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
}

impl VercelProvider {
    /// This provider, reading values rather than digests (see `read_values`).
    pub fn reading_values(mut self) -> VercelProvider {
        self.read_values = true;
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
        }
    }

    /// The client from `VERCEL_TOKEN` and `ENVCTL_VERCEL_API_URL`.
    pub fn api_from_env(team: Option<&str>) -> Result<Api, String> {
        let token = crate::keyring::token(
            api::TOKEN_VAR,
            "vercel",
            "Vercel token",
            "https://vercel.com/account/tokens",
        )?;
        let base = std::env::var(api::URL_VAR).unwrap_or_else(|_| api::DEFAULT_URL.to_string());
        Api::new(&base, token, team.map(str::to_string), Policy::from_env())
            .map_err(|e| format!("{}: {e}", api::URL_VAR))
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// Whether apply changes what running deployments see only after a
    /// redeploy (production and preview builds bake variables in).
    pub fn needs_redeploy(&self) -> bool {
        self.vercel_target != "development"
    }

    pub fn is_production(&self) -> bool {
        self.vercel_target == "production"
    }

    /// The record type a value is written as.
    fn wanted_kind(&self, key: &str) -> &'static str {
        if self.secrets.contains(key) && self.vercel_target != "development" {
            "sensitive"
        } else {
            "encrypted"
        }
    }

    fn ours(&self, r: &Record) -> bool {
        r.kind != "system"
            && r.target.contains(&self.vercel_target)
            && r.git_branch.as_deref().filter(|b| !b.is_empty()) == self.git_branch.as_deref()
    }

    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let asked = now_ms();
        let (records, server_ms) = self
            .api
            .list(
                &self.project,
                &self.vercel_target,
                self.git_branch.as_deref(),
            )
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
        for r in records.iter().filter(|r| self.ours(r)) {
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
                comment: r.comment.clone().unwrap_or_default(),
            };
            if record.shared() {
                warnings.push(format!(
                    "{} is one record shared by {}: a change here splits it, and the other targets keep the current value",
                    r.key,
                    record.targets.join(", ")
                ));
            }
            match self.live_value(r) {
                Known::Value(v) => {
                    variables.insert(r.key.clone(), v);
                }
                Known::Decrypt => to_decrypt.push((r.key.clone(), r.id.clone())),
            }
            owned.insert(r.key.clone(), record);
        }
        for (key, value) in self.decrypt(to_decrypt).await? {
            variables.insert(key, value);
        }
        Ok(Snapshot {
            variables,
            functions: None,
            migrations: None,
            warnings,
            versions,
            updated_ms,
            handles: super::Handles::new(Handles { owned, skew_ms }),
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

    /// Splits shared records, then creates/updates every value in one
    /// request, then deletes in one request. A key Vercel refuses is
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
        let owned = &handles.owned;
        let mut done = Vec::new();
        for write in writes {
            if let Write::SetFunction { .. } | Write::DeleteFunction { .. } = write {
                return Err(ApplyFailure::nothing(self.failure(
                    "apply",
                    "a Vercel project holds no Edge Functions".into(),
                )));
            }
        }
        if stop.requested() {
            return Err(ApplyFailure::stopped(&self.target, &done));
        }

        // 1. Split shared records: they keep every other target. A set's
        //    split is undone below if its create does not happen.
        let mut split = BTreeSet::new();
        let mut narrowed: Vec<(&str, &Owned)> = Vec::new();
        for (i, write) in writes.iter().enumerate() {
            let name = match write {
                Write::Set { name, .. } | Write::Delete { name } => name,
                _ => continue,
            };
            let Some(record) = owned.get(name).filter(|r| r.shared()) else {
                continue;
            };
            let others: Vec<String> = record
                .targets
                .iter()
                .filter(|t| **t != self.vercel_target)
                .cloned()
                .collect();
            if let Err(e) = self
                .api
                .set_targets(&self.project, &record.id, name, &others)
                .await
            {
                let failure = ApplyFailure::after(&done, self.error(e));
                return Err(self.undo_splits(&narrowed, failure).await);
            }
            split.insert(name.clone());
            match write {
                // Taking our target off the record is the delete.
                Write::Delete { .. } => done.push(i),
                _ => narrowed.push((name.as_str(), record)),
            }
        }

        // 2. Every value in one request. Upsert updates a record of
        //    exactly this scope; a split key gets a new record.
        let now = now_ms() + handles.skew_ms;
        let sets = super::sets(writes);
        if !sets.is_empty() {
            let records: Vec<NewRecord> = sets
                .iter()
                .map(|(_, name, value)| {
                    let existing = owned.get(*name).filter(|_| !split.contains(*name));
                    // Sensitive is one-way on Vercel; never downgrade.
                    let kind = match existing {
                        Some(r) if r.kind == "sensitive" => "sensitive",
                        _ => self.wanted_kind(name),
                    };
                    let comment = with_tag(
                        existing.map_or("", |r| r.comment.as_str()),
                        &value.fingerprint(),
                        now,
                    );
                    NewRecord {
                        key: name,
                        value: value.expose(),
                        kind,
                        target: vec![self.vercel_target.as_str()],
                        git_branch: self.git_branch.as_deref(),
                        comment,
                    }
                })
                .collect();
            let refused = match self.api.create(&self.project, &records).await {
                Ok(refused) => refused,
                Err(e) => {
                    let failure = ApplyFailure::after(&done, self.error(e));
                    return Err(self.undo_splits(&narrowed, failure).await);
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
            if !refused.is_empty() {
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
                let failure = ApplyFailure::after(
                    &done,
                    self.failure(
                        "create environment variables",
                        format!(
                            "project {}: Vercel refused {}",
                            self.project,
                            reasons.join("; ")
                        ),
                    ),
                );
                let not_created: Vec<(&str, &Owned)> = narrowed
                    .iter()
                    .filter(|(name, _)| !created(name))
                    .copied()
                    .collect();
                return Err(self.undo_splits(&not_created, failure).await);
            }
        }

        // 3. Deletes of records that are envctl's alone, in one request.
        let deletes: Vec<(usize, &str)> = super::deletes(writes)
            .into_iter()
            .filter(|(_, name)| !split.contains(*name))
            .filter_map(|(i, name)| owned.get(name).map(|r| (i, r.id.as_str())))
            .collect();
        if !deletes.is_empty() {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, &done));
            }
            let ids: Vec<&str> = deletes.iter().map(|(_, id)| *id).collect();
            self.api
                .delete(&self.project, &ids)
                .await
                .map_err(|e| ApplyFailure::after(&done, self.error(e)))?;
            done.extend(deletes.iter().map(|(i, _)| *i));
        }
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
            let undone = self
                .api
                .set_targets(&self.project, &record.id, name, &record.targets)
                .await;
            if undone.is_err() {
                left_without.push((*name).to_string());
            }
        }
        failure.left_without = left_without.into();
        failure
    }

    /// Redeploys the latest production deployment; its URL, or `None` when
    /// the project has never been deployed to production.
    pub async fn redeploy(&self) -> Result<Option<String>, ProviderError> {
        self.api
            .redeploy_production(&self.project)
            .await
            .map_err(|e| self.error(e))
    }

    fn failure(&self, operation: &str, message: String) -> ProviderError {
        ProviderError {
            target: self.target.clone(),
            operation: operation.to_string(),
            message,
        }
    }

    fn error(&self, e: HttpError) -> ProviderError {
        let project = &self.project;
        let hint = match e.failure {
            Failure::Unauthorized | Failure::Forbidden => format!(
                "the token in {} was refused, or may not act for this project's team: create one at https://vercel.com/account/tokens with access to the team, and check `team` in the environment file",
                api::TOKEN_VAR
            ),
            Failure::NotFound => format!(
                "no project `{project}` is visible with this token and team: check `project` and `team` in the environment file"
            ),
            Failure::RateLimited => {
                "Vercel kept rate limiting; wait a minute and run again".to_string()
            }
            Failure::Server => {
                "Vercel had a server error; try again later, or check https://www.vercel-status.com"
                    .to_string()
            }
            Failure::Network => format!(
                "could not reach the Vercel API (set {} only to point at a different API)",
                api::URL_VAR
            ),
            Failure::Rejected => String::new(),
        };
        ProviderError::from_http(&self.target, project, e, &hint)
    }
}

enum Known {
    Value(LiveValue),
    /// An `encrypted` record whose value must be read by id.
    Decrypt,
}

fn tag_pattern() -> &'static Regex {
    static TAG: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    TAG.get_or_init(|| {
        Regex::new(r"\[envctl sha256:([0-9a-f]{64}) at:(\d{1,16})\]").expect("valid pattern")
    })
}

/// The digest and write time of envctl's tag in a comment.
fn parse_tag(comment: &str) -> Option<(Fingerprint, i64)> {
    let caps = tag_pattern().captures(comment)?;
    Some((Fingerprint::from_hex(&caps[1])?, caps[2].parse().ok()?))
}

/// The user's own comment, with envctl's tag replaced.
fn with_tag(comment: &str, digest: &Fingerprint, at: i64) -> String {
    let own = tag_pattern().replace_all(comment, "");
    let own = own.trim();
    let tag = format!("[envctl sha256:{} at:{at}]", digest.hex());
    if own.is_empty() {
        tag
    } else {
        format!("{own} {tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_round_trips_and_keeps_the_users_comment() {
        let fp = Fingerprint::of("value");
        let c = with_tag("rotated by ops", &fp, 1_700_000_000_000);
        assert_eq!(parse_tag(&c), Some((fp.clone(), 1_700_000_000_000)));
        assert!(c.starts_with("rotated by ops ["), "{c}");
        let again = with_tag(&c, &Fingerprint::of("other"), 5);
        assert_eq!(again.matches("[envctl").count(), 1, "{again}");
        assert!(again.starts_with("rotated by ops"), "{again}");
        assert_eq!(parse_tag("no tag here"), None);
        assert_eq!(parse_tag("[envctl sha256:zz at:1]"), None);
    }

    #[test]
    fn handles_debug_shows_no_unkeyed_digest() {
        let fp = Fingerprint::of("value");
        let handles = Handles {
            owned: BTreeMap::from([(
                "A".to_string(),
                Owned {
                    id: "env_1".into(),
                    kind: "encrypted".into(),
                    targets: vec!["production".into()],
                    comment: with_tag("mine", &fp, 5),
                },
            )]),
            skew_ms: 0,
        };
        let shown = format!("{handles:?}");
        assert!(shown.contains("env_1"), "{shown}");
        assert!(!shown.contains(fp.hex()), "{shown}");
    }
}
