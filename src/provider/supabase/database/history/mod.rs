//! Other runners' migration histories (`migrations.history`): the table
//! each common runner keeps in the environment's PostgreSQL database, read
//! over the same connection as the Supabase CLI's, and its migration files
//! as that runner finds and orders them. envctl reads these histories so
//! `plan` shows the true head and pending set; it applies none of them:
//! each runner's own command does (`tool`).
//!
//! What each runner records, and how a row is matched to a local file:
//!
//! | runner | table (default) | a file is applied when |
//! | --- | --- | --- |
//! | node-pg-migrate | `public.pgmigrations (id, name, run_on)` | a row's `name` is the file name without extension |
//! | knex | `knex_migrations (id, name, batch, migration_time)` | a row's `name` is the file name |
//! | Prisma | `public._prisma_migrations (…, migration_name, finished_at, rolled_back_at, …)` | a row names its folder, finished and not rolled back |
//! | Drizzle | `drizzle.__drizzle_migrations (id, hash, created_at)` | a row's `created_at` is the journal entry's `when` |
//! | golang-migrate | `schema_migrations (version, dirty)`: one row | its version is at most the row's `version` |
//! | Flyway | `flyway_schema_history (installed_rank, version, …, type, success)` | its version's latest row succeeded (or a baseline covers it) |

mod local;
mod read;

use std::path::Path;

pub use local::{LocalMigration, scan};

use super::Database;
use envctl_core::model::AppliedMigration;

/// The runners whose history envctl reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    NodePgMigrate,
    Knex,
    Prisma,
    Drizzle,
    GolangMigrate,
    Flyway,
}

impl Runner {
    pub const ALL: [Runner; 6] = [
        Runner::NodePgMigrate,
        Runner::Knex,
        Runner::Prisma,
        Runner::Drizzle,
        Runner::GolangMigrate,
        Runner::Flyway,
    ];

    /// The name `migrations.history` takes.
    pub fn name(self) -> &'static str {
        match self {
            Runner::NodePgMigrate => "node-pg-migrate",
            Runner::Knex => "knex",
            Runner::Prisma => "prisma",
            Runner::Drizzle => "drizzle",
            Runner::GolangMigrate => "golang-migrate",
            Runner::Flyway => "flyway",
        }
    }

    pub fn parse(name: &str) -> Option<Runner> {
        Runner::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The runner's own command that applies pending migrations.
    pub fn tool(self) -> &'static str {
        match self {
            Runner::NodePgMigrate => "npx node-pg-migrate up",
            Runner::Knex => "npx knex migrate:latest",
            Runner::Prisma => "npx prisma migrate deploy",
            Runner::Drizzle => "npx drizzle-kit migrate",
            Runner::GolangMigrate => "migrate -path <folder> -database <url> up",
            Runner::Flyway => "flyway migrate",
        }
    }

    /// The history table when `history_table` does not name one.
    pub fn default_table(self) -> &'static str {
        match self {
            Runner::NodePgMigrate => "pgmigrations",
            Runner::Knex => "knex_migrations",
            Runner::Prisma => "_prisma_migrations",
            Runner::Drizzle => "__drizzle_migrations",
            Runner::GolangMigrate => "schema_migrations",
            Runner::Flyway => "flyway_schema_history",
        }
    }

    /// The table's schema when `history_schema` does not name one; `None`:
    /// the connection's current schema (the first of its `search_path`).
    pub fn default_schema(self) -> Option<&'static str> {
        match self {
            Runner::NodePgMigrate | Runner::Prisma => Some("public"),
            Runner::Drizzle => Some("drizzle"),
            Runner::Knex | Runner::GolangMigrate | Runner::Flyway => None,
        }
    }

    /// Whether the runner lets its users name another table (Prisma's is
    /// fixed).
    pub fn table_configurable(self) -> bool {
        self != Runner::Prisma
    }

    /// Whether a pending file older than the newest applied one is drift:
    /// node-pg-migrate refuses to run (`checkOrder`), Flyway's validation
    /// fails (`outOfOrder` is off by default), Drizzle never runs it (only
    /// files newer than the last row are). knex and Prisma run it.
    pub fn older_pending_is_drift(self) -> bool {
        !matches!(self, Runner::Knex | Runner::Prisma)
    }
}

/// Where a runner's history is, as the environment names it.
#[derive(Debug, Clone)]
pub struct Source {
    pub runner: Runner,
    pub table: Option<String>,
    pub schema: Option<String>,
    /// The migrations folder, absolute.
    pub folder: std::path::PathBuf,
}

impl Source {
    /// `"schema"."table"`, or `"table"` in the current schema.
    pub fn qualified(&self) -> String {
        let table = quote(self.table.as_deref().unwrap_or(self.runner.default_table()));
        match self.schema.as_deref().or(self.runner.default_schema()) {
            Some(schema) => format!("{}.{table}", quote(schema)),
            None => table,
        }
    }
}

/// A double-quoted identifier.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// What a history says, in the ids of the local files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Applied ids, in the runner's order; an applied migration with no
    /// local file keeps the runner's own name for it.
    pub ids: Vec<String>,
    /// What the runner would refuse or stop at (a dirty version, a failed
    /// migration, a lock left behind).
    pub warnings: Vec<String>,
}

impl Database {
    /// The history `source` keeps, matched to its local files.
    pub async fn runner_history(&self, source: &Source) -> Result<Applied, String> {
        let local = scan(source.runner, &source.folder)?;
        let client = self.connect().await?;
        let applied = read::read(&client, source, &local)
            .await
            .map_err(|e| self.query_error(&format!("reading {}", source.qualified()), &e))?;
        crate::log::debug(|| {
            format!(
                "database: {} applied migration{} in {} ({})",
                applied.ids.len(),
                if applied.ids.len() == 1 { "" } else { "s" },
                source.qualified(),
                source.runner.name()
            )
        });
        Ok(applied)
    }
}

/// The applied ids as the plan takes them.
pub fn as_live(applied: &Applied) -> Vec<AppliedMigration> {
    applied
        .ids
        .iter()
        .map(|id| AppliedMigration::from(id.as_str()))
        .collect()
}

/// The ids of the migrations in `folder` (under `root`), in the runner's
/// order, for the environment's head.
pub fn local_ids(runner: Runner, root: &Path, folder: &str) -> Result<Vec<String>, String> {
    let path = root.join(folder);
    if !path.is_dir() {
        return Err(format!("no migrations folder {folder}"));
    }
    Ok(scan(runner, &path)?.into_iter().map(|m| m.id).collect())
}

#[cfg(test)]
mod tests;
