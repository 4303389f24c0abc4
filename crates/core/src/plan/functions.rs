//! Edge Functions: the desired ones against what the project runs.

use std::collections::BTreeMap;

use super::diff::undeclared;
use super::{Action, Change, Reason, Subject, Value};
use crate::model::{LiveFunction, Snapshot};

pub(super) fn diff_functions(
    want: &BTreeMap<String, bool>,
    prune: bool,
    live: &Snapshot,
    changes: &mut Vec<Change>,
) {
    let Some(have) = &live.functions else {
        for (slug, verify_jwt) in want {
            changes.push(Change {
                subject: Subject::Function { slug: slug.clone() },
                action: Action::Unknown,
                before: None,
                after: Some(Value::Function {
                    verify_jwt: *verify_jwt,
                }),
                reason: Reason::LiveUnavailable {
                    why: "this target does not report functions".into(),
                },
                location: None,
            });
        }
        return;
    };
    for (slug, verify_jwt) in want {
        let after = Some(Value::Function {
            verify_jwt: *verify_jwt,
        });
        let (action, reason, before) = match have.get(slug) {
            None => (Action::Create, Reason::NotLive, None),
            Some(f) => compare(f, *verify_jwt, &after),
        };
        changes.push(Change {
            subject: Subject::Function { slug: slug.clone() },
            action,
            before,
            after,
            reason,
            location: None,
        });
    }
    for (slug, f) in have {
        if want.contains_key(slug) {
            continue;
        }
        let before = Value::Function {
            verify_jwt: f.verify_jwt,
        };
        changes.push(undeclared(
            Subject::Function { slug: slug.clone() },
            before,
            prune,
        ));
    }
}

/// A live function against the desired one: its code (as the platform
/// compared it) first, then its settings.
fn compare(
    f: &LiveFunction,
    verify_jwt: bool,
    after: &Option<Value>,
) -> (Action, Reason, Option<Value>) {
    let before = Some(Value::Function {
        verify_jwt: f.verify_jwt,
    });
    match f.changed_files {
        Some(files) if files > 0 => (
            Action::Update,
            Reason::SourceChanged {
                files,
                verify_jwt_differs: f.verify_jwt != verify_jwt,
            },
            before,
        ),
        _ if f.verify_jwt == verify_jwt => (Action::Unchanged, Reason::Matches, after.clone()),
        _ => (Action::Update, Reason::VerifyJwtDiffers, before),
    }
}
