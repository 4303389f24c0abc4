//! `ENVCTL_*` settings read from the process environment: timeouts and the
//! log level. A value envctl cannot use is an error naming the variable and
//! what it accepts — quietly falling back to the default would run with a
//! limit nobody chose. The command line checks them all before it starts
//! ([`check`]); the readers then take the checked values.
//!
//! The API URL and account settings are read by
//! [`crate::provider::credentials`] and checked where they are used (the
//! HTTP client, the platform's checks), as they were before this module.

use std::fmt;
use std::time::Duration;

/// The settings that hold a number of seconds.
pub const SECONDS: [&str; 3] = [
    "ENVCTL_COMMAND_TIMEOUT",
    "ENVCTL_HTTP_TIMEOUT",
    "ENVCTL_HTTP_DEADLINE",
];

/// A setting whose value cannot be used. The value is shown: settings hold
/// limits and levels, never secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub name: &'static str,
    pub value: String,
    pub accepted: &'static str,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not valid: expected {} (or leave it unset for the default)",
            self.name, self.value, self.accepted
        )
    }
}

/// The value of a setting; `None` when unset or blank.
fn raw(name: &str) -> Option<String> {
    let value = std::env::var_os(name)?;
    let value = value.to_string_lossy().trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// A duration in seconds, e.g. `30` or `0.5`.
pub fn seconds(name: &'static str) -> Result<Option<Duration>, Invalid> {
    raw(name).map(|v| parse_seconds(name, &v)).transpose()
}

fn parse_seconds(name: &'static str, value: &str) -> Result<Duration, Invalid> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| Invalid {
            name,
            value: value.to_string(),
            accepted: "a number of seconds greater than 0, such as 30 or 0.5",
        })
}

/// `ENVCTL_LOG`: 1 for `debug`, 2 for `trace`.
pub fn log_level() -> Result<Option<u8>, Invalid> {
    raw("ENVCTL_LOG").map(|v| parse_log(&v)).transpose()
}

fn parse_log(value: &str) -> Result<u8, Invalid> {
    match value {
        "debug" => Ok(1),
        "trace" => Ok(2),
        _ => Err(Invalid {
            name: "ENVCTL_LOG",
            value: value.to_string(),
            accepted: "`debug` or `trace`",
        }),
    }
}

/// Every setting, checked once before a command runs.
/// `ENVCTL_SECRETS_FROM_ENV`: the environments (by name, comma-separated)
/// whose secrets all resolve from the process environment variable of the
/// variable's own name, whatever source the file declares — for a CI job
/// that receives as environment variables the secrets an admin's `rotate`
/// wrote to GitHub (docs/ci.md). Named, not "all": one job's values must
/// not stand for another environment's.
pub fn secrets_from_env() -> Result<Vec<String>, Invalid> {
    let Some(value) = raw("ENVCTL_SECRETS_FROM_ENV") else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = value.split(',').map(|n| n.trim().to_string()).collect();
    let valid = |n: &String| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if names.iter().all(valid) {
        return Ok(names);
    }
    Err(Invalid {
        name: "ENVCTL_SECRETS_FROM_ENV",
        value,
        accepted: "environment names separated by commas, such as production",
    })
}

pub fn check() -> Result<(), Invalid> {
    log_level()?;
    secrets_from_env()?;
    for name in SECONDS {
        seconds(name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_accept_positive_numbers_only() {
        let name = "ENVCTL_HTTP_TIMEOUT";
        assert_eq!(parse_seconds(name, "30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_seconds(name, "0.5"), Ok(Duration::from_millis(500)));
        for bad in ["-5", "0", "abc", "NaN", "inf", "1e300", "30s"] {
            let e = parse_seconds(name, bad).unwrap_err();
            assert_eq!(e.name, name);
            assert!(
                e.to_string().starts_with(&format!(
                    "ENVCTL_HTTP_TIMEOUT={bad:?} is not valid: expected a number of seconds"
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn log_accepts_debug_and_trace() {
        assert_eq!(parse_log("debug"), Ok(1));
        assert_eq!(parse_log("trace"), Ok(2));
        assert!(
            parse_log("verbose")
                .unwrap_err()
                .to_string()
                .contains("`debug` or `trace`")
        );
    }
}
