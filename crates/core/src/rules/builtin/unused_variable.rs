//! `unused-variable`: a target receives a variable no code it serves
//! reads (runbook 003 keeps a Zod schema and envctl's rules as two
//! hand-synced copies of one list; a key left in the environment after
//! the code stopped reading it is the half of that drift envctl can see).
//! Always a warning. Names a framework or the build reads itself
//! (`NODE_VERSION`, `SENTRY_AUTH_TOKEN`, …) are never unused, and a
//! target whose code hands an environment object around whole
//! (`schema.parse(process.env)`) is not judged: any name may be read.

use crate::code::names::FRAMEWORK_RESERVED;
use crate::rules::builtin::undeclared_variable::{injected, provided};
use crate::rules::{Facts, Finding, FindingKind, RuleId, Severity};

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let Some(code) = facts.ctx.code else {
        return Vec::new();
    };
    let env = facts.env();
    let mut out = Vec::new();
    for (target, served) in &code.targets {
        if served.files.is_empty() || served.files.iter().any(|f| f.opaque) {
            continue;
        }
        let read: std::collections::BTreeSet<&str> =
            served.reads().map(|(_, r)| r.name.as_str()).collect();
        for name in provided(env, target) {
            if read.contains(name)
                || FRAMEWORK_RESERVED.contains(&name)
                || injected(env, target, name)
            {
                continue;
            }
            let location = env.variables.get(name).map(|v| v.location.clone());
            let kind = FindingKind::UnusedVariable {
                name: name.to_string(),
                code: served.describe(),
            };
            let mut finding = facts.finding(
                RuleId::UnusedVariable,
                Severity::Warning,
                None,
                location.as_ref(),
                kind,
            );
            finding.target = Some(target.clone());
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::code::Access;
    use crate::rules::fixture::{Case, read, served};
    use crate::rules::{FindingKind, RuleId::UnusedVariable, Severity};

    fn reading(name: &str) -> crate::code::Served {
        served("src/main.ts", vec![read(name, Access::ImportMeta, 1, 1)])
    }

    #[test]
    fn a_variable_no_code_reads_is_a_warning_even_where_protected() {
        let case = Case::protected()
            .declare("VITE_API_URL", "https://api.example.com")
            .declare("VITE_OLD_FLAG", "1")
            .code("app", reading("VITE_API_URL"));
        let found = case.only(UnusedVariable);
        assert_eq!(found.severity, Severity::Warning);
        let kind = FindingKind::UnusedVariable {
            name: "VITE_OLD_FLAG".into(),
            code: "src".into(),
        };
        assert_eq!(found.kind, kind);
        let place = found.location.as_ref().expect("the declaration");
        assert_eq!(place.to_string(), "environments/production.yaml:2:1");
        assert!(!case.verdict_refused());
    }

    #[test]
    fn reserved_names_opaque_code_and_unscanned_targets_pass() {
        let case = Case::protected()
            .declare("NODE_VERSION", "20")
            .code("app", reading("X"));
        assert_eq!(case.severities(UnusedVariable), []);
        let mut opaque = reading("X");
        std::sync::Arc::make_mut(&mut opaque.files[0]).opaque = true;
        let case = Case::protected().declare("A", "1").code("app", opaque);
        assert_eq!(case.severities(UnusedVariable), []);
        let unscanned = Case::protected().declare("A", "1");
        assert_eq!(unscanned.severities(UnusedVariable), []);
    }

    #[test]
    fn disabled_it_finds_nothing() {
        let case = Case::unprotected()
            .declare("A", "1")
            .code("app", reading("B"))
            .disable(UnusedVariable);
        assert_eq!(case.severities(UnusedVariable), []);
    }
}
