//! The desired state: the user's files loaded, checked and resolved into
//! environments whose variables are routed to targets.
//!
//! Loading never stops at the first problem: it collects every diagnostic it
//! can so one `validate` run shows them all. Nothing here reads a secret.

pub mod files;
mod load;
pub mod schema;

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use envctl_core::glob::glob_match;
pub use envctl_core::model::{
    Environment, Function, Migrations, SecretRef, Target, TargetSettings, Traits, VarValue,
    Variable,
};
pub use files::{FunctionSpec, TargetSpec};
pub use load::{is_account_id, load};

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
                suggestion: crate::yaml::de::closest(name, known.iter().copied())
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

impl TargetSettings for TargetSpec {
    fn kind(&self) -> &'static str {
        TargetSpec::kind(self)
    }

    fn describe(&self) -> String {
        match self {
            TargetSpec::Dotenv { path, .. } => format!("dotenv {path}"),
            TargetSpec::Supabase { project_ref, .. } => format!("supabase project {project_ref}"),
            TargetSpec::Vercel {
                project,
                target,
                git_branch,
                ..
            } => match git_branch {
                Some(branch) => format!("vercel {project} ({target}, branch {branch})"),
                None => format!("vercel {project} ({target})"),
            },
            TargetSpec::Cloudflare {
                project,
                environment,
                database_id,
                ..
            } => match database_id {
                Some(db) => format!("cloudflare pages {project} ({environment}), d1 {db}"),
                None => format!("cloudflare pages {project} ({environment})"),
            },
        }
    }

    fn prune(&self) -> bool {
        TargetSpec::prune(self)
    }

    fn traits(&self) -> Traits {
        match self {
            TargetSpec::Supabase { .. } => Traits {
                holds_functions: true,
                reserved_prefix: Some("SUPABASE_"),
                migrations_by_file: false,
            },
            TargetSpec::Cloudflare { database_id, .. } => Traits {
                migrations_by_file: database_id.is_some(),
                ..Traits::default()
            },
            TargetSpec::Dotenv { .. } | TargetSpec::Vercel { .. } => Traits::default(),
        }
    }
}
