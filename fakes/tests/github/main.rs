//! The fake GitHub API over real HTTP, through the shared raw client.
//! Every reply goes through [`expect`], which checks it against GitHub's
//! OpenAPI description (`fakes/openapi/github-actions.json`): a success
//! against the operation's declared status and schema, an error against
//! `basic-error` (or `validation-error` when it lists `errors`), and the
//! headers GitHub sends on every answer.

#[path = "../common/mod.rs"]
mod common;

mod errors;
mod limits;
mod lists;
mod secrets;
mod variables;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::Reply;
use crypto_box::PublicKey;
use crypto_box::aead::OsRng;
use envctl_fakes::Server;
use envctl_fakes::github::{FakeGitHub, Permission, operation_id};
use envctl_fakes::openapi::GITHUB;
use serde_json::Value;

/// A classic token with the `repo` scope on both repositories.
const TOKEN: &str = "ghp_envctl_classic_repo";
/// Fine-grained: read secrets and variables of `REPO`.
const READER: &str = "github_pat_read_only";
/// Fine-grained: granted on `OTHER` only.
const STRANGER: &str = "github_pat_other_repo";
const REPO: &str = "klubz/app";
const OTHER: &str = "klubz/other";
const ENV: &str = "production";

fn start() -> Server<FakeGitHub> {
    let fake = FakeGitHub::new();
    fake.add_repository(REPO);
    fake.add_repository(OTHER);
    fake.add_environment(REPO, ENV);
    fake.grant(TOKEN, REPO, &[Permission::Repo]);
    fake.grant(TOKEN, OTHER, &[Permission::Repo]);
    fake.grant(
        READER,
        REPO,
        &[Permission::SecretsRead, Permission::VariablesRead],
    );
    fake.grant(STRANGER, OTHER, &[Permission::SecretsWrite]);
    Server::start(fake)
}

/// `/repos/klubz/app/<rest>`.
fn repo(rest: &str) -> String {
    format!("/repos/{REPO}{rest}")
}

/// `/repos/klubz/app/environments/production/<rest>`.
fn env(rest: &str) -> String {
    format!("/repos/{REPO}/environments/{ENV}{rest}")
}

/// A request with the headers GitHub's docs show: `Accept`,
/// `X-GitHub-Api-Version` and `Authorization: Bearer`.
fn call(
    server: &Server<FakeGitHub>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![
        ("Accept", "application/vnd.github+json"),
        ("X-GitHub-Api-Version", "2022-11-28"),
    ];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    let payload = body.map(Value::to_string).unwrap_or_default();
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    common::send(&server.url(), method, path, &headers, payload.as_bytes())
}

fn get(server: &Server<FakeGitHub>, path: &str) -> Reply {
    call(server, "GET", path, Some(TOKEN), None)
}

/// Asserts the status and GitHub's headers, checks the body against the
/// spec, and returns it (`null` when empty). The operation is the one the
/// fake routed the last logged request to.
fn expect(server: &Server<FakeGitHub>, reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "unexpected reply {}", reply.text());
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-used",
        "x-ratelimit-reset",
    ] {
        reply.rate_header(name);
    }
    assert_eq!(reply.header("x-ratelimit-resource"), Some("core"));
    assert!(reply.header("date").is_some_and(|d| d.ends_with(" GMT")));
    assert!(reply.header("x-github-request-id").is_some());
    let body = if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    };
    let logged = server.requests().pop().expect("the request was logged");
    let operation = operation_id(&logged.request);
    if status >= 400 {
        check_error(operation, status, &body);
    } else {
        let op = operation.expect("a success comes from an operation");
        GITHUB
            .validate_response(op, status, &body)
            .unwrap_or_else(|e| panic!("{e}"));
        if status == 204 {
            assert!(reply.body.is_empty(), "204 has no body");
        }
    }
    body
}

/// An error body: the operation's declared schema for that status if any,
/// else `basic-error`; `validation-error` when it lists `errors`. Its
/// `status` is the code as a string.
fn check_error(operation: Option<&str>, status: u16, body: &Value) {
    assert!(body["message"].is_string(), "error body {body}");
    assert!(body["documentation_url"].is_string(), "error body {body}");
    assert_eq!(body["status"], status.to_string());
    let declared = operation.map(|op| GITHUB.validate_response(op, status, body));
    match declared {
        Some(Ok(())) => {}
        Some(Err(e)) if !e.contains("declares no") => panic!("{e}"),
        _ => GITHUB
            .validate_schema("basic-error", body)
            .unwrap_or_else(|e| panic!("{e}")),
    }
    if body.get("errors").is_some() {
        GITHUB
            .validate_schema("validation-error", body)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// `(key_id, key)` from the public-key endpoint under `scope`
/// (`repo("")` or `env("")`).
fn public_key(server: &Server<FakeGitHub>, scope: &str) -> (String, String) {
    let reply = get(
        server,
        &format!("{scope}/secrets/public-key").replace("//", "/"),
    );
    let body = expect(server, &reply, 200);
    (
        body["key_id"].as_str().unwrap().to_string(),
        body["key"].as_str().unwrap().to_string(),
    )
}

/// Seals `plaintext` for a base64 public key, as a client does
/// (libsodium's `crypto_box_seal`), and base64-encodes the box.
fn seal(key: &str, plaintext: &[u8]) -> String {
    let key = PublicKey::from_slice(&STANDARD.decode(key).unwrap()).unwrap();
    STANDARD.encode(key.seal(&mut OsRng, plaintext).unwrap())
}

/// The repository's public-key endpoint lives under `actions/`.
fn repo_key(server: &Server<FakeGitHub>) -> (String, String) {
    public_key(server, &repo("/actions"))
}

fn env_key(server: &Server<FakeGitHub>) -> (String, String) {
    public_key(server, &env(""))
}
