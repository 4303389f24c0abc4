//! Pages deployments, for `apply --redeploy`: the latest deployment of one
//! environment (`GET …/deployments?env=`, newest first) and a retry of it
//! (`POST …/deployments/{id}/retry`), which builds the same source again
//! with the environment's current variables.

use reqwest::Method;
use serde::Deserialize;

use super::api::Api;
use crate::provider::http::{self, Call, HttpError};

/// A deployment as listed (the part envctl names).
#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    pub id: String,
    #[serde(default)]
    pub short_id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub environment: Option<String>,
}

impl Deployment {
    /// `f64788e9 (https://f64788e9.web.pages.dev)`: the short id Cloudflare
    /// shows, and the URL.
    pub fn describe(&self) -> String {
        let id = self.short_id.as_deref().unwrap_or(&self.id);
        match &self.url {
            Some(url) => format!("{id} ({url})"),
            None => id.to_string(),
        }
    }
}

impl Api {
    /// The newest deployment of `project`'s `environment`, if any.
    pub async fn latest_deployment(
        &self,
        project: &str,
        environment: &str,
    ) -> Result<Option<Deployment>, HttpError> {
        let call = Call::new(
            "find the latest deployment",
            Method::GET,
            "GET pages/projects/{name}/deployments",
            format!("{}/deployments", self.project_path(project)),
        )
        .query("env", environment);
        let reply = self.http.send(&call).await?;
        let list: Vec<Deployment> = self.unwrap(&call, &reply)?;
        // Newest first; the environment is checked, not assumed.
        Ok(list
            .into_iter()
            .find(|d| d.environment.as_deref().is_none_or(|e| e == environment)))
    }

    /// Retries `deployment`: a new deployment of the same source, built
    /// with the environment's variables as they are now.
    pub async fn retry(&self, project: &str, deployment: &str) -> Result<Deployment, HttpError> {
        let call = Call::new(
            "retry the latest deployment",
            Method::POST,
            "POST pages/projects/{name}/deployments/{id}/retry",
            format!(
                "{}/deployments/{}/retry",
                self.project_path(project),
                http::encode(deployment)
            ),
        )
        .json(&serde_json::json!({}));
        let reply = self.http.send(&call).await?;
        self.unwrap(&call, &reply)
    }
}
