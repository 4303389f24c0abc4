//! Apply on Netlify. The site's variables are listed again first, so what
//! is sent follows what is there now (another target of the same run may
//! have written to the site). Every request is worked out before the first
//! is sent, so a change envctl cannot make (a value of another context it
//! would erase or change) stops the apply with nothing written. Then: new variables in
//! one `POST`; each existing one's value set with a `PATCH` of this
//! context's value, or — when its value comes from `all`, or its scopes
//! must change and no other context holds a value — rewritten whole with a `PUT` that keeps every other
//! context's value; deletes of this context's value only; and last, when a
//! secret was written or deleted, this context's record, and the re-dated
//! records of other contexts for every variable touched ([`super::record`]). `stop` is looked at
//! before every request.

use std::collections::{BTreeMap, BTreeSet};

use super::api::{EnvVar, NewVar};
use super::context::{self, Context, Source, Value};
use super::hints::Need;
use super::locate::Located;
use super::{Handles, NetlifyProvider, record, same_scopes};
use crate::provider::http::{Failure, HttpError};
use crate::provider::{ApplyFailure, ProviderError, Snapshot, Stop, Write};
use envctl_core::model::record::Record;
use envctl_core::secret::Secret;

/// One request of an apply, and the writes it does.
#[derive(Debug)]
enum Edit<'a> {
    Patch {
        key: &'a str,
        value: Value,
    },
    Replace {
        key: &'a str,
        is_secret: bool,
        scopes: Vec<String>,
        values: Vec<Value>,
    },
    DeleteValue {
        key: &'a str,
        id: String,
    },
    DeleteVar {
        key: &'a str,
    },
}

/// Every request of an apply, worked out from the read.
#[derive(Debug, Default)]
struct Edits<'a> {
    creates: Vec<NewVar<'a>>,
    created: Vec<usize>,
    edits: Vec<(usize, Edit<'a>)>,
    /// This context's record entries after the apply: written (`Some`),
    /// dropped (`None`).
    recorded: Vec<(&'a str, Option<&'a Secret>)>,
    /// Every variable a request changes.
    touched: BTreeSet<&'a str>,
    /// Deletes with nothing to send (gone already, or no value here).
    nothing_to_do: Vec<usize>,
}

impl NetlifyProvider {
    /// Performs the writes planned from `live`; on failure or stop, says
    /// which were done. Without a read to plan from (a snapshot from
    /// elsewhere), the site is read first.
    pub async fn apply(
        &self,
        live: &Snapshot,
        writes: &[Write],
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        if writes
            .iter()
            .any(|w| matches!(w, Write::SetFunction { .. } | Write::DeleteFunction { .. }))
        {
            return Err(ApplyFailure::nothing(self.local(
                "a Netlify site holds no Edge Functions of the environment".to_string(),
            )));
        }
        let sets = crate::provider::sets(writes);
        let deletes = crate::provider::deletes(writes);
        if sets.is_empty() && deletes.is_empty() {
            return Ok(());
        }
        // The site is read again, so what is sent is worked out from its
        // variables as they are now: another target of this run (or
        // someone else) may have written to the same site since the plan
        // read it, and a whole-variable `PUT` re-sends the other contexts'
        // values. One list request; `live` is the read the writes were
        // planned from.
        let _ = live;
        let snapshot = self.read().await.map_err(ApplyFailure::nothing)?;
        let fresh = snapshot
            .handles
            .get::<Handles>()
            .cloned()
            .unwrap_or_default();
        let handles = &fresh;
        let located = Located {
            site_id: handles.site_id.clone(),
            account: handles.account.clone(),
        };
        let plan = self
            .edits(handles, &sets, &deletes)
            .map_err(ApplyFailure::nothing)?;
        // Deletes of what this context no longer has: done already.
        let mut done = plan.nothing_to_do.clone();
        if !plan.creates.is_empty() {
            check(stop, &self.target, &done)?;
            let created = self
                .api
                .create(&located.account, &located.site_id, &plan.creates)
                .await;
            created.map_err(|e| ApplyFailure::after(&done, self.error(Need::Write, e)))?;
            done.extend(&plan.created);
        }
        for (i, edit) in &plan.edits {
            check(stop, &self.target, &done)?;
            self.send(&located, edit)
                .await
                .map_err(|e| ApplyFailure::after(&done, self.error(Need::Write, e)))?;
            done.push(*i);
        }
        // Records change when a secret was written or deleted here, and
        // other contexts' records are re-dated for every variable touched.
        if plan.recorded.is_empty() && (plan.touched.is_empty() || handles.record.is_none()) {
            return Ok(());
        }
        check(stop, &self.target, &done)?;
        self.write_records(handles, &located, &plan)
            .await
            .map_err(|e| ApplyFailure::after(&done, e))
    }

    /// Every request, or why the apply cannot be done as planned.
    fn edits<'a>(
        &self,
        handles: &'a Handles,
        sets: &[(usize, &'a str, &'a Secret)],
        deletes: &[(usize, &'a str)],
    ) -> Result<Edits<'a>, ProviderError> {
        let mut plan = Edits::default();
        for &(i, key, value) in sets {
            let unreadable = match handles.vars.get(key) {
                None => {
                    let is_secret = self.secrets.contains(key) && !self.context.reads_secrets();
                    plan.creates.push(NewVar {
                        key,
                        is_secret,
                        scopes: self.scopes.as_ref().map(|_| self.scopes_for(is_secret)),
                        values: vec![self.value(value)],
                    });
                    plan.created.push(i);
                    is_secret
                }
                Some(var) => {
                    plan.edits.push((i, self.set_edit(var, key, value)?));
                    var.is_secret && !self.context.reads_secrets()
                }
            };
            plan.touched.insert(key);
            plan.recorded.push((key, unreadable.then_some(value)));
        }
        for &(i, key) in deletes {
            let Some(var) = handles.vars.get(key) else {
                plan.nothing_to_do.push(i); // already gone
                continue;
            };
            match self.delete_edit(var, key)? {
                Some(edit) => {
                    plan.edits.push((i, edit));
                    plan.touched.insert(key);
                }
                None => plan.nothing_to_do.push(i),
            }
            plan.recorded.push((key, None));
        }
        // Only secrets need a record; a plain write of a name the record
        // never named changes nothing in it.
        let own = handles
            .record
            .as_ref()
            .and_then(|r| self.record_of(r))
            .and_then(Result::ok);
        plan.recorded.retain(|(key, value)| {
            value.is_some() || own.as_ref().is_some_and(|r| r.digests.contains_key(*key))
        });
        Ok(plan)
    }

    /// The request that gives `var` this context's `value`.
    fn set_edit<'a>(
        &self,
        var: &EnvVar,
        key: &'a str,
        value: &Secret,
    ) -> Result<Edit<'a>, ProviderError> {
        if var.is_secret && self.context.reads_secrets() {
            return Err(self.local(format!(
                "{key} is a secret on Netlify, and envctl keeps secrets' values out of the dev context, whose values Netlify shows to everyone on the team (netlify-cli refuses `--secret --context dev` too): declare it plain for this target, or make it a plain variable in the Netlify UI"
            )));
        }
        let wanted = self.scopes_for(var.is_secret);
        // Scopes belong to the whole variable: they change only when no
        // other context holds a value (a warning of the plan says so).
        let scopes_ok = var.scopes.is_empty()
            || same_scopes(&var.scopes, &wanted)
            || !super::sole_holder(var, &self.context);
        let from_all = matches!(
            context::effective(var, &self.context),
            Some(Source::Inherited(v)) if v.context == "all"
        );
        if scopes_ok && !from_all {
            return Ok(Edit::Patch {
                key,
                value: self.value(value),
            });
        }
        match context::rewrite(var, &self.context, Some(value)) {
            Ok(values) => Ok(Edit::Replace {
                key,
                is_secret: var.is_secret,
                scopes: if scopes_ok {
                    var.scopes.clone()
                } else {
                    wanted
                },
                values,
            }),
            // The scopes cannot change (a warning of the plan said so);
            // the value can.
            Err(_) if !from_all => Ok(Edit::Patch {
                key,
                value: self.value(value),
            }),
            Err(why) => Err(self.local(format!("cannot set {key} for this context: {why}"))),
        }
    }

    /// The request that removes this context's value of `var`, if any.
    fn delete_edit<'a>(
        &self,
        var: &EnvVar,
        key: &'a str,
    ) -> Result<Option<Edit<'a>>, ProviderError> {
        let has = |context: &str| var.values.iter().find(|v| v.context == context);
        let branch = matches!(self.context, Context::Branch(_));
        // A branch without its own value falls back to `branch-deploy`,
        // then `all`: deleting there cannot leave it without one.
        let fallback = if branch {
            has("branch-deploy").or_else(|| has("all"))
        } else {
            has("all")
        };
        Ok(Some(match context::effective(var, &self.context) {
            None => return Ok(None),
            Some(Source::Own(_)) | Some(Source::Inherited(_)) if branch && fallback.is_some() => {
                return Err(self.local(format!(
                    "cannot delete {key} for this branch: it would still get the value of the {} context, which envctl leaves alone; declare {key} for the branch, or delete it there",
                    fallback.map(context::describe).unwrap_or_default()
                )));
            }
            Some(Source::Own(_)) if var.values.len() == 1 => Edit::DeleteVar { key },
            Some(Source::Own(v)) if v.id.is_some() && fallback.is_none() => Edit::DeleteValue {
                key,
                id: v.id.clone().unwrap_or_default(),
            },
            // Its own value, or one it inherits, beside an `all` value:
            // `all` is split so that this context alone has none.
            Some(_) => {
                let values = context::rewrite(var, &self.context, None).map_err(|why| {
                    self.local(format!("cannot delete {key} for this context: {why}"))
                })?;
                if values.is_empty() {
                    Edit::DeleteVar { key }
                } else {
                    Edit::Replace {
                        key,
                        is_secret: var.is_secret,
                        scopes: var.scopes.clone(),
                        values,
                    }
                }
            }
        }))
    }

    async fn send(&self, at: &Located, edit: &Edit<'_>) -> Result<(), HttpError> {
        let (account, site) = (at.account.as_str(), at.site_id.as_str());
        match edit {
            Edit::Patch { key, value } => self.api.set_value(account, site, key, value).await,
            Edit::Replace {
                key,
                is_secret,
                scopes,
                values,
            } => {
                self.api
                    .replace(account, site, key, *is_secret, scopes, values)
                    .await
            }
            Edit::DeleteValue { key, id } => {
                gone_or_absent(self.api.delete_value(account, site, key, id).await)
            }
            Edit::DeleteVar { key } => gone_or_absent(self.api.delete(account, site, key).await),
        }
    }

    /// This context's record, then other contexts' re-dated ones.
    async fn write_records(
        &self,
        handles: &Handles,
        at: &Located,
        plan: &Edits<'_>,
    ) -> Result<(), ProviderError> {
        let now = crate::provider::now_ms() + handles.skew_ms;
        let own = handles
            .record
            .as_ref()
            .and_then(|r| self.record_of(r))
            .and_then(Result::ok);
        let kept: BTreeMap<String, (envctl_core::secret::Fingerprint, i64)> = own
            .iter()
            .flat_map(|r| {
                r.digests
                    .iter()
                    .map(|(k, d)| (k.clone(), (d.clone(), r.time_of(k))))
            })
            .filter(|(k, _)| handles.vars.contains_key(k))
            .collect();
        if !plan.recorded.is_empty() {
            let mine = record::after(&kept, plan.recorded.iter().copied(), now);
            self.write_record(handles, at, None, &mine).await?;
        }
        let Some(var) = &handles.record else {
            return Ok(());
        };
        for value in var.values.iter().filter(|v| !self.context.owns(v)) {
            let Some(theirs) = Record::parse(&value.value) else {
                continue;
            };
            if let Some(redated) = record::redated(&theirs, &plan.touched, &handles.updated, now) {
                let context = Value {
                    context: value.context.clone(),
                    context_parameter: value.context_parameter.clone(),
                    value: record::render(&redated),
                };
                self.write_record(handles, at, Some(context), &redated)
                    .await?;
            }
        }
        Ok(())
    }

    /// Writes one context's record (`other`: another context's, already
    /// rendered), creating the record variable when there is none.
    async fn write_record(
        &self,
        handles: &Handles,
        at: &Located,
        other: Option<Value>,
        record: &Record,
    ) -> Result<(), ProviderError> {
        let (account, site) = (at.account.as_str(), at.site_id.as_str());
        let value = other.unwrap_or_else(|| self.value(&record::render(record)));
        let result = match &handles.record {
            Some(var) if record.digests.is_empty() => {
                match context::effective(var, &self.context) {
                    Some(Source::Own(_)) if var.values.len() == 1 => {
                        gone_or_absent(self.api.delete(account, site, record::NAME).await)
                    }
                    Some(Source::Own(v)) => match &v.id {
                        Some(id) => gone_or_absent(
                            self.api.delete_value(account, site, record::NAME, id).await,
                        ),
                        None => {
                            self.api
                                .set_value(account, site, record::NAME, &value)
                                .await
                        }
                    },
                    _ => Ok(()),
                }
            }
            Some(_) => {
                self.api
                    .set_value(account, site, record::NAME, &value)
                    .await
            }
            None if record.digests.is_empty() => Ok(()),
            None => {
                let new = NewVar {
                    key: record::NAME,
                    is_secret: false,
                    scopes: None,
                    values: vec![value],
                };
                self.api.create(account, site, &[new]).await
            }
        };
        result.map_err(|e| self.error(Need::Write, e))
    }

    /// `value` for this target's context.
    fn value(&self, value: &Secret) -> Value {
        let (context, parameter) = self.context.wire();
        Value {
            context: context.to_string(),
            context_parameter: parameter.map(str::to_string),
            value: value.clone(),
        }
    }

    fn local(&self, message: String) -> ProviderError {
        ProviderError::local(&self.target, "apply", message)
    }
}

/// Stops between requests when asked to.
fn check(stop: &Stop, target: &str, done: &[usize]) -> Result<(), ApplyFailure> {
    if stop.requested() {
        return Err(ApplyFailure::stopped(target, done));
    }
    Ok(())
}

/// A delete's outcome, where already gone (404) is done.
fn gone_or_absent(result: Result<(), HttpError>) -> Result<(), HttpError> {
    match result {
        Err(e) if e.failure == Failure::NotFound => Ok(()),
        other => other,
    }
}
