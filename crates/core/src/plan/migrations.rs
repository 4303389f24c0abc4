//! Migration histories against the local files: the Supabase CLI's push
//! guards, wrangler's set difference for D1, and other runners' histories
//! compared by place in the runner's own order.

use super::{Action, Change, DesiredMigrations, MigrationStyle, Reason, Subject, Value};
use crate::model::Snapshot;

/// Versions compare as numbers of possibly different widths.
pub(super) fn version_order(a: &String, b: &String) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// The Supabase CLI's push guards: a live version with no local file, or a
/// local file older than the live head that never ran, is schema drift;
/// so is a live head past the desired one. Otherwise the pending versions
/// are the local ones up to the head that live has not applied.
pub(super) fn diff_migrations(want: &DesiredMigrations, live: &Snapshot) -> Change {
    if want.style == MigrationStyle::D1
        && let Some(applied) = &live.migrations
    {
        return diff_d1_migrations(want, applied);
    }
    if let MigrationStyle::Runner {
        older_pending_is_drift,
    } = want.style
        && let Some(applied) = &live.migrations
    {
        return diff_runner_migrations(want, applied, older_pending_is_drift);
    }
    let head = &want.head;
    let after = |pending: Vec<String>| {
        Some(Value::Migrations {
            head: head.to_string(),
            pending,
        })
    };
    let Some(applied) = &live.migrations else {
        return Change {
            subject: Subject::MigrationHead,
            action: Action::Unknown,
            before: None,
            after: after(Vec::new()),
            reason: Reason::LiveUnavailable {
                why: "this target does not report migrations".into(),
            },
            location: None,
        };
    };
    let edited: Vec<String> = applied
        .iter()
        .filter_map(|a| {
            let recorded = a.statements.as_ref()?;
            let local = want.statements.get(&a.version)?;
            (!crate::migration::same_statements(local, recorded)).then(|| a.version.clone())
        })
        .collect();
    let applied: Vec<String> = applied.iter().map(|a| a.version.clone()).collect();
    let pending: Vec<String> = want
        .upto
        .iter()
        .filter(|v| !applied.contains(v))
        .cloned()
        .collect();
    let foreign: Vec<String> = applied
        .iter()
        .filter(|v| !want.local.contains(v))
        .cloned()
        .collect();
    let beyond: Vec<String> = applied
        .iter()
        .filter(|v| want.local.contains(v) && !want.upto.contains(v))
        .cloned()
        .collect();
    let live_head = applied
        .iter()
        .max_by(|a, b| version_order(a, b))
        .cloned()
        .unwrap_or_default();
    let out_of_order: Vec<String> = pending
        .iter()
        .filter(|v| !live_head.is_empty() && version_order(v, &live_head).is_lt())
        .cloned()
        .collect();
    let before = Some(Value::Migrations {
        head: live_head,
        pending: Vec::new(),
    });
    // Schema drift is a change (drift reports it) that apply cannot make.
    let (action, reason) = verdict(foreign, out_of_order, edited, beyond, pending.is_empty());
    Change {
        subject: Subject::MigrationHead,
        action,
        before,
        after: after(pending),
        reason,
        location: None,
    }
}

/// wrangler's rule: pending = local file names not in the history (a set
/// difference, not an ordering). A name in the history with no local file
/// is still drift: the folder no longer describes the database.
fn diff_d1_migrations(
    want: &DesiredMigrations,
    applied: &[crate::model::AppliedMigration],
) -> Change {
    let names: Vec<&str> = applied.iter().map(|a| a.version.as_str()).collect();
    let pending: Vec<String> = want
        .local
        .iter()
        .filter(|f| !names.contains(&f.as_str()))
        .cloned()
        .collect();
    let foreign: Vec<String> = names
        .iter()
        .filter(|n| !want.local.iter().any(|f| f == *n))
        .map(|n| n.to_string())
        .collect();
    let (action, reason) = verdict(
        foreign,
        Vec::new(),
        Vec::new(),
        Vec::new(),
        pending.is_empty(),
    );
    Change {
        subject: Subject::MigrationHead,
        action,
        before: Some(Value::Migrations {
            head: names.last().map(|n| n.to_string()).unwrap_or_default(),
            pending: Vec::new(),
        }),
        after: Some(Value::Migrations {
            head: want.head.clone(),
            pending,
        }),
        reason,
        location: None,
    }
}

/// Another runner's history: ids in the runner's order (`want.local`).
/// Pending = the ids up to the head that are not applied; an applied id
/// with no local file is drift, and so (where the runner refuses them or
/// never runs them) is a pending file before the newest applied one.
fn diff_runner_migrations(
    want: &DesiredMigrations,
    applied: &[crate::model::AppliedMigration],
    older_pending_is_drift: bool,
) -> Change {
    let place = |id: &str| want.local.iter().position(|l| l == id);
    let applied: Vec<&str> = applied.iter().map(|a| a.version.as_str()).collect();
    let pending: Vec<String> = want
        .upto
        .iter()
        .filter(|v| !applied.contains(&v.as_str()))
        .cloned()
        .collect();
    let foreign: Vec<String> = applied
        .iter()
        .filter(|v| place(v).is_none())
        .map(|v| v.to_string())
        .collect();
    let beyond: Vec<String> = applied
        .iter()
        .filter(|v| place(v).is_some() && !want.upto.iter().any(|u| u == *v))
        .map(|v| v.to_string())
        .collect();
    let newest = applied.iter().filter_map(|v| place(v)).max();
    let live_head = match newest {
        Some(at) => want.local[at].clone(),
        None => applied.last().map(|v| v.to_string()).unwrap_or_default(),
    };
    let out_of_order: Vec<String> = pending
        .iter()
        .filter(|v| older_pending_is_drift && newest.is_some_and(|n| place(v) < Some(n)))
        .cloned()
        .collect();
    let (action, reason) = verdict(
        foreign,
        out_of_order,
        Vec::new(),
        beyond,
        pending.is_empty(),
    );
    Change {
        subject: Subject::MigrationHead,
        action,
        before: Some(Value::Migrations {
            head: live_head,
            pending: Vec::new(),
        }),
        after: Some(Value::Migrations {
            head: want.head.clone(),
            pending,
        }),
        reason,
        location: None,
    }
}

/// What a history says, in the order a plan reports it: schema drift
/// first — live versions with no file, files older than the live head,
/// files edited after they ran, live versions past a pinned head — then
/// pending files. (Pending files still run where the rules allow: the
/// change's `after` lists them.)
fn verdict(
    foreign: Vec<String>,
    out_of_order: Vec<String>,
    edited: Vec<String>,
    beyond: Vec<String>,
    nothing_pending: bool,
) -> (Action, Reason) {
    let reason = if !foreign.is_empty() {
        Reason::LiveAhead { versions: foreign }
    } else if !out_of_order.is_empty() {
        Reason::OutOfOrder {
            versions: out_of_order,
        }
    } else if !edited.is_empty() {
        Reason::EditedAfterApply { versions: edited }
    } else if !beyond.is_empty() {
        Reason::LiveBeyondHead { versions: beyond }
    } else if nothing_pending {
        return (Action::Unchanged, Reason::Matches);
    } else {
        Reason::PendingMigrations
    };
    (Action::Update, reason)
}
