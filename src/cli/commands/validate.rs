//! `validate`: the rules over each environment's desired state and the
//! app's code, offline: no secret resolved, no platform read.

use std::path::Path;

use super::{load, print_warnings};
use crate::Error;
use crate::cli::{Exit, Format, Output, render_findings};
use crate::engine::{self, Secrets};
use envctl_core::render;
use envctl_core::rules::Verdict;

pub fn run(
    root: &Path,
    names: &[String],
    format: Format,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let envs = engine::selected(&ws, names)?;
    let code = crate::code::scan(&ws, &envs);
    print_warnings(&code.warnings, out);
    let mut refused = Vec::new();
    let mut all = Verdict::default();
    for env in &envs {
        let scanned = code.environments.get(&env.name);
        let (_, verdict) = engine::offline(&ws, env, &Secrets::unresolved(env), scanned);
        if verdict.refused() {
            refused.push(env.name.as_str());
        }
        all.findings.extend(verdict.findings);
    }
    let report = match format {
        Format::Human => render::human_findings(&all.findings, out.stdout_style),
        Format::Github => render::github::findings(&all.findings, base),
        Format::Markdown if all.findings.is_empty() => String::new(),
        Format::Markdown => render::markdown_refusal(&all),
        Format::Json => render_findings::json(!refused.is_empty(), &all.findings),
    };
    out.print(&report);
    if !refused.is_empty() {
        out.note(&format!(
            "refused: the desired state of {} breaks the rules above",
            refused.join(", ")
        ));
        Ok(Exit::Refused)
    } else {
        let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
        out.note(&format!("valid: {}", names.join(", ")));
        Ok(Exit::Ok)
    }
}
