//! `client-exposed-secret`: runbooks 000 and 002, bundlers ship
//! `VITE_`/`NEXT_PUBLIC_` values to every browser, so a secret under such
//! a prefix is public.

use crate::model::policy::RulesConfig;
use crate::plan::{SecretOrigin, Value};
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

const DEFAULT_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
];

/// The prefixes bundlers ship to browsers: `rules.client_prefixes`, or
/// the defaults. A value under one of them is public by construction.
pub fn client_prefixes(config: &RulesConfig) -> Vec<&str> {
    match &config.client_prefixes {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_PREFIXES.to_vec(),
    }
}

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let prefixes = client_prefixes(facts.ctx.config);
    let severity = if facts.env().local {
        Severity::Warning
    } else {
        Severity::Error
    };
    facts
        .items
        .iter()
        .filter_map(|item| {
            let prefix = prefixes.iter().find(|p| item.name.starts_with(**p))?;
            let what = match (item.value, item.class()) {
                (
                    Value::Secret {
                        origin: SecretOrigin::Reference(r),
                        ..
                    },
                    _,
                ) => format!("a secret reference ({r})"),
                (_, Some(c)) if c.is_secret() => c.describe().to_string(),
                _ => return None,
            };
            Some(facts.finding(
                RuleId::ClientExposedSecret,
                severity,
                Some(item),
                None,
                FindingKind::ClientExposedSecret {
                    name: item.name.to_string(),
                    prefix: prefix.to_string(),
                    what,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::client_prefixes;
    use crate::detect::Class;
    use crate::model::policy::RulesConfig;
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{FindingKind, RuleId::ClientExposedSecret, Severity};

    fn reference() -> crate::plan::Value {
        secret(SecretOrigin::Reference("env:KEY".into()), None)
    }

    #[test]
    fn a_secret_under_a_browser_prefix_is_refused_outside_local() {
        let found = Case::unprotected()
            .set("VITE_KEY", reference())
            .only(ClientExposedSecret);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::ClientExposedSecret {
            name: "VITE_KEY".into(),
            prefix: "VITE_".into(),
            what: "a secret reference (env:KEY)".into(),
        };
        assert_eq!(found.kind, kind);
        let case = Case::local().set("VITE_KEY", reference());
        assert_eq!(case.severities(ClientExposedSecret), [Severity::Warning]);
    }

    #[test]
    fn public_values_and_server_names_pass() {
        let publishable = secret(SecretOrigin::Literal, Some(Class::StripeLivePublishable));
        let case = Case::protected()
            .set("VITE_STRIPE_KEY", publishable)
            .set("STRIPE_KEY", reference());
        assert_eq!(case.severities(ClientExposedSecret), []);
    }

    #[test]
    fn client_prefixes_replaces_the_defaults() {
        let config = RulesConfig::default();
        assert!(client_prefixes(&config).contains(&"NEXT_PUBLIC_"));
        let case = Case::protected()
            .rules("client_prefixes: [APP_]")
            .set("APP_KEY", reference())
            .set("VITE_KEY", reference());
        let found = case.findings(ClientExposedSecret);
        let names: Vec<_> = found.iter().map(|f| f.variable()).collect();
        assert_eq!(names, [Some("APP_KEY")]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::protected().set("VITE_KEY", reference());
        let case = case.disable(ClientExposedSecret);
        assert_eq!(case.severities(ClientExposedSecret), []);
    }
}
