//! The two file formats, as written by hand: `envctl.yaml` and
//! `environments/<name>.yaml`. These types are the source of the JSON
//! Schemas under `schemas/` (doc comments become the editor's hover text),
//! so every field here is documented for the user, not the reader of code.

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::provider::{cloudflare, dotenv, supabase, vercel};
use crate::yaml::de::Spanned;

/// `envctl.yaml`: the project, with what all environments share.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Format version of the envctl files. Always `1`.
    pub version: u32,
    /// The app's name; names keyring entries and saved plans.
    pub project: String,
    /// Other names for environments, e.g. `prod: production`, so that
    /// `envctl plan prod` works.
    #[serde(default)]
    pub aliases: BTreeMap<String, Spanned<String>>,
    /// Variables, Edge Functions and migration head shared by all
    /// environments; an environment file overrides them key by key.
    #[serde(default)]
    pub defaults: Defaults,
    /// Which variables each target receives, by target name: a list of
    /// names and glob patterns such as `VITE_*`. A target's own `receives`
    /// replaces this.
    #[serde(default)]
    pub routes: BTreeMap<String, Spanned<Vec<String>>>,
    /// Configuration of the rules every plan is checked against.
    #[serde(default)]
    pub rules: RulesConfig,
    /// Where the Supabase project files live, relative to this file.
    #[serde(default)]
    pub paths: Paths,
    /// The audit log: one JSON line per change each apply makes.
    #[serde(default)]
    pub audit: Audit,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Audit {
    /// Append to the log on every apply. Default `true`.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The log file, relative to this file. Default `.envctl/audit.jsonl`.
    #[serde(default = "default_audit_path")]
    pub path: String,
}

fn default_audit_path() -> String {
    ".envctl/audit.jsonl".into()
}

impl Default for Audit {
    fn default() -> Self {
        Audit {
            enabled: true,
            path: default_audit_path(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Variables every environment has unless it overrides them.
    #[serde(default)]
    pub variables: BTreeMap<String, Spanned<VarSpec>>,
    /// Edge Functions every environment must have.
    #[serde(default)]
    pub functions: BTreeMap<String, Spanned<Option<FunctionSpec>>>,
    /// The migration head every environment must be at.
    pub migrations: Option<Spanned<MigrationsSpec>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// The Supabase migrations folder (`<version>_<name>.sql` files).
    #[serde(default = "default_migrations")]
    pub migrations: String,
    /// The Supabase Edge Functions folder (one folder per function).
    #[serde(default = "default_functions")]
    pub functions: String,
}

fn default_migrations() -> String {
    "supabase/migrations".into()
}
fn default_functions() -> String {
    "supabase/functions".into()
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            migrations: default_migrations(),
            functions: default_functions(),
        }
    }
}

/// `environments/<name>.yaml`: one environment.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentFile {
    /// A protected environment (production) has its rules enforced as
    /// refusals rather than warnings, and deletes need `--allow-delete`.
    #[serde(default)]
    pub protected: bool,
    /// A local (developer machine) environment: localhost URLs are fine
    /// here. Defaults to true for the environment named `local`.
    pub local: Option<bool>,
    /// Where this environment's variables go, by target name.
    #[serde(default)]
    pub targets: BTreeMap<String, Spanned<TargetSpec>>,
    /// Variables: a plain value, `{ secret: <reference> }`, or `~` to drop a
    /// default in this environment.
    #[serde(default)]
    pub variables: BTreeMap<String, Spanned<VarSpec>>,
    /// Edge Functions that must exist in this environment's Supabase
    /// project (added to the defaults).
    #[serde(default)]
    pub functions: BTreeMap<String, Spanned<Option<FunctionSpec>>>,
    /// The migration head this environment must be at.
    pub migrations: Option<Spanned<MigrationsSpec>>,
}

// Each platform's folder defines its settings (their doc comments are the
// schema's hover text); `type` picks one.
/// A target: somewhere variables are written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum TargetSpec {
    /// A dotenv file on this machine, as Vite and Next.js read it.
    Dotenv(dotenv::Settings),
    /// A Supabase project's Edge Function secrets, functions and migrations.
    Supabase(supabase::Settings),
    /// A Vercel project's environment variables for one target.
    Vercel(vercel::Settings),
    /// A Cloudflare Pages project's environment variables for one
    /// deployment environment, and optionally the migration history of a
    /// D1 database.
    Cloudflare(cloudflare::Settings),
}

impl TargetSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            TargetSpec::Dotenv(_) => "dotenv",
            TargetSpec::Supabase(_) => "supabase",
            TargetSpec::Vercel(_) => "vercel",
            TargetSpec::Cloudflare(_) => "cloudflare",
        }
    }

    pub fn receives(&self) -> Option<&[String]> {
        match self {
            TargetSpec::Dotenv(s) => s.receives.as_deref(),
            TargetSpec::Supabase(s) => s.receives.as_deref(),
            TargetSpec::Vercel(s) => s.receives.as_deref(),
            TargetSpec::Cloudflare(s) => s.receives.as_deref(),
        }
    }

    pub fn prune(&self) -> bool {
        match self {
            TargetSpec::Dotenv(s) => s.prune,
            TargetSpec::Supabase(s) => s.prune,
            TargetSpec::Vercel(s) => s.prune,
            TargetSpec::Cloudflare(s) => s.prune,
        }
    }

    /// A short human description: `dotenv .env.local`, `supabase abcd…`.
    pub fn describe(&self) -> String {
        match self {
            TargetSpec::Dotenv(s) => s.describe(),
            TargetSpec::Supabase(s) => s.describe(),
            TargetSpec::Vercel(s) => s.describe(),
            TargetSpec::Cloudflare(s) => s.describe(),
        }
    }
}

/// One variable as written: a plain value, a secret reference, or unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarSpec {
    pub value: VarValue,
    /// Explicit target names; overrides routing by pattern.
    pub targets: Option<Vec<String>>,
    /// Exempt from the cross-environment parity rule.
    pub environment_specific: bool,
    /// A secret whose source may give an empty or blank value on purpose;
    /// without it such a value is an error (an unset CI secret arrives as "").
    pub allow_empty: bool,
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
    fn parse(text: &str) -> Result<SecretRef, String> {
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

/// The long form of a variable.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VarLong {
    value: Option<String>,
    secret: Option<SecretRefSpec>,
    targets: Option<Vec<String>>,
    #[serde(default)]
    environment_specific: bool,
    #[serde(default)]
    allow_empty: bool,
}

struct SecretRefSpec(SecretRef);

impl<'de> Deserialize<'de> for SecretRefSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Command {
            command: Vec<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SecretRefSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a secret reference")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SecretRefSpec, E> {
                SecretRef::parse(v).map(SecretRefSpec).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<SecretRefSpec, A::Error> {
                let c = Command::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if c.command.is_empty() {
                    return Err(de::Error::custom(
                        "`command` needs at least the program to run",
                    ));
                }
                Ok(SecretRefSpec(SecretRef::Command(c.command)))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for VarSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = VarSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value, `{ secret: … }`, or `~`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<VarSpec, E> {
                Ok(VarSpec {
                    value: VarValue::Plain(v.to_string()),
                    targets: None,
                    environment_specific: false,
                    allow_empty: false,
                })
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<VarSpec, E> {
                self.visit_str(if v { "true" } else { "false" })
            }
            fn visit_unit<E: de::Error>(self) -> Result<VarSpec, E> {
                Ok(VarSpec {
                    value: VarValue::Unset,
                    targets: None,
                    environment_specific: false,
                    allow_empty: false,
                })
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<VarSpec, A::Error> {
                Err(de::Error::custom(
                    "expected a value, found a list: quote it to keep it as text, e.g. \"a,b\"",
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<VarSpec, A::Error> {
                let long = VarLong::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let value = match (long.value, long.secret) {
                    (_, None) if long.allow_empty => {
                        return Err(de::Error::custom(
                            "`allow_empty` goes with `secret:`; a plain value is written as it is",
                        ));
                    }
                    (Some(v), None) => VarValue::Plain(v),
                    (None, Some(s)) => VarValue::Secret(s.0),
                    (None, None) => VarValue::Unset,
                    (Some(_), Some(_)) => {
                        return Err(de::Error::custom(
                            "a variable has either `value` or `secret`, not both",
                        ));
                    }
                };
                Ok(VarSpec {
                    value,
                    targets: long.targets,
                    environment_specific: long.environment_specific,
                    allow_empty: long.allow_empty,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for VarSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Variable".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let secret = secret_schema();
        json_schema!({
            "description": "A plain value (kept exactly as written), `{ secret: <reference> }`, or `~` to drop a default.",
            "anyOf": [
                { "type": ["string", "number", "boolean", "null"] },
                {
                    "type": "object",
                    "properties": {
                        "value": { "type": ["string", "number", "boolean"], "description": "A plain value." },
                        "secret": secret,
                        "targets": {
                            "type": "array", "items": { "type": "string" },
                            "description": "Target names that receive this variable; overrides routing by pattern."
                        },
                        "environment_specific": {
                            "type": "boolean",
                            "description": "Exempt from the cross-environment parity rule."
                        },
                        "allow_empty": {
                            "type": "boolean",
                            "description": "With `secret:`: an empty or whitespace-only value from the source is meant (otherwise it is an error, as an unset CI secret arrives as \"\")."
                        }
                    },
                    "additionalProperties": false,
                    "not": { "required": ["value", "secret"] }
                }
            ]
        })
    }
}

/// An Edge Function that must exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Require a valid JWT on every request (Supabase's default). Webhook
    /// receivers such as `stripe-webhook` set this to false.
    #[serde(default = "yes")]
    pub verify_jwt: bool,
}

fn yes() -> bool {
    true
}

impl Default for FunctionSpec {
    fn default() -> Self {
        FunctionSpec { verify_jwt: true }
    }
}

fn secret_schema() -> Schema {
    json_schema!({
        "description": "Where the value comes from: `env:NAME`, `file:PATH`, `keyring`, or `{ command: [program, arg…] }`.",
        "anyOf": [
            { "type": "string", "pattern": "^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|keyring)$" },
            {
                "type": "object",
                "properties": { "command": { "type": "array", "items": { "type": "string" }, "minItems": 1 } },
                "required": ["command"],
                "additionalProperties": false
            }
        ]
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSpec {
    /// `latest` (the newest file in the migrations folder) or a pinned
    /// version such as `"20240101120000"`. An environment that leaves it
    /// out takes the default's.
    #[serde(default)]
    #[schemars(schema_with = "head_schema")]
    pub head: Option<String>,
    /// The environment's PostgreSQL database, as `{ secret: env:NAME }`
    /// (the URL holds a password, so it is always a secret reference):
    /// `postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=PATH`.
    /// With it, envctl reads the applied history from
    /// `supabase_migrations.schema_migrations` directly, and
    /// `envctl apply ENV --migrations` applies pending files. Only in an
    /// environment file: each environment has its own database.
    #[serde(default)]
    pub database_url: Option<DatabaseUrl>,
}

/// A database URL: only ever a secret reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub SecretRef);

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            secret: SecretRefSpec,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DatabaseUrl;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ secret: <reference> }`")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<DatabaseUrl, E> {
                // Never echoed: it likely holds a password.
                Err(E::custom(
                    "a database URL holds a password: write `{ secret: env:NAME }` (or `file:PATH`, `{ command: [...] }`), not the URL",
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DatabaseUrl, A::Error> {
                let long = Long::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(DatabaseUrl(long.secret.0))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for DatabaseUrl {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DatabaseUrl".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`{ secret: <reference> }`: where the database URL comes from; never the URL itself.",
            "type": "object",
            "properties": { "secret": secret_schema() },
            "required": ["secret"],
            "additionalProperties": false
        })
    }
}

fn head_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [ { "const": "latest" }, { "type": ["string", "integer"], "pattern": "^[0-9]+$" } ] })
}

/// Rule configuration. Every built-in rule is on by default; `disable`
/// switches one off everywhere (`all`) or in the listed environments.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Built-in rules to switch off: rule id → `all`, or a list of
    /// environment names.
    #[serde(default)]
    pub disable: BTreeMap<String, Spanned<Disable>>,
    /// Bypass flags (names or globs) that must be unset or false in
    /// protected environments. Default: `["*_BYPASS", "*_BYPASS_*", "ALLOW_*_FALLBACK"]`.
    pub forbidden_flags: Option<Vec<String>>,
    /// Prefixes that bundlers expose to the browser. Default:
    /// `VITE_`, `NEXT_PUBLIC_`, `PUBLIC_`, `EXPO_PUBLIC_`, `REACT_APP_`.
    pub client_prefixes: Option<Vec<String>>,
    /// Variables that must be set: always, under a condition, or
    /// together with others.
    #[serde(default)]
    pub required: Vec<Spanned<Required>>,
    /// Cross-environment parity: which environments must declare the same
    /// keys. Default: every environment that is not local.
    pub parity: Option<ParityConfig>,
    /// Custom refusals: a name (glob) that must not be set, or must not
    /// have a value matching a regex.
    #[serde(default)]
    pub forbid: Vec<Spanned<ForbidRule>>,
    /// Custom value patterns: values of matching names must match a regex.
    #[serde(default)]
    pub patterns: Vec<Spanned<PatternRule>>,
    /// Warn (rule `secret-age`) about a live secret last updated more than
    /// this many days ago, where the platform reports update times
    /// (Supabase, Vercel). Default 90: a quarterly rotation.
    pub secret_max_age_days: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disable {
    All,
    In(Vec<String>),
}

impl<'de> Deserialize<'de> for Disable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Disable;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`all` or a list of environment names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Disable, E> {
                if v == "all" {
                    Ok(Disable::All)
                } else {
                    Err(E::custom(format!(
                        "expected `all` or a list of environment names, found `{v}`"
                    )))
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Disable, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(Disable::In(names))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Disable {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Disable".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [ { "const": "all" }, { "type": "array", "items": { "type": "string" } } ] })
    }
}

/// A required variable: a name, or `{ name | names | together, when,
/// environments }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    /// The variables that must be set: one for `name`, several for
    /// `names` or `together`.
    pub names: Vec<String>,
    pub when: Option<Condition>,
    /// `together`: the rule applies as soon as any of `names` is set.
    pub together: bool,
    pub environments: Option<Vec<String>>,
}

/// When a conditional requirement applies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The variable the condition looks at.
    pub variable: String,
    /// Applies when the variable has exactly this value; without it, when
    /// the variable is set at all.
    pub equals: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RequiredLong {
    /// The variable that must be set.
    name: Option<String>,
    /// Several variables that must be set (under the same `when`).
    names: Option<Vec<String>>,
    /// Variables that go together: when any of them is set, all must be
    /// (e.g. an API's account id, token and sender). Not with `when`.
    together: Option<Vec<String>>,
    /// Only when this holds.
    when: Option<Condition>,
    /// Only in these environments (default: all).
    environments: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Required;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a variable name or `{ name, when }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Required, E> {
                Ok(Required {
                    names: vec![v.to_string()],
                    when: None,
                    together: false,
                    environments: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Required, A::Error> {
                let l = RequiredLong::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let (names, together) = match (l.name, l.names, l.together) {
                    (Some(name), None, None) => (vec![name], false),
                    (None, Some(names), None) if !names.is_empty() => (names, false),
                    (None, None, Some(group)) if group.len() >= 2 => (group, true),
                    (None, None, Some(_)) => {
                        return Err(de::Error::custom("`together` lists two or more variables"));
                    }
                    _ => {
                        return Err(de::Error::custom(
                            "a required entry has exactly one of `name`, `names` (a non-empty list) or `together`",
                        ));
                    }
                };
                if together && l.when.is_some() {
                    return Err(de::Error::custom(
                        "`together` is its own condition (any of them set): use `names` with `when`",
                    ));
                }
                Ok(Required {
                    names,
                    when: l.when,
                    together,
                    environments: l.environments,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Required {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Required".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [ { "type": "string" }, generator.subschema_for::<RequiredLong>() ] })
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParityConfig {
    /// Environments that must declare the same keys.
    pub environments: Spanned<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForbidRule {
    /// Variable name or glob.
    pub name: String,
    /// Only refuse values matching this regex; without it, refuse any value.
    pub value: Option<String>,
    /// Only in these environments (default: protected ones).
    pub environments: Option<Vec<String>>,
    /// Why, shown with the finding.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    /// Variable name or glob.
    pub name: String,
    /// Plain values of matching variables must match this regex.
    pub regex: String,
    /// Only in these environments (default: all).
    pub environments: Option<Vec<String>>,
    /// Why, shown with the finding.
    pub message: Option<String>,
}
