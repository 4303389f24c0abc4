//! Edge Functions: the desired ones against what the project runs.

use std::collections::BTreeMap;

use super::diff::undeclared;
use super::{Action, Change, Reason, Subject, Value};
use crate::model::Snapshot;

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
            Some(f) if f.verify_jwt == *verify_jwt => {
                (Action::Unchanged, Reason::Matches, after.clone())
            }
            Some(f) => (
                Action::Update,
                Reason::VerifyJwtDiffers,
                Some(Value::Function {
                    verify_jwt: f.verify_jwt,
                }),
            ),
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
