//! After an apply wrote to Netlify: builds and functions take their
//! variables when a deploy is built ("Changes will require a redeploy to
//! take effect", netlify-cli), so the published deploy keeps the old
//! values until the site is built again; `--redeploy` starts a build of
//! the production branch (`POST /sites/{site_id}/builds`).

use super::NetlifyProvider;
use super::context::Context;
use super::hints::Need;
use crate::provider::ProviderError;

impl NetlifyProvider {
    /// What to tell after this target changed (`env`: the environment's
    /// name, for the command to run), starting a production build first
    /// when `redeploy` asks.
    pub async fn after_apply(
        &self,
        env: &str,
        redeploy: bool,
    ) -> Result<Option<String>, ProviderError> {
        let context = &self.context;
        Ok(Some(match (context, redeploy) {
            (Context::Dev, _) => return Ok(None),
            (Context::Production, true) => {
                let site = self.locate().await?;
                let build = self.api.build(&site.site_id).await;
                let build = build.map_err(|e| self.error(Need::Build, e))?;
                match build.deploy_id {
                    Some(deploy) => format!(
                        "started a production build of {} with the new values: build {}, deploy {deploy}",
                        self.site, build.id
                    ),
                    None => format!(
                        "started a production build of {} with the new values: build {}",
                        self.site, build.id
                    ),
                }
            }
            (Context::Production, false) => format!(
                "the published production deploy keeps the old values until the site is built again; run `envctl apply {env} --redeploy`, or Deploys › Trigger deploy in the Netlify UI"
            ),
            (_, true) => format!(
                "--redeploy builds only production; deploys of the {} context keep the old values until they are built again (push a commit, or retry the deploy in the Netlify UI)",
                self.describe_context()
            ),
            (_, false) => format!(
                "deploys of the {} context keep the old values until they are built again (push a commit, or retry the deploy in the Netlify UI)",
                self.describe_context()
            ),
        }))
    }

    fn describe_context(&self) -> String {
        match self.context.wire() {
            (_, Some(branch)) => format!("branch:{branch}"),
            (name, None) => name.to_string(),
        }
    }
}
