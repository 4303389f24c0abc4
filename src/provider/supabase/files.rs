//! The local migration files, named as the Supabase CLI names them:
//! `^([0-9]+)_(.*)\.sql$` — the version, then the name.

use std::path::{Path, PathBuf};

use envctl_core::migration::split::{self, Statement};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    pub version: String,
    pub name: String,
    /// `<version>_<name>.sql`
    pub file_name: String,
    pub path: PathBuf,
}

impl LocalFile {
    /// The file's statements, split as the Supabase CLI splits them.
    pub fn statements(&self) -> Result<Vec<Statement>, String> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        Ok(split::split(&text))
    }
}

/// `(version, name)` of a migration file name, or `None` for files the
/// Supabase CLI skips.
pub fn parse_name(file_name: &str) -> Option<(&str, &str)> {
    let stem = file_name.strip_suffix(".sql")?;
    let (version, name) = stem.split_once('_')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then_some((version, name))
}

/// Versions compare as numbers of possibly different widths.
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    (a.len(), a).cmp(&(b.len(), b))
}

/// Every migration file in `dir`, in version order. Two files with one
/// version are an error: the second could never be recorded.
pub fn list(dir: &Path) -> Result<Vec<LocalFile>, String> {
    scan(dir).map(|(files, _)| files)
}

/// [`list`], and the names of the other `.sql` files in `dir`, sorted:
/// the Supabase CLI skips them (and says so on every push), so they are
/// never a migration.
pub fn scan(dir: &Path) -> Result<(Vec<LocalFile>, Vec<String>), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the migrations folder {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let Ok(file_name) = entry.file_name().into_string() else {
            continue;
        };
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(true) {
            continue;
        }
        if let Some((version, name)) = parse_name(&file_name) {
            files.push(LocalFile {
                version: version.to_string(),
                name: name.to_string(),
                file_name: file_name.clone(),
                path: entry.path(),
            });
        } else if file_name.ends_with(".sql") {
            ignored.push(file_name);
        }
    }
    ignored.sort();
    files.sort_by(|a, b| version_order(&a.version, &b.version).then(a.file_name.cmp(&b.file_name)));
    for pair in files.windows(2) {
        if pair[0].version == pair[1].version {
            return Err(format!(
                "{} and {} have the same version {}: rename one (each version is recorded once)",
                pair[0].file_name, pair[1].file_name, pair[0].version
            ));
        }
    }
    Ok((files, ignored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_cli_pattern() {
        assert_eq!(
            parse_name("20250101000000_init.sql"),
            Some(("20250101000000", "init"))
        );
        assert_eq!(parse_name("1_a_b.sql"), Some(("1", "a_b")));
        assert_eq!(parse_name("2_.sql"), Some(("2", "")));
        assert_eq!(parse_name("20250101000000.sql"), None);
        assert_eq!(parse_name("v1_init.sql"), None);
        assert_eq!(parse_name("1_init.sql.bak"), None);
    }

    #[test]
    fn listing_sorts_by_version_and_refuses_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["10_b.sql", "9_a.sql", "notes.md", "x_y.sql"] {
            std::fs::write(dir.path().join(name), "select 1;").unwrap();
        }
        std::fs::create_dir(dir.path().join("11_dir.sql")).unwrap();
        std::fs::write(dir.path().join("20250301000000.sql"), "select 1;").unwrap();
        let (files, ignored) = scan(dir.path()).unwrap();
        let names: Vec<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
        assert_eq!(names, ["9_a.sql", "10_b.sql"]);
        assert_eq!(ignored, ["20250301000000.sql", "x_y.sql"]);
        std::fs::write(dir.path().join("10_c.sql"), "").unwrap();
        let err = list(dir.path()).unwrap_err();
        assert!(err.contains("10_b.sql and 10_c.sql"), "{err}");
    }
}
