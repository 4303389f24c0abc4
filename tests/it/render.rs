//! Snapshot tests of the three views of one plan: the shipped example's
//! local environment against live files that drifted in every way.

use crate::common;

use std::collections::BTreeMap;

use envctl::{config, engine, plan, render, rules};

fn drifted_plan() -> (plan::Plan, rules::Verdict) {
    let ws = common::Workspace::example();
    let loaded = config::load(ws.dir.path()).unwrap();
    let workspace = loaded.workspace;
    let env = workspace.environment("local").unwrap();
    let source: BTreeMap<String, String> = common::local_secrets()
        .into_iter()
        .filter(|(k, _)| *k != "FCM_SERVER_KEY")
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let secrets = engine::resolve_secrets(&workspace, env, &source);
    let desired = plan::desired_targets(env, &secrets.resolution);
    let live = common::readable;
    let snapshots = vec![
        live(&[
            ("STRIPE_SECRET_KEY", "sk_test_CANARYold"),
            ("ALLOW_STRIPE_FALLBACK", "true"),
            ("LEGACY", "multi\nline"),
        ]),
        live(&[
            ("VITE_API_URL", "http://localhost:3000"),
            ("VITE_WS_URL", "ws://localhost:54321/realtime/v1"),
        ]),
    ];
    let plan = plan::diff(&workspace.project, env, &desired, &snapshots);
    let verdict = rules::evaluate(&plan, &engine::rules_context(&workspace, env, false));
    (plan, verdict)
}

#[test]
fn human_view() {
    let (plan, verdict) = drifted_plan();
    let text = render::human(&plan, &verdict, render::Style { color: false });
    assert!(!text.contains("CANARY"));
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_view() {
    let (plan, verdict) = drifted_plan();
    let text = render::markdown(&plan, &verdict);
    assert!(!text.contains("CANARY"));
    insta::assert_snapshot!(text);
}

#[test]
fn json_view() {
    let (plan, verdict) = drifted_plan();
    let text = render::json(&plan, &verdict);
    assert!(!text.contains("CANARY"));
    insta::assert_snapshot!(text);
}

#[test]
fn colour_only_when_asked() {
    let (plan, verdict) = drifted_plan();
    assert!(render::human(&plan, &verdict, render::Style { color: true }).contains("\x1b[32m"));
    assert!(!render::human(&plan, &verdict, render::Style { color: false }).contains('\x1b'));
}
