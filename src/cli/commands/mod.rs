//! Each command: take its arguments, call the engine, render what it
//! returns, pick the exit code. This module finds the workspace root and
//! sends each command to its file.

mod apply;
mod audit;
mod completions;
mod diff;
mod drift;
mod example;
mod import;
mod init;
mod login;
mod man;
mod plan;
mod rotate;
mod schema;
mod secret;
mod sources;
mod validate;

use std::path::Path;

use super::{Cli, Command, Exit, Format, Output, SecretAction};
use crate::Error;
use crate::config::{self, Workspace};
use crate::engine::{Engine, Secrets};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::render;

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
    let annotations = matches!(
        &cli.command,
        Command::Validate {
            format: Format::Github,
            ..
        } | Command::Drift {
            format: Format::Github,
            ..
        }
    ) || matches!(&cli.command, Command::Plan(args) if args.format == Format::Github);
    let engine = Engine::new();
    let result = dispatch(cli.command, &engine, &root, &base, out);
    if annotations && let Err(Error::Invalid(diags)) = &result {
        out.print(&render::github::diagnostics(diags, &base));
    }
    result
}

fn dispatch(
    command: Command,
    engine: &Engine,
    root: &Path,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    match command {
        Command::Validate { envs, format } => validate::run(root, &envs, format, base, out),
        Command::Plan(args) => plan::run(engine, root, &args, base, out),
        Command::Apply {
            target,
            yes,
            allow_delete,
            redeploy,
            migrations,
            dry_run,
            adopt,
            audit,
        } => apply::run(
            engine,
            root,
            &target,
            apply::Options {
                yes,
                allow_delete,
                redeploy,
                migrations,
                dry_run,
                adopt,
                audit,
            },
            out,
        ),
        Command::Drift {
            envs,
            format,
            require_secrets,
            strict,
        } => drift::run(
            engine,
            root,
            &envs,
            format,
            require_secrets,
            strict,
            base,
            out,
        ),
        Command::Diff { env_a, env_b, live } => diff::run(engine, root, &env_a, &env_b, live, out),
        Command::Example(args) => example::run(root, &args, out),
        Command::Schema { kind, write } => schema::run(kind, write.as_deref(), out),
        Command::Rotate(args) => rotate::run(engine, root, &args, out),
        Command::Import(args) => import::run(engine, root, &args, out),
        Command::Init(args) => init::run(engine, root, &args, out),
        Command::Secret {
            action: SecretAction::Sources(args),
        } => sources::run(root, &args, out),
        Command::Secret { action } => secret::run(root, action, out),
        Command::Login { platform, stdin } => login::run(&platform, stdin, out),
        Command::Completions { shell } => completions::run(shell, out),
        Command::Man { out: dir } => man::run(dir.as_deref(), out),
    }
}

/// Loads the workspace and shows its warnings.
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

/// What resolving an environment's secrets turned up: each secret that
/// will be planned as unknown, and each source that deserves a look.
fn secret_warnings(secrets: &Secrets, out: &Output) {
    for (name, why) in secrets.unresolved_names() {
        out.warn(&format!("{name}: {why}; planned as unknown"));
    }
    for warning in &secrets.warnings {
        out.warn(warning);
    }
}
