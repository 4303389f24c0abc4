//! After an apply wrote to Vercel: builds read variables at build time, so
//! running deployments keep the old values until redeployed; `--redeploy`
//! redeploys production.

use super::VercelProvider;
use crate::provider::ProviderError;

impl VercelProvider {
    /// What to tell after this target changed (`env`: the environment's
    /// name, for the command to run), redeploying production first when
    /// `redeploy` asks.
    pub async fn after_apply(
        &self,
        env: &str,
        redeploy: bool,
    ) -> Result<Option<String>, ProviderError> {
        if !self.needs_redeploy() {
            return Ok(None);
        }
        Ok(Some(if redeploy && self.is_production() {
            match self.redeploy().await? {
                Some(url) => format!("redeploying production with the new values: {url}"),
                None => "no production deployment to redeploy yet".to_string(),
            }
        } else if self.is_production() {
            format!(
                "the running production deployment keeps the old values until it is redeployed; run `envctl apply {env} --redeploy`, or redeploy from the Vercel dashboard"
            )
        } else {
            "preview deployments keep the old values until the branch is deployed again (push a commit, or redeploy from the Vercel dashboard)".to_string()
        }))
    }
}
