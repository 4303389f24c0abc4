//! The project's Auth URL settings: `site_url` and the additional redirect
//! URLs (`uri_allow_list`, one comma-separated string), read with
//! `GET …/config/auth` and written with one `PATCH` holding only the
//! fields the environment declares (`v1-get-auth-service-config`,
//! `v1-update-auth-service-config`).

use reqwest::Method;
use serde::Deserialize;

use super::api::{Api, URL_VAR};
use crate::provider::http::{Call, HttpError};
use envctl_core::model::{LiveAuth, Write, split_urls};

/// The setting names plans use, as the Management API calls them.
pub const SITE_URL: &str = "auth.site_url";
pub const REDIRECT_URLS: &str = "auth.redirect_urls";

impl Api {
    pub async fn auth_urls(&self, project: &str) -> Result<LiveAuth, HttpError> {
        #[derive(Deserialize)]
        struct Config {
            site_url: Option<String>,
            uri_allow_list: Option<String>,
        }
        let call = Call::new(
            "read Auth settings",
            Method::GET,
            "GET config/auth",
            Self::path(project, "/config/auth"),
        );
        let config: Config = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(LiveAuth {
            site_url: config.site_url.filter(|s| !s.is_empty()),
            redirect_urls: split_urls(config.uri_allow_list.as_deref().unwrap_or("")),
        })
    }

    /// One `PATCH` with the settings among `writes`; nothing else is sent.
    pub async fn update_auth_urls(
        &self,
        project: &str,
        writes: &[&Write],
    ) -> Result<(), HttpError> {
        let mut body = serde_json::Map::new();
        for write in writes {
            if let Write::SetSetting { name, value } = write {
                let field = match name.as_str() {
                    SITE_URL => "site_url",
                    REDIRECT_URLS => "uri_allow_list",
                    _ => continue,
                };
                body.insert(field.to_string(), serde_json::json!(value));
            }
        }
        let call = Call::new(
            "update Auth settings",
            Method::PATCH,
            "PATCH config/auth",
            Self::path(project, "/config/auth"),
        )
        .json(&serde_json::Value::Object(body));
        self.http.send(&call).await.map(drop)
    }
}
