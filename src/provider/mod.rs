//! The seam to the places variables live. Each provider reads a snapshot of
//! live state and applies a list of writes; the set of providers is closed,
//! so an enum dispatches (no boxed async traits).
//!
//! Supabase and Vercel plug in here; until they exist, a target of theirs
//! says so plainly instead of pretending.

pub mod conformance;
pub mod dotenv;
pub mod memory;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::config::{Target, TargetSpec};
use crate::secret::{Fingerprint, Secret};

/// Live state of one target, as read.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub variables: BTreeMap<String, LiveValue>,
    /// `None` when the target has no functions or could not list them.
    pub functions: Option<BTreeMap<String, LiveFunction>>,
    /// Applied migration versions; `None` when unknown.
    pub migrations: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub enum LiveValue {
    /// The platform gave the plaintext (dotenv, Vercel `encrypted`).
    Readable(Secret),
    /// The platform gave only hex(sha256(value)) (Supabase secrets).
    Digest(Fingerprint),
    /// The platform keeps it write-only (Vercel `sensitive`).
    Unreadable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveFunction {
    pub verify_jwt: bool,
}

/// One write apply performs. Values travel as [`Secret`] whether or not the
/// user declared them secret: one path, one way to be careful.
#[derive(Debug, Clone)]
pub enum Write {
    Set { name: String, value: Secret },
    Delete { name: String },
    SetFunction { slug: String, verify_jwt: bool },
    DeleteFunction { slug: String },
}

impl Write {
    pub fn describe(&self) -> String {
        match self {
            Write::Set { name, .. } => format!("set {name}"),
            Write::Delete { name } => format!("delete {name}"),
            Write::SetFunction { slug, .. } => format!("deploy function {slug}"),
            Write::DeleteFunction { slug } => format!("delete function {slug}"),
        }
    }
}

/// A provider failure: which target, doing what, and why. Never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub target: String,
    pub operation: &'static str,
    pub message: String,
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
}

impl Provider {
    /// The provider for a configured target.
    pub fn for_target(root: &Path, target: &Target) -> Result<Provider, crate::Error> {
        match &target.spec {
            TargetSpec::Dotenv { path, .. } => {
                Ok(Provider::Dotenv(dotenv::DotenvProvider::new(&target.name, root.join(path), path)))
            }
            TargetSpec::Supabase { .. } | TargetSpec::Vercel { .. } => Err(crate::Error::NotImplemented {
                what: format!("the {} target (used by target `{}`)", target.spec.kind(), target.name),
                hint: "only dotenv targets can be read in this version; `envctl validate` checks every environment offline"
                    .to_string(),
            }),
        }
    }

    pub async fn read(&self) -> Result<Snapshot, ProviderError> {
        match self {
            Provider::Memory(p) => Ok(p.read()),
            Provider::Dotenv(p) => p.read(),
        }
    }

    /// Performs the writes in order; on failure, says how many were done.
    pub async fn apply(&self, writes: &[Write]) -> Result<(), (usize, ProviderError)> {
        match self {
            Provider::Memory(p) => p.apply(writes),
            Provider::Dotenv(p) => p.apply(writes),
        }
    }
}
