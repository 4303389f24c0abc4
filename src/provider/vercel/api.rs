//! A typed client for Vercel's project environment variables: list,
//! batch create/upsert, edit, batch delete, read one decrypted, read a
//! target's decrypted values at once (`pull.rs`); and the project's custom
//! environments. Shapes follow
//! Vercel's REST API (`filterProjectEnvs`, `createProjectEnv`,
//! `editProjectEnv`, `batchRemoveProjectEnv`, `getProjectEnv`, "Retrieve
//! custom environments"). Deployments are in `deploys.rs`.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::provider::credentials::Login;
use crate::provider::http::{self, Call, Client, HttpError, Policy};
use envctl_core::secret::Secret;

pub const DEFAULT_URL: &str = "https://api.vercel.com";
pub const URL_VAR: &str = "ENVCTL_VERCEL_API_URL";
pub const TOKEN_VAR: &str = "VERCEL_TOKEN";

/// The token and API envctl uses for Vercel targets.
pub const LOGIN: Login = Login {
    var: TOKEN_VAR,
    fallback_vars: &[],
    platform: "vercel",
    label: "Vercel token",
    create_at: "https://vercel.com/account/tokens",
    url_var: URL_VAR,
    default_url: DEFAULT_URL,
};

/// One environment variable record as listed. `value` is plaintext only
/// for `plain`; ciphertext or empty otherwise. `Debug` leaves it out.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    #[serde(default)]
    pub id: String,
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "one_or_many")]
    pub target: Vec<String>,
    #[serde(default)]
    pub git_branch: Option<String>,
    #[serde(default)]
    pub custom_environment_ids: Vec<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub decrypted: Option<bool>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Record")
            .field("id", &self.id)
            .field("key", &self.key)
            .field("kind", &self.kind)
            .field("target", &self.target)
            .field("git_branch", &self.git_branch)
            .field("updated_at", &self.updated_at)
            .finish_non_exhaustive()
    }
}

impl Drop for Record {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(v) = self.value.as_mut() {
            v.zeroize();
        }
    }
}

/// `target` comes as an array, or as a single string.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        None(()),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
        OneOrMany::None(()) => Vec::new(),
    })
}

/// A record to create (or update, with upsert).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRecord<'a> {
    pub key: &'a str,
    pub value: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub target: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_branch: Option<&'a str>,
    /// A custom environment's record goes there, with no `target`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub custom_environment_ids: Vec<&'a str>,
    pub comment: String,
}

/// One of a project's custom environments.
#[derive(Debug, Clone, Deserialize)]
pub struct CustomEnvironment {
    pub id: String,
    pub slug: String,
    /// `production`, `preview` or `development`: which kind of deployment
    /// it is.
    #[serde(rename = "type", default)]
    pub kind: String,
}

/// A per-key refusal inside a successful batch answer.
#[derive(Debug, Clone)]
pub struct Refused {
    pub key: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub(super) http: Client,
    team: Option<String>,
}

impl Api {
    /// `team` is a team id (`team_…`) or slug; `None` for a personal account.
    pub fn new(
        base: &str,
        token: Secret,
        team: Option<String>,
        policy: Policy,
    ) -> Result<Api, String> {
        Ok(Api {
            http: Client::new(&super::dialect::DIALECT, base, token, policy)?,
            team,
        })
    }

    pub fn requests_sent(&self) -> u64 {
        self.http.requests_sent()
    }

    pub(super) fn scoped(&self, call: Call) -> Call {
        match &self.team {
            Some(team) if team.starts_with("team_") => call.query("teamId", team.clone()),
            Some(team) => call.query("slug", team.clone()),
            None => call,
        }
    }

    fn env_path(project: &str, version: u8, rest: &str) -> String {
        format!("/v{version}/projects/{}/env{rest}", http::encode(project))
    }

    /// Every record `filter` selects (`target=…`, `gitBranch=…`,
    /// `customEnvironmentId=…`); and Vercel's clock (its `Date`), when it
    /// sent one. The v10 list documents no `limit` and the Vercel CLI
    /// reads one answer, so this asks once; a `pagination.next` cursor, if
    /// Vercel ever sends one, is still followed.
    pub async fn list(
        &self,
        project: &str,
        filter: &[(&'static str, String)],
    ) -> Result<(Vec<Record>, Option<i64>), HttpError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            envs: Vec<Record>,
            #[serde(default)]
            pagination: Option<Pagination>,
        }
        #[derive(Deserialize)]
        struct Pagination {
            next: Option<i64>,
        }
        let mut out = Vec::new();
        let mut until: Option<i64> = None;
        loop {
            let mut call = Call::new(
                "list environment variables",
                Method::GET,
                "GET env",
                Self::env_path(project, 10, ""),
            );
            for (name, value) in filter {
                call = call.query(name, value.clone());
            }
            if let Some(cursor) = until {
                call = call.query("until", cursor.to_string());
            }
            let call = self.scoped(call);
            let reply = self.http.send(&call).await?;
            let page: Page = reply.parse(&call, URL_VAR)?;
            out.extend(page.envs);
            match page.pagination.and_then(|p| p.next) {
                // A cursor that does not move would loop forever.
                Some(next) if Some(next) != until => until = Some(next),
                _ => return Ok((out, reply.date_ms)),
            }
        }
    }

    /// The decrypted value of one record; `None` if Vercel will not say.
    pub async fn read_value(&self, project: &str, id: &str) -> Result<Option<Secret>, HttpError> {
        let call = self.scoped(Call::new(
            "read an environment variable",
            Method::GET,
            "GET env/{id}",
            Self::env_path(project, 1, &format!("/{}", http::encode(id))),
        ));
        let record: Record = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(match (&record.value, record.decrypted) {
            (Some(v), Some(true)) => Some(Secret::new(v.clone())),
            (Some(v), None) if record.kind == "plain" => Some(Secret::new(v.clone())),
            _ => None,
        })
    }

    /// Creates (or, with `upsert`, updates records of exactly the same
    /// scope) in one request. Refusals of single keys come back in the
    /// answer, not as an error.
    pub async fn create(
        &self,
        project: &str,
        records: &[NewRecord<'_>],
    ) -> Result<Vec<Refused>, HttpError> {
        #[derive(Deserialize)]
        struct Created {
            #[serde(default)]
            failed: Vec<Failed>,
        }
        #[derive(Deserialize)]
        struct Failed {
            error: FailedError,
        }
        #[derive(Deserialize)]
        struct FailedError {
            #[serde(default)]
            code: String,
            #[serde(default)]
            message: String,
            #[serde(default)]
            key: Option<String>,
            #[serde(default, rename = "envVarKey")]
            env_var_key: Option<String>,
        }
        let body = Zeroizing::new(serde_json::to_vec(records).expect("records serialise"));
        // The values were exposed by the caller, into `records`.
        let mut exposed = http::Exposed::default();
        records.iter().for_each(|r| exposed.record(r.value));
        let call = self.scoped(
            Call::new(
                "create environment variables",
                Method::POST,
                "POST env",
                Self::env_path(project, 10, ""),
            )
            .query("upsert", "true")
            .json_bytes(body, exposed),
        );
        let created: Created = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        // A refusal's words are the platform's, and may quote the value.
        let scrubber = self.http.scrubber(&call);
        Ok(created
            .failed
            .into_iter()
            .map(|f| Refused {
                key: f.error.key.or(f.error.env_var_key),
                code: scrubber.text(&f.error.code, http::MAX_CODE),
                message: scrubber.text(&f.error.message, http::MAX_MESSAGE),
            })
            .collect())
    }

    /// Changes the targets (and, when given, the custom environments) of
    /// a record: to split a shared one, or undo that.
    pub async fn set_scope(
        &self,
        project: &str,
        id: &str,
        key: &str,
        targets: &[String],
        custom: Option<&[String]>,
    ) -> Result<(), HttpError> {
        let mut body = serde_json::json!({ "target": targets });
        if let Some(custom) = custom {
            body["customEnvironmentIds"] = serde_json::json!(custom);
        }
        let call = self.scoped(
            Call::new(
                format!("split {key} from a shared record"),
                Method::PATCH,
                "PATCH env/{id}",
                Self::env_path(project, 9, &format!("/{}", http::encode(id))),
            )
            .json(&body),
        );
        self.http.send(&call).await.map(drop)
    }

    /// Rewrites a record's comment only: its value, type and targets stay.
    /// Vercel's edit takes every field as optional.
    pub async fn set_comment(
        &self,
        project: &str,
        id: &str,
        key: &str,
        comment: &str,
    ) -> Result<(), HttpError> {
        let call = self.scoped(
            Call::new(
                format!("tag {key} (comment only)"),
                Method::PATCH,
                "PATCH env/{id}",
                Self::env_path(project, 9, &format!("/{}", http::encode(id))),
            )
            .json(&serde_json::json!({ "comment": comment })),
        );
        self.http.send(&call).await.map(drop)
    }

    /// The project's custom environments (one request).
    pub async fn custom_environments(
        &self,
        project: &str,
    ) -> Result<Vec<CustomEnvironment>, HttpError> {
        #[derive(Deserialize)]
        struct List {
            #[serde(default)]
            environments: Vec<CustomEnvironment>,
        }
        let call = self.scoped(Call::new(
            "read the project's custom environments",
            Method::GET,
            "GET custom-environments",
            format!("/v9/projects/{}/custom-environments", http::encode(project)),
        ));
        let list: List = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(list.environments)
    }

    pub async fn delete(&self, project: &str, ids: &[&str]) -> Result<(), HttpError> {
        let call = self.scoped(
            Call::new(
                "delete environment variables",
                Method::DELETE,
                "DELETE env",
                Self::env_path(project, 1, ""),
            )
            .json(&serde_json::json!({ "ids": ids })),
        );
        self.http.send(&call).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::Record;

    #[test]
    fn records_parse_either_target_shape_and_debug_hides_the_value() {
        let r: Record = serde_json::from_str(
            r#"{"id":"a","key":"K","value":"canary-plain","type":"plain","target":"production"}"#,
        )
        .unwrap();
        assert_eq!(r.target, ["production"]);
        assert!(!format!("{r:?}").contains("canary"));
        let r: Record = serde_json::from_str(
            r#"{"key":"K","type":"encrypted","target":["preview","development"]}"#,
        )
        .unwrap();
        assert_eq!(r.target.len(), 2);
    }
}
