//! `envctl example`: the `.env.example` a developer needs — every variable
//! an environment's dotenv targets receive, one section per file, plain
//! values as declared and encoded as the target writes them, secrets empty
//! under a comment that names where envctl reads them. No secret value is
//! ever resolved here, so none can appear.
//!
//! Also the comparison `--check` and `--write` report: which keys a
//! committed file lacks, has in excess or holds another value for — by
//! name only, since a hand-edited file may hold a real secret.

use std::collections::BTreeMap;

use envctl_core::model::{Environment, SecretRef, VarValue, Variable};

use super::Settings;
use super::encode::encode_value;
use super::format::dotenv_parse;
use crate::provider::TargetSpec;

/// The text of `env`'s `.env.example`; `None` when no target of `env` is
/// a dotenv file.
pub fn render(project: &str, env: &Environment) -> Option<String> {
    let name = &env.name;
    let mut sections = Vec::new();
    for target in env.targets.values() {
        let Some(TargetSpec::Dotenv(Settings { path, .. })) = target.settings_as::<TargetSpec>()
        else {
            continue;
        };
        let mut lines = vec![format!("# --- {path} (target {}) ---", target.name)];
        for var in env.variables.values() {
            if var.targets.contains(&target.name) {
                lines.extend(entry(env, var));
            }
        }
        sections.push(lines.join("\n"));
    }
    if sections.is_empty() {
        return None;
    }
    let header = format!(
        "# What environment `{name}` of {project} gives each file below: copy each\n\
         # section into the file it names and fill in the empty secrets, or let\n\
         # `envctl apply {name}` write the files.\n\
         # Written by `envctl example {name} --write`; `envctl example {name} --check` compares.\n"
    );
    Some(format!("{header}\n{}\n", sections.join("\n\n")))
}

/// One variable's lines: `NAME=value`, or a comment naming the secret's
/// source above `NAME=`; its `description:` first, as a comment.
fn entry(env: &Environment, var: &Variable) -> Vec<String> {
    let mut lines = match (&var.description, &var.value) {
        (_, VarValue::Unset) | (None, _) => Vec::new(),
        (Some(text), _) => vec![format!("# {text}")],
    };
    lines.extend(value_lines(env, var));
    lines
}

fn value_lines(env: &Environment, var: &Variable) -> Vec<String> {
    let name = &var.name;
    match &var.value {
        VarValue::Plain(text) if !var.is_sensitive() => {
            vec![format!("{name}={}", encode_value(text))]
        }
        VarValue::Plain(_) => vec![
            format!(
                "# secret: written in {} (not copied here)",
                var.location.file.display()
            ),
            format!("{name}="),
        ],
        VarValue::Secret(reference) => {
            vec![
                format!("# secret: {}", source(env, var, reference)),
                format!("{name}="),
            ]
        }
        VarValue::Unset => Vec::new(),
    }
}

/// Where a secret comes from, in words a developer can act on.
fn source(env: &Environment, var: &Variable, reference: &SecretRef) -> String {
    match reference {
        SecretRef::Env(from) => format!("from env {from}"),
        SecretRef::File(path) => format!("from file {path}"),
        SecretRef::Keyring => format!(
            "from the keychain (`envctl secret set {} {}`)",
            env.name, var.name
        ),
        // The program only: its arguments may name a vault's items.
        SecretRef::Command(argv) => format!(
            "from the command `{}`",
            argv.first().map_or("", String::as_str)
        ),
    }
}

/// How a committed file differs from the one `render` writes, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Keys the committed file lacks.
    pub missing: Vec<String>,
    /// Keys the committed file has and the environment does not give.
    pub extra: Vec<String>,
    /// Keys whose value differs (a secret left filled in counts).
    pub changed: Vec<String>,
    /// Same keys and values, other comments or order.
    pub layout: bool,
}

impl Comparison {
    pub fn same(&self) -> bool {
        *self == Comparison::default()
    }
}

/// Compares `committed` with `generated` (both dotenv text).
pub fn compare(committed: &str, generated: &str) -> Comparison {
    // A variable has one value per environment, so a key in two sections
    // holds the same value in both.
    let keys =
        |text: &str| -> BTreeMap<String, String> { dotenv_parse(text).into_iter().collect() };
    let (have, want) = (keys(committed), keys(generated));
    let missing = want
        .keys()
        .filter(|k| !have.contains_key(*k))
        .cloned()
        .collect();
    let extra = have
        .keys()
        .filter(|k| !want.contains_key(*k))
        .cloned()
        .collect();
    let changed = want
        .iter()
        .filter(|(k, v)| have.get(*k).is_some_and(|h| h != *v))
        .map(|(k, _)| k.clone())
        .collect();
    let mut comparison = Comparison {
        missing,
        extra,
        changed,
        layout: false,
    };
    comparison.layout = comparison.same() && committed != generated;
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_names_keys_never_values() {
        let generated = "# header\nA=1\n# secret: from env S\nS=\nB=2\n";
        assert!(compare(generated, generated).same());
        let layout = compare("B=2\nA=1\nS=\n", generated);
        assert!(layout.layout && layout.missing.is_empty(), "{layout:?}");
        let committed = "A=1\nS=sk_live_leaked_canary\nC=3\n";
        let c = compare(committed, generated);
        assert_eq!(c.missing, ["B"]);
        assert_eq!(c.extra, ["C"]);
        assert_eq!(c.changed, ["S"]);
        assert!(!c.layout);
        assert!(!format!("{c:?}").contains("canary"));
    }
}
