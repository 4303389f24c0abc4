//! An environment's variables: the defaults with the environment's own
//! laid over them key by key, each routed to the targets that receive it,
//! and checked against what those targets' platforms would refuse.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{PROJECT_FILE, list};
use crate::config::files::{ProjectFile, VarSpec, VarValue, is_env_name};
use crate::config::{SpecOf, Target, TargetSpec, Variable, glob_match};
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::yaml::Pos;
use envctl_core::yaml::de::{Spanned, closest};

/// The environment `env_name`'s variables (its own, from `file`, over the
/// project's defaults), routed to `targets`. A `~` drops a default.
pub(super) fn resolve(
    project: &ProjectFile,
    env_name: &str,
    file: &Path,
    own: BTreeMap<String, Spanned<VarSpec>>,
    targets: &BTreeMap<String, Target>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Variable> {
    let project_file = Path::new(PROJECT_FILE);
    let mut specs: BTreeMap<String, (Spanned<VarSpec>, &Path)> = project
        .defaults
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), project_file)))
        .collect();
    for (key, spec) in own {
        specs.insert(key, (spec, file));
    }
    let place = Place {
        project,
        env_name,
        targets,
    };
    let mut variables = BTreeMap::new();
    for (key, (spec, origin)) in specs {
        if let Some(variable) = place.variable(&key, spec, origin, diags) {
            variables.insert(key, variable);
        }
    }
    variables
}

/// Where a variable is resolved: the project (for routes), the
/// environment's name (for messages) and its targets.
struct Place<'a> {
    project: &'a ProjectFile,
    env_name: &'a str,
    targets: &'a BTreeMap<String, Target>,
}

impl Place<'_> {
    /// The variable `key` as written at `spec` in `origin`; `None` when its
    /// name is unusable or it is unset here.
    fn variable(
        &self,
        key: &str,
        spec: Spanned<VarSpec>,
        origin: &Path,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Variable> {
        let (name, targets) = (self.env_name, self.targets);
        let location = Location::new(origin, spec.pos);
        if !is_env_name(key) {
            diags.push(
                Diagnostic::error(
                    origin,
                    Some(spec.pos),
                    format!("`{key}` is not a valid variable name"),
                )
                .with_help(Some(
                    "use letters, digits and `_`, not starting with a digit",
                )),
            );
            return None;
        }
        let VarSpec {
            value,
            targets: explicit,
            environment_specific,
            allow_empty,
            sensitive,
        } = spec.value;
        if value == VarValue::Unset {
            return None;
        }
        let routed = match explicit {
            Some(names) => self.explicit(key, names, origin, spec.pos, diags),
            None => targets
                .values()
                .filter(|t| receives(self.project, t).iter().any(|p| glob_match(p, key)))
                .map(|t| t.name.clone())
                .collect::<Vec<_>>(),
        };
        if routed.is_empty() && !targets.is_empty() {
            diags.push(
                Diagnostic::warning(
                    origin,
                    Some(spec.pos),
                    format!("`{key}` goes to no target in environment {name}"),
                )
                .with_help(Some(
                    "add it to a target's `receives` or to `routes` in envctl.yaml",
                )),
            );
        }
        let variable = Variable {
            name: key.to_string(),
            value,
            targets: routed,
            environment_specific,
            allow_empty,
            sensitive,
            location,
        };
        if let VarValue::Plain(text) = &variable.value {
            diags.extend(crate::provider::dotenv::unrepresentable(
                targets, &variable, text,
            ));
            diags.extend(vouched_secret(&variable, text, origin, spec.pos));
        }
        Some(variable)
    }

    /// The targets a variable names itself (`targets:`), at `pos` in
    /// `origin`: an error for each that the environment does not have,
    /// the others kept.
    fn explicit(
        &self,
        key: &str,
        names: Vec<String>,
        origin: &Path,
        pos: Pos,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<String> {
        let (name, targets) = (self.env_name, self.targets);
        for tname in &names {
            if !targets.contains_key(tname) {
                let help = match closest(tname, targets.keys().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("targets in {name}: {}", list(targets.keys())),
                };
                diags.push(
                    Diagnostic::error(
                        origin,
                        Some(pos),
                        format!("`{key}` is routed to `{tname}`, which is not a target of environment {name}"),
                    )
                    .with_help(Some(help)),
                );
            }
        }
        names
            .into_iter()
            .filter(|t| targets.contains_key(t))
            .collect()
    }
}

/// `sensitive: false` vouches for a value that only looks random (the
/// `high_entropy` guess); a recognised secret format (a Stripe secret key,
/// a private key, a service-role JWT, a known token) stays a secret, or the
/// marker would print it in every plan. The value is never shown.
fn vouched_secret(variable: &Variable, text: &str, origin: &Path, pos: Pos) -> Option<Diagnostic> {
    use envctl_core::detect::{Class, classify};
    let class = classify(text).filter(|c| c.is_secret() && *c != Class::HighEntropy);
    let class = class.filter(|_| variable.sensitive == Some(false))?;
    let message = format!(
        "`sensitive: false` on {}: the value is {} by its format, which is always a secret",
        variable.name,
        class.describe()
    );
    Some(
        Diagnostic::error(origin, Some(pos), message).with_help(Some(
            "remove `sensitive: false`, and move the value to a reference (`secret: env:NAME`)",
        )),
    )
}

/// The patterns a target receives: its own list, else the project's route
/// for its name, else everything.
fn receives(project: &ProjectFile, target: &Target) -> Vec<String> {
    target
        .spec()
        .and_then(TargetSpec::receives)
        .map(<[String]>::to_vec)
        .or_else(|| project.routes.get(&target.name).map(|r| r.value.clone()))
        .unwrap_or_else(|| vec!["*".to_string()])
}

/// Names a platform would refuse, caught here so nothing is sent: each
/// variable against the first of its targets on each platform.
pub(super) fn check_platform_names(
    targets: &BTreeMap<String, Target>,
    variables: &BTreeMap<String, Variable>,
    diags: &mut Vec<Diagnostic>,
) {
    for var in variables.values() {
        let mut platforms = BTreeSet::new();
        for target in var.targets.iter().filter_map(|t| targets.get(t)) {
            let Some(spec) = target.spec() else {
                continue;
            };
            if !platforms.insert(target.settings.kind()) {
                continue;
            }
            let Some((message, help)) = crate::provider::check_name(spec, &target.name, &var.name)
            else {
                continue;
            };
            let loc = &var.location;
            let pos = Pos {
                line: loc.line,
                column: loc.column,
            };
            diags.push(Diagnostic::error(&loc.file, Some(pos), message).with_help(Some(help)));
        }
    }
}
