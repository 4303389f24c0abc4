//! `hardcoded-localhost`: a URL of this machine written into code a
//! deployed environment serves (runbook 000 §2.3 "No hardcoded localhost
//! API/WS in `src/`" and its release gate, §9 "localhost hardcode scan").
//! An error in protected environments, a warning in the other deployed
//! ones, nothing in local ones. A literal inside a branch that only runs
//! in development (`import.meta.env.DEV ? "http://localhost:5173" : …`)
//! never counts; a fallback (`VITE_API_URL || "http://localhost:3001"`)
//! does: it is what a deployment without the variable uses.

use std::collections::BTreeSet;

use crate::rules::builtin::undeclared_variable::location;
use crate::rules::{Facts, Finding, FindingKind, RuleId};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let Some(code) = facts.ctx.code else {
        return Vec::new();
    };
    if facts.env().local {
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (target, served) in &code.targets {
        for file in &served.files {
            for literal in &file.localhost {
                // A file several targets serve is one finding.
                if !seen.insert((&file.path, literal.pos)) {
                    continue;
                }
                let place = location(file, literal.pos);
                let kind = FindingKind::HardcodedLocalhost {
                    host: literal.host.clone(),
                };
                let mut finding = facts.finding(
                    RuleId::HardcodedLocalhost,
                    facts.ctx.policy(),
                    None,
                    Some(&place),
                    kind,
                );
                finding.target = Some(target.clone());
                out.push(finding);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::code::{Localhost, Served};
    use crate::rules::fixture::{Case, served};
    use crate::rules::{FindingKind, RuleId::HardcodedLocalhost, Severity};
    use crate::span::Pos;

    fn api_ts() -> Served {
        let mut code = served("src/api.ts", vec![]);
        let file = std::sync::Arc::make_mut(&mut code.files[0]);
        file.localhost.push(Localhost {
            host: "localhost".into(),
            pos: Pos {
                line: 1,
                column: 22,
            },
        });
        code
    }

    #[test]
    fn a_localhost_url_in_code_is_refused_where_protected_and_warned_elsewhere() {
        let found = Case::protected()
            .code("app", api_ts())
            .only(HardcodedLocalhost);
        assert_eq!(found.severity, Severity::Error);
        let kind = FindingKind::HardcodedLocalhost {
            host: "localhost".into(),
        };
        assert_eq!(found.kind, kind);
        let place = found.location.as_ref().expect("a place");
        assert_eq!(place.to_string(), "src/api.ts:1:22");
        let case = Case::unprotected().code("app", api_ts());
        assert_eq!(case.severities(HardcodedLocalhost), [Severity::Warning]);
    }

    #[test]
    fn local_environments_clean_code_and_shared_files_pass_or_count_once() {
        let local = Case::local().code("app", api_ts());
        assert_eq!(local.severities(HardcodedLocalhost), []);
        let clean = Case::protected().code("app", served("src/api.ts", vec![]));
        assert_eq!(clean.severities(HardcodedLocalhost), []);
        let shared = Case::protected()
            .code("app", api_ts())
            .code("preview", api_ts());
        assert_eq!(shared.severities(HardcodedLocalhost), [Severity::Error]);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::protected()
            .code("app", api_ts())
            .disable(HardcodedLocalhost);
        assert_eq!(case.severities(HardcodedLocalhost), []);
    }
}
