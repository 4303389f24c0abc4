//! `forbidden-flag`: runbook 000 §2.3, "never deploy with bypass flags
//! enabled". A flag counts as enabled unless its value is plainly false.

use crate::glob::glob_match;
use crate::plan::Value;
use crate::rules::{Facts, Finding, FindingKind, RuleId};

const DEFAULT_FLAGS: &[&str] = &["*_BYPASS", "*_BYPASS_*", "ALLOW_*_FALLBACK"];

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    if facts.env().local {
        return Vec::new();
    }
    let flags: Vec<&str> = match &facts.ctx.config.forbidden_flags {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_FLAGS.to_vec(),
    };
    facts
        .items
        .iter()
        .filter(|item| flags.iter().any(|p| glob_match(p, item.name)))
        .filter(|item| match item.value {
            Value::Text { text } => !is_falsy(text),
            _ => true,
        })
        .map(|item| {
            facts.finding(
                RuleId::ForbiddenFlag,
                facts.ctx.policy(),
                Some(item),
                None,
                FindingKind::ForbiddenFlag {
                    name: item.name.to_string(),
                },
            )
        })
        .collect()
}

fn is_falsy(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "" | "false" | "0" | "no" | "off"
    )
}

#[cfg(test)]
mod tests {
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{RuleId::ForbiddenFlag, Severity};

    #[test]
    fn an_enabled_bypass_flag_is_refused_where_protected_and_warned_elsewhere() {
        let on = |case: Case| {
            case.text("PAYMENTS_BYPASS", "true")
                .severities(ForbiddenFlag)
        };
        assert_eq!(on(Case::protected()), [Severity::Error]);
        assert_eq!(on(Case::unprotected()), [Severity::Warning]);
        assert_eq!(on(Case::local()), []);
    }

    #[test]
    fn a_plainly_false_flag_passes_and_a_secret_one_counts_as_on() {
        let case = Case::protected().text("AUTH_BYPASS", " Off ");
        assert_eq!(case.severities(ForbiddenFlag), []);
        let case = Case::protected().set("AUTH_BYPASS", secret(SecretOrigin::Live, None));
        assert_eq!(case.severities(ForbiddenFlag), [Severity::Error]);
    }

    #[test]
    fn forbidden_flags_replaces_the_default_globs() {
        let case = Case::protected()
            .rules("forbidden_flags: [SKIP_*]")
            .text("SKIP_AUTH", "1")
            .text("ALLOW_STRIPE_FALLBACK", "1");
        let found = case.only(ForbiddenFlag);
        assert_eq!(found.variable(), Some("SKIP_AUTH"));
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::protected().text("PAYMENTS_BYPASS", "true");
        assert_eq!(case.disable(ForbiddenFlag).severities(ForbiddenFlag), []);
    }
}
