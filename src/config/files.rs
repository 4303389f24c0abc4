//! The two file formats, as written by hand: `envctl.yaml` and
//! `environments/<name>.yaml`. These types are the source of the JSON
//! Schemas under `schemas/` (doc comments become the editor's hover text),
//! so every field here is documented for the user, not the reader of code.

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

pub use super::migrations_file::{DatabaseUrl, MigrationsSpec};
pub use super::target::TargetEntry;
pub use crate::config::load::settings::{AuthSpec, BucketSpec};
pub use crate::provider::TargetSpec;
use crate::provider::project_files;
use envctl_core::yaml::de::Spanned;

pub use envctl_core::model::policy::{
    Condition, Disable, ForbidRule, ParityConfig, PatternRule, Required, RulesConfig,
};
pub use envctl_core::model::{SecretRef, VarValue, is_env_name};

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
    /// The app's code each target serves, by target name: folders, files
    /// or globs (`src`, `apps/web/**/*.ts`) that `validate` reads for the
    /// variables the code uses. A target's own `code:` replaces this.
    /// Default: the target's platform's folders, and the frontend
    /// folders for a target that receives browser-prefixed variables.
    #[serde(default)]
    pub code: BTreeMap<String, Spanned<Vec<String>>>,
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
    /// Storage buckets every environment's project must have.
    #[serde(default)]
    pub buckets: BTreeMap<String, Spanned<Option<BucketSpec>>>,
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

// The defaults are where the platform that holds the functions and
// migrations lays them out; its folder knows where that is.
fn default_migrations() -> String {
    project_files::MIGRATIONS_DIR.into()
}
fn default_functions() -> String {
    project_files::FUNCTIONS_DIR.into()
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
    pub targets: BTreeMap<String, Spanned<TargetEntry>>,
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
    /// The Auth URL settings of this environment's Supabase project.
    pub auth: Option<Spanned<AuthSpec>>,
    /// Storage buckets this environment's Supabase project must have
    /// (added to the defaults). Never deleted by envctl.
    #[serde(default)]
    pub buckets: BTreeMap<String, Spanned<Option<BucketSpec>>>,
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
    /// `sensitive:` on a plain value: whether it is a secret, overriding
    /// what its looks say.
    pub sensitive: Option<bool>,
    /// What the variable is for, for people (one line, at most
    /// [`DESCRIPTION_MAX`] characters).
    pub description: Option<String>,
}

/// The longest `description:`: Vercel keeps a comment of 500 characters,
/// and envctl's tag takes up to 100 of them.
pub const DESCRIPTION_MAX: usize = 400;

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
    sensitive: Option<bool>,
    description: Option<String>,
}

pub(super) struct SecretRefSpec(pub(super) SecretRef);

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
                    sensitive: None,
                    description: None,
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
                    sensitive: None,
                    description: None,
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
                    (None, _) if long.sensitive.is_some() => {
                        return Err(de::Error::custom(
                            "`sensitive` goes with `value:`; a `secret:` reference is always sensitive",
                        ));
                    }
                    (Some(v), None) => VarValue::Plain(v),
                    (None, Some(s)) => VarValue::Secret(s.0),
                    (None, None) if long.description.is_some() => {
                        return Err(de::Error::custom(
                            "`description` goes with `value:` or `secret:`; an environment that only takes the default's value writes nothing, and keeps the default's description",
                        ));
                    }
                    (None, None) => VarValue::Unset,
                    (Some(_), Some(_)) => {
                        return Err(de::Error::custom(
                            "a variable has either `value` or `secret`, not both",
                        ));
                    }
                };
                if let Some(text) = &long.description {
                    check_description(text).map_err(de::Error::custom)?;
                }
                Ok(VarSpec {
                    value,
                    targets: long.targets,
                    environment_specific: long.environment_specific,
                    allow_empty: long.allow_empty,
                    sensitive: long.sensitive,
                    description: long.description,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A description is one line of at most [`DESCRIPTION_MAX`] characters.
fn check_description(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("`description` is empty: say what the variable is for, or leave it out".into());
    }
    if text.contains(['\n', '\r']) {
        return Err("`description` is one line: platforms keep it as a one-line comment".into());
    }
    let n = text.chars().count();
    if n > DESCRIPTION_MAX {
        return Err(format!(
            "`description` has {n} characters; at most {DESCRIPTION_MAX} fit beside envctl's tag where a platform keeps it"
        ));
    }
    Ok(())
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
                        "description": {
                            "type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX, "pattern": "^[^\\r\\n]*$",
                            "description": "What the variable is for, for people (one line). Kept on the platforms that have a field for it; docs/platforms.md says where."
                        },
                        "allow_empty": {
                            "type": "boolean",
                            "description": "With `secret:`: an empty or whitespace-only value from the source is meant (otherwise it is an error, as an unset CI secret arrives as \"\")."
                        },
                        "sensitive": {
                            "type": "boolean",
                            "description": "With `value:`: `false` says a random-looking value is not a secret (an identifier such as a Twilio Account SID), so it is shown and not refused as a literal secret; `true` says a value that looks ordinary is a secret, so it is masked everywhere and refused as a literal where protected. Without it, the value's looks decide."
                        }
                    },
                    "additionalProperties": false,
                    "not": { "required": ["value", "secret"] },
                    "dependentRequired": { "sensitive": ["value"] }
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

pub(super) fn secret_schema() -> Schema {
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
