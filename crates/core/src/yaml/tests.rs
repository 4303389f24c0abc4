//! Unit tests of `yaml`.

use super::*;

fn scalar(node: &Node) -> (&str, Style) {
    match &node.kind {
        Kind::Scalar { text, style } => (text, *style),
        other => panic!("not a scalar: {other:?}"),
    }
}

#[test]
fn plain_scalars_keep_their_source_text() {
    let root = parse("PORT: 08080\nFLAG: no\nX: 1.10\nY: 'quoted'\n")
        .unwrap()
        .unwrap();
    assert_eq!(
        scalar(root.at_pointer("/PORT").unwrap()),
        ("08080", Style::Plain)
    );
    assert_eq!(scalar(root.at_pointer("/FLAG").unwrap()).0, "no");
    assert_eq!(scalar(root.at_pointer("/X").unwrap()).0, "1.10");
    assert_eq!(
        scalar(root.at_pointer("/Y").unwrap()),
        ("quoted", Style::Quoted)
    );
}

#[test]
fn duplicate_keys_are_refused_with_both_lines() {
    let err = parse("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
    assert_eq!(err.pos, Pos { line: 4, column: 3 });
    assert!(err.message.contains("duplicate key `c`"), "{}", err.message);
    assert!(err.message.contains("line 3"), "{}", err.message);
}

#[test]
fn duplicates_are_found_among_thousands_of_keys_and_only_within_one_mapping() {
    let mut text = String::from("variables:\n");
    for i in 0..3000 {
        text.push_str(&format!("  VAR_{i}: v\n"));
    }
    // The same names in a sibling mapping are not duplicates.
    text.push_str("other:\n  VAR_1: v\n  VAR_2999: v\n");
    let root = parse(&text).unwrap().unwrap();
    assert!(root.at_pointer("/other/VAR_2999").is_some());

    text.push_str("  VAR_1: again\n");
    let err = parse(&text).unwrap_err();
    assert_eq!(err.pos.line, 3005);
    assert!(
        err.message.contains("duplicate key `VAR_1`"),
        "{}",
        err.message
    );
    // The first definition in the same mapping, not the one in `variables`.
    assert!(err.message.contains("line 3003"), "{}", err.message);
}

#[test]
fn syntax_errors_have_positions() {
    let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
    assert!(err.pos.line >= 1);
    assert!(err.message.starts_with("YAML syntax error"));
}

#[test]
fn pointers_find_nodes_and_keys() {
    let root = parse("variables:\n  A: x\n  B:\n    - 1\n")
        .unwrap()
        .unwrap();
    assert_eq!(root.at_pointer("/variables/B/0").unwrap().pos.line, 4);
    assert_eq!(
        root.key_pos_at_pointer("/variables/A"),
        Some(Pos { line: 2, column: 3 })
    );
    assert!(root.at_pointer("/nope").is_none());
}

#[test]
fn empty_document_is_none_and_nulls_are_recognised() {
    assert!(parse("").unwrap().is_none());
    let root = parse("a:\nb: ~\nc: 'null'\n").unwrap().unwrap();
    assert!(root.at_pointer("/a").unwrap().is_null());
    assert!(root.at_pointer("/b").unwrap().is_null());
    assert!(!root.at_pointer("/c").unwrap().is_null());
}

#[test]
fn aliases_copy_the_anchored_node() {
    let root = parse("a: &x {k: v}\nb: *x\n").unwrap().unwrap();
    assert_eq!(scalar(root.at_pointer("/b/k").unwrap()).0, "v");
}

#[test]
fn multiple_documents_are_refused() {
    assert!(
        parse("a: 1\n---\nb: 2\n")
            .unwrap_err()
            .message
            .contains("more than one")
    );
}
