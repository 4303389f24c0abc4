//! The seam to the places variables live. Each provider reads a snapshot of
//! live state and applies a list of writes; the set of providers is closed,
//! so an enum dispatches (no boxed async traits).
//!
//! A provider keeps no state between the two: what apply needs from the
//! read (Vercel's record ids, Cloudflare's config hash and secrets record,
//! each platform's clock skew) travels in the snapshot as [`Handles`], and
//! apply is given the snapshot it was planned from.
//!
//! Supabase, Vercel and Cloudflare plug in here.

pub mod cloudflare;
pub mod conformance;
pub mod dotenv;
pub mod memory;
pub mod supabase;
pub mod vercel;

use std::fmt;

use crate::config::{Environment, SpecOf, Target, TargetSpec, Workspace};
pub use envctl_core::model::{
    AppliedMigration, Handles, LiveFunction, LiveValue, Snapshot, Write, deletes, sets,
};

impl Provider {
    /// The same provider, asked for values where the platform gives them
    /// rather than for what tells a change (Vercel tags): for `import`.
    pub fn reading_values(self) -> Provider {
        match self {
            Provider::Vercel(v) => Provider::Vercel(v.reading_values()),
            other => other,
        }
    }
}

/// How far a platform's clock and envctl's may disagree when envctl
/// compares the time it recorded a write with the time the platform says
/// something last changed.
pub const CLOCK_TOLERANCE_MS: i64 = 120_000;

/// This machine's clock, in ms since the epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A duration for people: `90 s`, `12 min`, `5 h`, `3 days`.
pub(crate) fn ago(ms: i64) -> String {
    let s = ms.abs() / 1000;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        7200..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

/// An apply that stopped: the indices of the writes that were done (not
/// always a prefix: batches and concurrent deploys finish out of order),
/// and why it stopped.
#[derive(Debug, Clone)]
pub struct ApplyFailure {
    pub done: Vec<usize>,
    pub error: ProviderError,
    /// Stopped because it was asked to ([`Stop`]), not by a failure.
    pub interrupted: bool,
    /// Declared keys that had a value before this apply and have none now:
    /// what a failure in the middle of a multi-request change left behind
    /// (empty unless a step *and* its undo both failed).
    /// (A boxed slice keeps the `Err` of every `apply` small.)
    pub left_without: Box<[String]>,
}

impl ApplyFailure {
    /// Stopped by `error` after the writes in `done` (any order).
    pub fn after(done: &[usize], error: ProviderError) -> ApplyFailure {
        let mut done = done.to_vec();
        done.sort_unstable();
        ApplyFailure {
            done,
            error,
            interrupted: false,
            left_without: Box::default(),
        }
    }

    /// Nothing was done.
    pub fn nothing(error: ProviderError) -> ApplyFailure {
        ApplyFailure::after(&[], error)
    }

    /// Stopped on request after the writes in `done`.
    pub fn stopped(target: &str, done: &[usize]) -> ApplyFailure {
        ApplyFailure {
            interrupted: true,
            ..ApplyFailure::after(done, Stop::error(target))
        }
    }
}

/// A request to stop an apply (Ctrl-C, SIGTERM). Providers look at it
/// between requests, never inside a step that must finish to keep a value
/// served, so what was sent is finished and what was not is not begun.
#[derive(Debug, Clone, Default)]
pub struct Stop(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Stop {
    pub fn new() -> Stop {
        Stop::default()
    }

    pub fn request(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn requested(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// What an apply stopped on request says.
    pub fn error(target: &str) -> ProviderError {
        ProviderError {
            target: target.to_string(),
            operation: "apply".into(),
            message: "stopped by SIGINT or SIGTERM; the request in flight was finished and nothing more was sent".into(),
        }
    }
}

/// A provider failure: which target, doing what, and why. Never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub target: String,
    pub operation: String,
    pub message: String,
}

impl ProviderError {
    /// A platform call that failed, with what the user can do about it
    /// (`hint`, empty when the platform's own message says it all).
    pub fn from_http(
        target: &str,
        project: &str,
        error: crate::http::HttpError,
        hint: &str,
    ) -> ProviderError {
        let message = if hint.is_empty() {
            format!("project {project}: {error}")
        } else {
            format!("project {project}: {error}\n  help: {hint}")
        };
        ProviderError {
            target: target.to_string(),
            operation: error.operation,
            message,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "target {}: {}: {}",
            self.target, self.operation, self.message
        )
    }
}

#[derive(Debug, Clone)]
pub enum Provider {
    Memory(memory::MemoryProvider),
    Dotenv(dotenv::DotenvProvider),
    Supabase(supabase::SupabaseProvider),
    Vercel(vercel::VercelProvider),
    Cloudflare(cloudflare::CloudflareProvider),
}

impl Provider {
    /// The provider for a configured target. Credentials are looked up
    /// here, so a missing token stops the run before anything is read.
    pub fn for_target(
        ws: &Workspace,
        env: &Environment,
        target: &Target,
    ) -> Result<Provider, crate::Error> {
        let root = &ws.root;
        let Some(spec) = target.spec() else {
            return Err(crate::Error::Usage(format!(
                "target {}: not a target envctl can connect to",
                target.name
            )));
        };
        match spec {
            TargetSpec::Dotenv { path, .. } => Ok(Provider::Dotenv(dotenv::DotenvProvider::new(
                &target.name,
                root.join(path),
                path,
            ))),
            TargetSpec::Supabase { project_ref, .. } => {
                let api = supabase::SupabaseProvider::api_from_env().map_err(|message| {
                    crate::Error::Provider(ProviderError {
                        target: target.name.clone(),
                        operation: "authenticate".into(),
                        message,
                    })
                })?;
                let provider = supabase::SupabaseProvider::new(
                    &target.name,
                    project_ref,
                    api,
                    root.clone(),
                    &ws.paths.functions,
                    env.migrations.is_some(),
                );
                Ok(Provider::Supabase(
                    match env
                        .migrations
                        .as_ref()
                        .and_then(|m| m.database_url.as_ref())
                    {
                        Some(reference) => provider.with_database(
                            crate::migrate::Database::open(
                                reference,
                                root,
                                &crate::keyring::secret_account(
                                    &ws.project,
                                    &env.name,
                                    "migrations.database_url",
                                ),
                            )
                            .map_err(|message| {
                                crate::Error::Provider(ProviderError {
                                    target: target.name.clone(),
                                    operation: "migrations.database_url".into(),
                                    message,
                                })
                            })?,
                        ),
                        None => provider,
                    },
                ))
            }
            TargetSpec::Vercel {
                project,
                team,
                target: vercel_target,
                git_branch,
                ..
            } if matches!(
                vercel_target.as_str(),
                "production" | "preview" | "development"
            ) =>
            {
                let api =
                    vercel::VercelProvider::api_from_env(team.as_deref()).map_err(|message| {
                        crate::Error::Provider(ProviderError {
                            target: target.name.clone(),
                            operation: "authenticate".into(),
                            message,
                        })
                    })?;
                Ok(Provider::Vercel(vercel::VercelProvider::new(
                    &target.name,
                    project,
                    vercel_target,
                    git_branch.as_deref(),
                    secret_names(env, target),
                    api,
                )))
            }
            TargetSpec::Cloudflare {
                project,
                environment,
                account_id,
                database_id,
                migrations_table,
                ..
            } => {
                let api = cloudflare::CloudflareProvider::api_from_env(account_id.as_deref())
                    .map_err(|message| {
                        crate::Error::Provider(ProviderError {
                            target: target.name.clone(),
                            operation: "authenticate".into(),
                            message,
                        })
                    })?;
                let d1 = database_id.as_ref().map(|id| cloudflare::D1 {
                    database_id: id.clone(),
                    table: migrations_table
                        .clone()
                        .unwrap_or_else(|| crate::config::files::D1_MIGRATIONS_TABLE.to_string()),
                });
                Ok(Provider::Cloudflare(cloudflare::CloudflareProvider::new(
                    &target.name,
                    project,
                    environment,
                    secret_names(env, target),
                    api,
                    d1,
                )))
            }
            TargetSpec::Vercel { target: custom, .. } => Err(crate::Error::NotImplemented {
                what: format!(
                    "the Vercel custom environment `{custom}` (target `{}`)",
                    target.name
                ),
                hint: "use `target: production`, `preview` (with `git_branch`) or `development`"
                    .to_string(),
            }),
        }
    }

    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        match self {
            Provider::Memory(p) => Ok(p.read()),
            Provider::Dotenv(p) => p.read(),
            Provider::Supabase(p) => p.read().await,
            Provider::Vercel(p) => p.read().await,
            Provider::Cloudflare(p) => p.read().await,
        }
    }

    /// Performs the writes planned from `live` (this provider's read); on
    /// failure, says which were done.
    pub async fn apply(&self, live: &Snapshot, writes: &[Write]) -> Result<(), ApplyFailure> {
        self.apply_until(live, writes, &Stop::new()).await
    }

    /// Performs the writes planned from `live`, stopping between requests
    /// once `stop` is requested; on failure or stop, says which were done.
    pub async fn apply_until(
        &self,
        live: &Snapshot,
        writes: &[Write],
        stop: &Stop,
    ) -> Result<(), ApplyFailure> {
        let target = match self {
            Provider::Memory(_) => "memory".to_string(),
            Provider::Dotenv(p) => p.target_name().to_string(),
            Provider::Supabase(p) => p.target_name().to_string(),
            Provider::Vercel(p) => p.target_name().to_string(),
            Provider::Cloudflare(p) => p.target_name().to_string(),
        };
        // Memory, dotenv and Cloudflare write in one step: all or nothing.
        if stop.requested() {
            return Err(ApplyFailure::stopped(&target, &[]));
        }
        match self {
            Provider::Memory(p) => p.apply(writes),
            Provider::Dotenv(p) => p.apply(writes),
            Provider::Supabase(p) => p.apply(writes, stop).await,
            Provider::Vercel(p) => p.apply(live, writes, stop).await,
            Provider::Cloudflare(p) => p.apply(live, writes).await,
        }
    }
}

/// The variables a target receives that are declared as secret references:
/// what a platform with a write-only kind stores that way.
fn secret_names(env: &Environment, target: &Target) -> std::collections::BTreeSet<String> {
    env.variables
        .values()
        .filter(|v| v.is_secret() && v.targets.contains(&target.name))
        .map(|v| v.name.clone())
        .collect()
}
