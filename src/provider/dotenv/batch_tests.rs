//! One pass gives what edits one by one give: same text, same refusals.

use super::*;

fn doc(text: &str) -> Document {
    Document::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// The text after `edits` one by one, as before the one-pass path.
fn one_by_one(text: &str, edits: &[Edit<'_>]) -> Result<String, String> {
    let mut d = doc(text);
    for &(key, value) in edits {
        match value {
            Some(v) => d.try_set(key, v)?,
            None => _ = d.remove(key),
        }
    }
    Ok(d.render())
}

/// A large file: a comment and an `export` every so often, duplicates,
/// quoted values, a value with a `$`, and opaque text.
fn large(n: usize) -> String {
    let mut text = String::from("# generated\nopaque line kept\n\n");
    for i in 0..n {
        match i % 10 {
            0 => text.push_str(&format!("# about V{i}\nexport V{i}=plain{i} # note\n")),
            3 => text.push_str(&format!("V{i}=\"two words {i}\"\n")),
            5 => text.push_str(&format!("V{i}='single'\nV{i}=dup{i}\n")),
            7 => text.push_str(&format!("V{i}=cost\\$ {i}\n")),
            _ => text.push_str(&format!("V{i}=v{i}\n")),
        }
    }
    text + "# tail\n"
}

#[test]
fn a_large_file_edited_in_one_pass_matches_edits_one_by_one() {
    let n = 600;
    let text = large(n);
    let values: Vec<String> = (0..n + 500)
        .map(|i| format!("new #{i} value\nline"))
        .collect();
    let original = doc(&text);
    let mut edits: Vec<Edit<'_>> = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let key: &'static str = Box::leak(format!("V{i}").into_boxed_str());
        match i % 4 {
            0 => edits.push((key, Some(v))),
            1 if i % 8 == 1 => edits.push((key, None)),
            2 if i < n => edits.push((key, Some(original.get(key).unwrap_or("?")))),
            _ => {}
        }
    }
    let mut d = doc(&text);
    assert!(
        d.edit_all(&edits),
        "an ordinary file takes the one-pass path"
    );
    assert_eq!(d.render(), one_by_one(&text, &edits).unwrap());
    // Content, order and comments.
    let out = d.render();
    assert!(out.starts_with("# generated\nopaque line kept\n\n# about V0\nexport V0="));
    assert!(out.ends_with(&format!("V{}=\"new #{} value\\nline\"\n", n + 496, n + 496)));
    assert!(
        out.contains("# about V20\nexport V20=\"new #20 value\\nline\" # note\n"),
        "{}",
        &out[..300]
    );
    assert_eq!(out.matches("# about").count(), n / 10);
    assert_eq!(d.get("V1"), None);
    assert_eq!(d.get("V2"), Some("v2"));
    assert_eq!((d.get("V5"), d.get("V7")), (Some("dup5"), Some("cost$ 7")));
    assert_eq!(d.get("V3"), Some("two words 3"));
    assert_eq!(d.get("V4"), Some("new #4 value\nline"));
    let order: Vec<&str> = d.entries().into_iter().map(|(k, _)| k).collect();
    let v3 = order.iter().position(|&k| k == "V3");
    assert!(v3 < order.iter().position(|&k| k == "V4"));
    assert_eq!(order.last(), Some(&format!("V{}", n + 496).as_str()));
}

#[test]
fn unusual_files_fall_back_and_change_nothing() {
    let cases: [(&str, &[Edit<'_>]); 5] = [
        ("A=1\nB=2", &[("A", Some("x")), ("C", Some("3"))]),
        ("A=1\r\nB=2\n", &[("A", Some("x"))]),
        ("A=1\n", &[("A", Some("x")), ("A", None)]),
        ("A=1\n", &[("A", Some("a\rb"))]),
        ("A=1\n", &[("B", Some("a\0b"))]),
    ];
    for (text, edits) in cases {
        let mut d = doc(text);
        assert!(!d.edit_all(edits), "{text:?}");
        assert_eq!(d.render(), text);
    }
    // A CRLF file takes the one-pass path and keeps its line ends.
    let mut d = doc("A=1\r\nB=2\r\n");
    let edits = [("B", Some("x\ny")), ("C", Some("3")), ("A", None)];
    assert!(d.edit_all(&edits));
    assert_eq!(d.render(), one_by_one("A=1\r\nB=2\r\n", &edits).unwrap());
    assert_eq!(d.render(), "B=\"x\\ny\"\r\nC=3\r\n");
}
