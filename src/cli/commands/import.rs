//! `import`: write environments/<ENV>.yaml from what is live now.

use std::path::Path;

use crate::cli::{Exit, ImportArgs, Output};
use crate::engine::Engine;
use crate::engine::import::{Request, import};
use crate::{Error, config};

pub fn run(engine: &Engine, root: &Path, args: &ImportArgs, out: &Output) -> Result<Exit, Error> {
    // Load warnings are not shown: import writes an environment file; it
    // does not plan from the ones there.
    let ws = config::load(root)?.workspace;
    let request = Request {
        env: args.env.clone(),
        from: args.from.clone(),
        team: args.team.clone(),
        force: args.force,
        to_keyring: args.to_keyring,
    };
    let done = import(engine, &ws, root, &request)?;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    out.note(&format!(
        "Wrote {} from {} target{}: {} variable{}, {} secret{} still needing a value{}.",
        done.file.display(),
        done.targets,
        plural(done.targets),
        done.variables,
        plural(done.variables),
        done.needing_value,
        plural(done.needing_value),
        if done.stored > 0 {
            format!(", {} stored in the keychain", done.stored)
        } else {
            String::new()
        }
    ));
    Ok(Exit::Ok)
}
