//! `init`: envctl.yaml and environments/{local,staging,production}.yaml
//! from what the app's folder shows; with `--from-live`, then staging and
//! production from their live targets (through `import`).

use std::path::Path;

use crate::cli::{Exit, InitArgs, Output};
use crate::engine::Engine;
use crate::engine::import::{Request, import};
use crate::init::{self, FILES};
use crate::provider::detect::Placed;
use crate::{Error, config};

pub fn run(engine: &Engine, root: &Path, args: &InitArgs, out: &Output) -> Result<Exit, Error> {
    let existing: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|f| root.join(f).exists())
        .collect();
    if !existing.is_empty() && !args.force {
        return Err(Error::Usage(format!(
            "{} already exist{}; nothing was written. Pass --force to overwrite {}",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" },
            if existing.len() == 1 { "it" } else { "them" }
        )));
    }
    let found = init::detect(root);
    let files = init::render(&found);
    let io = |what: &str| {
        let what = what.to_string();
        move |e| Error::Io {
            context: format!("writing {what}"),
            source: e,
        }
    };
    std::fs::create_dir_all(root.join("environments")).map_err(io("environments/"))?;
    for (rel, text) in files.all() {
        crate::fs::write_atomically(&root.join(rel), text).map_err(io(rel))?;
    }
    out.note(&format!("Wrote {}.", FILES.join(", ")));
    if init::ignore_state(root).map_err(io(".gitignore"))? {
        out.note("Added .envctl/ (fingerprint key, audit log) to .gitignore.");
    }
    report(&found, &files, out);
    if !args.from_live {
        out.note("Next: envctl validate, then envctl secret sources production.");
        return Ok(Exit::Ok);
    }
    Ok(from_live(engine, root, &found, out))
}

fn report(found: &init::Detected, files: &init::Files, out: &Output) {
    let framework = match found.framework {
        Some(f) if found.framework_by_names => format!("{} (by its variable names)", f.name),
        Some(f) => f.name.to_string(),
        None => "no framework".to_string(),
    };
    let count = |kind: init::Kind| found.variables.values().filter(|v| v.kind == kind).count();
    out.note(&format!(
        "Found {framework}; {} platform{}; {} variables ({} secret, {} public, {} bypass flags) in {}.",
        found.platforms.len(),
        if found.platforms.len() == 1 { "" } else { "s" },
        found.variables.len(),
        count(init::Kind::Secret),
        count(init::Kind::Public),
        count(init::Kind::Flag),
        if found.env_files.is_empty() {
            "no .env file".to_string()
        } else {
            found.env_files.join(", ")
        }
    ));
    for line in &files.todo {
        out.note(&format!("  to do: {line}"));
    }
}

/// Imports staging and production where their targets are known; says
/// which could not be, and leaves the files `init` wrote in place.
fn from_live(engine: &Engine, root: &Path, found: &init::Detected, out: &Output) -> Exit {
    let mut exit = Exit::Ok;
    for env in ["staging", "production"] {
        let known = found.platforms.iter().any(|p| {
            let placed = if env == "production" {
                &p.production
            } else {
                &p.staging
            };
            matches!(placed, Placed::Known { .. })
        });
        if !known {
            out.note(&format!(
                "{env}: no live target known yet; fill in its targets, then `envctl import {env} --force`."
            ));
            continue;
        }
        let request = Request {
            env: env.to_string(),
            force: true,
            ..Request::default()
        };
        let done = config::load_for_import(root)
            .and_then(|loaded| import(engine, &loaded.workspace, root, &request));
        match done {
            Ok(done) => out.note(&format!(
                "{env}: filled from {} live target{}: {} variables, {} secrets still needing a value.",
                done.targets,
                if done.targets == 1 { "" } else { "s" },
                done.variables,
                done.needing_value
            )),
            Err(e) => {
                out.warn(&format!(
                    "{env}: not filled from live ({e}); environments/{env}.yaml is as init wrote it"
                ));
                exit = Exit::Error;
            }
        }
    }
    exit
}
