//! GitHub's conventions on the wire: the error body, the request headers
//! it checks, naming rules, request bodies, and pagination.

use serde_json::{Map, Value, json};

use crate::server::{Request, Response};

/// Where GitHub's generic errors point.
pub(crate) const REST_DOCS: &str = "https://docs.github.com/rest";
pub(crate) const PRIMARY_LIMIT_DOCS: &str = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits";
pub(crate) const SECONDARY_LIMIT_DOCS: &str = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const VERSION_DOCS: &str = "https://docs.github.com/rest/about-the-rest-api/api-versions";
const MEDIA_DOCS: &str =
    "https://docs.github.com/rest/using-the-rest-api/getting-started-with-the-rest-api#media-types";

/// Secrets and variables: "limited to 48 KB in size"
/// (<https://docs.github.com/actions/reference/limits>).
pub(crate) const MAX_VALUE_BYTES: usize = 48 * 1024;

/// The body of `encrypted_value` must match, per the spec.
const BASE64_PATTERN: &str =
    "/^(?:[A-Za-z0-9+\\/]{4})*(?:[A-Za-z0-9+\\/]{2}==|[A-Za-z0-9+\\/]{3}=|[A-Za-z0-9+\\/]{4})$/";

/// An error as GitHub sends it: `{message, errors?, documentation_url,
/// status}`, `status` being the code as a string (as GitHub's bodies have
/// carried since 2024).
#[derive(Debug)]
pub(crate) struct Error {
    pub status: u16,
    /// Boxed: an `Err` stays small on the way up.
    detail: Box<Detail>,
}

#[derive(Debug)]
struct Detail {
    message: String,
    doc: String,
    errors: Option<Value>,
    headers: Vec<(String, String)>,
}

impl Error {
    pub fn new(status: u16, message: impl Into<String>, doc: &str) -> Error {
        Error {
            status,
            detail: Box::new(Detail {
                message: message.into(),
                doc: doc.to_string(),
                errors: None,
                headers: Vec::new(),
            }),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl ToString) -> Error {
        self.detail
            .headers
            .push((name.to_string(), value.to_string()));
        self
    }

    pub fn response(self) -> Response {
        let Detail {
            message,
            doc,
            errors,
            headers,
        } = *self.detail;
        let mut body = Map::new();
        body.insert("message".into(), json!(message));
        if let Some(errors) = errors {
            body.insert("errors".into(), errors);
        }
        body.insert("documentation_url".into(), json!(doc));
        body.insert("status".into(), json!(self.status.to_string()));
        let mut response = Response::json(self.status, &Value::Object(body));
        for (name, value) in headers {
            response = response.with_header(&name, value);
        }
        response
    }
}

pub(crate) fn not_found(doc: &str) -> Error {
    Error::new(404, "Not Found", doc)
}

/// GitHub's "Validation Failed" with one error object, for a value over
/// the size limit (the exact body is unverified; the web UI says "Value is
/// too large.").
pub(crate) fn too_large(resource: &str, field: &str, doc: &str) -> Error {
    let mut e = Error::new(422, "Validation Failed", doc);
    e.detail.errors = Some(json!([{
        "resource": resource,
        "code": "custom",
        "field": field,
        "message": "Value is too large.",
    }]));
    e
}

/// A body that breaks the operation's schema: GitHub answers `422` with
/// `Invalid request.` and what was wrong (seen in the wild:
/// `"key_id" wasn't supplied.`).
pub(crate) fn invalid(detail: &str, doc: &str) -> Error {
    Error::new(422, format!("Invalid request.\n\n{detail}"), doc)
}

/// `X-GitHub-Api-Version`: absent means the default; an unknown version
/// is `400` with the message GitHub sends.
pub(crate) fn version(request: &Request) -> Result<&'static str, Error> {
    let Some(asked) = request.header("x-github-api-version") else {
        return Ok(super::API_VERSIONS[0]);
    };
    super::API_VERSIONS
        .iter()
        .find(|v| **v == asked.trim())
        .copied()
        .ok_or_else(|| {
            Error::new(
                400,
                format!(
                    "The version you specified in the \"X-GitHub-API-Version\" request header, \
                     \"{asked}\", is not a supported version. The following versions are currently \
                     supported: \"{}\" (most recent), \"{}\".",
                    super::API_VERSIONS[1],
                    super::API_VERSIONS[0]
                ),
                VERSION_DOCS,
            )
        })
}

/// `Accept`: absent, or any media range that admits JSON
/// (`application/vnd.github+json` is the one GitHub recommends). Anything
/// else is `415` (unverified wording).
pub(crate) fn accept(request: &Request) -> Result<(), Error> {
    let Some(accept) = request.header("accept") else {
        return Ok(());
    };
    let ok = accept.split(',').any(|range| {
        let media = range.split(';').next().unwrap_or("").trim();
        let media = media.to_ascii_lowercase();
        media.is_empty()
            || media == "*/*"
            || media == "application/*"
            || media == "application/json"
            || (media.starts_with("application/vnd.github") && !media.ends_with(".html"))
    });
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            415,
            format!("Unsupported 'Accept' header: '{accept}'. Must accept 'application/json'."),
            MEDIA_DOCS,
        ))
    }
}

/// What `Authorization` holds.
pub(crate) enum Credentials<'a> {
    None,
    Token(&'a str),
    /// A scheme GitHub's REST API does not take for a token, or no token.
    Malformed,
}

/// `Bearer <token>` or `token <token>`, the scheme case-insensitive
/// (<https://docs.github.com/rest/authentication/authenticating-to-the-rest-api>).
pub(crate) fn credentials(request: &Request) -> Credentials<'_> {
    let Some(value) = request.header("authorization") else {
        return Credentials::None;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return Credentials::Malformed;
    };
    let token = token.trim();
    if (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        && !token.is_empty()
        && !token.contains(' ')
    {
        Credentials::Token(token)
    } else {
        Credentials::Malformed
    }
}

/// Secret or variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Secret,
    Variable,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "Secret",
            Kind::Variable => "Variable",
        }
    }
}

/// A name by GitHub's rules, upper-cased. The message for a bad secret
/// name is the one GitHub sends; the variable one follows its pattern, and
/// the `GITHUB_` one is the wording GitHub's users report for variables
/// (both unverified for the API).
pub(crate) fn name(kind: Kind, name: &str, doc: &str) -> Result<String, Error> {
    let noun = kind.noun();
    let well_formed = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !well_formed {
        return Err(Error::new(
            422,
            format!(
                "{noun} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or \
                 underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) \
                 or underscores (_)."
            ),
            doc,
        ));
    }
    let upper = name.to_ascii_uppercase();
    if upper.starts_with("GITHUB_") {
        return Err(Error::new(
            422,
            format!("{noun} names cannot start with GITHUB_ prefix."),
            doc,
        ));
    }
    Ok(upper)
}

/// The request body as a JSON object: not JSON is `400 Problems parsing
/// JSON`, as GitHub answers; JSON of another type is `422`. An empty body
/// is an empty object when `empty_ok`.
pub(crate) fn object(
    request: &Request,
    empty_ok: bool,
    doc: &str,
) -> Result<Map<String, Value>, Error> {
    if empty_ok && request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&request.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) if empty_ok => Ok(Map::new()),
        Ok(other) => Err(invalid(&format!("{other} is not an object."), doc)),
        Err(_) => Err(Error::new(400, "Problems parsing JSON", doc)),
    }
}

/// A string property: absent is `None` (or `"<key>" wasn't supplied.`
/// when `required`); another type is `For 'properties/<key>', <v> is not a
/// string.`, GitHub's schema-error wording.
pub(crate) fn string(
    body: &Map<String, Value>,
    key: &str,
    required: bool,
    doc: &str,
) -> Result<Option<String>, Error> {
    match body.get(key) {
        None if required => Err(invalid(&format!("\"{key}\" wasn't supplied."), doc)),
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(invalid(
            &format!("For 'properties/{key}', {other} is not a string."),
            doc,
        )),
    }
}

/// `encrypted_value` must be padded base64, by the spec's pattern.
pub(crate) fn base64_value(value: &str, doc: &str) -> Result<Vec<u8>, Error> {
    use base64::Engine as _;
    let shaped = value.len().is_multiple_of(4)
        && !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    let decoded = shaped
        .then(|| base64::engine::general_purpose::STANDARD.decode(value).ok())
        .flatten();
    decoded.ok_or_else(|| invalid(&format!("{value} does not match {BASE64_PATTERN}."), doc))
}

/// `per_page` (defaulting to `default`, capped at `max`) and `page`
/// (from 1); values that are not positive integers fall back to the
/// defaults.
pub(crate) fn paging(request: &Request, default: usize, max: usize) -> (usize, usize) {
    let number = |key: &str| {
        request
            .query(key)
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    let per_page = number("per_page").map_or(default, |n| n.min(max));
    (per_page, number("page").unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_githubs_rules() {
        let doc = REST_DOCS;
        assert_eq!(name(Kind::Secret, "api_key", doc).unwrap(), "API_KEY");
        assert_eq!(name(Kind::Variable, "_X1", doc).unwrap(), "_X1");
        for bad in ["", "1A", "A-B", "A B", "ÄB", "github_token", "GITHUB_X"] {
            let e = name(Kind::Secret, bad, doc).unwrap_err();
            assert_eq!(e.status, 422, "{bad:?}");
        }
        assert_eq!(name(Kind::Variable, "GITHUB", doc).unwrap(), "GITHUB");
    }

    #[test]
    fn base64_must_be_padded() {
        assert_eq!(base64_value("c2VjcmV0", REST_DOCS).unwrap(), b"secret");
        for bad in [
            "",
            "c2VjcmV",
            "c2V-cmV0",
            "c2VjcmV0\n",
            "ainsdr-34234vsdf-dfdf",
        ] {
            assert!(base64_value(bad, REST_DOCS).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn encoding_keeps_unreserved_characters() {
        assert_eq!(crate::server::percent_encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(crate::server::percent_encode("prod/eu 1"), "prod%2Feu%201");
    }
}
