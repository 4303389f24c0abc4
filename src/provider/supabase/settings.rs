//! A Supabase target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{Readback, TargetSettings, Traits};

use crate::provider::registry::{self, Import, TargetSpec};

/// A Supabase project's Edge Function secrets, functions and migrations.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The project ref (20 lowercase letters, from the dashboard URL).
    pub project_ref: String,
    /// Variables this target receives: names and globs (`STRIPE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete secrets the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "supabase"
    }

    /// A short human description: `supabase project abcd…`.
    fn describe(&self) -> String {
        format!("supabase project {}", self.project_ref)
    }

    fn prune(&self) -> bool {
        self.prune
    }

    /// The environment's Edge Functions and migration head live in its
    /// Supabase project; Supabase injects `SUPABASE_*` into functions
    /// itself and refuses them as secrets.
    fn traits(&self) -> Traits {
        Traits {
            holds_functions: true,
            reserved_prefix: Some("SUPABASE_"),
            migrations_by_file: false,
            migration_tool: Some("supabase db push"),
            readback: Readback::Readable,
            ..Traits::default()
        }
    }
}

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        format!("    project_ref: {}\n", self.project_ref)
    }
}

/// `import --from supabase:<project_ref>`.
pub const IMPORT: Import = Import {
    name: "supabase",
    syntax: "supabase:<project_ref>",
    target_name: "functions",
    parse: from_import,
};

fn from_import(parts: &[&str], _team: Option<&str>) -> Option<TargetSpec> {
    match parts {
        [project_ref] if !project_ref.is_empty() => Some(TargetSpec::Supabase(Settings {
            project_ref: project_ref.to_string(),
            receives: None,
            prune: false,
        })),
        _ => None,
    }
}
