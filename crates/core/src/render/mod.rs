//! Views of a Plan and its Verdict: human (terminal), JSON, and Markdown
//! (a pull-request comment). They show; they never decide.

pub mod github;
mod human;
mod markdown;

use serde::Serialize;

pub use human::{Style, findings as human_findings, plan as human};
pub use markdown::{plan as markdown, refusal as markdown_refusal};

use crate::model::Baked;
use crate::plan::{Action, FORMAT_VERSION, Plan, Reason, Subject, Summary, TargetPlan, Value};
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
        Value::Bucket { public: true } => "public".to_string(),
        Value::Bucket { public: false } => "private".to_string(),
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

/// How many undeclared functions a plan names before "and N more".
const NAMED: usize = 10;

/// The functions a target runs that the desired state does not declare,
/// left alone because prune is off: `legacy-cron, old-hook`, the first
/// [`NAMED`] and then how many more. `None` when there are none.
pub(crate) fn undeclared_functions(target: &TargetPlan) -> Option<String> {
    let slugs: Vec<&str> = target
        .changes
        .iter()
        .filter(|c| c.reason == Reason::Unmanaged)
        .filter_map(|c| match &c.subject {
            Subject::Function { slug } => Some(slug.as_str()),
            _ => None,
        })
        .collect();
    if slugs.is_empty() {
        return None;
    }
    let mut text = slugs[..slugs.len().min(NAMED)].join(", ");
    if slugs.len() > NAMED {
        text.push_str(&format!(" and {} more", slugs.len() - NAMED));
    }
    Some(text)
}

/// What a plan that writes variables of target says about its running
/// deployments, when the platform builds the values in (`Traits::baked`);
/// `env` names the environment in the command to run.
pub(crate) fn baked_note(target: &TargetPlan, env: &str) -> Option<String> {
    let writes = target.changes.iter().any(|c| {
        matches!(c.subject, Subject::Variable { .. })
            && matches!(c.action, Action::Create | Action::Update | Action::Delete)
    });
    if !writes {
        return None;
    }
    match target.traits.baked {
        Baked::No => None,
        Baked::Redeployable => Some(format!(
            "running deployments keep the values they were built with until redeployed: `envctl apply {env} --redeploy` rebuilds the latest one"
        )),
        Baked::NextDeployment => Some(
            "running deployments keep the values they were built with until each is deployed again; `--redeploy` does not rebuild them (apply says which)"
                .to_string(),
        ),
    }
}

/// What apply does for the variables of `target` that were read and
/// verified equal but carry no tag: one line, no change. `None` when there
/// are none.
pub(crate) fn tag_note(target: &TargetPlan) -> Option<String> {
    let n = target.tag.len();
    (n > 0).then(|| {
        let (s, them) = if n == 1 { ("", "it") } else { ("s", "them") };
        format!(
            "{n} record{s} verified by reading; apply tags {them} so later plans need not read {them} (comment only, no value changes)"
        )
    })
}
