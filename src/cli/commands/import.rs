//! `import`: write environments/<ENV>.yaml from what is live now.

use std::path::Path;

use crate::cli::{Exit, ImportArgs, Output};
use crate::engine::Engine;
use crate::engine::import::{Request, import, scaffold, unscaffold};
use crate::{Error, config};

pub fn run(engine: &Engine, root: &Path, args: &ImportArgs, out: &Output) -> Result<Exit, Error> {
    // A folder with no envctl.yaml or environments/ gets them (and loses
    // them again if the import fails). Load warnings are not shown: import
    // writes an environment file; it does not plan from the ones there.
    let created = scaffold(root)?;
    let done = config::load_for_import(root)
        .and_then(|loaded| import(engine, &loaded.workspace, root, &request(args)));
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            unscaffold(root, &created);
            return Err(e);
        }
    };
    for path in &created {
        let what = if path.extension().is_some() { "" } else { "/" };
        out.note(&format!("Created {}{what}.", path.display()));
    }
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
            let stores: Vec<String> = done.stored_in.iter().map(ToString::to_string).collect();
            format!(", {} stored in {}", done.stored, stores.join(" and "))
        } else {
            String::new()
        }
    ));
    if let Some(warning) = done
        .stored_in
        .iter()
        .find_map(|s| crate::keyring::reboot_warning(*s))
    {
        out.warn(&warning);
    }
    Ok(Exit::Ok)
}

fn request(args: &ImportArgs) -> Request {
    Request {
        env: args.env.clone(),
        from: args.from.clone(),
        team: args.team.clone(),
        force: args.force,
        to_keyring: args.to_keyring,
    }
}
