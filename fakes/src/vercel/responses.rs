//! How answers look: records at each level of disclosure, pagination, and
//! Vercel's error envelope.

use super::*;

/// How much of a value a response shows.
#[derive(Clone, Copy)]
pub(super) enum View {
    /// Lists: plaintext for plain; ciphertext for encrypted; `""` for
    /// sensitive.
    Listed,
    /// `GET …/env/{id}`: plaintext and `decrypted: true`, except sensitive
    /// (no `value`, `decrypted: false`).
    Decrypted,
    /// Answers to writes: plaintext for plain, otherwise ciphertext.
    Written,
}

pub(super) fn render(r: &Record, view: View, string_targets: bool) -> Value {
    let mut obj = Map::new();
    let target = match r.target.as_slice() {
        [one] if string_targets => json!(one),
        all => json!(all),
    };
    obj.insert("target".into(), target);
    obj.insert("type".into(), json!(r.kind.as_str()));
    let (value, decrypted) = match (view, r.kind) {
        (View::Decrypted, EnvType::Sensitive) => (None, Some(false)),
        (View::Decrypted, _) => (Some(r.value.clone()), Some(true)),
        (_, kind) if kind.is_readable() => (Some(r.value.clone()), None),
        (View::Listed, EnvType::Sensitive) => (Some(String::new()), Some(false)),
        _ => (Some(ciphertext(&r.id, &r.value)), Some(false)),
    };
    if let Some(decrypted) = decrypted {
        obj.insert("decrypted".into(), json!(decrypted));
    }
    if let Some(value) = value {
        obj.insert("value".into(), json!(value));
    }
    obj.insert("id".into(), json!(r.id));
    obj.insert("key".into(), json!(r.key));
    obj.insert("configurationId".into(), Value::Null);
    obj.insert("createdAt".into(), json!(r.created_at));
    obj.insert("updatedAt".into(), json!(r.updated_at));
    obj.insert("createdBy".into(), json!(r.created_by));
    obj.insert("updatedBy".into(), json!(r.updated_by));
    obj.insert("comment".into(), json!(r.comment));
    obj.insert(
        "customEnvironmentIds".into(),
        json!(r.custom_environment_ids),
    );
    if let Some(branch) = &r.git_branch {
        obj.insert("gitBranch".into(), json!(branch));
    }
    Value::Object(obj)
}

/// An opaque, deterministic stand-in for Vercel's ciphertext: base64 of
/// SHA-256 over the record id and the value. Never equal to the plaintext.
pub(super) fn ciphertext(id: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("envctl-fakes/vercel\0{id}\0{value}").as_bytes());
    base64(&digest)
}

pub(super) fn base64(bytes: &[u8]) -> String {
    pub(super) const ALPHABET: &[u8; 64] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `limit` / `until` of a list request.
pub(super) struct PageQuery {
    pub(super) limit: usize,
    pub(super) until: Option<u64>,
}

impl PageQuery {
    /// `limit` defaults to `default` and is clamped to 100; `0` or a
    /// non-number is `400`. `until` must be a number.
    pub(super) fn parse(request: &Request, default: usize) -> Result<PageQuery, Error> {
        let limit = match request.query("limit") {
            None => default,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if n > 0 => n.min(MAX_PAGE),
                _ => {
                    return Err(bad_request(
                        "Invalid request: `limit` should be a positive number",
                    ));
                }
            },
        };
        let until = match request.query("until") {
            None => None,
            Some(u) => Some(
                u.parse::<u64>()
                    .map_err(|_| bad_request("Invalid request: `until` should be a number"))?,
            ),
        };
        Ok(PageQuery { limit, until })
    }

    /// No paging: every item in one page.
    pub(super) fn everything() -> PageQuery {
        PageQuery {
            limit: usize::MAX,
            until: None,
        }
    }

    /// One page of `items` (sorted newest first) and its pagination object:
    /// `next` is the `createdAt` of the page's last item when more remain,
    /// `prev` the first item's when this is not the first page.
    pub(super) fn apply<T>(&self, items: Vec<T>, stamp: impl Fn(&T) -> u64) -> (Vec<T>, Value) {
        let mut rest: Vec<T> = items
            .into_iter()
            .filter(|i| self.until.is_none_or(|u| stamp(i) < u))
            .collect();
        let more = rest.len() > self.limit;
        rest.truncate(self.limit);
        let next = rest.last().filter(|_| more).map(&stamp);
        let prev = rest.first().filter(|_| self.until.is_some()).map(&stamp);
        let pagination = json!({ "count": rest.len(), "next": next, "prev": prev });
        (rest, pagination)
    }
}

/// A failure, rendered as `{"error":{code, message, …}}`, or a response
/// already built (429).
pub(super) enum Error {
    Api {
        status: u16,
        fields: Map<String, Value>,
    },
    Ready(Response),
}

impl Error {
    pub(super) fn new(status: u16, code: &str, message: &str) -> Error {
        let mut fields = Map::new();
        fields.insert("code".into(), json!(code));
        fields.insert("message".into(), json!(message));
        Error::Api { status, fields }
    }

    /// Adds a field next to `code` and `message`.
    pub(super) fn with(self, name: &str, value: impl Into<Value>) -> Error {
        match self {
            Error::Api { status, mut fields } => {
                fields.insert(name.to_string(), value.into());
                Error::Api { status, fields }
            }
            ready => ready,
        }
    }

    /// `{"error": {...}}`.
    pub(super) fn envelope(&self) -> Value {
        match self {
            Error::Api { fields, .. } => json!({ "error": fields }),
            Error::Ready(_) => json!({ "error": { "code": "internal_server_error" } }),
        }
    }

    pub(super) fn response(self) -> Response {
        match self {
            Error::Api { status, .. } => Response::json(status, &self.envelope()),
            Error::Ready(response) => response,
        }
    }
}

pub(super) fn bad_request(message: &str) -> Error {
    Error::new(400, "bad_request", message)
}

impl From<String> for Error {
    fn from(message: String) -> Error {
        bad_request(&message)
    }
}

pub(super) fn method_unknown(allowed: &[&str]) -> Response {
    let list = allowed.join(", ");
    Error::new(
        405,
        "method_unknown",
        &format!("This endpoint only supports {list} requests"),
    )
    .response()
    .with_header("allow", list)
}

/// Vercel's 429: `Retry-After` in seconds and the documented `limit` object.
pub(super) fn rate_limited(total: u32, reset_ms: u64, retry_after_secs: u64) -> Response {
    let body = json!({
        "error": {
            "code": "rate_limited",
            "message": "Rate limit exceeded",
            "limit": {
                "remaining": 0,
                "reset": reset_ms / 1000,
                "resetMs": reset_ms,
                "total": total,
            },
        }
    });
    Response::json(429, &body).with_header("retry-after", retry_after_secs)
}
