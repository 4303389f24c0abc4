//! The team's own lists in `rules:`: `required` variables (also under a
//! condition or in groups), `forbid`den names or values, and value
//! `patterns`. Each entry applies in the environments it names.

use regex::Regex;

use super::{Facts, Finding, FindingKind, RuleId, Severity};
use crate::diagnostic::Location;
use crate::glob::glob_match;
use crate::model::policy::Required;
use crate::plan::Value;

/// `required`: runbooks 000 §2, 003's Zod validation, and 004 §2's
/// "conditionally required" secrets. A variable counts as set when the
/// environment declares it or a target keeps it.
pub(super) fn required(facts: &Facts<'_>) -> Vec<Finding> {
    let ctx = facts.ctx;
    let env = facts.env();
    let mut out = Vec::new();
    for rule in &ctx.config.required {
        let r = &rule.value;
        if r.environments
            .as_ref()
            .is_some_and(|envs| !envs.contains(&env.name))
        {
            continue;
        }
        let Some(condition) = applies(r, facts) else {
            continue;
        };
        let location = Location::new(ctx.project_file, rule.pos);
        for name in r.names.iter().filter(|n| !is_set(facts, n)) {
            out.push(facts.finding(
                RuleId::Required,
                ctx.policy(),
                None,
                Some(&location),
                FindingKind::MissingRequired {
                    name: name.clone(),
                    condition: condition.clone(),
                },
            ));
        }
    }
    out
}

/// Whether a requirement applies here: `None` if not, else the condition
/// that made it apply (`Some(None)` for an unconditional one).
fn applies(r: &Required, facts: &Facts<'_>) -> Option<Option<String>> {
    if r.together {
        let set = r.names.iter().find(|n| is_set(facts, n))?;
        return Some(Some(format!(
            "{set} is set ({} go together)",
            r.names.join(", ")
        )));
    }
    let Some(c) = &r.when else {
        return Some(None);
    };
    let holds = match &c.equals {
        None => is_set(facts, &c.variable),
        Some(expected) => {
            let planned = facts.items.iter().find(|i| i.name == c.variable);
            matches!(planned.map(|i| i.value), Some(Value::Text { text }) if text == expected)
                || matches!(facts.env().variables.get(&c.variable).and_then(|v| v.plain()), Some(t) if t == expected)
        }
    };
    let condition = match &c.equals {
        None => format!("{} is set", c.variable),
        Some(expected) => format!("{} is `{expected}`", c.variable),
    };
    holds.then_some(Some(condition))
}

fn is_set(facts: &Facts<'_>, name: &str) -> bool {
    facts.env().variables.contains_key(name) || facts.items.iter().any(|i| i.name == name)
}

/// `forbid`: a name (glob) that must not be set, or not to a value
/// matching a regex; by default in protected environments. Always an
/// error: the team wrote it down as a refusal.
pub(super) fn forbid(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let mut out = Vec::new();
    for rule in &facts.ctx.config.forbid {
        let f = &rule.value;
        let applies = match &f.environments {
            Some(envs) => envs.contains(&env.name),
            None => env.protected,
        };
        if !applies {
            continue;
        }
        let value_re = f.value.as_deref().and_then(|r| Regex::new(r).ok());
        for item in facts.items.iter().filter(|i| glob_match(&f.name, i.name)) {
            let hit = match (&value_re, item.value) {
                (None, _) => true,
                (Some(re), Value::Text { text }) => re.is_match(text),
                (Some(_), _) => false,
            };
            if hit {
                out.push(facts.finding(
                    RuleId::Forbid,
                    Severity::Error,
                    Some(item),
                    None,
                    FindingKind::Forbidden {
                        name: item.name.to_string(),
                        message: f.message.clone(),
                    },
                ));
            }
        }
    }
    out
}

/// `patterns`: plain values of matching names must match a regex; secrets
/// cannot be seen, so they pass.
pub(super) fn pattern(facts: &Facts<'_>) -> Vec<Finding> {
    let env = facts.env();
    let mut out = Vec::new();
    for rule in &facts.ctx.config.patterns {
        let p = &rule.value;
        if p.environments
            .as_ref()
            .is_some_and(|envs| !envs.contains(&env.name))
        {
            continue;
        }
        let Ok(re) = Regex::new(&p.regex) else {
            continue;
        };
        for item in facts.items.iter().filter(|i| glob_match(&p.name, i.name)) {
            if let Value::Text { text } = item.value
                && !re.is_match(text)
            {
                out.push(facts.finding(
                    RuleId::Pattern,
                    facts.ctx.policy(),
                    Some(item),
                    None,
                    FindingKind::PatternMismatch {
                        name: item.name.to_string(),
                        regex: p.regex.clone(),
                        message: p.message.clone(),
                    },
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::plan::SecretOrigin;
    use crate::rules::fixture::{Case, secret};
    use crate::rules::{FindingKind, RuleId, Severity};

    const REQUIRED: &str = "required:
  - API_URL
  - name: WEBHOOK_SECRET
    when: { variable: PROVIDER, equals: stripe }
  - together: [SID, TOKEN]
  - name: DSN
    environments: [production]";

    fn missing(case: &Case) -> Vec<(Option<String>, Severity)> {
        let found = case.findings(RuleId::Required);
        found
            .into_iter()
            .map(|f| (f.variable().map(str::to_string), f.severity))
            .collect()
    }

    #[test]
    fn required_names_what_is_missing_where_it_applies() {
        let case = Case::protected().rules(REQUIRED).text("PROVIDER", "stripe");
        let case = case.declare("TOKEN", "t");
        // In the order of the entries in envctl.yaml.
        let names = ["API_URL", "WEBHOOK_SECRET", "SID", "DSN"];
        let expected: Vec<_> = names.map(|n| (Some(n.to_string()), Severity::Error)).into();
        assert_eq!(missing(&case), expected);
        let found = case.findings(RuleId::Required);
        let location = found[0].location.as_ref().expect("the entry");
        assert_eq!(location.file.to_str(), Some("envctl.yaml"));
    }

    #[test]
    fn required_conditions_that_do_not_hold_pass() {
        let case = Case::unprotected()
            .rules(REQUIRED)
            .declare("API_URL", "https://x")
            .declare("PROVIDER", "paypal");
        assert_eq!(missing(&case), []);
        let case = case.text("SID", "s");
        let warned = vec![(Some("TOKEN".to_string()), Severity::Warning)];
        assert_eq!(missing(&case), warned);
        let condition = Some("SID is set (SID, TOKEN go together)".to_string());
        let name = "TOKEN".to_string();
        let kind = FindingKind::MissingRequired { name, condition };
        assert_eq!(case.only(RuleId::Required).kind, kind);
    }

    const FORBID: &str = "forbid:
  - name: DEBUG_*
    message: no debug switches
  - name: API_URL
    value: '^http://'
    environments: [staging]";

    #[test]
    fn forbid_refuses_names_and_values_where_it_applies() {
        let case = Case::protected().rules(FORBID).text("DEBUG_SQL", "1");
        assert_eq!(case.severities(RuleId::Forbid), [Severity::Error]);
        let case = Case::unprotected().rules(FORBID).text("DEBUG_SQL", "1");
        assert_eq!(case.severities(RuleId::Forbid), []);
        let case = case.text("API_URL", "http://x");
        assert_eq!(case.severities(RuleId::Forbid), [Severity::Error]);
        let secret = secret(SecretOrigin::Live, None);
        let case = Case::unprotected().rules(FORBID).set("API_URL", secret);
        assert_eq!(case.severities(RuleId::Forbid), []);
    }

    const PATTERN: &str = "patterns:
  - name: '*_URL'
    regex: '^https://'
    message: absolute and secure";

    #[test]
    fn pattern_checks_plain_values_only() {
        let case = Case::protected().rules(PATTERN).text("API_URL", "http://x");
        assert_eq!(case.severities(RuleId::Pattern), [Severity::Error]);
        let case = Case::local().rules(PATTERN).text("API_URL", "ftp://x");
        assert_eq!(case.severities(RuleId::Pattern), [Severity::Warning]);
        let case = Case::protected()
            .rules(PATTERN)
            .text("API_URL", "https://x")
            .set("DB_URL", secret(SecretOrigin::Live, None));
        assert_eq!(case.severities(RuleId::Pattern), []);
    }

    #[test]
    fn disabled_they_find_nothing() {
        let rules = format!("{REQUIRED}\n{FORBID}\n{PATTERN}");
        let case = Case::protected()
            .rules(&rules)
            .text("DEBUG_URL", "http://x");
        let case = case
            .disable(RuleId::Required)
            .disable(RuleId::Forbid)
            .disable(RuleId::Pattern);
        for rule in [RuleId::Required, RuleId::Forbid, RuleId::Pattern] {
            assert_eq!(case.severities(rule), [], "{rule}");
        }
    }
}
