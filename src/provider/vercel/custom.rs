//! A target's scope, resolved: a standard target as written, or a custom
//! environment's slug looked up among the project's custom environments
//! (one request per read; `vercel env` matches a slug or an id the same
//! way). An unknown slug is an error that names the ones that exist.

use super::VercelProvider;
use super::api::CustomEnvironment;
use super::scope::Scope;
use crate::provider::http::Failure;
use crate::provider::{ErrorKind, ProviderError};

impl VercelProvider {
    /// The scope this target reads and writes now.
    pub(super) async fn resolve_scope(&self) -> Result<Scope, ProviderError> {
        if super::settings::STANDARD.contains(&self.vercel_target.as_str()) {
            return Ok(Scope::Target {
                name: self.vercel_target.clone(),
                branch: self.git_branch.clone(),
            });
        }
        let all = self
            .api
            .custom_environments(&self.project)
            .await
            .map_err(|e| self.error(e))?;
        let slug = &self.vercel_target;
        match all.iter().find(|c| c.slug == *slug || c.id == *slug) {
            Some(found) => Ok(Scope::Custom {
                id: found.id.clone(),
                slug: found.slug.clone(),
            }),
            None => Err(unknown(&self.target, &self.project, slug, &all)),
        }
    }
}

/// `slug` is none of the project's custom environments (`all`).
fn unknown(target: &str, project: &str, slug: &str, all: &[CustomEnvironment]) -> ProviderError {
    let (message, hint) = if all.is_empty() {
        (
            format!("project {project} has no custom environments, so none is called `{slug}`"),
            "create it in the project's Settings › Environments, or set `target:` to production, preview or development".to_string(),
        )
    } else {
        let names: Vec<String> = all.iter().map(|c| format!("`{}`", c.slug)).collect();
        (
            format!(
                "project {project} has no custom environment `{slug}`; its custom environments are {}",
                names.join(", ")
            ),
            "set `target:` to one of them (or production, preview, development), or create it in the project's Settings › Environments".to_string(),
        )
    };
    let mut error = ProviderError::new(
        target,
        "find the custom environment",
        ErrorKind::Http(Failure::NotFound),
        message,
    )
    .in_scope(format!("project {project}"));
    if let Some(detail) = error.detail.as_mut() {
        detail.hint = Some(hint);
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(slug: &str) -> CustomEnvironment {
        CustomEnvironment {
            id: format!("env_{slug}"),
            slug: slug.into(),
            kind: "preview".into(),
        }
    }

    #[test]
    fn an_unknown_slug_names_the_custom_environments_that_exist() {
        let e = unknown("web", "huddle-web", "stagin", &[env("staging"), env("qa")]);
        let text = e.to_string();
        assert!(
            text.contains(
                "no custom environment `stagin`; its custom environments are `staging`, `qa`"
            ),
            "{text}"
        );
        assert!(
            text.contains("help: set `target:` to one of them"),
            "{text}"
        );
        let none = unknown("web", "huddle-web", "staging", &[]).to_string();
        assert!(none.contains("has no custom environments"), "{none}");
    }
}
