//! Asking the person at the terminal: a yes before apply, and a secret
//! value without echo. Both refuse to guess when there is no terminal.

use std::io::{BufRead, IsTerminal, Read};

use super::Output;
use crate::Error;
use crate::secret::{Secret, trim_newline};

/// Asks before changing `env`; only `yes` goes ahead.
pub fn confirm(env: &str, out: &Output) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NeedsConfirmation);
    }
    out.prompt(&format!(
        "Apply these changes to {env}? Only `yes` is accepted: "
    ));
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::Io {
            context: "reading the answer".into(),
            source: e,
        })?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Declined)
    }
}

/// A value typed at a prompt without echo, or read from standard input with
/// `--stdin`. Never an argument: shell history and `ps` would keep it.
pub fn read_value(what: &str, from_stdin: bool) -> Result<Secret, Error> {
    let io = |source| Error::Io {
        context: format!("reading {what}"),
        source,
    };
    let text = if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(io)?;
        trim_newline(text)
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{what} (input hidden): ")).map_err(io)?
    } else {
        return Err(Error::Usage(format!(
            "no terminal to ask for {what}; pass --stdin to read it from standard input"
        )));
    };
    let value = Secret::new(text);
    if value.expose().is_empty() {
        return Err(Error::Usage(format!("{what} is empty; nothing was stored")));
    }
    Ok(value)
}
