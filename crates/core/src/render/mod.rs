//! Views of a Plan and its Verdict: human (terminal), JSON, and Markdown
//! (a pull-request comment). They show; they never decide.

pub mod github;
mod human;
mod markdown;

use serde::Serialize;

pub use human::{Style, findings as human_findings, plan as human};
pub use markdown::{plan as markdown, refusal as markdown_refusal};

use crate::plan::{FORMAT_VERSION, Plan, Summary, Value};
use crate::rules::{Finding, Verdict};

#[derive(Serialize)]
struct JsonPlan<'a> {
    format_version: u32,
    refused: bool,
    summary: Summary,
    plan: &'a Plan,
    findings: &'a [Finding],
}

/// `--format json`: the plan, masked, with a `format_version`.
pub fn json(plan: &Plan, verdict: &Verdict) -> String {
    let doc = JsonPlan {
        format_version: FORMAT_VERSION,
        refused: verdict.refused(),
        summary: plan.summary(),
        plan,
        findings: &verdict.findings,
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("plans serialize");
    text.push('\n');
    text
}

/// A value in one line: text quoted, secrets as a short keyed fingerprint
/// (none without a fingerprint key, see [`crate::keyed`]).
pub fn value(value: &Value) -> String {
    match value {
        Value::Text { text } => format!("{text:?}"),
        Value::Secret {
            fingerprint: Some(fp),
            ..
        } => match fp.shown() {
            Some(shown) => format!("(sensitive {shown})"),
            None => "(sensitive)".to_string(),
        },
        Value::Secret {
            fingerprint: None, ..
        } => "(sensitive, unresolved)".to_string(),
        Value::Hidden => "(hidden by the platform)".to_string(),
        Value::Function { verify_jwt } => format!("verify_jwt={verify_jwt}"),
        Value::Migrations { head, pending } if pending.is_empty() => format!("head {head}"),
        Value::Migrations { head, pending } => format!(
            "head {head}, {} pending: {}",
            pending.len(),
            pending.join(", ")
        ),
    }
}

pub fn summary_line(s: &Summary) -> String {
    let mut line = format!(
        "Plan: {} to add, {} to change, {} to delete.",
        s.add, s.change, s.delete
    );
    if s.unknown > 0 {
        line.push_str(&format!(" {} cannot be verified.", s.unknown));
    }
    line
}
