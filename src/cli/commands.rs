//! Each command: resolve arguments into settings, call the engine, render,
//! pick the exit code.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use super::{Cli, Command, Exit, Format, Output, PlanArgs};
use crate::config::schema::{self, SchemaKind};
use crate::config::{self, Environment, VarValue, Workspace};
use crate::engine::{self, Planned};
use crate::render;
use crate::rules::{RuleId, Severity};
use crate::secret::{Fingerprint, ProcessEnv};
use crate::{Error, diagnostic::Diagnostic};

pub fn run(cli: Cli, out: &Output) -> Result<Exit, Error> {
    let root = match &cli.chdir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|e| Error::Io {
            context: "current directory".into(),
            source: e,
        })?,
    };
    crate::keyed::install(&root, std::env::var(crate::keyed::KEY_VAR).ok())
        .map_err(Error::Usage)?;
    // Paths in GitHub annotations start at the repository root.
    let base = cli
        .chdir
        .clone()
        .filter(|d| d.is_relative())
        .unwrap_or_default();
    let github = matches!(
        &cli.command,
        Command::Validate {
            format: Format::Github,
            ..
        } | Command::Drift {
            format: Format::Github,
            ..
        }
    ) || matches!(&cli.command, Command::Plan(args) if args.format == Format::Github);
    let result = dispatch(cli.command, &root, &base, out);
    if github && let Err(Error::Invalid(diags)) = &result {
        out.print(&render::github::diagnostics(diags, &base));
    }
    result
}

fn dispatch(command: Command, root: &Path, base: &Path, out: &Output) -> Result<Exit, Error> {
    let root = root.to_path_buf();
    match command {
        Command::Validate { envs, format } => validate(&root, &envs, format, base, out),
        Command::Plan(args) => plan(&root, &args, base, out),
        Command::Apply {
            target,
            yes,
            allow_delete,
            redeploy,
            migrations,
            dry_run,
            adopt,
        } => apply(
            &root,
            &target,
            ApplyOptions {
                yes,
                allow_delete,
                redeploy,
                migrations,
                dry_run,
                adopt,
            },
            out,
        ),
        Command::Drift {
            envs,
            format,
            require_secrets,
            strict,
        } => drift(&root, &envs, format, require_secrets, strict, base, out),
        Command::Diff { env_a, env_b, live } => diff(&root, &env_a, &env_b, live, out),
        Command::Schema { kind, write } => schema_cmd(kind, write.as_deref(), out),
        Command::Rotate(args) => super::secrets::rotate(&root, &args, out),
        Command::Import(args) => super::import::import(&root, &args, out),
        Command::Secret { action } => super::secrets::secret(&root, action, out),
        Command::Login { platform, stdin } => super::secrets::login(platform, stdin, out),
    }
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            context: "starting the async runtime".into(),
            source: e,
        })
}

fn load(root: &Path, out: &Output) -> Result<Workspace, Error> {
    let loaded = config::load(root)?;
    print_warnings(&loaded.warnings, out);
    Ok(loaded.workspace)
}

fn print_warnings(diags: &[Diagnostic], out: &Output) {
    for d in diags {
        out.note(&d.to_string());
    }
}

fn selected<'a>(ws: &'a Workspace, names: &[String]) -> Result<Vec<&'a Environment>, Error> {
    if names.is_empty() {
        return Ok(ws.environments.values().collect());
    }
    let mut seen = BTreeSet::new();
    let mut envs = Vec::new();
    for name in names {
        let env = ws.environment(name)?;
        if seen.insert(&env.name) {
            envs.push(env);
        }
    }
    Ok(envs)
}

fn validate(
    root: &Path,
    names: &[String],
    format: Format,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let mut refused = Vec::new();
    let mut all = crate::rules::Verdict::default();
    for env in selected(&ws, names)? {
        let (_, verdict) = engine::offline(&ws, env, &engine::Secrets::unresolved(env));
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
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "format_version": crate::plan::FORMAT_VERSION,
                "refused": !refused.is_empty(),
                "findings": all.findings,
            }))
            .expect("findings serialize")
        ),
    };
    out.print(&report);
    let names: Vec<&str> = selected(&ws, names)?
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    if !refused.is_empty() {
        out.note(&format!(
            "refused: the desired state of {} breaks the rules above",
            refused.join(", ")
        ));
        Ok(Exit::Refused)
    } else {
        out.note(&format!("valid: {}", names.join(", ")));
        Ok(Exit::Ok)
    }
}

/// Resolves an environment's secrets and judges its desired state: a
/// refusal there cannot be fixed by anything live, so it comes first.
fn prepare(
    ws: &Workspace,
    env: &Environment,
    require_secrets: bool,
    out: &Output,
) -> Result<Result<engine::Secrets, crate::rules::Verdict>, Error> {
    let secrets = engine::resolve_secrets(ws, env, &ProcessEnv);
    if !secrets.invalid.is_empty() {
        return Err(Error::Invalid(secrets.invalid));
    }
    let unresolved = secrets.unresolved_names();
    if require_secrets && !unresolved.is_empty() {
        let list: Vec<String> = unresolved
            .iter()
            .map(|(k, why)| format!("{k} ({why})"))
            .collect();
        return Err(Error::Usage(format!(
            "--require-secrets: cannot resolve {}",
            list.join(", ")
        )));
    }
    for (name, why) in unresolved {
        out.warn(&format!("{name}: {why}; planned as unknown"));
    }
    for warning in &secrets.warnings {
        out.warn(warning);
    }
    // A required variable may exist live, undeclared: only the plan can
    // tell, so `required` waits for live state; every other refusal of the
    // desired state stands whatever is live.
    let (_, offline) = engine::offline(ws, env, &secrets);
    let final_refusal = offline
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error && f.rule != RuleId::Required);
    if final_refusal {
        return Ok(Err(offline));
    }
    Ok(Ok(secrets))
}

/// Plans one environment: [`prepare`], then live state; with `adopt`,
/// every secret whose live value cannot be known is written.
fn make_plan(
    ws: &Workspace,
    env: &Environment,
    require_secrets: bool,
    allow_delete: bool,
    adopt: bool,
    out: &Output,
) -> Result<Result<Planned, crate::rules::Verdict>, Error> {
    let secrets = match prepare(ws, env, require_secrets, out)? {
        Ok(secrets) => secrets,
        Err(verdict) => return Ok(Err(verdict)),
    };
    let mut planned = runtime()?.block_on(engine::plan(ws, env, secrets, allow_delete))?;
    if adopt {
        planned.plan.adopt();
    } else {
        say_unverifiable(&planned.plan, out);
    }
    Ok(Ok(planned))
}

/// Says how many secrets cannot be verified and how to adopt them.
fn say_unverifiable(plan: &crate::plan::Plan, out: &Output) {
    let n = plan.unverifiable();
    if n > 0 {
        out.warn(&format!(
            "{n} secret{} in {} cannot be verified: the platform does not reveal {} and envctl has no record of writing {}; `envctl apply {} --adopt` writes {} and records how to verify {} from then on",
            if n == 1 { "" } else { "s" },
            plan.environment,
            if n == 1 { "its value" } else { "their values" },
            if n == 1 { "it" } else { "them" },
            plan.environment,
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it" } else { "them" },
        ));
    }
}

fn plan(root: &Path, args: &PlanArgs, base: &Path, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let env = ws.environment(&args.env)?;
    // Before anything is read: a plan that could not be saved is wasted.
    if let Some(file) = &args.out
        && !args.force
    {
        crate::saved::SavedPlan::may_replace(&root.join(file)).map_err(Error::Usage)?;
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
    let planned = match make_plan(
        &ws,
        env,
        args.require_secrets,
        args.allow_delete,
        args.adopt,
        out,
    )? {
        Ok(planned) => planned,
        Err(verdict) => {
            print_refusal(&verdict, args.format, base, out);
            return Ok(Exit::Refused);
        }
    };
    let text = match args.format {
        Format::Human => render::human(&planned.plan, &planned.verdict, out.stdout_style),
        Format::Github => format!(
            "{}{}",
            render::github::findings(&planned.verdict.findings, base),
            render::human(&planned.plan, &planned.verdict, out.stdout_style)
        ),
        Format::Json => render::json(&planned.plan, &planned.verdict),
        Format::Markdown => render::markdown(&planned.plan, &planned.verdict),
    };
    out.print(&text);
    if let Some(file) = &args.out
        && planned.verdict.refused()
    {
        out.warn(&format!(
            "the plan was not saved to {}: it is refused",
            file.display()
        ));
    } else if let Some(file) = &args.out {
        let path = root.join(file);
        crate::saved::SavedPlan::new(&ws, env, &planned, args.allow_delete, args.adopt)
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
    }
    Ok(if planned.verdict.refused() {
        Exit::Refused
    } else if args.detailed_exitcode && planned.plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Ok
    })
}

fn print_refusal(verdict: &crate::rules::Verdict, format: Format, base: &Path, out: &Output) {
    match format {
        Format::Github => out.print(&format!(
            "{}{}",
            render::github::findings(&verdict.findings, base),
            render::human_findings(&verdict.findings, out.stdout_style)
        )),
        Format::Json => {
            let doc = serde_json::json!({ "format_version": crate::plan::FORMAT_VERSION, "refused": true, "findings": verdict.findings });
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).expect("findings serialize")
            ));
        }
        Format::Markdown => out.print(&render::markdown_refusal(verdict)),
        Format::Human => out.print(&render::human_findings(&verdict.findings, out.stdout_style)),
    }
    out.note("refused: the desired state breaks the rules above; live state was not read");
}

/// The flags of `apply` (and `rotate`) that shape how a plan is carried out.
pub(super) struct ApplyOptions {
    pub yes: bool,
    pub allow_delete: bool,
    pub redeploy: bool,
    pub migrations: bool,
    pub dry_run: bool,
    /// Write every secret whose live value cannot be known.
    pub adopt: bool,
}

fn apply(root: &Path, target: &str, opts: ApplyOptions, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    if ws.environment(target).is_err() {
        let path = root.join(target);
        if path.is_file() || target.contains(['/', '.']) {
            return apply_saved(&ws, &path, target, opts, out);
        }
    }
    let env = ws.environment(target)?;
    let planned = match make_plan(&ws, env, false, opts.allow_delete, opts.adopt, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            print_refusal(&verdict, Format::Human, Path::new(""), out);
            return Ok(Exit::Refused);
        }
    };
    out.print(&render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    carry_out(&ws, env, &planned, &opts, "apply", out)
}

/// `apply FILE`: plan again, refuse unless it is the plan that was saved,
/// then apply it without asking (it was reviewed when it was saved).
fn apply_saved(
    ws: &Workspace,
    path: &Path,
    shown: &str,
    mut opts: ApplyOptions,
    out: &Output,
) -> Result<Exit, Error> {
    let saved = crate::saved::SavedPlan::read(path).map_err(Error::Usage)?;
    if saved.project != ws.project {
        return Err(Error::Usage(format!(
            "{} is a plan for project `{}`, but this is `{}`; nothing was written",
            path.display(),
            saved.project,
            ws.project
        )));
    }
    let env = ws.environment(&saved.environment)?;
    let planned = match make_plan(ws, env, false, saved.allow_delete, saved.adopt, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            print_refusal(&verdict, Format::Human, Path::new(""), out);
            return Ok(Exit::Refused);
        }
    };
    let stale = saved.staleness(env, &planned);
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
    carry_out(ws, env, &planned, &opts, &command, out)
}

/// Carries out a plan that was shown: refusal, migrations, confirmation,
/// writes, the audit log, and what is left to do.
pub(super) fn carry_out(
    ws: &Workspace,
    env: &Environment,
    planned: &Planned,
    opts: &ApplyOptions,
    command: &str,
    out: &Output,
) -> Result<Exit, Error> {
    if planned.verdict.refused() {
        return Ok(Exit::Refused);
    }
    let jobs = if opts.migrations {
        match super::migrations::jobs(ws, env, planned) {
            Ok(jobs) => jobs,
            Err(super::migrations::Blocked::Refused(why)) => {
                out.warn(&why);
                out.note("refused: nothing was written");
                return Ok(Exit::Refused);
            }
            Err(super::migrations::Blocked::Error(e)) => return Err(e),
        }
    } else {
        Vec::new()
    };
    if opts.dry_run {
        super::migrations::dry_run(&jobs, out)?;
        out.note("Dry run: nothing was written.");
        return Ok(Exit::Ok);
    }
    if !planned.plan.has_changes() {
        out.note("Nothing to apply.");
        return Ok(Exit::Ok);
    }
    if !opts.yes {
        confirm(&env.name, out)?;
    }
    let runtime = runtime()?;
    super::migrations::run(&runtime, &jobs, &env.name, out)?;
    let stop = crate::provider::Stop::new();
    let result = runtime.block_on(async {
        let apply = engine::apply_until(planned, &stop);
        tokio::pin!(apply);
        tokio::select! {
            result = &mut apply => result,
            () = interrupted() => {
                stop.request();
                out.note("interrupted: finishing the request in flight, then stopping");
                apply.await
            }
        }
    });
    let report = match result {
        Ok(report) => report,
        Err(Error::Partial(partial)) => {
            // What was done before the failure or the stop is logged like
            // any other change.
            audit(ws, planned, &partial.written, command, out);
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
    let count: usize = report.applied.iter().map(|(_, w)| w.len()).sum();
    for (target, writes) in &report.applied {
        out.note(&format!("target {target}: {}", writes.join(", ")));
    }
    out.note(&format!(
        "Apply complete: {count} change{} written to {}.",
        if count == 1 { "" } else { "s" },
        env.name
    ));
    audit(ws, planned, &report.written, command, out);
    migrations_left(&planned.plan, &env.name, opts.migrations, out);
    redeploys(planned, &report, &env.name, opts.redeploy, out)?;
    Ok(Exit::Ok)
}

/// Appends the audit entries of what was written (if the log is on).
fn audit(
    ws: &Workspace,
    planned: &Planned,
    written: &[(String, crate::plan::Subject)],
    command: &str,
    out: &Output,
) {
    if let Some(log) = &ws.audit_log {
        let entries = crate::audit::entries(&planned.plan, written, command, &crate::audit::user());
        if let Err(e) = crate::audit::append(log, &entries) {
            out.warn(&format!(
                "the changes were written, but the audit log {} was not: {e}",
                log.display()
            ));
        }
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM. Listening replaces
/// the default action (ending the process at once), so apply can finish
/// the request in flight and report.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// What apply leaves to the Supabase CLI: pending migrations, and history
/// that disagrees with the files.
/// D1 migrations are always left to wrangler; Supabase ones unless
/// `--migrations` ran them (`supabase_done`).
fn migrations_left(plan: &crate::plan::Plan, env: &str, supabase_done: bool, out: &Output) {
    for target in &plan.targets {
        let d1 = target.kind == "cloudflare";
        for change in &target.changes {
            if change.subject != crate::plan::Subject::MigrationHead
                || change.action == crate::plan::Action::Unchanged
                || (supabase_done && !d1)
            {
                continue;
            }
            if d1 {
                d1_migrations_left(target, change, out);
                continue;
            }
            if change.is_schema_drift() {
                out.warn(&format!(
                    "target {}: {}; envctl does not repair migration history",
                    target.name, change.reason
                ));
            } else if let Some(crate::plan::Value::Migrations { pending, .. }) = &change.after {
                out.note(&format!(
                    "target {}: {} migration{} not applied yet ({}); apply them with `envctl apply {env} --migrations` (needs `migrations.database_url`), or `supabase db push` against {}",
                    target.name,
                    pending.len(),
                    if pending.len() == 1 { "" } else { "s" },
                    pending.join(", "),
                    target.description
                ));
            }
        }
    }
}

/// envctl reads a D1 history but does not apply migrations to it: the
/// command that does is wrangler's.
fn d1_migrations_left(
    target: &crate::plan::TargetPlan,
    change: &crate::plan::Change,
    out: &Output,
) {
    if change.is_schema_drift() {
        out.warn(&format!(
            "target {}: {}; envctl does not repair migration history",
            target.name, change.reason
        ));
    } else if let Some(crate::plan::Value::Migrations { pending, .. }) = &change.after {
        out.note(&format!(
            "target {}: {} D1 migration{} not applied yet ({}); envctl does not apply D1 migrations: run `wrangler d1 migrations apply <DATABASE> --remote` ({})",
            target.name,
            pending.len(),
            if pending.len() == 1 { "" } else { "s" },
            pending.join(", "),
            target.description
        ));
    }
}

/// Vercel builds read variables at build time: say which deployments run
/// on old values, and redeploy production when asked.
fn redeploys(
    planned: &engine::Planned,
    report: &engine::ApplyReport,
    env: &str,
    redeploy: bool,
    out: &Output,
) -> Result<(), Error> {
    for (provider, target) in planned.providers.iter().zip(&planned.plan.targets) {
        let changed = report
            .applied
            .iter()
            .any(|(name, writes)| *name == target.name && !writes.is_empty());
        if let crate::provider::Provider::Cloudflare(pages) = provider
            && changed
        {
            // Pages binds variables to a deployment when it is made.
            let which = if pages.is_production() {
                "production"
            } else {
                "preview"
            };
            out.note(&format!(
                "target {}: running {which} deployments keep the old values until the next deployment (`wrangler pages deploy`, or retry the latest deployment in the dashboard){}",
                target.name,
                if redeploy {
                    "; --redeploy covers Vercel only"
                } else {
                    ""
                }
            ));
        }
        let crate::provider::Provider::Vercel(vercel) = provider else {
            continue;
        };
        if !changed || !vercel.needs_redeploy() {
            continue;
        }
        if redeploy && vercel.is_production() {
            match runtime()?
                .block_on(vercel.redeploy())
                .map_err(Error::Provider)?
            {
                Some(url) => out.note(&format!(
                    "target {}: redeploying production with the new values: {url}",
                    target.name
                )),
                None => out.note(&format!(
                    "target {}: no production deployment to redeploy yet",
                    target.name
                )),
            }
        } else if vercel.is_production() {
            out.note(&format!(
                "target {}: the running production deployment keeps the old values until it is redeployed; run `envctl apply {env} --redeploy`, or redeploy from the Vercel dashboard",
                target.name
            ));
        } else {
            out.note(&format!(
                "target {}: preview deployments keep the old values until the branch is deployed again (push a commit, or redeploy from the Vercel dashboard)",
                target.name
            ));
        }
    }
    Ok(())
}

pub(super) fn confirm(env: &str, out: &Output) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NeedsConfirmation);
    }
    out.prompt(&format!(
        "Apply these changes to {env}? Only `yes` is accepted: "
    ));
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::Io {
            context: "reading the answer".into(),
            source: e,
        })?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Declined)
    }
}

/// One environment's line in the drift report.
struct DriftRow {
    environment: String,
    status: String,
    exit: Exit,
    /// (target, description, status)
    targets: Vec<(String, String, String)>,
    findings: Vec<crate::rules::Finding>,
}

impl DriftRow {
    fn new(environment: &str, status: String, exit: Exit) -> DriftRow {
        DriftRow {
            environment: environment.to_string(),
            status,
            exit,
            targets: Vec::new(),
            findings: Vec::new(),
        }
    }
}

/// A target's changes in a few words.
fn target_status(target: &crate::plan::TargetPlan) -> String {
    use crate::plan::Action;
    let count = |a: Action| target.changes.iter().filter(|c| c.action == a).count();
    let mut parts = Vec::new();
    for (action, words) in [
        (Action::Create, "to add"),
        (Action::Update, "to change"),
        (Action::Delete, "to delete"),
    ] {
        let n = count(action);
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    let unknown = count(Action::Unknown);
    let mut status = if parts.is_empty() {
        "in sync".to_string()
    } else {
        format!("drift: {}", parts.join(", "))
    };
    if unknown > 0 {
        status.push_str(&format!(" ({unknown} cannot be verified)"));
    }
    status
}

fn drift_row(env: &Environment, outcome: Result<Planned, Error>, strict: bool) -> DriftRow {
    let planned = match outcome {
        Ok(planned) => planned,
        Err(e) => return DriftRow::new(&env.name, format!("error: {e}"), Exit::Error),
    };
    let s = planned.plan.summary();
    let unverifiable = planned.plan.unverifiable();
    let adopt = |n: usize| {
        format!(
            "{n} secret{} cannot be verified; `envctl apply {} --adopt` makes {} verifiable",
            if n == 1 { "" } else { "s" },
            env.name,
            if n == 1 { "it" } else { "them" }
        )
    };
    // Unknown for any reason (unreadable live value, unresolved secret).
    let strict_fails = strict && env.protected && s.unknown > 0;
    let (status, exit) = if planned.verdict.refused() && env.protected {
        ("violates rules".to_string(), Exit::Refused)
    } else if planned.plan.has_changes() {
        (
            format!(
                "drift: {} to add, {} to change, {} to delete",
                s.add, s.change, s.delete
            ),
            Exit::Changes,
        )
    } else if strict_fails && unverifiable > 0 {
        (
            format!("not verified: {}", adopt(unverifiable)),
            Exit::Changes,
        )
    } else if strict_fails {
        (
            format!("not verified: {} cannot be verified (--strict)", s.unknown),
            Exit::Changes,
        )
    } else if unverifiable > 0 {
        (
            format!("in sync as far as can be known: {}", adopt(unverifiable)),
            Exit::Ok,
        )
    } else if s.unknown > 0 {
        (
            format!("in sync ({} cannot be verified)", s.unknown),
            Exit::Ok,
        )
    } else {
        ("in sync".to_string(), Exit::Ok)
    };
    let mut row = DriftRow::new(&env.name, status, exit);
    row.targets = planned
        .plan
        .targets
        .iter()
        .map(|t| (t.name.clone(), t.description.clone(), target_status(t)))
        .collect();
    row.findings = planned.verdict.findings;
    row
}

/// Plans every selected environment, reading all of them at once.
fn drift(
    root: &Path,
    names: &[String],
    format: Format,
    require_secrets: bool,
    strict: bool,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    // Shared by the planning tasks; a copy per task would hold every
    // environment once per environment.
    let ws = std::sync::Arc::new(load(root, out)?);
    let mut envs = selected(&ws, names)?;
    if names.is_empty() && envs.iter().any(|e| !e.local) {
        envs.retain(|e| !e.local);
    }
    let mut rows: Vec<Option<DriftRow>> = Vec::new();
    let mut ready = Vec::new();
    for (i, env) in envs.iter().enumerate() {
        match prepare(&ws, env, require_secrets, out) {
            Ok(Ok(secrets)) => {
                rows.push(None);
                ready.push((i, secrets));
            }
            Ok(Err(verdict)) => {
                let mut row = DriftRow::new(
                    &env.name,
                    "desired state violates rules".into(),
                    Exit::Refused,
                );
                row.findings = verdict.findings;
                rows.push(Some(row));
            }
            Err(e) => rows.push(Some(DriftRow::new(
                &env.name,
                format!("error: {e}"),
                Exit::Error,
            ))),
        }
    }
    let planned = runtime()?.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, secrets) in ready {
            let (ws, name) = (std::sync::Arc::clone(&ws), envs[i].name.clone());
            set.spawn(async move {
                let env = &ws.environments[&name];
                (i, engine::plan(&ws, env, secrets, true).await)
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = set.join_next().await {
            done.push(joined.expect("planning tasks do not panic"));
        }
        done
    });
    for (i, outcome) in planned {
        rows[i] = Some(drift_row(envs[i], outcome, strict));
    }
    let rows: Vec<DriftRow> = rows.into_iter().map(|r| r.expect("every row")).collect();
    let worst = rows
        .iter()
        .map(|r| r.exit)
        .fold(Exit::Ok, |worst, exit| match (worst, exit) {
            (Exit::Error, _) | (_, Exit::Error) => Exit::Error,
            (Exit::Refused, _) | (_, Exit::Refused) => Exit::Refused,
            (Exit::Changes, _) | (_, Exit::Changes) => Exit::Changes,
            _ => Exit::Ok,
        });
    out.print(&drift_report(&rows, worst, format, base));
    Ok(worst)
}

fn drift_report(rows: &[DriftRow], worst: Exit, format: Format, base: &Path) -> String {
    let human = || {
        let mut t = String::new();
        for r in rows {
            t.push_str(&format!("{:<16} {}\n", r.environment, r.status));
            for (name, description, status) in &r.targets {
                t.push_str(&format!("  {name:<14} {status}  ({description})\n"));
            }
        }
        t
    };
    match format {
        Format::Json => {
            let envs: Vec<_> = rows
                .iter()
                .map(|r| {
                    let targets: Vec<_> = r
                        .targets
                        .iter()
                        .map(|(name, description, status)| {
                            serde_json::json!({ "target": name, "description": description, "status": status })
                        })
                        .collect();
                    serde_json::json!({
                        "environment": r.environment,
                        "status": r.status,
                        "exit": r.exit as u8,
                        "targets": targets,
                        "findings": r.findings,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&serde_json::json!({
                    "format_version": crate::plan::FORMAT_VERSION,
                    "exit": worst as u8,
                    "environments": envs,
                }))
                .expect("json")
            )
        }
        Format::Markdown => {
            let mut t = "| environment | target | status |\n|---|---|---|\n".to_string();
            let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
            for r in rows {
                t.push_str(&format!(
                    "| `{}` | | **{}** |\n",
                    r.environment,
                    cell(&r.status)
                ));
                for (name, description, status) in &r.targets {
                    t.push_str(&format!(
                        "| | `{name}` ({}) | {} |\n",
                        cell(description),
                        cell(status)
                    ));
                }
            }
            t
        }
        Format::Github => {
            let findings: Vec<_> = rows.iter().flat_map(|r| r.findings.clone()).collect();
            format!("{}{}", render::github::findings(&findings, base), human())
        }
        Format::Human => human(),
    }
}

/// What two live snapshots of same-named targets disagree on. Values are
/// compared by digest, as `diff` compares desired values, and never shown;
/// the same value gives no line.
fn live_differences(
    target: &str,
    (a, sa): (&str, &crate::provider::Snapshot),
    (b, sb): (&str, &crate::provider::Snapshot),
) -> Vec<String> {
    use crate::provider::LiveValue;
    let fingerprint = |v: &LiveValue| match v {
        LiveValue::Plain(s) | LiveValue::Readable(s) => Some(s.fingerprint()),
        LiveValue::Digest(d) => Some(d.clone()),
        LiveValue::Unreadable | LiveValue::Stale { .. } => None,
    };
    let mut lines = Vec::new();
    let keys: BTreeSet<&String> = sa.variables.keys().chain(sb.variables.keys()).collect();
    for key in keys {
        match (sa.variables.get(key), sb.variables.get(key)) {
            (Some(_), None) => lines.push(format!("< live {target}: {key} only in {a}")),
            (None, Some(_)) => lines.push(format!("> live {target}: {key} only in {b}")),
            (Some(x), Some(y)) => match (fingerprint(x), fingerprint(y)) {
                (Some(fx), Some(fy)) if fx != fy => {
                    lines.push(format!("~ live {target}: {key}: different value"))
                }
                (None, _) | (_, None) => lines.push(format!(
                    "? live {target}: {key}: cannot resolve (the platform does not reveal it)"
                )),
                _ => {}
            },
            (None, None) => {}
        }
    }
    if let (Some(fa), Some(fb)) = (&sa.functions, &sb.functions) {
        let slugs: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
        for slug in slugs {
            match (fa.get(slug), fb.get(slug)) {
                (Some(_), None) => {
                    lines.push(format!("< live {target}: function {slug} only in {a}"))
                }
                (None, Some(_)) => {
                    lines.push(format!("> live {target}: function {slug} only in {b}"))
                }
                (Some(x), Some(y)) if x != y => lines.push(format!(
                    "~ live {target}: function {slug}: verify_jwt {} vs {}",
                    x.verify_jwt, y.verify_jwt
                )),
                _ => {}
            }
        }
    }
    if let (Some(ma), Some(mb)) = (&sa.migrations, &sb.migrations)
        && ma != mb
    {
        let head = |m: &Vec<crate::provider::AppliedMigration>| {
            m.last()
                .map_or_else(|| "(none)".into(), |a| a.version.clone())
        };
        lines.push(format!(
            "~ live {target}: migrations applied differ (head {} vs {})",
            head(ma),
            head(mb)
        ));
    }
    lines
}

/// Reads both environments and compares targets of the same name.
fn diff_live(ws: &Workspace, ea: &Environment, eb: &Environment) -> Result<Vec<String>, Error> {
    let shared: Vec<&String> = ea
        .targets
        .keys()
        .filter(|t| eb.targets.contains_key(*t))
        .collect();
    let providers = |env: &Environment| -> Result<Vec<crate::provider::Provider>, Error> {
        shared
            .iter()
            .map(|t| crate::provider::Provider::for_target(ws, env, &env.targets[*t]))
            .collect()
    };
    let (pa, pb) = (providers(ea)?, providers(eb)?);
    let (la, lb) =
        runtime()?.block_on(async { tokio::join!(engine::read_all(&pa), engine::read_all(&pb)) });
    let (la, lb) = (la?, lb?);
    Ok(shared
        .iter()
        .zip(la.iter().zip(&lb))
        .flat_map(|(t, (sa, sb))| live_differences(t, (&ea.name, sa), (&eb.name, sb)))
        .collect())
}

/// What a variable holds, for comparing by digest: the digest of its value
/// (plain, or its secret resolved), or why the secret cannot be resolved.
fn held(var: &crate::config::Variable, secrets: &engine::Secrets) -> Result<Fingerprint, String> {
    match &var.value {
        VarValue::Plain(text) => Ok(Fingerprint::of(text)),
        VarValue::Unset => Ok(Fingerprint::of("")),
        VarValue::Secret(_) => match secrets.values.get(&var.name) {
            Some(value) => Ok(value.fingerprint()),
            None => Err(secrets
                .resolution
                .get(&var.name)
                .and_then(|r| r.as_ref().err())
                .cloned()
                .unwrap_or_else(|| "not resolved".to_string())),
        },
    }
}

/// Compares two environments' desired state. Secrets (and plain values
/// that look secret) are compared by the SHA-256 of their resolved values
/// and reported only as "same value", "different value" or "cannot
/// resolve": never a value, never a digest.
fn diff(root: &Path, a: &str, b: &str, live: bool, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let (ea, eb) = (ws.environment(a)?, ws.environment(b)?);
    let shown = |v: &VarValue| match v {
        VarValue::Plain(text) if crate::detect::looks_secret(text) => "(sensitive)".to_string(),
        VarValue::Plain(text) => format!("{text:?}"),
        VarValue::Secret(reference) => format!("secret {reference}"),
        VarValue::Unset => "(unset)".to_string(),
    };
    let source = |v: &VarValue| match v {
        VarValue::Secret(reference) => reference.to_string(),
        _ => "a plain value".to_string(),
    };
    let (sa, sb) = (
        engine::resolve_secrets(&ws, ea, &ProcessEnv),
        engine::resolve_secrets(&ws, eb, &ProcessEnv),
    );
    // Every line printed, and how many of them are differences.
    let mut lines = Vec::new();
    let mut differences = 0;
    let keys: BTreeSet<&String> = ea.variables.keys().chain(eb.variables.keys()).collect();
    for key in keys {
        let (x, y) = match (ea.variables.get(key), eb.variables.get(key)) {
            (Some(x), Some(y)) => (x, y),
            (Some(_), None) => {
                lines.push(format!("< {key} only in {}", ea.name));
                differences += 1;
                continue;
            }
            (None, Some(_)) => {
                lines.push(format!("> {key} only in {}", eb.name));
                differences += 1;
                continue;
            }
            (None, None) => continue,
        };
        let masked = [x, y]
            .iter()
            .any(|v| v.is_secret() || v.plain().is_some_and(crate::detect::looks_secret));
        if !masked {
            if x.value != y.value {
                lines.push(format!(
                    "~ {key}: {} vs {}",
                    shown(&x.value),
                    shown(&y.value)
                ));
                differences += 1;
            }
            continue;
        }
        // One source read twice holds one value, resolvable or not; only a
        // keyring entry differs by environment.
        let keyring = matches!(x.value, VarValue::Secret(crate::config::SecretRef::Keyring));
        if x.value == y.value && (!keyring || ea.name == eb.name) {
            continue;
        }
        match (held(x, &sa), held(y, &sb)) {
            (Ok(fx), Ok(fy)) if fx == fy => lines.push(format!(
                "= {key}: same value ({} in {}, {} in {})",
                source(&x.value),
                ea.name,
                source(&y.value),
                eb.name
            )),
            (Ok(_), Ok(_)) => {
                lines.push(format!("~ {key}: different value"));
                differences += 1;
            }
            (rx, ry) => {
                let why: Vec<String> = [(rx, &ea.name), (ry, &eb.name)]
                    .into_iter()
                    .filter_map(|(r, env)| r.err().map(|why| format!("in {env}: {why}")))
                    .collect();
                lines.push(format!("? {key}: cannot resolve ({})", why.join("; ")));
                differences += 1;
            }
        }
    }
    let before = lines.len();
    let slugs: BTreeSet<&String> = ea.functions.keys().chain(eb.functions.keys()).collect();
    for slug in slugs {
        match (ea.functions.get(slug), eb.functions.get(slug)) {
            (Some(_), None) => lines.push(format!("< function {slug} only in {}", ea.name)),
            (None, Some(_)) => lines.push(format!("> function {slug} only in {}", eb.name)),
            (Some(x), Some(y)) if x.verify_jwt != y.verify_jwt => lines.push(format!(
                "~ function {slug}: verify_jwt {} vs {}",
                x.verify_jwt, y.verify_jwt
            )),
            _ => {}
        }
    }
    let head = |e: &Environment| {
        e.migrations
            .as_ref()
            .map_or("(none)".to_string(), |m| m.head.clone())
    };
    if head(ea) != head(eb) {
        lines.push(format!("~ migration head: {} vs {}", head(ea), head(eb)));
    }
    if live {
        lines.extend(diff_live(&ws, ea, eb)?);
    }
    differences += lines.len() - before;
    if !lines.is_empty() {
        out.print(&format!("{}\n", lines.join("\n")));
    }
    if differences == 0 {
        out.print(&format!(
            "{} and {} declare the same keys, values, functions and migration head{}.\n",
            ea.name,
            eb.name,
            if live { ", and hold the same live" } else { "" }
        ));
        Ok(Exit::Ok)
    } else {
        Ok(Exit::Changes)
    }
}

fn schema_cmd(kind: Option<SchemaKind>, write: Option<&Path>, out: &Output) -> Result<Exit, Error> {
    let kinds: Vec<SchemaKind> = kind.map_or(SchemaKind::ALL.to_vec(), |k| vec![k]);
    if let Some(dir) = write {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io {
            context: dir.display().to_string(),
            source: e,
        })?;
        for k in kinds {
            let path: PathBuf = dir.join(k.file_name());
            std::fs::write(&path, schema::render(k)).map_err(|e| Error::Io {
                context: path.display().to_string(),
                source: e,
            })?;
            out.note(&format!("wrote {}", path.display()));
        }
        return Ok(Exit::Ok);
    }
    match kinds.as_slice() {
        [one] => out.print(&schema::render(*one)),
        _ => {
            let mut all = serde_json::Map::new();
            for k in kinds {
                let value: serde_json::Value =
                    serde_json::from_str(&schema::render(k)).expect("schema is JSON");
                all.insert(k.file_name().to_string(), value);
            }
            out.print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&all).expect("json")
            ));
        }
    }
    Ok(Exit::Ok)
}
