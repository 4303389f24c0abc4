//! Migration histories of other runners, compared by place in the
//! runner's own order.

use super::*;

fn runner(head: usize, local: &[&str], applied: &[&str], strict: bool) -> Change {
    let local: Vec<String> = local.iter().map(|v| v.to_string()).collect();
    let want = DesiredMigrations {
        style: MigrationStyle::Runner {
            older_pending_is_drift: strict,
        },
        head: local[head].clone(),
        upto: local[..=head].to_vec(),
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
fn runner_histories_compare_by_place_in_the_runners_order() {
    // Ids a number-first order would put elsewhere: `b` after `a10`.
    let local = ["a10_x.js", "a9_y.js", "b.js"];
    let behind = runner(2, &local, &["a10_x.js"], true);
    assert_eq!(behind.reason, Reason::PendingMigrations);
    assert_eq!(
        (behind.before.clone(), behind.after.clone()),
        (
            Some(Value::Migrations {
                head: "a10_x.js".into(),
                pending: vec![]
            }),
            Some(Value::Migrations {
                head: "b.js".into(),
                pending: vec!["a9_y.js".into(), "b.js".into()]
            })
        )
    );
    let gap = ["a10_x.js", "b.js"];
    assert_eq!(
        runner(2, &local, &gap, true).reason,
        Reason::OutOfOrder {
            versions: vec!["a9_y.js".into()]
        }
    );
    // A runner that runs older files too: pending, not drift.
    assert_eq!(
        runner(2, &local, &gap, false).reason,
        Reason::PendingMigrations
    );
    assert_eq!(
        runner(2, &local, &["a10_x.js", "gone.js"], true).reason,
        Reason::LiveAhead {
            versions: vec!["gone.js".into()]
        }
    );
    assert_eq!(
        runner(0, &local, &["a10_x.js", "a9_y.js"], true).reason,
        Reason::LiveBeyondHead {
            versions: vec!["a9_y.js".into()]
        }
    );
    assert_eq!(runner(2, &local, &local, true).action, Action::Unchanged);
}
