//! The desired state: the user's files loaded, checked and resolved into
//! environments whose variables are routed to targets.
//!
//! Loading never stops at the first problem: it collects every diagnostic it
//! can so one `validate` run shows them all. Nothing here reads a secret.

pub mod files;
mod load;
mod migrations_file;
pub mod schema;
mod target;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use envctl_core::glob::glob_match;
pub use envctl_core::model::{
    Environment, Function, Migrations, SecretRef, Target, TargetSettings, Traits, VarValue,
    Variable,
};
pub use files::{FunctionSpec, TargetSpec};
pub use load::{load, load_for_import};

/// The project as loaded from `envctl.yaml` and `environments/`.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The folder holding `envctl.yaml`; relative paths start here.
    pub root: PathBuf,
    pub project: String,
    pub environments: BTreeMap<String, Environment>,
    pub aliases: BTreeMap<String, String>,
    pub rules: files::RulesConfig,
    /// Where rule configuration entries were written, for findings about them.
    pub project_file: PathBuf,
    /// Where migrations and Edge Functions live, relative to `root`.
    pub paths: files::Paths,
    /// The audit log's path (absolute), unless switched off.
    pub audit_log: Option<PathBuf>,
}

impl Workspace {
    /// Where the project lives, as the providers need it.
    pub fn place(&self) -> crate::provider::Project<'_> {
        crate::provider::Project {
            root: &self.root,
            name: &self.project,
            functions: &self.paths.functions,
        }
    }

    /// Finds an environment by name or alias.
    pub fn environment(&self, name: &str) -> Result<&Environment, crate::Error> {
        let canonical = self.aliases.get(name).map_or(name, String::as_str);
        self.environments.get(canonical).ok_or_else(|| {
            let known: Vec<&str> = self
                .environments
                .keys()
                .map(String::as_str)
                .chain(self.aliases.keys().map(String::as_str))
                .collect();
            crate::Error::UnknownEnvironment {
                name: name.to_string(),
                suggestion: envctl_core::yaml::de::closest(name, known.iter().copied())
                    .map(str::to_string),
                known: self.environments.keys().cloned().collect(),
            }
        })
    }
}

/// The settings a target was loaded from, for the code that talks to its
/// platform. Every target `load` builds carries a [`TargetSpec`]; `None`
/// only for one built elsewhere (a test's own settings).
pub trait SpecOf {
    fn spec(&self) -> Option<&TargetSpec>;
}

impl SpecOf for Target {
    fn spec(&self) -> Option<&TargetSpec> {
        self.settings_as::<TargetSpec>()
    }
}

#[cfg(test)]
#[path = "database_url_tests.rs"]
mod database_url_tests;
