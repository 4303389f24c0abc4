//! `supabase-reserved`: Supabase injects `SUPABASE_*` into its functions
//! itself and its API refuses them as secrets. Only keys declared in YAML
//! count: the live ones are the platform's own.

use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    facts
        .items
        .iter()
        .filter(|item| {
            item.traits
                .reserved_prefix
                .is_some_and(|prefix| item.name.starts_with(prefix))
                && item.location.is_some()
        })
        .map(|item| {
            facts.finding(
                RuleId::SupabaseReserved,
                Severity::Error,
                Some(item),
                None,
                FindingKind::SupabaseReserved {
                    name: item.name.to_string(),
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::plan::{Action, Value};
    use crate::rules::fixture::{Case, change};
    use crate::rules::{RuleId::SupabaseReserved, Severity};

    fn supabase(case: Case, declared: bool) -> Case {
        let url = Value::Text {
            text: "https://x.supabase.co".into(),
        };
        let mut change = change("SUPABASE_URL", Action::Create, Some(url), 3);
        if !declared {
            change.location = None;
        }
        case.change("functions", "supabase", change)
    }

    #[test]
    fn a_declared_supabase_name_is_refused_everywhere() {
        let found = supabase(Case::local(), true).only(SupabaseReserved);
        assert_eq!(found.severity, Severity::Error);
        assert_eq!(found.target.as_deref(), Some("functions"));
    }

    #[test]
    fn the_platforms_own_keys_and_other_targets_pass() {
        let case = supabase(Case::protected(), false).text("SUPABASE_URL", "https://x");
        assert_eq!(case.severities(SupabaseReserved), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = supabase(Case::protected(), true).disable(SupabaseReserved);
        assert_eq!(case.severities(SupabaseReserved), []);
    }
}
