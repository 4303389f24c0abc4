//! A plan is data: per target and key, what apply would do and why.
//!
//! It never holds a secret's plaintext — secrets appear as fingerprints with
//! a coarse class (e.g. "Stripe live secret key") so rules can still judge
//! them. Renderers show it; apply obeys it; neither decides anything.

mod desired;
mod diff;
mod functions;
mod migrations;
mod settings;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use desired::{
    Desired, DesiredMigrations, DesiredTarget, DesiredValue, MigrationStyle, Resolved,
    desired_targets,
};
pub use diff::{diff, diff_target};

use crate::detect::Class;
use crate::diagnostic::Location;
use crate::secret::Fingerprint;

/// Bumped whenever the JSON shape changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub format_version: u32,
    pub project: String,
    pub environment: String,
    pub protected: bool,
    pub targets: Vec<TargetPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetPlan {
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub changes: Vec<Change>,
    /// What the platform holds and forbids, for the rules.
    #[serde(skip)]
    pub traits: crate::model::Traits,
    /// What the platform reported that deserves a look.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// When each live variable was last updated (ms since the epoch),
    /// where the platform reports it; for the `secret-age` rule.
    #[serde(skip)]
    pub updated_ms: std::collections::BTreeMap<String, i64>,
    /// Variables whose live value was read and verified equal to the
    /// desired one, but which carry no mark of envctl's (or a stale one):
    /// apply marks them, changing no value (on Vercel, the record's
    /// comment), so later plans need not read them. Not a change: it
    /// counts in no summary and makes no drift.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tag: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub subject: Subject,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Reason,
    /// Where the desired value was written, when it was.
    pub location: Option<Location>,
}

impl Change {
    /// The value this key has once the plan is applied.
    pub fn resulting(&self) -> Option<&Value> {
        match self.action {
            Action::Delete => None,
            Action::Unknown => self.after.as_ref().or(self.before.as_ref()),
            _ => self.after.as_ref(),
        }
    }

    pub fn variable(&self) -> Option<&str> {
        match &self.subject {
            Subject::Variable { name } => Some(name),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    Variable {
        name: String,
    },
    Function {
        slug: String,
    },
    MigrationHead,
    /// A project setting: `auth.site_url`, `auth.redirect_urls`.
    Setting {
        name: String,
    },
    /// A Storage bucket.
    Bucket {
        name: String,
    },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Variable { name } => f.write_str(name),
            Subject::Function { slug } => write!(f, "function {slug}"),
            Subject::MigrationHead => f.write_str("migration head"),
            Subject::Setting { name } => f.write_str(name),
            Subject::Bucket { name } => write!(f, "bucket {name}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    Unchanged,
    /// Cannot be verified: a secret that could not be resolved, or a live
    /// value the platform will not show.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Value {
    /// A plain value, shown as is.
    Text {
        text: String,
    },
    /// A secret, or a plain value that looks like one: never shown.
    /// `fingerprint` is `None` for a reference that could not be resolved.
    Secret {
        fingerprint: Option<Fingerprint>,
        class: Option<Class>,
        origin: SecretOrigin,
    },
    /// Present, but the platform does not let anyone read it.
    Hidden,
    Function {
        verify_jwt: bool,
    },
    Migrations {
        head: String,
        pending: Vec<String>,
    },
    /// A Storage bucket.
    Bucket {
        public: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "reference", rename_all = "snake_case")]
pub enum SecretOrigin {
    /// A secret reference in the desired state (`env:STRIPE_KEY`).
    Reference(String),
    /// A literal value in YAML that looks like a secret.
    Literal,
    /// Read from the live platform.
    Live,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    NotLive,
    Differs,
    Matches,
    /// Not declared for this target, and prune is off: left alone.
    Unmanaged,
    /// Not declared for this target, and prune is on.
    Pruned,
    SecretUnresolved {
        why: String,
    },
    LiveUnreadable,
    /// The live value must be written again (changed by hand, or stored
    /// in a weaker form than envctl writes).
    Rewrite {
        why: String,
    },
    /// The live value cannot be read; `--adopt` writes it so that it can
    /// be verified from then on.
    Adopted,
    /// A rotation writes the new value whatever the live side shows.
    Rotated,
    /// Live reading failed for this part of the target.
    LiveUnavailable {
        why: String,
    },
    VerifyJwtDiffers,
    /// The deployed code is not the local source: `files` local files
    /// differ from (or are missing in) the deployed ones.
    SourceChanged {
        files: usize,
        verify_jwt_differs: bool,
    },
    /// The value matches, but the platform's description of it is not the
    /// declared `description:`.
    DescriptionDiffers,
    PendingMigrations,
    /// Live has versions that are not local files.
    LiveAhead {
        versions: Vec<String>,
    },
    /// Local files older than the live head that were never applied.
    OutOfOrder {
        versions: Vec<String>,
    },
    /// Live has applied local versions past the desired head.
    LiveBeyondHead {
        versions: Vec<String>,
    },
    /// Local files whose statements differ from what the history recorded
    /// when they were applied.
    EditedAfterApply {
        versions: Vec<String>,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NotLive => f.write_str("not present live"),
            Reason::Differs => f.write_str("live value differs"),
            Reason::Matches => f.write_str("matches"),
            Reason::Unmanaged => f.write_str("not declared; left alone (prune is off)"),
            Reason::Pruned => f.write_str("not declared, and prune is on"),
            Reason::SecretUnresolved { why } => write!(f, "secret could not be resolved: {why}"),
            Reason::LiveUnreadable => f.write_str("the platform does not reveal the live value"),
            Reason::Adopted => f.write_str(
                "the platform does not reveal the live value: written now (--adopt), verifiable from then on",
            ),
            Reason::Rotated => f.write_str("rotated: written whatever the live side shows"),
            Reason::Rewrite { why } => f.write_str(why),
            Reason::LiveUnavailable { why } => write!(f, "could not read live state: {why}"),
            Reason::VerifyJwtDiffers => f.write_str("verify_jwt differs"),
            Reason::SourceChanged {
                files,
                verify_jwt_differs,
            } => {
                let s = if *files == 1 { "" } else { "s" };
                write!(f, "source changed: {files} file{s}")?;
                if *verify_jwt_differs {
                    f.write_str("; verify_jwt differs")?;
                }
                Ok(())
            }
            Reason::DescriptionDiffers => {
                f.write_str("the value matches; its description differs from `description:`")
            }
            Reason::PendingMigrations => f.write_str("migrations not yet applied"),
            Reason::LiveAhead { versions } => {
                write!(
                    f,
                    "live has migrations that are not local files: {} (schema drift: restore the files, or repair the history)",
                    versions.join(", ")
                )
            }
            Reason::OutOfOrder { versions } => write!(
                f,
                "local migrations older than the live head were never applied: {} (schema drift: they would run out of order)",
                versions.join(", ")
            ),
            Reason::LiveBeyondHead { versions } => write!(
                f,
                "live is past the desired head: {} applied (schema drift: raise the head, or roll back)",
                versions.join(", ")
            ),
            Reason::EditedAfterApply { versions } => write!(
                f,
                "migrations edited after they were applied: {} (the files' statements differ from what supabase_migrations.schema_migrations recorded; schema drift: restore the files and put the change in a new migration)",
                versions.join(", ")
            ),
        }
    }
}

/// Counts for the closing line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub delete: usize,
    pub unknown: usize,
    pub unchanged: usize,
}

impl Change {
    /// A declared secret, resolved, whose live value the platform will not
    /// reveal and envctl has no record to verify it by.
    pub fn is_unverifiable(&self) -> bool {
        self.action == Action::Unknown
            && self.reason == Reason::LiveUnreadable
            && matches!(
                self.after,
                Some(Value::Secret {
                    fingerprint: Some(_),
                    ..
                })
            )
    }

    /// Migration drift that apply cannot repair: the history disagrees
    /// with the files, not merely lags behind them.
    pub fn is_schema_drift(&self) -> bool {
        matches!(
            self.reason,
            Reason::LiveAhead { .. }
                | Reason::OutOfOrder { .. }
                | Reason::LiveBeyondHead { .. }
                | Reason::EditedAfterApply { .. }
        )
    }
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for change in self.targets.iter().flat_map(|t| &t.changes) {
            match change.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.delete += 1,
                Action::Unknown => s.unknown += 1,
                Action::Unchanged => s.unchanged += 1,
            }
        }
        s
    }

    /// Secrets whose value is resolved but whose live value cannot be
    /// known: what `--adopt` would write, and what `drift --strict` fails on.
    pub fn unverifiable(&self) -> usize {
        self.targets
            .iter()
            .flat_map(|t| &t.changes)
            .filter(|c| c.is_unverifiable())
            .count()
    }

    /// `--adopt`: every secret whose live value cannot be known is written.
    /// Returns how many.
    pub fn adopt(&mut self) -> usize {
        self.force(|c| c.is_unverifiable(), Reason::Adopted)
    }

    /// A rotation of `name`: written to every target that receives it,
    /// whatever the live side shows (matching, or unknowable).
    pub fn rotate(&mut self, name: &str) -> usize {
        self.force(
            |c| {
                c.variable() == Some(name) && (c.is_unverifiable() || c.action == Action::Unchanged)
            },
            Reason::Rotated,
        )
    }

    fn force(&mut self, which: impl Fn(&Change) -> bool, reason: Reason) -> usize {
        let mut n = 0;
        for change in self.targets.iter_mut().flat_map(|t| &mut t.changes) {
            if which(change) {
                change.action = if change.before.is_some() {
                    Action::Update
                } else {
                    Action::Create
                };
                change.reason = reason.clone();
                n += 1;
            }
        }
        n
    }

    /// How many variables apply would mark without changing a value
    /// ([`TargetPlan::tag`]).
    pub fn tags(&self) -> usize {
        self.targets.iter().map(|t| t.tag.len()).sum()
    }

    pub fn has_changes(&self) -> bool {
        let s = self.summary();
        s.add + s.change + s.delete > 0
    }
}
