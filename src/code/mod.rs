//! The app's code, found and read for `validate`: which folders each
//! target serves (its `code:`, or its platform's defaults), the source
//! files there, each read and handed to the core's scanner once however
//! many targets and environments serve it. What comes out is data, per
//! environment ([`CodeReads`]), for the rules.

mod walk;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Environment, Target, VarValue, Workspace};
use envctl_core::code::names::FRONTEND_FOLDERS;
use envctl_core::code::{CodeReads, FileScan, Served};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::rules::client_prefixes;

/// The code of the environments scanned: what each serves, and what
/// deserves a look (files that could not be read or parsed).
#[derive(Debug, Default)]
pub struct Scanned {
    pub environments: BTreeMap<String, CodeReads>,
    pub warnings: Vec<Diagnostic>,
}

/// Scans the code every target of `envs` serves.
pub fn scan(ws: &Workspace, envs: &[&Environment]) -> Scanned {
    let served: Vec<(&str, &str, Vec<String>)> = envs
        .iter()
        .flat_map(|env| {
            env.targets
                .values()
                .map(move |t| (env.name.as_str(), t.name.as_str(), roots(ws, env, t)))
        })
        .filter(|(_, _, roots)| !roots.is_empty())
        .collect();
    let entries: BTreeSet<String> = served
        .iter()
        .flat_map(|(_, _, roots)| roots.iter().cloned())
        .collect();
    let mut warnings = Vec::new();
    let listed: BTreeMap<String, Vec<PathBuf>> = entries
        .into_iter()
        .map(|entry| {
            let files = walk::files(&ws.root, &entry, &mut warnings);
            (entry, files)
        })
        .collect();
    let all: BTreeSet<&PathBuf> = listed.values().flatten().collect();
    let scans: BTreeMap<PathBuf, Arc<FileScan>> =
        walk::scan_all(&ws.root, all.into_iter().cloned().collect(), &mut warnings);
    let mut environments: BTreeMap<String, CodeReads> = BTreeMap::new();
    for (env, target, roots) in served {
        let mut seen = BTreeSet::new();
        let files = roots
            .iter()
            .flat_map(|r| &listed[r])
            .filter(|p| seen.insert(*p))
            .filter_map(|p| scans.get(p).cloned())
            .collect();
        let code = environments.entry(env.to_string()).or_default();
        code.targets
            .insert(target.to_string(), Served { roots, files });
    }
    Scanned {
        environments,
        warnings,
    }
}

/// What a target serves: its `code:` as written, or its platform's
/// folders, the functions folder where it holds the environment's
/// functions, and the frontend folders where it receives
/// browser-prefixed variables — the defaults only where they exist.
pub fn roots(ws: &Workspace, env: &Environment, target: &Target) -> Vec<String> {
    if let Some(code) = &target.code {
        return code.clone();
    }
    let traits = target.settings.traits();
    let mut roots: Vec<String> = Vec::new();
    if traits.holds_functions {
        roots.push(ws.paths.functions.clone());
    }
    roots.extend(traits.code.folders.iter().map(|f| f.to_string()));
    if traits.code.frontend && receives_public(ws, env, target) {
        roots.extend(FRONTEND_FOLDERS.iter().map(|f| f.to_string()));
    }
    let mut seen = BTreeSet::new();
    roots.retain(|r| seen.insert(r.clone()) && ws.root.join(r).is_dir());
    roots
}

/// Whether the environment sends the target a variable under a browser
/// prefix (`rules.client_prefixes`, by default `VITE_`, `NEXT_PUBLIC_`, …).
fn receives_public(ws: &Workspace, env: &Environment, target: &Target) -> bool {
    let prefixes = client_prefixes(&ws.rules);
    env.variables.values().any(|v| {
        v.value != VarValue::Unset
            && v.targets.contains(&target.name)
            && prefixes.iter().any(|p| v.name.starts_with(p))
    })
}
