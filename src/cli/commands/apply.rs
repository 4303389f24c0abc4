//! `apply`: plan, show, confirm, write; or `apply FILE`, a saved plan
//! applied as reviewed. [`carry_out`] is shared with `rotate`.

use std::path::Path;

use super::plan::{Wanted, make_plan};
use super::{audit, load};
use crate::Error;
use crate::cli::{Exit, Format, Output, prompt, render_apply, render_findings};
use crate::config::{Environment, Workspace};
use crate::engine::migrations::{self, Blocked};
use crate::engine::{self, Engine, Planned, aftercare};
use crate::saved::SavedPlan;
use envctl_core::render;

/// The flags of `apply` (and `rotate`) that shape how a plan is carried out.
pub(super) struct Options {
    pub yes: bool,
    pub allow_delete: bool,
    pub redeploy: bool,
    pub migrations: bool,
    pub dry_run: bool,
    /// Write every secret whose live value cannot be known.
    pub adopt: bool,
    /// `--audit`: where the audit entries go (default: see [`audit::sink`]).
    pub audit: Option<crate::audit::Wanted>,
}

pub(super) fn run(
    engine: &Engine,
    root: &Path,
    target: &str,
    opts: Options,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    if ws.environment(target).is_err() {
        let path = root.join(target);
        if path.is_file() || target.contains(['/', '.']) {
            return apply_saved(engine, &ws, &path, target, opts, out);
        }
    }
    let env = ws.environment(target)?;
    let wanted = Wanted {
        require_secrets: false,
        allow_delete: opts.allow_delete,
        adopt: opts.adopt,
    };
    let planned = match make_plan(engine, &ws, env, wanted, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            render_findings::refusal(&verdict, Format::Human, Path::new(""), out);
            return Ok(Exit::Refused);
        }
    };
    out.print(&render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    carry_out(engine, &ws, env, &planned, &opts, "apply", out)
}

/// `apply FILE`: plan again, refuse unless it is the plan that was saved,
/// then apply it without asking (it was reviewed when it was saved).
fn apply_saved(
    engine: &Engine,
    ws: &Workspace,
    path: &Path,
    shown: &str,
    mut opts: Options,
    out: &Output,
) -> Result<Exit, Error> {
    let saved = SavedPlan::read(path).map_err(Error::Usage)?;
    if saved.project != ws.project {
        return Err(Error::Usage(format!(
            "{} is a plan for project `{}`, but this is `{}`; nothing was written",
            path.display(),
            saved.project,
            ws.project
        )));
    }
    let env = ws.environment(&saved.environment)?;
    let wanted = Wanted {
        require_secrets: false,
        allow_delete: saved.allow_delete,
        adopt: saved.adopt,
    };
    let planned = match make_plan(engine, ws, env, wanted, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            render_findings::refusal(&verdict, Format::Human, Path::new(""), out);
            return Ok(Exit::Refused);
        }
    };
    let stale = saved.staleness(env, &planned)?;
    if !stale.is_empty() {
        for why in &stale {
            out.note(&format!("  {why}"));
        }
        return Err(Error::Usage(format!(
            "{} is stale: {} thing{} changed since it was planned (listed above); nothing was written. Plan again: `envctl plan {} --out {}`",
            path.display(),
            stale.len(),
            if stale.len() == 1 { "" } else { "s" },
            env.name,
            path.display()
        )));
    }
    out.print(&render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    out.note(&format!(
        "{}: live state and secrets are as planned.",
        path.display()
    ));
    opts.yes = true;
    opts.allow_delete = saved.allow_delete;
    let command = format!("apply {shown}");
    carry_out(engine, ws, env, &planned, &opts, &command, out)
}

/// Carries out a plan that was shown: refusal, migrations, confirmation,
/// writes, the audit log, and what is left to do.
pub(super) fn carry_out(
    engine: &Engine,
    ws: &Workspace,
    env: &Environment,
    planned: &Planned,
    opts: &Options,
    command: &str,
    out: &Output,
) -> Result<Exit, Error> {
    if planned.verdict.refused() {
        return Ok(Exit::Refused);
    }
    let jobs = if opts.migrations {
        match migrations::jobs(ws, env, planned) {
            Ok(jobs) => jobs,
            Err(Blocked::Refused(why)) => {
                out.warn(&why);
                out.note("refused: nothing was written");
                return Ok(Exit::Refused);
            }
            Err(Blocked::Error(e)) => return Err(e),
        }
    } else {
        Vec::new()
    };
    if opts.dry_run {
        out.print(&render_apply::dry_run(&migrations::preview(&jobs)?));
        out.note("Dry run: nothing was written.");
        return Ok(Exit::Ok);
    }
    // Tags of values verified by reading are written too: no value
    // changes, but it is a write, so it is confirmed like any other.
    if !planned.plan.has_changes() && planned.plan.tags() == 0 {
        out.note("Nothing to apply.");
        return Ok(Exit::Ok);
    }
    let sink = audit::sink(ws, opts.audit, out);
    if !opts.yes {
        prompt::confirm(&env.name, out)?;
    }
    migrations::run(engine, &jobs, &env.name, |progress| {
        out.note(&render_apply::progress(&progress));
    })?;
    let result = engine::apply::interruptible(engine, planned, || {
        out.note("interrupted: finishing the request in flight, then stopping");
    });
    let report = match result {
        Ok(report) => report,
        Err(Error::Partial(partial)) => {
            // What was done before the failure or the stop is logged like
            // any other change.
            audit::record(planned, &partial.written, command, &sink, out);
            let interrupted = partial.interrupted;
            let error = Error::Partial(partial);
            if interrupted {
                out.error(&error);
                return Ok(Exit::Interrupted);
            }
            return Err(error);
        }
        Err(e) => return Err(e),
    };
    out.note(&render_apply::report(&report, &env.name));
    audit::record(planned, &report.written, command, &sink, out);
    for note in aftercare::migrations_left(&planned.plan, opts.migrations) {
        render_apply::note(&note, &env.name, out);
    }
    let redeploys = aftercare::redeploys(engine, planned, &report, opts.redeploy);
    for note in &redeploys.notes {
        render_apply::note(note, &env.name, out);
    }
    match redeploys.error {
        Some(e) => Err(e),
        None => Ok(Exit::Ok),
    }
}
