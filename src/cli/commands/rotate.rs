//! `rotate`: replace a secret's value everywhere it goes, in one plan
//! that changes nothing else.

use std::path::Path;

use super::apply::{Options, carry_out};
use super::print_warnings;
use crate::cli::{Exit, Output, RotateArgs, prompt};
use crate::engine::Engine;
use crate::engine::rotate::{self, Kept, Rotation};
use crate::{Error, config};
use envctl_core::render;

pub fn run(engine: &Engine, root: &Path, args: &RotateArgs, out: &Output) -> Result<Exit, Error> {
    let loaded = config::load(root)?;
    print_warnings(&loaded.warnings, out);
    let ws = loaded.workspace;
    if let Some(len) = args.generate {
        rotate::check_length(len)?;
    }
    let env = ws.environment(&args.env)?;
    let name = args.name.as_str();
    let rotation = Rotation::of(&ws, env, name, args.generate.is_some())?;
    let value = match args.generate {
        Some(len) => rotate::generate(len)?,
        None => prompt::read_value(&format!("new value of {name} for {}", env.name), args.stdin)?,
    };
    let planned = rotation.plan(engine, &ws, env, &value)?;
    out.print(&render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    if planned.verdict.refused() {
        return Ok(Exit::Refused);
    }
    if !args.yes {
        prompt::confirm(&env.name, out)?;
    }
    match rotation.store.keep(name, &value)? {
        Kept::Keyring(account, store) => {
            out.note(&format!(
                "Stored the new {name} in {store} (account `{account}`)."
            ));
            if let Some(warning) = crate::keyring::reboot_warning(store) {
                out.warn(&warning);
            }
        }
        Kept::File(path) => out.note(&format!(
            "Wrote the new {name} to {} (mode 0600).",
            path.display()
        )),
        Kept::Elsewhere(reference) => out.warn(&format!(
            "{name} comes from {reference}: put the new value there before the next plan, or the next apply writes the old value back"
        )),
    }
    let opts = Options {
        yes: true,
        allow_delete: false,
        redeploy: args.redeploy,
        migrations: false,
        dry_run: false,
        adopt: false,
        audit: args.audit,
    };
    carry_out(engine, &ws, env, &planned, &opts, "rotate", out)
}
