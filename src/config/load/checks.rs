//! The checks of `envctl.yaml` that need the environments: aliases,
//! routes, and the environment names and rule ids the rules configuration
//! mentions. Then aliases in rules are replaced by the names they stand
//! for.

use std::collections::BTreeMap;
use std::path::Path;

use super::list;
use crate::config::Environment;
use crate::config::files::{Disable, ProjectFile};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::rules::RuleId;
use envctl_core::yaml::Pos;
use envctl_core::yaml::de::{closest, suggest};

/// Every check of the project `file` against the loaded environments.
pub(super) fn check_project(
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    check_aliases(project, file, environments, diags);
    check_routes(project, file, environments, diags);
    check_rule_environments(project, file, environments, diags);
    check_rule_ids(project, file, diags);
    check_regexes(project, file, diags);
}

/// An alias names an environment and is not one itself.
fn check_aliases(
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    for (alias, target) in &project.aliases {
        if environments.contains_key(alias) {
            diags.push(Diagnostic::error(
                file,
                Some(target.pos),
                format!("alias `{alias}` is also an environment's name"),
            ));
        }
        if !environments.contains_key(&target.value) {
            let help = closest(&target.value, environments.keys().map(String::as_str))
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| format!("environments: {}", list(environments.keys())));
            diags.push(
                Diagnostic::error(
                    file,
                    Some(target.pos),
                    format!(
                        "alias `{alias}` points to `{}`, which is not an environment",
                        target.value
                    ),
                )
                .with_help(Some(help)),
            );
        }
    }
}

/// A route is for a target some environment defines.
fn check_routes(
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    let all_targets: Vec<&str> = environments
        .values()
        .flat_map(|e| e.targets.keys().map(String::as_str))
        .collect();
    for (tname, route) in &project.routes {
        if !all_targets.contains(&tname.as_str()) {
            let help = closest(tname, all_targets.iter().copied())
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| "name a target defined in an environment file".to_string());
            diags.push(
                Diagnostic::error(
                    file,
                    Some(route.pos),
                    format!("route for `{tname}`, which no environment defines as a target"),
                )
                .with_help(Some(help)),
            );
        }
    }
}

/// Each environment a rule is limited to is an environment or an alias.
fn check_rule_environments(
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    let env_names: Vec<&str> = environments.keys().map(String::as_str).collect();
    let mut env_lists: Vec<(&Vec<String>, Pos)> = Vec::new();
    for disable in project.rules.disable.values() {
        if let Disable::In(names) = &disable.value {
            env_lists.push((names, disable.pos));
        }
    }
    for rule in &project.rules.required {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    for rule in &project.rules.forbid {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    for rule in &project.rules.patterns {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    if let Some(parity) = &project.rules.parity {
        env_lists.push((&parity.environments.value, parity.environments.pos));
    }
    for (names, pos) in env_lists {
        for name in names {
            if !env_names.contains(&name.as_str()) && !project.aliases.contains_key(name) {
                diags.push(
                    Diagnostic::error(file, Some(pos), format!("`{name}` is not an environment"))
                        .with_help(
                            closest(name, env_names.iter().copied())
                                .map(|b| format!("did you mean `{b}`?")),
                        ),
                );
            }
        }
    }
}

/// `rules.disable` names rules that exist.
fn check_rule_ids(project: &ProjectFile, file: &Path, diags: &mut Vec<Diagnostic>) {
    for (id, disable) in &project.rules.disable {
        if !RuleId::ALL.iter().any(|r| r.as_str() == id) {
            let ids: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
            diags.push(
                Diagnostic::error(file, Some(disable.pos), format!("unknown rule `{id}`"))
                    .with_help(Some(suggest(id, &ids))),
            );
        }
    }
}

/// The regexes of `rules.forbid` and `rules.patterns` compile.
fn check_regexes(project: &ProjectFile, file: &Path, diags: &mut Vec<Diagnostic>) {
    for (kind, entries) in [
        (
            "forbid",
            project
                .rules
                .forbid
                .iter()
                .map(|f| (f.value.value.as_deref(), f.pos))
                .collect::<Vec<_>>(),
        ),
        (
            "patterns",
            project
                .rules
                .patterns
                .iter()
                .map(|p| (Some(p.value.regex.as_str()), p.pos))
                .collect(),
        ),
    ] {
        for (regex, pos) in entries {
            if let Some(Err(e)) = regex.map(regex::Regex::new) {
                diags.push(Diagnostic::error(
                    file,
                    Some(pos),
                    format!("rules.{kind}: invalid regex: {e}"),
                ));
            }
        }
    }
}

/// Rules compare environment names; an alias in a rule's list means the
/// environment it names.
pub(super) fn canonicalize_environment_names(project: &mut ProjectFile) {
    let aliases: BTreeMap<String, String> = project
        .aliases
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let fix = |names: &mut Vec<String>| {
        for name in names.iter_mut() {
            if let Some(canonical) = aliases.get(name) {
                *name = canonical.clone();
            }
        }
    };
    let rules = &mut project.rules;
    for disable in rules.disable.values_mut() {
        if let Disable::In(names) = &mut disable.value {
            fix(names);
        }
    }
    rules
        .required
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    rules
        .forbid
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    rules
        .patterns
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    if let Some(parity) = rules.parity.as_mut() {
        fix(&mut parity.environments.value);
    }
}
