//! The desired state: the user's files loaded, checked and resolved into
//! environments whose variables are routed to targets.
//!
//! Loading never stops at the first problem: it collects every diagnostic it
//! can so one `validate` run shows them all. Nothing here reads a secret.

pub mod files;
mod load;
pub mod schema;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use files::{FunctionSpec, SecretRef, TargetSpec, VarValue};
pub use load::load;

use crate::diagnostic::Location;

/// The project as loaded from `envctl.yaml` and `environments/`.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder holding `envctl.yaml`; relative paths start here.
    pub root: PathBuf,
    pub project: String,
    pub environments: BTreeMap<String, Environment>,
    pub aliases: BTreeMap<String, String>,
    pub rules: files::RulesConfig,
    /// Where rule configuration entries were written, for findings about them.
    pub project_file: PathBuf,
    /// Where migrations and Edge Functions live, relative to `root`.
    pub paths: files::Paths,
    /// The audit log's path (absolute), unless switched off.
    pub audit_log: Option<PathBuf>,
}

impl Workspace {
    /// Finds an environment by name or alias.
    pub fn environment(&self, name: &str) -> Result<&Environment, crate::Error> {
        let canonical = self.aliases.get(name).map_or(name, String::as_str);
        self.environments.get(canonical).ok_or_else(|| {
            let known: Vec<&str> = self
                .environments
                .keys()
                .map(String::as_str)
                .chain(self.aliases.keys().map(String::as_str))
                .collect();
            crate::Error::UnknownEnvironment {
                name: name.to_string(),
                suggestion: crate::yaml::de::closest(name, known.iter().copied())
                    .map(str::to_string),
                known: self.environments.keys().cloned().collect(),
            }
        })
    }
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// The environment's file, relative to the workspace root.
    pub file: PathBuf,
    pub protected: bool,
    pub local: bool,
    pub targets: BTreeMap<String, Target>,
    pub variables: BTreeMap<String, Variable>,
    pub functions: BTreeMap<String, Function>,
    pub migrations: Option<Migrations>,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub spec: TargetSpec,
    pub location: Location,
    /// For a target that keeps its own migration history by file name (a
    /// Cloudflare target with a D1 database): the `.sql` file names in its
    /// migrations folder, sorted. `None` for every other target.
    pub migration_files: Option<Vec<String>>,
}

impl Target {
    /// A short human description: `dotenv .env.local`, `supabase abcd…`.
    pub fn describe(&self) -> String {
        self.spec.describe()
    }
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub value: VarValue,
    /// Names of the targets that receive it.
    pub targets: Vec<String>,
    pub environment_specific: bool,
    /// `allow_empty: true`: an empty or blank secret value is meant.
    pub allow_empty: bool,
    pub location: Location,
}

impl Variable {
    pub fn is_secret(&self) -> bool {
        matches!(self.value, VarValue::Secret(_))
    }

    pub fn plain(&self) -> Option<&str> {
        match &self.value {
            VarValue::Plain(text) => Some(text),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    pub slug: String,
    pub verify_jwt: bool,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct Migrations {
    /// The version the environment must be at.
    pub head: String,
    /// Every local migration version up to and including the head, in order.
    pub versions: Vec<String>,
    /// Every local migration version, in order (some may be past the head).
    pub local: Vec<String>,
    pub location: Location,
    /// `migrations.database_url`: the environment's database, read and
    /// migrated directly instead of through the Management API.
    pub database_url: Option<SecretRef>,
}

/// `*` matches any run of characters, `?` one; everything else literally.
///
/// Rules match every variable against their globs, so this allocates
/// nothing for ASCII names and backtracks only to the last `*` (linear for
/// one `*`, never exponential).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    if pattern.is_ascii() && name.is_ascii() {
        wildcard(pattern.as_bytes(), name.as_bytes(), b'*', b'?')
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        wildcard(&p, &n, '*', '?')
    }
}

fn wildcard<T: Copy + PartialEq>(p: &[T], n: &[T], star: T, one: T) -> bool {
    let (mut pi, mut ni) = (0, 0);
    // The last `*` seen, and where in the name its match currently ends.
    let mut resume: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(&c) if c == star => {
                resume = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == one || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match resume {
                // Let the last `*` take one more character and retry.
                Some((star_at, taken)) => {
                    resume = Some((star_at, taken + 1));
                    pi = star_at + 1;
                    ni = taken + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == star)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        let cases = [
            ("VITE_*", "VITE_API_URL", true),
            ("*", "ANY", true),
            ("*_BYPASS_*", "ALLOW_WEBHOOK_BYPASS_X", true),
            ("VITE_*", "NEXT_PUBLIC_X", false),
            ("A?C", "ABC", true),
            ("STRIPE_KEY", "STRIPE_KEYS", false),
            ("", "", true),
            ("", "A", false),
            ("**", "", true),
            ("A*B*C", "AXXBYYC", true),
            ("A*B*C", "ABBBC", true),
            ("A*B*C", "AXXBYY", false),
            ("*_URL", "VITE_API_URL_URL", true),
            ("*_URL", "VITE_API_URLS", false),
            ("ALLOW_*_FALLBACK", "ALLOW_STRIPE_FALLBACK", true),
            ("ALLOW_*_FALLBACK", "ALLOW_FALLBACK", false),
            ("?*?", "AB", true),
            ("?*?", "A", false),
            // `?` is one character, not one byte.
            ("CAFÉ_?", "CAFÉ_É", true),
            ("?_X", "É_X", true),
            ("??_X", "É_X", false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_match(pattern, name), expected, "{pattern} ~ {name}");
        }
        // Many stars against a long name that fails at the end: no blow-up.
        let name = "A".repeat(200);
        assert!(!glob_match("*A*A*A*A*A*A*A*A*B", &name));
    }
}
