//! A provider failure as data: which target, doing what, what kind of
//! failure, the platform's status, code and (scrubbed) message, and what
//! the user can do about it. Callers decide on the kind; `Display` gives
//! the one-paragraph report users see:
//!
//! ```text
//! target web: list environment variables: project web: HTTP 403 forbidden: Not allowed (after 2 attempts)
//!   help: the token in <TOKEN_VAR> was refused, …
//! ```
//!
//! Never a value: the message of an answer went through the HTTP client's
//! scrubber before it got here.

use std::fmt;

use super::http::{Failure, HttpError};

/// Why a provider failed, in the terms a user (or a retry policy) acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A platform call failed (see [`Failure`]: unauthorized, forbidden,
    /// not found, rejected, rate limited, a server error, no answer).
    Http(Failure),
    /// The database of `migrations.database_url` could not be reached or
    /// refused a statement.
    Database,
    /// Nothing was sent: a missing token or file, a write the target
    /// cannot hold.
    Local,
    /// Stopped on request (SIGINT or SIGTERM).
    Stopped,
}

impl From<Failure> for ErrorKind {
    fn from(failure: Failure) -> ErrorKind {
        ErrorKind::Http(failure)
    }
}

/// A provider failure: which target, doing what, and why. Never a value.
///
/// Kept small (texts as boxed `str`s, the rest of an answer boxed), as
/// every `apply` and most commands return one in their `Err`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The target's name in the environment file.
    pub target: Box<str>,
    /// What was being done, e.g. "list secrets".
    pub operation: Box<str>,
    pub kind: ErrorKind,
    /// The HTTP status of the answer; `None` without one.
    pub status: Option<u16>,
    /// The platform's message (scrubbed), or what went wrong here.
    pub message: Box<str>,
    /// What else the platform said, for a failed request; `None` when
    /// nothing was sent.
    pub detail: Option<Box<Detail>>,
}

/// The rest of a failed request: what it addressed, the platform's code,
/// how many attempts it took, and what the user can do about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail {
    /// What the request addressed, as the report names it (`project web`,
    /// `d1 database …`).
    pub scope: String,
    /// The platform's own error code, when it sent one.
    pub code: Option<String>,
    /// Requests sent for the operation, retries included.
    pub attempts: u32,
    /// What the user can do about it, when the message does not say.
    pub hint: Option<String>,
}

impl ProviderError {
    /// A failure of `kind` with nothing but a message.
    pub fn new(
        target: &str,
        operation: &str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> ProviderError {
        ProviderError {
            target: target.into(),
            operation: operation.into(),
            kind,
            status: None,
            message: message.into().into(),
            detail: None,
        }
    }

    /// A failure before anything was sent.
    pub fn local(target: &str, operation: &str, message: impl Into<String>) -> ProviderError {
        ProviderError::new(target, operation, ErrorKind::Local, message)
    }

    /// A platform call that failed on `scope` (`project web`), with what
    /// the user can do about it (`hint`, `None` when the platform's own
    /// message says it all).
    pub fn http(
        target: &str,
        scope: String,
        error: HttpError,
        hint: Option<String>,
    ) -> ProviderError {
        ProviderError {
            target: target.into(),
            operation: error.operation.into(),
            kind: error.failure.into(),
            status: error.status,
            message: error.message.into(),
            detail: Some(Box::new(Detail {
                scope,
                code: error.code,
                attempts: error.attempts,
                hint,
            })),
        }
    }

    /// The same failure, naming what the request addressed.
    pub fn in_scope(mut self, scope: String) -> ProviderError {
        self.detail.get_or_insert_default().scope = scope;
        self
    }

    /// The platform's own error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        self.detail.as_ref()?.code.as_deref()
    }

    /// What the user can do about it, when the message does not say.
    pub fn hint(&self) -> Option<&str> {
        self.detail.as_ref()?.hint.as_deref()
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "target {}: {}: ", self.target, self.operation)?;
        let detail = self.detail.as_deref();
        if let Some(d) = detail.filter(|d| !d.scope.is_empty()) {
            write!(f, "{}: ", d.scope)?;
        }
        // An answer shows its status; a network failure without one had
        // no answer. Other failures without a status were not HTTP answers.
        let wire = match (self.status, self.kind) {
            (Some(status), _) => Some(format!("HTTP {status}")),
            (None, ErrorKind::Http(Failure::Network)) => Some("no response".to_string()),
            _ => None,
        };
        if let Some(wire) = wire {
            f.write_str(&wire)?;
            if let Some(code) = self.code() {
                write!(f, " {code}")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)?;
        if let Some(d) = detail.filter(|d| d.attempts > 1) {
            write!(f, " (after {} attempts)", d.attempts)?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: Option<u16>, code: Option<&str>, attempts: u32) -> HttpError {
        HttpError {
            failure: status.map_or(Failure::Network, Failure::of_status),
            operation: "list secrets".into(),
            status,
            code: code.map(str::to_string),
            message: "Not allowed".into(),
            attempts,
        }
    }

    #[test]
    fn an_http_failure_reads_as_the_flattened_message_did() {
        let e = http(Some(403), Some("forbidden"), 2);
        let flat = format!("project web: {e}\n  help: check the token");
        let typed = ProviderError::http(
            "fn",
            "project web".into(),
            e,
            Some("check the token".into()),
        );
        assert_eq!(typed.kind, ErrorKind::Http(Failure::Forbidden));
        assert_eq!(
            typed.to_string(),
            format!("target fn: list secrets: {flat}")
        );
        let e = http(None, None, 1);
        let flat = format!("project web: {e}");
        let typed = ProviderError::http("fn", "project web".into(), e, None);
        assert_eq!(
            typed.to_string(),
            format!("target fn: list secrets: {flat}")
        );
        assert!(typed.to_string().contains("no response: Not allowed"));
    }

    #[test]
    fn a_local_failure_is_its_message() {
        let e = ProviderError::local("web", "apply", "a Pages project holds no Edge Functions");
        assert_eq!(
            e.to_string(),
            "target web: apply: a Pages project holds no Edge Functions"
        );
        let refused = ProviderError::new(
            "web",
            "create",
            ErrorKind::Http(Failure::Rejected),
            "the platform refused A",
        )
        .in_scope("project p".into());
        assert_eq!(
            refused.to_string(),
            "target web: create: project p: the platform refused A"
        );
    }
}
