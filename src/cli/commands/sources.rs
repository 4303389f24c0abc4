//! `secret sources ENV`: the secret sources an environment needs, and
//! which are missing now; `--format github` prints them as a workflow
//! step's `env:` block. Never a value.

use std::path::Path;

use crate::cli::{Exit, Output, SourcesArgs, SourcesFormat};
use crate::engine::sources::{Source, Status, sources};
use crate::secret::ProcessEnv;
use crate::{Error, config};
use envctl_core::render::github::{StepEnv, step_env};

pub fn run(root: &Path, args: &SourcesArgs, out: &Output) -> Result<Exit, Error> {
    // The load's warnings are validate's business; this lists sources.
    let ws = config::load(root)?.workspace;
    let env = ws.environment(&args.env)?;
    let found = sources(&ws, env, &ProcessEnv);
    match args.format {
        SourcesFormat::Text => out.print(&text(&found)),
        SourcesFormat::Json => out.print(&json(&env.name, &found)),
        SourcesFormat::Github => out.print(&workflow_env(&found)),
    }
    let missing: Vec<&str> = found
        .iter()
        .filter(|s| matches!(s.status, Status::Missing | Status::Unavailable))
        .map(|s| s.name.as_str())
        .collect();
    if args.format == SourcesFormat::Text {
        let summary = match (found.len(), missing.len()) {
            (0, _) => format!("{} needs no secret source", env.name),
            (n, 0) => format!("{n} source{}, none missing", plural(n)),
            (n, m) => format!("{n} source{}, {m} missing", plural(n)),
        };
        out.note(&summary);
    }
    Ok(if args.check && !missing.is_empty() {
        Exit::Changes
    } else {
        Exit::Ok
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One line each: NAME, kind, source, status, in aligned columns.
fn text(found: &[Source]) -> String {
    let rows: Vec<[String; 4]> = found
        .iter()
        .map(|s| {
            [
                s.name.clone(),
                s.kind.to_string(),
                s.source.join(" or "),
                s.status.as_str().to_string(),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (a, b, c) = (width(0), width(1), width(2));
    rows.iter()
        .map(|r| format!("{:a$}  {:b$}  {:c$}  {}\n", r[0], r[1], r[2], r[3]))
        .collect()
}

fn json(env: &str, found: &[Source]) -> String {
    let value = serde_json::json!({ "environment": env, "sources": found });
    // Plain data: serializing cannot fail.
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn workflow_env(found: &[Source]) -> String {
    let entries: Vec<StepEnv> = found
        .iter()
        .map(|s| match s.kind {
            "env" | "token" => StepEnv::Secret(s.source.clone()),
            kind => StepEnv::Comment(format!(
                "{}: {kind} {}: not an environment variable; give the job its value another way (docs/ci.md)",
                s.name,
                s.source.join(" ")
            )),
        })
        .collect();
    step_env(&entries)
}
