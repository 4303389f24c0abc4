//! One API call as a platform client builds it ([`Call`]: operation,
//! method, path, query, body, and the values it exposes), and a successful
//! answer ([`Reply`]).

use zeroize::Zeroizing;

use super::{Exposed, Failure, HttpError};
use envctl_core::secret::Secret;

/// What a request sends. Multipart parts are kept as bytes so a retry can
/// build the form again.
#[derive(Debug, Clone, Default)]
pub enum Body {
    #[default]
    None,
    /// Serialised JSON. May hold secret values: never logged, zeroed on drop.
    Json(Zeroizing<Vec<u8>>),
    Multipart(Vec<Part>),
}

#[derive(Debug, Clone)]
pub struct Part {
    pub name: &'static str,
    pub filename: Option<String>,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// One API call.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub method: reqwest::Method,
    /// Path from the base URL, e.g. `/v1/projects/abc/secrets`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    /// The endpoint's name for the client-side limiter, e.g. `GET secrets`.
    pub endpoint: &'static str,
    /// Every value the body or query carries, cut out of any answer about
    /// this call before it is shown.
    pub exposed: Exposed,
    /// Not idempotent (a migration that must run once): sent again only
    /// after a rate limit, which the platform refuses before running it.
    pub once: bool,
    /// The `Accept` header, when the endpoint answers in more than one
    /// form (Supabase's function body).
    pub accept: Option<&'static str>,
}

impl Call {
    pub fn new(
        operation: impl Into<String>,
        method: reqwest::Method,
        endpoint: &'static str,
        path: String,
    ) -> Call {
        Call {
            operation: operation.into(),
            method,
            path,
            query: Vec::new(),
            body: Body::None,
            endpoint,
            exposed: Exposed::default(),
            once: false,
            accept: None,
        }
    }

    /// A call that must not run twice: no retry after a lost answer or a
    /// server error, where it may have run.
    pub fn once(mut self) -> Call {
        self.once = true;
        self
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Call {
        self.query.push((key, value.into()));
        self
    }

    /// A query parameter whose value is a secret: recorded in
    /// [`Call::exposed`].
    pub fn secret_query(mut self, key: &'static str, value: &Secret) -> Call {
        let value = self.exposed.expose(value).to_string();
        self.query.push((key, value));
        self
    }

    /// A JSON body that holds no secret value (one that does is built with
    /// [`Call::json_bytes`] and its [`Exposed`]).
    pub fn json(mut self, value: &serde_json::Value) -> Call {
        self.body = Body::Json(Zeroizing::new(
            serde_json::to_vec(value).expect("JSON values serialise"),
        ));
        self
    }

    /// A JSON body serialised by the caller straight from borrowed
    /// secrets, with no intermediate copy; `exposed` holds every value the
    /// caller took out of a `Secret` for it ([`Exposed::expose`]).
    pub fn json_bytes(mut self, bytes: Zeroizing<Vec<u8>>, exposed: Exposed) -> Call {
        self.body = Body::Json(bytes);
        self.exposed = exposed;
        self
    }

    pub fn accept(mut self, media_type: &'static str) -> Call {
        self.accept = Some(media_type);
        self
    }

    pub fn multipart(mut self, parts: Vec<Part>) -> Call {
        self.body = Body::Multipart(parts);
        self
    }

    /// The path and the percent-encoded query, appended to `base`.
    pub(super) fn url(&self, base: &str) -> String {
        let mut url = format!("{base}{}", self.path);
        for (i, (key, value)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&super::encode(value));
        }
        url
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's clock (its `Date` header), in epoch milliseconds.
    pub date_ms: Option<i64>,
    /// A `Link` header names a `next` page (RFC 8288, as GitHub and
    /// Netlify page their lists).
    pub more: bool,
}

impl Reply {
    /// The body as `T`. A shape that does not fit means the base URL points
    /// somewhere else than the API: `url_var` names the setting to check.
    pub fn parse<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        url_var: &str,
    ) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            HttpError::new(
                &call.operation,
                Failure::Rejected,
                Some(self.status),
                None,
                format!(
                    "unexpected response shape (line {}, column {}); is {url_var} pointing at the right API?",
                    e.line(),
                    e.column()
                ),
            )
        })
    }

    /// The body as JSON; an empty body is `null`.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| format!("the response is not JSON: {e}"))
    }
}

/// The form of a multipart body, built again for each attempt.
pub(super) fn form(parts: &[Part]) -> reqwest::multipart::Form {
    parts
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, p| {
            let mut part = reqwest::multipart::Part::bytes(p.bytes.clone())
                .mime_str(p.content_type)
                .expect("content types are constants");
            if let Some(name) = &p.filename {
                part = part.file_name(name.clone());
            }
            form.part(p.name, part)
        })
}
