//! Each runner's migrations folder, read as that runner reads it: which
//! entries are migrations, the id its history records them by, and the
//! order it runs them in.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use super::Runner;

/// One migration as its runner finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMigration {
    /// What the plan calls it: the history's own name for it where the
    /// history records one (file name, stem, folder, tag), else its
    /// version.
    pub id: String,
    /// The file (Prisma: the folder) it comes from.
    pub path: PathBuf,
    /// What a history row is matched by, besides the id.
    pub key: Key,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Matched by `id` alone.
    Name,
    /// Drizzle: the journal entry's `when`, recorded as `created_at`.
    When(i64),
    /// golang-migrate: the version, recorded alone.
    Version(u64),
    /// Flyway: the version's numeric parts, without leading zeros or
    /// trailing zero parts (`1.01.0` is `1.1`).
    Parts(Vec<String>),
}

/// The migrations in `dir`, in the order `runner` applies them.
pub fn scan(runner: Runner, dir: &Path) -> Result<Vec<LocalMigration>, String> {
    match runner {
        Runner::Drizzle => return drizzle(dir),
        Runner::Prisma => return prisma(dir),
        _ => {}
    }
    let mut out = Vec::new();
    for (name, path) in files(dir)? {
        let found = match runner {
            Runner::NodePgMigrate => node_pg_migrate(&name),
            Runner::Knex => knex(&name),
            Runner::GolangMigrate => golang_migrate(&name),
            Runner::Flyway => flyway(&name)?,
            Runner::Drizzle | Runner::Prisma => unreachable!("read above"),
        };
        if let Some((id, key)) = found {
            out.push(LocalMigration { id, path, key });
        }
    }
    match runner {
        Runner::NodePgMigrate => out.sort_by(|a, b| node_pg_migrate_order(&a.path, &b.path)),
        Runner::Knex => out.sort_by(|a, b| a.id.cmp(&b.id)),
        _ => out.sort_by(|a, b| key_order(&a.key, &b.key).then(a.id.cmp(&b.id))),
    }
    for pair in out.windows(2) {
        if pair[0].id == pair[1].id {
            return Err(format!(
                "{} and {} are both migration {} for {}: rename one",
                file_name(&pair[0].path),
                file_name(&pair[1].path),
                pair[0].id,
                runner.name()
            ));
        }
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The folder's files (not folders), with their names.
fn files(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the migrations folder {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if entry.path().is_file() {
            out.push((name, entry.path()));
        }
    }
    Ok(out)
}

/// node-pg-migrate: every file not starting with `.`; its history
/// records the name without the extension.
fn node_pg_migrate(name: &str) -> Option<(String, Key)> {
    if name.starts_with('.') {
        return None;
    }
    let stem = match name.rfind('.') {
        Some(at) if at > 0 => &name[..at],
        _ => name,
    };
    Some((stem.to_string(), Key::Name))
}

/// node-pg-migrate's order: the number before the first `_` (13 digits
/// are milliseconds, 17 a UTC date-time `yyyymmddhhmmssmmm`, anything
/// else its plain value, 0 when not a number), then the name. (Its tie
/// break is ICU's numeric collation; envctl compares names byte by byte,
/// which agrees unless two files share a number.)
fn node_pg_migrate_order(a: &Path, b: &Path) -> Ordering {
    let (a, b) = (file_name(a), file_name(b));
    let (x, y) = (numeric_prefix(&a), numeric_prefix(&b));
    x.partial_cmp(&y).unwrap_or(Ordering::Equal).then(a.cmp(&b))
}

fn numeric_prefix(name: &str) -> f64 {
    let prefix = name.split('_').next().unwrap_or("");
    if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) && prefix.len() == 17 {
        let n = |r: std::ops::Range<usize>| prefix[r].parse::<i64>().unwrap_or(0);
        let (month, day) = (n(4..6), n(6..8));
        let (hour, minute, second) = (n(8..10), n(10..12), n(12..14));
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return 0.0;
        }
        let days = crate::provider::http::days_from_civil(n(0..4), month, day);
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + n(14..17)) as f64;
    }
    // `Number(prefix) || 0`; JavaScript's Number reads only plain decimals here.
    prefix
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// knex's default extensions; its history records the file name.
const KNEX_EXTENSIONS: [&str; 9] = [
    ".co",
    ".coffee",
    ".eg",
    ".iced",
    ".js",
    ".cjs",
    ".litcoffee",
    ".ls",
    ".ts",
];

fn knex(name: &str) -> Option<(String, Key)> {
    let ext = name.rfind('.').filter(|at| *at > 0).map(|at| &name[at..])?;
    KNEX_EXTENSIONS
        .contains(&ext)
        .then(|| (name.to_string(), Key::Name))
}

/// golang-migrate: `^([0-9]+)_(.*)\.(down|up)\.(.*)$`, the up files.
fn golang_migrate(name: &str) -> Option<(String, Key)> {
    let (digits, rest) = name.split_once('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The greedy `(.*)` makes the last `.up.` or `.down.` the direction.
    let up = rest.rfind(".up.")?;
    if rest.rfind(".down.").is_some_and(|down| down > up) {
        return None;
    }
    let version: u64 = digits.parse().ok()?;
    Some((version.to_string(), Key::Version(version)))
}

/// Flyway: `V<version>__<description>.sql`; the version's parts are
/// separated by `.` or `_`.
fn flyway(name: &str) -> Result<Option<(String, Key)>, String> {
    let Some(stem) = name.strip_prefix('V').and_then(|n| n.strip_suffix(".sql")) else {
        return Ok(None);
    };
    let Some((version, _)) = stem.split_once("__") else {
        return Ok(None);
    };
    let parts = flyway_parts(version).ok_or_else(|| {
        format!("{name}: `{version}` is not a Flyway version (numbers separated by `.` or `_`)")
    })?;
    Ok(Some((parts.join("."), Key::Parts(parts))))
}

/// A Flyway version's parts, normalised: `1_01.0` is `[1, 1]`.
pub fn flyway_parts(version: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    for part in version.split(['.', '_']) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let trimmed = part.trim_start_matches('0');
        parts.push(if trimmed.is_empty() { "0" } else { trimmed }.to_string());
    }
    while parts.len() > 1 && parts.last().is_some_and(|p| p == "0") {
        parts.pop();
    }
    Some(parts)
}

fn key_order(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Version(x), Key::Version(y)) => x.cmp(y),
        (Key::Parts(x), Key::Parts(y)) => parts_order(x, y),
        _ => Ordering::Equal,
    }
}

/// Flyway versions compare part by part, as numbers.
pub fn parts_order(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = (x.len(), x).cmp(&(y.len(), y));
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Prisma: one folder per migration, holding `migration.sql`, in name
/// order; its history records the folder's name.
fn prisma(dir: &Path) -> Result<Vec<LocalMigration>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the migrations folder {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if path.is_dir() && path.join("migration.sql").is_file() {
            out.push(LocalMigration {
                id: name,
                path,
                key: Key::Name,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Drizzle: the entries of `meta/_journal.json`, in its order, each a
/// `<tag>.sql` file; its history records the entry's `when`.
fn drizzle(dir: &Path) -> Result<Vec<LocalMigration>, String> {
    #[derive(serde::Deserialize)]
    struct Journal {
        entries: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        when: i64,
        tag: String,
    }
    let path = dir.join("meta").join("_journal.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {} (drizzle-kit writes it with the migrations): {e}",
            path.display()
        )
    })?;
    let journal: Journal = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a Drizzle journal: {e}", path.display()))?;
    journal
        .entries
        .into_iter()
        .map(|e| {
            let file = dir.join(format!("{}.sql", e.tag));
            if !file.is_file() {
                return Err(format!(
                    "{} names {}, which is not in {}",
                    path.display(),
                    file_name(&file),
                    dir.display()
                ));
            }
            Ok(LocalMigration {
                id: e.tag,
                path: file,
                key: Key::When(e.when),
            })
        })
        .collect()
}
