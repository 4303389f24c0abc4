//! The scenario every provider must pass: create, read back, update, prune,
//! and a re-apply that changes nothing. It drives the real engine path —
//! diff, then the writes apply derives from the plan — so a provider that
//! passes behaves the same under `envctl apply`.

use std::collections::BTreeMap;

use super::Provider;
use envctl_core::diagnostic::Location;
use envctl_core::plan::{
    Action, Desired, DesiredTarget, DesiredValue, Resolved, Subject, TargetPlan, diff_target,
};
use envctl_core::secret::Secret;

/// One step's outcome, for a readable failure message.
fn check(step: &str, ok: bool, detail: impl std::fmt::Debug) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("conformance step `{step}` failed: {detail:?}"))
    }
}

fn target(
    vars: &[(&str, &str, bool)],
    prune: bool,
    secrets: &mut BTreeMap<String, Secret>,
) -> DesiredTarget {
    let variables = vars
        .iter()
        .map(|(name, value, secret)| {
            let value = if *secret {
                let s = Secret::new(value.to_string());
                let resolved = Ok(Resolved::of(&s));
                secrets.insert(name.to_string(), s);
                DesiredValue::Secret {
                    reference: format!("env:{name}"),
                    resolved,
                }
            } else {
                DesiredValue::Plain(value.to_string())
            };
            let location = Location {
                file: "conformance.yaml".into(),
                line: 1,
                column: 1,
            };
            (
                name.to_string(),
                Desired {
                    value,
                    sensitive: None,
                    description: None,
                    location,
                },
            )
        })
        .collect();
    DesiredTarget {
        name: "conformance".into(),
        kind: "conformance",
        traits: envctl_core::model::Traits::default(),
        description: "conformance".into(),
        prune,
        variables,
        functions: None,
        migrations: None,
        settings: None,
    }
}

async fn plan_and_apply(
    provider: &Provider,
    desired: &DesiredTarget,
    secrets: &BTreeMap<String, Secret>,
) -> Result<TargetPlan, String> {
    let live = provider.read().await.map_err(|e| e.to_string())?;
    let plan = diff_target(desired, &live);
    let writes = envctl_core::apply::writes(&plan, desired, secrets).map_err(|e| e.to_string())?;
    provider
        .apply(&live, &writes)
        .await
        .map_err(|f| f.error.to_string())?;
    Ok(plan)
}

fn actions(plan: &TargetPlan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .filter(|c| matches!(c.subject, Subject::Variable { .. }))
        .map(|c| (c.subject.to_string(), c.action))
        .collect()
}

/// Runs the scenario on a provider whose target starts empty. Values carry
/// characters that dotenv-style formats must quote.
pub async fn run(provider: &Provider) -> Result<(), String> {
    let mut secrets = BTreeMap::new();
    let first = target(
        &[
            ("PLAIN", "a value # with hash", false),
            ("TOKEN", "s3cr3t\nline two", true),
        ],
        false,
        &mut secrets,
    );
    let plan = plan_and_apply(provider, &first, &secrets).await?;
    check(
        "create",
        actions(&plan)
            == [
                ("PLAIN".into(), Action::Create),
                ("TOKEN".into(), Action::Create),
            ],
        actions(&plan),
    )?;

    let plan = plan_and_apply(provider, &first, &secrets).await?;
    check(
        "read back",
        actions(&plan).iter().all(|(_, a)| *a == Action::Unchanged),
        actions(&plan),
    )?;

    let mut secrets = BTreeMap::new();
    let second = target(
        &[
            ("PLAIN", "changed 'quoted'", false),
            ("TOKEN", "rotated", true),
        ],
        false,
        &mut secrets,
    );
    let plan = plan_and_apply(provider, &second, &secrets).await?;
    check(
        "update",
        actions(&plan)
            == [
                ("PLAIN".into(), Action::Update),
                ("TOKEN".into(), Action::Update),
            ],
        actions(&plan),
    )?;

    let mut secrets = BTreeMap::new();
    let pruned = target(&[("TOKEN", "rotated", true)], true, &mut secrets);
    let plan = plan_and_apply(provider, &pruned, &secrets).await?;
    check(
        "prune",
        actions(&plan)
            == [
                ("PLAIN".into(), Action::Delete),
                ("TOKEN".into(), Action::Unchanged),
            ],
        actions(&plan),
    )?;

    let plan = plan_and_apply(provider, &pruned, &secrets).await?;
    check(
        "re-apply is a no-op",
        actions(&plan) == [("TOKEN".into(), Action::Unchanged)],
        actions(&plan),
    )?;
    let live = provider.read().await.map_err(|e| e.to_string())?;
    check(
        "pruned key is gone",
        !live.variables.contains_key("PLAIN"),
        live.variables.keys().collect::<Vec<_>>(),
    )?;
    Ok(())
}
