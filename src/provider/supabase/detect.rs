//! `envctl init`: a Supabase project in the app's folder (`supabase init`'s
//! layout). The project ref is known only when the folder is linked
//! (`supabase link` writes `supabase/.temp/project-ref`); `project_id` in
//! `config.toml` is a local name, not the ref.

use std::path::Path;

use super::project::{FUNCTIONS_DIR, MIGRATIONS_DIR, valid_slug};
use super::settings::Settings;
use crate::provider::TargetSpec;
use crate::provider::detect::{
    Found, FunctionFound, Placed, Role, read_text, toml_get, toml_pairs,
};

const CONFIG: &str = "supabase/config.toml";
const LINKED_REF: &str = "supabase/.temp/project-ref";

pub fn detect(root: &Path) -> Option<Found> {
    let mut evidence = Vec::new();
    let config = read_text(root, CONFIG);
    if config.is_some() {
        evidence.push(CONFIG.to_string());
    }
    let functions = functions(root, config.as_deref().unwrap_or_default());
    if !functions.is_empty() {
        evidence.push(format!("{FUNCTIONS_DIR}/ ({} functions)", functions.len()));
    }
    let migrations = super::files::list(&root.join(MIGRATIONS_DIR)).is_ok_and(|l| !l.is_empty());
    if migrations {
        evidence.push(format!("{MIGRATIONS_DIR}/"));
    }
    if evidence.is_empty() {
        return None;
    }
    let linked = read_text(root, LINKED_REF)
        .map(|r| r.trim().to_string())
        .filter(|r| r.len() == 20 && r.chars().all(|c| c.is_ascii_lowercase()));
    let spec = |project_ref: &str| {
        TargetSpec::Supabase(Settings {
            project_ref: project_ref.to_string(),
            receives: None,
            prune: false,
        })
    };
    let unknown = |env: &str| Placed::Unknown {
        placeholder: spec("<20-letter project ref>"),
        todo: format!(
            "the {env} Supabase project's ref (dashboard URL …/project/<ref>), then uncomment"
        ),
    };
    // A linked ref goes to staging, never to production on a guess: the
    // folder says which project it is, not which environment.
    let staging = match &linked {
        Some(r) => {
            evidence.push(LINKED_REF.to_string());
            Placed::Known {
                spec: spec(r),
                note: Some(format!(
                    "the project `supabase link` points at ({LINKED_REF}); make sure it is staging's"
                )),
            }
        }
        None => unknown("staging"),
    };
    Some(Found {
        evidence,
        role: Role::Functions,
        staging,
        production: unknown("production"),
        local_file: (!functions.is_empty()).then(|| format!("{FUNCTIONS_DIR}/.env")),
        functions,
        migrations,
    })
}

/// One folder per function; `_shared` and dot folders are not functions.
fn functions(root: &Path, config: &str) -> Vec<FunctionFound> {
    let pairs = toml_pairs(config);
    let Ok(entries) = std::fs::read_dir(root.join(FUNCTIONS_DIR)) else {
        return Vec::new();
    };
    let mut out: Vec<FunctionFound> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|slug| valid_slug(slug))
        .map(|slug| FunctionFound {
            verify_jwt: toml_get(&pairs, &format!("functions.{slug}"), "verify_jwt")
                .and_then(|v| v.parse().ok()),
            slug,
        })
        .collect();
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
    out
}
