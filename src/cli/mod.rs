//! The command line: `main`, which parses arguments, runs a command and
//! maps its outcome to an exit code, and the panic hook. Arguments are in
//! [`args`], each command in [`commands`]; commands call the engine,
//! which never sees clap, never prints and never picks an exit code.

mod args;
mod commands;
mod exit;
mod output;
mod prompt;
mod render_apply;
mod render_diff;
mod render_drift;
mod render_findings;

use std::process::ExitCode;

use clap::Parser;

pub use args::{
    Cli, ColorChoice, Command, Format, ImportArgs, InitArgs, PlanArgs, RotateArgs, SecretAction,
    SourcesArgs, SourcesFormat,
};
pub use exit::Exit;
pub use output::Output;

/// A panic says where, and shows its message only when that message is a
/// fixed string: a formatted one could hold a value. `RUST_BACKTRACE=1`
/// adds the backtrace (function names and lines, no values).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&'static str>()
            .copied()
            .unwrap_or("(message withheld: it may contain a value)");
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "envctl crashed at {at}: {message}\nThis is a bug in envctl; please report it with the command you ran."
        );
        let trace = std::backtrace::Backtrace::capture();
        if trace.status() == std::backtrace::BacktraceStatus::Captured {
            eprintln!("{trace}");
        }
    }));
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    install_panic_hook();
    crate::log::set_level(cli.verbose);
    crate::log::init_from_env();
    let out = Output::new(cli.color);
    if let Err(invalid) = crate::settings::check() {
        out.error(&crate::Error::Usage(invalid.to_string()));
        return ExitCode::from(Exit::Error as u8);
    }
    let mut exit = match commands::run(cli, &out) {
        Ok(exit) => exit,
        Err(e) => {
            out.error(&e);
            Exit::Error
        }
    };
    // Output that did not arrive (a full disk) turns any outcome into an
    // error: whoever reads the plan or the report has nothing to read.
    if let Some(failure) = out.failure() {
        out.note(&format!("error: {failure}"));
        exit = Exit::Error;
    }
    ExitCode::from(exit as u8)
}
