//! The HTTP client every platform target shares: one base URL and token,
//! timeouts, retries with backoff and jitter that honour the platform's
//! rate-limit hints, a client-side limiter per endpoint, and errors that
//! name the operation and the platform's message — never the token or a
//! value. The platform's text is not trusted: each `Call` carries the
//! values it exposes ([`Exposed`]), and every error built from an answer
//! goes through [`scrub`] first, so a value the platform echoes back never
//! reaches the terminal, a log line or a pull-request comment.
//!
//! Every operation envctl sends is idempotent by construction (upserts,
//! deletes by name, deploys of the same files), so a request whose answer
//! was lost is safe to send again.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use zeroize::Zeroizing;

use crate::log;
use crate::secret::Secret;

mod scrub;

pub use scrub::{Exposed, MAX_CODE, MAX_MESSAGE, REDACTED, Scrubber};

/// How a platform signals rate limits and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `x-ratelimit-reset` = seconds until the window resets; errors are
    /// `{"message": …}`.
    Supabase,
    /// `Retry-After` seconds, or the `rate_limited` body's `limit.reset`
    /// (epoch seconds); errors are `{"error": {"code", "message"}}`.
    Vercel,
    /// `Retry-After` seconds; errors are the v4 envelope's
    /// `{"errors": [{"code", "message"}]}`, codes being numbers.
    Cloudflare,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Supabase => "Supabase",
            Platform::Vercel => "Vercel",
            Platform::Cloudflare => "Cloudflare",
        }
    }
}

/// Limits on waiting. The defaults suit a CI job; the environment can
/// shorten them (`ENVCTL_HTTP_TIMEOUT`, `ENVCTL_HTTP_DEADLINE`, seconds).
#[derive(Debug, Clone)]
pub struct Policy {
    pub connect_timeout: Duration,
    /// For one request, from sending to the end of the body.
    pub request_timeout: Duration,
    /// For one operation, retries included.
    pub deadline: Duration,
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Client-side limit per endpoint: this many requests per `window`.
    pub per_window: u32,
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            per_window: 120,
            window: Duration::from_secs(60),
        }
    }
}

impl Policy {
    /// The defaults, shortened by `ENVCTL_HTTP_TIMEOUT` / `ENVCTL_HTTP_DEADLINE`.
    pub fn from_env() -> Policy {
        let mut policy = Policy::default();
        // Checked at start-up (crate::settings::check): invalid is an error there.
        let seconds = |name| crate::settings::seconds(name).ok().flatten();
        if let Some(t) = seconds("ENVCTL_HTTP_TIMEOUT") {
            policy.request_timeout = t;
            policy.connect_timeout = policy.connect_timeout.min(t);
        }
        if let Some(d) = seconds("ENVCTL_HTTP_DEADLINE") {
            policy.deadline = d;
        }
        policy
    }
}

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

#[derive(Debug, Clone)]
pub struct HttpError {
    pub failure: Failure,
    /// The operation, e.g. "list secrets".
    pub operation: String,
    pub status: Option<u16>,
    /// The platform's own code (Vercel `error.code`), when it sent one.
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
        }
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

    pub fn multipart(mut self, parts: Vec<Part>) -> Call {
        self.body = Body::Multipart(parts);
        self
    }
}

/// A successful answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server's clock (its `Date` header), in epoch milliseconds.
    pub date_ms: Option<i64>,
}

impl Reply {
    /// The body as `T`. A shape that does not fit means the base URL points
    /// somewhere else than the API: `url_var` names the setting to check.
    pub fn parse<T: serde::de::DeserializeOwned>(
        &self,
        call: &Call,
        url_var: &str,
    ) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError {
            failure: Failure::Rejected,
            operation: call.operation.clone(),
            status: Some(self.status),
            code: None,
            message: format!(
                "unexpected response shape (line {}, column {}); is {url_var} pointing at the right API?",
                e.line(),
                e.column()
            ),
            attempts: 1,
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

/// A client for one platform, base URL and token. Cheap to clone; clones
/// share the connection pool, the limiter and the request counter.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    base: String,
    token: Secret,
    platform: Platform,
    policy: Policy,
    limiter: Arc<Limiter>,
    sent: Arc<AtomicU64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("platform", &self.platform)
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// `base` must be `https://…`, or `http://` to a loopback host (the
    /// fakes); anything else is refused before a byte is sent.
    pub fn new(
        platform: Platform,
        base: &str,
        token: Secret,
        policy: Policy,
    ) -> Result<Client, String> {
        let base = check_base_url(base)?;
        // The caller names the token's source in its own check; this one
        // keeps a bad token from ever reaching a request.
        if let Some(flaw) = token_flaw(token.expose()) {
            return Err(format!(
                "the {} token holds {flaw}, which cannot be sent in an HTTP header",
                platform.name()
            ));
        }
        let inner = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            .user_agent(concat!("envctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Client {
            inner,
            base,
            token,
            platform,
            limiter: Arc::new(Limiter::new(policy.per_window, policy.window)),
            policy,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Requests sent so far by this client and its clones, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends a call, retrying what is worth retrying until the attempts or
    /// the deadline run out.
    pub async fn send(&self, call: &Call) -> Result<Reply, HttpError> {
        let started = Instant::now();
        let deadline = started + self.policy.deadline;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.limiter.acquire(call.endpoint, deadline).await;
            let outcome = self.attempt(call, attempt).await;
            let (error, wait) = match outcome {
                Ok(reply) => return Ok(reply),
                Err(Attempt::Final(error)) => return Err(error.attempts(attempt)),
                Err(Attempt::Retry { error, wait }) => (error, wait),
            };
            if let Some(wait) = wait {
                // The server said when the window resets: nobody on this
                // endpoint sends before then.
                self.limiter.block(call.endpoint, Instant::now() + wait);
            }
            let delay = wait.unwrap_or_else(|| self.backoff(attempt));
            let out_of_time = Instant::now() + delay >= deadline;
            if attempt >= self.policy.max_attempts || out_of_time {
                let mut error = error.attempts(attempt);
                if out_of_time && attempt < self.policy.max_attempts {
                    error.message = format!(
                        "{} (gave up: the {}s deadline would pass before the next attempt)",
                        error.message,
                        self.policy.deadline.as_secs_f64()
                    );
                }
                return Err(error);
            }
            log::trace(|| {
                format!(
                    "{} {}: retrying in {} ms ({})",
                    call.method,
                    call.path,
                    delay.as_millis(),
                    error.message
                )
            });
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, call: &Call, attempt: u32) -> Result<Reply, Attempt> {
        let mut url = format!("{}{}", self.base, call.path);
        for (i, (key, value)) in call.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            url.push_str(&encode(value));
        }
        let mut request = self
            .inner
            .request(call.method.clone(), &url)
            .bearer_auth(self.token.expose());
        request = match &call.body {
            Body::None => request,
            Body::Json(bytes) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.to_vec()),
            Body::Multipart(parts) => request.multipart(form(parts)),
        };
        let started = Instant::now();
        self.sent.fetch_add(1, Ordering::Relaxed);
        let result = request.send().await;
        let elapsed = started.elapsed().as_millis();
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                log::debug(|| {
                    format!(
                        "{} {} -> no response after {elapsed} ms (attempt {attempt})",
                        call.method, call.path
                    )
                });
                let error = self.error(call, Failure::Network, None, None, describe(&e));
                // An untrusted certificate stays untrusted, and a request
                // that could not be built (a header it cannot carry) will
                // not build the next time: no retry.
                if tls_refused(&e) || e.is_builder() {
                    return Err(Attempt::Final(error));
                }
                return Err(Attempt::Retry { error, wait: None });
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => {
                return Err(Attempt::Retry {
                    error: self.error(call, Failure::Network, Some(status), None, describe(&e)),
                    wait: None,
                });
            }
        };
        log::debug(|| {
            format!(
                "{} {} -> {status} in {elapsed} ms (attempt {attempt})",
                call.method, call.path
            )
        });
        if (200..300).contains(&status) {
            let date_ms = headers
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_http_date);
            return Ok(Reply {
                status,
                body,
                date_ms,
            });
        }
        let (code, message) = self.platform_message(call, status, &body);
        match status {
            429 => Err(Attempt::Retry {
                wait: Some(self.rate_limit_wait(&headers, &body)),
                error: self.error(call, Failure::RateLimited, Some(status), code, message),
            }),
            500..=599 => Err(Attempt::Retry {
                error: self.error(call, Failure::Server, Some(status), code, message),
                wait: None,
            }),
            401 => Err(Attempt::Final(self.error(
                call,
                Failure::Unauthorized,
                Some(status),
                code,
                message,
            ))),
            403 => Err(Attempt::Final(self.error(
                call,
                Failure::Forbidden,
                Some(status),
                code,
                message,
            ))),
            404 => Err(Attempt::Final(self.error(
                call,
                Failure::NotFound,
                Some(status),
                code,
                message,
            ))),
            _ => Err(Attempt::Final(self.error(
                call,
                Failure::Rejected,
                Some(status),
                code,
                message,
            ))),
        }
    }

    fn error(
        &self,
        call: &Call,
        failure: Failure,
        status: Option<u16>,
        code: Option<String>,
        message: String,
    ) -> HttpError {
        HttpError {
            failure,
            operation: call.operation.clone(),
            status,
            code,
            message,
            attempts: 1,
        }
    }

    /// What removes this call's values (and the token) from platform text.
    pub fn scrubber(&self, call: &Call) -> Scrubber {
        call.exposed.scrubber([self.token.expose()])
    }

    /// A refusal the platform wrapped in a successful answer (a
    /// Cloudflare envelope with `success: false`, a batch's per-key
    /// failure): its code and message, scrubbed like any error's.
    pub fn refusal(
        &self,
        call: &Call,
        status: u16,
        code: Option<&str>,
        message: &str,
    ) -> HttpError {
        let scrubber = self.scrubber(call);
        self.error(
            call,
            Failure::Rejected,
            Some(status),
            code.map(|c| scrubber.text(c, MAX_CODE)),
            scrubber.text(message, MAX_MESSAGE),
        )
    }

    /// The platform's error code and message, fit to show: the body is
    /// not trusted (a validation error may quote the request), so it is
    /// scrubbed of this call's values and of secret-looking fields before
    /// anything is taken from it, and the message is cut to a sane length.
    fn platform_message(&self, call: &Call, status: u16, body: &[u8]) -> (Option<String>, String) {
        let scrubber = self.scrubber(call);
        let mut json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        if let Some(v) = json.as_mut() {
            scrubber.json(v);
        }
        let (code, message) = match (self.platform, &json) {
            (Platform::Supabase, Some(v)) => (None, v.get("message").and_then(|m| m.as_str())),
            (Platform::Vercel, Some(v)) => {
                let error = v.get("error");
                (
                    error
                        .and_then(|e| e.get("code"))
                        .and_then(|c| c.as_str())
                        .map(str::to_string),
                    error
                        .and_then(|e| e.get("message"))
                        .and_then(|m| m.as_str()),
                )
            }
            (Platform::Cloudflare, Some(v)) => {
                let first = v.pointer("/errors/0");
                (
                    first.and_then(|e| e.get("code")).and_then(|c| match c {
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        serde_json::Value::String(s) => Some(s.clone()),
                        _ => None,
                    }),
                    first
                        .and_then(|e| e.get("message"))
                        .and_then(|m| m.as_str()),
                )
            }
            _ => (None, None),
        };
        let message = match message {
            Some(m) => scrubber.text(m, MAX_MESSAGE),
            None => format!(
                "{} answered {status} without an error message",
                self.platform.name()
            ),
        };
        (code.map(|c| scrubber.text(&c, MAX_CODE)), message)
    }

    /// How long the platform asks us to wait after a 429.
    fn rate_limit_wait(&self, headers: &HeaderMap, body: &[u8]) -> Duration {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let seconds = match self.platform {
            Platform::Supabase => header("x-ratelimit-reset").or_else(|| header("retry-after")),
            Platform::Vercel => header("retry-after").or_else(|| vercel_reset(body)),
            Platform::Cloudflare => header("retry-after"),
        };
        // A wait of zero still yields; an absurd one is capped so the
        // deadline, not the server, decides when to give up.
        Duration::from_secs_f64(seconds.unwrap_or(1.0).clamp(0.05, 300.0))
    }

    /// Exponential backoff with full jitter, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .policy
            .base_delay
            .saturating_mul(1u32 << attempt.min(16).saturating_sub(1));
        let cap = exp.min(self.policy.max_delay);
        let fraction = (jitter() % 1000) as f64 / 1000.0;
        cap.mul_f64(0.5 + fraction / 2.0)
    }
}

enum Attempt {
    Retry {
        error: HttpError,
        wait: Option<Duration>,
    },
    Final(HttpError),
}

impl HttpError {
    fn attempts(mut self, n: u32) -> HttpError {
        self.attempts = n;
        self
    }
}

/// `limit.reset` of Vercel's `rate_limited` body: epoch seconds.
fn vercel_reset(body: &[u8]) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let reset = v.pointer("/error/limit/reset")?.as_f64()?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    Some((reset - now).max(0.0))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) in epoch milliseconds.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let (_, rest) = text.trim().split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let mut hms = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let days = days_from_civil(year.parse().ok()?, month, day.parse().ok()?);
    Some(((days * 24 + h) * 60 + m) * 60_000 + s * 1000)
}

/// Parses an RFC 3339 time (`2026-05-01T12:00:00Z`, fractions and
/// `+hh:mm` offsets allowed) into ms since the epoch.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, mo, d) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (zh, zm) = zone[1..].split_once(':')?;
        (
            clock,
            sign * (zh.parse::<i64>().ok()? * 60 + zm.parse::<i64>().ok()?) * 60_000,
        )
    };
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms = whole.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let ms: i64 = format!("{fraction:0<3}")[..3].parse().ok()?;
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + m) * 60_000 + s * 1000 + ms - offset_ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Percent-encodes a query value or path segment (RFC 3986 unreserved
/// characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why `token` cannot be sent as a bearer token, if it cannot: the first
/// character that is not printable ASCII (a line break, a space, a control
/// or non-ASCII character), by kind and position — never the token. HTTP
/// forbids control characters in a header; the rest are never part of a
/// platform token and would only earn a 401 after the request was sent.
pub fn token_flaw(token: &str) -> Option<String> {
    let (at, c) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())?;
    let what = match c {
        '\n' | '\r' => "a line break",
        ' ' | '\t' => "a space",
        c if c.is_control() => "a control character",
        _ => "a non-ASCII character",
    };
    Some(format!(
        "{what} (character {} of {})",
        at + 1,
        token.chars().count()
    ))
}

fn form(parts: &[Part]) -> reqwest::multipart::Form {
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

/// Whether the TLS handshake failed on the server's certificate. The
/// rustls error arrives wrapped in `io::Error`s (twice, with hyper), whose
/// `source()` skips the wrapped error, so each one is opened by hand.
fn tls_refused(e: &reqwest::Error) -> bool {
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
fn describe(e: &reqwest::Error) -> String {
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
        Some(d) => format!("{what} ({})", scrub::truncate(&d, 120)),
        None => what.to_string(),
    }
}

/// Cheap randomness for jitter (not for secrets): the std hasher's random
/// keys, stirred by a counter.
fn jitter() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// One TLS configuration for every client of the process: ring, TLS 1.2
/// and 1.3, the operating system's verifier, HTTP/1.1 by ALPN. Building the
/// verifier reads the system's root certificates (a few milliseconds), and
/// `drift` makes a client per target, so it is built once.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, String>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut config = crate::tls::config(crate::tls::Check::Full, None)
                .map_err(|e| format!("cannot set up TLS: {e}"))?;
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}

/// `https://host[:port][/path]`, or `http://` to loopback only.
pub fn check_base_url(base: &str) -> Result<String, String> {
    let base = base.trim().trim_end_matches('/');
    let rest = if let Some(rest) = base.strip_prefix("https://") {
        rest
    } else if let Some(rest) = base.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!(
                "`{base}` is plain http to a host that is not loopback; use https:// (plain http is only for 127.0.0.1, localhost and [::1])"
            ));
        }
        rest
    } else {
        return Err(format!(
            "`{base}` is not an http(s) URL; expected something like https://api.example.com"
        ));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{base}` has no host"));
    }
    Ok(base.to_string())
}

/// Keeps each endpoint under `per_window` requests per `window`, and holds
/// an endpoint back while the server has asked for a pause.
#[derive(Debug)]
struct Limiter {
    per_window: u32,
    window: Duration,
    state: Mutex<HashMap<&'static str, EndpointState>>,
}

#[derive(Debug, Default)]
struct EndpointState {
    sent: std::collections::VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Limiter {
    fn new(per_window: u32, window: Duration) -> Limiter {
        Limiter {
            per_window: per_window.max(1),
            window,
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on `endpoint` (never past `deadline`), then takes it.
    async fn acquire(&self, endpoint: &'static str, deadline: Instant) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let entry = state.entry(endpoint).or_default();
                let now = Instant::now();
                while entry
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    entry.sent.pop_front();
                }
                let blocked = entry.blocked_until.filter(|t| *t > now);
                let full = (entry.sent.len() as u32 >= self.per_window)
                    .then(|| entry.sent.front().map(|t| *t + self.window))
                    .flatten();
                match blocked.max(full) {
                    Some(until) if until < deadline => Some(until - now),
                    _ => {
                        entry.sent.push_back(now);
                        None
                    }
                }
            };
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => return,
            }
        }
    }

    fn block(&self, endpoint: &'static str, until: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = state.entry(endpoint).or_default();
        entry.blocked_until = Some(entry.blocked_until.map_or(until, |t| t.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_shares_one_tls_configuration_for_http1() {
        let config = tls_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(config.enable_sni);
        // Built once: later clients get clones of the same configuration.
        let again = tls_config().unwrap();
        assert!(std::sync::Arc::ptr_eq(
            config.crypto_provider(),
            again.crypto_provider()
        ));
    }

    #[test]
    fn http_dates_parse_to_epoch_milliseconds() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn rfc3339_times_parse_to_epoch_milliseconds() {
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777_000));
        assert_eq!(
            parse_rfc3339("1994-11-06T08:49:37.25Z"),
            Some(784_111_777_250)
        );
        assert_eq!(
            parse_rfc3339("1994-11-06T09:49:37+01:00"),
            Some(784_111_777_000)
        );
        assert_eq!(
            parse_rfc3339("1994-11-06 03:49:37.123456-05:00"),
            Some(784_111_777_123)
        );
        assert_eq!(parse_rfc3339("1994-11-06"), None);
        assert_eq!(parse_rfc3339("last week"), None);
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_base_url("https://api.supabase.com").is_ok());
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("http://localhost").is_ok());
        assert!(check_base_url("http://[::1]:9").is_ok());
        assert!(check_base_url("http://api.supabase.com").is_err());
        assert!(check_base_url("http://127.0.0.1.evil.com").is_err());
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("https://").is_err());
    }

    #[tokio::test]
    async fn limiter_holds_back_the_request_over_the_limit() {
        let limiter = Limiter::new(2, Duration::from_millis(200));
        let deadline = Instant::now() + Duration::from_secs(5);
        let started = Instant::now();
        for _ in 0..3 {
            limiter.acquire("GET x", deadline).await;
        }
        assert!(started.elapsed() >= Duration::from_millis(190));
        let state = limiter.state.lock().unwrap();
        assert_eq!(
            state["GET x"].sent.len(),
            1,
            "the window slid past the first two"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let client = Client::new(
            Platform::Supabase,
            "http://127.0.0.1:1",
            Secret::new("t".into()),
            Policy::default(),
        )
        .unwrap();
        let first = client.backoff(1);
        assert!(first <= Duration::from_millis(250) && first >= Duration::from_millis(125));
        let late = client.backoff(30);
        assert!(late <= Duration::from_secs(20) && late >= Duration::from_secs(10));
    }

    #[test]
    fn rate_limit_waits_follow_each_platforms_hint() {
        let client = |platform| {
            Client::new(
                platform,
                "http://127.0.0.1:1",
                Secret::new("t".into()),
                Policy::default(),
            )
            .unwrap()
        };
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", "7".parse().unwrap());
        assert_eq!(
            client(Platform::Supabase).rate_limit_wait(&headers, b""),
            Duration::from_secs(7)
        );
        // Vercel: no Retry-After, but the body's reset (epoch seconds).
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let body = format!(
            r#"{{"error":{{"code":"rate_limited","limit":{{"remaining":0,"reset":{}}}}}}}"#,
            now + 30
        );
        let wait = client(Platform::Vercel).rate_limit_wait(&HeaderMap::new(), body.as_bytes());
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(31),
            "{wait:?}"
        );
        let mut retry = HeaderMap::new();
        retry.insert("retry-after", "2".parse().unwrap());
        assert_eq!(
            client(Platform::Vercel).rate_limit_wait(&retry, body.as_bytes()),
            Duration::from_secs(2)
        );
        assert_eq!(
            client(Platform::Cloudflare).rate_limit_wait(&retry, b""),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn cloudflare_errors_give_their_numeric_code_and_message() {
        let client = Client::new(
            Platform::Cloudflare,
            "http://127.0.0.1:1",
            Secret::new("t".into()),
            Policy::default(),
        )
        .unwrap();
        let body = br#"{"success":false,"result":null,"messages":[],"errors":[{"code":8000007,"message":"Project not found."}]}"#;
        let call = Call::new("read", reqwest::Method::GET, "GET x", "/x".into());
        assert_eq!(
            client.platform_message(&call, 404, body),
            (
                Some("8000007".to_string()),
                "Project not found.".to_string()
            )
        );
        assert_eq!(
            client.platform_message(&call, 502, b"<html>"),
            (
                None,
                "Cloudflare answered 502 without an error message".to_string()
            )
        );
    }

    /// A call whose body holds `value`, built the way the platform
    /// clients build theirs.
    fn call_sending(value: &str) -> Call {
        let secret = Secret::new(value.into());
        let mut exposed = Exposed::default();
        let body = serde_json::to_vec(&serde_json::json!([
            { "name": "STRIPE_SECRET_KEY", "value": exposed.expose(&secret) }
        ]))
        .unwrap();
        Call::new("set secrets", reqwest::Method::POST, "POST x", "/x".into())
            .json_bytes(Zeroizing::new(body), exposed)
    }

    #[test]
    fn an_error_that_echoes_the_request_shows_status_code_and_message_without_values() {
        let canary = "sk_live_CANARY\"0005\"";
        let call = call_sending(canary);
        let Body::Json(sent) = &call.body else {
            panic!("a JSON body")
        };
        let sent = String::from_utf8(sent.to_vec()).unwrap();
        let client = |platform| {
            Client::new(
                platform,
                "http://127.0.0.1:1",
                Secret::new("tok_CANARY_token".into()),
                Policy::default(),
            )
            .unwrap()
        };
        let vercel = serde_json::json!({"error": {
            "code": "bad_request",
            "message": format!("invalid request: {sent}"),
            "value": canary,
        }});
        let (code, message) =
            client(Platform::Vercel).platform_message(&call, 400, vercel.to_string().as_bytes());
        assert_eq!(code.as_deref(), Some("bad_request"));
        assert_eq!(
            message,
            r#"invalid request: [{"name":"STRIPE_SECRET_KEY","value":"<redacted>"}]"#
        );
        // Not in a `value` field: found as what was sent.
        let supabase =
            serde_json::json!({ "message": format!("bad secret {canary} (tok_CANARY_token)") });
        let (_, message) = client(Platform::Supabase).platform_message(
            &call,
            422,
            supabase.to_string().as_bytes(),
        );
        assert_eq!(message, "bad secret <redacted> (<redacted>)");
        let cloudflare = serde_json::json!({"success": false, "errors": [{
            "code": 8000000,
            "message": format!("{}{sent}", "x".repeat(400)),
        }]});
        let (code, message) = client(Platform::Cloudflare).platform_message(
            &call,
            400,
            cloudflare.to_string().as_bytes(),
        );
        assert_eq!(code.as_deref(), Some("8000000"));
        assert_eq!(message.chars().count(), MAX_MESSAGE + 1);
        let error = client(Platform::Cloudflare).refusal(&call, 200, Some("8000000"), &sent);
        assert!(!error.to_string().contains("CANARY"), "{error}");
        assert!(
            error.to_string().starts_with("HTTP 200 8000000: "),
            "{error}"
        );
    }

    #[test]
    fn a_token_that_cannot_go_in_a_header_is_described_not_shown() {
        assert_eq!(token_flaw("sbp_0123abc"), None);
        assert_eq!(
            token_flaw("tok_CANARY\nsecond").as_deref(),
            Some("a line break (character 11 of 17)")
        );
        assert_eq!(
            token_flaw("Bearer tok").as_deref(),
            Some("a space (character 7 of 10)")
        );
        assert_eq!(
            token_flaw("tok\u{7f}").as_deref(),
            Some("a control character (character 4 of 4)")
        );
        assert_eq!(
            token_flaw("tok\u{201d}").as_deref(),
            Some("a non-ASCII character (character 4 of 4)")
        );
        let refused = Client::new(
            Platform::Vercel,
            "http://127.0.0.1:1",
            Secret::new("tok_CANARY\r\nx".into()),
            Policy::default(),
        )
        .unwrap_err();
        assert!(refused.contains("a line break") && !refused.contains("CANARY"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client = Client::new(
            Platform::Vercel,
            "http://127.0.0.1:1",
            Secret::new("tok_canary_123".into()),
            Policy::default(),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("canary"));
    }
}
