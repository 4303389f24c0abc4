//! `drift`: every deployed environment planned at once; exit 2 on any
//! drift, 3 when a protected environment breaks a rule, 1 on an error.

use std::path::Path;

use super::{load, secret_warnings};
use crate::Error;
use crate::cli::{Exit, Format, Output, render_drift};
use crate::engine::Engine;
use crate::engine::drift::{self, Options};

#[allow(clippy::too_many_arguments)] // one per flag, passed straight through
pub fn run(
    engine: &Engine,
    root: &Path,
    names: &[String],
    format: Format,
    require_secrets: bool,
    strict: bool,
    base: &Path,
    out: &Output,
) -> Result<Exit, Error> {
    let ws = load(root, out)?;
    let options = Options {
        require_secrets,
        strict,
    };
    let rows = drift::check(engine, ws, names, options, |secrets| {
        secret_warnings(secrets, out);
    })?;
    let worst = Exit::from(drift::worst(&rows));
    out.print(&render_drift::report(&rows, worst, format, base));
    Ok(worst)
}
