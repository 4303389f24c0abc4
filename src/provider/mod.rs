//! The seam to the places variables live. Each provider reads a snapshot of
//! live state and applies a list of writes; the set of providers is closed,
//! so an enum dispatches (no boxed async traits).
//!
//! A provider keeps no state between the two: what apply needs from the
//! read (Vercel's record ids, Cloudflare's config hash and secrets record,
//! each platform's clock skew) travels in the snapshot as [`Handles`], and
//! apply is given the snapshot it was planned from.
//!
//! Each platform lives in its own folder: its settings, the checks of its
//! settings and names, its API types and mapping, how it speaks HTTP
//! ([`http::Dialect`]) and its hints. The shared client ([`http`]) knows
//! no platform; tokens come from [`credentials`]. A platform registers
//! below: a [`Provider`] variant, its `Handles`, and one line in each of
//! [`check_target`], [`check_name`] and [`Provider::for_target`].

pub mod cloudflare;
pub mod conformance;
pub(crate) mod connect;
pub mod credentials;
pub mod detect;
pub mod dotenv;
mod error;
pub mod github;
pub mod http;
pub mod memory;
pub mod netlify;
mod registry;
pub mod supabase;
pub mod tls;
pub mod vercel;

use std::path::Path;

pub use connect::{ConnectError, Project};
use envctl_core::diagnostic::Diagnostic;
pub use envctl_core::model::{
    AppliedMigration, Handles, LiveFunction, LiveValue, Snapshot, Write, deletes, sets, tags,
};
use envctl_core::yaml::Pos;
pub use error::{Detail, ErrorKind, ProviderError};
pub use registry::{DETECTS, IMPORTS, Import, LOGINS, Settings, TargetSpec, quoted};
/// The environment's database, reached directly (`migrations.database_url`).
pub use supabase::database;
/// The local migration files, as the platform that applies them names them.
pub use supabase::files as local_migrations;
/// The project layout and the functions' rules of the platform that
/// holds the environment's functions and migrations.
pub use supabase::project as project_files;

impl Provider {
    /// The same provider, asked for values where the platform gives them
    /// rather than for what tells a change (Vercel tags), and for all it
    /// holds (a Supabase project's functions, migration head, Auth URLs
    /// and buckets): for `import`.
    pub fn reading_values(self) -> Provider {
        match self {
            Provider::Vercel(v) => Provider::Vercel(v.reading_values()),
            Provider::Supabase(s) => Provider::Supabase(s.reading_everything()),
            other => other,
        }
    }
}

/// How far a platform's clock and envctl's may disagree when envctl
/// compares the time it recorded a write with the time the platform says
/// something last changed.
pub const CLOCK_TOLERANCE_MS: i64 = 120_000;

pub(crate) use crate::clock::now_ms;

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
        ProviderError::new(
            target,
            "apply",
            ErrorKind::Stopped,
            "stopped by SIGINT or SIGTERM; the request in flight was finished and nothing more was sent",
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
    Github(github::GithubProvider),
    Netlify(netlify::NetlifyProvider),
}

impl Provider {
    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        match self {
            Provider::Memory(p) => Ok(p.read()),
            Provider::Dotenv(p) => p.read(),
            Provider::Supabase(p) => p.read().await,
            Provider::Vercel(p) => p.read().await,
            Provider::Cloudflare(p) => p.read().await,
            Provider::Github(p) => p.read().await,
            Provider::Netlify(p) => p.read().await,
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
            Provider::Github(p) => p.target_name().to_string(),
            Provider::Netlify(p) => p.target_name().to_string(),
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
            Provider::Github(p) => p.apply(live, writes, stop).await,
            Provider::Netlify(p) => p.apply(live, writes, stop).await,
        }
    }
}

impl Provider {
    /// What to tell after an apply changed this target (deployments that
    /// keep the old values), doing first what `redeploy` asks: each
    /// platform that builds values into deployments rebuilds the latest one
    /// it can name, and says which, or why it cannot. `env` names the
    /// environment in the command to run.
    pub async fn after_apply(
        &self,
        env: &str,
        redeploy: bool,
    ) -> Result<Option<String>, ProviderError> {
        match self {
            Provider::Vercel(p) => p.after_apply(env, redeploy).await,
            Provider::Netlify(p) => p.after_apply(env, redeploy).await,
            Provider::Cloudflare(p) => p.after_apply(env, redeploy).await.map(Some),
            // Functions and workflows read secrets and variables when they run.
            Provider::Memory(_)
            | Provider::Dotenv(_)
            | Provider::Supabase(_)
            | Provider::Github(_) => Ok(None),
        }
    }

    /// The environment's database, when this target reaches it directly
    /// (`migrations.database_url`) to read and apply migrations.
    pub fn database(&self) -> Option<&supabase::database::Database> {
        match self {
            Provider::Supabase(p) => p.database(),
            _ => None,
        }
    }

    /// What applies this target's pending migrations, when envctl does:
    /// the environment's database (`migrations.database_url`, the
    /// platform's own history), or a D1 database.
    pub fn migrator(&self) -> Option<Migrator<'_>> {
        match self {
            Provider::Supabase(p) if p.history().is_none() => p.database().map(Migrator::Database),
            Provider::Cloudflare(p) if p.has_d1() => Some(Migrator::D1(p)),
            _ => None,
        }
    }
}

/// Where `apply --migrations` runs a target's files, each as the
/// platform's own tool runs them.
#[derive(Debug, Clone, Copy)]
pub enum Migrator<'a> {
    Database(&'a supabase::database::Database),
    D1(&'a cloudflare::CloudflareProvider),
}

impl Migrator<'_> {
    /// What the files are applied to, without credentials.
    pub fn describe(&self) -> String {
        match self {
            Migrator::Database(db) => db.describe().to_string(),
            Migrator::D1(p) => p.d1_describe(),
        }
    }

    /// The local files of the `pending` migrations, in the order they run;
    /// `root` is the project root, `folder` `paths.migrations`.
    pub fn files(
        &self,
        root: &Path,
        folder: &str,
        pending: &[String],
    ) -> Result<Vec<local_migrations::LocalFile>, String> {
        match self {
            Migrator::Database(_) => {
                let list = local_migrations::list(&root.join(folder))?;
                pending
                    .iter()
                    .map(|v| {
                        list.iter()
                            .find(|f| f.version == *v)
                            .cloned()
                            .ok_or_else(|| {
                                format!(
                                    "migration {v} has no file named {v}_<name>.sql in {folder}"
                                )
                            })
                    })
                    .collect()
            }
            Migrator::D1(p) => p.d1_files(root, pending),
        }
    }

    /// Applies `files` in order; `live` is the history the plan saw.
    pub async fn apply(
        &self,
        files: &[local_migrations::LocalFile],
        live: &[String],
        progress: impl FnMut(&database::Applied),
    ) -> Result<Vec<database::Applied>, database::ApplyError> {
        match self {
            Migrator::Database(db) => db.apply(files, live, progress).await,
            Migrator::D1(p) => p.apply_d1(files, live, progress).await,
        }
    }
}

/// What a target's platform would refuse in its settings (or envctl could
/// not use), at `pos` in `file`: caught when the files are loaded, so
/// nothing is sent.
pub fn check_target(spec: &TargetSpec, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    match spec {
        TargetSpec::Dotenv(s) => dotenv::checks::target(s, file, pos),
        TargetSpec::Supabase(s) => supabase::checks::target(s, file, pos),
        TargetSpec::Vercel(s) => vercel::checks::target(s, file, pos),
        TargetSpec::Cloudflare(s) => cloudflare::checks::target(s, file, pos),
        TargetSpec::Github(s) => github::checks::target(s, file, pos),
        TargetSpec::Netlify(s) => netlify::checks::target(s, file, pos),
    }
}

/// Why the platform of `spec` would refuse a variable named `name` sent to
/// `target` (the message and the help); `None` when it takes it.
pub fn check_name(spec: &TargetSpec, target: &str, name: &str) -> Option<(String, &'static str)> {
    match spec {
        TargetSpec::Vercel(_) => vercel::checks::name(target, name),
        TargetSpec::Cloudflare(_) => cloudflare::checks::name(target, name),
        TargetSpec::Github(_) => github::checks::name(target, name),
        TargetSpec::Netlify(_) => netlify::checks::name(target, name),
        TargetSpec::Dotenv(_) | TargetSpec::Supabase(_) => None,
    }
}

/// For a target that keeps its own migration history by file name (a
/// Cloudflare target with a D1 database): the migration file names in its
/// folder, sorted, or an error at `pos` when the folder is missing. `None`
/// for every other target.
pub fn migration_files(
    spec: &TargetSpec,
    target: &str,
    root: &Path,
    file: &Path,
    pos: Option<Pos>,
) -> (Option<Vec<String>>, Option<Diagnostic>) {
    match spec {
        TargetSpec::Cloudflare(s) => {
            cloudflare::checks::d1_migration_files(s, target, root, file, pos)
        }
        _ => (None, None),
    }
}

#[cfg(test)]
#[path = "dialect_tests.rs"]
mod dialect_tests;
