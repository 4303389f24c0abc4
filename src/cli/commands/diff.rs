//! `diff`: two environments' desired state (and with `--live`, their
//! live state) compared; exit 2 when they differ.

use std::path::Path;

use super::load;
use crate::Error;
use crate::cli::{Exit, Output, render_diff};
use crate::engine::Engine;
use crate::engine::diff::{Line, compare};

pub fn run(
    engine: &Engine,
    root: &Path,
    a: &str,
    b: &str,
    live: bool,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let (ea, eb) = (ws.environment(a)?, ws.environment(b)?);
    let lines = compare(engine, &ws, ea, eb, live)?;
    let names = (ea.name.as_str(), eb.name.as_str());
    if !lines.is_empty() {
        out.print(&render_diff::lines(&lines, names));
    }
    if lines.iter().any(Line::is_difference) {
        return Ok(Exit::Changes);
    }
    out.print(&format!(
        "{} and {} declare the same keys, values, functions and migration head{}.\n",
        ea.name,
        eb.name,
        if live { ", and hold the same live" } else { "" }
    ));
    Ok(Exit::Ok)
}
