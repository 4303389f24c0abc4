//! Reading an app's folder for `init`: the framework from package.json,
//! the platforms (each recognises itself: [`crate::provider::detect`]),
//! and every variable name in the `.env*` files, sorted into kinds. A
//! value is kept only where it may be copied into `local.yaml`: not secret
//! by its name or its looks, from a file a developer's machine reads.

use std::collections::BTreeMap;
use std::path::Path;

use crate::provider::detect::{Found, Role, detect_all, read_text};
use crate::provider::dotenv::format::dotenv_parse;
use envctl_core::detect::looks_secret;
use envctl_core::glob::glob_match;
use envctl_core::model::policy::RulesConfig;

/// The app's framework, as its package.json dependencies show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Framework {
    pub name: &'static str,
    /// The prefix its bundler ships to browsers, if it has one.
    pub prefix: Option<&'static str>,
    /// The dotenv file its dev server reads for a developer's own values.
    pub local_file: &'static str,
    /// Whether it runs server code beside the pages (then the host gets
    /// every variable, not only the public ones).
    pub server: bool,
}

/// (a dependency, or a prefix of one ending in `/`) → the framework; the
/// first match wins, so frameworks built on Vite come before Vite.
const FRAMEWORKS: &[(&str, Framework)] = &[
    (
        "next",
        fw("Next.js", Some("NEXT_PUBLIC_"), ".env.local", true),
    ),
    (
        "@sveltejs/kit",
        fw("SvelteKit", Some("PUBLIC_"), ".env.local", true),
    ),
    ("@remix-run/", fw("Remix", None, ".env", true)),
    ("@react-router/dev", fw("React Router", None, ".env", true)),
    ("nuxt", fw("Nuxt", Some("NUXT_PUBLIC_"), ".env", true)),
    ("astro", fw("Astro", Some("PUBLIC_"), ".env", true)),
    ("vite", fw("Vite", Some("VITE_"), ".env.local", false)),
];

const fn fw(
    name: &'static str,
    prefix: Option<&'static str>,
    local_file: &'static str,
    server: bool,
) -> Framework {
    Framework {
        name,
        prefix,
        local_file,
        server,
    }
}

/// How a variable is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Behind a browser prefix: public by construction, never a reference
    /// (`client-exposed-secret` refuses one).
    Public,
    /// Secret by its name or by a value's looks: an `env:` reference.
    Secret,
    /// A bypass flag: `"false"` by default, forbidden on in production.
    Flag,
    /// Anything else: a plain value.
    Plain,
}

/// One variable name found in the `.env*` files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub kind: Kind,
    /// The value `local.yaml` may carry: never for a secret, never one that
    /// looks secret.
    pub local: Option<String>,
    /// Found only in the local file of the platform that runs the
    /// functions (where the platform may provide some names itself).
    pub functions_only: bool,
}

/// Everything `init` found.
#[derive(Debug, Clone)]
pub struct Detected {
    pub project: String,
    pub framework: Option<Framework>,
    /// The framework was inferred from browser-prefixed names, not read
    /// from package.json.
    pub framework_by_names: bool,
    pub platforms: Vec<Found>,
    pub variables: BTreeMap<String, Var>,
    /// The `.env*` files read for names, relative to the root.
    pub env_files: Vec<String>,
}

impl Detected {
    /// The first platform that plays `role`.
    pub fn platform(&self, role: Role) -> Option<&Found> {
        self.platforms.iter().find(|f| f.role == role)
    }
}

/// Files whose values are a developer's own or an example's: the ones a
/// local value may come from, most specific first.
const LOCAL_VALUES: &[&str] = &[
    ".env.local",
    ".env.development.local",
    ".env.development",
    ".env",
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.defaults",
];

/// Flags the `forbidden-flag` rule should catch: `init` forbids the ones
/// it finds, when their values are yes/no values.
pub const FLAG_NAMES: &[&str] = &["ALLOW_*", "*_BYPASS", "*_BYPASS_*", "SKIP_*"];

/// Reads the folder. Never fails: what cannot be read is not there.
pub fn detect(root: &Path) -> Detected {
    let platforms = detect_all(root);
    let framework = framework(root);
    let functions_file = platforms
        .iter()
        .find(|f| f.role == Role::Functions)
        .and_then(|f| f.local_file.clone());
    let mut files = env_files(root);
    for local in platforms.iter().filter_map(|f| f.local_file.as_deref()) {
        if root.join(local).is_file() && !files.iter().any(|f| f == local) {
            files.push(local.to_string());
        }
    }
    // name → (values from files that give local values, best first; any
    // value seen; seen only in the functions' file)
    let mut seen: BTreeMap<String, (Vec<String>, Vec<String>, bool)> = BTreeMap::new();
    let rank = |file: &str| {
        let base = file.rsplit('/').next().unwrap_or(file);
        if Some(file) == functions_file.as_deref() || base == ".dev.vars" {
            Some(0)
        } else {
            LOCAL_VALUES.iter().position(|f| *f == file).map(|p| p + 1)
        }
    };
    let mut ranked: Vec<(Option<usize>, &String)> = files.iter().map(|f| (rank(f), f)).collect();
    ranked.sort_by_key(|(r, _)| r.unwrap_or(usize::MAX));
    for (rank, file) in ranked {
        let Some(text) = read_text(root, file) else {
            continue;
        };
        for (name, value) in dotenv_parse(&text) {
            if !valid_name(&name) {
                continue;
            }
            let in_functions = Some(file.as_str()) == functions_file.as_deref();
            let entry = seen
                .entry(name)
                .or_insert_with(|| (Vec::new(), Vec::new(), in_functions));
            if rank.is_some() {
                entry.0.push(value.clone());
            }
            entry.1.push(value);
            entry.2 &= in_functions;
        }
    }
    let variables: BTreeMap<String, Var> = seen
        .into_iter()
        .map(|(name, (local, all, functions_only))| {
            let kind = kind(&name, &all);
            let local = match kind {
                Kind::Secret => None,
                _ => local.into_iter().find(|v| copyable(v)),
            };
            let var = Var {
                kind,
                local: local.filter(|v| !(kind == Kind::Flag && v.is_empty())),
                functions_only,
            };
            (name, var)
        })
        .collect();
    // No package.json (or none of its frameworks): the names may still
    // say which bundler reads them.
    let by_names = framework.is_none();
    let framework = framework.or_else(|| {
        FRAMEWORKS.iter().rev().map(|(_, f)| *f).find(|f| {
            f.prefix.is_some_and(|p| {
                p != "PUBLIC_" && variables.keys().any(|n: &String| n.starts_with(p))
            })
        })
    });
    Detected {
        project: super::project_name(root),
        framework_by_names: by_names && framework.is_some(),
        framework,
        platforms,
        variables,
        env_files: files,
    }
}

fn framework(root: &Path) -> Option<Framework> {
    let package: serde_json::Value =
        serde_json::from_str(&read_text(root, "package.json")?).ok()?;
    let deps: Vec<&str> = ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|k| package.get(k)?.as_object())
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    FRAMEWORKS.iter().find_map(|(dep, framework)| {
        let found = if dep.ends_with('/') {
            deps.iter().any(|d| d.starts_with(dep))
        } else {
            deps.contains(dep)
        };
        found.then_some(*framework)
    })
}

/// `.env` and `.env.*` at the root, sorted (`.envrc` is direnv's script).
fn env_files(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n == ".env" || n.starts_with(".env."))
        .collect();
    out.sort();
    out
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Sorts a name by its prefix, its words and every value it was seen with.
pub fn kind(name: &str, values: &[String]) -> Kind {
    let rules = RulesConfig::default();
    let prefixes = envctl_core::rules::client_prefixes(&rules);
    if prefixes.iter().any(|p| name.starts_with(p)) {
        return Kind::Public;
    }
    if FLAG_NAMES.iter().any(|p| glob_match(p, name)) && values.iter().all(|v| yes_no(v)) {
        return Kind::Flag;
    }
    if secret_name(name)
        || values
            .iter()
            .any(|v| looks_secret(v) || credentials_in_url(v))
    {
        return Kind::Secret;
    }
    Kind::Plain
}

/// Names that say they hold a secret, whatever their value looks like
/// (an example file's `changeme` included).
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    const WORDS: &[&str] = &[
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "PRIVATE",
        "CREDENTIAL",
        "APIKEY",
        "API_KEY",
        "SERVICE_ROLE",
        "DATABASE_URL",
        "CONNECTION_STRING",
    ];
    WORDS.iter().any(|w| n.contains(w))
        || n == "KEY"
        || n.ends_with("_KEY")
        || n.contains("_KEY_")
        || n.ends_with("_PASS")
        || n.ends_with("_PWD")
}

/// A URL with a user or password before its host
/// (`postgres://app:pw@db…`, `rediss://default:pw@…`, `https://token@…`):
/// whatever its name, the value carries a credential.
pub fn credentials_in_url(value: &str) -> bool {
    let Some((_, rest)) = value.trim().split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn yes_no(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "true" | "false" | "1" | "0" | "yes" | "no" | "on" | "off"
    )
}

/// A value `local.yaml` may hold as written: not secret-looking, one line,
/// no control character.
/// (Nor one a dotenv file cannot hold so that it reads back the same:
/// ending in a backslash, or holding all three quote kinds.)
fn copyable(value: &str) -> bool {
    !looks_secret(value)
        && !credentials_in_url(value)
        && !value.chars().any(char::is_control)
        && !value.ends_with('\\')
        && !['\'', '"', '`'].iter().all(|q| value.contains(*q))
}

#[cfg(test)]
#[path = "detect_tests.rs"]
mod tests;
