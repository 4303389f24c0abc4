//! The one printer: results to stdout, everything else to stderr, colour
//! only when asked or on a terminal without `NO_COLOR`. A closed pipe
//! (`envctl plan prod | head`) ends output quietly instead of panicking;
//! any other failed write (a full disk: `envctl plan prod > /dev/full`) is
//! remembered, and `main` turns it into exit 1 — a plan nobody received is
//! not a success.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};

use super::ColorChoice;
use envctl_core::render::Style;

pub struct Output {
    pub stdout_style: Style,
    pub stderr_style: Style,
    /// The first write that failed, other than to a closed pipe.
    failure: RefCell<Option<String>>,
}

impl Output {
    pub fn new(choice: ColorChoice) -> Output {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |terminal: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Output {
            stdout_style: Style {
                color: decide(std::io::stdout().is_terminal()),
            },
            stderr_style: Style {
                color: decide(std::io::stderr().is_terminal()),
            },
            failure: RefCell::new(None),
        }
    }

    /// Remembers a failed write; a closed pipe is the reader's choice, not
    /// a failure.
    fn record(&self, stream: &str, result: std::io::Result<()>) {
        if let Err(e) = result
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            self.failure
                .borrow_mut()
                .get_or_insert_with(|| format!("writing to {stream} failed: {e}"));
        }
    }

    /// Why output was lost, if it was: the run must then exit 1.
    pub fn failure(&self) -> Option<String> {
        self.failure.borrow().clone()
    }

    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        self.record("standard output", result);
    }

    pub fn note(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let result = writeln!(err, "{text}").and_then(|()| err.flush());
        self.record("standard error", result);
    }

    /// A question on stderr, without a newline, for the answer to follow.
    pub fn prompt(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let result = err.write_all(text.as_bytes()).and_then(|()| err.flush());
        self.record("standard error", result);
    }

    pub fn warn(&self, text: &str) {
        let label = if self.stderr_style.color {
            "\x1b[33mwarning\x1b[0m"
        } else {
            "warning"
        };
        self.note(&format!("{label}: {text}"));
    }

    pub fn error(&self, error: &crate::Error) {
        let label = if self.stderr_style.color {
            "\x1b[31merror\x1b[0m"
        } else {
            "error"
        };
        match error {
            // Diagnostics carry their own level labels.
            crate::Error::Invalid(_) => self.note(&error.to_string()),
            _ => self.note(&format!("{label}: {error}")),
        }
    }
}
