//! The client: one base URL, token and [`Dialect`], sending [`Call`]s with
//! retries until the attempts or the deadline run out, and turning every
//! answer that is not a success into a scrubbed [`HttpError`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::call::form;
use super::error::{describe, tls_refused};
use super::limiter::Limiter;
use super::retry::Attempt;
use super::{
    Body, Call, Dialect, Failure, HttpError, MAX_CODE, MAX_MESSAGE, Policy, Reply, Scrubber,
};
use crate::log;
use envctl_core::secret::Secret;

/// A client for one platform, base URL and token. Cheap to clone; clones
/// share the connection pool, the limiter and the request counter.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    /// For an `https://` pool: its first request goes alone ([`Gate`]).
    gate: Option<Arc<Gate>>,
    base: String,
    token: Secret,
    dialect: &'static Dialect,
    policy: Policy,
    limiter: Arc<Limiter>,
    sent: Arc<AtomicU64>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("platform", &self.dialect.name)
            .field("base", &self.base)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// `base` must be `https://…`, or `http://` to a loopback host (the
    /// fakes); anything else is refused before a byte is sent.
    pub fn new(
        dialect: &'static Dialect,
        base: &str,
        token: Secret,
        policy: Policy,
    ) -> Result<Client, String> {
        let base = super::check_base_url(base)?;
        // The caller names the token's source in its own check; this one
        // keeps a bad token from ever reaching a request.
        if let Some(flaw) = super::token_flaw(token.expose()) {
            return Err(format!(
                "the {} token holds {flaw}, which cannot be sent in an HTTP header",
                dialect.name
            ));
        }
        let (inner, gate) = pooled(&base, &policy)?;
        Ok(Client {
            inner,
            gate,
            base,
            token,
            dialect,
            limiter: Arc::new(Limiter::new(policy.per_window, policy.window)),
            policy,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The platform this client speaks to, as its folder describes it.
    pub fn dialect(&self) -> &'static Dialect {
        self.dialect
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
                Err(Attempt::Retry { error, .. })
                    if call.once && error.failure != super::Failure::RateLimited =>
                {
                    return Err(error.attempts(attempt));
                }
                Err(Attempt::Retry { error, wait }) => (error, wait),
            };
            if let Some(wait) = wait {
                // The server said when the window resets: nobody on this
                // endpoint sends before then.
                self.limiter.block(call.endpoint, Instant::now() + wait);
            }
            let delay = wait.unwrap_or_else(|| self.policy.backoff(attempt));
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

    /// Sends on the shared pool. The first request of an `https://` pool
    /// goes alone: until a connection has answered, the client cannot
    /// know that the platform speaks HTTP/2, and concurrent first requests
    /// would each open a connection (a TCP and TLS handshake each) where
    /// one multiplexed connection serves them all.
    async fn send_pooled(
        &self,
        request: reqwest::RequestBuilder,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(gate) = &self.gate else {
            return request.send().await;
        };
        if gate.opened.load(Ordering::Acquire) {
            return request.send().await;
        }
        let alone = gate.first.lock().await;
        if gate.opened.load(Ordering::Acquire) {
            drop(alone);
            return request.send().await;
        }
        let result = request.send().await;
        gate.opened.store(true, Ordering::Release);
        result
    }

    async fn attempt(&self, call: &Call, attempt: u32) -> Result<Reply, Attempt> {
        let mut request = self
            .inner
            .request(call.method.clone(), call.url(&self.base))
            .bearer_auth(self.token.expose());
        for (name, value) in self.dialect.headers {
            request = request.header(*name, *value);
        }
        if let Some(accept) = call.accept {
            request = request.header(reqwest::header::ACCEPT, accept);
        }
        request = match &call.body {
            Body::None => request,
            Body::Json(bytes) => request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.to_vec()),
            Body::Multipart(parts) => request.multipart(form(parts)),
        };
        let started = Instant::now();
        self.sent.fetch_add(1, Ordering::Relaxed);
        let result = self.send_pooled(request).await;
        let elapsed = started.elapsed().as_millis();
        let network = |status, e: &reqwest::Error| {
            HttpError::new(&call.operation, Failure::Network, status, None, describe(e))
        };
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                log::debug(|| {
                    format!(
                        "{} {} -> no response after {elapsed} ms (attempt {attempt})",
                        call.method, call.path
                    )
                });
                let error = network(None, &e);
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
                    error: network(Some(status), &e),
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
        self.answer(call, status, &headers, body)
    }

    /// A success as a [`Reply`]; anything else as an error, retried when
    /// the platform is busy (429, or what its dialect says is a rate limit,
    /// with its hint) or failing (5xx).
    fn answer(
        &self,
        call: &Call,
        status: u16,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Result<Reply, Attempt> {
        if (200..300).contains(&status) {
            let date_ms = headers
                .get(reqwest::header::DATE)
                .and_then(|v| v.to_str().ok())
                .and_then(super::parse_http_date);
            let more = headers
                .get_all(reqwest::header::LINK)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .any(super::links_next);
            return Ok(Reply {
                status,
                body,
                date_ms,
                more,
            });
        }
        let (code, message) = self.platform_message(call, status, &body);
        let throttled = status != 429
            && self
                .dialect
                .throttled
                .is_some_and(|throttled| throttled(status, headers, &body));
        let failure = if throttled {
            Failure::RateLimited
        } else {
            Failure::of_status(status)
        };
        let error = HttpError::new(&call.operation, failure, Some(status), code, message);
        match failure {
            Failure::RateLimited => Err(Attempt::Retry {
                wait: Some(self.rate_limit_wait(headers, &body)),
                error,
            }),
            Failure::Server => Err(Attempt::Retry { error, wait: None }),
            _ => Err(Attempt::Final(error)),
        }
    }

    /// What removes this call's values (and the token) from platform text.
    pub fn scrubber(&self, call: &Call) -> Scrubber {
        call.exposed.scrubber([self.token.expose()])
    }

    /// A refusal the platform wrapped in a successful answer (an envelope
    /// that says `success: false`, a batch's per-key failure): its code
    /// and message, scrubbed like any error's.
    pub fn refusal(
        &self,
        call: &Call,
        status: u16,
        code: Option<&str>,
        message: &str,
    ) -> HttpError {
        let scrubber = self.scrubber(call);
        HttpError::new(
            &call.operation,
            Failure::Rejected,
            Some(status),
            code.map(|c| scrubber.text(c, MAX_CODE)),
            scrubber.text(message, MAX_MESSAGE),
        )
    }

    /// The platform's error code and message, fit to show: the body is
    /// not trusted (a validation error may quote the request), so it is
    /// scrubbed of this call's values and of secret-looking fields before
    /// the dialect takes anything from it, and the message is cut to a
    /// sane length.
    pub(in crate::provider) fn platform_message(
        &self,
        call: &Call,
        status: u16,
        body: &[u8],
    ) -> (Option<String>, String) {
        let scrubber = self.scrubber(call);
        let mut json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        if let Some(v) = json.as_mut() {
            scrubber.json(v);
        }
        let (code, message) = match &json {
            Some(v) => (self.dialect.error)(v),
            None => (None, None),
        };
        let message = match message {
            Some(m) => scrubber.text(m, MAX_MESSAGE),
            None => format!(
                "{} answered {status} without an error message",
                self.dialect.name
            ),
        };
        (code.map(|c| scrubber.text(&c, MAX_CODE)), message)
    }

    /// How long the platform asks us to wait after a rate limit.
    pub(in crate::provider) fn rate_limit_wait(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Duration {
        let seconds = (self.dialect.rate_limit)(headers, body);
        // A wait of zero still yields; an absurd one is capped so the
        // deadline, not the server, decides when to give up.
        Duration::from_secs_f64(seconds.unwrap_or(1.0).clamp(0.05, 300.0))
    }
}

/// The connection pool for `base`: one per base URL (so one per
/// platform) and timeouts for the whole process, shared by every target's
/// client. `drift` and `plan` make a client per target; sharing the pool
/// lets the environments after the first reuse the first one's
/// connection (over HTTP/2, one connection carries them all) instead of
/// paying a TCP and TLS handshake each.
///
/// A pool's connections live on the runtime that opened them, so pools
/// are per runtime too; a client made outside any runtime gets a pool of
/// its own.
fn pooled(base: &str, policy: &Policy) -> Result<(reqwest::Client, Option<Arc<Gate>>), String> {
    type Key = (String, Duration, Duration, tokio::runtime::Id);
    type Pool = (reqwest::Client, Option<Arc<Gate>>);
    static POOLS: std::sync::Mutex<Vec<(Key, Pool)>> = std::sync::Mutex::new(Vec::new());
    let key = tokio::runtime::Handle::try_current().ok().map(|runtime| {
        (
            base.to_string(),
            policy.connect_timeout,
            policy.request_timeout,
            runtime.id(),
        )
    });
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, pool)) = pools.iter().find(|(k, _)| Some(k) == key.as_ref()) {
        return Ok(pool.clone());
    }
    // A plain `http://` base is loopback (`check_base_url`): no TLS is
    // ever spoken, so the system's root certificates are not read.
    let tls = if base.starts_with("http://") {
        crate::provider::tls::unused()
    } else {
        tls_config()?
    };
    let client = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(policy.connect_timeout)
        .timeout(policy.request_timeout)
        .user_agent(concat!("envctl/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
    let gate = base.starts_with("https://").then(Arc::default);
    if let Some(key) = key {
        pools.push((key, (client.clone(), gate.clone())));
    }
    Ok((client, gate))
}

/// Holds a pool's concurrent first requests until one has a connection.
#[derive(Default)]
struct Gate {
    opened: std::sync::atomic::AtomicBool,
    first: tokio::sync::Mutex<()>,
}

/// One TLS configuration for every client of the process: ring, TLS 1.2
/// and 1.3, the operating system's verifier, HTTP/2 or HTTP/1.1 by ALPN
/// (whichever the platform offers). Building the verifier reads the
/// system's root certificates (a few milliseconds), so it is built once,
/// and only for a base URL that is `https://`.
pub(super) fn tls_config() -> Result<rustls::ClientConfig, String> {
    use crate::provider::tls;
    static CONFIG: std::sync::OnceLock<Result<rustls::ClientConfig, String>> =
        std::sync::OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut config = tls::config(tls::Check::Full, None)
                .map_err(|e| format!("cannot set up TLS: {e}"))?;
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}
