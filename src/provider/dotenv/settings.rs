//! A dotenv target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{TargetSettings, Traits};

use crate::provider::registry::{self, Import, TargetSpec, quoted};

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

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "dotenv"
    }

    /// A short human description: `dotenv .env.local`.
    fn describe(&self) -> String {
        format!("dotenv {}", self.path)
    }

    fn prune(&self) -> bool {
        self.prune
    }

    fn traits(&self) -> Traits {
        Traits::default()
    }
}

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        format!("    path: {}\n", quoted(&self.path))
    }
}

/// `import --from dotenv:<path>`.
pub const IMPORT: Import = Import {
    name: "dotenv",
    syntax: "dotenv:<path>",
    target_name: "dotenv",
    parse: from_import,
};

fn from_import(parts: &[&str], _team: Option<&str>) -> Option<TargetSpec> {
    match parts {
        [path] if !path.is_empty() => Some(TargetSpec::Dotenv(Settings {
            path: path.to_string(),
            receives: None,
            prune: false,
        })),
        _ => None,
    }
}
