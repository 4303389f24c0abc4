//! A Cloudflare target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{Baked, CodeTraits, Identity, Readback, TargetSettings, Traits};

use crate::provider::registry::{self, Import, TargetSpec, quoted};

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

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "cloudflare"
    }

    /// A short human description: `cloudflare pages web (preview)`.
    fn describe(&self) -> String {
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

    fn prune(&self) -> bool {
        self.prune
    }

    /// A D1 database keeps its own history, by file name. Variables are
    /// bound to a deployment when it is made; `--redeploy` retries the
    /// environment's latest. A Pages project runs the Pages Functions in
    /// `functions/` and builds the frontend it is sent variables for.
    fn traits(&self) -> Traits {
        let d1 = self.database_id.is_some();
        Traits {
            migrations_by_file: d1,
            migration_tool: d1.then_some("wrangler d1 migrations apply <DATABASE> --remote"),
            readback: Readback::WriteOnlyTargetDated,
            baked: Baked::Redeployable,
            code: CodeTraits {
                folders: &["functions"],
                frontend: true,
                // The build's own variables (developers.cloudflare.com,
                // Pages "Build configuration": CF_PAGES, CF_PAGES_BRANCH,
                // CF_PAGES_COMMIT_SHA, CF_PAGES_URL) and `CI`.
                injected: &["CF_PAGES", "CF_PAGES_*", "CI"],
            },
            ..Traits::default()
        }
    }

    /// The project's deployment environment and the D1 database; the
    /// production environment is served at `<project>.pages.dev`.
    fn identity(&self) -> Identity {
        let mut places = vec![format!(
            "pages project {} ({})",
            self.project, self.environment
        )];
        places.extend(
            self.database_id
                .iter()
                .map(|db| format!("d1 database {db}")),
        );
        let production = self.environment == "production";
        Identity {
            places,
            hosts: production
                .then(|| format!("{}.pages.dev", self.project.to_ascii_lowercase()))
                .into_iter()
                .collect(),
        }
    }
}

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        let mut s = format!(
            "    project: {}\n    environment: {}\n",
            quoted(&self.project),
            self.environment
        );
        if let Some(account) = &self.account_id {
            s.push_str(&format!("    account_id: {}\n", quoted(account)));
        }
        for (key, value) in [
            ("database_id", &self.database_id),
            ("migrations_dir", &self.migrations_dir),
            ("migrations_table", &self.migrations_table),
        ] {
            if let Some(value) = value {
                s.push_str(&format!("    {key}: {}\n", quoted(value)));
            }
        }
        s
    }
}

/// `import --from cloudflare:<project>:<production|preview>`.
pub const IMPORT: Import = Import {
    name: "cloudflare",
    syntax: "cloudflare:<project>:<production|preview>",
    target_name: "pages",
    parse: from_import,
};

fn from_import(parts: &[&str], _team: Option<&str>) -> Option<TargetSpec> {
    match parts {
        [project, environment] if !project.is_empty() => Some(TargetSpec::Cloudflare(Settings {
            project: project.to_string(),
            environment: environment.to_string(),
            account_id: None,
            database_id: None,
            migrations_dir: None,
            migrations_table: None,
            receives: None,
            prune: false,
        })),
        _ => None,
    }
}
