//! Live state of a target as a platform reported it: values (or only
//! their digests), functions, the migration history, and the handles the
//! platform's apply needs later.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use crate::secret::{Fingerprint, Secret};

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
    /// Each variable's description as the platform keeps it, where it
    /// keeps one (`Traits::descriptions`). Never a value.
    pub descriptions: BTreeMap<String, String>,
    /// Variables whose values were read (not known from a mark the
    /// platform keeps for envctl) and could carry that mark: where their
    /// value matches the desired one, the plan lists them for apply to
    /// mark (`TargetPlan::tag`), so later reads need not read the value.
    /// Never a value.
    pub untagged: BTreeSet<String>,
    /// Auth URLs and Storage buckets, where they were read.
    pub settings: super::LiveSettings,
    /// What apply needs from this read beyond the values.
    pub handles: Handles,
}

/// What a platform's apply needs from the read it plans from (record ids,
/// tags, config hashes, the platform's clock skew), kept by the platform's
/// own module and opaque to everything else. Never a value: `Debug` shows
/// ids, times and keyed digests. Saved plans do not look at it
/// ([`Snapshot::fingerprints`] leaves it out).
#[derive(Clone, Default)]
pub struct Handles(Option<Arc<dyn HandleData>>);

/// Anything a platform keeps in [`Handles`].
pub trait HandleData: fmt::Debug + Send + Sync + Any {}

impl<T: fmt::Debug + Send + Sync + Any> HandleData for T {}

impl Handles {
    /// Memory, dotenv and Supabase apply from the writes alone.
    pub fn none() -> Handles {
        Handles(None)
    }

    pub fn new<T: HandleData>(data: T) -> Handles {
        Handles(Some(Arc::new(data)))
    }

    /// The platform's handles, if this snapshot carries that platform's.
    pub fn get<T: HandleData>(&self) -> Option<&T> {
        let any: &dyn Any = &**self.0.as_ref()?;
        any.downcast_ref()
    }
}

impl fmt::Debug for Handles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(data) => data.fmt(f),
            None => f.write_str("None"),
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
    /// How many of the local source files differ from the deployed ones
    /// (the platform compared them while reading): `Some(0)` when the
    /// deployed code is the local code, `None` when it was not compared
    /// (no local source, or the platform keeps no readable source).
    pub changed_files: Option<usize>,
}
