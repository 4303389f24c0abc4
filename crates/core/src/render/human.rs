//! The terminal view: Terraform-like `+ ~ - ?` lines, line diffs of
//! multi-line plain values, colour only when wanted.

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use super::{baked_note, summary_line, tag_note, undeclared_functions, value};
use crate::plan::{Action, Change, Plan, Reason, Value};
use crate::rules::{Finding, Severity, Verdict};

/// Colour on or off; decided once by the caller from `NO_COLOR` and
/// whether the output is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

fn symbol(action: Action) -> (&'static str, &'static str) {
    match action {
        Action::Create => ("+", "32"),
        Action::Update => ("~", "33"),
        Action::Delete => ("-", "31"),
        Action::Unknown => ("?", "36"),
        Action::Unchanged => (" ", "0"),
    }
}

pub fn plan(plan: &Plan, verdict: &Verdict, style: Style) -> String {
    let mut out = String::new();
    let protected = if plan.protected { " (protected)" } else { "" };
    let _ = writeln!(
        out,
        "{}",
        style.bold(&format!(
            "envctl plan: {} / {}{protected}",
            plan.project, plan.environment
        ))
    );
    for target in &plan.targets {
        let _ = writeln!(
            out,
            "\n{}",
            style.bold(&format!("target {} — {}", target.name, target.description))
        );
        let mut unchanged = 0;
        let mut unmanaged = 0;
        for change in &target.changes {
            match (change.action, &change.reason) {
                (Action::Unchanged, Reason::Unmanaged) => unmanaged += 1,
                (Action::Unchanged, _) => unchanged += 1,
                _ => line(&mut out, change, style),
            }
        }
        let mut quiet = Vec::new();
        if unchanged > 0 {
            quiet.push(format!("{unchanged} unchanged"));
        }
        if unmanaged > 0 {
            quiet.push(format!("{unmanaged} not declared and left alone"));
        }
        if target.changes.is_empty() {
            quiet.push("nothing declared, nothing live".to_string());
        }
        if !quiet.is_empty() {
            let _ = writeln!(out, "    ({})", quiet.join(", "));
        }
        if let Some(slugs) = undeclared_functions(target) {
            let _ = writeln!(
                out,
                "    functions live but not declared, left alone (prune is off): {slugs}"
            );
        }
        for warning in &target.warnings {
            let _ = writeln!(out, "    {} {warning}", style.paint("33", "warning:"));
        }
        if let Some(note) = baked_note(target, &plan.environment) {
            let _ = writeln!(out, "    {} {note}", style.paint("36", "note:"));
        }
        if let Some(note) = tag_note(target) {
            let _ = writeln!(out, "    {} {note}", style.paint("36", "note:"));
        }
    }
    if !verdict.findings.is_empty() {
        out.push('\n');
        out.push_str(&findings(&verdict.findings, style));
    }
    let _ = writeln!(out, "\n{}", style.bold(&summary_line(&plan.summary())));
    if verdict.refused() {
        let _ = writeln!(
            out,
            "{}",
            style.paint("31;1", "Refused: the plan breaks the rules above.")
        );
    }
    out
}

fn line(out: &mut String, change: &Change, style: Style) {
    let (sym, color) = symbol(change.action);
    let head = style.paint(color, &format!("  {sym} {}", change.subject));
    let multi = |v: &Option<Value>| matches!(v, Some(Value::Text { text }) if text.contains('\n'));
    match change.action {
        Action::Update if multi(&change.before) || multi(&change.after) => {
            let _ = writeln!(out, "{head}:");
            let text = |v: &Option<Value>| match v {
                Some(Value::Text { text }) => text.clone(),
                Some(other) => value(other),
                None => String::new(),
            };
            let (old, new) = (text(&change.before), text(&change.after));
            for d in TextDiff::from_lines(&old, &new).iter_all_changes() {
                let (mark, code) = match d.tag() {
                    ChangeTag::Delete => ("-", "31"),
                    ChangeTag::Insert => ("+", "32"),
                    ChangeTag::Equal => (" ", "0"),
                };
                let _ = writeln!(
                    out,
                    "{}",
                    style.paint(
                        code,
                        &format!("      {mark} {}", d.value().trim_end_matches('\n'))
                    )
                );
            }
        }
        // New code, same settings: the settings would read `x → x`.
        Action::Update
            if matches!(
                change.reason,
                Reason::SourceChanged {
                    verify_jwt_differs: false,
                    ..
                }
            ) =>
        {
            let _ = writeln!(out, "{head}: {}", change.reason);
        }
        Action::Update => {
            let before = change
                .before
                .as_ref()
                .map_or_else(|| "(none)".to_string(), value);
            let after = change
                .after
                .as_ref()
                .map_or_else(|| "(none)".to_string(), value);
            // Where "differs" is not the whole story, say why.
            let why = match &change.reason {
                Reason::Differs => String::new(),
                other => format!("  ({other})"),
            };
            let _ = writeln!(out, "{head}: {before} → {after}{why}");
        }
        Action::Create => {
            let after = change.after.as_ref().map_or_else(String::new, value);
            let _ = writeln!(out, "{head} = {after}");
        }
        Action::Delete => {
            let before = change.before.as_ref().map_or_else(String::new, value);
            let _ = writeln!(out, "{head} (was {before})");
        }
        Action::Unknown | Action::Unchanged => {
            let _ = writeln!(out, "{head}: {}", change.reason);
        }
    }
}

/// Findings, errors first, each with where and how to fix.
pub fn findings(findings: &[Finding], style: Style) -> String {
    let mut out = String::new();
    for f in findings {
        let code = if f.severity == Severity::Error {
            "31"
        } else {
            "33"
        };
        let mut text = f.to_string();
        if let Some(first) = text.find('\n') {
            let head = text[..first].to_string();
            text = format!("{}{}", style.paint(code, &head), &text[first..]);
        }
        let _ = writeln!(out, "{text}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Subject, TargetPlan};

    #[test]
    fn multi_line_plain_values_get_a_line_diff() {
        let change = Change {
            subject: Subject::Variable {
                name: "CONFIG".into(),
            },
            action: Action::Update,
            before: Some(Value::Text {
                text: "a=1\nb=2\nc=3\n".into(),
            }),
            after: Some(Value::Text {
                text: "a=1\nb=20\nc=3\n".into(),
            }),
            reason: Reason::Differs,
            location: None,
        };
        let plan = Plan {
            format_version: 1,
            project: "p".into(),
            environment: "e".into(),
            protected: false,
            targets: vec![TargetPlan {
                warnings: Vec::new(),
                updated_ms: Default::default(),
                tag: Vec::new(),
                name: "t".into(),
                kind: "memory",
                traits: Default::default(),
                description: "memory".into(),
                changes: vec![change],
            }],
        };
        let text = super::plan(&plan, &Verdict::default(), Style { color: false });
        assert!(
            text.contains("  ~ CONFIG:\n        a=1\n      - b=2\n      + b=20\n        c=3\n"),
            "{text}"
        );
        assert!(
            text.contains("Plan: 0 to add, 1 to change, 0 to delete."),
            "{text}"
        );
    }

    fn function(slug: &str, reason: Reason) -> Change {
        let value = Value::Function { verify_jwt: true };
        Change {
            subject: Subject::Function { slug: slug.into() },
            action: Action::Unchanged,
            before: Some(value.clone()),
            after: Some(value),
            reason,
            location: None,
        }
    }

    fn one_target(changes: Vec<Change>, traits: crate::model::Traits) -> Plan {
        Plan {
            format_version: 1,
            project: "p".into(),
            environment: "staging".into(),
            protected: false,
            targets: vec![TargetPlan {
                warnings: Vec::new(),
                updated_ms: Default::default(),
                tag: Vec::new(),
                name: "t".into(),
                kind: "memory",
                traits,
                description: "memory".into(),
                changes,
            }],
        }
    }

    #[test]
    fn undeclared_functions_are_named_up_to_ten() {
        let mut changes = vec![function("declared", Reason::Matches)];
        changes.extend((1..=12).map(|i| function(&format!("old-{i:02}"), Reason::Unmanaged)));
        let plan = one_target(changes, Default::default());
        let text = super::plan(&plan, &Verdict::default(), Style { color: false });
        assert!(
            text.contains("(1 unchanged, 12 not declared and left alone)"),
            "{text}"
        );
        assert!(
            text.contains(
                "functions live but not declared, left alone (prune is off): old-01, old-02, old-03, old-04, old-05, old-06, old-07, old-08, old-09, old-10 and 2 more\n"
            ),
            "{text}"
        );
        assert!(!text.contains("): declared"), "{text}");
        let md = crate::render::markdown(&plan, &Verdict::default());
        assert!(md.contains("left alone (prune is off): old-01,"), "{md}");
    }

    #[test]
    fn a_plan_that_writes_baked_values_says_so() {
        use crate::model::{Baked, Traits};
        let update = Change {
            subject: Subject::Variable { name: "A".into() },
            action: Action::Update,
            before: Some(Value::Text { text: "1".into() }),
            after: Some(Value::Text { text: "2".into() }),
            reason: Reason::Differs,
            location: None,
        };
        let unchanged = Change {
            action: Action::Unchanged,
            reason: Reason::Matches,
            ..update.clone()
        };
        let text = |changes: Vec<Change>, baked| {
            let traits = Traits {
                baked,
                ..Traits::default()
            };
            let plan = one_target(changes, traits);
            super::plan(&plan, &Verdict::default(), Style { color: false })
                + &crate::render::markdown(&plan, &Verdict::default())
        };
        let redeployable = text(vec![update.clone()], Baked::Redeployable);
        assert_eq!(
            redeployable
                .matches("keep the values they were built with until redeployed: `envctl apply staging --redeploy` rebuilds the latest one")
                .count(),
            2,
            "{redeployable}"
        );
        let next = text(vec![update.clone()], Baked::NextDeployment);
        assert_eq!(
            next.matches("until each is deployed again").count(),
            2,
            "{next}"
        );
        assert!(!text(vec![update], Baked::No).contains("built with"));
        assert!(!text(vec![unchanged], Baked::Redeployable).contains("built with"));
    }
}
