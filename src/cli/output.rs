//! The one printer: results to stdout, everything else to stderr, colour
//! only when asked or on a terminal without `NO_COLOR`. A closed pipe
//! (`envctl plan prod | head`) ends output quietly instead of panicking.

use std::io::{IsTerminal, Write};

use super::ColorChoice;
use crate::render::Style;

pub struct Output {
    pub stdout_style: Style,
    pub stderr_style: Style,
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
        }
    }

    pub fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }

    pub fn note(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// A question on stderr, without a newline, for the answer to follow.
    pub fn prompt(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
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
