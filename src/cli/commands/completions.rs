//! `completions SHELL`: the shell completion script, generated from the
//! clap definitions so it never falls behind the commands.

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::Error;
use crate::cli::{Cli, Exit, Output};

pub fn run(shell: Shell, out: &Output) -> Result<Exit, Error> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "envctl", &mut script);
    out.print(&String::from_utf8_lossy(&script));
    Ok(Exit::Ok)
}
