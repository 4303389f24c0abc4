//! The pull-request view: compact, masked, unchanged items collapsed, and
//! cut to fit in one GitHub comment (65,536 characters).

use std::fmt::Write as _;

use super::{baked_note, summary_line, tag_note, undeclared_functions, value};
use crate::plan::{Action, Plan};
use crate::rules::{Severity, Verdict};

const COMMENT_LIMIT: usize = 60_000;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "⏎")
}

/// A desired state refused before live state was read.
pub fn refusal(verdict: &Verdict) -> String {
    let env = verdict
        .findings
        .first()
        .map_or("?", |f| f.environment.as_str());
    let mut out = format!(
        "### envctl plan: `{env}` — ❌ refused\n\nThe desired state breaks these rules; live state was not used.\n\n"
    );
    findings(&mut out, verdict);
    out
}

fn findings(out: &mut String, verdict: &Verdict) {
    for f in &verdict.findings {
        let icon = if f.severity == Severity::Error {
            "❌"
        } else {
            "⚠️"
        };
        let place = f
            .location
            .as_ref()
            .map(|l| format!(" `{l}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- {icon} **{}**{place}: {} — _fix: {}_",
            f.rule,
            cell(&f.message()),
            cell(&f.fix())
        );
    }
}

pub fn plan(plan: &Plan, verdict: &Verdict) -> String {
    let mut out = String::new();
    let status = if verdict.refused() {
        "❌ refused"
    } else if plan.has_changes() {
        "📝 changes"
    } else {
        "✅ in sync"
    };
    let _ = writeln!(out, "### envctl plan: `{}` — {status}\n", plan.environment);
    let _ = writeln!(out, "**{}**\n", summary_line(&plan.summary()));
    if !verdict.findings.is_empty() {
        let _ = writeln!(out, "#### Rules\n");
        findings(&mut out, verdict);
        out.push('\n');
    }
    for target in &plan.targets {
        let (quiet, loud): (Vec<_>, Vec<_>) = target
            .changes
            .iter()
            .partition(|c| c.action == Action::Unchanged);
        let _ = writeln!(
            out,
            "#### `{}` — {}\n",
            target.name,
            cell(&target.description)
        );
        for warning in &target.warnings {
            let _ = writeln!(out, "> ⚠️ {}\n", cell(warning));
        }
        if let Some(note) = baked_note(target, &plan.environment) {
            let _ = writeln!(out, "> ℹ️ {}\n", cell(&note));
        }
        if let Some(note) = tag_note(target) {
            let _ = writeln!(out, "> ℹ️ {}\n", cell(&note));
        }
        if let Some(slugs) = undeclared_functions(target) {
            let _ = writeln!(
                out,
                "Functions live but not declared, left alone (prune is off): {}\n",
                cell(&slugs)
            );
        }
        if !loud.is_empty() {
            let _ = writeln!(
                out,
                "| | key | before | after | why |\n|---|---|---|---|---|"
            );
            for c in loud {
                let sym = match c.action {
                    Action::Create => "➕",
                    Action::Update => "✏️",
                    Action::Delete => "➖",
                    _ => "❔",
                };
                let show = |v: &Option<crate::plan::Value>| {
                    v.as_ref().map_or_else(|| "—".to_string(), value)
                };
                let _ = writeln!(
                    out,
                    "| {sym} | `{}` | {} | {} | {} |",
                    cell(&c.subject.to_string()),
                    cell(&show(&c.before)),
                    cell(&show(&c.after)),
                    cell(&c.reason.to_string())
                );
            }
            out.push('\n');
        }
        if !quiet.is_empty() {
            let names: Vec<String> = quiet.iter().map(|c| format!("`{}`", c.subject)).collect();
            let _ = writeln!(
                out,
                "<details><summary>{} unchanged</summary>\n\n{}\n</details>\n",
                quiet.len(),
                names.join(", ")
            );
        }
    }
    if out.len() > COMMENT_LIMIT {
        let mut cut = COMMENT_LIMIT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str(
            "\n\n… _plan truncated to fit one comment; run `envctl plan` for all of it._\n",
        );
    }
    out
}
