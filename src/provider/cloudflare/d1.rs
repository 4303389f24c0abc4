//! `apply --migrations` on a D1 database, as `wrangler d1 migrations apply
//! <DATABASE> --remote` (wrangler 4.86.0, `src/d1/migrations/apply.ts`)
//! does it, through the D1 query endpoint:
//!
//! 1. `CREATE TABLE IF NOT EXISTS <table>(…)`, wrangler's text byte for
//!    byte; then its `SELECT * FROM <table> ORDER BY id`.
//! 2. The pending files (the `.sql` names not in the table), sorted by
//!    JavaScript's `parseInt` of the part before the first `_`, in a
//!    stable sort over the names in order (wrangler's `.sort()`).
//! 3. For each file, one request `{"sql": <file> + "INSERT INTO <table>
//!    (name) values ('<file name>');"}`: D1 runs the statements of one
//!    request as one batch, so a failing file is rolled back with its row.
//!    The first failure stops the run and names the file.
//!
//! The table name is sent as wrangler sends it, unquoted (envctl's
//! settings check allows only letters, digits and `_`). A file name with
//! a `'` would break wrangler's `INSERT`; envctl refuses it before sending
//! anything.

use std::cmp::Ordering;
use std::path::Path;
use std::time::Instant;

use super::{CloudflareProvider, D1};
use crate::provider::database::{Applied, ApplyError, FailedAt, Failure};
use crate::provider::http::{Failure as HttpFailure, HttpError};
use crate::provider::local_migrations::LocalFile;

/// wrangler's `initMigrationsTable` statement.
pub fn create_table(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table}(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);"
    )
}

/// wrangler's `listAppliedMigrations` statement.
pub fn list_applied(table: &str) -> String {
    format!("SELECT *\n\t\tFROM {table}\n\t\tORDER BY id")
}

/// What wrangler appends to a migration file: the history row.
pub fn record(table: &str, name: &str) -> String {
    format!(
        "\n\t\t\t\t\t\t\t\tINSERT INTO {table} (name)\n\t\t\t\t\t\t\t\tvalues ('{name}');\n\t\t\t\t\t\t"
    )
}

/// JavaScript's `parseInt(text)` (radix 10, or 16 after `0x`): `None`
/// where it gives `NaN`.
pub fn parse_int(text: &str) -> Option<f64> {
    let s = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, s) = match s.get(..2) {
        Some("0x" | "0X") => (16, &s[2..]),
        _ => (10, s),
    };
    let digits: Vec<u32> = s.chars().map_while(|c| c.to_digit(radix)).collect();
    if digits.is_empty() {
        return None;
    }
    let value = digits
        .iter()
        .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(*d));
    Some(if negative { -value } else { value })
}

/// wrangler's order for pending files: `names` (already in name order)
/// sorted by `parseInt(name.split("_")[0])`, equal (and `NaN`) numbers
/// keeping their places, as V8's `Array.prototype.sort` does: a run at
/// the start, then binary insertion. (For more than 63 names with a
/// `NaN` among them V8 merges runs, which this does not follow.)
pub fn wrangler_order(names: &mut [String]) {
    let key = |n: &String| parse_int(n.split('_').next().unwrap_or(""));
    let compare = |a: &String, b: &String| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => Ordering::Equal,
    };
    let n = names.len();
    if n < 2 {
        return;
    }
    // CountAndMakeRun: the run at the start, a strictly descending one
    // reversed.
    let descending = compare(&names[1], &names[0]) == Ordering::Less;
    let mut run = 2;
    while run < n {
        let order = compare(&names[run], &names[run - 1]);
        if (descending && order != Ordering::Less) || (!descending && order == Ordering::Less) {
            break;
        }
        run += 1;
    }
    if descending {
        names[..run].reverse();
    }
    // BinaryInsertionSort of the rest.
    for start in run..n {
        let pivot = names[start].clone();
        let (mut left, mut right) = (0, start);
        while left < right {
            let mid = left + (right - left) / 2;
            if compare(&pivot, &names[mid]) == Ordering::Less {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        names[left..=start].rotate_right(1);
    }
}

impl CloudflareProvider {
    /// Whether a D1 database is configured.
    pub fn has_d1(&self) -> bool {
        self.d1.is_some()
    }

    /// The D1 database's migration files that are `pending`, in the order
    /// wrangler applies them; `root` is the project root.
    pub fn d1_files(&self, root: &Path, pending: &[String]) -> Result<Vec<LocalFile>, String> {
        let d1 = self.d1.as_ref().ok_or("this target has no D1 database")?;
        let mut names = pending.to_vec();
        names.sort();
        wrangler_order(&mut names);
        let dir = root.join(&d1.dir);
        names
            .into_iter()
            .map(|name| {
                if name.contains('\'') {
                    return Err(format!(
                        "{name}: wrangler records a migration as `values ('<file name>')` without escaping, so a file name with `'` breaks its INSERT; rename the file"
                    ));
                }
                let path = dir.join(&name);
                if !path.is_file() {
                    return Err(format!("{} is not a file", path.display()));
                }
                Ok(LocalFile {
                    version: name.clone(),
                    name: name.clone(),
                    file_name: name,
                    path,
                })
            })
            .collect()
    }

    /// `d1 <database id>`: what the migrations are applied to.
    pub fn d1_describe(&self) -> String {
        self.d1
            .as_ref()
            .map(|d1| format!("D1 database {} ({})", d1.database_id, d1.table))
            .unwrap_or_default()
    }

    /// Applies `files` as `wrangler d1 migrations apply --remote` does.
    /// `live` is the history the plan saw: if it changed since, nothing is
    /// applied. `progress` hears of each file once it is recorded.
    pub async fn apply_d1(
        &self,
        files: &[LocalFile],
        live: &[String],
        mut progress: impl FnMut(&Applied),
    ) -> Result<Vec<Applied>, ApplyError> {
        let d1 = self
            .d1
            .as_ref()
            .ok_or_else(|| ApplyError::Before("this target has no D1 database".into()))?;
        let mut loaded = Vec::new();
        for file in files {
            let bytes = std::fs::read(&file.path).map_err(|e| {
                ApplyError::Before(format!("cannot read {}: {e}", file.path.display()))
            })?;
            loaded.push((file, String::from_utf8_lossy(&bytes).into_owned()));
        }
        let before = |doing: &str, e: HttpError| {
            ApplyError::Before(format!(
                "{doing}: {}",
                super::hints::d1_error(&self.target, d1, self.api.account(), e)
            ))
        };
        let create = create_table(&d1.table);
        self.api
            .d1_execute(
                &d1.database_id,
                &create,
                "create the D1 migration table",
                false,
            )
            .await
            .map_err(|e| before("creating the migration table", e))?;
        let mut now = self
            .applied_names(d1)
            .await
            .map_err(|e| before("reading the migration table", e))?;
        now.sort();
        let mut then = live.to_vec();
        then.sort();
        if now != then {
            return Err(ApplyError::Before(format!(
                "the migration history of D1 database {} changed since it was read (someone applied migrations meanwhile); nothing was applied: plan again",
                d1.database_id
            )));
        }
        let mut done = Vec::new();
        for (file, text) in &loaded {
            let started = Instant::now();
            let sql = format!("{text}{}", record(&d1.table, &file.file_name));
            let operation = format!("apply migration {}", file.file_name);
            let sent = self
                .api
                .d1_execute(&d1.database_id, &sql, &operation, true)
                .await;
            let outcome = match sent {
                Ok(results) if results.iter().all(|r| r.success) => Ok(()),
                Ok(_) => Err("D1 reported a statement that did not succeed".to_string()),
                Err(e) => Err(self.failed_file(d1, &file.file_name, e).await),
            };
            // An empty message: the answer was lost, but the table has the
            // row, so D1 ran the whole request.
            if let Err(message) = outcome.or_else(|m| if m.is_empty() { Ok(()) } else { Err(m) }) {
                let failure = Failure {
                    file: file.file_name.clone(),
                    at: FailedAt::Query,
                    message,
                    kept: 0,
                };
                return Err(ApplyError::Failed {
                    done,
                    failure: Box::new(failure),
                });
            }
            let applied = Applied {
                file: file.file_name.clone(),
                version: file.version.clone(),
                statements: envctl_core::migration::split::split(text).len(),
                elapsed: started.elapsed(),
            };
            progress(&applied);
            done.push(applied);
        }
        Ok(done)
    }

    /// The names in the history table, as wrangler lists them.
    async fn applied_names(&self, d1: &D1) -> Result<Vec<String>, HttpError> {
        let results = self
            .api
            .d1_execute(
                &d1.database_id,
                &list_applied(&d1.table),
                "read the D1 migration history",
                false,
            )
            .await?;
        Ok(results
            .into_iter()
            .next()
            .map(|r| r.results)
            .unwrap_or_default()
            .iter()
            .filter_map(|row| row.get("name")?.as_str().map(str::to_string))
            .collect())
    }

    /// Why a file's request failed; empty when its answer was lost but the
    /// history shows it applied.
    async fn failed_file(&self, d1: &D1, name: &str, e: HttpError) -> String {
        let unsure = matches!(e.failure, HttpFailure::Network | HttpFailure::Server);
        let error = super::hints::d1_error(&self.target, d1, self.api.account(), e).to_string();
        if !unsure {
            return error;
        }
        match self.applied_names(d1).await {
            Ok(names) if names.iter().any(|n| n == name) => String::new(),
            Ok(_) => format!(
                "{error}\n    {} does not list {name}: D1 rolled the file back or never ran it",
                d1.table
            ),
            Err(again) => format!(
                "{error}\n    whether D1 ran it is unknown: reading {} failed too ({again}); run `wrangler d1 migrations list <DATABASE> --remote` before trying again",
                d1.table
            ),
        }
    }
}

#[cfg(test)]
#[path = "d1_tests.rs"]
mod tests;
