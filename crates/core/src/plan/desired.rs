//! What one target should hold, built from the environment and each
//! secret's resolution. Secrets are fingerprints here: the diff never sees
//! plaintext it would have to be careful with.

use std::collections::BTreeMap;

use crate::detect::classify;
use crate::diagnostic::Location;
use crate::model::{Environment, Traits, VarValue};
use crate::secret::{Fingerprint, Secret};

/// What one target should hold. Secrets are fingerprints here: the diff
/// never sees plaintext it would have to be careful with.
#[derive(Debug, Clone)]
pub struct DesiredTarget {
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub prune: bool,
    pub traits: Traits,
    pub variables: BTreeMap<String, Desired>,
    /// `Some` for targets that carry Edge Functions (Supabase).
    pub functions: Option<BTreeMap<String, bool>>,
    /// For targets that carry migrations.
    pub migrations: Option<DesiredMigrations>,
    /// `Some` for the target that holds the project's settings (Supabase).
    pub settings: Option<crate::model::ProjectSettings>,
}

#[derive(Debug, Clone)]
pub struct DesiredMigrations {
    /// How the history and the files are compared.
    pub style: MigrationStyle,
    pub head: String,
    /// Local versions up to and including the head, in order.
    pub upto: Vec<String>,
    /// Every local version, in order.
    pub local: Vec<String>,
    /// The statements of local files whose versions live recorded
    /// statements for (filled at the I/O edge; empty otherwise).
    pub statements: BTreeMap<String, Vec<String>>,
}

/// Two tools, two ideas of "applied".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationStyle {
    /// The Supabase CLI: versions in order, with `db push`'s guards
    /// (history ahead of the files, files older than the live head).
    Supabase,
    /// wrangler's D1 migrations: the history is a set of file names, and
    /// every local file not in it is pending, whatever its number.
    D1,
    /// Another runner's history table (`migrations.history`): ids in the
    /// runner's own order (`local`), compared by place, not by number.
    Runner {
        /// A pending file before the newest applied one is drift.
        older_pending_is_drift: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Desired {
    pub value: DesiredValue,
    /// A plain value's `sensitive:` marker (see [`crate::model::Variable`]).
    pub sensitive: Option<bool>,
    /// The variable's `description:`, if it has one.
    pub description: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub enum DesiredValue {
    Plain(String),
    Secret {
        reference: String,
        resolved: Result<Resolved, String>,
    },
}

/// What the plan may know about a resolved secret.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub fingerprint: Fingerprint,
    pub class: Option<crate::detect::Class>,
    /// Why the value is too guessable for a published digest, if it is.
    pub weakness: Option<&'static str>,
    /// For a Supabase key: the project its payload names (`ref`), which is
    /// no secret (it is in the project's URL).
    pub project: Option<String>,
}

impl Resolved {
    pub fn of(secret: &Secret) -> Resolved {
        Resolved {
            fingerprint: secret.fingerprint(),
            class: classify(secret.expose()),
            weakness: crate::detect::weakness(secret.expose()),
            project: crate::detect::supabase_key_project(secret.expose()),
        }
    }
}

/// The desired targets of an environment, given each secret's resolution.
pub fn desired_targets(
    env: &Environment,
    secrets: &BTreeMap<String, Result<Resolved, String>>,
) -> Vec<DesiredTarget> {
    env.targets
        .values()
        .map(|target| {
            let variables = env
                .variables
                .values()
                .filter(|v| v.targets.contains(&target.name))
                .map(|v| {
                    let value = match &v.value {
                        VarValue::Plain(text) => DesiredValue::Plain(text.clone()),
                        VarValue::Secret(reference) => DesiredValue::Secret {
                            reference: reference.to_string(),
                            resolved: secrets
                                .get(&v.name)
                                .cloned()
                                .unwrap_or_else(|| Err("not resolved".to_string())),
                        },
                        VarValue::Unset => unreachable!("unset variables are dropped when loading"),
                    };
                    (
                        v.name.clone(),
                        Desired {
                            value,
                            sensitive: v.sensitive,
                            description: v.description.clone(),
                            location: v.location.clone(),
                        },
                    )
                })
                .collect();
            // The environment's functions and migration head are planned
            // on the target that holds them (its database).
            let mut traits = target.settings.traits();
            let supabase = traits.holds_functions;
            let history = env.migrations.as_ref().and_then(|m| m.history.as_ref());
            if let (true, Some(history)) = (supabase, history) {
                // The runner's own command applies these migrations.
                traits.migration_tool = Some(history.tool);
                traits.runner_history = true;
            }
            DesiredTarget {
                name: target.name.clone(),
                kind: target.settings.kind(),
                traits,
                description: target.describe(),
                prune: target.settings.prune(),
                variables,
                functions: supabase.then(|| {
                    env.functions
                        .values()
                        .map(|f| (f.slug.clone(), f.verify_jwt))
                        .collect()
                }),
                settings: supabase.then(|| env.settings.clone()),
                migrations: if supabase {
                    env.migrations.as_ref().map(|m| DesiredMigrations {
                        style: match &m.history {
                            Some(h) => MigrationStyle::Runner {
                                older_pending_is_drift: h.older_pending_is_drift,
                            },
                            None => MigrationStyle::Supabase,
                        },
                        head: m.head.clone(),
                        upto: m.versions.clone(),
                        local: m.local.clone(),
                        statements: BTreeMap::new(),
                    })
                } else {
                    target
                        .migration_files
                        .as_ref()
                        .map(|files| DesiredMigrations {
                            style: MigrationStyle::D1,
                            head: files.last().cloned().unwrap_or_default(),
                            upto: files.clone(),
                            local: files.clone(),
                            statements: BTreeMap::new(),
                        })
                },
            }
        })
        .collect()
}
