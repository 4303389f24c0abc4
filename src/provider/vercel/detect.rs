//! `envctl init`: a Vercel project, from what `vercel link` writes
//! (`.vercel/project.json`: `projectId`, `orgId`) or a `vercel.json`.
//! Staging is the project's `preview` target, production its
//! `production` target.

use std::path::Path;

use super::settings::Settings;
use crate::provider::TargetSpec;
use crate::provider::detect::{Found, Placed, Role, read_text};

const LINK: &str = ".vercel/project.json";
const CONFIG: &str = "vercel.json";

pub fn detect(root: &Path) -> Option<Found> {
    let link: Option<serde_json::Value> =
        read_text(root, LINK).and_then(|t| serde_json::from_str(&t).ok());
    let config = root.join(CONFIG).is_file();
    if link.is_none() && !config {
        return None;
    }
    let field = |name: &str| {
        link.as_ref()
            .and_then(|l| l.get(name))
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let project = field("projectId");
    // A personal account's id is not a team; only `team_…` goes in `team:`.
    let team = field("orgId").filter(|o| o.starts_with("team_"));
    let spec = |project: &str, target: &str| {
        TargetSpec::Vercel(Settings {
            project: project.to_string(),
            team: team.clone(),
            target: target.to_string(),
            git_branch: None,
            receives: None,
            prune: false,
        })
    };
    let placed = |target: &str| match &project {
        Some(p) => Placed::Known {
            spec: spec(p, target),
            note: None,
        },
        None => Placed::Unknown {
            placeholder: spec("<project name or prj_ id>", target),
            todo: "the Vercel project (`vercel link` writes .vercel/project.json), then uncomment"
                .into(),
        },
    };
    let mut evidence = Vec::new();
    if link.is_some() {
        evidence.push(LINK.to_string());
    }
    if config {
        evidence.push(CONFIG.to_string());
    }
    Some(Found {
        evidence,
        role: Role::Web,
        staging: placed("preview"),
        production: placed("production"),
        local_file: None,
        functions: Vec::new(),
        migrations: false,
    })
}
