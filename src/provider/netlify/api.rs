//! A typed client for the slice of Netlify's API envctl uses
//! (open-api.netlify.com; `netlify/open-api` `swagger.yml`): sites, and a
//! site's environment variables under its account
//! (`/accounts/{account_id}/env…?site_id=`; `account_id` is the account's
//! id or slug, as netlify-cli sends it).
//!
//! - `GET /sites/{site_id}` and `GET /sites?name=` (a substring filter,
//!   paged with `page` and `per_page`) find the site and its account.
//! - `GET …/env?site_id=` lists every variable with all its values; one
//!   request, whatever their number.
//! - `POST …/env` creates a list of variables (201); `PATCH …/env/{key}`
//!   `{context, context_parameter?, value}` sets one context's value
//!   (201); `PUT …/env/{key}` replaces a variable and all its values
//!   (200); `DELETE …/env/{key}` and `…/env/{key}/value/{id}` answer 204.
//! - `POST /sites/{site_id}/builds` starts a build of the production branch.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::context::Value as NewValue;
use crate::provider::credentials::Login;
use crate::provider::http::{self, Call, Client, Exposed, HttpError, Policy};
use envctl_core::secret::Secret;

pub const DEFAULT_URL: &str = "https://api.netlify.com/api/v1";
pub const URL_VAR: &str = "ENVCTL_NETLIFY_API_URL";
/// The name netlify-cli reads.
pub const TOKEN_VAR: &str = "NETLIFY_AUTH_TOKEN";

/// The token and API envctl uses for Netlify targets.
pub const LOGIN: Login = Login {
    var: TOKEN_VAR,
    fallback_vars: &[],
    platform: "netlify",
    label: "Netlify token",
    create_at: "https://app.netlify.com/user/applications#personal-access-tokens (a personal access token of a member of the site's team who may edit its environment variables)",
    url_var: URL_VAR,
    default_url: DEFAULT_URL,
};

/// Sites a page when envctl looks a site up by name (Netlify's maximum
/// `per_page` is 100).
const PER_PAGE: usize = 100;
/// A bound on paging through sites that match a name.
const MAX_PAGES: usize = 50;

/// A site as `GET /sites…` describes it (the fields envctl reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Site {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub account_slug: Option<String>,
}

/// One variable as listed. `Debug` leaves its values out.
#[derive(Clone, Deserialize)]
pub struct EnvVar {
    pub key: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub values: Vec<EnvValue>,
    #[serde(default)]
    pub is_secret: bool,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One context's value. `Debug` leaves the value out; zeroed on drop.
#[derive(Clone, Deserialize)]
pub struct EnvValue {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub value: String,
    pub context: String,
    #[serde(default)]
    pub context_parameter: Option<String>,
}

impl std::fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvVar")
            .field("key", &self.key)
            .field("scopes", &self.scopes)
            .field("values", &self.values)
            .field("is_secret", &self.is_secret)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl std::fmt::Debug for EnvValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvValue")
            .field("id", &self.id)
            .field("context", &self.context)
            .field("context_parameter", &self.context_parameter)
            .finish_non_exhaustive()
    }
}

impl Drop for EnvValue {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.value.zeroize();
    }
}

/// A build Netlify started.
#[derive(Debug, Clone, Deserialize)]
pub struct Build {
    pub id: String,
    #[serde(default)]
    pub deploy_id: Option<String>,
}

/// A list, and Netlify's clock minus this machine's when it answered
/// (`None` without a `Date`).
#[derive(Debug)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub skew_ms: Option<i64>,
}

/// A variable to create.
#[derive(Debug)]
pub struct NewVar<'a> {
    pub key: &'a str,
    pub is_secret: bool,
    pub scopes: Option<Vec<String>>,
    pub values: Vec<NewValue>,
}

#[derive(Debug, Clone)]
pub struct Api {
    http: Client,
}

impl Api {
    pub fn new(base: &str, token: Secret, policy: Policy) -> Result<Api, String> {
        Ok(Api {
            http: Client::new(&super::dialect::DIALECT, base, token, policy)?,
        })
    }

    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    /// The site with this id.
    pub async fn site(&self, id: &str) -> Result<Site, HttpError> {
        let call = Call::new(
            "read the site",
            Method::GET,
            "GET sites/{site_id}",
            format!("/sites/{}", http::encode(id)),
        );
        self.http.send(&call).await?.parse(&call, URL_VAR)
    }

    /// The site named exactly `name` among those the token sees (in
    /// `account` when given), reading every page Netlify's substring
    /// match gives.
    pub async fn find_site(
        &self,
        name: &str,
        account: Option<&str>,
    ) -> Result<Option<Site>, HttpError> {
        let (path, endpoint) = match account {
            Some(a) => (format!("/{}/sites", http::encode(a)), "GET {account}/sites"),
            None => ("/sites".to_string(), "GET sites"),
        };
        for page in 1..=MAX_PAGES {
            let call = Call::new("find the site", Method::GET, endpoint, path.clone())
                .query("name", name)
                .query("page", page.to_string())
                .query("per_page", PER_PAGE.to_string());
            let call = match account {
                Some(_) => call,
                None => call.query("filter", "all"),
            };
            let reply = self.http.send(&call).await?;
            let sites: Vec<Site> = reply.parse(&call, URL_VAR)?;
            let full = sites.len() >= PER_PAGE;
            if let Some(site) = sites.into_iter().find(|s| s.name == name) {
                return Ok(Some(site));
            }
            // Netlify's `Link` names the next page; without one, a full
            // page may have one after it.
            if !reply.more && !full {
                return Ok(None);
            }
        }
        Ok(None)
    }

    /// Every variable of the site, with all its values.
    pub async fn env(&self, account: &str, site: &str) -> Result<Listed<EnvVar>, HttpError> {
        let call = Call::new(
            "list the environment variables",
            Method::GET,
            "GET accounts/{account_id}/env",
            format!("/accounts/{}/env", http::encode(account)),
        )
        .query("site_id", site);
        let asked = crate::provider::now_ms();
        let reply = self.http.send(&call).await?;
        let mid = (asked + crate::provider::now_ms()) / 2;
        let skew_ms = reply.date_ms.map(|server| server - mid);
        let items = reply.parse(&call, URL_VAR)?;
        Ok(Listed { items, skew_ms })
    }

    /// Creates variables, all in one request.
    pub async fn create(
        &self,
        account: &str,
        site: &str,
        vars: &[NewVar<'_>],
    ) -> Result<(), HttpError> {
        let mut exposed = Exposed::default();
        let body: Vec<Value> = vars
            .iter()
            .map(|v| {
                let mut var = Map::new();
                var.insert("key".into(), json!(v.key));
                var.insert("is_secret".into(), json!(v.is_secret));
                if let Some(scopes) = &v.scopes {
                    var.insert("scopes".into(), json!(scopes));
                }
                var.insert("values".into(), values(&v.values, &mut exposed));
                Value::Object(var)
            })
            .collect();
        let call = Call::new(
            "create environment variables",
            Method::POST,
            "POST accounts/{account_id}/env",
            format!("/accounts/{}/env", http::encode(account)),
        )
        .query("site_id", site)
        .json_bytes(to_json(&Value::Array(body)), exposed);
        self.http.send(&call).await.map(drop)
    }

    /// Sets one context's value of an existing variable.
    pub async fn set_value(
        &self,
        account: &str,
        site: &str,
        key: &str,
        value: &NewValue,
    ) -> Result<(), HttpError> {
        let mut exposed = Exposed::default();
        let body = one_value(value, &mut exposed);
        let call = self
            .key_call(
                "set a value",
                Method::PATCH,
                "PATCH env/{key}",
                account,
                key,
            )
            .query("site_id", site)
            .json_bytes(to_json(&body), exposed);
        self.http.send(&call).await.map(drop)
    }

    /// Replaces a variable and all its values.
    pub async fn replace(
        &self,
        account: &str,
        site: &str,
        key: &str,
        is_secret: bool,
        scopes: &[String],
        new: &[NewValue],
    ) -> Result<(), HttpError> {
        let mut exposed = Exposed::default();
        let body = json!({
            "key": key,
            "is_secret": is_secret,
            "scopes": scopes,
            "values": values(new, &mut exposed),
        });
        let call = self
            .key_call(
                "rewrite a variable",
                Method::PUT,
                "PUT env/{key}",
                account,
                key,
            )
            .query("site_id", site)
            .json_bytes(to_json(&body), exposed);
        self.http.send(&call).await.map(drop)
    }

    pub async fn delete(&self, account: &str, site: &str, key: &str) -> Result<(), HttpError> {
        let call = self
            .key_call(
                "delete a variable",
                Method::DELETE,
                "DELETE env/{key}",
                account,
                key,
            )
            .query("site_id", site);
        self.http.send(&call).await.map(drop)
    }

    /// Deletes one context's value (its `id`) of a variable.
    pub async fn delete_value(
        &self,
        account: &str,
        site: &str,
        key: &str,
        id: &str,
    ) -> Result<(), HttpError> {
        let call = Call::new(
            "delete a value",
            Method::DELETE,
            "DELETE env/{key}/value/{id}",
            format!(
                "/accounts/{}/env/{}/value/{}",
                http::encode(account),
                http::encode(key),
                http::encode(id)
            ),
        )
        .query("site_id", site);
        self.http.send(&call).await.map(drop)
    }

    /// Starts a build (and deploy) of the site's production branch.
    pub async fn build(&self, site: &str) -> Result<Build, HttpError> {
        let call = Call::new(
            "start a build",
            Method::POST,
            "POST sites/{site_id}/builds",
            format!("/sites/{}/builds", http::encode(site)),
        )
        .json(&json!({}));
        self.http.send(&call).await?.parse(&call, URL_VAR)
    }

    fn key_call(
        &self,
        operation: &str,
        method: Method,
        endpoint: &'static str,
        account: &str,
        key: &str,
    ) -> Call {
        Call::new(
            operation,
            method,
            endpoint,
            format!(
                "/accounts/{}/env/{}",
                http::encode(account),
                http::encode(key)
            ),
        )
    }
}

/// Values as Netlify's `envVarValue` objects, their plaintext recorded in
/// `exposed`.
fn values(values: &[NewValue], exposed: &mut Exposed) -> Value {
    Value::Array(values.iter().map(|v| one_value(v, exposed)).collect())
}

fn one_value(v: &NewValue, exposed: &mut Exposed) -> Value {
    let mut out = Map::new();
    out.insert("context".into(), json!(v.context));
    if let Some(p) = &v.context_parameter {
        out.insert("context_parameter".into(), json!(p));
    }
    out.insert("value".into(), json!(exposed.expose(&v.value)));
    Value::Object(out)
}

/// A body as JSON bytes, zeroed on drop.
fn to_json(body: &Value) -> Zeroizing<Vec<u8>> {
    // A `Value` always serialises.
    Zeroizing::new(serde_json::to_vec(body).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_parse_and_debug_hides_values() {
        let vars: Vec<EnvVar> = serde_json::from_str(
            r#"[{"key":"A","scopes":["builds"],"is_secret":false,"updated_at":"2026-01-02T00:00:00Z",
                "values":[{"id":"v1","value":"canary-plain","context":"production"},
                          {"id":"v2","value":"x","context":"branch","context_parameter":"staging"}]}]"#,
        )
        .unwrap();
        assert_eq!(vars[0].values[0].value, "canary-plain");
        assert_eq!(
            vars[0].values[1].context_parameter.as_deref(),
            Some("staging")
        );
        let shown = format!("{vars:?}");
        assert!(!shown.contains("canary"), "{shown}");
        assert!(shown.contains("staging"), "{shown}");
    }

    #[test]
    fn bodies_carry_contexts_and_record_what_they_expose() {
        let mut exposed = Exposed::default();
        let body = values(
            &[NewValue {
                context: "branch".into(),
                context_parameter: Some("staging".into()),
                value: Secret::new("canary-v".into()),
            }],
            &mut exposed,
        );
        assert_eq!(
            body,
            json!([{"context": "branch", "context_parameter": "staging", "value": "canary-v"}])
        );
        assert_eq!(exposed.len(), 1);
    }
}
