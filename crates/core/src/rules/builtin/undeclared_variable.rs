//! `undeclared-variable`: the code a target serves reads a variable the
//! environment does not send that target (the issue behind runbook 000's
//! §1.4 "Create `.env` from template" and runbook 002's "all vars from
//! `.env.example`": a key the code needs that no environment file
//! carries fails only at run time, in the deployed app). Never
//! undeclared: framework built-ins, the names a platform injects itself,
//! names the environment sets to `~` (meant to be absent: the code reads
//! them only when a feature is on), and names `rules.required` lists —
//! that rule says where they must be set (runbook 004's conditionally
//! required secrets), and reports them missing there.

use std::collections::{BTreeMap, BTreeSet};

use crate::code::names::builtin;
use crate::code::{FileScan, Read};
use crate::diagnostic::Location;
use crate::glob::glob_match;
use crate::model::{Environment, VarValue};
use crate::rules::{Facts, Finding, FindingKind, RuleId};

/// The variables `env` sends to `target` (declared, not `~`).
pub(in crate::rules) fn provided<'e>(env: &'e Environment, target: &str) -> BTreeSet<&'e str> {
    env.variables
        .values()
        .filter(|v| v.value != VarValue::Unset && v.targets.iter().any(|t| t == target))
        .map(|v| v.name.as_str())
        .collect()
}

/// Whether `name` is one the target's platform sets itself.
pub(in crate::rules) fn injected(env: &Environment, target: &str, name: &str) -> bool {
    env.targets.get(target).is_some_and(|t| {
        let traits = t.settings.traits();
        traits.code.injected.iter().any(|g| glob_match(g, name))
    })
}

/// Where code reads a variable.
pub(in crate::rules) fn location(file: &FileScan, read_pos: crate::span::Pos) -> Location {
    Location::new(&file.path, read_pos)
}

pub(in crate::rules) fn check(facts: &Facts<'_>) -> Vec<Finding> {
    let Some(code) = facts.ctx.code else {
        return Vec::new();
    };
    let env = facts.env();
    let required: BTreeSet<&str> = facts
        .ctx
        .config
        .required
        .iter()
        .flat_map(|r| r.value.names.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for (target, served) in &code.targets {
        let provided = provided(env, target);
        // name → its first read and how many more there are.
        let mut missing: BTreeMap<&str, (&FileScan, &Read, usize)> = BTreeMap::new();
        for (file, read) in served.reads() {
            let name = read.name.as_str();
            if builtin(read.access, name)
                || provided.contains(name)
                || env.unset.contains(name)
                || required.contains(name)
                || injected(env, target, name)
            {
                continue;
            }
            missing
                .entry(name)
                .and_modify(|(_, _, more)| *more += 1)
                .or_insert((file, read, 0));
        }
        for (name, (file, read, more)) in missing {
            let elsewhere = env
                .variables
                .get(name)
                .filter(|v| v.value != VarValue::Unset)
                .map(|v| v.targets.clone())
                .unwrap_or_default();
            let kind = FindingKind::UndeclaredVariable {
                name: name.to_string(),
                access: read.access.describe(),
                more,
                elsewhere,
            };
            let place = location(file, read.pos);
            let mut finding = facts.finding(
                RuleId::UndeclaredVariable,
                facts.ctx.policy(),
                None,
                Some(&place),
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
    use crate::rules::{FindingKind, RuleId::UndeclaredVariable, Severity};

    fn reads_stripe(case: Case) -> Case {
        let api = read("VITE_STRIPE_PUBLISHABLE_KEY", Access::ImportMeta, 3, 14);
        let again = read("VITE_STRIPE_PUBLISHABLE_KEY", Access::ImportMeta, 9, 5);
        case.code("app", served("src/api.ts", vec![api, again]))
    }

    #[test]
    fn a_read_nothing_provides_is_refused_where_protected_and_warned_elsewhere() {
        let found = reads_stripe(Case::protected()).only(UndeclaredVariable);
        assert_eq!(found.severity, Severity::Error);
        assert_eq!(found.target.as_deref(), Some("app"));
        let place = found.location.as_ref().expect("a place");
        assert_eq!(place.to_string(), "src/api.ts:3:14");
        let kind = FindingKind::UndeclaredVariable {
            name: "VITE_STRIPE_PUBLISHABLE_KEY".into(),
            access: "import.meta.env",
            more: 1,
            elsewhere: vec![],
        };
        assert_eq!(found.kind, kind);
        assert!(found.message().contains("(and in 1 more place)"));
        let case = reads_stripe(Case::unprotected());
        assert_eq!(case.severities(UndeclaredVariable), [Severity::Warning]);
    }

    #[test]
    fn provided_builtin_and_injected_names_pass() {
        let reads = [
            read("VITE_STRIPE_PUBLISHABLE_KEY", Access::ImportMeta, 1, 1),
            read("DEV", Access::ImportMeta, 2, 1),
            read("NODE_ENV", Access::Process, 3, 1),
            read("SUPABASE_URL", Access::Deno, 4, 1),
        ];
        let case = Case::protected()
            .declare("VITE_STRIPE_PUBLISHABLE_KEY", "pk_live_x")
            .code("app", served("src/api.ts", reads[..3].to_vec()))
            .target("fn", "supabase", &[], &[])
            .code(
                "fn",
                served("supabase/functions/a/index.ts", reads[3..].to_vec()),
            );
        assert_eq!(case.severities(UndeclaredVariable), []);
    }

    #[test]
    fn a_variable_routed_to_another_target_says_where_it_goes() {
        let case = Case::protected()
            .declare("RESEND_API_KEY", "re_x")
            .target("fn", "supabase", &[], &[])
            .code(
                "fn",
                served(
                    "supabase/functions/send/index.ts",
                    vec![read("RESEND_API_KEY", Access::Deno, 2, 13)],
                ),
            );
        let found = case.only(UndeclaredVariable);
        assert_eq!(found.target.as_deref(), Some("fn"));
        assert!(
            found.message().ends_with("it goes to app"),
            "{}",
            found.message()
        );
        assert!(
            found
                .fix()
                .starts_with("send RESEND_API_KEY to this target")
        );
    }

    #[test]
    fn a_name_set_to_nothing_is_meant_to_be_absent() {
        let mut case = reads_stripe(Case::protected());
        case.env.unset.insert("VITE_STRIPE_PUBLISHABLE_KEY".into());
        assert_eq!(case.severities(UndeclaredVariable), []);
    }

    #[test]
    fn a_name_the_required_rule_owns_is_left_to_it() {
        let case = reads_stripe(Case::unprotected())
            .rules("required: [{ name: VITE_STRIPE_PUBLISHABLE_KEY, environments: [production] }]");
        assert_eq!(case.severities(UndeclaredVariable), []);
    }

    #[test]
    fn without_scanned_code_or_disabled_it_finds_nothing() {
        assert_eq!(Case::protected().severities(UndeclaredVariable), []);
        let case = reads_stripe(Case::protected()).disable(UndeclaredVariable);
        assert_eq!(case.severities(UndeclaredVariable), []);
    }
}
