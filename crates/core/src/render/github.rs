//! `--format github`: findings and file problems as GitHub Actions
//! workflow commands (`::error file=…,line=…,col=…,title=…::message`), so
//! they show inline on the pull request's diff.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Level};
use crate::rules::{Finding, Severity};

/// Escapes a message (data) the way the Actions runner reads it back.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (file, title): also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(
    out: &mut String,
    level: &str,
    file: Option<&Path>,
    line: Option<usize>,
    column: Option<usize>,
    title: &str,
    message: &str,
) {
    let mut props = Vec::new();
    if let Some(file) = file {
        props.push(format!("file={}", property(&file.to_string_lossy())));
    }
    if let Some(line) = line {
        props.push(format!("line={line}"));
    }
    if let Some(column) = column {
        props.push(format!("col={column}"));
    }
    props.push(format!("title={}", property(title)));
    let _ = writeln!(out, "::{level} {}::{}", props.join(","), data(message));
}

/// `base` is where envctl ran relative to the repository root (`-C`), so
/// the paths GitHub sees start at the root.
fn located(base: &Path, file: &Path) -> std::path::PathBuf {
    if file.is_absolute() || base.as_os_str().is_empty() || base == Path::new(".") {
        file.to_path_buf()
    } else {
        base.join(file)
    }
}

/// Rule findings as workflow commands.
pub fn findings(findings: &[Finding], base: &Path) -> String {
    let mut out = String::new();
    for f in findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = f.location.as_ref().map(|l| located(base, &l.file));
        let mut message = f.message();
        if let Some(target) = &f.target {
            let _ = write!(message, " (target {target})");
        }
        let _ = write!(message, "\nfix: {}", f.fix());
        command(
            &mut out,
            level,
            file.as_deref(),
            f.location.as_ref().map(|l| l.line),
            f.location.as_ref().map(|l| l.column),
            &format!("envctl {} ({})", f.rule, f.environment),
            &message,
        );
    }
    out
}

/// Problems in the desired-state files as workflow commands.
pub fn diagnostics(diags: &[Diagnostic], base: &Path) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let file = located(base, &d.file);
        command(
            &mut out,
            level,
            Some(&file),
            d.line,
            d.column,
            "envctl",
            &message,
        );
    }
    out
}

/// One entry of a workflow step's `env:` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepEnv {
    /// A variable the step sets from the repository secret of the same
    /// name: the first of these names GitHub accepts for a secret (it
    /// reserves `GITHUB_*`), or a comment when none is accepted.
    Secret(Vec<String>),
    /// Something the step cannot map (a keychain entry, a file): a
    /// comment line, as given.
    Comment(String),
}

/// The `env:` block of a workflow step, indented to sit under `- name:`
/// in `jobs.<job>.steps` (eight spaces, entries ten). Each variable once.
pub fn step_env(entries: &[StepEnv]) -> String {
    let mut out = String::from("        env:\n");
    let mut seen = std::collections::BTreeSet::new();
    for entry in entries {
        match entry {
            StepEnv::Secret(names) => {
                match names
                    .iter()
                    .find(|n| !n.to_ascii_uppercase().starts_with("GITHUB_"))
                {
                    Some(name) if seen.insert(name.clone()) => {
                        let _ = writeln!(out, "          {name}: ${{{{ secrets.{name} }}}}");
                    }
                    Some(_) => {}
                    None => {
                        let _ = writeln!(
                            out,
                            "          # {}: GitHub reserves GITHUB_* for itself; store it under another name",
                            names.join(" or ")
                        );
                    }
                }
            }
            StepEnv::Comment(text) => {
                let _ = writeln!(out, "          # {}", text.replace('\n', " "));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn step_env_maps_each_variable_once_and_never_a_reserved_name() {
        let block = step_env(&[
            StepEnv::Secret(vec!["PROD_KEY".into()]),
            StepEnv::Secret(vec!["PROD_KEY".into()]),
            StepEnv::Secret(vec!["GITHUB_TOKEN".into(), "GH_TOKEN".into()]),
            StepEnv::Secret(vec!["GITHUB_ONLY".into()]),
            StepEnv::Comment("KEY: keyring a/b/KEY\nsecond line".into()),
        ]);
        assert_eq!(
            block,
            "        env:\n          PROD_KEY: ${{ secrets.PROD_KEY }}\n          GH_TOKEN: ${{ secrets.GH_TOKEN }}\n          # GITHUB_ONLY: GitHub reserves GITHUB_* for itself; store it under another name\n          # KEY: keyring a/b/KEY second line\n"
        );
    }

    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        let mut out = String::new();
        command(
            &mut out,
            "error",
            Some(Path::new("a,b:c.yaml")),
            Some(3),
            Some(7),
            "envctl x",
            "100% bad\nnext line",
        );
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.yaml,line=3,col=7,title=envctl x::100%25 bad%0Anext line\n"
        );
        assert_eq!(
            located(Path::new("examples/app"), Path::new("envctl.yaml")),
            Path::new("examples/app/envctl.yaml")
        );
    }
}
