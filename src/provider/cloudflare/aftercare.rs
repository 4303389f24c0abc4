//! After an apply wrote to Cloudflare Pages: variables are bound to a
//! deployment when it is made, so running deployments keep the old values.
//! With `--redeploy`, envctl retries the environment's latest deployment
//! (the dashboard's "Retry deployment"), which builds the same source with
//! the new values, and names both.

use super::CloudflareProvider;
use crate::provider::ProviderError;

impl CloudflareProvider {
    /// What to tell after this target changed (`env`: the environment's
    /// name, for the command to run), retrying the latest deployment first
    /// when `redeploy` asks.
    pub async fn after_apply(&self, env: &str, redeploy: bool) -> Result<String, ProviderError> {
        let (project, environment) = (&self.project, &self.environment);
        if !redeploy {
            return Ok(format!(
                "the running {environment} deployment of {project} keeps the old values until the next deployment; run `envctl apply {env} --redeploy` to retry the latest one, or `wrangler pages deploy`"
            ));
        }
        let latest = self.api.latest_deployment(project, environment).await;
        let Some(latest) = latest.map_err(|e| self.error(e))? else {
            return Ok(format!(
                "no {environment} deployment of {project} to retry: the next deployment is made with the new values"
            ));
        };
        let new = self.api.retry(project, &latest.id).await;
        let new = new.map_err(|e| self.error(e))?;
        Ok(format!(
            "retried the latest {environment} deployment of {project}, {}, with the new values: {}",
            latest.describe(),
            new.describe()
        ))
    }
}
