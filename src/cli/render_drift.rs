//! The drift report in four formats: aligned text, JSON, a Markdown
//! table, and GitHub annotations followed by the text.

use std::path::Path;

use super::{Exit, Format};
use crate::engine::drift::{Row, Status, TargetRow};
use envctl_core::render;

/// The report of every row; `worst` is the run's exit code.
pub fn report(rows: &[Row], worst: Exit, format: Format, base: &Path) -> String {
    match format {
        Format::Json => json(rows, worst),
        Format::Markdown => markdown(rows),
        Format::Github => {
            let findings: Vec<_> = rows.iter().flat_map(|r| r.findings.clone()).collect();
            format!(
                "{}{}",
                render::github::findings(&findings, base),
                human(rows)
            )
        }
        Format::Human => human(rows),
    }
}

fn human(rows: &[Row]) -> String {
    let mut t = String::new();
    for r in rows {
        t.push_str(&format!("{:<16} {}\n", r.environment, status(r)));
        for target in &r.targets {
            t.push_str(&format!(
                "  {:<14} {}  ({})\n",
                target.name,
                target_status(target),
                target.description
            ));
        }
    }
    t
}

fn json(rows: &[Row], worst: Exit) -> String {
    let envs: Vec<_> = rows
        .iter()
        .map(|r| {
            let targets: Vec<_> = r
                .targets
                .iter()
                .map(|t| {
                    serde_json::json!({ "target": t.name, "description": t.description, "status": target_status(t) })
                })
                .collect();
            serde_json::json!({
                "environment": r.environment,
                "status": status(r),
                "exit": Exit::from(r.status.state()) as u8,
                "targets": targets,
                "findings": r.findings,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "format_version": envctl_core::plan::FORMAT_VERSION,
        "exit": worst as u8,
        "environments": envs,
    });
    // Plain data; serializing it cannot fail.
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    )
}

fn markdown(rows: &[Row]) -> String {
    let mut t = "| environment | target | status |\n|---|---|---|\n".to_string();
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for r in rows {
        t.push_str(&format!(
            "| `{}` | | **{}** |\n",
            r.environment,
            cell(&status(r))
        ));
        for target in &r.targets {
            t.push_str(&format!(
                "| | `{}` ({}) | {} |\n",
                target.name,
                cell(&target.description),
                cell(&target_status(target))
            ));
        }
    }
    t
}

/// An environment's status in words.
fn status(row: &Row) -> String {
    let adopt = |n: usize| {
        format!(
            "{n} secret{} cannot be verified; `envctl apply {} --adopt` makes {} verifiable",
            if n == 1 { "" } else { "s" },
            row.environment,
            if n == 1 { "it" } else { "them" }
        )
    };
    match &row.status {
        Status::Error(e) => format!("error: {e}"),
        Status::DesiredRefused => "desired state violates rules".to_string(),
        Status::Refused => "violates rules".to_string(),
        Status::Drift {
            add,
            change,
            delete,
        } => format!("drift: {add} to add, {change} to change, {delete} to delete"),
        Status::NotVerifiedAdoptable(n) => format!("not verified: {}", adopt(*n)),
        Status::NotVerified(n) => format!("not verified: {n} cannot be verified (--strict)"),
        Status::InSyncAdoptable(n) => format!("in sync as far as can be known: {}", adopt(*n)),
        Status::InSyncUnknown(n) => format!("in sync ({n} cannot be verified)"),
        Status::InSync => "in sync".to_string(),
    }
}

/// A target's changes in a few words.
fn target_status(target: &TargetRow) -> String {
    let mut parts = Vec::new();
    for (n, words) in [
        (target.add, "to add"),
        (target.change, "to change"),
        (target.delete, "to delete"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    let mut status = if parts.is_empty() {
        "in sync".to_string()
    } else {
        format!("drift: {}", parts.join(", "))
    };
    if target.unknown > 0 {
        status.push_str(&format!(" ({} cannot be verified)", target.unknown));
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_status_counts_only_what_it_has() {
        let target = |add, change, delete, unknown| TargetRow {
            add,
            change,
            delete,
            unknown,
            ..TargetRow::default()
        };
        assert_eq!(target_status(&target(0, 0, 0, 0)), "in sync");
        assert_eq!(
            target_status(&target(0, 0, 0, 2)),
            "in sync (2 cannot be verified)"
        );
        assert_eq!(
            target_status(&target(1, 0, 3, 1)),
            "drift: 1 to add, 3 to delete (1 cannot be verified)"
        );
    }
}
