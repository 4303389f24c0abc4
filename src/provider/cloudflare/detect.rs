//! `envctl init`: a Cloudflare Pages project, from `wrangler.toml`
//! (`name`, `pages_build_output_dir`, `account_id`, a `[[d1_databases]]`
//! entry). Staging is the project's `preview` environment, production its
//! `production` environment; the D1 database goes with production only
//! (two environments sharing one database is what
//! `cross-environment-target` refuses). `wrangler pages dev` reads
//! `.dev.vars`.

use std::path::Path;

use super::settings::Settings;
use crate::provider::TargetSpec;
use crate::provider::detect::{Found, Placed, Role, read_text, toml_get, toml_pairs};

const CONFIG: &str = "wrangler.toml";
const DEFAULT_MIGRATIONS: &str = "migrations";

pub fn detect(root: &Path) -> Option<Found> {
    let pairs = toml_pairs(&read_text(root, CONFIG)?);
    let pages = toml_get(&pairs, "", "pages_build_output_dir").is_some();
    let name = toml_get(&pairs, "", "name").filter(|n| !n.is_empty() && pages);
    let account_id = toml_get(&pairs, "", "account_id")
        .filter(|a| a.len() == 32 && a.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_string);
    let migrations_dir = toml_get(&pairs, "d1_databases", "migrations_dir");
    let database_id = toml_get(&pairs, "d1_databases", "database_id")
        .filter(|_| {
            root.join(migrations_dir.unwrap_or(DEFAULT_MIGRATIONS))
                .is_dir()
        })
        .map(str::to_string);
    let spec = |project: &str, environment: &str, database: Option<String>| {
        TargetSpec::Cloudflare(Settings {
            project: project.to_string(),
            environment: environment.to_string(),
            account_id: account_id.clone(),
            migrations_dir: database.as_ref().and(migrations_dir).map(str::to_string),
            database_id: database,
            migrations_table: None,
            receives: None,
            prune: false,
        })
    };
    let placed = |environment: &str, database: Option<String>| {
        match name {
        Some(n) => Placed::Known {
            spec: spec(n, environment, database),
            note: None,
        },
        None => Placed::Unknown {
            placeholder: spec("<pages project name>", environment, None),
            todo: "the Cloudflare Pages project (wrangler.toml has no `pages_build_output_dir`: envctl's target is a Pages project), then uncomment".into(),
        },
    }
    };
    Some(Found {
        evidence: vec![CONFIG.to_string()],
        role: Role::Web,
        staging: placed("preview", None),
        production: placed("production", database_id),
        local_file: Some(".dev.vars".into()),
        functions: Vec::new(),
        migrations: false,
    })
}
