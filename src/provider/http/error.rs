//! A failed call, in the terms a user acts on: which kind of failure, the
//! status, the platform's code and (scrubbed) message, and how many
//! attempts it took. Transport errors are put in words without the URL.

use std::fmt;

/// Why a call failed, in the terms a user acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 401: the token is missing, malformed, expired or revoked.
    Unauthorized,
    /// 403: the token lacks a permission or access to the project/team.
    Forbidden,
    NotFound,
    /// Another 4xx: the request was refused as invalid.
    Rejected,
    /// Still rate limited when attempts or the deadline ran out.
    RateLimited,
    /// 5xx after every attempt.
    Server,
    /// No answer: connection refused, reset, or timed out.
    Network,
}

impl Failure {
    /// The failure an error status means.
    pub fn of_status(status: u16) -> Failure {
        match status {
            401 => Failure::Unauthorized,
            403 => Failure::Forbidden,
            404 => Failure::NotFound,
            429 => Failure::RateLimited,
            500..=599 => Failure::Server,
            _ => Failure::Rejected,
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpError {
    pub failure: Failure,
    /// The operation, e.g. "list secrets".
    pub operation: String,
    pub status: Option<u16>,
    /// The platform's own code (as its [`super::Dialect`] reads it), when
    /// it sent one.
    pub code: Option<String>,
    /// The platform's message, or what went wrong on the wire.
    pub message: String,
    pub attempts: u32,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "HTTP {status}")?,
            None => f.write_str("no response")?,
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl HttpError {
    /// A failure of `operation` after one attempt.
    pub(super) fn new(
        operation: &str,
        failure: Failure,
        status: Option<u16>,
        code: Option<String>,
        message: String,
    ) -> HttpError {
        HttpError {
            failure,
            operation: operation.to_string(),
            status,
            code,
            message,
            attempts: 1,
        }
    }

    pub(super) fn attempts(mut self, n: u32) -> HttpError {
        self.attempts = n;
        self
    }
}

/// Whether the TLS handshake failed on the server's certificate. The
/// rustls error arrives wrapped in `io::Error`s (twice, with hyper), whose
/// `source()` skips the wrapped error, so each one is opened by hand.
pub(super) fn tls_refused(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let mut current: &(dyn std::error::Error + 'static) = s;
        while let Some(io) = current.downcast_ref::<std::io::Error>() {
            match io.get_ref() {
                Some(inner) => current = inner,
                None => break,
            }
        }
        if let Some(
            rustls::Error::InvalidCertificate(_)
            | rustls::Error::NoCertificatesPresented
            | rustls::Error::InvalidCertRevocationList(_),
        ) = current.downcast_ref::<rustls::Error>()
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// A transport error in words, without the URL (which reqwest includes and
/// which may carry query values).
pub(super) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off"
    } else {
        "the connection failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = None;
    while let Some(s) = source {
        detail = Some(s.to_string());
        source = s.source();
    }
    match detail {
        Some(d) => format!("{what} ({})", super::scrub::truncate(&d, 120)),
        None => what.to_string(),
    }
}
