//! The Supabase target: a project's Edge Function secrets, its Edge
//! Functions, and its migration head, over the Management API.
//!
//! Secrets are compared by digest: Supabase lists hex(sha256(value)), never
//! the plaintext, which is exactly a [`Fingerprint`](envctl_core::secret::Fingerprint).
//! A plan costs one request per list (secrets, functions, migrations),
//! whatever their number, and one per live function with a local folder
//! to compare its deployed code (`deployed`); an apply sends one upsert and one delete for all
//! secrets, then deploys functions a few at a time.

pub mod api;
mod apply;
pub mod auth;
pub mod buckets;
pub mod bundle;
pub mod checks;
mod config;
mod connect;
pub mod database;
mod deployed;
pub mod detect;
pub mod dialect;
pub mod files;
mod hints;
pub mod project;
pub mod settings;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{AppliedMigration, ErrorKind, LiveFunction, LiveValue, ProviderError, Snapshot};
use crate::provider::http::HttpError;
use api::Api;
pub use connect::connect;
use database::Database;
pub use settings::Settings;

/// Names Supabase reserves; they show up in lists and are never ours.
pub const RESERVED_PREFIX: &str = "SUPABASE_";

/// How many function deploys run at once.
const DEPLOY_CONCURRENCY: usize = 4;

#[derive(Debug, Clone)]
pub struct SupabaseProvider {
    target: String,
    project_ref: String,
    api: Api,
    root: PathBuf,
    functions_dir: String,
    read_migrations: bool,
    /// `migrations.database_url`: the history is read there, not through
    /// the Management API, and `apply --migrations` writes there.
    database: Option<Arc<Database>>,
    /// The settings (Auth URLs, buckets) a read asks for.
    reads: config::Reads,
    /// `migrations.history`: another runner's table holds the history.
    history: Option<database::history::Source>,
}

impl SupabaseProvider {
    pub fn new(
        target: &str,
        project_ref: &str,
        api: Api,
        root: PathBuf,
        functions_dir: &str,
        read_migrations: bool,
    ) -> SupabaseProvider {
        SupabaseProvider {
            target: target.to_string(),
            project_ref: project_ref.to_string(),
            api,
            root,
            functions_dir: functions_dir.to_string(),
            read_migrations,
            database: None,
            reads: config::Reads::default(),
            history: None,
        }
    }

    /// Reads (and migrates) the history in this database directly, from
    /// the table of `history`'s runner when there is one.
    pub fn with_database(
        self,
        database: Database,
        history: Option<database::history::Source>,
    ) -> SupabaseProvider {
        SupabaseProvider {
            database: Some(Arc::new(database)),
            history,
            ..self
        }
    }

    /// The runner whose table holds the history, when not the Supabase
    /// CLI's.
    pub fn history(&self) -> Option<&database::history::Source> {
        self.history.as_ref()
    }

    pub fn database(&self) -> Option<&Database> {
        self.database.as_deref()
    }

    pub fn requests_sent(&self) -> u64 {
        self.api.requests_sent()
    }

    /// Secrets, functions and (when the environment pins a head) migrations,
    /// read at once.
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        let project = self.project_ref.as_str();
        let (secrets, functions, migrations, settings) = tokio::join!(
            self.api.list_secrets(project),
            self.api.list_functions(project),
            self.migrations(),
            self.live_settings()
        );
        let settings = settings?;
        let secrets = secrets.map_err(|e| self.error(e, "secrets:read"))?;
        let functions = functions.map_err(|e| self.error(e, "edge_functions:read"))?;
        let (migrations, mut warnings) = migrations?;
        let (variables, updated_ms) = live_secrets(secrets, &mut warnings);
        let changed = self.changed_sources(&functions, &mut warnings).await?;
        let (functions, mut versions) = live_functions(functions, &changed, &mut warnings);
        versions.extend(settings_versions(&settings));
        Ok(Snapshot {
            variables,
            functions: Some(functions),
            migrations,
            warnings,
            versions,
            updated_ms,
            handles: super::Handles::none(),
            settings,
            ..Snapshot::default()
        })
    }

    /// The applied migrations, when the environment pins a head: from the
    /// database when `migrations.database_url` is set, else through the
    /// Management API.
    async fn migrations(
        &self,
    ) -> Result<(Option<Vec<AppliedMigration>>, Vec<String>), ProviderError> {
        let failed = |message| {
            ProviderError::new(
                &self.target,
                "read migration history",
                ErrorKind::Database,
                message,
            )
        };
        let listed = match (&self.database, self.read_migrations, &self.history) {
            (_, false, _) => Ok(None),
            (Some(db), true, Some(source)) => {
                let applied = db.runner_history(source).await.map_err(failed)?;
                let live = database::history::as_live(&applied);
                return Ok((Some(live), applied.warnings));
            }
            (Some(db), true, None) => db
                .history()
                .await
                .map(|rows| {
                    Some(
                        rows.into_iter()
                            .map(|r| AppliedMigration {
                                version: r.version,
                                statements: r.statements,
                            })
                            .collect(),
                    )
                })
                .map_err(failed),
            (None, true, _) => self
                .api
                .applied_migrations(&self.project_ref)
                .await
                .map(|versions| Some(versions.into_iter().map(AppliedMigration::from).collect()))
                .map_err(|e| self.error(e, "database:read")),
        };
        listed.map(|m| (m, Vec::new()))
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// An HTTP failure in the user's terms: what to do about it.
    fn error(&self, e: HttpError, permission: &str) -> ProviderError {
        hints::error(&self.target, &self.project_ref, e, permission)
    }
}

/// The listed secrets as live values (never `SUPABASE_*`, which Supabase
/// keeps for itself), and when each was last updated.
fn live_secrets(
    secrets: Vec<api::SecretDigest>,
    warnings: &mut Vec<String>,
) -> (BTreeMap<String, LiveValue>, BTreeMap<String, i64>) {
    let mut variables = BTreeMap::new();
    let mut updated_ms = BTreeMap::new();
    for s in secrets {
        if s.name.starts_with(RESERVED_PREFIX) {
            continue;
        }
        if let Some(ms) = s.updated_ms {
            updated_ms.insert(s.name.clone(), ms);
        }
        let live = match s.digest {
            Some(d) => LiveValue::Digest(d),
            None => {
                warnings.push(format!(
                    "secret {} was listed without a SHA-256 digest; its value cannot be compared",
                    s.name
                ));
                LiveValue::Unreadable
            }
        };
        variables.insert(s.name, live);
    }
    (variables, updated_ms)
}

/// The listed functions that serve (a throttled one is a warning), how
/// many files of each differ from the local source, and their versions.
fn live_functions(
    functions: Vec<api::FunctionInfo>,
    changed: &BTreeMap<String, usize>,
    warnings: &mut Vec<String>,
) -> (BTreeMap<String, LiveFunction>, BTreeMap<String, String>) {
    let mut live = BTreeMap::new();
    let mut versions = BTreeMap::new();
    for f in functions {
        match f.status.as_str() {
            "REMOVED" => continue,
            "THROTTLED" => warnings.push(format!(
                "Edge Function {} is THROTTLED: it exceeded its plan's limits and may not serve requests",
                f.slug
            )),
            _ => {}
        }
        versions.insert(
            format!("function:{}", f.slug),
            format!(
                "version {} updated {} verify_jwt={}",
                f.version, f.updated_at, f.verify_jwt
            ),
        );
        let function = LiveFunction {
            verify_jwt: f.verify_jwt,
            changed_files: changed.get(&f.slug).copied(),
        };
        live.insert(f.slug, function);
    }
    (live, versions)
}

/// The settings read, as version tokens for saved plans.
fn settings_versions(settings: &envctl_core::model::LiveSettings) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(auth) = &settings.auth {
        out.insert(
            auth::SITE_URL.to_string(),
            auth.site_url.clone().unwrap_or_default(),
        );
        out.insert(
            auth::REDIRECT_URLS.to_string(),
            envctl_core::model::join_urls(&auth.redirect_urls),
        );
    }
    for (name, public) in settings.buckets.iter().flatten() {
        out.insert(format!("bucket:{name}"), format!("public={public}"));
    }
    out
}
