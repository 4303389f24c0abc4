//! `reused-secret`: runbook 003 §12 ("Stripe secret mismatch in
//! staging→prod promotion"; follow-up "add staging→prod secret syncing
//! step"). Promotion by copy is how a staging value ends up in production:
//! then production is only as safe as staging, where more people and
//! machines hold it. A protected environment's resolved secret must not
//! equal a value of a non-protected one. Values are compared by digest in
//! memory; neither the values nor the digests are shown.

use crate::plan::{SecretOrigin, Value};
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    if !facts.env().protected {
        return Vec::new();
    }
    facts
        .items
        .iter()
        .filter_map(|item| {
            // A live value the desired state does not declare is not this
            // environment's choice; an unresolved one has no digest.
            let Value::Secret {
                fingerprint: Some(fingerprint),
                origin: SecretOrigin::Reference(_),
                ..
            } = item.value
            else {
                return None;
            };
            let other = facts
                .ctx
                .elsewhere
                .iter()
                .find(|e| e.fingerprint == *fingerprint)?;
            Some(facts.finding(
                RuleId::ReusedSecret,
                Severity::Error,
                Some(item),
                None,
                FindingKind::ReusedSecret {
                    name: item.name.to_string(),
                    other_environment: other.environment.clone(),
                    other_name: other.name.clone(),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::plan::{SecretOrigin, Value};
    use crate::rules::fixture::Case;
    use crate::rules::{FindingKind, RuleId::ReusedSecret, SecretElsewhere, Severity};
    use crate::secret::Fingerprint;

    fn resolved(value: &str) -> Value {
        Value::Secret {
            fingerprint: Some(Fingerprint::of(value)),
            class: None,
            origin: SecretOrigin::Reference("env:PROD_STRIPE_SECRET_KEY".into()),
        }
    }

    /// `case` holds STRIPE_SECRET_KEY = `value`; staging's is `staging`.
    fn beside_staging(mut case: Case, value: &str, staging: &str) -> Case {
        case.elsewhere.push(SecretElsewhere {
            environment: "staging".into(),
            name: "STRIPE_SECRET_KEY".into(),
            fingerprint: Fingerprint::of(staging),
        });
        case.set("STRIPE_SECRET_KEY", resolved(value))
    }

    #[test]
    fn a_protected_secret_equal_to_a_staging_value_is_refused() {
        let value = "sk_test_51StagingKeyPromotedByCopy";
        let found = beside_staging(Case::protected(), value, value).only(ReusedSecret);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::ReusedSecret {
            name: "STRIPE_SECRET_KEY".into(),
            other_environment: "staging".into(),
            other_name: "STRIPE_SECRET_KEY".into(),
        };
        assert_eq!(found.kind, kind);
        let shown = format!("{found}");
        assert!(!shown.contains(value), "{shown}");
        assert!(
            !shown.contains(Fingerprint::of(value).hex()),
            "no digest: {shown}"
        );
    }

    #[test]
    fn different_values_unprotected_environments_and_literals_pass() {
        let case = beside_staging(Case::protected(), "sk_live_prod", "sk_test_staging");
        assert_eq!(case.severities(ReusedSecret), []);
        let staging = beside_staging(Case::unprotected(), "same", "same");
        assert_eq!(staging.severities(ReusedSecret), []);
        let mut live = Case::protected();
        live.elsewhere.push(SecretElsewhere {
            environment: "staging".into(),
            name: "K".into(),
            fingerprint: Fingerprint::of("same"),
        });
        let live_value = Value::Secret {
            fingerprint: Some(Fingerprint::of("same")),
            class: None,
            origin: SecretOrigin::Live,
        };
        assert_eq!(live.set("K", live_value).severities(ReusedSecret), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = beside_staging(Case::protected(), "same", "same").disable(ReusedSecret);
        assert_eq!(case.severities(ReusedSecret), []);
    }
}
