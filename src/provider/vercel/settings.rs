//! A Vercel target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{Baked, CodeTraits, Identity, Readback, TargetSettings, Traits};

use crate::provider::registry::{self, Import, TargetSpec, quoted};

/// A Vercel project's environment variables for one target.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Project id (`prj_…`) or name.
    pub project: String,
    /// Team id (`team_…`) or slug, for projects owned by a team.
    pub team: Option<String>,
    /// Which Vercel environment: `production`, `preview`,
    /// `development`, or a custom environment's slug (`staging`, as in
    /// the project's Settings › Environments).
    pub target: String,
    /// Only for `preview`: the git branch these values apply to. With
    /// it, `apply --redeploy` rebuilds the branch's latest preview.
    pub git_branch: Option<String>,
    /// Variables this target receives: names and globs (`VITE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete variables the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "vercel"
    }

    /// A short human description: `vercel web (preview, branch staging)`.
    fn describe(&self) -> String {
        let Settings {
            project, target, ..
        } = self;
        match &self.git_branch {
            Some(branch) => format!("vercel {project} ({target}, branch {branch})"),
            None => format!("vercel {project} ({target})"),
        }
    }

    fn prune(&self) -> bool {
        self.prune
    }

    /// Secrets are stored `sensitive`: write-only, each with its own
    /// update time, which envctl's comment tag is checked against. A
    /// record's comment holds the variable's description. Builds bake the
    /// values in: `--redeploy` rebuilds production, a branch's latest
    /// preview or a custom environment's latest deployment, but not the
    /// preview of every branch and pull request; `vercel dev` reads
    /// `development` when it starts.
    /// It hosts the frontend it is sent variables for.
    fn traits(&self) -> Traits {
        let baked = match (self.target.as_str(), &self.git_branch) {
            ("development", _) => Baked::No,
            ("preview", None) => Baked::NextDeployment,
            _ => Baked::Redeployable,
        };
        Traits {
            readback: Readback::WriteOnlyDated,
            baked,
            descriptions: true,
            code: CodeTraits {
                injected: INJECTED,
                ..CodeTraits::default()
            },
            ..Traits::default()
        }
    }

    /// The project's variables for one target (and branch). No host: a
    /// project's domains are not in its settings.
    fn identity(&self) -> Identity {
        let team = self.team.as_deref().unwrap_or("personal");
        let mut place = format!(
            "project {} (team {team}), target {}",
            self.project, self.target
        );
        if let Some(branch) = &self.git_branch {
            place.push_str(&format!(", branch {branch}"));
        }
        Identity {
            places: vec![place],
            hosts: Vec::new(),
        }
    }
}

/// Vercel's system environment variables (`VERCEL_ENV`, `VERCEL_URL`,
/// `VERCEL_GIT_*`, …), their framework-prefixed copies
/// (`NEXT_PUBLIC_VERCEL_URL`, `VITE_VERCEL_ENV`, …) and `CI` during
/// builds (vercel.com/docs/environment-variables/system-environment-variables).
const INJECTED: &[&str] = &["VERCEL", "VERCEL_*", "*_VERCEL_*", "CI"];

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        let mut s = format!("    project: {}\n", quoted(&self.project));
        if let Some(team) = &self.team {
            s.push_str(&format!("    team: {}\n", quoted(team)));
        }
        s.push_str(&format!("    target: {}\n", self.target));
        if let Some(branch) = &self.git_branch {
            s.push_str(&format!("    git_branch: {}\n", quoted(branch)));
        }
        s
    }
}

/// `import --from vercel:<project>:<target>[:<git branch>]` (`--team`
/// names the team).
pub const IMPORT: Import = Import {
    name: "vercel",
    syntax: "vercel:<project>:<target>[:<git branch>]",
    target_name: "web",
    parse: from_import,
};

fn from_import(parts: &[&str], team: Option<&str>) -> Option<TargetSpec> {
    match parts {
        [project, target, rest @ ..] if rest.len() <= 1 && !project.is_empty() => {
            Some(TargetSpec::Vercel(Settings {
                project: project.to_string(),
                team: team.map(str::to_string),
                target: target.to_string(),
                git_branch: rest.first().map(|b| b.to_string()),
                receives: None,
                prune: false,
            }))
        }
        _ => None,
    }
}

/// The three targets every Vercel project has; any other `target` names a
/// custom environment by its slug.
pub const STANDARD: [&str; 3] = ["production", "preview", "development"];

impl Settings {
    /// The custom environment's slug, when `target` names one.
    pub fn custom_environment(&self) -> Option<&str> {
        Some(self.target.as_str()).filter(|t| !STANDARD.contains(t))
    }
}
