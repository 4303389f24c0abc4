//! `man`: the manual page in roff, generated from the clap definitions;
//! on stdout, or with `--out DIR` one file per command.

use std::path::Path;

use clap::CommandFactory as _;

use crate::Error;
use crate::cli::{Cli, Exit, Output};

pub fn run(dir: Option<&Path>, out: &Output) -> Result<Exit, Error> {
    let cmd = Cli::command();
    let io = |context: String| move |source| Error::Io { context, source };
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut page)
            .map_err(io("the manual page".into()))?;
        out.print(&String::from_utf8_lossy(&page));
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(dir).map_err(io(dir.display().to_string()))?;
    clap_mangen::generate_to(cmd, dir).map_err(io(dir.display().to_string()))?;
    out.note(&format!(
        "Wrote envctl.1 and one page per command (envctl-<command>.1) to {}.",
        dir.display()
    ));
    Ok(Exit::Ok)
}
