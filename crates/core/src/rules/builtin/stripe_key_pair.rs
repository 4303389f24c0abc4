//! `stripe-key-pair`: runbook 003 §12, a "Stripe secret mismatch in
//! staging→prod promotion". A publishable key and a secret key from two
//! Stripe modes each pass `stripe-key-mode` alone, and checkout still
//! fails: a payment method the browser made in one mode does not exist in
//! the other.

use std::collections::BTreeSet;

use crate::detect::Class;
use crate::rules::{Facts, Finding, FindingKind, Item, RuleId};

/// A Stripe key's side and mode.
fn mode(class: Class) -> Option<(bool, &'static str)> {
    match class {
        Class::StripeTestPublishable => Some((true, "test")),
        Class::StripeLivePublishable => Some((true, "live")),
        Class::StripeTestSecret => Some((false, "test")),
        Class::StripeLiveSecret => Some((false, "live")),
        _ => None,
    }
}

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    // A secret reference `validate` cannot resolve has no class: only
    // keys whose mode is known are paired.
    let keys: Vec<(&Item<'_>, bool, &'static str)> = facts
        .items
        .iter()
        .filter_map(|item| {
            let (publishable, mode) = mode(item.class()?)?;
            Some((item, publishable, mode))
        })
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (p, _, p_mode) in keys.iter().filter(|k| k.1) {
        for (s, _, s_mode) in keys.iter().filter(|k| !k.1) {
            if p_mode == s_mode || !seen.insert((p.name, s.name)) {
                continue;
            }
            out.push(facts.finding(
                RuleId::StripeKeyPair,
                facts.ctx.policy(),
                Some(p),
                p.location.or(s.location),
                FindingKind::StripeKeyPair {
                    publishable: p.name.to_string(),
                    publishable_mode: p_mode,
                    secret: s.name.to_string(),
                    secret_mode: s_mode,
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::detect::Class;
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{FindingKind, RuleId::StripeKeyPair, Severity};

    fn pair(case: Case, publishable: &str, class: Option<Class>) -> Case {
        let key = secret(SecretOrigin::Reference("env:SK".into()), class);
        case.text("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY", publishable)
            .set("STRIPE_SECRET_KEY", key)
    }

    #[test]
    fn keys_of_two_modes_are_refused_where_protected_and_warned_elsewhere() {
        let live_pk = "pk_live_51Rdk0ProductionPublishable";
        let test_pk = "pk_test_51Rdk0StagingSandboxPublishable";
        let case = pair(Case::protected(), live_pk, Some(Class::StripeTestSecret));
        let found = case.only(StripeKeyPair);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::StripeKeyPair {
            publishable: "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY".into(),
            publishable_mode: "live",
            secret: "STRIPE_SECRET_KEY".into(),
            secret_mode: "test",
        };
        assert_eq!(found.kind, kind);
        assert!(
            found.message().contains("cannot find"),
            "{}",
            found.message()
        );
        let staging = pair(Case::unprotected(), test_pk, Some(Class::StripeLiveSecret));
        assert_eq!(staging.severities(StripeKeyPair), [Severity::Warning]);
        let local = pair(Case::local(), live_pk, Some(Class::StripeTestSecret));
        assert_eq!(local.severities(StripeKeyPair), [Severity::Warning]);
    }

    #[test]
    fn keys_of_one_mode_pass_and_an_unresolved_secret_is_not_judged() {
        let live = pair(
            Case::protected(),
            "pk_live_51Rdk0ProductionPublishable",
            Some(Class::StripeLiveSecret),
        );
        assert_eq!(live.severities(StripeKeyPair), []);
        let test = pair(
            Case::unprotected(),
            "pk_test_51Rdk0StagingSandbox",
            Some(Class::StripeTestSecret),
        );
        assert_eq!(test.severities(StripeKeyPair), []);
        let unresolved = pair(Case::protected(), "pk_test_51Rdk0Staging", None);
        assert_eq!(unresolved.severities(StripeKeyPair), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = pair(
            Case::protected(),
            "pk_live_51Rdk0ProductionPublishable",
            Some(Class::StripeTestSecret),
        );
        assert_eq!(case.disable(StripeKeyPair).severities(StripeKeyPair), []);
    }
}
