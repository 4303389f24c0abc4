//! Vercel records envctl did not write (no tag in their comment): a plan
//! reads their values with one pull of the target, as `vercel env pull`
//! does, not one request per record; so its requests do not grow with N.

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, assert_no_leak, pairs};
use envctl_fakes::vercel::EnvType;

const CANARY: &str = "tok_CANARY_untagged_record_77";

/// A `bulk` environment: a Vercel `development` target with `n` inline
/// values and one secret; the records exist, untagged, with those values.
fn bulk(p: &Platforms, n: usize) -> Workspace {
    let ws = Workspace::example();
    let mut file = String::from(
        "targets:\n  web:\n    type: vercel\n    project: huddle-web\n    team: team_huddle\n    target: development\nvariables:\n  BULK_SECRET: { secret: env:BULK_SECRET, targets: [web] }\n",
    );
    let api = p.vercel.api();
    api.insert_record(
        VERCEL_PROJECT,
        "BULK_SECRET",
        CANARY,
        EnvType::Encrypted,
        &["development"],
        None,
        "",
    );
    for i in 0..n {
        file.push_str(&format!("  BULK_{i:03}: value-{i}\n"));
        api.insert_record(
            VERCEL_PROJECT,
            &format!("BULK_{i:03}"),
            &format!("value-{i}"),
            EnvType::Encrypted,
            &["development"],
            None,
            "kept by hand",
        );
    }
    ws.write("environments/bulk.yaml", &file);
    ws
}

/// The Vercel requests of one `plan bulk`, which must find nothing to change.
fn plan_requests(n: usize) -> (usize, usize, usize) {
    let p = Platforms::start();
    let ws = bulk(&p, n);
    let mut env = p.env();
    env.push(("BULK_SECRET".into(), CANARY.into()));
    p.vercel.clear_log();
    let run = ws.run(&["plan", "bulk", "--detailed-exitcode"], &pairs(&env));
    run.expect(0);
    assert_no_leak(&run.all());
    let by_id = p
        .vercel
        .requests()
        .iter()
        .filter(|l| {
            l.request.method == "GET"
                && l.request.path.contains("/projects/")
                && l.request.path.contains("/env/")
        })
        .count();
    (
        p.vercel.requests().len(),
        p.vercel.count("GET", "/env/pull/"),
        by_id,
    )
}

#[test]
fn a_plan_reads_untagged_values_in_one_pull_whatever_their_number() {
    let (small, small_pulls, small_by_id) = plan_requests(5);
    let (large, large_pulls, large_by_id) = plan_requests(150);
    assert_eq!((small_pulls, large_pulls), (1, 1));
    assert_eq!((small_by_id, large_by_id), (0, 0));
    assert_eq!(small, large, "requests must not grow with the records");
    assert_eq!(large, 2, "the list and the pull");
}
