//! The fake Netlify API over real HTTP, through the shared raw client.
//! Every reply goes through [`expect`], which checks it against Netlify's
//! own description (`fakes/openapi/netlify-env.json`, Swagger 2.0): a
//! success against the operation's declared status and schema, an error
//! against the `error` model, and the headers every answer carries. Every
//! body a test means to be valid is checked against the operation's
//! request schema before it is sent ([`send`]).

#[path = "../common/mod.rs"]
mod common;

mod env;
mod errors;
mod lists;
mod secrets;

use common::Reply;
use envctl_fakes::netlify::{EnvValue, EnvVar, FakeNetlify, Role, operation_id};
use envctl_fakes::openapi::NETLIFY;
use envctl_fakes::{Request, Server};
use serde_json::Value;

/// An Owner of `ACCOUNT` (and a Developer of `OTHER`).
const TOKEN: &str = "nfp_owner_token";
/// A Reviewer of `ACCOUNT`.
const REVIEWER: &str = "nfp_reviewer_token";
/// A Developer of `OTHER` only.
const STRANGER: &str = "nfp_stranger_token";
const ACCOUNT_ID: &str = "5f1e2d3c4b5a69788796a5b4";
const ACCOUNT: &str = "huddle";
const OTHER_ID: &str = "6a0b1c2d3e4f5a6b7c8d9e0f";
const OTHER: &str = "elsewhere";
const SITE: &str = "11111111-2222-4333-8444-555555555555";
const SITE_NAME: &str = "huddle-web";
const OTHER_SITE: &str = "99999999-8888-4777-8666-555555555555";

fn start() -> Server<FakeNetlify> {
    let fake = FakeNetlify::new();
    fake.add_account(ACCOUNT_ID, ACCOUNT, "Huddle");
    fake.add_account(OTHER_ID, OTHER, "Elsewhere");
    fake.add_site(ACCOUNT, SITE, SITE_NAME);
    fake.add_site(OTHER, OTHER_SITE, "elsewhere-docs");
    fake.grant(TOKEN, ACCOUNT, Role::Owner);
    fake.grant(TOKEN, OTHER, Role::Developer);
    fake.grant(REVIEWER, ACCOUNT, Role::Reviewer);
    fake.grant(STRANGER, OTHER, Role::Developer);
    Server::start(fake)
}

/// `/api/v1/accounts/huddle/env<rest>`, `rest` starting with `/` or `?`.
fn env_path(rest: &str) -> String {
    format!("/api/v1/accounts/{ACCOUNT}/env{rest}")
}

/// `…/env/KEY?site_id=SITE`.
fn var_path(key: &str) -> String {
    env_path(&format!("/{key}?site_id={SITE}"))
}

/// A request as the fake will see it, for finding its operation before
/// it is sent.
fn request(method: &str, target: &str) -> Request {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Request {
        method: method.to_string(),
        path: path.to_string(),
        raw_path: path.to_string(),
        query: query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// Sends a request with `Authorization: Bearer` (when `token`) and a JSON
/// body (when `body`), as a client of Netlify's API does.
fn call(
    server: &Server<FakeNetlify>,
    method: &str,
    target: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Accept", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    let payload = body.map(Value::to_string).unwrap_or_default();
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    common::send(&server.url(), method, target, &headers, payload.as_bytes())
}

/// [`call`] as the Owner with a body that must match the operation's
/// request schema in the spec.
fn send(server: &Server<FakeNetlify>, method: &str, target: &str, body: &Value) -> Reply {
    let op = operation_id(&request(method, target)).expect("a route of the spec");
    NETLIFY
        .validate_request(op, body)
        .unwrap_or_else(|e| panic!("the test's own body: {e}"));
    call(server, method, target, Some(TOKEN), Some(body))
}

fn get(server: &Server<FakeNetlify>, target: &str) -> Reply {
    call(server, "GET", target, Some(TOKEN), None)
}

/// Asserts the status and Netlify's headers, checks the body against the
/// spec, and returns it (`null` when empty). The operation is the one the
/// fake routed the last logged request to.
#[track_caller]
fn expect(server: &Server<FakeNetlify>, reply: &Reply, status: u16) -> Value {
    assert_eq!(reply.status, status, "unexpected reply {}", reply.text());
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        reply.rate_header(name);
    }
    assert!(reply.header("date").is_some_and(|d| d.ends_with(" GMT")));
    assert!(reply.header("x-request-id").is_some());
    let body = if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    };
    let logged = server.requests().pop().expect("the request was logged");
    if status >= 400 {
        NETLIFY
            .validate_schema("error", &body)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body["code"], status, "code mirrors the status");
        assert!(
            reply
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/json"))
        );
    } else {
        let op = operation_id(&logged.request).expect("a success comes from an operation");
        NETLIFY
            .validate_response(op, status, &body)
            .unwrap_or_else(|e| panic!("{e}"));
        if status == 204 {
            assert!(reply.body.is_empty(), "204 has no body");
        }
    }
    body
}

/// A plain variable with one value per `(context, value)`.
fn plain(key: &str, values: &[(&str, &str)]) -> EnvVar {
    EnvVar {
        key: key.to_string(),
        scopes: ["builds", "functions", "runtime", "post-processing"]
            .map(String::from)
            .to_vec(),
        is_secret: false,
        values: values
            .iter()
            .map(|(context, value)| EnvValue {
                id: String::new(),
                context: context.to_string(),
                context_parameter: None,
                value: value.to_string(),
            })
            .collect(),
        updated_at_ms: 0,
    }
}

/// The values of a variable in a reply as `(context, value)`, `value`
/// being `None` where the reply has none.
fn contexts(var: &Value) -> Vec<(String, Option<String>)> {
    let mut out: Vec<_> = var["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let context = match v.get("context_parameter").and_then(Value::as_str) {
                Some(branch) => format!("branch:{branch}"),
                None => v["context"].as_str().unwrap().to_string(),
            };
            (
                context,
                v.get("value").and_then(Value::as_str).map(String::from),
            )
        })
        .collect();
    out.sort();
    out
}
