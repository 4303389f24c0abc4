//! The dotenv dialect checked against node: the fixture corpus read and
//! written as `dotenv` reads it, edits that keep the rest of a file, and
//! errors that never show a value.

use super::*;

const FIXTURE: &str = include_str!("../../../tests/fixtures/dotenv/node_parse_corpus.txt");

/// Fixture records of one kind, fields unescaped (see the file's header).
fn records(kind: &str) -> Vec<Vec<String>> {
    let unescape = |f: &str| {
        let parts = f.split("\\\\").map(|p| {
            let p = p.replace("\\n", "\n").replace("\\r", "\r");
            p.replace("\\t", "\t")
        });
        parts.collect::<Vec<_>>().join("\\")
    };
    let rows = FIXTURE
        .lines()
        .filter_map(|l| l.strip_prefix(kind)?.strip_prefix('\t'));
    rows.map(|l| l.split('\t').map(unescape).collect())
        .collect()
}

/// Must match `context` in generate.mjs.
fn context(encoded: &str, eol: &str) -> String {
    let key = format!("export KEY={} # note", encoded.replace('\n', eol));
    let lines = ["A=a", &key, "T1=x'", "T2=x\"", "T3=x`", "T4='y\\'", "B=b"];
    lines.join(eol) + eol
}

fn doc(text: &str) -> Document {
    Document::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn set(text: &str, key: &str, value: &str) -> String {
    let mut d = doc(text);
    d.try_set(key, value)
        .unwrap_or_else(|e| panic!("{key}: {e}"));
    assert_eq!(doc(&d.render()).get(key), Some(value));
    d.render()
}

#[test]
fn fixture_values_round_trip_through_node_and_back() {
    let cases = records("value");
    assert!(cases.len() >= 40);
    for case in &cases {
        let [name, value, encoded, node @ ..] = &case[..] else {
            panic!("{case:?}")
        };
        let fresh = try_encode_value(value).unwrap_or_else(|e| panic!("{name}: {e}"));
        let esc = fresh.replace('\\', "\\\\").replace('\n', "\\n");
        assert_eq!(
            &fresh,
            encoded,
            "{name}: stale; new ENCODED: {}",
            esc.replace('\r', "\\r")
        );
        assert_eq!(encode_value(value), fresh);
        assert!(
            node[..3].iter().all(|n| n == value),
            "{name}: node disagrees"
        );
        for eol in ["\n", "\r\n"] {
            let (text, line) = (context(encoded, eol), encoded.replace('\n', eol));
            assert_eq!(doc(&text).get("KEY"), Some(value.as_str()), "{name}");
            assert_eq!(
                doc(&format!("KEY={encoded}")).get("KEY"),
                Some(value.as_str())
            );
            // What envctl writes is exactly the text node was given.
            assert_eq!(set(&context("old", eol), "KEY", value), text, "{name}");
            let appended = set(&format!("A=a{eol}"), "NEW", value);
            assert_eq!(appended, format!("A=a{eol}NEW={line}{eol}"), "{name}");
        }
    }
}

#[test]
fn unrepresentable_values_are_refused_without_echoing_them() {
    for case in records("unrep") {
        let err = try_encode_value(&case[1]).expect_err(&case[0]);
        assert!(
            !err.contains(case[1].trim()) || case[1].trim().len() < 4,
            "{err}"
        );
        let mut d = doc("A=1\n");
        assert!(d.try_set("A", &case[1]).is_err(), "{}", case[0]);
        d.set("A", &case[1]);
        assert_eq!(d.render(), "A=1\n", "{}", case[0]);
    }
}

#[test]
fn fixture_files_read_as_node_reads_them() {
    let cases = records("file");
    assert!(cases.len() >= 20);
    for case in cases {
        let (name, text, d) = (&case[0], &case[1], doc(&case[1]));
        assert_eq!(&d.render(), text, "{name}");
        let (mut node, mut raw) = (Vec::new(), dotenv_parse(text));
        raw.reverse(); // the last assignment of a key wins
        for kv in case[2..].chunks(3) {
            node.push((
                kv[0].as_str(),
                &kv[if d.has_expansion(&kv[0]) { 1 } else { 2 }][..],
            ));
            let last = raw.iter().find(|(k, _)| *k == kv[0]).map(|kv| &kv.1);
            assert_eq!(last, Some(&kv[1]), "{name}");
        }
        let mut mine = d.entries();
        mine.sort();
        node.sort();
        assert_eq!(mine, node, "{name}");
    }
}

#[test]
fn loose_files_parse_like_node_but_are_refused() {
    for case in records("loose") {
        let (name, text, at) = (&case[0], &case[1], &case[2]);
        let mut node: Vec<_> = case[3..].chunks(2).map(|kv| (&kv[0], &kv[1])).collect();
        let mut mine = dotenv_parse(text);
        mine.reverse();
        mine.dedup_by(|a, b| a.0 == b.0); // the last assignment of a key wins
        let mut mine: Vec<_> = mine.iter().map(|(k, v)| (k, v)).collect();
        mine.sort();
        node.sort();
        assert_eq!(mine, node, "{name}");
        let err = Document::parse(text).expect_err(name);
        assert_eq!(&format!("{}:{}", err.line, err.column), at, "{name}: {err}");
        assert!(!err.message.contains("secret") && !err.message.contains("abc"));
    }
}

#[test]
fn edits_keep_comments_order_export_and_other_keys() {
    let mut d = doc("# head\nexport A=1 # why\n\nOTHER='x' # keep\nB=\"two\"\n# tail\n");
    d.set("A", "new value");
    d.set("B", "it's");
    d.set("C", "3");
    let mut want = "# head\nexport A=\"new value\" # why\n\nOTHER='x' # keep\nB=\"it's\"\n";
    assert_eq!(d.render(), format!("{want}# tail\nC=3\n"));
    assert!(d.remove("OTHER") && !d.remove("OTHER"));
    want = "# head\nexport A=\"new value\" # why\n\nB=\"it's\"\n# tail\nC=3\n";
    assert_eq!(d.render(), want);
    assert_eq!(d.entries(), [("A", "new value"), ("B", "it's"), ("C", "3")]);
    // CRLF and a missing final newline stay as they were.
    let mut d = doc("A=1\r\nB=2");
    d.set("C", "x\ny'\"");
    assert_eq!(d.render(), "A=1\r\nB=2\r\nC=`x\r\ny'\"`");
    assert!(d.remove("C") && d.remove("B"));
    assert_eq!(d.render(), "A=1");
    assert!(d.remove("A") && d.render().is_empty());
}

#[test]
fn duplicates_last_wins_everywhere() {
    let mut d = doc("A=1\nB=2\nA=3\n");
    assert_eq!(
        (d.get("A"), d.entries()),
        (Some("3"), vec![("A", "3"), ("B", "2")])
    );
    d.set("A", "4");
    assert_eq!(d.render(), "A=1\nB=2\nA=4\n");
    assert!(d.remove("A"));
    assert_eq!((d.render().as_str(), d.get("A")), ("B=2\n", None));
}

#[test]
fn expansions_are_flagged_and_kept_raw() {
    let mut d = doc("A=1\nB=${A}/x\nC=\\$A\nD=$5\nE=cost $\n");
    assert!(d.has_expansion("B") && d.has_expansion("D"));
    assert!(!d.has_expansion("C") && !d.has_expansion("E") && !d.has_expansion("Z"));
    let got = [d.get("B"), d.get("C"), d.get("E")];
    assert_eq!(got, [Some("${A}/x"), Some("$A"), Some("cost $")]);
    d.set("B", "${A}/x");
    assert_eq!((d.get("B"), d.has_expansion("B")), (Some("${A}/x"), false));
}

#[test]
fn errors_point_at_the_problem_and_never_at_values() {
    let e = Document::parse("A=1\nPASSWORD=\"hunter2\nB=2\n").expect_err("unterminated");
    let expected = "unterminated double-quoted value for PASSWORD: add the closing \"";
    assert_eq!(e.to_string(), format!("line 2, column 10: {expected}"));
    let e = Document::parse("\r\n  TOKEN='sk_live' trailing\r\n").expect_err("junk");
    assert_eq!((e.line, e.column), (2, 19));
    assert!(e.message.contains("TOKEN") && !e.message.contains("sk_live"));
    let mut d = doc("A=1\n");
    assert!(d.try_set("BAD KEY", "x").is_err() && d.try_set("", "x").is_err());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let alphabet = "A=: \n\r\"'`\\#${}é\u{2028}export ".as_bytes();
    let mut seed: u64 = 7;
    for _ in 0..5000 {
        let mut bytes = Vec::new();
        for _ in 0..(seed >> 40) % 30 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let r = (seed >> 33) as usize;
            bytes.push(if r.is_multiple_of(8) {
                r as u8
            } else {
                alphabet[r % alphabet.len()]
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = dotenv_parse(&text);
        if let Ok(mut d) = Document::parse(&text) {
            assert_eq!(d.render(), text);
            d.set("A", &text);
            d.remove("A");
        }
    }
}
