//! Unit tests of `de`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::*;
use crate::yaml::parse;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sample {
    #[serde(default)]
    protected: bool,
    #[serde(default)]
    variables: BTreeMap<String, Spanned<String>>,
    count: Option<u32>,
}

fn load(text: &str) -> Result<Sample, Error> {
    let node = parse(text).unwrap().unwrap();
    from_node(&node)
}

#[test]
fn strings_are_source_text_and_positions_are_kept() {
    let s = load("variables:\n  PORT: 08080\n  FLAG: no\n  X: 1.10\n").unwrap();
    assert_eq!(s.variables["PORT"].value, "08080");
    assert_eq!(s.variables["FLAG"].value, "no");
    assert_eq!(s.variables["X"].value, "1.10");
    assert_eq!(s.variables["FLAG"].pos, Pos { line: 3, column: 9 });
}

#[test]
fn unknown_keys_suggest_the_nearest_name() {
    let err = load("protectd: true\n").unwrap_err();
    assert_eq!(err.message, "unknown key `protectd`");
    assert_eq!(err.help.as_deref(), Some("did you mean `protected`?"));
    assert_eq!(err.pos, Some(Pos { line: 1, column: 1 }));
}

#[test]
fn booleans_are_strict() {
    let err = load("protected: yes\n").unwrap_err();
    assert_eq!(err.message, "expected `true` or `false`, found `yes`");
    assert_eq!(
        err.pos,
        Some(Pos {
            line: 1,
            column: 12
        })
    );
    assert!(load("protected: true\n").unwrap().protected);
}

#[test]
fn wrong_types_name_what_was_found() {
    let err = load("variables:\n  A: [1, 2]\n").unwrap_err();
    assert_eq!(err.message, "expected a string, found a list");
    assert_eq!(err.pos, Some(Pos { line: 2, column: 6 }));
    assert_eq!(load("count: 7\n").unwrap().count, Some(7));
    let err = load("count: many\n").unwrap_err();
    assert!(
        err.message.starts_with("expected a number"),
        "{}",
        err.message
    );
}

#[test]
fn type_errors_never_echo_a_secret_looking_value() {
    let err = load("protected: sk_live_51HxCANARYvalue\n").unwrap_err();
    assert_eq!(
        err.message,
        "expected `true` or `false`, found a value that looks like a secret"
    );
}

#[test]
fn serde_wording_is_ours_and_never_echoes_a_secret() {
    use de::Error as _;
    let err = Error::invalid_type(de::Unexpected::Str("maybe"), &"a boolean");
    assert_eq!(err.message, "expected a boolean, found `maybe`");
    let err = Error::invalid_type(de::Unexpected::Str("sk_live_51HxCANARYvalue"), &"a boolean");
    assert!(!err.message.contains("CANARY"), "{}", err.message);
}

#[test]
fn suggestions_only_for_plausible_typos() {
    assert_eq!(
        closest("VITE_API_ULR", ["VITE_API_URL", "VITE_WS_URL"]),
        Some("VITE_API_URL")
    );
    assert_eq!(closest("zzz", ["protected", "aliases"]), None);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}
