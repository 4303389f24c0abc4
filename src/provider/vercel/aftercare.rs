//! After an apply wrote to Vercel: builds read variables at build time, so
//! running deployments keep the old values until redeployed. With
//! `--redeploy`, envctl redeploys the latest deployment the target feeds —
//! production's, the `git_branch`'s latest preview, or a custom
//! environment's — and names it and the new one. A `preview` target
//! without a branch feeds every branch's and pull request's preview:
//! envctl says so and redeploys none of them.

use super::VercelProvider;
use super::deploys::{Among, CUSTOM_SEARCH, Deployment};
use super::scope::Scope;
use crate::provider::ProviderError;

impl VercelProvider {
    /// What to tell after this target changed (`env`: the environment's
    /// name, for the command to run), redeploying first when `redeploy`
    /// asks and the target has one latest deployment.
    pub async fn after_apply(
        &self,
        env: &str,
        redeploy: bool,
    ) -> Result<Option<String>, ProviderError> {
        let project = &self.project;
        let (target, branch) = (self.vercel_target.as_str(), self.git_branch.as_deref());
        let what = match (target, branch) {
            // `vercel dev` and `vercel env pull` read values when they run.
            ("development", _) => return Ok(None),
            ("preview", None) => return Ok(Some(every_preview(redeploy))),
            ("production", _) => "production deployment".to_string(),
            ("preview", Some(b)) => format!("preview deployment of branch {b}"),
            (slug, _) => format!("deployment of custom environment {slug}"),
        };
        if !redeploy {
            return Ok(Some(format!(
                "{project}'s running {what} keeps the old values until it is redeployed; run `envctl apply {env} --redeploy` to rebuild the latest one, or redeploy it from the Vercel dashboard"
            )));
        }
        let scope = self.resolve_scope().await?;
        let among = match (&scope, branch) {
            (Scope::Custom { id, .. }, _) => Among::Custom(id),
            (_, Some(b)) => Among::Branch(b),
            (_, None) => Among::Production,
        };
        let latest = self.api.latest_deployment(project, among).await;
        let Some(latest) = latest.map_err(|e| self.error(e))? else {
            return Ok(Some(nothing_to_redeploy(&what, project, among)));
        };
        let (target, custom) = match &scope {
            Scope::Custom { id, .. } => (None, Some(id.as_str())),
            Scope::Target { name, .. } if name == "production" => (Some("production"), None),
            Scope::Target { .. } => (None, None),
        };
        let created = self.api.redeploy(&latest, target, custom).await;
        let created = created.map_err(|e| self.error(e))?;
        Ok(Some(redeployed(&what, &latest, &created.describe())))
    }
}

fn redeployed(what: &str, latest: &Deployment, new: &str) -> String {
    format!(
        "redeployed the latest {what}, {}, with the new values: {new}",
        latest.describe()
    )
}

fn nothing_to_redeploy(what: &str, project: &str, among: Among<'_>) -> String {
    let place = match among {
        Among::Custom(_) => format!("among the newest {CUSTOM_SEARCH} deployments of {project}"),
        _ => format!("in {project}"),
    };
    format!("no {what} {place} to redeploy: the next one is built with the new values")
}

/// A `preview` target without `git_branch`: its values go to the preview
/// deployment of every branch and pull request.
fn every_preview(redeploy: bool) -> String {
    let why = "the preview deployments of every branch and pull request keep the old values until each is deployed again (push a commit); envctl does not redeploy them, as there is one per branch and pull request";
    if redeploy {
        format!(
            "--redeploy rebuilt no preview: {why}. Set `git_branch` on the target to have --redeploy rebuild that branch's latest preview"
        )
    } else {
        format!("{why}; set `git_branch` to redeploy one branch's")
    }
}
