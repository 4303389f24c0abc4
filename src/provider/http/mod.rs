//! The HTTP client every platform target shares: one base URL and token,
//! timeouts, retries with backoff and jitter that honour the platform's
//! rate-limit hints, a client-side limiter per endpoint, and errors that
//! name the operation and the platform's message — never the token or a
//! value. The platform's text is not trusted: each `Call` carries the
//! values it exposes ([`Exposed`]), and every error built from an answer
//! goes through [`scrub`] first, so a value the platform echoes back never
//! reaches the terminal, a log line or a pull-request comment.
//!
//! The client knows no platform. What differs between them — the name in
//! messages, the shape of an error body, how a rate limit says when it
//! resets — is a [`Dialect`] each platform's folder supplies.
//!
//! Every operation envctl sends is idempotent by construction (upserts,
//! deletes by name, deploys of the same files), so a request whose answer
//! was lost is safe to send again; the one exception, a D1 migration, is
//! marked [`Call::once`] and never sent twice.

mod call;
mod client;
mod dates;
mod error;
mod limiter;
mod retry;
pub mod scrub;
mod url;

#[cfg(test)]
mod tests;

use reqwest::header::HeaderMap;

pub use call::{Body, Call, Part, Reply};
pub use client::Client;
pub use dates::{days_from_civil, parse_http_date, parse_rfc3339};
pub use error::{Failure, HttpError};
pub use retry::Policy;
pub use scrub::{Exposed, MAX_CODE, MAX_MESSAGE, REDACTED, Scrubber};
pub use url::{check_base_url, encode, token_flaw};

/// What the shared client needs to know of one platform, defined in the
/// platform's folder: its name in messages, the headers it asks every
/// request to carry, where its error body keeps the code and message, how
/// it says when a rate limit resets, and whether it also answers rate
/// limits with another status than 429.
#[derive(Debug)]
pub struct Dialect {
    /// The platform's name in messages (`<name> answered 502 …`).
    pub name: &'static str,
    /// Headers every request carries besides the token (a media type, an
    /// API version); never a secret.
    pub headers: &'static [(&'static str, &'static str)],
    /// The code and message of an error answer's JSON body, which the
    /// client has already scrubbed of the call's values.
    pub error: fn(&serde_json::Value) -> (Option<String>, Option<&str>),
    /// Seconds to wait after a rate limit, from the answer's headers and
    /// body; `None` when the platform did not say.
    pub rate_limit: fn(&HeaderMap, &[u8]) -> Option<f64>,
    /// Whether an error answer other than 429 (its status, headers and
    /// body) is a rate limit all the same, and retried as one; `None`
    /// when only 429 is.
    pub throttled: Option<Throttled>,
}

/// Whether an error answer (status, headers, body) is a rate limit.
pub type Throttled = fn(u16, &HeaderMap, &[u8]) -> bool;

/// A header holding a number of seconds (`Retry-After: 2`,
/// `x-ratelimit-reset: 7`), when it is there and usable.
pub fn header_seconds(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// Whether a `Link` header value names a `rel="next"` page.
pub fn links_next(link: &str) -> bool {
    link.split(',').any(|part| {
        part.split(';').skip(1).any(|param| {
            let param = param.trim();
            param
                .strip_prefix("rel=")
                .map(|rel| rel.trim_matches('"'))
                .is_some_and(|rel| rel.split_ascii_whitespace().any(|r| r == "next"))
        })
    })
}
