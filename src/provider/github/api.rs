//! A typed client for the GitHub Actions secrets and variables endpoints,
//! of a repository (`/repos/{owner}/{repo}/actions/…`) or of one of its
//! deployment environments (`/repos/{owner}/{repo}/environments/{name}/…`):
//! docs.github.com/rest/actions/secrets and docs.github.com/rest/actions/variables
//! (API version 2022-11-28).
//!
//! - Lists are paged (`per_page`, `page`): up to 100 secrets a page, up to
//!   30 variables; each answer says `total_count`.
//! - Secret values never come back; a secret is written sealed to the
//!   scope's public key (`GET …/secrets/public-key` → `{key_id, key}`), as
//!   `PUT …/secrets/{name}` `{encrypted_value, key_id}` (201 created, 204
//!   updated) — see [`super::seal`].
//! - Variables are plain text: `POST …/variables` `{name, value}` (201),
//!   `PATCH …/variables/{name}` (204); deletes answer 204.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::provider::credentials::Login;
use crate::provider::http::{self, Call, Client, Exposed, HttpError, Policy};
use envctl_core::secret::Secret;

/// GitHub's API; a GitHub Enterprise Server's is `https://HOST/api/v3`.
pub const DEFAULT_URL: &str = "https://api.github.com";
pub const URL_VAR: &str = "ENVCTL_GITHUB_API_URL";
/// The names GitHub Actions and the `gh` CLI read, in `gh`'s order.
pub const TOKEN_VAR: &str = "GITHUB_TOKEN";
pub const GH_TOKEN_VAR: &str = "GH_TOKEN";

/// The token and API envctl uses for GitHub targets.
pub const LOGIN: Login = Login {
    var: TOKEN_VAR,
    fallback_vars: &[GH_TOKEN_VAR],
    platform: "github",
    label: "GitHub token",
    create_at: "https://github.com/settings/personal-access-tokens for the repository, with Secrets and Variables (and Environments, for an environment) read and write; a classic token needs the `repo` scope",
    url_var: URL_VAR,
    default_url: DEFAULT_URL,
};

/// The largest pages GitHub serves: 100 secrets, 30 variables.
const SECRETS_PER_PAGE: usize = 100;
const VARIABLES_PER_PAGE: usize = 30;
/// A bound on paging (GitHub allows 100 secrets and 500 variables a scope).
const MAX_PAGES: usize = 100;

/// One secret as listed: its name and when it last changed (RFC 3339, in
/// GitHub's clock); never its value.
#[derive(Debug, Clone, Deserialize)]
pub struct SecretEntry {
    pub name: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// One variable as listed. `Debug` leaves the value out; it is zeroed on
/// drop.
#[derive(Clone, Deserialize)]
pub struct VariableEntry {
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub updated_at: Option<String>,
}

impl std::fmt::Debug for VariableEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VariableEntry")
            .field("name", &self.name)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl Drop for VariableEntry {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.value.zeroize();
    }
}

/// The scope's public key for sealing secrets: `key` is a base64
/// Curve25519 public key, `key_id` names it in the PUT.
#[derive(Debug, Clone, Deserialize)]
pub struct PublicKey {
    pub key_id: String,
    pub key: String,
}

/// A list, and GitHub's clock minus this machine's when it answered the
/// first page (`None` without a `Date`).
#[derive(Debug)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub skew_ms: Option<i64>,
}

/// One page of a list: `{total_count, secrets: […]}` or
/// `{total_count, variables: […]}`.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(default)]
    total_count: Option<usize>,
    #[serde(alias = "secrets", alias = "variables")]
    items: Vec<T>,
}

#[derive(Debug, Clone)]
pub struct Api {
    http: Client,
    /// `/repos/{owner}/{repo}/actions` or
    /// `/repos/{owner}/{repo}/environments/{name}`: where `secrets` and
    /// `variables` are.
    scope: String,
}

impl Api {
    /// `repository` is `OWNER/REPO` (checked when loading).
    pub fn new(
        base: &str,
        token: Secret,
        repository: &str,
        environment: Option<&str>,
        policy: Policy,
    ) -> Result<Api, String> {
        let (owner, repo) = repository
            .split_once('/')
            .ok_or_else(|| format!("`{repository}` is not OWNER/REPO"))?;
        let repo_path = format!("/repos/{}/{}", http::encode(owner), http::encode(repo));
        // An environment's name is one path segment: a `/` in it is sent
        // as `%2F` (docs.github.com/rest/actions/secrets, `environment_name`).
        let scope = match environment {
            Some(env) => format!("{repo_path}/environments/{}", http::encode(env)),
            None => format!("{repo_path}/actions"),
        };
        Ok(Api {
            http: Client::new(&super::dialect::DIALECT, base, token, policy)?,
            scope,
        })
    }

    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    /// Every secret of the scope, names and update times.
    pub async fn secrets(&self) -> Result<Listed<SecretEntry>, HttpError> {
        self.list(
            "list the Actions secrets",
            "GET secrets",
            "secrets",
            SECRETS_PER_PAGE,
        )
        .await
    }

    /// Every variable of the scope, with its value.
    pub async fn variables(&self) -> Result<Listed<VariableEntry>, HttpError> {
        self.list(
            "list the Actions variables",
            "GET variables",
            "variables",
            VARIABLES_PER_PAGE,
        )
        .await
    }

    async fn list<T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        endpoint: &'static str,
        kind: &str,
        per_page: usize,
    ) -> Result<Listed<T>, HttpError> {
        let mut items = Vec::new();
        let mut skew_ms = None;
        for page in 1..=MAX_PAGES {
            let call = Call::new(
                operation,
                Method::GET,
                endpoint,
                format!("{}/{kind}", self.scope),
            )
            .query("per_page", per_page.to_string())
            .query("page", page.to_string());
            let asked = crate::provider::now_ms();
            let reply = self.http.send(&call).await?;
            if page == 1 {
                // `Date` has whole seconds; half the round trip is noise.
                let mid = (asked + crate::provider::now_ms()) / 2;
                skew_ms = reply.date_ms.map(|server| server - mid);
            }
            let listed: Page<T> = reply.parse(&call, URL_VAR)?;
            let got = listed.items.len();
            items.extend(listed.items);
            if got < per_page || listed.total_count.is_some_and(|t| items.len() >= t) {
                return Ok(Listed { items, skew_ms });
            }
        }
        let call = Call::new(operation, Method::GET, endpoint, self.scope.clone());
        Err(self.http.refusal(
            &call,
            200,
            None,
            &format!("more than {MAX_PAGES} pages of {kind}; envctl stopped reading"),
        ))
    }

    /// The scope's public key, to seal secrets with.
    pub async fn public_key(&self) -> Result<PublicKey, HttpError> {
        let call = Call::new(
            "read the public key for secrets",
            Method::GET,
            "GET secrets/public-key",
            format!("{}/secrets/public-key", self.scope),
        );
        self.http.send(&call).await?.parse(&call, URL_VAR)
    }

    /// Creates or replaces a secret with a value sealed to `key_id`.
    pub async fn put_secret(
        &self,
        name: &str,
        sealed: &Secret,
        key_id: &str,
    ) -> Result<(), HttpError> {
        #[derive(Serialize)]
        struct Body<'a> {
            encrypted_value: &'a str,
            key_id: &'a str,
        }
        let mut exposed = Exposed::default();
        let body = Body {
            encrypted_value: exposed.expose(sealed),
            key_id,
        };
        let call = Call::new(
            "write an Actions secret",
            Method::PUT,
            "PUT secrets/{name}",
            format!("{}/secrets/{}", self.scope, http::encode(name)),
        )
        .json_bytes(to_json(&body), exposed);
        self.http.send(&call).await.map(drop)
    }

    pub async fn delete_secret(&self, name: &str) -> Result<(), HttpError> {
        let call = Call::new(
            "delete an Actions secret",
            Method::DELETE,
            "DELETE secrets/{name}",
            format!("{}/secrets/{}", self.scope, http::encode(name)),
        );
        self.http.send(&call).await.map(drop)
    }

    /// Creates a variable (`exists: false`) or updates one.
    pub async fn put_variable(
        &self,
        name: &str,
        value: &Secret,
        exists: bool,
    ) -> Result<(), HttpError> {
        #[derive(Serialize)]
        struct Body<'a> {
            name: &'a str,
            value: &'a str,
        }
        let mut exposed = Exposed::default();
        let body = Body {
            name,
            value: exposed.expose(value),
        };
        let call = if exists {
            Call::new(
                "update an Actions variable",
                Method::PATCH,
                "PATCH variables/{name}",
                format!("{}/variables/{}", self.scope, http::encode(name)),
            )
        } else {
            Call::new(
                "create an Actions variable",
                Method::POST,
                "POST variables",
                format!("{}/variables", self.scope),
            )
        };
        let call = call.json_bytes(to_json(&body), exposed);
        self.http.send(&call).await.map(drop)
    }

    pub async fn delete_variable(&self, name: &str) -> Result<(), HttpError> {
        let call = Call::new(
            "delete an Actions variable",
            Method::DELETE,
            "DELETE variables/{name}",
            format!("{}/variables/{}", self.scope, http::encode(name)),
        );
        self.http.send(&call).await.map(drop)
    }
}

/// A body of string fields as JSON, zeroed on drop.
fn to_json<T: Serialize>(body: &T) -> Zeroizing<Vec<u8>> {
    // Structs of strings always serialise; an empty body would be refused
    // by GitHub as invalid rather than sent with a value in it.
    Zeroizing::new(serde_json::to_vec(body).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_and_debug_hides_values() {
        let page: Page<VariableEntry> = serde_json::from_str(
            r#"{"total_count":1,"variables":[{"name":"A","value":"canary-plain","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-02T00:00:00Z"}]}"#,
        )
        .unwrap();
        assert_eq!(page.total_count, Some(1));
        assert_eq!(page.items[0].value, "canary-plain");
        assert!(!format!("{:?}", page.items).contains("canary"));
        let page: Page<SecretEntry> = serde_json::from_str(
            r#"{"total_count":2,"secrets":[{"name":"A","created_at":"x","updated_at":"2026-01-02T00:00:00Z"},{"name":"B"}]}"#,
        )
        .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[1].updated_at, None);
    }

    #[test]
    fn scopes_are_the_repository_or_an_environment() {
        let api = |env| {
            Api::new(
                "http://127.0.0.1:1",
                Secret::new("t".into()),
                "huddle-app/huddle",
                env,
                Policy::default(),
            )
            .unwrap()
            .scope
        };
        assert_eq!(api(None), "/repos/huddle-app/huddle/actions");
        assert_eq!(
            api(Some("staging/eu")),
            "/repos/huddle-app/huddle/environments/staging%2Feu"
        );
    }
}
