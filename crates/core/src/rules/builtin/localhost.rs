//! `localhost-url`: a URL pointing at this machine outside a local
//! environment (runbook 000 §2.3 and its release gate).

use crate::detect::loopback_host;
use crate::plan::Value;
use crate::rules::{Facts, Finding, FindingKind, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    if facts.env().local {
        return Vec::new();
    }
    facts
        .items
        .iter()
        .filter_map(|item| {
            let Value::Text { text } = item.value else {
                return None;
            };
            let host = loopback_host(text)?;
            Some(facts.finding(
                RuleId::LocalhostUrl,
                facts.ctx.policy(),
                Some(item),
                None,
                FindingKind::LocalhostUrl {
                    name: item.name.to_string(),
                    host,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::fixture::Case;
    use crate::rules::{FindingKind, RuleId::LocalhostUrl, Severity};

    const URL: &str = "http://user@LOCALHOST:54321/rest";

    #[test]
    fn a_localhost_url_is_refused_where_protected_and_warned_elsewhere() {
        let found = Case::protected().text("API_URL", URL).only(LocalhostUrl);
        assert_eq!(found.severity, Severity::Error);
        let host = FindingKind::LocalhostUrl {
            name: "API_URL".into(),
            host: "localhost".into(),
        };
        assert_eq!(found.kind, host);
        let case = Case::unprotected().text("API_URL", URL);
        assert_eq!(case.severities(LocalhostUrl), [Severity::Warning]);
    }

    #[test]
    fn public_urls_and_local_environments_pass() {
        let case = Case::protected().text("API_URL", "https://localhost.example.com");
        assert_eq!(case.severities(LocalhostUrl), []);
        assert_eq!(
            Case::local().text("API_URL", URL).severities(LocalhostUrl),
            []
        );
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::protected().text("API_URL", "ws://127.0.0.1");
        assert_eq!(case.disable(LocalhostUrl).severities(LocalhostUrl), []);
    }
}
