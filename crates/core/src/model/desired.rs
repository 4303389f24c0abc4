//! The desired state as loaded: environments whose variables are routed to
//! targets. Values only; loading and checking the files is the shell's
//! (`envctl::config`).

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diagnostic::Location;

#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// The environment's file, relative to the workspace root.
    pub file: PathBuf,
    pub protected: bool,
    pub local: bool,
    pub targets: BTreeMap<String, Target>,
    pub variables: BTreeMap<String, Variable>,
    pub functions: BTreeMap<String, Function>,
    pub migrations: Option<Migrations>,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    /// The platform's settings: what it is called, where it lives.
    pub settings: Arc<dyn TargetSettings>,
    pub location: Location,
    /// For a target that keeps its own migration history by file name (a
    /// Cloudflare target with a D1 database): the `.sql` file names in its
    /// migrations folder, sorted. `None` for every other target.
    pub migration_files: Option<Vec<String>>,
}

impl Target {
    /// A short human description: `dotenv .env.local`, `supabase project abcd…`.
    pub fn describe(&self) -> String {
        self.settings.describe()
    }

    /// The platform's own settings, as the platform's code knows them.
    pub fn settings_as<T: TargetSettings>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.settings;
        any.downcast_ref()
    }
}

/// What the core needs to know about where a target lives. Each platform's
/// settings implement it, so plans and rules treat every platform the same
/// way and name none of them.
pub trait TargetSettings: fmt::Debug + Send + Sync + Any {
    /// The platform's name in plans and JSON output (`dotenv`, `vercel`).
    fn kind(&self) -> &'static str;
    /// A short human description: `dotenv .env.local`.
    fn describe(&self) -> String;
    /// Delete live keys the desired state does not declare.
    fn prune(&self) -> bool;
    /// What the target holds besides variables, and what it forbids.
    fn traits(&self) -> Traits;
}

/// A platform's capabilities and limits, as data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits {
    /// The environment's Edge Functions and migration head are planned on
    /// this target (the environment's database and functions live there).
    pub holds_functions: bool,
    /// A name prefix the platform injects itself and refuses as a key
    /// (rule `supabase-reserved`).
    pub reserved_prefix: Option<&'static str>,
    /// The target keeps its own migration history, by file name (a D1
    /// database), rather than the environment's head; envctl does not
    /// apply those migrations.
    pub migrations_by_file: bool,
    /// The platform's own command that applies pending migrations, for
    /// messages that point to it (`supabase db push`).
    pub migration_tool: Option<&'static str>,
    /// The migrations belong to another runner (`migrations.history`):
    /// envctl reads its history and never applies them; `migration_tool`
    /// is that runner's command.
    pub runner_history: bool,
    /// What a read can tell about a value declared secret.
    pub readback: Readback,
}

/// What a read of a platform can tell about a value declared secret: the
/// one model every platform declares itself in (docs/platforms.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Readback {
    /// The value, or its digest (a dotenv file, Supabase's SHA-256).
    #[default]
    Readable,
    /// Write-only, with an update time per value: what envctl recorded at
    /// write time (a tag, a digest record) vouches for a value until the
    /// platform says it changed later (Vercel `sensitive`, GitHub Actions
    /// secrets).
    WriteOnlyDated,
    /// Write-only, with one update time for the whole target: a change to
    /// anything there makes every recorded secret "changed" (Cloudflare
    /// `secret_text`).
    WriteOnlyTargetDated,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub value: VarValue,
    /// Names of the targets that receive it.
    pub targets: Vec<String>,
    pub environment_specific: bool,
    /// `allow_empty: true`: an empty or blank secret value is meant.
    pub allow_empty: bool,
    pub location: Location,
}

impl Variable {
    pub fn is_secret(&self) -> bool {
        matches!(self.value, VarValue::Secret(_))
    }

    pub fn plain(&self) -> Option<&str> {
        match &self.value {
            VarValue::Plain(text) => Some(text),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    pub slug: String,
    pub verify_jwt: bool,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct Migrations {
    /// The version the environment must be at.
    pub head: String,
    /// Every local migration version up to and including the head, in order.
    pub versions: Vec<String>,
    /// Every local migration version, in order (some may be past the head).
    pub local: Vec<String>,
    pub location: Location,
    /// `migrations.database_url`: the environment's database, read and
    /// migrated directly instead of through the Management API.
    pub database_url: Option<SecretRef>,
    /// `migrations.history`: the runner whose own table records what is
    /// applied, when it is not the platform's own tool. `versions` and
    /// `local` are then that runner's migration ids, in its order.
    pub history: Option<History>,
}

/// A migration runner that keeps its own history table (node-pg-migrate,
/// knex, …), as the environment names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// The runner as written (`node-pg-migrate`).
    pub runner: String,
    /// The folder the runner reads its migrations from, relative to the
    /// project root (`paths.migrations`).
    pub folder: String,
    /// `history_table`: the runner's history table, when not its default.
    pub table: Option<String>,
    /// `history_schema`: the schema of that table, when not its default.
    pub schema: Option<String>,
    /// The runner's own command that applies pending migrations.
    pub tool: &'static str,
    /// A pending file older than the newest applied one is drift: the
    /// runner refuses to run it, or never will.
    pub older_pending_is_drift: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarValue {
    /// The text as the user wrote it.
    Plain(String),
    Secret(SecretRef),
    /// `~`: this environment does not have the variable.
    Unset,
}

/// Where a secret's value comes from. The value itself is never in YAML.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretRef {
    /// `env:NAME`: an environment variable of the process running envctl.
    Env(String),
    /// `file:PATH`: a file's contents, trailing newline trimmed.
    File(String),
    /// `keyring`: the OS keychain, service `envctl`,
    /// account `<project>/<environment>/<NAME>`.
    Keyring,
    /// `{ command: [argv…] }`: a program's standard output.
    Command(Vec<String>),
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{path}"),
            SecretRef::Keyring => f.write_str("keyring"),
            SecretRef::Command(argv) => {
                write!(f, "command: {}", argv.first().map_or("", String::as_str))
            }
        }
    }
}

impl SecretRef {
    /// Reads the short form (`env:NAME`, `file:PATH`, `keyring`).
    pub fn parse(text: &str) -> Result<SecretRef, String> {
        // The text is never echoed: a secret pasted here by mistake must
        // not end up in a CI log. A short scheme is safe to name.
        let scheme = text
            .split_once(':')
            .map(|(s, _)| s)
            .filter(|s| s.len() <= 12 && s.chars().all(|c| c.is_ascii_alphabetic()));
        let bad = || {
            let what = scheme.map_or("unknown secret reference".to_string(), |s| {
                format!("unknown secret source `{s}:`")
            });
            format!(
                "{what}: write `env:NAME`, `file:PATH`, `keyring`, or `{{ command: [program, arg…] }}`"
            )
        };
        if text == "keyring" {
            return Ok(SecretRef::Keyring);
        }
        let (scheme, rest) = text.split_once(':').ok_or_else(bad)?;
        let rest = rest.trim();
        match scheme {
            "env" if is_env_name(rest) => Ok(SecretRef::Env(rest.to_string())),
            "env" => Err(
                "after `env:` comes an environment variable name: letters, digits and `_`"
                    .to_string(),
            ),
            "file" if !rest.is_empty() => Ok(SecretRef::File(rest.to_string())),
            _ => Err(bad()),
        }
    }
}

pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
