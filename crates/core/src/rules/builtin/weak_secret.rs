//! `weak-secret`: Supabase publishes hex(sha256) of every secret and
//! Vercel's tag carries one, which is safe only for values nobody can
//! guess. The context says which resolved secrets are guessable.

use crate::plan::Value;
use crate::rules::{Facts, Finding, FindingKind, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    facts
        .items
        .iter()
        .filter(|item| matches!(item.value, Value::Secret { .. }))
        .filter_map(|item| {
            let why = facts.ctx.weak_secrets.get(item.name)?;
            Some(facts.finding(
                RuleId::WeakSecret,
                facts.ctx.policy(),
                Some(item),
                None,
                FindingKind::WeakSecret {
                    name: item.name.to_string(),
                    why,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{RuleId::WeakSecret, Severity};

    fn weak(mut case: Case) -> Case {
        case.weak_secrets.insert("PIN".into(), "all digits");
        case.set(
            "PIN",
            secret(SecretOrigin::Reference("env:PIN".into()), None),
        )
    }

    #[test]
    fn a_guessable_secret_is_refused_where_protected_and_warned_elsewhere() {
        assert_eq!(
            weak(Case::protected()).severities(WeakSecret),
            [Severity::Error]
        );
        assert_eq!(
            weak(Case::local()).severities(WeakSecret),
            [Severity::Warning]
        );
    }

    #[test]
    fn a_plain_value_of_that_name_or_a_strong_secret_passes() {
        let mut case = Case::protected().text("PIN", "1234");
        case.weak_secrets.insert("PIN".into(), "all digits");
        assert_eq!(case.severities(WeakSecret), []);
        let strong = secret(SecretOrigin::Reference("env:KEY".into()), None);
        assert_eq!(
            Case::protected().set("KEY", strong).severities(WeakSecret),
            []
        );
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = weak(Case::protected()).disable(WeakSecret);
        assert_eq!(case.severities(WeakSecret), []);
    }
}
