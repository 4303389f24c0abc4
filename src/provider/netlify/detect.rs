//! `envctl init`: a Netlify site, from `netlify.toml` and what `netlify
//! link` writes (`.netlify/state.json`: `siteId`). Staging is the site's
//! `deploy-preview` context, production its `production` context.

use std::path::Path;

use super::settings::Settings;
use crate::provider::TargetSpec;
use crate::provider::detect::{Found, Placed, Role, read_text};

const CONFIG: &str = "netlify.toml";
const STATE: &str = ".netlify/state.json";

pub fn detect(root: &Path) -> Option<Found> {
    let state: Option<serde_json::Value> =
        read_text(root, STATE).and_then(|t| serde_json::from_str(&t).ok());
    let config = root.join(CONFIG).is_file();
    if state.is_none() && !config {
        return None;
    }
    let site = state
        .as_ref()
        .and_then(|s| s.get("siteId"))
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let spec = |site: &str, context: &str| {
        TargetSpec::Netlify(Settings {
            site: site.to_string(),
            account: None,
            context: context.to_string(),
            scopes: None,
            receives: None,
            prune: false,
        })
    };
    let placed = |context: &str| match &site {
        Some(s) => Placed::Known {
            spec: spec(s, context),
            note: None,
        },
        None => Placed::Unknown {
            placeholder: spec("<site name or id>", context),
            todo: "the Netlify site (`netlify link` writes .netlify/state.json), then uncomment"
                .into(),
        },
    };
    let mut evidence = Vec::new();
    if config {
        evidence.push(CONFIG.to_string());
    }
    if state.is_some() {
        evidence.push(STATE.to_string());
    }
    Some(Found {
        evidence,
        role: Role::Web,
        staging: placed("deploy-preview"),
        production: placed("production"),
        local_file: None,
        functions: Vec::new(),
        migrations: false,
    })
}
