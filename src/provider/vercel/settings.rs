//! A Vercel target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

/// A Vercel project's environment variables for one target.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Project id (`prj_…`) or name.
    pub project: String,
    /// Team id (`team_…`) or slug, for projects owned by a team.
    pub team: Option<String>,
    /// Which Vercel environment: `production`, `preview`,
    /// `development`, or a custom environment's slug.
    pub target: String,
    /// Only for `preview`: the git branch these values apply to.
    pub git_branch: Option<String>,
    /// Variables this target receives: names and globs (`VITE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete variables the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

impl Settings {
    /// A short human description: `vercel web (preview, branch staging)`.
    pub fn describe(&self) -> String {
        let Settings {
            project, target, ..
        } = self;
        match &self.git_branch {
            Some(branch) => format!("vercel {project} ({target}, branch {branch})"),
            None => format!("vercel {project} ({target})"),
        }
    }

    /// Whether envctl can write this target: the three standard
    /// environments, not a custom one.
    pub fn standard_target(&self) -> bool {
        matches!(
            self.target.as_str(),
            "production" | "preview" | "development"
        )
    }
}
