//! The `rules:` section of `envctl.yaml`, as written: which built-in rules
//! are off where, and the team's own `required`, `forbid` and `patterns`.
//! The doc comments are the editor's hover text (the JSON Schemas under
//! `schemas/` come from these types).

use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::span::Spanned;

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
    /// (Supabase, Vercel, GitHub). Default 90: a quarterly rotation.
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
