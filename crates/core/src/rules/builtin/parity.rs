//! `parity`: deployed environments declare the same keys (runbook 003:
//! what staging proves is what production gets). Which environments are
//! compared is `rules.parity`, by default every one that is not local.

use std::collections::HashSet;

use crate::diagnostic::Location;
use crate::model::Environment;
use crate::rules::{Facts, Finding, FindingKind, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let ctx = facts.ctx;
    let env = facts.env();
    let compared: Vec<&Environment> = match &ctx.config.parity {
        Some(p) => ctx
            .environments
            .iter()
            .copied()
            .filter(|e| p.environments.value.contains(&e.name))
            .collect(),
        None => ctx
            .environments
            .iter()
            .copied()
            .filter(|e| !e.local)
            .collect(),
    };
    if !compared.iter().any(|e| e.name == env.name) {
        return Vec::new();
    }
    let mine: HashSet<&str> = env.variables.keys().map(String::as_str).collect();
    // The finding points at the top of this environment's file: the key
    // is missing there.
    let location = Location {
        file: env.file.clone(),
        line: 1,
        column: 1,
    };
    let mut out = Vec::new();
    for other in compared.iter().filter(|e| e.name != env.name) {
        for (name, var) in &other.variables {
            if !mine.contains(name.as_str()) && !var.environment_specific {
                out.push(facts.finding(
                    RuleId::Parity,
                    ctx.policy(),
                    None,
                    Some(&location),
                    FindingKind::ParityMissing {
                        name: name.clone(),
                        declared_in: other.name.clone(),
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::fixture::{Case, environment, variable};
    use crate::rules::{FindingKind, RuleId::Parity, Severity};

    /// `case`'s environment next to `other`, which declares `KEY`.
    fn next_to(mut case: Case, other: &str, specific: bool) -> Case {
        let mut env = environment(other);
        let mut key = variable(&env, "KEY", "v");
        key.environment_specific = specific;
        env.variables.insert("KEY".into(), key);
        case.others.push(env);
        case
    }

    #[test]
    fn a_key_declared_elsewhere_only_is_refused_where_protected() {
        let found = next_to(Case::protected(), "staging", false).only(Parity);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::ParityMissing {
            name: "KEY".into(),
            declared_in: "staging".into(),
        };
        assert_eq!(found.kind, kind);
        let location = found.location.as_ref().expect("a place");
        assert_eq!((location.line, location.column), (1, 1));
        let case = next_to(Case::unprotected(), "production", false);
        assert_eq!(case.severities(Parity), [Severity::Warning]);
    }

    #[test]
    fn declared_keys_specific_ones_and_local_environments_pass() {
        let case = next_to(Case::protected(), "staging", false).declare("KEY", "w");
        assert_eq!(case.severities(Parity), []);
        let specific = next_to(Case::protected(), "staging", true);
        assert_eq!(specific.severities(Parity), []);
        assert_eq!(
            next_to(Case::protected(), "dev", false).severities(Parity),
            []
        );
    }

    #[test]
    fn rules_parity_names_the_environments_compared() {
        let case = next_to(Case::protected(), "staging", false);
        let case = case.rules("parity: { environments: [production, dev] }");
        assert_eq!(case.severities(Parity), []);
        let case = next_to(Case::protected(), "dev", false);
        let case = case.rules("parity: { environments: [production, dev] }");
        assert_eq!(case.severities(Parity), [Severity::Error]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = next_to(Case::protected(), "staging", false).disable(Parity);
        assert_eq!(case.severities(Parity), []);
    }
}
