//! Each runner's history table, read with one query (read-only; no table
//! means nothing applied) and matched to the local migrations.

use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use super::local::{Key, LocalMigration, flyway_parts, parts_order};
use super::{Applied, Runner, Source};

/// The query that reads `source`'s history.
pub fn query(source: &Source) -> String {
    let table = source.qualified();
    match source.runner {
        // The order node-pg-migrate reads its history in.
        Runner::NodePgMigrate => format!("SELECT name FROM {table} ORDER BY run_on, id"),
        Runner::Knex => format!("SELECT name FROM {table} ORDER BY id"),
        Runner::Prisma => format!(
            "SELECT migration_name, finished_at IS NOT NULL, rolled_back_at IS NOT NULL FROM {table} ORDER BY started_at, migration_name"
        ),
        Runner::Drizzle => {
            format!("SELECT hash, created_at::text FROM {table} ORDER BY created_at, id")
        }
        Runner::GolangMigrate => format!("SELECT version, dirty FROM {table} LIMIT 1"),
        Runner::Flyway => {
            format!("SELECT version, type, success FROM {table} ORDER BY installed_rank")
        }
    }
}

/// Reads the history and matches it to `local`.
pub async fn read(
    client: &Client,
    source: &Source,
    local: &[LocalMigration],
) -> Result<Applied, tokio_postgres::Error> {
    let rows = match client.simple_query(&query(source)).await {
        Ok(messages) => messages
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .collect::<Vec<_>>(),
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut applied = matched(source, &rows, local);
    if source.runner == Runner::Knex {
        applied.warnings.extend(knex_lock(client, source).await?);
    }
    Ok(applied)
}

/// One row's columns, as text (`NULL` is `None`).
type Row = Vec<Option<String>>;

fn text(row: &Row, i: usize) -> &str {
    row.get(i).and_then(|c| c.as_deref()).unwrap_or("")
}

fn truth(row: &Row, i: usize) -> bool {
    text(row, i) == "t"
}

/// The rows of `source` matched to `local`: pure, so each runner's rule
/// is tested without a database.
pub fn matched(source: &Source, rows: &[Row], local: &[LocalMigration]) -> Applied {
    let table = source.qualified();
    let mut applied = Applied::default();
    match source.runner {
        Runner::NodePgMigrate | Runner::Knex => {
            applied.ids = rows.iter().map(|r| text(r, 0).to_string()).collect();
        }
        Runner::Prisma => {
            for row in rows {
                let name = text(row, 0).to_string();
                let (finished, rolled_back) = (truth(row, 1), truth(row, 2));
                if finished && !rolled_back {
                    applied.ids.push(name);
                } else if !finished && !rolled_back {
                    applied.warnings.push(format!(
                        "{table} records migration {name} as failed (started, never finished): `prisma migrate deploy` refuses to run until `prisma migrate resolve` marks it (P3009)"
                    ));
                }
            }
        }
        Runner::Drizzle => drizzle(rows, local, &mut applied),
        Runner::GolangMigrate => golang_migrate(&table, rows, local, &mut applied),
        Runner::Flyway => flyway(&table, rows, local, &mut applied),
    }
    // A name applied twice is one migration.
    let mut seen = std::collections::HashSet::new();
    applied.ids.retain(|id| seen.insert(id.clone()));
    applied
}

/// Drizzle runs a journal entry only when its `when` is newer than the
/// newest `created_at`; a row is the entry whose `when` it records, or,
/// failing that, the file whose SHA-256 it records.
fn drizzle(rows: &[Row], local: &[LocalMigration], applied: &mut Applied) {
    for row in rows {
        let hash = text(row, 0);
        let created: Option<i64> = text(row, 1).parse().ok();
        let by_when = local
            .iter()
            .find(|m| created.is_some() && m.key == Key::When(created.unwrap_or_default()));
        let by_hash = || {
            local
                .iter()
                .find(|m| sha256_of(&m.path).as_deref() == Some(hash))
        };
        match by_when.or_else(by_hash) {
            Some(m) => applied.ids.push(m.id.clone()),
            None => applied.ids.push(format!(
                "created_at {} (hash {})",
                text(row, 1),
                &hash[..hash.len().min(12)]
            )),
        }
    }
}

/// The SHA-256 Drizzle records: of the file with CRLF made LF.
fn sha256_of(path: &std::path::Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let text = std::fs::read_to_string(path).ok()?.replace("\r\n", "\n");
    let digest = Sha256::digest(text.as_bytes());
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// golang-migrate keeps one row: every version up to it is applied; a
/// dirty one stopped midway.
fn golang_migrate(table: &str, rows: &[Row], local: &[LocalMigration], applied: &mut Applied) {
    let Some(row) = rows.first() else { return };
    let Ok(version) = text(row, 0).parse::<i64>() else {
        return;
    };
    // -1 is golang-migrate's "no version" (a dirty -1 is a failed first run).
    let dirty = truth(row, 1);
    let upto = |v: u64| i64::try_from(v).is_ok_and(|v| v < version || (v == version && !dirty));
    applied.ids = local
        .iter()
        .filter(|m| matches!(m.key, Key::Version(v) if upto(v)))
        .map(|m| m.id.clone())
        .collect();
    let known = local
        .iter()
        .any(|m| matches!(m.key, Key::Version(v) if i64::try_from(v) == Ok(version)));
    if version >= 0 && !known {
        applied.ids.push(version.to_string());
    }
    if dirty {
        applied.warnings.push(format!(
            "{table} is dirty at version {version}: that migration failed midway, and `migrate up` refuses to run until the database is fixed by hand and `migrate force` sets the version"
        ));
    }
}

/// Flyway: the latest row of each version says whether it is applied (a
/// success), undone or deleted; a baseline stands for every version up to
/// it; repeatable migrations (no version) are not compared.
fn flyway(table: &str, rows: &[Row], local: &[LocalMigration], applied: &mut Applied) {
    let mut state: Vec<(Vec<String>, String, bool)> = Vec::new();
    let mut baseline: Option<Vec<String>> = None;
    for row in rows {
        let (version, kind, success) =
            (row.first().cloned().flatten(), text(row, 1), truth(row, 2));
        let Some(parts) = version.as_deref().and_then(flyway_parts) else {
            continue;
        };
        match kind {
            "SCHEMA" => continue,
            "BASELINE" | "JDBC_BASELINE" | "SQL_BASELINE" if success => {
                baseline = Some(parts.clone());
            }
            _ => {}
        }
        state.retain(|(p, _, _)| *p != parts);
        state.push((parts, kind.to_string(), success));
    }
    let undone = |kind: &str| kind.starts_with("UNDO") || kind == "DELETE";
    let mut ids: Vec<(Vec<String>, String)> = Vec::new();
    for m in local {
        let Key::Parts(parts) = &m.key else { continue };
        let row = state.iter().find(|(p, _, _)| p == parts);
        let below_baseline = baseline
            .as_ref()
            .is_some_and(|b| parts_order(parts, b).is_le());
        let done = match row {
            Some((_, kind, success)) => *success && !undone(kind),
            None => below_baseline,
        };
        if done {
            ids.push((parts.clone(), m.id.clone()));
        }
    }
    for (parts, kind, success) in &state {
        let version = parts.join(".");
        if !success {
            applied.warnings.push(format!(
                "{table} records version {version} as failed: `flyway migrate` refuses to run until `flyway repair`"
            ));
        } else if !undone(kind) && !local.iter().any(|m| m.key == Key::Parts(parts.clone())) {
            let baseline_row = kind.contains("BASELINE");
            if !baseline_row {
                ids.push((parts.clone(), version));
            }
        }
    }
    ids.sort_by(|a, b| parts_order(&a.0, &b.0));
    applied.ids = ids.into_iter().map(|(_, id)| id).collect();
}

/// knex's lock: `<table>_lock.is_locked = 1` while a migration runs, and
/// after one that was killed.
async fn knex_lock(client: &Client, source: &Source) -> Result<Vec<String>, tokio_postgres::Error> {
    let lock = Source {
        table: Some(format!(
            "{}_lock",
            source
                .table
                .as_deref()
                .unwrap_or(source.runner.default_table())
        )),
        ..source.clone()
    };
    let sql = format!(
        "SELECT is_locked FROM {} WHERE is_locked = 1",
        lock.qualified()
    );
    match client.simple_query(&sql).await {
        Ok(messages) => {
            let locked = messages
                .iter()
                .any(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_)));
            Ok(locked
                .then(|| {
                    format!(
                        "{} is locked (is_locked = 1): a knex migration is running, or one was killed; `knex migrate:latest` waits for it (`knex migrate:unlock` frees it)",
                        lock.qualified()
                    )
                })
                .into_iter()
                .collect())
        }
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}
