//! Netlify's conventions on the wire: the error model, pagination with a
//! `Link` header, timestamps, and the value ids.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::server::{Request, Response, iso_seconds};

/// Netlify's default and largest page: "paginated to 100 items by
/// default", `per_page` up to 100 (the API guide's "Pagination"; the
/// netlify-cli asks for `per_page=100` when it lists sites).
pub(crate) const PER_PAGE: usize = 100;

/// An error in the spec's `error` model: `{code, message}`, `code` being
/// the HTTP status.
#[derive(Debug)]
pub(crate) struct Error {
    pub status: u16,
    pub message: String,
    headers: Vec<(String, String)>,
}

impl Error {
    pub fn new(status: u16, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl ToString) -> Error {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn response(self) -> Response {
        let mut response = Response::json(
            self.status,
            &json!({ "code": self.status, "message": self.message }),
        );
        for (name, value) in self.headers {
            response = response.with_header(&name, value);
        }
        response
    }
}

/// What Netlify answers for a site, account, variable or route the caller
/// cannot see: `404 Not Found`, never `403`, so a token learns nothing of
/// what it may not read. (An unrouted path was seen answering a
/// `text/plain` "Not Found" by a third party; the fake keeps the JSON
/// model for every 404: unverified.)
pub(crate) fn not_found() -> Error {
    Error::new(404, "Not Found")
}

/// A body or query that breaks the operation's schema or Netlify's rules:
/// `422` (the status the spec declares for `createSiteBuild`'s bad input;
/// the wording of each message is unverified).
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(422, message)
}

/// `per_page` (default and at most `max`) and `page` (from 1); values
/// that are not positive integers fall back to the defaults.
pub(crate) fn paging(request: &Request, max: usize) -> (usize, usize) {
    let number = |key: &str| {
        request
            .query(key)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    let per_page = number("per_page").map_or(max, |n| n.min(max));
    (per_page, number("page").unwrap_or(1))
}

/// One page of `items` as a JSON array, with a `Link` header when there
/// is more than one page. A page past the end is an empty array.
pub(crate) fn page(
    items: Vec<serde_json::Value>,
    request: &Request,
    url: &str,
    max: usize,
) -> Response {
    let total = items.len();
    let (per_page, page) = paging(request, max);
    let last = total.div_ceil(per_page).max(1);
    let shown: Vec<serde_json::Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let response = Response::json(200, &serde_json::Value::Array(shown));
    match crate::server::link(request, url, page, last) {
        Some(link) => response.with_header("link", link),
        None => response,
    }
}

/// Epoch milliseconds as RFC 3339 with milliseconds, UTC
/// (`2024-01-01T00:00:00.123Z`): the spec's `date-time`. Whether Netlify
/// sends the milliseconds is unverified; they let a client tell two
/// writes in one second apart.
pub(crate) fn iso_millis(epoch_ms: i64) -> String {
    let ms = epoch_ms.max(0) as u64;
    let whole = iso_seconds(ms);
    format!("{}.{:03}Z", whole.trim_end_matches('Z'), ms % 1000)
}

/// A UUID-shaped id (version 4 layout) derived from `seed`: deterministic,
/// so a failing test repeats.
pub(crate) fn uuid(seed: &str) -> String {
    let d = Sha256::digest(format!("envctl-fakes netlify {seed}"));
    let hex: String = d.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A 24-hex-digit id, the form of Netlify's account and user ids.
pub(crate) fn object_id(seed: &str) -> String {
    let d = Sha256::digest(format!("envctl-fakes netlify object {seed}"));
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_shapes() {
        let id = uuid("x");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(id, uuid("x"));
        assert_ne!(id, uuid("y"));
        assert_eq!(object_id("a").len(), 24);
    }

    #[test]
    fn times_carry_milliseconds() {
        assert_eq!(iso_millis(951_782_400_007), "2000-02-29T00:00:00.007Z");
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn encoding_keeps_unreserved_characters() {
        assert_eq!(crate::server::percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(crate::server::percent_encode("my site/1"), "my%20site%2F1");
    }
}
