//! Findings without a plan: `validate`'s report and the refusal shown when
//! the desired state breaks a rule before anything live is read.

use std::path::Path;

use super::{Format, Output};
use envctl_core::render;
use envctl_core::rules::{Finding, Verdict};

/// The JSON document of findings alone.
pub fn json(refused: bool, findings: &[Finding]) -> String {
    let doc = serde_json::json!({
        "format_version": envctl_core::plan::FORMAT_VERSION,
        "refused": refused,
        "findings": findings,
    });
    // Findings are plain data; serializing them cannot fail.
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

/// Shows a refusal of the desired state in `format`, then says that live
/// state was not read.
pub fn refusal(verdict: &Verdict, format: Format, base: &Path, out: &Output) {
    match format {
        Format::Github => out.print(&format!(
            "{}{}",
            render::github::findings(&verdict.findings, base),
            render::human_findings(&verdict.findings, out.stdout_style)
        )),
        Format::Json => out.print(&json(true, &verdict.findings)),
        Format::Markdown => out.print(&render::markdown_refusal(verdict)),
        Format::Human => out.print(&render::human_findings(&verdict.findings, out.stdout_style)),
    }
    out.note("refused: the desired state breaks the rules above; live state was not used");
}
