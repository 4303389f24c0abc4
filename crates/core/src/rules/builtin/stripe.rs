//! `stripe-key-mode`: runbook 003, a Stripe sandbox in staging and live
//! keys in production.

use crate::detect::Class;
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let protected = facts.env().protected;
    facts
        .items
        .iter()
        .filter_map(|item| {
            let name = item.name.to_string();
            let kind = match item.class() {
                Some(Class::StripeTestSecret | Class::StripeTestPublishable) if protected => {
                    FindingKind::StripeTestKey { name }
                }
                // Refused everywhere: a live key outside production moves real money.
                Some(Class::StripeLiveSecret) if !protected => FindingKind::StripeLiveKey { name },
                _ => return None,
            };
            Some(facts.finding(
                RuleId::StripeKeyMode,
                Severity::Error,
                Some(item),
                None,
                kind,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::detect::Class;
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{RuleId::StripeKeyMode, Severity};

    fn key(case: Case, class: Class) -> Vec<Severity> {
        let value = secret(SecretOrigin::Reference("env:KEY".into()), Some(class));
        case.set("STRIPE_KEY", value).severities(StripeKeyMode)
    }

    #[test]
    fn a_test_key_is_refused_where_protected_and_fine_elsewhere() {
        assert_eq!(
            key(Case::protected(), Class::StripeTestSecret),
            [Severity::Error]
        );
        let publishable = Class::StripeTestPublishable;
        assert_eq!(key(Case::protected(), publishable), [Severity::Error]);
        assert_eq!(key(Case::unprotected(), Class::StripeTestSecret), []);
    }

    #[test]
    fn a_live_secret_key_is_refused_everywhere_but_where_protected() {
        assert_eq!(key(Case::protected(), Class::StripeLiveSecret), []);
        assert_eq!(
            key(Case::unprotected(), Class::StripeLiveSecret),
            [Severity::Error]
        );
        assert_eq!(
            key(Case::local(), Class::StripeLiveSecret),
            [Severity::Error]
        );
        assert_eq!(key(Case::local(), Class::StripeLivePublishable), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::unprotected().disable(StripeKeyMode);
        assert_eq!(key(case, Class::StripeLiveSecret), []);
    }
}
