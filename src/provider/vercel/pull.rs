//! A target's decrypted values in one request: `GET
//! /v3/env/pull/{project}/{target}[/{gitBranch}]`, what `vercel env pull`
//! reads (the Vercel CLI's `pullEnvRecords`). The answer is `{env: {KEY:
//! value}}`: every value a deployment of that target gets, a branch's
//! records over the target's; `sensitive` values come as `""`. envctl asks
//! it for the `encrypted` records it has no tag for, instead of one `GET`
//! by id per record.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use zeroize::Zeroize;

use super::api::{Api, URL_VAR};
use super::scope::Scope;
use crate::provider::http::{self, Call, HttpError};
use envctl_core::secret::Secret;

/// The values a pull answered, zeroed when dropped.
#[derive(Default, Deserialize)]
pub(super) struct Pulled {
    #[serde(default)]
    env: BTreeMap<String, String>,
}

impl Drop for Pulled {
    fn drop(&mut self) {
        self.env.values_mut().for_each(Zeroize::zeroize);
    }
}

impl Pulled {
    /// The value of `key`, taken out.
    pub(super) fn take(&mut self, key: &str) -> Option<Secret> {
        self.env.remove(key).map(|mut value| {
            let secret = Secret::new(value.clone());
            value.zeroize();
            secret
        })
    }
}

impl Api {
    /// Every value `scope` gets (a custom environment by its slug, as
    /// `vercel env pull --environment <slug>` asks), in one request.
    pub(super) async fn pull(&self, project: &str, scope: &Scope) -> Result<Pulled, HttpError> {
        let mut path = format!("/v3/env/pull/{}", http::encode(project));
        match scope {
            Scope::Target { name, branch } => {
                path.push('/');
                path.push_str(&http::encode(name));
                if let Some(branch) = branch {
                    path.push('/');
                    path.push_str(&http::encode(branch));
                }
            }
            Scope::Custom { slug, .. } => {
                path.push('/');
                path.push_str(&http::encode(slug));
            }
        }
        let call = self.scoped(Call::new(
            "read the target's environment variables",
            Method::GET,
            "GET env/pull",
            path,
        ));
        let mut reply = self.http.send(&call).await?;
        let pulled = reply.parse(&call, URL_VAR);
        // The raw answer holds every decrypted value of the target.
        reply.body.zeroize();
        pulled
    }
}

#[cfg(test)]
mod tests {
    use super::Pulled;

    #[test]
    fn a_pull_gives_each_value_once() {
        let mut pulled: Pulled =
            serde_json::from_str(r#"{"env":{"A":"canary-a","B":""},"buildEnv":{}}"#).unwrap();
        assert_eq!(
            pulled.take("A").map(|s| s.expose().to_string()).as_deref(),
            Some("canary-a")
        );
        assert!(pulled.take("A").is_none());
        assert_eq!(pulled.take("B").map(|s| s.expose().len()), Some(0));
        assert!(pulled.take("C").is_none());
    }
}
