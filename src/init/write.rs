//! A [`Detected`] as the text of `envctl.yaml` and the three environment
//! files. Everything written validates as it is: a target the folder does
//! not name is written commented out with what to fill in, a value that
//! is not known is `~` with a TODO, and every secret is an `env:`
//! reference (`NAME` for local, `STAGING_NAME`, `PROD_NAME`: one CI
//! secret per environment, so one environment's value never stands in
//! for another's).

use std::fmt::Write as _;

use super::detect::{Detected, FLAG_NAMES, Kind, Var};
use crate::provider::detect::{Found, Placed, Role};
use crate::provider::{TargetSpec, quoted};
use envctl_core::model::TargetSettings;

/// The text of each file, and what is left to fill in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    pub project: String,
    pub local: String,
    pub staging: String,
    pub production: String,
    /// One line per thing the files leave for the user (`production:
    /// target functions: …`).
    pub todo: Vec<String>,
}

impl Files {
    /// (relative path, text), in [`super::FILES`] order.
    pub fn all(&self) -> [(&'static str, &str); 4] {
        let [p, l, s, r] = super::FILES;
        [
            (p, &self.project),
            (l, &self.local),
            (s, &self.staging),
            (r, &self.production),
        ]
    }
}

/// The deployed environments, with the prefix of their secrets' variables.
const DEPLOYED: [(&str, &str); 2] = [("staging", "STAGING_"), ("production", "PROD_")];

pub fn render(found: &Detected) -> Files {
    let web = found.platform(Role::Web);
    let functions = found.platform(Role::Functions);
    // Names the functions' platform sets itself (its reserved prefix),
    // seen only in its local file, are its own: not the app's to declare.
    let reserved = functions.and_then(|f| spec_of(&f.production).traits().reserved_prefix);
    let mut found = found.clone();
    found
        .variables
        .retain(|n, v| !(v.functions_only && reserved.is_some_and(|r| n.starts_with(r))));
    let found = &found;
    let local_functions = functions.and_then(|f| f.local_file.clone());
    let known = |p: Option<&Found>| {
        p.is_some_and(|f| {
            [&f.staging, &f.production]
                .iter()
                .any(|p| matches!(p, Placed::Known { .. }))
        })
    };
    // Routes may name only targets some environment defines.
    let functions_defined = local_functions.is_some() || known(functions);
    let mut todo = Vec::new();
    let local = local_file(found, &local_functions);
    let mut envs = Vec::new();
    for (env, prefix) in DEPLOYED {
        envs.push(deployed(found, env, prefix, web, functions, &mut todo));
    }
    let [staging, production] = [envs.remove(0), envs.remove(0)];
    Files {
        project: project(found, functions, functions_defined),
        local,
        staging,
        production,
        todo,
    }
}

fn project(found: &Detected, functions: Option<&Found>, functions_defined: bool) -> String {
    let mut y = String::from("# yaml-language-server: $schema=./schemas/envctl.schema.json\n#\n");
    let _ = writeln!(y, "# Written by `envctl init` from {}.", evidence(found));
    y.push_str("# See docs/configuration.md for every key.\n");
    let _ = writeln!(y, "version: 1\nproject: {}", quoted(&found.project));
    if functions_defined {
        let reserved = functions.and_then(|f| spec_of(&f.production).traits().reserved_prefix);
        let names: Vec<String> = found
            .variables
            .iter()
            .filter(|(n, v)| v.kind != Kind::Public && !reserved.is_some_and(|r| n.starts_with(r)))
            .map(|(n, _)| quoted(n))
            .collect();
        y.push_str("\n# Which variables each target receives (globs allowed); a target with\n# no route receives every variable.\nroutes:\n");
        let web_only_public = found.framework.filter(|f| !f.server).and_then(|f| f.prefix);
        if let Some(prefix) = web_only_public {
            let _ = writeln!(y, "  web: [{}]", quoted(&format!("{prefix}*")));
        }
        let _ = writeln!(y, "  functions: [{}]", names.join(", "));
    }
    let flags: Vec<&String> = found
        .variables
        .iter()
        .filter(|(_, v)| v.kind == Kind::Flag)
        .map(|(n, _)| n)
        .collect();
    let fns = functions
        .map(|f| f.functions.as_slice())
        .unwrap_or_default();
    let head = functions.is_some_and(|f| f.migrations);
    if !flags.is_empty() || !fns.is_empty() || head {
        y.push_str("\ndefaults:\n");
    }
    if !flags.is_empty() {
        y.push_str("  variables:\n    # Bypass flags: off everywhere unless an environment turns one on.\n");
        for flag in &flags {
            let _ = writeln!(y, "    {flag}: \"false\"");
        }
    }
    if !fns.is_empty() {
        y.push_str("  functions:\n");
        for f in fns {
            match f.verify_jwt {
                Some(v) => {
                    let _ = writeln!(y, "    {}: {{ verify_jwt: {v} }}", f.slug);
                }
                None => {
                    let _ = writeln!(y, "    {}:", f.slug);
                }
            }
        }
    }
    if head {
        y.push_str("  migrations:\n    head: latest\n");
    }
    if !flags.is_empty() {
        let mut list: Vec<String> = flags.iter().map(|f| quoted(f)).collect();
        list.extend(
            ["*_BYPASS", "*_BYPASS_*", "ALLOW_*_FALLBACK"]
                .iter()
                .map(|g| quoted(g)),
        );
        let _ = write!(
            y,
            "\nrules:\n  # On in production is an error, in staging a warning ({}).\n  forbidden_flags: [{}]\n",
            FLAG_NAMES.join(", "),
            list.join(", ")
        );
    }
    y
}

fn evidence(found: &Detected) -> String {
    let mut parts: Vec<String> = Vec::new();
    match found.framework {
        Some(f) if found.framework_by_names => {
            parts.push(format!("{} names", f.prefix.unwrap_or(f.name)))
        }
        Some(f) => parts.push(format!("package.json ({})", f.name)),
        None => {}
    }
    parts.extend(found.platforms.iter().flat_map(|p| p.evidence.clone()));
    parts.extend(found.env_files.iter().cloned());
    if parts.is_empty() {
        "an empty folder".into()
    } else {
        parts.join(", ")
    }
}

fn local_file(found: &Detected, local_functions: &Option<String>) -> String {
    let web_path = found
        .platform(Role::Web)
        .and_then(|f| f.local_file.clone())
        .or_else(|| found.framework.map(|f| f.local_file.to_string()))
        .unwrap_or_else(|| {
            let env = found.env_files.iter().any(|f| f == ".env");
            let local = found.env_files.iter().any(|f| f == ".env.local");
            if env && !local { ".env" } else { ".env.local" }.to_string()
        });
    let mut y =
        String::from("# yaml-language-server: $schema=../schemas/environment.schema.json\n#\n");
    let _ = write!(
        y,
        "# A developer's machine: `envctl apply local` writes {web_path}"
    );
    if let Some(path) = local_functions {
        let _ = write!(y, " and {path}");
    }
    y.push_str(".\n# Secrets are read from your shell's variables of the same name.\ntargets:\n");
    let _ = writeln!(
        y,
        "  web:\n    type: dotenv\n    path: {}",
        quoted(&web_path)
    );
    if let Some(path) = local_functions {
        let _ = writeln!(
            y,
            "  functions:\n    type: dotenv\n    path: {}",
            quoted(path)
        );
    }
    y.push_str(&variables(found, |name, var| match var.kind {
        Kind::Secret => Some(format!("{{ secret: env:{name} }}")),
        Kind::Flag => var.local.as_ref().map(|v| quoted(v)),
        Kind::Public | Kind::Plain => Some(match &var.local {
            Some(v) => quoted(v),
            None => "~ # TODO: a value (none found that could be copied)".into(),
        }),
    }));
    y
}

fn deployed(
    found: &Detected,
    env: &str,
    prefix: &str,
    web: Option<&Found>,
    functions: Option<&Found>,
    todo: &mut Vec<String>,
) -> String {
    let mut y =
        String::from("# yaml-language-server: $schema=../schemas/environment.schema.json\n#\n");
    let protected = env == "production";
    if protected {
        y.push_str("# Production: rules refuse instead of warning, deletes need --allow-delete.\nprotected: true\n");
    } else {
        let _ = writeln!(y, "# {env}: rules warn; production's refuse.");
    }
    let mut targets = String::new();
    let mut any = false;
    for (name, platform) in [("web", web), ("functions", functions)] {
        let Some(platform) = platform else { continue };
        let placed = if protected {
            &platform.production
        } else {
            &platform.staging
        };
        match placed {
            Placed::Known { spec, note } => {
                any = true;
                if let Some(note) = note {
                    let _ = writeln!(targets, "  # Check: {note}.");
                    todo.push(format!("{env}: target {name}: check {note}"));
                }
                let _ = write!(
                    targets,
                    "  {name}:\n    type: {}\n{}",
                    spec.kind(),
                    spec.settings().yaml()
                );
            }
            Placed::Unknown {
                placeholder,
                todo: what,
            } => {
                let _ = writeln!(targets, "  # TODO: {what}.");
                let _ = writeln!(targets, "  # {name}:\n  #   type: {}", placeholder.kind());
                for line in placeholder.settings().yaml().lines() {
                    let _ = writeln!(targets, "  #   {}", line.trim_start());
                }
                todo.push(format!("{env}: target {name}: {what}"));
            }
        }
    }
    if web.is_none() && functions.is_none() {
        let _ = writeln!(
            targets,
            "  # TODO: where {env}'s variables go (docs/configuration.md#targets), or\n  # `envctl import {env} --from …` to read them from a live target."
        );
        todo.push(format!("{env}: no platform found: add its targets"));
    }
    if any {
        y.push_str("\ntargets:\n");
        y.push_str(&targets);
    } else {
        // Nothing known: what to fill in, then an empty map that validates.
        y.push_str("\n# targets:\n");
        y.push_str(&targets);
        y.push_str("targets: {}\n");
    }
    let unknown = found
        .variables
        .values()
        .filter(|v| matches!(v.kind, Kind::Public | Kind::Plain))
        .count();
    if unknown > 0 {
        todo.push(format!("{env}: {unknown} values marked TODO"));
    }
    y.push_str(&variables(found, |name, var| match var.kind {
        Kind::Secret => Some(format!("{{ secret: env:{prefix}{name} }}")),
        Kind::Flag => None,
        Kind::Public => Some(format!(
            "~ # TODO: {env}'s value (public: shipped to browsers)"
        )),
        Kind::Plain => Some(format!("~ # TODO: {env}'s value")),
    }));
    y
}

/// The `variables:` section, one line per name `line` writes.
fn variables(found: &Detected, line: impl Fn(&str, &Var) -> Option<String>) -> String {
    let lines: Vec<String> = found
        .variables
        .iter()
        .filter_map(|(name, var)| Some(format!("  {name}: {}\n", line(name, var)?)))
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\nvariables:\n{}", lines.concat())
}

fn spec_of(placed: &Placed) -> &TargetSpec {
    match placed {
        Placed::Known { spec, .. } => spec,
        Placed::Unknown { placeholder, .. } => placeholder,
    }
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
