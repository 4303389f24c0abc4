//! The Netlify target: a site's environment variables for one deploy
//! context (docs.netlify.com/environment-variables/overview).
//!
//! A Netlify variable holds a value per deploy context (or one for all);
//! a target reads them all in one request and edits only its own context's
//! value ([`context`]), so several targets — production, deploy previews,
//! a branch — share a site without touching each other's values. Scopes
//! (`builds`, `functions`, `runtime`, `post-processing`) belong to the
//! variable; a variable whose scopes are not the target's is a change.
//!
//! Values: plain variables are readable. A variable declared as a secret
//! reference is created `is_secret`, whose values Netlify shows only in the
//! `dev` context; it says when each variable last changed (`updated_at`,
//! one time for all its contexts), so envctl keeps its digest record in a
//! variable of its own, one value per context ([`record`]): a secret it
//! names is verified until the variable's `updated_at` moves past it; one
//! it does not name is unknown until `apply --adopt` writes it.
//!
//! What apply needs from the read — the site's id and account, every
//! variable with its values and value ids, the records of every context,
//! Netlify's clock skew — travels in the snapshot as [`Handles`].

mod aftercare;
pub mod api;
mod apply;
pub mod checks;
mod connect;
pub mod context;
pub mod detect;
pub mod dialect;
mod hints;
mod locate;
pub mod record;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet};

use super::{LiveValue, ProviderError, Snapshot, ago};
use crate::provider::http::parse_rfc3339;
use api::{Api, EnvVar};
pub use connect::connect;
use context::{Context, Source};
use envctl_core::model::record::{Record, Verdict, verify};
use envctl_core::secret::Secret;
use hints::Need;
pub use settings::Settings;

/// Every scope, in Netlify's order: the default of a variable.
pub const ALL_SCOPES: [&str; 4] = ["builds", "functions", "runtime", "post-processing"];

/// What apply needs from the read it plans from: [`super::Handles`].
/// Values show only as ids in `Debug`.
#[derive(Debug, Clone, Default)]
pub struct Handles {
    site_id: String,
    /// The account's slug (or id) for `/accounts/{account_id}/env`.
    account: String,
    /// Every variable of the site but the record, with all its values.
    vars: BTreeMap<String, EnvVar>,
    /// The record variable, with every context's record.
    record: Option<EnvVar>,
    /// When each variable last changed (Netlify's clock).
    updated: BTreeMap<String, i64>,
    /// Netlify's clock minus this machine's; 0 when it sent no `Date`.
    skew_ms: i64,
}

#[derive(Debug, Clone)]
pub struct NetlifyProvider {
    target: String,
    site: String,
    account: Option<String>,
    context: Context,
    scopes: Option<Vec<String>>,
    /// Declared as secret references: created `is_secret`.
    secrets: BTreeSet<String>,
    api: Api,
}

impl NetlifyProvider {
    /// `settings` were checked when the files were loaded; a context that
    /// is not one is refused by [`connect`].
    pub fn new(
        target: &str,
        settings: &Settings,
        context: Context,
        secrets: BTreeSet<String>,
        api: Api,
    ) -> NetlifyProvider {
        NetlifyProvider {
            target: target.to_string(),
            site: settings.site.clone(),
            account: settings.account.clone(),
            context,
            scopes: settings.scopes.clone(),
            secrets,
            api,
        }
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// The site, then every variable of it, in one list.
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let (located, listed) = self.locate_and_list().await?;
        let mut snapshot = Snapshot::default();
        let mut handles = Handles {
            site_id: located.site_id,
            account: located.account,
            skew_ms: listed.skew_ms.unwrap_or(0),
            ..Handles::default()
        };
        for var in listed.items {
            if let Some(ms) = var.updated_at.as_deref().and_then(parse_rfc3339) {
                handles.updated.insert(var.key.clone(), ms);
            }
            if var.key == record::NAME {
                handles.record = Some(var);
            } else {
                handles.vars.insert(var.key.clone(), var);
            }
        }
        let own_record = handles.record.as_ref().and_then(|r| self.record_of(r));
        if let Some(warning) = own_record.as_ref().and_then(|r| r.as_ref().err()) {
            snapshot.warnings.push(warning.clone());
        }
        let own_record = own_record.and_then(Result::ok);
        for (key, var) in &handles.vars {
            let Some(source) = context::effective(var, &self.context) else {
                continue;
            };
            let updated = handles.updated.get(key).copied();
            if let Some(ms) = updated {
                snapshot.updated_ms.insert(key.clone(), ms);
            }
            snapshot.versions.insert(
                format!("var:{key}:updated"),
                var.updated_at.clone().unwrap_or_else(|| "?".into()),
            );
            let live = self.live_value(var, source, updated, own_record.as_ref(), &mut snapshot);
            snapshot.variables.insert(key.clone(), live);
        }
        snapshot.handles = super::Handles::new(handles);
        Ok(snapshot)
    }

    /// This context's value of `var` as a live value: its text where
    /// Netlify shows it, else what the record says; stale when its scopes
    /// are not the target's and can be rewritten.
    fn live_value(
        &self,
        var: &EnvVar,
        source: Source<'_>,
        updated: Option<i64>,
        record: Option<&Record>,
        snapshot: &mut Snapshot,
    ) -> LiveValue {
        let key = &var.key;
        if self.secrets.contains(key) && !var.is_secret && !self.context.reads_secrets() {
            snapshot.warnings.push(format!(
                "{key} is declared as a secret reference but Netlify stores it as a plain variable, whose values anyone on the team can read; recreate it with \"Contains secret values\" in the Netlify UI (or delete it and run apply, which creates it secret)"
            ));
        }
        let wanted = self.scopes_for(var.is_secret);
        // A variable listed without scopes says nothing about them.
        if !var.scopes.is_empty() && !same_scopes(&var.scopes, &wanted) {
            let placeholder = Secret::new(String::new());
            let rewritten = if sole_holder(var, &self.context) {
                context::rewrite(var, &self.context, Some(&placeholder))
            } else {
                Err("scopes belong to the whole variable, and another deploy context holds a value of it".to_string())
            };
            match rewritten {
                Ok(_) => {
                    return LiveValue::Stale {
                        why: format!(
                            "its scopes are {}, the target's are {}: it will be written again with the target's",
                            scopes_text(&var.scopes),
                            scopes_text(&wanted)
                        ),
                    };
                }
                Err(why) => snapshot.warnings.push(format!(
                    "{key}'s scopes are {}, the target's are {}, and envctl cannot change them: {why}; change them in the Netlify UI",
                    scopes_text(&var.scopes),
                    scopes_text(&wanted)
                )),
            }
        }
        if !var.is_secret {
            return LiveValue::Plain(Secret::new(source.value().value.clone()));
        }
        if self.context.reads_secrets() {
            return LiveValue::Readable(Secret::new(source.value().value.clone()));
        }
        match verify(record, key, updated) {
            Verdict::Vouched(digest) => LiveValue::Digest(digest),
            Verdict::ChangedSince(ms) => LiveValue::Stale {
                why: format!(
                    "updated {} after envctl last recorded it (by hand, in this or another context, or by an apply that stopped before recording it), and Netlify does not show secret values: it will be written again",
                    ago(ms)
                ),
            },
            Verdict::Unrecorded => LiveValue::Unreadable,
        }
    }

    /// This context's record in the record variable: `None` when it has
    /// none, `Err` (a warning) when it is not a record envctl wrote.
    fn record_of(&self, var: &EnvVar) -> Option<Result<Record, String>> {
        let own = var.values.iter().find(|v| self.context.owns(v))?;
        Some(Record::parse(&own.value).ok_or_else(|| {
            format!(
                "the variable {}'s value for the {} context is not a record envctl wrote: no secret can be verified until the next apply rewrites it",
                record::NAME,
                context::describe(own)
            )
        }))
    }

    /// The scopes a variable of this target has: the target's, or
    /// Netlify's default; never `post-processing` for a secret.
    fn scopes_for(&self, is_secret: bool) -> Vec<String> {
        let base: Vec<String> = match &self.scopes {
            Some(s) => s.iter().map(|s| normal_scope(s).to_string()).collect(),
            None => ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
        };
        base.into_iter()
            .filter(|s| !(is_secret && s == "post-processing"))
            .collect()
    }

    /// The site in the user's terms, for errors.
    fn scope(&self) -> String {
        match &self.account {
            Some(a) => format!("site {} (account {a})", self.site),
            None => format!("site {}", self.site),
        }
    }

    /// An HTTP failure in the user's terms.
    fn error(&self, need: Need, e: crate::provider::http::HttpError) -> ProviderError {
        hints::error(&self.target, self.scope(), need, e)
    }
}

/// `post_processing`, as Netlify answers, is `post-processing`, as its
/// description and netlify-cli's users write it.
fn normal_scope(scope: &str) -> &str {
    if scope == "post_processing" {
        "post-processing"
    } else {
        scope
    }
}

/// Whether `context` holds the only value of `var` (or it has none): only
/// then may a target change the variable's scopes, which every context
/// shares.
fn sole_holder(var: &EnvVar, context: &Context) -> bool {
    var.values.iter().all(|v| context.owns(v))
}

fn same_scopes(live: &[String], wanted: &[String]) -> bool {
    let live: BTreeSet<&str> = live.iter().map(|s| normal_scope(s)).collect();
    let wanted: BTreeSet<&str> = wanted.iter().map(|s| normal_scope(s)).collect();
    live == wanted
}

fn scopes_text(scopes: &[String]) -> String {
    if scopes.is_empty() {
        return "none".into();
    }
    scopes
        .iter()
        .map(|s| normal_scope(s))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
