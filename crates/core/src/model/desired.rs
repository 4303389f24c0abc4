//! The desired state as loaded: environments whose variables are routed to
//! targets. Values only; loading and checking the files is the shell's
//! (`envctl::config`).

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
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
    /// Names the environment's file sets to `~`: meant to be absent here,
    /// so code that reads one (only when a feature is on) is expected to
    /// find nothing.
    pub unset: BTreeSet<String>,
    pub functions: BTreeMap<String, Function>,
    pub migrations: Option<Migrations>,
    /// Auth URLs and Storage buckets the environment's project must have.
    pub settings: super::ProjectSettings,
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
    /// `code:` as written: the folders and globs of the app's code this
    /// target serves, relative to the project root. `None`: the
    /// platform's defaults ([`CodeTraits`]); an empty list: no scan.
    pub code: Option<Vec<String>>,
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
    /// Where the target lives, for the rules that keep environments apart
    /// (`cross-environment-target`) and tie a key to its project
    /// (`supabase-key-project`). The default, nothing to compare, suits a
    /// file on the developer's machine.
    fn identity(&self) -> Identity {
        Identity::default()
    }
}

/// Where a target lives, as names another environment's target could
/// share. Each platform says it in its own words; the rules only compare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// What the target writes to, named so that two targets of one
    /// platform (the same `kind`) writing to the same place have equal
    /// names: `project abcd`, `project web (team t), target production`.
    /// A place exact enough that sharing it means two environments
    /// overwrite each other.
    pub places: Vec<String>,
    /// Hosts that serve what the target holds (`abcd.supabase.co`,
    /// `klubz.pages.dev`), lower case: a URL with one of these hosts points
    /// at this target's environment.
    pub hosts: Vec<String>,
}

/// A platform's capabilities and limits, as data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traits {
    /// The environment's Edge Functions, migration head and project
    /// settings (Auth URLs, Storage buckets) are planned on this target
    /// (the environment's database and functions live there).
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
    /// Whether running deployments keep the values they were built with.
    pub baked: Baked,
    /// The platform keeps a variable's `description:` (Vercel's comment):
    /// a live description that differs is a change.
    pub descriptions: bool,
    /// The code the platform runs for a target, and what it sets in that
    /// code's environment itself.
    pub code: CodeTraits,
}

/// Whether running deployments keep the values they were built with, and
/// whether `apply --redeploy` rebuilds them: what a plan that changes
/// variables says about deployments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Baked {
    /// Values are read when they are used (a function's secrets, a
    /// workflow's, a dev server's): nothing keeps old ones.
    #[default]
    No,
    /// Deployments are built with the values: the running one keeps the
    /// old ones until it is rebuilt, which `apply --redeploy` does.
    Redeployable,
    /// Deployments are built with the values, but envctl does not rebuild
    /// them (one per branch or pull request): each takes the new values
    /// when it is deployed again.
    NextDeployment,
}

/// Where a target's code is by default, and the names its platform sets
/// itself: data, so code scanning names no platform (docs/configuration.md,
/// "Code").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeTraits {
    /// Folders of the project the platform runs for every target of its
    /// kind (Pages Functions' `functions`), scanned when they exist. A
    /// target that holds the environment's functions (`holds_functions`)
    /// also serves the project's functions folder (`paths.functions`).
    pub folders: &'static [&'static str],
    /// A target that receives browser-prefixed variables (`VITE_*`,
    /// `NEXT_PUBLIC_*`, `rules.client_prefixes`) serves the app's frontend
    /// folders (`src`, `app`, `pages`, `lib`, `components`): it builds or
    /// hosts the frontend.
    pub frontend: bool,
    /// Names (globs) the platform sets in the code's environment itself:
    /// code may read them without the environment declaring them.
    pub injected: &'static [&'static str],
}

/// A platform that says nothing hosts a frontend when it is sent one's
/// variables, and injects nothing.
impl Default for CodeTraits {
    fn default() -> Self {
        CodeTraits {
            folders: &[],
            frontend: true,
            injected: &[],
        }
    }
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
    /// `sensitive:` on a plain value: `Some(false)` says a value that looks
    /// random is an identifier (a Twilio Account SID), `Some(true)` that a
    /// value that looks ordinary is a secret; `None` lets its looks decide.
    pub sensitive: Option<bool>,
    /// `description:`: what the variable is for, for people. Kept where
    /// the platform has a field for it (`Traits::descriptions`).
    pub description: Option<String>,
    pub location: Location,
}

impl Variable {
    pub fn is_secret(&self) -> bool {
        matches!(self.value, VarValue::Secret(_))
    }

    /// Whether the value must never be shown: a secret reference, a plain
    /// value marked `sensitive: true`, or one that looks secret — unless it
    /// only looks random and is marked `sensitive: false` (a recognised
    /// secret format stays a secret whatever the marker says).
    pub fn is_sensitive(&self) -> bool {
        use crate::detect::{Class, classify};
        match (&self.value, self.sensitive) {
            (VarValue::Secret(_), _) | (VarValue::Plain(_), Some(true)) => true,
            (VarValue::Plain(text), Some(false)) => {
                classify(text).is_some_and(|c| c.is_secret() && c != Class::HighEntropy)
            }
            (VarValue::Plain(text), None) => crate::detect::looks_secret(text),
            (VarValue::Unset, _) => false,
        }
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
