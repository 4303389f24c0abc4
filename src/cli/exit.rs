//! The exit codes, the one place they are defined. Only the command line
//! chooses them; the engine reports what happened as data.

use crate::engine::drift::State;

/// The exit codes, the same for every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (and, for `drift` or with `--detailed-exitcode`, nothing to change).
    Ok = 0,
    /// An error.
    Error = 1,
    /// Changes present (`drift`, `diff`, and `plan --detailed-exitcode`).
    Changes = 2,
    /// Refused by a rule.
    Refused = 3,
    /// `apply` stopped by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C).
    Interrupted = 130,
}

impl From<State> for Exit {
    /// An environment's drift state as the exit code `drift` reports.
    fn from(state: State) -> Exit {
        match state {
            State::InSync => Exit::Ok,
            State::Drift => Exit::Changes,
            State::Refused => Exit::Refused,
            State::Error => Exit::Error,
        }
    }
}
