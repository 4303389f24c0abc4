//! A Supabase target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

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

impl Settings {
    /// A short human description: `supabase project abcd…`.
    pub fn describe(&self) -> String {
        format!("supabase project {}", self.project_ref)
    }
}
