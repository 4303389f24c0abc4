//! `example`: the `.env.example` of an environment (default `local`),
//! printed, written (`--write`, saying which keys changed) or compared
//! with the committed file (`--check`, exit 2 when it differs). The text
//! comes from the dotenv target's folder; no secret is resolved.

use std::path::Path;

use super::load;
use crate::Error;
use crate::cli::args::ExampleArgs;
use crate::cli::{Exit, Output};
use crate::config::{Environment, Workspace};
use crate::provider::dotenv::example::{self, Comparison};

pub fn run(root: &Path, args: &ExampleArgs, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    if let Some(error) = ambiguous(&ws, args) {
        return Err(error);
    }
    let env = ws.environment(args.env.as_deref().unwrap_or("local"))?;
    let text = example::render(&ws.project, env).ok_or_else(|| no_dotenv(&ws, env))?;
    match (&args.write, &args.check) {
        (Some(path), _) => write(root, path, &text, env, out),
        (None, Some(path)) => check(root, path, &text, env, out),
        (None, None) => {
            out.print(&text);
            Ok(Exit::Ok)
        }
    }
}

/// `envctl example --write staging` takes `staging` as the PATH (the
/// flag's value is optional): refused when it names an environment, so no
/// file called `staging` appears. `./staging` still means the file.
fn ambiguous(ws: &Workspace, args: &ExampleArgs) -> Option<Error> {
    if args.env.is_some() {
        return None;
    }
    let (flag, path) = match (&args.write, &args.check) {
        (Some(path), _) => ("--write", path),
        (None, Some(path)) => ("--check", path),
        (None, None) => return None,
    };
    let name = path.to_str()?;
    ws.environment(name).ok()?;
    Some(Error::Usage(format!(
        "`{flag} {name}` names a file, not the environment: write `envctl example {name} {flag}` (or `{flag} ./{name}` for a file of that name)"
    )))
}

/// The error for an environment with no dotenv target, naming those that
/// have one.
fn no_dotenv(ws: &Workspace, env: &Environment) -> Error {
    let with: Vec<&str> = ws
        .environments
        .values()
        .filter(|e| example::render(&ws.project, e).is_some())
        .map(|e| e.name.as_str())
        .collect();
    let hint = match with.as_slice() {
        [] => "add a `type: dotenv` target to the environment a developer runs".to_string(),
        names => format!("environments with one: {}", names.join(", ")),
    };
    Error::Usage(format!(
        "environment {} has no dotenv target, so there is no .env file to give an example of; {hint}",
        env.name
    ))
}

/// The committed file, or `None` when there is none.
fn committed(full: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(full) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io {
            context: format!("reading {}", full.display()),
            source: e,
        }),
    }
}

fn write(
    root: &Path,
    path: &Path,
    text: &str,
    env: &Environment,
    out: &Output,
) -> Result<Exit, Error> {
    let full = root.join(path);
    let before = committed(&full)?;
    let shown = path.display();
    let what = match &before {
        Some(old) if old == text => {
            out.note(&format!(
                "{shown} is up to date with environment {}",
                env.name
            ));
            return Ok(Exit::Ok);
        }
        Some(old) => summary(&example::compare(old, text), WRITTEN),
        None => "new file".to_string(),
    };
    crate::fs::write_atomically(&full, text).map_err(|e| Error::Io {
        context: format!("writing {}", full.display()),
        source: e,
    })?;
    // A template to commit, not a secret: readable like the files beside it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o644));
    }
    out.note(&format!(
        "wrote {shown} for environment {}: {what}",
        env.name
    ));
    Ok(Exit::Ok)
}

fn check(
    root: &Path,
    path: &Path,
    text: &str,
    env: &Environment,
    out: &Output,
) -> Result<Exit, Error> {
    let shown = path.display();
    let fix = match path.to_str() {
        Some(".env.example") => format!("envctl example {} --write", env.name),
        _ => format!("envctl example {} --write {shown}", env.name),
    };
    let Some(old) = committed(&root.join(path))? else {
        out.warn(&format!("{shown} does not exist; write it with `{fix}`"));
        return Ok(Exit::Changes);
    };
    if old == text {
        out.note(&format!(
            "{shown} is up to date with environment {}",
            env.name
        ));
        return Ok(Exit::Ok);
    }
    out.warn(&format!(
        "{shown} differs from environment {}: {}; update it with `{fix}`",
        env.name,
        summary(&example::compare(&old, text), CHECKED)
    ));
    Ok(Exit::Changes)
}

/// How `--write` words a comparison: what it did to the file.
const WRITTEN: [&str; 3] = ["added", "removed", "changed"];
/// How `--check` words it: what is wrong with the file.
const CHECKED: [&str; 3] = ["missing", "not in the environment", "another value for"];

/// What differs, by key (never a value: a hand-edited file may hold one).
fn summary(c: &Comparison, words: [&str; 3]) -> String {
    let mut parts = Vec::new();
    for (word, keys) in words.iter().zip([&c.missing, &c.extra, &c.changed]) {
        if !keys.is_empty() {
            parts.push(format!("{word} {}", keys.join(", ")));
        }
    }
    if parts.is_empty() {
        parts.push("comments or order".to_string());
    }
    parts.join("; ")
}
