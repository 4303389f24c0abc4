//! Unit tests of the tag list: variables read, verified equal, untagged.

use super::*;
use crate::model::Write;
use crate::rules::Verdict;

fn plan_of(desired: &DesiredTarget, live: &Snapshot) -> Plan {
    Plan {
        format_version: FORMAT_VERSION,
        project: "p".into(),
        environment: "e".into(),
        protected: false,
        targets: vec![diff_target(desired, live)],
    }
}

#[test]
fn only_matching_read_untagged_declared_variables_are_tagged() {
    let desired = target(
        &[
            ("A", plain("a")),
            ("B", plain("new")),
            ("C", plain("c")),
            ("E", secret("e")),
        ],
        false,
    );
    let mut l = live(&[
        ("A", readable("a")),
        ("B", readable("old")),
        ("C", LiveValue::Digest(Fingerprint::of("c"))),
        ("D", readable("d")),
        ("E", readable("e")),
    ]);
    l.untagged = ["A", "B", "D", "E"].map(String::from).into();
    let plan = plan_of(&desired, &l);
    assert_eq!(plan.targets[0].tag, vec!["A".to_string(), "E".to_string()]);
    assert_eq!(plan.tags(), 2);
    let s = plan.summary();
    assert_eq!((s.add, s.change, s.delete), (0, 1, 0), "only B changes");
}

#[test]
fn tags_are_no_change_but_apply_writes_them_with_the_declared_value() {
    let desired = target(&[("A", plain("a")), ("E", secret("e"))], false);
    let mut l = live(&[("A", readable("a")), ("E", readable("e"))]);
    l.untagged = ["A", "E"].map(String::from).into();
    let plan = plan_of(&desired, &l);
    assert!(!plan.has_changes());
    assert_eq!(plan.summary().unchanged, 2);
    let secrets = BTreeMap::from([("E".to_string(), Secret::new("e".into()))]);
    let writes = crate::apply::writes(&plan.targets[0], &desired, &secrets).unwrap();
    let tagged: Vec<(String, String)> = writes
        .iter()
        .map(|w| match w {
            Write::Tag { name, value } => (name.clone(), value.expose().to_string()),
            other => panic!("only tags expected: {}", other.describe()),
        })
        .collect();
    assert_eq!(
        tagged,
        vec![("A".into(), "a".into()), ("E".into(), "e".into())]
    );
    // A secret whose value changed since the plan is refused, tag or not.
    let changed = BTreeMap::from([("E".to_string(), Secret::new("other".into()))]);
    assert!(crate::apply::writes(&plan.targets[0], &desired, &changed).is_err());

    let verdict = Verdict::default();
    let human = crate::render::human(&plan, &verdict, crate::render::Style { color: false });
    assert!(
        human.contains("Plan: 0 to add, 0 to change, 0 to delete."),
        "{human}"
    );
    assert!(
        human.contains("2 records verified by reading; apply tags them"),
        "{human}"
    );
    let md = crate::render::markdown(&plan, &verdict);
    assert!(md.contains("✅ in sync"), "{md}");
    assert!(md.contains("2 records verified by reading"), "{md}");
    let json = crate::render::json(&plan, &verdict);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["plan"]["targets"][0]["tag"],
        serde_json::json!(["A", "E"])
    );
    assert_eq!(doc["summary"]["change"], 0);
}

#[test]
fn a_plan_with_nothing_to_tag_has_no_tag_field_or_line() {
    let desired = target(&[("A", plain("a"))], false);
    let plan = plan_of(&desired, &live(&[("A", readable("a"))]));
    assert!(plan.targets[0].tag.is_empty());
    let verdict = Verdict::default();
    assert!(!crate::render::json(&plan, &verdict).contains("\"tag\""));
    let human = crate::render::human(&plan, &verdict, crate::render::Style { color: false });
    assert!(!human.contains("verified by reading"), "{human}");
}
