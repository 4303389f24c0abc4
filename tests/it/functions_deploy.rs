//! Edge Function code: a plan compares each function's deployed files with
//! its local folder (Supabase's function body endpoint), apply deploys the
//! changed ones, and prune removes functions that run live but are not
//! declared.

use crate::common;

use common::Workspace;
use common::platforms::{PRODUCTION_REF, Platforms, assert_no_leak, pairs};
use envctl_fakes::supabase::FunctionStatus;

const HAZARD: &str = "supabase/functions/hazard-scan/index.ts";

#[test]
fn an_edited_source_file_is_planned_deployed_and_then_clean() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let before = p
        .supabase
        .api()
        .function(PRODUCTION_REF, "hazard-scan")
        .unwrap();
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0);
    assert!(
        !plan.stdout().contains("source changed"),
        "{}",
        plan.stdout()
    );

    ws.write(
        HAZARD,
        "Deno.serve(() => new Response(\"hazard-scan v2\"));\n",
    );
    ws.write(
        "supabase/functions/hazard-scan/lib.ts",
        "export const v = 2;\n",
    );
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("hazard-scan")
        .expect_output("~ function hazard-scan: source changed: 1 file\n");
    assert!(!plan.stdout().contains("mesh-alert: source"));
    assert_no_leak(&plan.all());

    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let after = p
        .supabase
        .api()
        .function(PRODUCTION_REF, "hazard-scan")
        .unwrap();
    assert_eq!(after.version, before.version + 1);
    let files = p
        .supabase
        .api()
        .deployed_files(PRODUCTION_REF, "hazard-scan");
    assert!(
        files
            .iter()
            .any(|(path, bytes)| path == HAZARD && bytes.ends_with(b"v2\"));\n")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|(path, _)| path.ends_with("hazard-scan/lib.ts"))
    );
    assert_eq!(after.entrypoint_path.as_deref(), Some(HAZARD));
    // Only the changed function was deployed again.
    let mesh = p
        .supabase
        .api()
        .function(PRODUCTION_REF, "mesh-alert")
        .unwrap();
    assert_eq!(mesh.version, 1);

    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0);
    assert!(
        !plan.stdout().contains("source changed"),
        "{}",
        plan.stdout()
    );
}

#[test]
fn code_deployed_by_someone_else_is_drift() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let hotfix: &[u8] = b"Deno.serve(() => new Response(\"hotfix\"));\n";
    p.supabase.api().deploy_by_hand(
        PRODUCTION_REF,
        "mesh-alert",
        &[
            ("supabase/functions/mesh-alert/index.ts", hotfix),
            ("supabase/functions/mesh-alert/extra.ts", b"export {}\n"),
        ],
    );
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("mesh-alert")
        .expect_output("~ function mesh-alert: source changed: 2 files\n");
    ws.run(&["drift", "prod"], &env)
        .expect(2)
        .expect_output("functions      drift: 1 to change");
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    let files = p
        .supabase
        .api()
        .deployed_files(PRODUCTION_REF, "mesh-alert");
    assert!(files.iter().all(|(_, bytes)| bytes != hotfix), "{files:?}");
    ws.run(&["plan", "prod"], &env).expect(0);
}

#[test]
fn prune_removes_a_zombie_function_and_no_prune_leaves_it() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    p.supabase
        .api()
        .add_function(PRODUCTION_REF, "old-scan", true, FunctionStatus::Active);

    // Prune off: left alone, and said so.
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("functions live but not declared, left alone (prune is off): old-scan");
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    assert!(
        p.supabase
            .api()
            .function(PRODUCTION_REF, "old-scan")
            .is_some()
    );

    // Prune on: planned as a delete, removed by apply.
    ws.edit(
        "environments/production.yaml",
        "    project_ref: hdlproductionabcdefg\n",
        "    project_ref: hdlproductionabcdefg\n    prune: true\n",
    );
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(3)
        .expect_output("- function old-scan")
        .expect_output("rerun with --allow-delete");
    let plan = ws.run(&["plan", "prod", "--allow-delete"], &env);
    plan.expect(0).expect_output("- function old-scan");
    ws.run(&["apply", "prod", "--yes", "--allow-delete"], &env)
        .expect(0);
    let gone = p.supabase.api().function(PRODUCTION_REF, "old-scan");
    assert!(
        gone.as_ref()
            .is_none_or(|f| f.status == FunctionStatus::Removed),
        "{gone:?}"
    );
    assert_eq!(
        p.supabase
            .api()
            .function(PRODUCTION_REF, "hazard-scan")
            .map(|f| f.status),
        Some(FunctionStatus::Active)
    );
    ws.run(&["plan", "prod"], &env).expect(0);
}

#[test]
fn a_body_the_server_cannot_unbundle_is_a_warning_and_the_code_is_not_compared() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    p.supabase
        .api()
        .set_legacy_body(PRODUCTION_REF, "hazard-scan");
    ws.write(HAZARD, "Deno.serve(() => new Response(\"v3\"));\n");
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("the code of Edge Function hazard-scan was not compared");
    assert!(
        !plan.stdout().contains("source changed"),
        "{}",
        plan.stdout()
    );
}

#[test]
fn a_spent_rate_limit_leaves_code_uncompared_with_a_warning() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    p.supabase
        .api()
        .set_rate_limit(3, std::time::Duration::from_secs(60));
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0).expect_output(
        "was not compared: Supabase's limit of 120 code reads a minute is spent; plan again in a minute",
    );
    assert_no_leak(&plan.all());
}
