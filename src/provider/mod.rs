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
mod connect;
pub mod credentials;
pub mod dotenv;
mod error;
pub mod http;
pub mod memory;
pub mod postgres;
pub mod supabase;
pub mod tls;
pub mod vercel;

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::TargetSpec;
use crate::diagnostic::Diagnostic;
use crate::secret::{Fingerprint, Secret};
use crate::yaml::Pos;
pub use error::{Detail, ErrorKind, ProviderError};

/// Live state of one target, as read.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub variables: BTreeMap<String, LiveValue>,
    /// `None` when the target has no functions or could not list them.
    pub functions: Option<BTreeMap<String, LiveFunction>>,
    /// Applied migrations, in order; `None` when unknown.
    pub migrations: Option<Vec<AppliedMigration>>,
    /// Things the platform reported that deserve a look (a throttled
    /// function, a record envctl cannot read), shown with the plan.
    pub warnings: Vec<String>,
    /// Versions of live objects beyond their values (a Vercel record's id
    /// and update time, a function's version, a file's hash), for saved
    /// plans to notice a change. Never a value.
    pub versions: BTreeMap<String, String>,
    /// When each variable was last updated (ms since the epoch), where the
    /// platform says.
    pub updated_ms: BTreeMap<String, i64>,
    /// What apply needs from this read beyond the values.
    pub handles: Handles,
}

/// What a platform's apply needs from the read it plans from (record ids,
/// tags, config hashes, the platform's clock skew), kept by the platform's
/// own module. Never a value: `Debug` shows ids, times and keyed digests.
/// Saved plans do not look at it ([`Snapshot::fingerprints`] leaves it out).
#[derive(Debug, Clone, Default)]
pub enum Handles {
    /// Memory, dotenv and Supabase apply from the writes alone.
    #[default]
    None,
    Vercel(vercel::Handles),
    Cloudflare(cloudflare::Handles),
}

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

impl Snapshot {
    /// A version token for every object read: the values' fingerprints
    /// (short form), functions, the migration history and the provider's
    /// own [`Snapshot::versions`]. Two reads of unchanged live state give
    /// the same map.
    pub fn fingerprints(&self) -> BTreeMap<String, String> {
        let mut out = self.versions.clone();
        for (name, value) in &self.variables {
            let token = match value {
                LiveValue::Plain(s) | LiveValue::Readable(s) => s.fingerprint().versioned(),
                LiveValue::Digest(f) => f.versioned(),
                LiveValue::Unreadable => "write-only".to_string(),
                LiveValue::Stale { .. } => "stale".to_string(),
            };
            out.insert(format!("var:{name}"), token);
        }
        for (slug, f) in self.functions.iter().flatten() {
            out.entry(format!("function:{slug}"))
                .or_insert_with(|| format!("verify_jwt={}", f.verify_jwt));
        }
        if let Some(applied) = &self.migrations {
            out.insert(
                "migrations".into(),
                match applied.last() {
                    Some(head) => format!("{} applied, head {}", applied.len(), head.version),
                    None => "none applied".into(),
                },
            );
        }
        out
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

/// One applied migration as the history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: String,
    /// The statements recorded with it, when the history was read from the
    /// database and the row has them.
    pub statements: Option<Vec<String>>,
}

impl From<String> for AppliedMigration {
    fn from(version: String) -> Self {
        AppliedMigration {
            version,
            statements: None,
        }
    }
}

impl From<&str> for AppliedMigration {
    fn from(version: &str) -> Self {
        AppliedMigration::from(version.to_string())
    }
}

#[derive(Debug, Clone)]
pub enum LiveValue {
    /// The platform stores the value as plain text, for anyone on the
    /// project to read (Vercel `plain`, Cloudflare `plain_text`): the one
    /// kind of live value a plan may show when the desired state does not
    /// declare the key plain.
    Plain(Secret),
    /// The plaintext, read from a store meant for secrets (a dotenv file,
    /// a decrypted Vercel `encrypted` record): secret until the desired
    /// state declares the key plain.
    Readable(Secret),
    /// The platform gave only hex(sha256(value)) (Supabase secrets).
    Digest(Fingerprint),
    /// The platform keeps it write-only (Vercel `sensitive`).
    Unreadable,
    /// Whatever the value is, it must be written again: it was changed
    /// outside envctl, or is stored in a weaker form than it should be.
    Stale { why: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveFunction {
    pub verify_jwt: bool,
}

/// One write apply performs. Values travel as [`Secret`] whether or not the
/// user declared them secret: one path, one way to be careful.
#[derive(Debug, Clone)]
pub enum Write {
    Set {
        name: String,
        value: Secret,
    },
    Delete {
        name: String,
    },
    /// `deploy`: upload the source (a new function); otherwise only the
    /// settings change.
    SetFunction {
        slug: String,
        verify_jwt: bool,
        deploy: bool,
    },
    DeleteFunction {
        slug: String,
    },
}

/// The variable values among `writes`, with their indices: what a
/// platform that batches sends in one request.
pub fn sets(writes: &[Write]) -> Vec<(usize, &str, &Secret)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Set { name, value } => Some((i, name.as_str(), value)),
            _ => None,
        })
        .collect()
}

/// The variable deletes among `writes`, with their indices.
pub fn deletes(writes: &[Write]) -> Vec<(usize, &str)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::Delete { name } => Some((i, name.as_str())),
            _ => None,
        })
        .collect()
}

impl Write {
    /// The plan item this write carries out.
    pub fn subject(&self) -> crate::plan::Subject {
        use crate::plan::Subject;
        match self {
            Write::Set { name, .. } | Write::Delete { name } => {
                Subject::Variable { name: name.clone() }
            }
            Write::SetFunction { slug, .. } | Write::DeleteFunction { slug } => {
                Subject::Function { slug: slug.clone() }
            }
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Write::Set { name, .. } => format!("set {name}"),
            Write::Delete { name } => format!("delete {name}"),
            Write::SetFunction {
                slug, deploy: true, ..
            } => format!("deploy function {slug}"),
            Write::SetFunction {
                slug, verify_jwt, ..
            } => format!("set verify_jwt={verify_jwt} on function {slug}"),
            Write::DeleteFunction { slug } => format!("delete function {slug}"),
        }
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
}

impl Provider {
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

/// What a target's platform would refuse in its settings (or envctl could
/// not use), at `pos` in `file`: caught when the files are loaded, so
/// nothing is sent.
pub fn check_target(spec: &TargetSpec, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    match spec {
        TargetSpec::Dotenv(s) => dotenv::checks::target(s, file, pos),
        TargetSpec::Supabase(s) => supabase::checks::target(s, file, pos),
        TargetSpec::Vercel(s) => vercel::checks::target(s, file, pos),
        TargetSpec::Cloudflare(s) => cloudflare::checks::target(s, file, pos),
    }
}

/// Why the platform of `spec` would refuse a variable named `name` sent to
/// `target` (the message and the help); `None` when it takes it.
pub fn check_name(spec: &TargetSpec, target: &str, name: &str) -> Option<(String, &'static str)> {
    match spec {
        TargetSpec::Vercel(_) => vercel::checks::name(target, name),
        TargetSpec::Cloudflare(_) => cloudflare::checks::name(target, name),
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
