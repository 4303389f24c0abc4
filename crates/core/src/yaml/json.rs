//! The tree as JSON, the way an editor's YAML language server sees it, so
//! that the JSON Schema check in `validate` agrees with the editor.
//!
//! This resolves plain scalars with YAML 1.2's core schema (`true`, `8080`,
//! `~`), which is exactly what envctl itself does *not* do for values; the
//! schemas therefore accept numbers and booleans wherever a value goes.

use serde_json::{Map, Number, Value};

use super::{Kind, Node, Style};

pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        _ if node.is_null() => Value::Null,
        Kind::Scalar {
            text,
            style: Style::Plain,
        } => resolve_plain(text),
        Kind::Scalar { text, .. } => Value::String(text.clone()),
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn resolve_plain(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = text.parse::<i64>()
    {
        return Value::Number(n.into());
    }
    let looks_float = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if looks_float && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn plain_scalars_resolve_like_an_editor_would() {
        let node = parse("a: 08080\nb: true\nc: no\nd: '1'\ne: 1.10\nf: ~\ng: 1.2.3\n")
            .unwrap()
            .unwrap();
        let json = to_json(&node);
        assert_eq!(json["a"], Value::from(8080));
        assert_eq!(json["b"], Value::Bool(true));
        assert_eq!(json["c"], Value::from("no"));
        assert_eq!(json["d"], Value::from("1"));
        assert_eq!(json["e"], Value::from(1.1));
        assert_eq!(json["f"], Value::Null);
        assert_eq!(json["g"], Value::from("1.2.3"));
    }
}
