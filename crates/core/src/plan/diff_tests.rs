//! Unit tests of `diff`.

use super::*;
use std::collections::BTreeMap;

use super::super::migrations::version_order;
use crate::diagnostic::Location;
use crate::model::{LiveFunction, Traits};
use crate::plan::{Desired, DesiredMigrations, MigrationStyle, Resolved};

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
                        sensitive: None,
                        description: None,
                        location: loc(),
                    },
                )
            })
            .collect(),
        functions: None,
        migrations: None,
        settings: None,
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
            LiveFunction {
                verify_jwt: true,
                changed_files: None,
            },
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

#[test]
fn the_sensitive_marker_overrides_what_a_plain_value_looks_like() {
    let sid = "AC3f9a0c1e7b2d4086a1b2c3d4e5f60718";
    assert_eq!(classify(sid), Some(crate::detect::Class::HighEntropy));
    let mut d = target(&[("SID", plain(sid)), ("PIN", plain("hunter2"))], false);
    d.variables.get_mut("SID").expect("declared").sensitive = Some(false);
    d.variables.get_mut("PIN").expect("declared").sensitive = Some(true);
    let l = live(&[("SID", readable(sid)), ("PIN", readable("hunter1"))]);
    let changes = changes_for(&d, &l);
    let (pin, sid_change) = (&changes[0], &changes[1]);
    assert_eq!(sid_change.after, Some(Value::Text { text: sid.into() }));
    assert_eq!(sid_change.before, Some(Value::Text { text: sid.into() }));
    for value in [&pin.after, &pin.before] {
        match value {
            Some(Value::Secret { class, .. }) => {
                assert_eq!(*class, Some(crate::detect::Class::Sensitive))
            }
            other => panic!("PIN must be masked: {other:?}"),
        }
    }
    let text = format!("{changes:?}");
    assert!(!text.contains("hunter"), "{text}");
    // The marker vouches for looks only: a Stripe secret key stays masked.
    let mut d = target(&[("KEY", plain("sk_live_51Hx7Kp2eZvKYlo2C9fJ3"))], false);
    d.variables.get_mut("KEY").expect("declared").sensitive = Some(false);
    let changes = changes_for(&d, &live(&[]));
    assert!(
        matches!(changes[0].after, Some(Value::Secret { .. })),
        "{:?}",
        changes[0].after
    );
}

#[test]
fn a_description_the_platform_keeps_differently_is_a_change_only_there() {
    let mut d = target(
        &[("A", plain("1")), ("B", plain("2")), ("C", plain("3"))],
        false,
    );
    for (name, text) in [("A", "what A is for"), ("B", "what B is for")] {
        d.variables.get_mut(name).unwrap().description = Some(text.into());
    }
    let mut l = live(&[
        ("A", readable("1")),
        ("B", readable("2")),
        ("C", readable("3")),
    ]);
    l.descriptions.insert("A".into(), "what A is for".into());
    l.descriptions.insert("B".into(), "stale words".into());
    l.descriptions
        .insert("C".into(), "someone's own comment".into());
    // A platform without descriptions: only values count.
    let changes = changes_for(&d, &l);
    assert!(changes.iter().all(|c| c.action == Action::Unchanged));
    d.traits.descriptions = true;
    let changes = changes_for(&d, &l);
    assert_eq!(
        actions(&changes),
        vec![
            ("A".into(), Action::Unchanged),
            ("B".into(), Action::Update),
            // No `description:`: the live comment is the user's own.
            ("C".into(), Action::Unchanged)
        ]
    );
    assert_eq!(changes[1].reason, Reason::DescriptionDiffers);
    assert_eq!(changes[1].before, changes[1].after, "the value matches");
    // A value that differs is a change for the value, description or not.
    let l = live(&[("A", readable("other"))]);
    let changes = changes_for(&d, &l);
    assert_eq!(changes[0].reason, Reason::Differs);
}

#[test]
fn changed_function_code_is_an_update_that_says_how_many_files() {
    let mut d = target(&[], false);
    d.functions = Some(BTreeMap::from([
        ("same".to_string(), true),
        ("edited".to_string(), false),
        ("unknown".to_string(), true),
    ]));
    let f = |changed_files| LiveFunction {
        verify_jwt: true,
        changed_files,
    };
    let l = Snapshot {
        functions: Some(BTreeMap::from([
            ("same".to_string(), f(Some(0))),
            ("edited".to_string(), f(Some(3))),
            ("unknown".to_string(), f(None)),
        ])),
        ..Snapshot::default()
    };
    let changes = changes_for(&d, &l);
    let edited = &changes[0];
    assert_eq!(edited.action, Action::Update);
    assert_eq!(
        edited.reason,
        Reason::SourceChanged {
            files: 3,
            verify_jwt_differs: true
        }
    );
    assert_eq!(
        edited.reason.to_string(),
        "source changed: 3 files; verify_jwt differs"
    );
    assert_eq!(changes[1].action, Action::Unchanged);
    assert_eq!(changes[2].action, Action::Unchanged);
}

#[path = "diff_runner_tests.rs"]
mod runner;

#[path = "diff_tag_tests.rs"]
mod tag;
