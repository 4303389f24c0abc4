//! A tiny in-process stand-in for the GitHub Actions secrets and variables
//! endpoints of one repository, for the provider's unit tests: enough of
//! docs.github.com/rest/actions/secrets and …/variables (paging, the public
//! key, sealed `PUT`s opened with the private key, `POST`/`PATCH`/`DELETE`
//! with their statuses) to run a read and an apply end to end over HTTP.
//! The stateful fake of `fakes/` is the one integration tests use.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::aead::OsRng;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const SCOPE: &str = "/repos/huddle-app/huddle/actions";

#[derive(Default)]
pub struct State {
    /// Name → (plaintext as GitHub would decrypt it, updated_at seconds).
    pub secrets: BTreeMap<String, (String, i64)>,
    pub variables: BTreeMap<String, (String, i64)>,
    /// Every request: method, path and query.
    pub requests: Vec<String>,
    /// Requests that lacked GitHub's headers or the token.
    pub bad_headers: Vec<String>,
    /// Answers given before any routing, in order: status, one extra
    /// header line (or ""), body.
    pub faults: VecDeque<(u16, String, String)>,
}

pub struct Stub {
    pub base: String,
    pub state: Arc<Mutex<State>>,
}

/// Starts the stub on a loopback port; it serves until the test ends.
pub async fn start() -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let key = crypto_box::SecretKey::generate(&mut OsRng);
    let shared = state.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (state, key) = (shared.clone(), key.clone());
            tokio::spawn(async move { serve(stream, &state, &key).await });
        }
    });
    Stub { base, state }
}

pub fn now_s() -> i64 {
    crate::clock::now_ms() / 1000
}

/// An RFC 3339 time of whole seconds, as GitHub writes them.
pub fn rfc3339(secs: i64) -> String {
    envctl_fakes::server::iso_seconds(u64::try_from(secs).unwrap_or(0) * 1000)
}

async fn serve(mut stream: TcpStream, state: &Mutex<State>, key: &crypto_box::SecretKey) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = header(&head, "content-length").map_or(0, |v| v.parse().unwrap_or(0));
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body: serde_json::Value =
        serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or_default();
    let line = head.lines().next().unwrap_or_default();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, answer) = {
        let mut state = state.lock().unwrap();
        state.requests.push(format!("{method} {target}"));
        let ok = header(&head, "accept") == Some("application/vnd.github+json")
            && header(&head, "x-github-api-version") == Some("2022-11-28")
            && header(&head, "authorization") == Some("Bearer test-token");
        if !ok {
            state.bad_headers.push(format!("{method} {target}"));
        }
        match state.faults.pop_front() {
            Some((status, extra, body)) => (status, (extra, body)),
            None => {
                let (status, answer) = route(&mut state, key, method, target, &body);
                let text = answer.map(|a| a.to_string()).unwrap_or_default();
                (status, (String::new(), text))
            }
        }
    };
    let (extra, text) = answer;
    let extra = if extra.is_empty() {
        extra
    } else {
        format!("{extra}\r\n")
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

fn route(
    state: &mut State,
    key: &crypto_box::SecretKey,
    method: &str,
    target: &str,
    body: &serde_json::Value,
) -> (u16, Option<serde_json::Value>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(rest) = path.strip_prefix(SCOPE) else {
        return not_found();
    };
    let param = |name: &str| -> usize {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    };
    let text = |field: &str| body.get(field).and_then(|v| v.as_str()).map(str::to_string);
    match (
        method,
        rest.split('/').skip(1).collect::<Vec<_>>().as_slice(),
    ) {
        ("GET", ["secrets", "public-key"]) => {
            let key = STANDARD.encode(key.public_key().as_bytes());
            (200, Some(serde_json::json!({"key_id": "k1", "key": key})))
        }
        ("GET", ["secrets"]) => page(
            &state.secrets,
            "secrets",
            param("per_page"),
            param("page"),
            false,
        ),
        ("GET", ["variables"]) => {
            if param("per_page") > 30 {
                return (
                    422,
                    Some(serde_json::json!({"message": "per_page too large"})),
                );
            }
            page(
                &state.variables,
                "variables",
                param("per_page"),
                param("page"),
                true,
            )
        }
        ("PUT", ["secrets", name]) => {
            let sealed = STANDARD
                .decode(text("encrypted_value").unwrap_or_default())
                .unwrap_or_default();
            let Ok(plain) = key.unseal(&sealed) else {
                return (422, Some(serde_json::json!({"message": "Bad request"})));
            };
            let plain = String::from_utf8(plain).unwrap();
            let created = state
                .secrets
                .insert(name.to_string(), (plain, now_s()))
                .is_none();
            (
                if created { 201 } else { 204 },
                created.then(|| serde_json::json!({})),
            )
        }
        ("POST", ["variables"]) => {
            let name = text("name").unwrap_or_default();
            if state.variables.contains_key(&name) {
                return (409, Some(serde_json::json!({"message": "Already exists"})));
            }
            state
                .variables
                .insert(name, (text("value").unwrap_or_default(), now_s()));
            (201, Some(serde_json::json!({})))
        }
        ("PATCH", ["variables", name]) => match state.variables.get_mut(*name) {
            Some(v) => {
                *v = (text("value").unwrap_or_default(), now_s());
                (204, None)
            }
            None => not_found(),
        },
        ("DELETE", [kind @ ("secrets" | "variables"), name]) => {
            let map = if *kind == "secrets" {
                &mut state.secrets
            } else {
                &mut state.variables
            };
            match map.remove(*name) {
                Some(_) => (204, None),
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

fn not_found() -> (u16, Option<serde_json::Value>) {
    (
        404,
        Some(serde_json::json!({"message": "Not Found", "documentation_url": "x"})),
    )
}

fn page(
    map: &BTreeMap<String, (String, i64)>,
    kind: &str,
    per_page: usize,
    page: usize,
    with_values: bool,
) -> (u16, Option<serde_json::Value>) {
    let items: Vec<serde_json::Value> = map
        .iter()
        .skip(per_page * (page - 1))
        .take(per_page)
        .map(|(name, (value, at))| {
            let mut item = serde_json::json!({
                "name": name, "created_at": rfc3339(*at), "updated_at": rfc3339(*at)
            });
            if with_values {
                item["value"] = serde_json::json!(value);
            }
            item
        })
        .collect();
    (
        200,
        Some(serde_json::json!({"total_count": map.len(), kind: items})),
    )
}
