//! The errors envctl stops on. One place (`cli::run`'s caller) prints them
//! and picks the exit code; nothing here holds a secret value.

use std::fmt;

use envctl_core::diagnostic::Diagnostic;

#[derive(Debug)]
pub enum Error {
    /// The desired-state files have problems; every one found is listed.
    Invalid(Vec<Diagnostic>),
    UnknownEnvironment {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// Something a later version of envctl provides.
    NotImplemented {
        what: String,
        hint: String,
    },
    Provider(crate::provider::ProviderError),
    Apply(envctl_core::apply::ApplyError),
    /// An apply that failed partway: what was done and what was not.
    Partial(Box<Partial>),
    /// `apply` needs a yes, and there is no one to ask.
    NeedsConfirmation,
    Declined,
    Io {
        context: String,
        source: std::io::Error,
    },
    Usage(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(diags) => {
                let errors = diags.iter().filter(|d| d.is_error()).count();
                for d in diags {
                    writeln!(f, "{d}")?;
                }
                write!(
                    f,
                    "{errors} error{} in the desired state; nothing was read or written",
                    if errors == 1 { "" } else { "s" }
                )
            }
            Error::UnknownEnvironment {
                name,
                suggestion,
                known,
            } => {
                write!(f, "no environment named `{name}`")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => write!(f, " (environments: {})", known.join(", ")),
                }
            }
            Error::NotImplemented { what, hint } => {
                write!(f, "{what} is not implemented yet; {hint}")
            }
            Error::Provider(e) => write!(f, "{e}"),
            Error::Apply(e) => write!(f, "{e}"),
            Error::Partial(partial) => {
                let Partial {
                    target,
                    done,
                    not_done,
                    left_without,
                    interrupted,
                    cause,
                    also,
                    ..
                } = partial.as_ref();
                if *interrupted {
                    writeln!(f, "apply interrupted at target {target}: {}", cause.message)?;
                } else {
                    writeln!(f, "apply failed partway: {cause}")?;
                }
                for other in also {
                    writeln!(f, "  also failed: {other}")?;
                }
                let list = |items: &[String]| {
                    if items.is_empty() {
                        "nothing".to_string()
                    } else {
                        items.join(", ")
                    }
                };
                writeln!(f, "  done: {}", list(done))?;
                writeln!(f, "  not done: {}", list(not_done))?;
                if left_without.is_empty() {
                    writeln!(
                        f,
                        "  every key that had a value before still has its old or its new value"
                    )?;
                } else {
                    writeln!(
                        f,
                        "  LEFT WITHOUT A VALUE (had one before; undoing the half-done change failed too): {}",
                        left_without.join(", ")
                    )?;
                }
                write!(f, "  run `envctl plan` again to see exactly what remains")
            }
            Error::NeedsConfirmation => {
                write!(
                    f,
                    "apply changes live state and needs confirmation: run it in a terminal, or pass --yes"
                )
            }
            Error::Declined => write!(f, "apply cancelled; nothing was written"),
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Usage(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::provider::ConnectError> for Error {
    fn from(e: crate::provider::ConnectError) -> Error {
        match e {
            crate::provider::ConnectError::Failed(e) => Error::Provider(e),
            crate::provider::ConnectError::Unsupported { what, hint } => {
                Error::NotImplemented { what, hint }
            }
        }
    }
}

/// What a failed apply had done and had not.
#[derive(Debug)]
pub struct Partial {
    /// The target where it stopped.
    pub target: String,
    /// `target: write`, for people.
    pub done: Vec<String>,
    pub not_done: Vec<String>,
    /// `target: KEY` for each declared key that had a value before and
    /// has none now.
    pub left_without: Vec<String>,
    /// Stopped by Ctrl-C / SIGTERM rather than by a failure.
    pub interrupted: bool,
    /// What was written, per target, for the audit log.
    pub written: Vec<(String, envctl_core::plan::Subject)>,
    pub cause: crate::provider::ProviderError,
    /// Other targets, written at the same time, that failed or stopped too.
    pub also: Vec<crate::provider::ProviderError>,
}
