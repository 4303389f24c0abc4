//! `code:` entries, checked when the files are loaded: each is a path
//! inside the project, and one without a wildcard must exist (a typo
//! there would silently scan nothing); `code:` in envctl.yaml names
//! targets some environment defines.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use crate::config::Environment;
use crate::config::files::ProjectFile;
use envctl_core::code::paths::is_glob;
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::de::Spanned;
use envctl_core::yaml::de::closest;

/// Every problem with the `code:` list of one target in `file`.
pub(super) fn check(root: &Path, file: &Path, code: &Spanned<Vec<String>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let pos = Some(code.pos);
    for entry in &code.value {
        let path = Path::new(entry);
        let leaves = path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        let problem = if entry.trim().is_empty() {
            Some((
                "a `code:` entry is empty".to_string(),
                "write a folder, file or glob relative to envctl.yaml, e.g. `src`".to_string(),
            ))
        } else if leaves {
            Some((
                format!("`code:` entry `{entry}` is not a path inside the project"),
                "write it relative to envctl.yaml, without a leading `/` or `..`".to_string(),
            ))
        } else if !is_glob(entry) && !root.join(path).exists() {
            Some((
                format!("`code:` entry `{entry}` does not exist"),
                "correct the path (relative to envctl.yaml), or remove it; `code: []` scans no code".to_string(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            out.push(Diagnostic::error(file, pos, message).with_help(Some(help)));
        }
    }
    out
}

/// envctl.yaml's `code:`: each entry, and each target name.
pub(super) fn check_project(
    root: &Path,
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    let all_targets: Vec<&str> = environments
        .values()
        .flat_map(|e| e.targets.keys().map(String::as_str))
        .collect();
    for (name, code) in &project.code {
        diags.extend(check(root, file, code));
        if !all_targets.contains(&name.as_str()) {
            let help = closest(name, all_targets.iter().copied())
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| "name a target defined in an environment file".to_string());
            diags.push(
                Diagnostic::error(
                    file,
                    Some(code.pos),
                    format!("`code:` for `{name}`, which no environment defines as a target"),
                )
                .with_help(Some(help)),
            );
        }
    }
}
