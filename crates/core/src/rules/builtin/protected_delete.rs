//! `protected-delete`: a plan that deletes anything in a protected
//! environment needs `--allow-delete`, so a prune or a removed line cannot
//! take a production key away unseen.

use crate::plan::Action;
use crate::rules::{Facts, Finding, FindingKind, Item, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    if !facts.env().protected || facts.ctx.allow_delete {
        return Vec::new();
    }
    let mut out = Vec::new();
    for target in &facts.plan.targets {
        for change in target.changes.iter().filter(|c| c.action == Action::Delete) {
            out.push(facts.finding(
                RuleId::ProtectedDelete,
                Severity::Error,
                Some(&Item::whole(target)),
                None,
                FindingKind::DeleteInProtected {
                    subject: change.subject.to_string(),
                    variable: change.variable().map(str::to_string),
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::plan::Action;
    use crate::rules::fixture::{Case, change};
    use crate::rules::{RuleId::ProtectedDelete, Severity};

    fn deletes(case: Case) -> Case {
        case.change("app", "dotenv", change("OLD", Action::Delete, None, 2))
    }

    #[test]
    fn a_delete_where_protected_is_refused_and_names_its_variable() {
        let found = deletes(Case::protected()).only(ProtectedDelete);
        assert_eq!(found.severity, Severity::Error);
        assert_eq!(found.variable(), Some("OLD"));
        assert_eq!(found.location, None);
    }

    #[test]
    fn allow_delete_or_an_unprotected_environment_passes() {
        let mut case = deletes(Case::protected());
        case.allow_delete = true;
        assert_eq!(case.severities(ProtectedDelete), []);
        assert_eq!(deletes(Case::unprotected()).severities(ProtectedDelete), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = deletes(Case::protected()).disable(ProtectedDelete);
        assert_eq!(case.severities(ProtectedDelete), []);
    }
}
