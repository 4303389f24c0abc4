//! A dotenv target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

/// A dotenv file on this machine, as Vite and Next.js read it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Path of the file, relative to envctl.yaml.
    #[serde(default = "default_path")]
    pub path: String,
    /// Variables this target receives: names and globs (`VITE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete keys the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

fn default_path() -> String {
    ".env.local".into()
}

impl Settings {
    /// A short human description: `dotenv .env.local`.
    pub fn describe(&self) -> String {
        format!("dotenv {}", self.path)
    }
}
