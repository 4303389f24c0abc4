//! `secret-age`: secrets older than the team rotates them — runbook 003's
//! quarterly "Rotate Supabase + Stripe secrets", runbook 002's quarterly
//! key review. Only values that stay as they are count: a planned write
//! renews one. Ages come from the platforms' update times and the
//! context's clock.

use crate::plan::{Action, Value};
use crate::rules::{Facts, Finding, FindingKind, Item, RuleId, Severity};

/// `rules.secret_max_age_days` when unset: a quarterly rotation.
pub const DEFAULT_SECRET_MAX_AGE_DAYS: u32 = 90;

const DAY_MS: i64 = 86_400_000;

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let ctx = facts.ctx;
    let max_days = ctx
        .config
        .secret_max_age_days
        .unwrap_or(DEFAULT_SECRET_MAX_AGE_DAYS);
    let mut out = Vec::new();
    for target in &facts.plan.targets {
        for change in &target.changes {
            let (Some(name), Action::Unchanged, Some(Value::Secret { .. })) =
                (change.variable(), change.action, &change.after)
            else {
                continue;
            };
            let Some(&updated) = target.updated_ms.get(name) else {
                continue;
            };
            let days = (ctx.now_ms - updated) / DAY_MS;
            if days > i64::from(max_days) {
                out.push(facts.finding(
                    RuleId::SecretAge,
                    Severity::Warning,
                    Some(&Item::whole(target)),
                    change.location.as_ref(),
                    FindingKind::SecretOld {
                        name: name.to_string(),
                        days,
                        max_days,
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::DAY_MS;
    use crate::plan::{Action, SecretOrigin};
    use crate::rules::fixture::{Case, change, secret};
    use crate::rules::{RuleId::SecretAge, Severity};

    /// `KEY`, a live secret last set `days` ago, that the plan leaves or
    /// writes (`action`).
    fn aged(case: Case, days: i64, action: Action) -> Case {
        let value = secret(SecretOrigin::Live, None);
        let mut case = case.change("app", "vercel", change("KEY", action, Some(value), 4));
        case.plan.targets[0].updated_ms.insert("KEY".into(), 0);
        case.now_ms = days * DAY_MS;
        case
    }

    #[test]
    fn an_old_secret_is_a_warning_even_where_protected() {
        let found = aged(Case::protected(), 91, Action::Unchanged).only(SecretAge);
        assert_eq!(found.severity, Severity::Warning);
        assert_eq!(found.location.as_ref().map(|l| l.line), Some(4));
    }

    #[test]
    fn a_young_secret_or_one_the_plan_writes_passes() {
        let young = aged(Case::protected(), 90, Action::Unchanged);
        assert_eq!(young.severities(SecretAge), []);
        let written = aged(Case::protected(), 400, Action::Update);
        assert_eq!(written.severities(SecretAge), []);
    }

    #[test]
    fn secret_max_age_days_sets_the_limit() {
        let case = aged(Case::unprotected(), 31, Action::Unchanged);
        let case = case.rules("secret_max_age_days: 30");
        assert_eq!(case.severities(SecretAge), [Severity::Warning]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = aged(Case::protected(), 91, Action::Unchanged).disable(SecretAge);
        assert_eq!(case.severities(SecretAge), []);
    }
}
