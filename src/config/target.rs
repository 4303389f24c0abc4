//! A target as the environment file writes it: its platform's settings
//! (`type:` and what that platform reads), and `code:`, which every
//! platform takes. `code:` is read here, once, so no platform's settings
//! repeat it, and it is added to every platform's schema.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};

use crate::provider::TargetSpec;
use envctl_core::yaml::de::Spanned;

/// The key every target takes besides its platform's.
pub const CODE_KEY: &str = "code";

/// One entry under `targets:`.
#[derive(Debug, Clone)]
pub struct TargetEntry {
    pub spec: TargetSpec,
    /// `code:` as written, with where.
    pub code: Option<Spanned<Vec<String>>>,
}

impl<'de> Deserialize<'de> for TargetEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TargetEntry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a target: `type:` and its settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TargetEntry, A::Error> {
                let mut code = None;
                let rest = WithoutCode {
                    inner: map,
                    code: &mut code,
                };
                let spec = TargetSpec::deserialize(de::value::MapAccessDeserializer::new(rest))?;
                Ok(TargetEntry { spec, code })
            }
        }
        d.deserialize_map(V)
    }
}

/// The entries of a target's mapping with `code:` taken out: what is left
/// is its platform's, whose settings refuse unknown keys.
struct WithoutCode<'c, A> {
    inner: A,
    code: &'c mut Option<Spanned<Vec<String>>>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WithoutCode<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.inner.next_key::<String>()? else {
                return Ok(None);
            };
            if key == CODE_KEY {
                *self.code = Some(self.inner.next_value()?);
                continue;
            }
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.inner.next_value_seed(seed)
    }
}

impl JsonSchema for TargetEntry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Target".into()
    }

    /// Every platform's schema, each with `code:`.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = TargetSpec::json_schema(generator);
        let code = serde_json::json!({
            "description": "The app's code this target serves: folders, files or globs (`src`, `backend/api`, `apps/web/**/*.ts`), relative to envctl.yaml. `validate` reads the JavaScript and TypeScript there for the variables it uses (rules undeclared-variable, unused-variable, hardcoded-localhost). Default: the folders the target's platform runs (its functions folder) and, for a target that receives browser-prefixed variables (`VITE_*`, `NEXT_PUBLIC_*`), `src`, `app`, `pages`, `lib` and `components`: those that exist. `[]` scans nothing.",
            "type": "array",
            "items": { "type": "string", "minLength": 1 }
        });
        let variants = schema
            .get_mut("oneOf")
            .and_then(|v| v.as_array_mut())
            .into_iter()
            .flatten();
        for variant in variants {
            if let Some(properties) = variant
                .get_mut("properties")
                .and_then(|p| p.as_object_mut())
            {
                properties.insert(CODE_KEY.into(), code.clone());
            }
        }
        schema
    }
}
