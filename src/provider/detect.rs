//! What each platform recognises of itself in an app's folder, for
//! `envctl init`: its files (a link file, a config file), the project they
//! name, the local file its dev server reads, and the functions and
//! migrations it would hold. Each platform's folder has a `detect.rs`
//! returning a [`Found`]; they are registered in [`super::registry`].
//! Nothing here reads a secret: only names and ids.

use std::path::Path;

use super::TargetSpec;

/// What a platform's target does for the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Hosts the app (its frontend, and server code beside it).
    Web,
    /// Runs the app's backend functions and holds its migrations.
    Functions,
}

/// A staging or production target: known from the folder, or not.
#[derive(Debug, Clone)]
pub enum Placed {
    /// The folder names it (a linked project).
    Known {
        spec: TargetSpec,
        /// Something to check, written as a comment above the target.
        note: Option<String>,
    },
    /// The folder does not say: the target is written commented out, with
    /// the placeholder's settings and what to fill in.
    Unknown {
        placeholder: TargetSpec,
        todo: String,
    },
}

/// One backend function found in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionFound {
    pub slug: String,
    /// As the platform's config file sets it; `None`: the default.
    pub verify_jwt: Option<bool>,
}

/// What one platform recognised.
#[derive(Debug, Clone)]
pub struct Found {
    /// The files that gave it away, relative to the app's root.
    pub evidence: Vec<String>,
    pub role: Role,
    pub staging: Placed,
    pub production: Placed,
    /// The dotenv file its local dev server reads, if it has its own.
    pub local_file: Option<String>,
    pub functions: Vec<FunctionFound>,
    /// Whether it holds migration files (`migrations.head: latest`).
    pub migrations: bool,
}

/// Every registered platform that recognises itself in `root`, in
/// registration order.
pub fn detect_all(root: &Path) -> Vec<Found> {
    super::registry::DETECTS
        .iter()
        .filter_map(|detect| detect(root))
        .collect()
}

/// Reads a small text file at `root/rel`, if it is one (at most 1 MiB).
pub fn read_text(root: &Path, rel: &str) -> Option<String> {
    let path = root.join(rel);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 1024 * 1024 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// The `key = value` lines of a TOML file, each with the table it sits
/// in (`""` at the top, `d1_databases` for `[[d1_databases]]`). Strings
/// lose their quotes; other values are kept as written. Enough for the
/// few flat keys `init` reads; anything else is skipped.
pub fn toml_pairs(text: &str) -> Vec<(String, String, String)> {
    let mut table = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            table = header
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value.split(" #").next().unwrap_or_default().trim(),
        };
        out.push((table.clone(), key.trim().to_string(), value.to_string()));
    }
    out
}

/// The value of `key` in `table` of [`toml_pairs`] output, first one.
pub fn toml_get<'a>(
    pairs: &'a [(String, String, String)],
    table: &str,
    key: &str,
) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(t, k, _)| t == table && k == key)
        .map(|(_, _, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_pairs_read_tables_strings_and_bare_values() {
        let text = "name = \"shop\" # the project\naccount_id='abc'\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_id = \"1234\"\n[functions.hook]\nverify_jwt = false # signed\n";
        let pairs = toml_pairs(text);
        assert_eq!(toml_get(&pairs, "", "name"), Some("shop"));
        assert_eq!(toml_get(&pairs, "", "account_id"), Some("abc"));
        assert_eq!(
            toml_get(&pairs, "d1_databases", "database_id"),
            Some("1234")
        );
        assert_eq!(
            toml_get(&pairs, "functions.hook", "verify_jwt"),
            Some("false")
        );
        assert_eq!(toml_get(&pairs, "", "binding"), None);
    }
}
