//! A plan names every Edge Function that runs live but is not declared
//! (left alone while prune is off), the first ten and then how many more,
//! in the terminal and in the pull-request comment.

use crate::common;

use common::Workspace;
use common::platforms::{PRODUCTION_REF, Platforms, assert_no_leak, pairs};
use envctl_fakes::supabase::FunctionStatus;

#[test]
fn a_plan_names_the_functions_live_but_not_declared() {
    let ws = Workspace::example();
    let p = Platforms::start();
    let env = p.env();
    let env = pairs(&env);
    ws.run(&["apply", "prod", "--yes"], &env).expect(0);
    p.supabase
        .api()
        .add_function(PRODUCTION_REF, "legacy-cron", true, FunctionStatus::Active);
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0)
        .expect_output("1 not declared and left alone")
        .expect_output("functions live but not declared, left alone (prune is off): legacy-cron\n");
    assert_no_leak(&plan.all());

    for i in 1..=11 {
        p.supabase.api().add_function(
            PRODUCTION_REF,
            &format!("old-hook-{i:02}"),
            false,
            FunctionStatus::Active,
        );
    }
    let plan = ws.run(&["plan", "prod"], &env);
    plan.expect(0).expect_output(
        "functions live but not declared, left alone (prune is off): legacy-cron, old-hook-01, old-hook-02, old-hook-03, old-hook-04, old-hook-05, old-hook-06, old-hook-07, old-hook-08, old-hook-09 and 2 more\n",
    );
    let markdown = ws.run(&["plan", "prod", "--format", "markdown"], &env);
    markdown.expect(0).expect_output(
        "Functions live but not declared, left alone (prune is off): legacy-cron, old-hook-01,",
    );
    // The declared ones are not among them.
    assert!(
        !plan
            .stdout()
            .contains("prune is off): create-checkout-session")
    );
}
