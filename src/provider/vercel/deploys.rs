//! Vercel deployments, for `apply --redeploy`: find the latest deployment
//! of a target (`GET /v6/deployments`, newest first) and redeploy it
//! (`POST /v13/deployments` with its id, as `vercel redeploy` does), so a
//! build runs with the new values.

use reqwest::Method;
use serde::Deserialize;

use super::api::{Api, URL_VAR};
use crate::provider::http::{Call, HttpError};

/// How many of a project's newest deployments are searched for the latest
/// of a custom environment (the list cannot be filtered by one).
pub const CUSTOM_SEARCH: usize = 100;

/// Which deployments a redeploy looks among.
#[derive(Debug, Clone, Copy)]
pub enum Among<'a> {
    Production,
    /// Preview deployments of one git branch.
    Branch(&'a str),
    /// Deployments of a custom environment, by id.
    Custom(&'a str),
}

/// A deployment as listed.
#[derive(Debug, Clone, Deserialize)]
pub struct Deployment {
    pub uid: String,
    pub name: String,
    /// Host name, without the scheme; absent while it uploads.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default, rename = "customEnvironment")]
    pub custom_environment: Option<CustomRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CustomRef {
    pub id: String,
}

/// The deployment a redeploy made.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
}

impl Deployment {
    /// `dpl_… (https://host)`, or the id alone while it has no URL.
    pub fn describe(&self) -> String {
        describe(&self.uid, self.url.as_deref())
    }
}

impl Created {
    pub fn describe(&self) -> String {
        describe(&self.id, self.url.as_deref())
    }
}

fn describe(id: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!("{id} (https://{url})"),
        None => id.to_string(),
    }
}

impl Api {
    /// The newest deployment of `project` among `among`; `None` when there
    /// is none (for a custom environment: none among the newest
    /// [`CUSTOM_SEARCH`]).
    pub async fn latest_deployment(
        &self,
        project: &str,
        among: Among<'_>,
    ) -> Result<Option<Deployment>, HttpError> {
        #[derive(Deserialize)]
        struct List {
            #[serde(default)]
            deployments: Vec<Deployment>,
        }
        let call = Call::new(
            "find the latest deployment",
            Method::GET,
            "GET deployments",
            "/v6/deployments".to_string(),
        )
        .query("projectId", project);
        let call = match among {
            Among::Production => call.query("target", "production").query("limit", "1"),
            Among::Branch(branch) => call
                .query("target", "preview")
                .query("branch", branch)
                .query("limit", "1"),
            Among::Custom(_) => call.query("limit", CUSTOM_SEARCH.to_string()),
        };
        let call = self.scoped(call);
        let list: List = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(list.deployments.into_iter().find(|d| match among {
            Among::Custom(id) => d.custom_environment.as_ref().is_some_and(|c| c.id == id),
            _ => true,
        }))
    }

    /// Redeploys `from`, as `vercel redeploy` does: the same source, built
    /// again with the project's current variables. `target` is
    /// `production` for production (a preview has none); `custom` the
    /// custom environment's id for one of those.
    pub async fn redeploy(
        &self,
        from: &Deployment,
        target: Option<&str>,
        custom: Option<&str>,
    ) -> Result<Created, HttpError> {
        let mut body = serde_json::json!({
            "name": from.name,
            "deploymentId": from.uid,
            "meta": { "action": "redeploy" },
        });
        if let Some(target) = target {
            body["target"] = serde_json::json!(target);
        }
        if let Some(custom) = custom {
            body["customEnvironmentSlugOrId"] = serde_json::json!(custom);
        }
        let call = self.scoped(
            Call::new(
                "redeploy",
                Method::POST,
                "POST deployments",
                "/v13/deployments".to_string(),
            )
            .query("forceNew", "1")
            .json(&body),
        );
        self.http.send(&call).await?.parse(&call, URL_VAR)
    }
}
