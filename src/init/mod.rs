//! `envctl init`: a first `envctl.yaml` and `environments/{local,staging,
//! production}.yaml` from what the app's folder shows — its framework
//! (package.json), the platforms it is linked to (each platform's own
//! `detect.rs`), its Edge Functions and migrations, and the names in its
//! `.env*` files. [`detect`] reads the folder into a [`Detected`];
//! [`write`] turns that into the files' text, which validate as written.
//! No secret value is ever copied: a name that looks secret, or whose
//! value does, becomes an `env:` reference.

pub mod detect;
pub mod write;

pub use detect::{Detected, Framework, Kind, Var, detect};
pub use write::{Files, render};

use std::path::{Path, PathBuf};

/// The files `init` writes, relative to the project root.
pub const FILES: [&str; 4] = [
    "envctl.yaml",
    "environments/local.yaml",
    "environments/staging.yaml",
    "environments/production.yaml",
];

/// The project's name: the folder's name, as `import` names a new project.
pub fn project_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .as_deref()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or("app")
        .to_string()
}

/// Adds `.envctl/` (the fingerprint key, the audit log) to `.gitignore`,
/// creating the file if needed; `false` when it was already there.
pub fn ignore_state(root: &Path) -> std::io::Result<bool> {
    let path: PathBuf = root.join(".gitignore");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let covered = text
        .lines()
        .map(str::trim)
        .any(|l| matches!(l, ".envctl" | ".envctl/" | "/.envctl" | "/.envctl/"));
    if covered {
        return Ok(false);
    }
    let mut new = text;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str("# envctl's fingerprint key and audit log\n.envctl/\n");
    std::fs::write(&path, new)?;
    Ok(true)
}
