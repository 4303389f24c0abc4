//! `plan`: read live state and show what apply would change; with
//! `--out`, save the plan for `apply FILE`.

use std::path::Path;

use super::{load, secret_warnings};
use crate::Error;
use crate::cli::{Exit, Format, Output, PlanArgs, render_findings};
use crate::config::{Environment, Workspace};
use crate::engine::early::Early;
use crate::engine::{Engine, Planned};
use crate::saved::SavedPlan;
use envctl_core::render;
use envctl_core::rules::Verdict;

pub fn run(
    engine: &Engine,
    root: &Path,
    args: &PlanArgs,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let env = ws.environment(&args.env)?;
    // Before anything is read: a plan that could not be saved is wasted.
    if let Some(file) = &args.out
        && !args.force
    {
        SavedPlan::may_replace(&root.join(file)).map_err(Error::Usage)?;
    }
    if args.out.is_some() {
        // A saved plan compares keyed fingerprints across runs.
        let (_, written) = crate::keyed::ensure(root).map_err(Error::Usage)?;
        if let Some(path) = written {
            out.note(&format!(
                "Wrote a fingerprint key to {} (git-ignore it; in CI set {} instead).",
                path.display(),
                crate::keyed::KEY_VAR
            ));
        }
    }
    let wanted = Wanted {
        require_secrets: args.require_secrets,
        allow_delete: args.allow_delete,
        adopt: args.adopt,
    };
    let planned = match make_plan(engine, &ws, env, wanted, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            render_findings::refusal(&verdict, args.format, base, out);
            return Ok(Exit::Refused);
        }
    };
    out.print(&shown(&planned, args.format, base, out));
    if let Some(file) = &args.out {
        save(&ws, env, &planned, args, root, file, out)?;
    }
    Ok(if planned.verdict.refused() {
        Exit::Refused
    } else if args.detailed_exitcode && planned.plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Ok
    })
}

/// The plan in `format`.
fn shown(planned: &Planned, format: Format, base: &Path, out: &Output) -> String {
    match format {
        Format::Human => render::human(&planned.plan, &planned.verdict, out.stdout_style),
        Format::Github => format!(
            "{}{}",
            render::github::findings(&planned.verdict.findings, base),
            render::human(&planned.plan, &planned.verdict, out.stdout_style)
        ),
        Format::Json => render::json(&planned.plan, &planned.verdict),
        Format::Markdown => render::markdown(&planned.plan, &planned.verdict),
    }
}

/// `--out FILE`: saves the plan, unless it is refused.
fn save(
    ws: &Workspace,
    env: &Environment,
    planned: &Planned,
    args: &PlanArgs,
    root: &Path,
    file: &Path,
    out: &Output,
) -> Result<(), Error> {
    if planned.verdict.refused() {
        out.warn(&format!(
            "the plan was not saved to {}: it is refused",
            file.display()
        ));
        return Ok(());
    }
    let path = root.join(file);
    SavedPlan::new(ws, env, planned, args.allow_delete, args.adopt)?
        .write(&path)
        .map_err(|e| Error::Io {
            context: format!("writing the plan to {}", path.display()),
            source: e,
        })?;
    out.note(&format!(
        "Saved the plan to {} (no secret values). Apply exactly this plan with `envctl apply {}`.",
        file.display(),
        file.display()
    ));
    Ok(())
}

/// How a plan is made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wanted {
    pub require_secrets: bool,
    pub allow_delete: bool,
    /// Write every secret whose live value cannot be known.
    pub adopt: bool,
}

/// Plans one environment: secrets resolved (what did not resolve is
/// shown), the desired state judged, then live state read. The verdict
/// when the desired state alone is refused.
pub(super) fn make_plan(
    engine: &Engine,
    ws: &Workspace,
    env: &Environment,
    wanted: Wanted,
    out: &Output,
) -> Result<Result<Planned, Verdict>, Error> {
    // Live state is read while the desired state is judged; a refusal
    // still comes first and nothing is written before it.
    let early = crate::engine::early::plan(
        engine,
        ws,
        env,
        wanted.require_secrets,
        wanted.allow_delete,
        |prepared| secret_warnings(&prepared.secrets, out),
    )?;
    let mut planned = match early {
        Early::Planned(planned) => *planned,
        Early::Refused(verdict) => return Ok(Err(verdict)),
    };
    if wanted.adopt {
        planned.plan.adopt();
    }
    if !wanted.adopt {
        say_unverifiable(&planned, out);
    }
    Ok(Ok(planned))
}

/// Says how many secrets cannot be verified and how to adopt them.
fn say_unverifiable(planned: &Planned, out: &Output) {
    let plan = &planned.plan;
    let n = plan.unverifiable();
    if n == 0 {
        return;
    }
    let (s, their, them) = if n == 1 {
        ("", "its value", "it")
    } else {
        ("s", "their values", "them")
    };
    out.warn(&format!(
        "{n} secret{s} in {} cannot be verified: the platform does not reveal {their} and envctl has no record of writing {them}; `envctl apply {} --adopt` writes {them} and records how to verify {them} from then on",
        plan.environment, plan.environment,
    ));
}
