//! Vercel records envctl did not write, whose values equal the declared
//! ones: the plan reads them (one pull), changes nothing, and says apply
//! tags them; apply writes only their comments; later plans trust the tags
//! and read no value (one list).

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, VERCEL_PROJECT, assert_no_leak, pairs};
use envctl_fakes::vercel::EnvType;

const CANARY: &str = "tok_CANARY_verified_record_42";

const N: usize = 12;
/// The `N` inline values and the secret.
const RECORDS: usize = N + 1;

/// A `bulk` environment: a Vercel `development` target with `N` inline
/// values (the first with a description) and one secret, all for that
/// target; the records exist with those values, untagged, the first's
/// comment being its description.
fn bulk(p: &Platforms) -> Workspace {
    let ws = Workspace::example();
    let mut file = String::from(
        "targets:\n  web:\n    type: vercel\n    project: huddle-web\n    team: team_huddle\n    target: development\nvariables:\n  BULK_SECRET: { secret: env:BULK_SECRET, targets: [web] }\n",
    );
    let api = p.vercel.api();
    let record = |key: &str, value: &str, comment: &str| {
        api.insert_record(
            VERCEL_PROJECT,
            key,
            value,
            EnvType::Encrypted,
            &["development"],
            None,
            comment,
        );
    };
    record("BULK_SECRET", CANARY, "");
    for i in 0..N {
        let description = if i == 0 {
            ", description: kept by hand"
        } else {
            ""
        };
        file.push_str(&format!(
            "  BULK_{i:03}: {{ value: value-{i}, targets: [web]{description} }}\n"
        ));
        record(
            &format!("BULK_{i:03}"),
            &format!("value-{i}"),
            if i == 0 { "kept by hand" } else { "" },
        );
    }
    ws.write("environments/bulk.yaml", &file);
    ws
}

fn env(p: &Platforms) -> Vec<(String, String)> {
    let mut env = p.env();
    env.push(("BULK_SECRET".into(), CANARY.into()));
    env
}

fn tagged(p: &Platforms) -> usize {
    p.vercel
        .api()
        .records(VERCEL_PROJECT)
        .iter()
        .filter(|r| r.comment.contains("[envctl sha256:"))
        .count()
}

/// `plan bulk` after the tags: no change, no tag line, and only the list.
fn plan_at_list_speed(p: &Platforms, ws: &Workspace, env: &[(String, String)]) {
    p.vercel.clear_log();
    let run = ws.run(&["plan", "bulk", "--detailed-exitcode"], &pairs(env));
    run.expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.");
    assert!(!run.all().contains("verified by reading"), "{}", run.all());
    assert_no_leak(&run.all());
    assert_eq!(p.vercel.count("GET", "/env/pull/"), 0, "no pull");
    assert_eq!(p.vercel.requests().len(), 1, "the list alone");
}

#[test]
fn verified_records_are_tagged_by_apply_and_later_plans_read_no_value() {
    let p = Platforms::start();
    let ws = bulk(&p);
    let env = env(&p);
    let values_before: Vec<(String, String)> = p
        .vercel
        .api()
        .records(VERCEL_PROJECT)
        .into_iter()
        .map(|r| (r.key, r.value))
        .collect();

    // The plan changes nothing and says what apply will tag.
    let plan = ws.run(&["plan", "bulk", "--detailed-exitcode"], &pairs(&env));
    plan.expect(0)
        .expect_output("Plan: 0 to add, 0 to change, 0 to delete.")
        .expect_output(&format!(
            "{RECORDS} records verified by reading; apply tags them"
        ));
    assert_no_leak(&plan.all());
    let md = ws.run(&["plan", "bulk", "--format", "markdown"], &pairs(&env));
    md.expect(0).expect_output("records verified by reading");
    let json = ws.run(&["plan", "bulk", "--format", "json"], &pairs(&env));
    json.expect(0);
    assert_no_leak(&json.all());
    let doc: serde_json::Value = serde_json::from_str(&json.stdout()).expect("JSON plan");
    let tag = doc["plan"]["targets"][0]["tag"]
        .as_array()
        .expect("a tag list");
    assert_eq!(tag.len(), RECORDS, "{tag:?}");
    ws.run(&["drift", "bulk"], &pairs(&env)).expect(0);
    assert_eq!(tagged(&p), 0, "plan and drift write nothing");

    // Without --yes (and no terminal to ask on) nothing is written.
    p.vercel.clear_log();
    let asked = ws.run(&["apply", "bulk"], &pairs(&env));
    assert_ne!(asked.code(), 0, "{}", asked.all());
    assert_eq!(p.vercel.count("PATCH", "/env/"), 0);

    // apply --yes writes the comments only: one PATCH per record, no value.
    p.vercel.clear_log();
    let applied = ws.run(&["apply", "bulk", "--yes"], &pairs(&env));
    applied
        .expect(0)
        .expect_output(&format!("Tagged {RECORDS} records (comment only)"));
    assert_no_leak(&applied.all());
    let requests = p.vercel.requests();
    assert_eq!(p.vercel.count("PATCH", "/env/"), RECORDS);
    assert_eq!(p.vercel.count("POST", "/env"), 0, "no value is written");
    assert_eq!(requests.len(), 2 + RECORDS, "list, pull, one PATCH each");
    for logged in requests.iter().filter(|l| l.request.method == "PATCH") {
        let body = String::from_utf8_lossy(&logged.request.body);
        assert!(!body.contains("value"), "{body}");
        assert_no_leak(&body);
    }
    let records = p.vercel.api().records(VERCEL_PROJECT);
    assert_eq!(tagged(&p), RECORDS);
    let first = records.iter().find(|r| r.key == "BULK_000").unwrap();
    assert!(
        first.comment.starts_with("kept by hand [envctl sha256:"),
        "{}",
        first.comment
    );
    let values_after: Vec<(String, String)> = records
        .iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect();
    assert_eq!(values_before, values_after, "values unchanged");

    // The next plan is list-speed, and apply has nothing to do.
    plan_at_list_speed(&p, &ws, &env);
    ws.run(&["apply", "bulk", "--yes"], &pairs(&env))
        .expect(0)
        .expect_output("Nothing to apply.");

    // A record touched later (its tag stale) whose value is still the
    // declared one is read, verified and tagged again.
    let api = p.vercel.api();
    api.advance_clock(std::time::Duration::from_secs(600));
    let touched = records.iter().find(|r| r.key == "BULK_005").unwrap();
    api.edit_record_behind_back(VERCEL_PROJECT, &touched.id, Some(&touched.comment), None);
    ws.run(&["plan", "bulk", "--detailed-exitcode"], &pairs(&env))
        .expect(0)
        .expect_output("1 record verified by reading; apply tags it");
    ws.run(&["apply", "bulk", "--yes"], &pairs(&env))
        .expect(0)
        .expect_output("Tagged 1 record (comment only)");
    plan_at_list_speed(&p, &ws, &env);

    // A value changed by hand after tagging is still found.
    api.advance_clock(std::time::Duration::from_secs(600));
    let id = records
        .iter()
        .find(|r| r.key == "BULK_003")
        .unwrap()
        .id
        .clone();
    api.edit_behind_back(VERCEL_PROJECT, &id, "changed-by-hand");
    let drifted = ws.run(&["plan", "bulk", "--detailed-exitcode"], &pairs(&env));
    drifted
        .expect(2)
        .expect_output("BULK_003")
        .expect_output("Plan: 0 to add, 1 to change, 0 to delete.");
    assert_no_leak(&drifted.all());
    ws.run(&["drift", "bulk"], &pairs(&env)).expect(2);
}

#[test]
fn a_saved_plan_tags_the_records_it_verified() {
    let p = Platforms::start();
    let ws = bulk(&p);
    let env = env(&p);
    ws.run(&["plan", "bulk", "--out", "bulk.plan"], &pairs(&env))
        .expect(0)
        .expect_output("verified by reading");
    let saved = std::fs::read_to_string(ws.path("bulk.plan")).expect("saved plan");
    assert_no_leak(&saved);
    assert_eq!(tagged(&p), 0);
    let applied = ws.run(&["apply", "bulk.plan"], &pairs(&env));
    applied
        .expect(0)
        .expect_output(&format!("Tagged {RECORDS} records (comment only)"));
    assert_no_leak(&applied.all());
    assert_eq!(tagged(&p), RECORDS);
    plan_at_list_speed(&p, &ws, &env);
}
