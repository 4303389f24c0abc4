//! What Vercel would refuse, caught when the files are loaded so nothing
//! is sent: a `git_branch` outside `preview`, a standard target written
//! in capitals (it would be looked for as a custom environment), and
//! variable names Vercel does not take.

use std::path::Path;

use super::Settings;
use super::settings::STANDARD;
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// Names Vercel reserves for its runtime; a record with one is refused.
/// From Vercel's documentation of reserved environment variables.
pub const RESERVED: [&str; 16] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
    "NOW_REGION",
    "TZ",
];

/// The target's settings, at `pos` in `file`.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let vt = &settings.target;
    let lower = vt.to_ascii_lowercase();
    if settings.custom_environment().is_some() && STANDARD.contains(&lower.as_str()) {
        return vec![
            Diagnostic::error(
                file,
                pos,
                format!("`target: {vt}` is not a Vercel target: targets are lower case"),
            )
            .with_help(Some(format!("write `target: {lower}`"))),
        ];
    }
    if vt.is_empty() || vt.chars().any(char::is_whitespace) {
        return vec![
            Diagnostic::error(
                file,
                pos,
                format!("`target: {vt:?}` names no Vercel environment"),
            )
            .with_help(Some(
                "write `production`, `preview`, `development`, or a custom environment's slug",
            )),
        ];
    }
    if settings.git_branch.is_some() && vt != "preview" {
        return vec![
            Diagnostic::error(
                file,
                pos,
                format!("`git_branch` applies only to the `preview` target, not `{vt}`"),
            )
            .with_help(Some(
                "set `target: preview` or remove `git_branch` (a custom environment tracks its own branches)",
            )),
        ];
    }
    Vec::new()
}

/// Why Vercel would refuse a variable named `name` sent to `target`:
/// Vercel takes `[A-Za-z_][A-Za-z0-9_]*` minus its reserved names. The
/// message and the help.
pub fn name(target: &str, name: &str) -> Option<(String, &'static str)> {
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let problem = if !valid {
        "it needs letters, digits and `_`, not starting with a digit"
    } else if RESERVED.contains(&name) {
        "it is a name Vercel reserves for its runtime"
    } else {
        return None;
    };
    Some((
        format!("Vercel refuses the name `{name}` (target `{target}`): {problem}"),
        "rename the variable, or route it elsewhere with `targets:`",
    ))
}
