//! `diff(desired, live) -> Plan`: pure, deterministic, no I/O.
//! Functions and migrations have their own files beside this one.

use super::functions::diff_functions;
use super::migrations::diff_migrations;
use super::{
    Action, Change, Desired, DesiredTarget, DesiredValue, FORMAT_VERSION, Plan, Reason,
    SecretOrigin, Subject, TargetPlan, Value,
};
use crate::detect::{Class, classify};
use crate::model::Environment;
use crate::model::{LiveValue, Snapshot};
use crate::secret::{Fingerprint, Secret};

/// Compares each desired target with its live snapshot (same order).
pub fn diff(
    project: &str,
    env: &Environment,
    desired: &[DesiredTarget],
    live: &[Snapshot],
) -> Plan {
    let targets = desired
        .iter()
        .zip(live)
        .map(|(d, l)| diff_target(d, l))
        .collect();
    Plan {
        format_version: FORMAT_VERSION,
        project: project.to_string(),
        environment: env.name.clone(),
        protected: env.protected,
        targets,
    }
}

/// A plain value as the plan may show it: text, unless it looks secret.
fn shown_plain(text: &str, origin: SecretOrigin) -> Value {
    shown_as(text, origin, None)
}

/// A plain value under its `sensitive:` marker: `Some(false)` shows a
/// value that only looks random (a recognised secret format stays masked;
/// loading refuses the marker there), `Some(true)` masks it whatever it
/// looks like, `None` lets its looks decide.
fn shown_as(text: &str, origin: SecretOrigin, sensitive: Option<bool>) -> Value {
    let looks = classify(text).filter(|c| c.is_secret());
    let class = match sensitive {
        Some(false) => looks.filter(|c| *c != Class::HighEntropy),
        Some(true) => looks.or(Some(Class::Sensitive)),
        None => looks,
    };
    match class {
        Some(class) => Value::Secret {
            fingerprint: Some(Fingerprint::of(text)),
            class: Some(class),
            origin,
        },
        None => Value::Text {
            text: text.to_string(),
        },
    }
}

/// A live value as the plan may show it. Only what the platform itself
/// stores as plain text can be text; everything else is secret until the
/// desired state declares the key plain (see [`changes_for`]), whatever a
/// detector thinks of it: a password or a connection string looks like
/// nothing in particular.
fn shown_live(live: &LiveValue) -> Value {
    match live {
        LiveValue::Plain(secret) => shown_plain(secret.expose(), SecretOrigin::Live),
        LiveValue::Readable(secret) => masked_live(secret),
        LiveValue::Digest(fingerprint) => Value::Secret {
            fingerprint: Some(fingerprint.clone()),
            class: None,
            origin: SecretOrigin::Live,
        },
        LiveValue::Unreadable | LiveValue::Stale { .. } => Value::Hidden,
    }
}

fn masked_live(secret: &Secret) -> Value {
    Value::Secret {
        fingerprint: Some(secret.fingerprint()),
        class: classify(secret.expose()),
        origin: SecretOrigin::Live,
    }
}

fn live_fingerprint(live: &LiveValue) -> Option<Fingerprint> {
    match live {
        LiveValue::Plain(secret) | LiveValue::Readable(secret) => Some(secret.fingerprint()),
        LiveValue::Digest(fingerprint) => Some(fingerprint.clone()),
        LiveValue::Unreadable | LiveValue::Stale { .. } => None,
    }
}

/// The plan for one target.
pub fn diff_target(desired: &DesiredTarget, live: &Snapshot) -> TargetPlan {
    let changes = changes_for(desired, live);
    let tag = to_tag(&changes, live);
    TargetPlan {
        name: desired.name.clone(),
        kind: desired.kind,
        traits: desired.traits,
        description: desired.description.clone(),
        changes,
        warnings: live.warnings.clone(),
        updated_ms: live.updated_ms.clone(),
        tag,
    }
}

/// The declared variables whose value was read, matches, and carries no
/// mark of envctl's: apply marks them.
fn to_tag(changes: &[Change], live: &Snapshot) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c.action == Action::Unchanged && c.reason == Reason::Matches)
        .filter_map(Change::variable)
        .filter(|name| live.untagged.contains(*name))
        .map(str::to_string)
        .collect()
}

fn changes_for(desired: &DesiredTarget, live: &Snapshot) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, want) in &desired.variables {
        let (after, want_fp) = match &want.value {
            DesiredValue::Plain(text) => (
                Some(shown_as(text, SecretOrigin::Literal, want.sensitive)),
                Some(Fingerprint::of(text)),
            ),
            DesiredValue::Secret {
                reference,
                resolved: Ok(r),
            } => (
                Some(Value::Secret {
                    fingerprint: Some(r.fingerprint.clone()),
                    class: r.class,
                    origin: SecretOrigin::Reference(reference.clone()),
                }),
                Some(r.fingerprint.clone()),
            ),
            DesiredValue::Secret {
                reference,
                resolved: Err(_),
            } => (
                Some(Value::Secret {
                    fingerprint: None,
                    class: None,
                    origin: SecretOrigin::Reference(reference.clone()),
                }),
                None,
            ),
        };
        let have = live.variables.get(name);
        let before = have.map(|h| match (&want.value, h) {
            // A live value for a declared secret is shown masked, whatever it looks like.
            (DesiredValue::Secret { .. }, LiveValue::Plain(s) | LiveValue::Readable(s)) => {
                masked_live(s)
            }
            // A key declared plain may show its live value (unless it looks
            // secret, or is marked so).
            (DesiredValue::Plain(_), LiveValue::Readable(s) | LiveValue::Plain(s)) => {
                shown_as(s.expose(), SecretOrigin::Live, want.sensitive)
            }
            _ => shown_live(h),
        });
        let (action, reason) = match (&want.value, have, want_fp) {
            (
                DesiredValue::Secret {
                    resolved: Err(why), ..
                },
                _,
                _,
            ) => (
                Action::Unknown,
                Reason::SecretUnresolved { why: why.clone() },
            ),
            (_, None, _) => (Action::Create, Reason::NotLive),
            (_, Some(LiveValue::Stale { why }), _) => {
                (Action::Update, Reason::Rewrite { why: why.clone() })
            }
            (_, Some(h), Some(fp)) => match live_fingerprint(h) {
                None => (Action::Unknown, Reason::LiveUnreadable),
                Some(live_fp) if live_fp == fp => (Action::Unchanged, Reason::Matches),
                Some(_) => (Action::Update, Reason::Differs),
            },
            (_, Some(_), None) => unreachable!("only unresolved secrets lack a fingerprint"),
        };
        let (action, reason) = described(desired, live, name, want, (action, reason));
        // Only the description differs: the live value is the declared one.
        let before = match reason {
            Reason::DescriptionDiffers => after.clone(),
            _ => before,
        };
        let subject = Subject::Variable { name: name.clone() };
        changes.push(Change {
            subject,
            action,
            before,
            after,
            reason,
            location: Some(want.location.clone()),
        });
    }
    for (name, have) in &live.variables {
        if desired.variables.contains_key(name) {
            continue;
        }
        changes.push(undeclared(
            Subject::Variable { name: name.clone() },
            shown_live(have),
            desired.prune,
        ));
    }
    if let Some(want) = &desired.functions {
        diff_functions(want, desired.prune, live, &mut changes);
    }
    if let Some(migrations) = &desired.migrations {
        changes.push(diff_migrations(migrations, live));
    }
    if let Some(settings) = &desired.settings {
        super::settings::diff_settings(settings, &live.settings, &mut changes);
    }
    changes.sort_by(|a, b| a.subject.cmp(&b.subject));
    changes
}

/// A value that matches, on a platform that keeps descriptions, whose
/// live description is not the declared one: a change, for the
/// description. Anything else stays as it was.
fn described(
    desired: &DesiredTarget,
    live: &Snapshot,
    name: &str,
    want: &Desired,
    (action, reason): (Action, Reason),
) -> (Action, Reason) {
    match &want.description {
        Some(wanted)
            if action == Action::Unchanged
                && desired.traits.descriptions
                && live.descriptions.get(name) != Some(wanted) =>
        {
            (Action::Update, Reason::DescriptionDiffers)
        }
        _ => (action, reason),
    }
}

/// Something live that the desired state does not declare: deleted when
/// the target prunes, else left alone.
pub(super) fn undeclared(subject: Subject, before: Value, prune: bool) -> Change {
    let (action, reason, after) = if prune {
        (Action::Delete, Reason::Pruned, None)
    } else {
        (Action::Unchanged, Reason::Unmanaged, Some(before.clone()))
    };
    Change {
        subject,
        action,
        before: Some(before),
        after,
        reason,
        location: None,
    }
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;
