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
use crate::secret::ProcessEnv;
use crate::{Error, diagnostic::Diagnostic};

pub fn run(cli: Cli, out: &Output) -> Result<Exit, Error> {
    let root = match &cli.chdir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().map_err(|e| Error::Io {
            context: "current directory".into(),
            source: e,
        })?,
    };
    match cli.command {
        Command::Validate { envs } => validate(&root, &envs, out),
        Command::Plan(args) => plan(&root, &args, out),
        Command::Apply {
            target,
            yes,
            allow_delete,
            redeploy,
        } => apply(&root, &target, yes, allow_delete, redeploy, out),
        Command::Drift { envs, format } => drift(&root, &envs, format, out),
        Command::Diff { env_a, env_b } => diff(&root, &env_a, &env_b, out),
        Command::Schema { kind, write } => schema_cmd(kind, write.as_deref(), out),
        Command::Rotate { .. } => later("`envctl rotate`"),
        Command::Import { .. } => later("`envctl import`"),
        Command::Secret { .. } => later("`envctl secret`"),
        Command::Login { .. } => later("`envctl login`"),
    }
}

fn later(what: &str) -> Result<Exit, Error> {
    Err(Error::NotImplemented {
        what: what.to_string(),
        hint: "it is planned for a later version of envctl; for now use env: or file: secret references".to_string(),
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
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

fn validate(root: &Path, names: &[String], out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let mut refused = Vec::new();
    let mut report = String::new();
    for env in selected(&ws, names)? {
        let (_, verdict) = engine::offline(&ws, env, &engine::Secrets::unresolved(env));
        if verdict.refused() {
            refused.push(env.name.as_str());
        }
        report.push_str(&render::human_findings(&verdict.findings, out.stdout_style));
    }
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

/// Plans one environment: rules on the desired state first (a refusal
/// there cannot be fixed by anything live), then live state.
fn make_plan(
    ws: &Workspace,
    env: &Environment,
    require_secrets: bool,
    allow_delete: bool,
    out: &Output,
) -> Result<Result<Planned, crate::rules::Verdict>, Error> {
    let secrets = engine::resolve_secrets(ws, env, &ProcessEnv);
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
    let runtime = runtime()?;
    Ok(Ok(runtime.block_on(engine::plan(
        ws,
        env,
        secrets,
        allow_delete,
    ))?))
}

fn plan(root: &Path, args: &PlanArgs, out: &Output) -> Result<Exit, Error> {
    if args.out.is_some() {
        return later("saving a plan (`plan --out`)");
    }
    let ws = load(root, out)?;
    let env = ws.environment(&args.env)?;
    let planned = match make_plan(&ws, env, args.require_secrets, args.allow_delete, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            print_refusal(&verdict, args.format, out);
            return Ok(Exit::Refused);
        }
    };
    let text = match args.format {
        Format::Human => render::human(&planned.plan, &planned.verdict, out.stdout_style),
        Format::Json => render::json(&planned.plan, &planned.verdict),
        Format::Markdown => render::markdown(&planned.plan, &planned.verdict),
    };
    out.print(&text);
    Ok(if planned.verdict.refused() {
        Exit::Refused
    } else if args.detailed_exitcode && planned.plan.has_changes() {
        Exit::Changes
    } else {
        Exit::Ok
    })
}

fn print_refusal(verdict: &crate::rules::Verdict, format: Format, out: &Output) {
    match format {
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

fn apply(
    root: &Path,
    target: &str,
    yes: bool,
    allow_delete: bool,
    redeploy: bool,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    if ws.environment(target).is_err() && root.join(target).is_file() {
        return later("applying a saved plan file");
    }
    let env = ws.environment(target)?;
    let planned = match make_plan(&ws, env, false, allow_delete, out)? {
        Ok(planned) => planned,
        Err(verdict) => {
            print_refusal(&verdict, Format::Human, out);
            return Ok(Exit::Refused);
        }
    };
    out.print(&render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    if planned.verdict.refused() {
        return Ok(Exit::Refused);
    }
    if !planned.plan.has_changes() {
        out.note("Nothing to apply.");
        return Ok(Exit::Ok);
    }
    if !yes {
        confirm(&env.name, out)?;
    }
    let report = runtime()?.block_on(engine::apply(&planned))?;
    let count: usize = report.applied.iter().map(|(_, w)| w.len()).sum();
    for (target, writes) in &report.applied {
        out.note(&format!("target {target}: {}", writes.join(", ")));
    }
    out.note(&format!(
        "Apply complete: {count} change{} written to {}.",
        if count == 1 { "" } else { "s" },
        env.name
    ));
    migrations_left(&planned.plan, &env.name, out);
    redeploys(&planned, &report, &env.name, redeploy, out)?;
    Ok(Exit::Ok)
}

/// What apply leaves to the Supabase CLI: pending migrations, and history
/// that disagrees with the files.
fn migrations_left(plan: &crate::plan::Plan, env: &str, out: &Output) {
    for target in &plan.targets {
        for change in &target.changes {
            if change.subject != crate::plan::Subject::MigrationHead
                || change.action == crate::plan::Action::Unchanged
            {
                continue;
            }
            if change.is_schema_drift() {
                out.warn(&format!(
                    "target {}: {}; envctl does not repair migration history",
                    target.name, change.reason
                ));
            } else if let Some(crate::plan::Value::Migrations { pending, .. }) = &change.after {
                out.note(&format!(
                    "target {}: {} migration{} not applied yet ({}); envctl {env} does not apply migrations in this version: run `supabase db push` against {}",
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
        let crate::provider::Provider::Vercel(vercel) = provider else {
            continue;
        };
        let changed = report
            .applied
            .iter()
            .any(|(name, writes)| *name == target.name && !writes.is_empty());
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

fn confirm(env: &str, out: &Output) -> Result<(), Error> {
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

fn drift(root: &Path, names: &[String], format: Format, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let mut rows = Vec::new();
    let mut worst = Exit::Ok;
    for env in selected(&ws, names)? {
        let (status, exit) = match make_plan(&ws, env, false, true, out) {
            Ok(Ok(planned)) if planned.verdict.refused() && env.protected => {
                ("violates rules".to_string(), Exit::Refused)
            }
            Ok(Ok(planned)) if planned.plan.has_changes() => {
                let s = planned.plan.summary();
                (
                    format!(
                        "drift: {} to add, {} to change, {} to delete",
                        s.add, s.change, s.delete
                    ),
                    Exit::Changes,
                )
            }
            Ok(Ok(planned)) if planned.plan.summary().unknown > 0 => (
                format!(
                    "in sync ({} cannot be verified)",
                    planned.plan.summary().unknown
                ),
                Exit::Ok,
            ),
            Ok(Ok(_)) => ("in sync".to_string(), Exit::Ok),
            Ok(Err(_)) => ("desired state violates rules".to_string(), Exit::Refused),
            Err(e) => (format!("error: {e}"), Exit::Error),
        };
        worst = match (worst, exit) {
            (Exit::Error, _) | (_, Exit::Error) => Exit::Error,
            (Exit::Refused, _) | (_, Exit::Refused) => Exit::Refused,
            (Exit::Changes, _) | (_, Exit::Changes) => Exit::Changes,
            _ => Exit::Ok,
        };
        rows.push((env.name.clone(), status));
    }
    let text = match format {
        Format::Json => {
            let envs: Vec<_> = rows
                .iter()
                .map(|(e, s)| serde_json::json!({ "environment": e, "status": s }))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&serde_json::json!({ "format_version": 1, "exit": worst as u8, "environments": envs })).expect("json"))
        }
        Format::Markdown => {
            let mut t = "| environment | status |\n|---|---|\n".to_string();
            for (e, s) in &rows {
                t.push_str(&format!("| `{e}` | {} |\n", s.replace('|', "\\|")));
            }
            t
        }
        Format::Human => rows.iter().map(|(e, s)| format!("{e:<16} {s}\n")).collect(),
    };
    out.print(&text);
    Ok(worst)
}

fn diff(root: &Path, a: &str, b: &str, out: &Output) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let (ea, eb) = (ws.environment(a)?, ws.environment(b)?);
    let shown = |v: &VarValue| match v {
        VarValue::Plain(text) if crate::detect::looks_secret(text) => "(sensitive)".to_string(),
        VarValue::Plain(text) => format!("{text:?}"),
        VarValue::Secret(reference) => format!("secret {reference}"),
        VarValue::Unset => "(unset)".to_string(),
    };
    let mut lines = Vec::new();
    let keys: BTreeSet<&String> = ea.variables.keys().chain(eb.variables.keys()).collect();
    for key in keys {
        match (ea.variables.get(key), eb.variables.get(key)) {
            (Some(_), None) => lines.push(format!("< {key} only in {}", ea.name)),
            (None, Some(_)) => lines.push(format!("> {key} only in {}", eb.name)),
            (Some(x), Some(y)) if x.value != y.value => {
                let detail = if x.is_secret()
                    || y.is_secret()
                    || x.plain().is_some_and(crate::detect::looks_secret)
                {
                    "differs".to_string()
                } else {
                    format!("{} vs {}", shown(&x.value), shown(&y.value))
                };
                lines.push(format!("~ {key}: {detail}"));
            }
            _ => {}
        }
    }
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
    if lines.is_empty() {
        out.print(&format!(
            "{} and {} declare the same keys, values, functions and migration head.\n",
            ea.name, eb.name
        ));
        Ok(Exit::Ok)
    } else {
        out.print(&format!("{}\n", lines.join("\n")));
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
