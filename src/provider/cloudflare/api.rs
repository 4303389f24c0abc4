//! A typed client for the Cloudflare v4 endpoints envctl uses: a Pages
//! project (read, and its environment variables patched with merge
//! semantics), a D1 database's query endpoint (to read the migration
//! history), and, for `--redeploy`, the project's deployments
//! (`deploys.rs`). Every answer comes in the v4 envelope
//! `{success, result, errors: [{code, message}], messages}`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::provider::credentials::Login;
use crate::provider::http::{self, Call, Client, HttpError, Policy, Reply};
use envctl_core::secret::Secret;

pub const DEFAULT_URL: &str = "https://api.cloudflare.com/client/v4";
pub const URL_VAR: &str = "ENVCTL_CLOUDFLARE_API_URL";
/// The names wrangler reads.
pub const TOKEN_VAR: &str = "CLOUDFLARE_API_TOKEN";
pub const ACCOUNT_VAR: &str = "CLOUDFLARE_ACCOUNT_ID";

/// The token and API envctl uses for Cloudflare targets.
pub const LOGIN: Login = Login {
    var: TOKEN_VAR,
    fallback_vars: &[],
    platform: "cloudflare",
    label: "Cloudflare API token",
    create_at: "https://dash.cloudflare.com/profile/api-tokens with Account › Cloudflare Pages › Edit, and D1 › Edit for a D1 database",
    url_var: URL_VAR,
    default_url: DEFAULT_URL,
};

/// `type` of a Pages environment variable.
pub const PLAIN: &str = "plain_text";
pub const SECRET: &str = "secret_text";

/// One environment variable as read. `value` is the plaintext for
/// `plain_text`; for `secret_text` Cloudflare never returns the value
/// (wrangler lists such entries as "Value Encrypted"). `Debug` leaves the
/// value out, and it is zeroed on drop.
#[derive(Clone, Deserialize)]
pub struct EnvVar {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub value: Option<String>,
}

impl std::fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvVar")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Drop for EnvVar {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(v) = self.value.as_mut() {
            v.zeroize();
        }
    }
}

/// One deployment environment's configuration (the part envctl reads).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeploymentConfig {
    /// A key whose entry is `null` has no value.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub env_vars: BTreeMap<String, Option<EnvVar>>,
    /// Set when the project is configured from a wrangler file; wrangler
    /// echoes it in every PATCH, and so does envctl.
    #[serde(default)]
    pub wrangler_config_hash: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<EnvVar>>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Deserialize)]
pub struct Project {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub deployment_configs: BTreeMap<String, Option<DeploymentConfig>>,
    /// When anything in the project last changed (RFC 3339), where the
    /// API reports it: how envctl's record of its secrets is checked.
    #[serde(default)]
    pub modified_on: Option<String>,
    /// Cloudflare's clock when it answered (its `Date`), if it said.
    #[serde(skip)]
    pub server_ms: Option<i64>,
}

impl Project {
    /// The configuration of `environment`; empty when the project has none.
    pub fn config(&self, environment: &str) -> DeploymentConfig {
        self.deployment_configs
            .get(environment)
            .cloned()
            .flatten()
            .unwrap_or_default()
    }
}

/// One change of a PATCH: a value to set, or `None` to delete the key.
#[derive(Debug)]
pub struct Change<'a> {
    pub name: &'a str,
    pub set: Option<(&'static str, &'a Secret)>,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub(super) http: Client,
    account: String,
}

/// The v4 envelope.
#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    errors: Vec<ApiMessage>,
    result: Option<T>,
}

#[derive(Deserialize)]
struct ApiMessage {
    #[serde(default)]
    code: serde_json::Value,
    #[serde(default)]
    message: String,
}

impl Api {
    pub fn new(base: &str, token: Secret, account: &str, policy: Policy) -> Result<Api, String> {
        Ok(Api {
            http: Client::new(&super::dialect::DIALECT, base, token, policy)?,
            account: account.to_string(),
        })
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    pub(super) fn project_path(&self, project: &str) -> String {
        format!(
            "/accounts/{}/pages/projects/{}",
            http::encode(&self.account),
            http::encode(project)
        )
    }

    /// The project, with every deployment environment's variables.
    pub async fn project(&self, project: &str) -> Result<Project, HttpError> {
        let call = Call::new(
            "read the Pages project",
            Method::GET,
            "GET pages/projects/{name}",
            self.project_path(project),
        );
        let reply = self.http.send(&call).await?;
        let mut project: Project = self.unwrap(&call, &reply)?;
        project.server_ms = reply.date_ms;
        Ok(project)
    }

    /// Sets and deletes variables of one deployment environment in one
    /// request. Keys not listed are left as they are (merge semantics).
    /// `records` are envctl's record variables of other environments,
    /// rewritten in the same request.
    pub async fn patch_env_vars(
        &self,
        project: &str,
        environment: &str,
        changes: &[Change<'_>],
        wrangler_config_hash: Option<&str>,
        records: &[(&str, &Secret)],
    ) -> Result<(), HttpError> {
        #[derive(Serialize)]
        struct Var<'a> {
            #[serde(rename = "type")]
            kind: &'a str,
            value: &'a str,
        }
        #[derive(Serialize)]
        struct Config<'a> {
            env_vars: BTreeMap<&'a str, Option<Var<'a>>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            wrangler_config_hash: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Body<'a> {
            deployment_configs: BTreeMap<&'a str, Config<'a>>,
        }
        let mut exposed = http::Exposed::default();
        let env_vars = changes
            .iter()
            .map(|c| {
                let var = c.set.map(|(kind, value)| Var {
                    kind,
                    value: exposed.expose(value),
                });
                (c.name, var)
            })
            .collect();
        let mut deployment_configs = BTreeMap::from([(
            environment,
            Config {
                env_vars,
                wrangler_config_hash,
            },
        )]);
        for (env, record) in records {
            let var = Var {
                kind: PLAIN,
                value: exposed.expose(record),
            };
            deployment_configs.insert(
                env,
                Config {
                    env_vars: BTreeMap::from([(super::record::NAME, Some(var))]),
                    wrangler_config_hash: None,
                },
            );
        }
        let body = Body { deployment_configs };
        let bytes = Zeroizing::new(serde_json::to_vec(&body).expect("the body serialises"));
        let call = Call::new(
            "update the Pages project's environment variables",
            Method::PATCH,
            "PATCH pages/projects/{name}",
            self.project_path(project),
        )
        .json_bytes(bytes, exposed);
        let reply = self.http.send(&call).await?;
        // The answer is the updated project; only `success` matters here.
        self.envelope::<serde_json::Value>(&call, &reply).map(drop)
    }

    /// Runs one read-only statement on a D1 database; the rows of its
    /// result.
    pub async fn d1_query(
        &self,
        database_id: &str,
        sql: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, HttpError> {
        #[derive(Deserialize)]
        struct Statement {
            #[serde(default)]
            results: Vec<serde_json::Map<String, serde_json::Value>>,
        }
        let call = Call::new(
            "read the D1 migration history",
            Method::POST,
            "POST d1/database/{id}/query",
            format!(
                "/accounts/{}/d1/database/{}/query",
                http::encode(&self.account),
                http::encode(database_id)
            ),
        )
        .json(&serde_json::json!({ "sql": sql, "params": [] }));
        let reply = self.http.send(&call).await?;
        let statements: Vec<Statement> = self.unwrap(&call, &reply)?;
        Ok(statements
            .into_iter()
            .next()
            .map(|s| s.results)
            .unwrap_or_default())
    }
    /// Runs `sql` (one statement or several) on a D1 database with the
    /// body wrangler's `d1 execute --remote --command` sends, `{"sql": …}`;
    /// each statement's result. `once`: a migration, never sent twice.
    pub async fn d1_execute(
        &self,
        database_id: &str,
        sql: &str,
        operation: &str,
        once: bool,
    ) -> Result<Vec<D1Result>, HttpError> {
        let call = Call::new(
            operation,
            Method::POST,
            "POST d1/database/{id}/query",
            format!(
                "/accounts/{}/d1/database/{}/query",
                http::encode(&self.account),
                http::encode(database_id)
            ),
        )
        .json(&serde_json::json!({ "sql": sql }));
        let call = if once { call.once() } else { call };
        let reply = self.http.send(&call).await?;
        self.unwrap(&call, &reply)
    }
}

/// One statement's result from D1's query endpoint.
#[derive(Debug, Deserialize)]
pub struct D1Result {
    #[serde(default)]
    pub results: Vec<serde_json::Map<String, serde_json::Value>>,
    #[serde(default = "succeeded")]
    pub success: bool,
}

fn succeeded() -> bool {
    true
}

impl Api {
    /// The envelope's `result`, which must be there.
    pub(super) fn unwrap<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        reply: &Reply,
    ) -> Result<T, HttpError> {
        self.envelope(call, reply)?
            .ok_or_else(|| self.refused(call, reply, &[]))
    }

    /// The envelope's `result`, if any; an envelope that says
    /// `success: false` (even with a 2xx status) is an error with
    /// Cloudflare's code and message.
    fn envelope<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        reply: &Reply,
    ) -> Result<Option<T>, HttpError> {
        let envelope: Envelope<T> = reply.parse(call, URL_VAR)?;
        if envelope.success == Some(false) {
            return Err(self.refused(call, reply, &envelope.errors));
        }
        Ok(envelope.result)
    }

    /// Cloudflare's first error, scrubbed like any platform text: it may
    /// quote the request.
    fn refused(&self, call: &Call, reply: &Reply, errors: &[ApiMessage]) -> HttpError {
        let Some(first) = errors.first() else {
            return self.http.refusal(
                call,
                reply.status,
                None,
                "Cloudflare answered without a result",
            );
        };
        let code = super::dialect::code(&first.code);
        self.http
            .refusal(call, reply.status, code.as_deref(), &first.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_parse_null_configs_and_debug_hides_values() {
        let p: Project = serde_json::from_str(
            r#"{"name":"web","deployment_configs":{"production":{"env_vars":{"A":{"type":"plain_text","value":"canary-plain"},"B":{"type":"secret_text","value":""},"C":null}},"preview":{"env_vars":null}}}"#,
        )
        .unwrap();
        let prod = p.config("production");
        assert_eq!(prod.env_vars.len(), 3);
        assert!(prod.env_vars["C"].is_none());
        assert!(!format!("{prod:?}").contains("canary"));
        assert!(p.config("preview").env_vars.is_empty());
        assert!(p.config("nowhere").env_vars.is_empty());
    }
}
