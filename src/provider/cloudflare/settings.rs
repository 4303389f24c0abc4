//! A Cloudflare target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

/// wrangler's defaults for a D1 binding's migrations.
pub const D1_MIGRATIONS_DIR: &str = "migrations";
pub const D1_MIGRATIONS_TABLE: &str = "d1_migrations";

/// A Cloudflare Pages project's environment variables for one
/// deployment environment, and optionally the migration history of a
/// D1 database.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The Pages project's name (as in `<name>.pages.dev`).
    pub project: String,
    /// Which deployment environment: `production` or `preview`.
    pub environment: String,
    /// The account id (32 hex digits, from the dashboard URL). Without
    /// it, `CLOUDFLARE_ACCOUNT_ID` (as wrangler reads it).
    pub account_id: Option<String>,
    /// A D1 database id (a UUID, from `wrangler d1 list`): plans show
    /// its pending migrations, as `wrangler d1 migrations list` does.
    pub database_id: Option<String>,
    /// The D1 migrations folder, relative to envctl.yaml (wrangler's
    /// default: `migrations`). Only with `database_id`.
    pub migrations_dir: Option<String>,
    /// The table wrangler records applied migrations in (default:
    /// `d1_migrations`). Only with `database_id`.
    pub migrations_table: Option<String>,
    /// Variables this target receives: names and globs (`STRIPE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete variables the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

impl Settings {
    /// A short human description: `cloudflare pages web (preview)`.
    pub fn describe(&self) -> String {
        let Settings {
            project,
            environment,
            ..
        } = self;
        match &self.database_id {
            Some(db) => format!("cloudflare pages {project} ({environment}), d1 {db}"),
            None => format!("cloudflare pages {project} ({environment})"),
        }
    }
}
