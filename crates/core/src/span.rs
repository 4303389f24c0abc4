//! Positions in the user's files, and values that remember theirs.
//!
//! [`Spanned`] deserializes through any serde deserializer that recognises
//! the [`SPANNED`] struct name (envctl's YAML layer does), the way
//! `serde_spanned` works with `toml`: the type lives here, the reading
//! stays with the parser.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A position in a file, 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub pos: Pos,
    pub value: T,
}

/// The struct name [`Spanned`] asks a deserializer for: envctl's YAML layer
/// recognises it and feeds the line, the column, then the value.
pub const SPANNED: &str = "$__envctl_spanned";
pub const SPANNED_FIELDS: &[&str] = &["$__line", "$__column", "$__value"];

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpannedVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
            type Value = Spanned<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Spanned<T>, A::Error> {
                let missing =
                    || de::Error::custom("spanned values are only read from envctl's YAML layer");
                let (_, line): (String, usize) = map.next_entry()?.ok_or_else(missing)?;
                let (_, column): (String, usize) = map.next_entry()?.ok_or_else(missing)?;
                let (_, value): (String, T) = map.next_entry()?.ok_or_else(missing)?;
                Ok(Spanned {
                    pos: Pos { line, column },
                    value,
                })
            }
        }
        deserializer.deserialize_struct(
            SPANNED,
            SPANNED_FIELDS,
            SpannedVisitor(std::marker::PhantomData),
        )
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}
