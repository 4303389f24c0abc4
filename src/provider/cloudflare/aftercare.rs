//! After an apply wrote to Cloudflare Pages: variables are bound to a
//! deployment when it is made, so running deployments keep the old values;
//! envctl does not deploy Pages (`--redeploy` covers other platforms).

use super::CloudflareProvider;

impl CloudflareProvider {
    /// What to tell after this target changed; `redeployed_elsewhere`:
    /// `--redeploy` was given, and these are the platforms it covers.
    pub fn after_apply(&self, redeployed_elsewhere: Option<&str>) -> String {
        format!(
            "running {} deployments keep the old values until the next deployment (`wrangler pages deploy`, or retry the latest deployment in the dashboard){}",
            if self.is_production() {
                "production"
            } else {
                "preview"
            },
            match redeployed_elsewhere {
                Some(covered) => format!("; --redeploy covers {covered} only"),
                None => String::new(),
            }
        )
    }
}
