//! `diff(desired, live) -> Plan`: pure, deterministic, no I/O.

use std::collections::BTreeMap;

use super::{
    Action, Change, FORMAT_VERSION, Plan, Reason, SecretOrigin, Subject, TargetPlan, Value,
};
use crate::detect::classify;
use crate::diagnostic::Location;
use crate::model::{Environment, Traits, VarValue};
use crate::model::{LiveValue, Snapshot};
use crate::secret::{Fingerprint, Secret};

/// What one target should hold. Secrets are fingerprints here: the diff
/// never sees plaintext it would have to be careful with.
#[derive(Debug, Clone)]
pub struct DesiredTarget {
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub prune: bool,
    pub traits: Traits,
    pub variables: BTreeMap<String, Desired>,
    /// `Some` for targets that carry Edge Functions (Supabase).
    pub functions: Option<BTreeMap<String, bool>>,
    /// For targets that carry migrations.
    pub migrations: Option<DesiredMigrations>,
}

#[derive(Debug, Clone)]
pub struct DesiredMigrations {
    /// How the history and the files are compared.
    pub style: MigrationStyle,
    pub head: String,
    /// Local versions up to and including the head, in order.
    pub upto: Vec<String>,
    /// Every local version, in order.
    pub local: Vec<String>,
    /// The statements of local files whose versions live recorded
    /// statements for (filled at the I/O edge; empty otherwise).
    pub statements: BTreeMap<String, Vec<String>>,
}

/// Two tools, two ideas of "applied".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationStyle {
    /// The Supabase CLI: versions in order, with `db push`'s guards
    /// (history ahead of the files, files older than the live head).
    Supabase,
    /// wrangler's D1 migrations: the history is a set of file names, and
    /// every local file not in it is pending, whatever its number.
    D1,
}

#[derive(Debug, Clone)]
pub struct Desired {
    pub value: DesiredValue,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub enum DesiredValue {
    Plain(String),
    Secret {
        reference: String,
        resolved: Result<Resolved, String>,
    },
}

/// What the plan may know about a resolved secret.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub fingerprint: Fingerprint,
    pub class: Option<crate::detect::Class>,
    /// Why the value is too guessable for a published digest, if it is.
    pub weakness: Option<&'static str>,
}

impl Resolved {
    pub fn of(secret: &Secret) -> Resolved {
        Resolved {
            fingerprint: secret.fingerprint(),
            class: classify(secret.expose()),
            weakness: crate::detect::weakness(secret.expose()),
        }
    }
}

/// The desired targets of an environment, given each secret's resolution.
pub fn desired_targets(
    env: &Environment,
    secrets: &BTreeMap<String, Result<Resolved, String>>,
) -> Vec<DesiredTarget> {
    env.targets
        .values()
        .map(|target| {
            let variables = env
                .variables
                .values()
                .filter(|v| v.targets.contains(&target.name))
                .map(|v| {
                    let value = match &v.value {
                        VarValue::Plain(text) => DesiredValue::Plain(text.clone()),
                        VarValue::Secret(reference) => DesiredValue::Secret {
                            reference: reference.to_string(),
                            resolved: secrets
                                .get(&v.name)
                                .cloned()
                                .unwrap_or_else(|| Err("not resolved".to_string())),
                        },
                        VarValue::Unset => unreachable!("unset variables are dropped when loading"),
                    };
                    (
                        v.name.clone(),
                        Desired {
                            value,
                            location: v.location.clone(),
                        },
                    )
                })
                .collect();
            // The environment's functions and migration head are planned
            // on the target that holds them (its database).
            let traits = target.settings.traits();
            let supabase = traits.holds_functions;
            DesiredTarget {
                name: target.name.clone(),
                kind: target.settings.kind(),
                traits,
                description: target.describe(),
                prune: target.settings.prune(),
                variables,
                functions: supabase.then(|| {
                    env.functions
                        .values()
                        .map(|f| (f.slug.clone(), f.verify_jwt))
                        .collect()
                }),
                migrations: if supabase {
                    env.migrations.as_ref().map(|m| DesiredMigrations {
                        style: MigrationStyle::Supabase,
                        head: m.head.clone(),
                        upto: m.versions.clone(),
                        local: m.local.clone(),
                        statements: BTreeMap::new(),
                    })
                } else {
                    target
                        .migration_files
                        .as_ref()
                        .map(|files| DesiredMigrations {
                            style: MigrationStyle::D1,
                            head: files.last().cloned().unwrap_or_default(),
                            upto: files.clone(),
                            local: files.clone(),
                            statements: BTreeMap::new(),
                        })
                },
            }
        })
        .collect()
}

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
    match classify(text) {
        Some(class) if class.is_secret() => Value::Secret {
            fingerprint: Some(Fingerprint::of(text)),
            class: Some(class),
            origin,
        },
        _ => Value::Text {
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
    TargetPlan {
        name: desired.name.clone(),
        kind: desired.kind,
        traits: desired.traits,
        description: desired.description.clone(),
        changes: changes_for(desired, live),
        warnings: live.warnings.clone(),
        updated_ms: live.updated_ms.clone(),
    }
}

fn changes_for(desired: &DesiredTarget, live: &Snapshot) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, want) in &desired.variables {
        let (after, want_fp) = match &want.value {
            DesiredValue::Plain(text) => (
                Some(shown_plain(text, SecretOrigin::Literal)),
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
            // A key declared plain may show its live value (unless it looks secret).
            (DesiredValue::Plain(_), LiveValue::Readable(s)) => {
                shown_plain(s.expose(), SecretOrigin::Live)
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
    changes.sort_by(|a, b| a.subject.cmp(&b.subject));
    changes
}

/// Something live that the desired state does not declare: deleted when
/// the target prunes, else left alone.
fn undeclared(subject: Subject, before: Value, prune: bool) -> Change {
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

fn diff_functions(
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

/// Versions compare as numbers of possibly different widths.
fn version_order(a: &String, b: &String) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// The Supabase CLI's push guards: a live version with no local file, or a
/// local file older than the live head that never ran, is schema drift;
/// so is a live head past the desired one. Otherwise the pending versions
/// are the local ones up to the head that live has not applied.
fn diff_migrations(want: &DesiredMigrations, live: &Snapshot) -> Change {
    if want.style == MigrationStyle::D1
        && let Some(applied) = &live.migrations
    {
        return diff_d1_migrations(want, applied);
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
    let (action, reason) = if !foreign.is_empty() {
        (Action::Update, Reason::LiveAhead { versions: foreign })
    } else if !out_of_order.is_empty() {
        (
            Action::Update,
            Reason::OutOfOrder {
                versions: out_of_order,
            },
        )
    } else if !edited.is_empty() {
        // Pending files still run (where the rules allow): `after` lists them.
        (
            Action::Update,
            Reason::EditedAfterApply { versions: edited },
        )
    } else if !beyond.is_empty() {
        (Action::Update, Reason::LiveBeyondHead { versions: beyond })
    } else if pending.is_empty() {
        (Action::Unchanged, Reason::Matches)
    } else {
        (Action::Update, Reason::PendingMigrations)
    };
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
    let (action, reason) = if !foreign.is_empty() {
        (Action::Update, Reason::LiveAhead { versions: foreign })
    } else if pending.is_empty() {
        (Action::Unchanged, Reason::Matches)
    } else {
        (Action::Update, Reason::PendingMigrations)
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LiveFunction;

    fn loc() -> Location {
        Location {
            file: "environments/x.yaml".into(),
            line: 1,
            column: 1,
        }
    }

    fn target(vars: &[(&str, DesiredValue)], prune: bool) -> DesiredTarget {
        DesiredTarget {
            name: "t".into(),
            kind: "memory",
            traits: Traits::default(),
            description: "memory".into(),
            prune,
            variables: vars
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        Desired {
                            value: v.clone(),
                            location: loc(),
                        },
                    )
                })
                .collect(),
            functions: None,
            migrations: None,
        }
    }

    fn plain(s: &str) -> DesiredValue {
        DesiredValue::Plain(s.into())
    }

    fn secret(s: &str) -> DesiredValue {
        DesiredValue::Secret {
            reference: "env:S".into(),
            resolved: Ok(Resolved::of(&Secret::new(s.into()))),
        }
    }

    fn live(vars: &[(&str, LiveValue)]) -> Snapshot {
        Snapshot {
            variables: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            ..Snapshot::default()
        }
    }

    fn readable(s: &str) -> LiveValue {
        LiveValue::Readable(Secret::new(s.into()))
    }

    fn actions(changes: &[Change]) -> Vec<(String, Action)> {
        changes
            .iter()
            .map(|c| (c.subject.to_string(), c.action))
            .collect()
    }

    #[test]
    fn create_update_unchanged_and_unmanaged() {
        let d = target(
            &[("A", plain("1")), ("B", plain("2")), ("C", plain("3"))],
            false,
        );
        let l = live(&[
            ("B", readable("2")),
            ("C", readable("x")),
            ("D", readable("kept")),
        ]);
        let changes = changes_for(&d, &l);
        assert_eq!(
            actions(&changes),
            vec![
                ("A".into(), Action::Create),
                ("B".into(), Action::Unchanged),
                ("C".into(), Action::Update),
                ("D".into(), Action::Unchanged)
            ]
        );
        assert_eq!(changes[3].reason, Reason::Unmanaged);
    }

    #[test]
    fn prune_deletes_undeclared() {
        let changes = changes_for(&target(&[], true), &live(&[("D", readable("x"))]));
        assert_eq!(actions(&changes), vec![("D".into(), Action::Delete)]);
    }

    #[test]
    fn secrets_compare_by_digest_and_never_carry_plaintext() {
        let d = target(
            &[("S", secret("sk_live_canary_value")), ("T", secret("same"))],
            false,
        );
        let l = live(&[
            ("S", LiveValue::Digest(Fingerprint::of("old"))),
            ("T", LiveValue::Digest(Fingerprint::of("same"))),
        ]);
        let changes = changes_for(&d, &l);
        assert_eq!(
            actions(&changes),
            vec![
                ("S".into(), Action::Update),
                ("T".into(), Action::Unchanged)
            ]
        );
        let json = serde_json::to_string(&changes).unwrap();
        assert!(!json.contains("canary"), "{json}");
        assert!(json.contains("stripe_live_secret"), "class is kept: {json}");
    }

    #[test]
    fn unresolved_secrets_and_unreadable_live_values_are_unknown() {
        let d = target(
            &[
                (
                    "S",
                    DesiredValue::Secret {
                        reference: "env:S".into(),
                        resolved: Err("not set".into()),
                    },
                ),
                ("H", plain("x")),
            ],
            false,
        );
        let changes = changes_for(&d, &live(&[("H", LiveValue::Unreadable)]));
        assert_eq!(
            actions(&changes),
            vec![("H".into(), Action::Unknown), ("S".into(), Action::Unknown)]
        );
        assert_eq!(changes[0].reason, Reason::LiveUnreadable);
    }

    #[test]
    fn secret_looking_plain_values_are_masked_both_sides() {
        let d = target(&[("K", plain("sk_live_literal_canary"))], false);
        let changes = changes_for(&d, &live(&[("K", readable("sk_live_other_canary"))]));
        let json = serde_json::to_string(&changes).unwrap();
        assert!(!json.contains("canary"), "{json}");
    }

    #[test]
    fn functions_and_migrations() {
        let mut d = target(&[], false);
        d.functions = Some(BTreeMap::from([
            ("a".to_string(), true),
            ("b".to_string(), false),
        ]));
        d.migrations = Some(DesiredMigrations {
            style: MigrationStyle::Supabase,
            head: "3".into(),
            upto: vec!["1".into(), "2".into(), "3".into()],
            local: vec!["1".into(), "2".into(), "3".into()],
            statements: BTreeMap::new(),
        });
        let l = Snapshot {
            functions: Some(BTreeMap::from([(
                "b".to_string(),
                LiveFunction { verify_jwt: true },
            )])),
            migrations: Some(vec!["1".into()]),
            ..Snapshot::default()
        };
        let changes = changes_for(&d, &l);
        assert_eq!(
            actions(&changes),
            vec![
                ("function a".into(), Action::Create),
                ("function b".into(), Action::Update),
                ("migration head".into(), Action::Update)
            ]
        );
        assert_eq!(
            changes[2].after,
            Some(Value::Migrations {
                head: "3".into(),
                pending: vec!["2".into(), "3".into()]
            })
        );
    }

    fn migrations(head: &str, local: &[&str], applied: &[&str]) -> Change {
        let local: Vec<String> = local.iter().map(|v| v.to_string()).collect();
        let want = DesiredMigrations {
            style: MigrationStyle::Supabase,
            head: head.into(),
            upto: local
                .iter()
                .filter(|v| version_order(v, &head.to_string()).is_le())
                .cloned()
                .collect(),
            local,
            statements: BTreeMap::new(),
        };
        let live = Snapshot {
            migrations: Some(applied.iter().map(|v| (*v).into()).collect()),
            ..Snapshot::default()
        };
        diff_migrations(&want, &live)
    }

    #[test]
    fn migration_guards_follow_the_supabase_cli() {
        let in_sync = migrations("3", &["1", "2", "3"], &["1", "2", "3"]);
        assert_eq!(in_sync.action, Action::Unchanged);
        assert!(!in_sync.is_schema_drift());

        let behind = migrations("3", &["1", "2", "3"], &["1"]);
        assert_eq!(behind.reason, Reason::PendingMigrations);

        let foreign = migrations("3", &["1", "2", "3"], &["1", "9"]);
        assert_eq!(
            foreign.reason,
            Reason::LiveAhead {
                versions: vec!["9".into()]
            }
        );
        assert!(foreign.is_schema_drift());

        let gap = migrations("3", &["1", "2", "3"], &["1", "3"]);
        assert_eq!(
            gap.reason,
            Reason::OutOfOrder {
                versions: vec!["2".into()]
            }
        );

        let past = migrations("2", &["1", "2", "3"], &["1", "2", "3"]);
        assert_eq!(
            past.reason,
            Reason::LiveBeyondHead {
                versions: vec!["3".into()]
            }
        );
        assert_eq!(past.action, Action::Update, "drift counts it");

        let empty = migrations("3", &["1", "2", "3"], &[]);
        assert_eq!(empty.reason, Reason::PendingMigrations);
    }

    #[test]
    fn a_file_edited_after_it_was_applied_is_drift_and_pending_ones_still_listed() {
        let recorded = |v: &str, s: &[&str]| crate::model::AppliedMigration {
            version: v.into(),
            statements: Some(s.iter().map(|x| x.to_string()).collect()),
        };
        let mut want = DesiredMigrations {
            style: MigrationStyle::Supabase,
            head: "3".into(),
            upto: vec!["1".into(), "2".into(), "3".into()],
            local: vec!["1".into(), "2".into(), "3".into()],
            statements: BTreeMap::from([
                ("1".to_string(), vec!["create table a (id int)".to_string()]),
                (
                    "2".to_string(),
                    vec!["create table b (id bigint)".to_string()],
                ),
            ]),
        };
        let live = Snapshot {
            migrations: Some(vec![
                recorded("1", &["create  table a (id int)"]),
                recorded("2", &["create table b (id int)"]),
            ]),
            ..Snapshot::default()
        };
        let change = diff_migrations(&want, &live);
        assert_eq!(
            change.reason,
            Reason::EditedAfterApply {
                versions: vec!["2".into()]
            }
        );
        assert!(change.is_schema_drift());
        assert_eq!(
            change.after,
            Some(Value::Migrations {
                head: "3".into(),
                pending: vec!["3".into()]
            })
        );
        // Without local statements (history through the API), no verdict.
        want.statements.clear();
        assert_eq!(
            diff_migrations(&want, &live).reason,
            Reason::PendingMigrations
        );
    }

    fn d1(local: &[&str], applied: &[&str]) -> Change {
        let local: Vec<String> = local.iter().map(|v| v.to_string()).collect();
        let want = DesiredMigrations {
            style: MigrationStyle::D1,
            head: local.last().cloned().unwrap_or_default(),
            upto: local.clone(),
            local,
            statements: BTreeMap::new(),
        };
        let live = Snapshot {
            migrations: Some(applied.iter().map(|v| (*v).into()).collect()),
            ..Snapshot::default()
        };
        diff_migrations(&want, &live)
    }

    #[test]
    fn d1_pending_is_a_set_difference_of_file_names() {
        let files = ["0001_init.sql", "0002_trips.sql", "0003_payments.sql"];
        let in_sync = d1(&files, &files);
        assert_eq!(
            (in_sync.action, in_sync.reason),
            (Action::Unchanged, Reason::Matches)
        );
        // A gap is not out of order for wrangler: the missing file is pending.
        let gap = d1(&files, &["0001_init.sql", "0003_payments.sql"]);
        assert_eq!(gap.reason, Reason::PendingMigrations);
        assert_eq!(
            gap.after,
            Some(Value::Migrations {
                head: "0003_payments.sql".into(),
                pending: vec!["0002_trips.sql".into()]
            })
        );
        assert_eq!(
            gap.before,
            Some(Value::Migrations {
                head: "0003_payments.sql".into(),
                pending: vec![]
            })
        );
        let foreign = d1(&files[..1], &["0001_init.sql", "0009_hotfix.sql"]);
        assert_eq!(
            foreign.reason,
            Reason::LiveAhead {
                versions: vec!["0009_hotfix.sql".into()]
            }
        );
        assert!(foreign.is_schema_drift());
        let empty = d1(&files, &[]);
        assert_eq!(empty.reason, Reason::PendingMigrations);
    }
}
