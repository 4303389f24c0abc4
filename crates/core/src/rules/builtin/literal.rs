//! `literal-secret`: a value that looks like a secret written literally in
//! YAML, where it is in git for good. Refused where protected, a warning
//! in other deployed environments, fine in local ones.

use crate::plan::{SecretOrigin, Value};
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let severity = if env.protected {
        Severity::Error
    } else if !env.local {
        Severity::Warning
    } else {
        return Vec::new();
    };
    facts
        .items
        .iter()
        .filter_map(|item| {
            let Value::Secret {
                origin: SecretOrigin::Literal,
                class: Some(c),
                ..
            } = item.value
            else {
                return None;
            };
            Some(facts.finding(
                RuleId::LiteralSecret,
                severity,
                Some(item),
                None,
                FindingKind::LiteralSecret {
                    name: item.name.to_string(),
                    what: c.describe().to_string(),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::detect::Class;
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{RuleId::LiteralSecret, Severity};

    fn literal(case: Case) -> Case {
        case.set("JWT", secret(SecretOrigin::Literal, Some(Class::Jwt)))
    }

    #[test]
    fn a_literal_secret_is_refused_where_protected_warned_where_deployed() {
        assert_eq!(
            literal(Case::protected()).severities(LiteralSecret),
            [Severity::Error]
        );
        let unprotected = literal(Case::unprotected());
        assert_eq!(unprotected.severities(LiteralSecret), [Severity::Warning]);
        assert_eq!(literal(Case::local()).severities(LiteralSecret), []);
    }

    #[test]
    fn a_reference_or_an_unclassified_literal_passes() {
        let reference = SecretOrigin::Reference("env:JWT".into());
        let case = Case::protected()
            .set("JWT", secret(reference, Some(Class::Jwt)))
            .set("OTHER", secret(SecretOrigin::Literal, None));
        assert_eq!(case.severities(LiteralSecret), []);
    }

    #[test]
    fn a_literal_marked_sensitive_is_judged_as_a_secret() {
        let marked = secret(SecretOrigin::Literal, Some(Class::Sensitive));
        let found = Case::protected()
            .set("ADMIN_PIN", marked)
            .only(LiteralSecret);
        assert!(
            found.message().contains("marked `sensitive: true`"),
            "{}",
            found.message()
        );
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = literal(Case::protected()).disable(LiteralSecret);
        assert_eq!(case.severities(LiteralSecret), []);
    }
}
