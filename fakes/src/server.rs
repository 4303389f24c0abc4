//! The HTTP plumbing shared by the fakes. A [`Server`] runs on its own
//! thread with its own runtime, so a synchronous test that spawns the
//! `envctl` binary can use it as easily as an async one.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// A request as the fake sees it: header names lower-cased, query decoded.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// The path as sent, still percent-encoded: for platforms whose path
    /// segments may hold an encoded `/` (GitHub's environment names).
    pub raw_path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token, if the request carries one.
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }

    pub fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| format!("body is not JSON: {e}"))
    }

    /// Path segments after the leading slash.
    pub fn segments(&self) -> Vec<&str> {
        self.path.trim_matches('/').split('/').collect()
    }

    /// Path segments split before decoding, then each decoded: an encoded
    /// `/` (`%2F`) stays inside its segment. The leading slash is dropped,
    /// a trailing one kept as an empty last segment.
    pub fn raw_segments(&self) -> Vec<String> {
        self.raw_path
            .strip_prefix('/')
            .unwrap_or(&self.raw_path)
            .split('/')
            .map(|s| decode(s, false))
            .collect()
    }
}

/// A response to send. `body: None` sends no body at all.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: Some(serde_json::to_vec(value).expect("JSON values serialise")),
        }
    }

    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn with_header(mut self, name: &str, value: impl ToString) -> Response {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }
}

/// Epoch milliseconds as an HTTP `Date` (IMF-fixdate), so a fake whose
/// clock a test moved says so the way a real server would.
pub fn http_date(epoch_ms: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = epoch_ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Epoch milliseconds as ISO 8601 in whole seconds, UTC
/// (`2024-01-01T00:00:00Z`), the form GitHub's timestamps take.
pub fn iso_seconds(epoch_ms: u64) -> String {
    let secs = epoch_ms / 1000;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 as (year, month, day): H. Hinnant's
/// `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// One platform's behaviour.
pub trait Api: Send + Sync + 'static {
    fn handle(&self, request: &Request) -> Response;
    /// The platform's own 429, for injected bursts.
    fn rate_limited(&self, retry_after_secs: u64) -> Response;
    /// The platform's own 500, for injected failures.
    fn server_error(&self) -> Response;
    /// The platform's own 400 whose message quotes `request`'s body, the
    /// way a validation error may: for tests that nothing envctl sent
    /// comes back out of it.
    fn echo_rejection(&self, request: &Request) -> Response;
}

/// The `Link` header (RFC 8288) for page `page` of `last`, or `None` when
/// there is one page: `prev`, `next`, `last`, `first`, each the request's
/// query with `page` set, on `url` — as GitHub and Netlify page their
/// lists (GitHub's on the `/repositories/{id}/…` form of its paths).
pub fn link(request: &Request, url: &str, page: usize, last: usize) -> Option<String> {
    if last <= 1 && page <= 1 {
        return None;
    }
    let target = |n: usize| {
        let mut pairs: Vec<String> = request
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
            .collect();
        pairs.push(format!("page={n}"));
        format!("<{url}?{}>", pairs.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", target(page - 1)));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", target(page + 1)));
        links.push(format!("{}; rel=\"last\"", target(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", target(1)));
    }
    Some(links.join(", "))
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `invalid request: <the body as text>`, the message of every fake's
/// [`Api::echo_rejection`].
pub fn echo_message(request: &Request) -> String {
    format!(
        "invalid request: {}",
        String::from_utf8_lossy(&request.body)
    )
}

/// A write as [`Faults::fail_write`] recognises its retries: method, path
/// and query.
type WriteKey = (String, String, Vec<(String, String)>);

/// Faults to inject, counted down per request. Thread-safe: a test sets
/// them while a client runs.
#[derive(Debug, Default)]
pub struct Faults {
    latency_ms: AtomicU64,
    throttle_next: AtomicU32,
    retry_after_secs: AtomicU64,
    fail_next: AtomicU32,
    fail_every: AtomicU32,
    drop_next: AtomicU32,
    stall_next: AtomicU32,
    stall_ms: AtomicU64,
    echo_next: AtomicU32,
    seen: AtomicU64,
    /// The first write to fail (1-based; 0: none) and how many in a row,
    /// how many writes were seen, and the failed writes themselves, so
    /// their retries fail too.
    fail_write: AtomicU64,
    fail_write_count: AtomicU64,
    writes_seen: AtomicU64,
    failed_writes: Mutex<Vec<WriteKey>>,
}

impl Faults {
    /// Delay before every response.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    /// The next `n` requests get the platform's 429, asking to wait
    /// `retry_after_secs`.
    pub fn throttle(&self, n: u32, retry_after_secs: u64) {
        self.retry_after_secs
            .store(retry_after_secs, Ordering::SeqCst);
        self.throttle_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` requests get the platform's 500.
    pub fn fail(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// Every `k`-th request gets a 500 (0 turns it off): intermittent
    /// failures, deterministic so tests repeat.
    pub fn fail_every(&self, k: u32) {
        self.fail_every.store(k, Ordering::SeqCst);
    }

    /// The next `n` connections are closed without a response.
    pub fn drop_connections(&self, n: u32) {
        self.drop_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` responses take `delay` before they start.
    pub fn stall(&self, n: u32, delay: Duration) {
        self.stall_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
        self.stall_next.store(n, Ordering::SeqCst);
    }

    /// The next `n` writes (any method but `GET`) are refused with the
    /// platform's 400 quoting the request body ([`Api::echo_rejection`]).
    /// `GET`s pass, so a plan succeeds and the apply's write is refused
    /// (a read sent as `POST`, like a SQL query, counts as a write).
    pub fn echo_writes(&self, n: u32) {
        self.echo_next.store(n, Ordering::SeqCst);
    }

    /// The `k`-th write request from now on (1-based; 0 turns it off)
    /// gets the platform's 500, and so does every retry of it (the same
    /// method and URL; not the body, which a multipart upload draws anew
    /// for each attempt): a write that fails for good, while the
    /// writes before and after it succeed. A write is any request but
    /// `GET`/`HEAD` and the SQL query endpoints (`…/query`), which read.
    pub fn fail_write(&self, k: u64) {
        self.fail_writes(k, 1);
    }

    /// The same for `n` writes in a row from the `k`-th.
    pub fn fail_writes(&self, k: u64, n: u64) {
        self.writes_seen.store(0, Ordering::SeqCst);
        self.failed_writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.fail_write_count.store(n, Ordering::SeqCst);
        self.fail_write.store(k, Ordering::SeqCst);
    }

    /// Write requests seen since the last [`Faults::fail_write`] (retries
    /// of a failed one not counted).
    pub fn writes_seen(&self) -> u64 {
        self.writes_seen.load(Ordering::SeqCst)
    }

    /// Whether `request` is a write to fail (or a retry of one).
    fn fails_write(&self, request: &Request) -> bool {
        if matches!(request.method.as_str(), "GET" | "HEAD") || request.path.ends_with("/query") {
            return false;
        }
        let first = self.fail_write.load(Ordering::SeqCst);
        let count = self.fail_write_count.load(Ordering::SeqCst);
        let key = (
            request.method.clone(),
            request.path.clone(),
            request.query.clone(),
        );
        let mut failed = self.failed_writes.lock().unwrap_or_else(|e| e.into_inner());
        if first > 0 && failed.contains(&key) {
            return true;
        }
        let n = self.writes_seen.fetch_add(1, Ordering::SeqCst) + 1;
        if first > 0 && n >= first && n < first + count {
            failed.push(key);
            return true;
        }
        false
    }

    fn take(counter: &AtomicU32) -> bool {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

/// A request as logged, with the status it got (`None`: dropped).
#[derive(Debug, Clone)]
pub struct Logged {
    pub request: Request,
    pub status: Option<u16>,
}

/// A fake on loopback. Dropping it stops the server.
pub struct Server<A: Api> {
    addr: SocketAddr,
    scheme: &'static str,
    api: Arc<A>,
    faults: Arc<Faults>,
    log: Arc<Mutex<Vec<Logged>>>,
    connections: Arc<AtomicUsize>,
    h2_connections: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Shared<A: Api> {
    api: Arc<A>,
    faults: Arc<Faults>,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl<A: Api> Server<A> {
    /// Binds `127.0.0.1:0` and serves `api` on a thread of its own.
    pub fn start(api: A) -> Server<A> {
        Server::serve(api, None)
    }

    /// The same over TLS, with the certificate chain and PKCS #8 key of
    /// `cert_pem` and `key_pem` (see `fakes/tls/`); [`Server::url`] is then
    /// `https://`.
    ///
    /// # Panics
    /// If the PEM files are not a certificate chain and a key.
    pub fn start_tls(api: A, cert_pem: &[u8], key_pem: &[u8]) -> Server<A> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let chain = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .expect("a PEM certificate chain");
        let key = PrivateKeyDer::from_pem_slice(key_pem).expect("a PEM private key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the certificate matches the key");
        // HTTP/2 when the client offers it, as the platforms' APIs do.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Server::serve(api, Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))))
    }

    fn serve(api: A, tls: Option<tokio_rustls::TlsAcceptor>) -> Server<A> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let api = Arc::new(api);
        let faults = Arc::new(Faults::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted_count = connections.clone();
        let h2_connections = Arc::new(AtomicUsize::new(0));
        let h2_count = h2_connections.clone();
        let shared = Arc::new(Shared {
            api: api.clone(),
            faults: faults.clone(),
            log: log.clone(),
        });
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("fake-{addr}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("fake server runtime");
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                    loop {
                        tokio::select! {
                            _ = &mut stopped => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                accepted_count.fetch_add(1, Ordering::SeqCst);
                                let shared = shared.clone();
                                let tls = tls.clone();
                                let h2_count = h2_count.clone();
                                tokio::spawn(async move {
                                    let service = service_fn(move |req| {
                                        let shared = shared.clone();
                                        async move { serve(shared, req).await }
                                    });
                                    let (io, h2): (Box<dyn Io>, bool) = match tls {
                                        None => (Box::new(stream), false),
                                        Some(tls) => match tls.accept(stream).await {
                                            Ok(stream) => {
                                                let h2 = stream.get_ref().1.alpn_protocol()
                                                    == Some(b"h2".as_slice());
                                                (Box::new(stream), h2)
                                            }
                                            // A failed handshake (an untrusted
                                            // certificate, say) ends the connection.
                                            Err(_) => return,
                                        },
                                    };
                                    if h2 {
                                        h2_count.fetch_add(1, Ordering::SeqCst);
                                        let _ = http2::Builder::new(TokioExecutor::new())
                                            .serve_connection(TokioIo::new(io), service)
                                            .await;
                                    } else {
                                        let _ = http1::Builder::new()
                                            .serve_connection(TokioIo::new(io), service)
                                            .await;
                                    }
                                });
                            }
                        }
                    }
                });
            })
            .expect("spawn the fake server thread");
        Server {
            addr,
            scheme,
            api,
            faults,
            log,
            connections,
            h2_connections,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>` (`https://` with TLS), no trailing slash.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn api(&self) -> &A {
        &self.api
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many requests matched `method` and a path containing `fragment`.
    pub fn count(&self, method: &str, fragment: &str) -> usize {
        self.requests()
            .iter()
            .filter(|l| l.request.method == method && l.request.path.contains(fragment))
            .count()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// How many of those spoke HTTP/2 (negotiated by ALPN, over TLS).
    pub fn h2_connections(&self) -> usize {
        self.h2_connections.load(Ordering::SeqCst)
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

impl<A: Api> Drop for Server<A> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A connection, plain or TLS.
trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}

impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn serve<A: Api>(
    shared: Arc<Shared<A>>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Dropped> {
    let request = match read(req).await {
        Ok(r) => r,
        Err(_) => return Err(Dropped),
    };
    let faults = &shared.faults;
    let seen = faults.seen.fetch_add(1, Ordering::SeqCst) + 1;
    let latency = faults.latency_ms.load(Ordering::SeqCst);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let record = |status: Option<u16>| {
        shared
            .log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Logged {
                request: request.clone(),
                status,
            });
    };
    if Faults::take(&faults.drop_next) {
        record(None);
        return Err(Dropped);
    }
    if Faults::take(&faults.stall_next) {
        tokio::time::sleep(Duration::from_millis(
            faults.stall_ms.load(Ordering::SeqCst),
        ))
        .await;
    }
    let every = u64::from(faults.fail_every.load(Ordering::SeqCst));
    let response = if Faults::take(&faults.throttle_next) {
        shared
            .api
            .rate_limited(faults.retry_after_secs.load(Ordering::SeqCst))
    } else if Faults::take(&faults.fail_next)
        || (every > 0 && seen.is_multiple_of(every))
        || faults.fails_write(&request)
    {
        shared.api.server_error()
    } else if request.method != "GET" && Faults::take(&faults.echo_next) {
        shared.api.echo_rejection(&request)
    } else {
        shared.api.handle(&request)
    };
    record(Some(response.status));
    Ok(to_hyper(response))
}

async fn read(req: hyper::Request<Incoming>) -> Result<Request, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    let query = parts
        .uri
        .query()
        .map(|q| {
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (decode(k, true), decode(v, true))
                })
                .collect()
        })
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ok(Request {
        method: parts.method.as_str().to_string(),
        path: decode(parts.uri.path(), false),
        raw_path: parts.uri.path().to_string(),
        query,
        headers,
        body,
    })
}

/// Percent-decoding; `+` is a space in queries only.
fn decode(s: &str, query: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if query => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body.unwrap_or_default())))
        .expect("valid response parts")
}

#[cfg(test)]
mod tests {
    #[test]
    fn http_dates_are_imf_fixdates() {
        assert_eq!(
            super::http_date(784_111_777_000),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(super::http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            super::http_date(951_782_400_000),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }

    #[test]
    fn iso_seconds_drop_the_milliseconds() {
        assert_eq!(super::iso_seconds(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_seconds(951_782_400_999), "2000-02-29T00:00:00Z");
        assert_eq!(super::iso_seconds(784_111_777_000), "1994-11-06T08:49:37Z");
    }
}
