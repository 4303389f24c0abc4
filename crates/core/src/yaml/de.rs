//! serde over the spanned tree: typed structs from [`Node`]s, with every
//! error carrying the position of the node that caused it.
//!
//! Scalars reach visitors as the text the user wrote; booleans and numbers
//! are parsed only where the type asks for one, and then strictly (`true`
//! and `false`, never `yes`/`no`). [`Spanned`] lets a type keep the position
//! of a value, so later checks (rules, semantics) can name a line too.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;

use super::{Key, Kind, Node, Pos, Style};

/// A deserialization error at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

impl Error {
    fn at(mut self, pos: Pos) -> Error {
        self.pos.get_or_insert(pos);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Error {
        Error {
            pos: None,
            message: msg.to_string(),
            help: None,
        }
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Error {
        Error {
            pos: None,
            message: format!("unknown key `{field}`"),
            help: Some(suggest(field, expected)),
        }
    }

    /// serde's own wording (`invalid type: string "…"`) is reached through
    /// internally tagged enums, which serde buffers past our deserializer:
    /// reword it like ours, and never echo a value that looks like a secret.
    fn invalid_type(found: de::Unexpected<'_>, expected: &dyn de::Expected) -> Error {
        Error::custom(format_args!(
            "expected {expected}, found {}",
            unexpected(found)
        ))
    }

    fn invalid_value(found: de::Unexpected<'_>, expected: &dyn de::Expected) -> Error {
        Error::invalid_type(found, expected)
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Error {
        Error {
            pos: None,
            message: format!("unknown value `{variant}`"),
            help: Some(suggest(variant, expected)),
        }
    }
}

/// What was found, as our own messages say it.
fn unexpected(found: de::Unexpected<'_>) -> String {
    match found {
        de::Unexpected::Str(text) if crate::detect::looks_secret(text) => {
            "a value that looks like a secret".to_string()
        }
        de::Unexpected::Str(text) => format!("`{}`", shorten(text)),
        de::Unexpected::Bool(b) => format!("`{b}`"),
        de::Unexpected::Unit => "nothing (null)".to_string(),
        de::Unexpected::Seq => "a list".to_string(),
        de::Unexpected::Map => "a mapping".to_string(),
        other => other.to_string(),
    }
}

/// "did you mean …" for a misspelt name, else the list of valid names.
pub fn suggest(found: &str, expected: &[&str]) -> String {
    match closest(found, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if expected.is_empty() => "remove it".to_string(),
        None => format!("expected one of: {}", expected.join(", ")),
    }
}

/// The candidate nearest to `found` by edit distance, if near enough to be
/// a plausible typo.
pub fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let found_lower = found.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&found_lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= (c.chars().count().max(3) / 3).max(1) + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Deserializes `T` from a node.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &'de Node) -> Result<T, Error> {
    T::deserialize(NodeDe(node))
}

pub use crate::span::Spanned;
use crate::span::{SPANNED, SPANNED_FIELDS};

#[derive(Clone, Copy)]
struct NodeDe<'a>(&'a Node);

impl<'a> NodeDe<'a> {
    fn scalar(&self) -> Option<(&'a str, Style)> {
        match &self.0.kind {
            Kind::Scalar { text, style } => Some((text.as_str(), *style)),
            _ => None,
        }
    }

    fn invalid(&self, expected: &str) -> Error {
        let found = match self.scalar() {
            _ if self.0.is_null() => "nothing (null)".to_string(),
            // A secret pasted into the wrong key must not reach a CI log.
            Some((text, _)) if crate::detect::looks_secret(text) => {
                "a value that looks like a secret".to_string()
            }
            Some((text, _)) => format!("`{}`", shorten(text)),
            None => self.0.describe().to_string(),
        };
        Error {
            pos: Some(self.0.pos),
            message: format!("expected {expected}, found {found}"),
            help: None,
        }
    }

    fn parse_plain<T: std::str::FromStr>(&self, expected: &str) -> Result<T, Error> {
        match self.scalar() {
            Some((text, Style::Plain)) => text.parse().map_err(|_| self.invalid(expected)),
            _ => Err(self.invalid(expected)),
        }
    }
}

fn shorten(text: &str) -> String {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.chars().count() > 40 || first_line.len() < text.len() {
        format!("{}…", first_line.chars().take(40).collect::<String>())
    } else {
        first_line.to_string()
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let n: $ty = self.parse_plain(concat!("a number (", stringify!($ty), ")"))?;
            visitor.$visit(n).map_err(|e: Error| e.at(self.0.pos))
        }
    )*};
}

impl<'de> Deserializer<'de> for NodeDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let result = match &self.0.kind {
            _ if self.0.is_null() => visitor.visit_unit(),
            // serde buffers internally tagged enums through `deserialize_any`;
            // only YAML 1.2's exact booleans are given as booleans, so the
            // source text is still recoverable (`true` → "true").
            Kind::Scalar {
                text,
                style: Style::Plain,
            } if text == "true" || text == "false" => visitor.visit_bool(text == "true"),
            Kind::Scalar { text, .. } => visitor.visit_borrowed_str(text),
            Kind::Seq(items) => visitor.visit_seq(Items {
                items: items.iter(),
            }),
            Kind::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        };
        result.map_err(|e: Error| e.at(self.0.pos))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.scalar() {
            Some(("true", Style::Plain)) => visitor.visit_bool(true),
            Some(("false", Style::Plain)) => visitor.visit_bool(false),
            _ => Err(self.invalid("`true` or `false`")),
        }
    }

    parse_number! {
        deserialize_u8 => visit_u8: u8, deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32, deserialize_u64 => visit_u64: u64,
        deserialize_i8 => visit_i8: i8, deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32, deserialize_i64 => visit_i64: i64,
        deserialize_f32 => visit_f32: f32, deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.kind {
            _ if self.0.is_null() => Err(self.invalid("a string")),
            Kind::Scalar { text, .. } => visitor
                .visit_borrowed_str(text)
                .map_err(|e: Error| e.at(self.0.pos)),
            _ => Err(self.invalid("a string")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_null() {
            visitor.visit_unit()
        } else {
            Err(self.invalid("nothing (null)"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.kind {
            Kind::Seq(items) => visitor
                .visit_seq(Items {
                    items: items.iter(),
                })
                .map_err(|e: Error| e.at(self.0.pos)),
            _ => Err(self.invalid("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        v: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.kind {
            Kind::Map(entries) => visitor
                .visit_map(Entries {
                    entries: entries.iter(),
                    value: None,
                })
                .map_err(|e: Error| e.at(self.0.pos)),
            _ => Err(self.invalid("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPANNED {
            return visitor.visit_map(SpannedAccess {
                node: self.0,
                field: 0,
            });
        }
        let _ = fields;
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.0.kind {
            Kind::Scalar { text, .. } => visitor
                .visit_enum(text.as_str().into_deserializer())
                .map_err(|e: Error| e.at(self.0.pos)),
            _ => Err(self.invalid("one of the listed names")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! { i128 u128 bytes byte_buf }
}

struct Items<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDe(node))
                .map(Some)
                .map_err(|e: Error| e.at(node.pos)),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (Key, Node)>,
    value: Option<&'a Node>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(KeyDe {
            text: &key.text,
            pos: key.pos,
        })
        .map(Some)
        .map_err(|e: Error| e.at(key.pos))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let node = self
            .value
            .take()
            .expect("serde asks for a value after its key");
        seed.deserialize(NodeDe(node))
            .map_err(|e: Error| e.at(node.pos))
    }
}

/// Keys are always strings; borrowing the key text keeps `&str` keys cheap.
struct KeyDe<'a> {
    text: &'a str,
    pos: Pos,
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor
            .visit_borrowed_str(self.text)
            .map_err(|e: Error| e.at(self.pos))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor
            .visit_enum(self.text.into_deserializer())
            .map_err(|e: Error| e.at(self.pos))
    }
    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// Feeds [`Spanned`]'s visitor the line, the column, then the value.
struct SpannedAccess<'a> {
    node: &'a Node,
    field: usize,
}

impl<'de> MapAccess<'de> for SpannedAccess<'de> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(name) = SPANNED_FIELDS.get(self.field) else {
            return Ok(None);
        };
        seed.deserialize((*name).into_deserializer()).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.field += 1;
        match self.field {
            1 => seed.deserialize(self.node.pos.line.into_deserializer()),
            2 => seed.deserialize(self.node.pos.column.into_deserializer()),
            _ => seed.deserialize(NodeDe(self.node)),
        }
    }
}

#[cfg(test)]
#[path = "de_tests.rs"]
mod tests;
