//! A typed client for the parts of the Supabase Management API envctl uses:
//! Edge Function secrets, Edge Functions, and the migration history.
//! Shapes follow Supabase's OpenAPI description (`v1-list-all-secrets`,
//! `v1-bulk-create-secrets`, `v1-deploy-a-function`, …).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::provider::credentials::Login;
use crate::provider::http::{self, Call, Client, HttpError, Part, Policy};
use envctl_core::secret::{Fingerprint, Secret};

pub const DEFAULT_URL: &str = "https://api.supabase.com";
pub const URL_VAR: &str = "ENVCTL_SUPABASE_API_URL";
pub const TOKEN_VAR: &str = "SUPABASE_ACCESS_TOKEN";

/// The token and API envctl uses for Supabase targets.
pub const LOGIN: Login = Login {
    var: TOKEN_VAR,
    fallback_vars: &[],
    platform: "supabase",
    label: "Supabase access token",
    create_at: "https://supabase.com/dashboard/account/tokens",
    url_var: URL_VAR,
    default_url: DEFAULT_URL,
};

/// One secret as listed: its name and the digest Supabase reports.
#[derive(Debug, Clone)]
pub struct SecretDigest {
    pub name: String,
    /// hex(sha256(value)); `None` if the API sent something else.
    pub digest: Option<Fingerprint>,
    /// `updated_at` (RFC 3339) in ms, when the API sends it.
    pub updated_ms: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FunctionInfo {
    pub slug: String,
    #[serde(default)]
    pub name: String,
    pub status: String,
    #[serde(default)]
    pub version: i64,
    /// Supabase leaves it out for old functions; its default is `true`.
    #[serde(default = "yes")]
    pub verify_jwt: bool,
    #[serde(default)]
    pub updated_at: i64,
    /// Where the server keeps the entrypoint (a `file://` URL).
    #[serde(default)]
    pub entrypoint_path: Option<String>,
}

fn yes() -> bool {
    true
}

/// The files of one function, as deploy sends them.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub entrypoint_path: String,
    pub import_map_path: Option<String>,
    /// (path relative to the project root, contents)
    pub files: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub(super) http: Client,
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

    pub(super) fn path(project: &str, rest: &str) -> String {
        format!("/v1/projects/{}{rest}", http::encode(project))
    }

    pub async fn list_secrets(&self, project: &str) -> Result<Vec<SecretDigest>, HttpError> {
        #[derive(Deserialize)]
        struct Item {
            name: String,
            value: String,
            #[serde(default)]
            updated_at: Option<String>,
        }
        let call = Call::new(
            "list secrets",
            Method::GET,
            "GET secrets",
            Self::path(project, "/secrets"),
        );
        let items: Vec<Item> = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(items
            .into_iter()
            .map(|i| SecretDigest {
                digest: Fingerprint::from_hex(&i.value),
                updated_ms: i.updated_at.as_deref().and_then(http::parse_rfc3339),
                name: i.name,
            })
            .collect())
    }

    /// One request for every secret: `POST` is an upsert.
    pub async fn upsert_secrets(
        &self,
        project: &str,
        secrets: &[(&str, &Secret)],
    ) -> Result<(), HttpError> {
        #[derive(Serialize)]
        struct Item<'a> {
            name: &'a str,
            value: &'a str,
        }
        let mut exposed = http::Exposed::default();
        let items: Vec<Item> = secrets
            .iter()
            .map(|(name, value)| Item {
                name,
                value: exposed.expose(value),
            })
            .collect();
        let body = Zeroizing::new(serde_json::to_vec(&items).expect("secrets serialise"));
        let call = Call::new(
            "set secrets",
            Method::POST,
            "POST secrets",
            Self::path(project, "/secrets"),
        )
        .json_bytes(body, exposed);
        self.http.send(&call).await.map(drop)
    }

    pub async fn delete_secrets(&self, project: &str, names: &[&str]) -> Result<(), HttpError> {
        let call = Call::new(
            "delete secrets",
            Method::DELETE,
            "DELETE secrets",
            Self::path(project, "/secrets"),
        )
        .json(&serde_json::json!(names));
        self.http.send(&call).await.map(drop)
    }

    pub async fn list_functions(&self, project: &str) -> Result<Vec<FunctionInfo>, HttpError> {
        let call = Call::new(
            "list functions",
            Method::GET,
            "GET functions",
            Self::path(project, "/functions"),
        );
        self.http.send(&call).await?.parse(&call, URL_VAR)
    }

    /// `None` when the function does not exist.
    pub async fn get_function(
        &self,
        project: &str,
        slug: &str,
    ) -> Result<Option<FunctionInfo>, HttpError> {
        let call = Call::new(
            format!("get function {slug}"),
            Method::GET,
            "GET function",
            Self::path(project, &format!("/functions/{}", http::encode(slug))),
        );
        match self.http.send(&call).await {
            Ok(reply) => reply.parse(&call, URL_VAR).map(Some),
            Err(e) if e.failure == http::Failure::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates or updates a function from its source files; Supabase
    /// bundles them.
    pub async fn deploy_function(
        &self,
        project: &str,
        slug: &str,
        verify_jwt: bool,
        bundle: &Bundle,
    ) -> Result<(), HttpError> {
        let mut metadata = serde_json::json!({
            "entrypoint_path": bundle.entrypoint_path,
            "name": slug,
            "verify_jwt": verify_jwt,
        });
        if let Some(import_map) = &bundle.import_map_path {
            metadata["import_map_path"] = serde_json::json!(import_map);
        }
        let mut parts = vec![Part {
            name: "metadata",
            filename: None,
            content_type: "application/json",
            bytes: serde_json::to_vec(&metadata).expect("metadata serialises"),
        }];
        parts.extend(bundle.files.iter().map(|(path, bytes)| Part {
            name: "file",
            filename: Some(path.clone()),
            content_type: "application/octet-stream",
            bytes: bytes.clone(),
        }));
        let call = Call::new(
            format!("deploy function {slug}"),
            Method::POST,
            "POST deploy",
            Self::path(project, "/functions/deploy"),
        )
        .query("slug", slug)
        .multipart(parts);
        self.http.send(&call).await.map(drop)
    }

    /// The deployed source files (`Accept: multipart/form-data` asks the
    /// server to unbundle them); `None` when the function does not exist.
    pub async fn function_body(
        &self,
        project: &str,
        slug: &str,
    ) -> Result<Option<Vec<u8>>, HttpError> {
        let call = Call::new(
            format!("read function {slug}'s code"),
            Method::GET,
            "GET function body",
            Self::path(project, &format!("/functions/{}/body", http::encode(slug))),
        )
        .accept("multipart/form-data");
        match self.http.send(&call).await {
            Ok(reply) => Ok(Some(reply.body)),
            Err(e) if e.failure == http::Failure::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn update_verify_jwt(
        &self,
        project: &str,
        slug: &str,
        verify_jwt: bool,
    ) -> Result<(), HttpError> {
        let call = Call::new(
            format!("update function {slug}"),
            Method::PATCH,
            "PATCH function",
            Self::path(project, &format!("/functions/{}", http::encode(slug))),
        )
        .json(&serde_json::json!({ "verify_jwt": verify_jwt }));
        self.http.send(&call).await.map(drop)
    }

    pub async fn delete_function(&self, project: &str, slug: &str) -> Result<(), HttpError> {
        let call = Call::new(
            format!("delete function {slug}"),
            Method::DELETE,
            "DELETE function",
            Self::path(project, &format!("/functions/{}", http::encode(slug))),
        );
        match self.http.send(&call).await {
            // Already gone is what we wanted.
            Err(e) if e.failure == http::Failure::NotFound => Ok(()),
            other => other.map(drop),
        }
    }

    /// Applied migration versions, in order. The history endpoint is only
    /// open to some OAuth apps, so when it is refused the same table is
    /// read through the SQL endpoint; a missing table means none applied.
    pub async fn applied_migrations(&self, project: &str) -> Result<Vec<String>, HttpError> {
        #[derive(Deserialize)]
        struct Row {
            version: String,
        }
        let call = Call::new(
            "list migrations",
            Method::GET,
            "GET migrations",
            Self::path(project, "/database/migrations"),
        );
        let rows: Vec<Row> = match self.http.send(&call).await {
            Ok(reply) => reply.parse(&call, URL_VAR)?,
            Err(e)
                if matches!(
                    e.failure,
                    http::Failure::Forbidden | http::Failure::NotFound
                ) =>
            {
                crate::log::debug(|| {
                    format!("migration history endpoint refused ({e}); reading the table instead")
                });
                let query = Call::new(
                    "read migration history",
                    Method::POST,
                    "POST query",
                    Self::path(project, "/database/query"),
                )
                .json(&serde_json::json!({
                    "query": "SELECT version, name FROM supabase_migrations.schema_migrations ORDER BY version",
                    "read_only": true,
                }));
                match self.http.send(&query).await {
                    Ok(reply) => reply.parse(&query, URL_VAR)?,
                    Err(e) if e.failure == http::Failure::Rejected && missing_table(&e) => {
                        Vec::new()
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let mut versions: Vec<String> = rows.into_iter().map(|r| r.version).collect();
        versions.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        Ok(versions)
    }
}

/// Postgres `undefined_table` (42P01), as the SQL endpoint reports it.
fn missing_table(e: &HttpError) -> bool {
    e.message.contains("42P01") || e.message.contains("does not exist")
}
