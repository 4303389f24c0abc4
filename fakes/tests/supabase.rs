//! The fake Supabase Management API over real HTTP on loopback: every
//! endpoint's happy path and documented errors, the rate limiter, and
//! every body checked against Supabase's OpenAPI description.
//!
//! The requests go through a small std-only HTTP/1.1 client below rather
//! than reqwest: this crate's reqwest has no TLS crypto provider, and
//! reqwest refuses to build a client without one even for plain http.

use std::time::Duration;

use envctl_fakes::openapi::{validate_multipart_metadata, validate_request, validate_response};
use envctl_fakes::supabase::{FakeSupabase, FunctionStatus, sha256_hex};
use envctl_fakes::{Api, Server};
use serde_json::{Value, json};

const TOKEN: &str = "sbp_0123456789abcdef0123456789abcdef01234567";
const REF: &str = "abcdefghijklmnopqrst";
const OTHER_REF: &str = "zyxwvutsrqponmlkjihg";

mod common;

use common::{Reply, send};

/// A request with `token` as bearer (none when `None`) and an optional
/// JSON body.
fn call(
    server: &Server<FakeSupabase>,
    method: &str,
    target: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    let bytes = match body {
        Some(body) => {
            headers.push(("Content-Type", "application/json"));
            serde_json::to_vec(body).expect("serialise")
        }
        None => Vec::new(),
    };
    send(&server.url(), method, target, &headers, &bytes)
}

fn get(server: &Server<FakeSupabase>, target: &str) -> Reply {
    call(server, "GET", target, Some(TOKEN), None)
}

/// Asserts the status, the rate-limit headers, and the body: against the
/// spec for a declared status, or the `{"message": string}` error shape.
/// Returns the JSON body (`null` when empty).
fn expect(reply: &Reply, operation: &str, status: u16) -> Value {
    assert_eq!(
        reply.status,
        status,
        "{operation}: unexpected reply {}",
        reply.text()
    );
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    ] {
        reply.rate_header(name);
    }
    let body = if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    };
    if status >= 400 {
        assert!(
            body["message"].is_string(),
            "{operation}: error body {body}"
        );
    }
    if !(status == 400 || status == 404 || status == 422) {
        validate_response(operation, status, &body).unwrap_or_else(|e| panic!("{e}"));
    }
    body
}

/// A fake with one project, served on loopback.
fn start() -> Server<FakeSupabase> {
    let fake = FakeSupabase::new(TOKEN);
    fake.add_project(REF);
    Server::start(fake)
}

fn path(rest: &str) -> String {
    format!("/v1/projects/{REF}/{rest}")
}

// ---------------------------------------------------------------------------
// Multipart deploys

/// A multipart/form-data body: `(field, filename, bytes)` parts.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----envctl-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let disposition = match filename {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn deploy_raw(
    server: &Server<FakeSupabase>,
    slug_query: &str,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let auth = format!("Bearer {TOKEN}");
    let target = path(&format!("functions/deploy{slug_query}"));
    send(
        &server.url(),
        "POST",
        &target,
        &[("Authorization", &auth), ("Content-Type", content_type)],
        body,
    )
}

/// Deploys `files` under `slug` with `metadata`.
fn deploy(
    server: &Server<FakeSupabase>,
    slug: &str,
    metadata: &Value,
    files: &[(&str, &[u8])],
) -> Reply {
    let metadata = serde_json::to_vec(metadata).expect("serialise");
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("metadata", None, &metadata)];
    parts.extend(
        files
            .iter()
            .map(|(name, bytes)| ("file", Some(*name), *bytes)),
    );
    let (content_type, body) = multipart(&parts);
    deploy_raw(server, &format!("?slug={slug}"), &content_type, &body)
}

const INDEX: &[u8] = b"Deno.serve(() => new Response(\"hi\"));\r\n";

// ---------------------------------------------------------------------------
// Secrets

#[test]
fn list_shows_sha256_digests_never_plaintext() {
    let server = start();
    server.api().set_secret(REF, "STRIPE_KEY", "sk_live_plain");
    let created = call(
        &server,
        "POST",
        &path("secrets"),
        Some(TOKEN),
        Some(&json!([{"name": "OPENAI_KEY", "value": "sk-openai"}])),
    );
    expect(&created, "v1-bulk-create-secrets", 201);

    let reply = get(&server, &path("secrets"));
    let list = expect(&reply, "v1-list-all-secrets", 200);
    assert!(!reply.text().contains("sk_live_plain") && !reply.text().contains("sk-openai"));
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    for (item, plain) in list.iter().zip(["sk-openai", "sk_live_plain"]) {
        let digest = item["value"].as_str().expect("value");
        assert_eq!(digest, sha256_hex(plain.as_bytes()));
        assert_eq!(digest.len(), 64);
        assert!(
            digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let updated = item["updated_at"].as_str().expect("updated_at");
        assert!(
            updated.len() == 24 && updated.ends_with('Z') && updated.as_bytes()[10] == b'T',
            "{updated}"
        );
    }
    assert_eq!(
        server.api().secret_digest(REF, "OPENAI_KEY"),
        Some(sha256_hex(b"sk-openai"))
    );
    // A known digest, so the hex encoding itself is pinned.
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn bulk_create_is_an_upsert_with_an_empty_201() {
    let server = start();
    server.api().set_secret(REF, "A", "old");
    let reply = call(
        &server,
        "POST",
        &path("secrets"),
        Some(TOKEN),
        Some(&json!([{"name": "A", "value": "new"}, {"name": "B", "value": ""}])),
    );
    expect(&reply, "v1-bulk-create-secrets", 201);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("content-type"), None);
    assert_eq!(server.api().secret_value(REF, "A").as_deref(), Some("new"));
    assert_eq!(server.api().secret_value(REF, "B").as_deref(), Some(""));
    assert_eq!(server.api().secret_names(REF), ["A", "B"]);
}

#[test]
fn bulk_create_rules_are_422_and_write_nothing() {
    let server = start();
    let long_name = "N".repeat(257);
    let long_value = "v".repeat(24_577);
    let cases = [
        json!([{"name": "OK", "value": "1"}, {"name": "SUPABASE_URL", "value": "x"}]),
        json!([{"name": long_name, "value": "x"}]),
        json!([{"name": "BIG", "value": long_value}]),
        json!([{"name": "DUP", "value": "1"}, {"name": "DUP", "value": "2"}]),
    ];
    for body in &cases {
        let reply = call(&server, "POST", &path("secrets"), Some(TOKEN), Some(body));
        expect(&reply, "v1-bulk-create-secrets", 422);
        // The spec agrees these bodies are invalid (except duplicates, which
        // it cannot express).
        if body[0]["name"] != "DUP" {
            assert!(
                validate_request("v1-bulk-create-secrets", body).is_err(),
                "{body}"
            );
        }
    }
    assert!(
        server.api().secret_names(REF).is_empty(),
        "a rejected batch wrote"
    );

    let reply = call(
        &server,
        "POST",
        &path("secrets"),
        Some(TOKEN),
        Some(&cases[0]),
    );
    assert!(reply.message().contains("SUPABASE_"), "{}", reply.text());

    // The limits are inclusive, and the prefix check is case-sensitive.
    let edge = json!([
        {"name": "N".repeat(256), "value": "v".repeat(24_576)},
        {"name": "supabase_lower", "value": "ok"},
    ]);
    validate_request("v1-bulk-create-secrets", &edge).expect("the spec accepts it");
    let reply = call(&server, "POST", &path("secrets"), Some(TOKEN), Some(&edge));
    expect(&reply, "v1-bulk-create-secrets", 201);
    assert_eq!(server.api().secret_names(REF).len(), 2);
}

#[test]
fn bulk_create_bad_shapes_are_400() {
    let server = start();
    let auth = format!("Bearer {TOKEN}");
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    let reply = send(
        &server.url(),
        "POST",
        &path("secrets"),
        &headers,
        b"[{\"name\": ",
    );
    expect(&reply, "v1-bulk-create-secrets", 400);
    let reply = send(&server.url(), "POST", &path("secrets"), &headers, b"");
    expect(&reply, "v1-bulk-create-secrets", 400);
    for body in [
        json!({"name": "A", "value": "1"}),
        json!([{"name": "A"}]),
        json!([{"name": "A", "value": 1}]),
        json!(["A"]),
    ] {
        let reply = call(&server, "POST", &path("secrets"), Some(TOKEN), Some(&body));
        expect(&reply, "v1-bulk-create-secrets", 400);
        assert!(validate_request("v1-bulk-create-secrets", &body).is_err());
    }
    assert!(server.api().secret_names(REF).is_empty());
}

#[test]
fn bulk_delete_takes_a_json_body_and_ignores_unknown_names() {
    let server = start();
    server.api().set_secret(REF, "A", "1");
    server.api().set_secret(REF, "B", "2");
    let body = json!(["A", "NOPE"]);
    validate_request("v1-bulk-delete-secrets", &body).expect("spec shape");
    let reply = call(
        &server,
        "DELETE",
        &path("secrets"),
        Some(TOKEN),
        Some(&body),
    );
    expect(&reply, "v1-bulk-delete-secrets", 200);
    assert!(reply.body.is_empty());
    assert_eq!(server.api().secret_names(REF), ["B"]);

    for bad in [json!({"names": ["B"]}), json!([1])] {
        let reply = call(&server, "DELETE", &path("secrets"), Some(TOKEN), Some(&bad));
        expect(&reply, "v1-bulk-delete-secrets", 400);
    }
    let reply = call(&server, "DELETE", &path("secrets"), Some(TOKEN), None);
    expect(&reply, "v1-bulk-delete-secrets", 400);
    assert_eq!(server.api().secret_names(REF), ["B"]);
}

#[test]
fn reserved_secrets_can_be_seeded() {
    let server = start();
    server.api().seed_reserved(REF);
    let list = expect(&get(&server, &path("secrets")), "v1-list-all-secrets", 200);
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(names.contains(&"SUPABASE_URL") && names.contains(&"SUPABASE_SERVICE_ROLE_KEY"));
    assert!(names.iter().all(|n| n.starts_with("SUPABASE_")));
}

// ---------------------------------------------------------------------------
// Authentication, authorisation, projects, routes

#[test]
fn missing_or_unknown_tokens_are_401() {
    let server = start();
    let target = path("secrets");
    let replies = [
        call(&server, "GET", &target, None, None),
        call(&server, "GET", &target, Some("sbp_unknown"), None),
        send(
            &server.url(),
            "GET",
            &target,
            &[("Authorization", TOKEN)],
            b"",
        ),
    ];
    for reply in &replies {
        expect(reply, "v1-list-all-secrets", 401);
        assert_eq!(reply.json(), json!({"message": "Unauthorized"}));
    }
}

#[test]
fn a_token_without_the_scope_is_403() {
    let server = start();
    server
        .api()
        .add_token("reader", &["secrets:read", "edge_functions:read"]);
    server.api().add_token("db-reader", &["database:read"]);
    let reply = call(&server, "GET", &path("secrets"), Some("reader"), None);
    expect(&reply, "v1-list-all-secrets", 200);
    let reply = call(
        &server,
        "POST",
        &path("secrets"),
        Some("reader"),
        Some(&json!([{"name": "A", "value": "1"}])),
    );
    expect(&reply, "v1-bulk-create-secrets", 403);
    assert!(
        reply.message().contains("necessary privileges"),
        "{}",
        reply.text()
    );
    assert!(server.api().secret_names(REF).is_empty());

    let reply = call(
        &server,
        "DELETE",
        &path("functions/f"),
        Some("reader"),
        None,
    );
    expect(&reply, "v1-delete-a-function", 403);
    let reply = call(
        &server,
        "GET",
        &path("database/migrations"),
        Some("reader"),
        None,
    );
    expect(&reply, "v1-list-migration-history", 403);
    let reply = call(&server, "GET", &path("functions"), Some("db-reader"), None);
    expect(&reply, "v1-list-all-functions", 403);
    let reply = call(
        &server,
        "GET",
        &path("database/migrations"),
        Some("db-reader"),
        None,
    );
    expect(&reply, "v1-list-migration-history", 200);
}

#[test]
fn malformed_refs_are_400_and_unknown_projects_404() {
    let server = start();
    for bad in [
        "short",
        "ABCDEFGHIJKLMNOPQRST",
        "abcdefghijklmnopqrs1",
        "abcdefghijklmnopqrstu",
    ] {
        let reply = get(&server, &format!("/v1/projects/{bad}/secrets"));
        expect(&reply, "v1-list-all-secrets", 400);
    }
    let reply = get(&server, &format!("/v1/projects/{OTHER_REF}/functions"));
    expect(&reply, "v1-list-all-functions", 404);
    assert_eq!(reply.json(), json!({"message": "Project not found"}));
    // Authentication comes first.
    let reply = call(&server, "GET", "/v1/projects/short/secrets", None, None);
    expect(&reply, "v1-list-all-secrets", 401);
}

#[test]
fn unknown_routes_are_404_cannot_method_path() {
    let server = start();
    let reply = get(&server, "/v1/nothing/here");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.message(), "Cannot GET /v1/nothing/here");
    let reply = call(&server, "PUT", &path("secrets"), Some(TOKEN), None);
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.message(),
        format!("Cannot PUT /v1/projects/{REF}/secrets")
    );
    assert!(reply.header("x-ratelimit-limit").is_some());
}

// ---------------------------------------------------------------------------
// Functions

#[test]
fn list_and_get_functions_with_millisecond_timestamps() {
    let server = start();
    let empty = expect(
        &get(&server, &path("functions")),
        "v1-list-all-functions",
        200,
    );
    assert_eq!(empty, json!([]));
    let added = server
        .api()
        .add_function(REF, "hello", true, FunctionStatus::Active);
    server
        .api()
        .add_function(REF, "gone", false, FunctionStatus::Removed);

    let list = expect(
        &get(&server, &path("functions")),
        "v1-list-all-functions",
        200,
    );
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2, "REMOVED functions are listed too");
    assert_eq!(list[0]["slug"], "gone");
    assert_eq!(list[0]["status"], "REMOVED");

    let one = expect(
        &get(&server, &path("functions/hello")),
        "v1-get-a-function",
        200,
    );
    assert_eq!(one["id"], added.id.as_str());
    assert_eq!(one["version"], 1);
    assert_eq!(one["verify_jwt"], true);
    let created = one["created_at"].as_u64().expect("integer");
    assert!(created > 1_600_000_000_000, "milliseconds, got {created}");

    let reply = get(&server, &path("functions/missing"));
    expect(&reply, "v1-get-a-function", 404);
    assert_eq!(reply.message(), "Function not found");
    let reply = get(&server, &path("functions/bad.slug"));
    expect(&reply, "v1-get-a-function", 400);
}

#[test]
fn deploy_creates_then_bumps_the_version() {
    let server = start();
    let metadata = json!({
        "entrypoint_path": "source/index.ts",
        "import_map_path": "source/deno.json",
        "name": "Hello World",
        "verify_jwt": false,
        "static_patterns": ["source/*.html"],
    });
    validate_multipart_metadata(&metadata).expect("the spec accepts the metadata");
    let binary: &[u8] = &[0, 159, 146, 150, 255, b'\r', b'\n'];
    let files: [(&str, &[u8]); 3] = [
        ("source/index.ts", INDEX),
        ("source/deno.json", b"{\"imports\":{}}"),
        ("source/logo.bin", binary),
    ];
    let first = expect(
        &deploy(&server, "hello-world", &metadata, &files),
        "v1-deploy-a-function",
        201,
    );
    assert_eq!(first["slug"], "hello-world");
    assert_eq!(first["name"], "Hello World");
    assert_eq!(first["version"], 1);
    assert_eq!(first["status"], "ACTIVE");
    assert_eq!(first["verify_jwt"], false);
    assert_eq!(first["import_map"], true);
    assert_eq!(first["entrypoint_path"], "source/index.ts");
    assert!(first["ezbr_sha256"].as_str().is_some_and(|h| h.len() == 64));
    let stored = server.api().deployed_files(REF, "hello-world");
    let expected: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    assert_eq!(stored, expected, "files arrive byte for byte");

    let second = expect(
        &deploy(
            &server,
            "hello-world",
            &json!({"entrypoint_path": "file:///source/index.ts"}),
            &[("source/index.ts", b"changed")],
        ),
        "v1-deploy-a-function",
        201,
    );
    assert_eq!(second["version"], 2);
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["created_at"], first["created_at"]);
    assert_eq!(second["name"], "Hello World", "name kept when not sent");
    assert_eq!(second["verify_jwt"], false, "verify_jwt kept when not sent");
    assert_eq!(second["import_map"], false);
    assert_ne!(second["ezbr_sha256"], first["ezbr_sha256"]);

    let got = expect(
        &get(&server, &path("functions/hello-world")),
        "v1-get-a-function",
        200,
    );
    assert_eq!(got["version"], 2);
    assert_eq!(server.api().functions(REF).len(), 1);
}

#[test]
fn deploy_defaults_and_loose_entrypoint_matching() {
    let server = start();
    let reply = deploy(
        &server,
        "plain",
        &json!({"entrypoint_path": "./index.ts"}),
        &[("index.ts", INDEX)],
    );
    let body = expect(&reply, "v1-deploy-a-function", 201);
    assert_eq!(body["name"], "plain");
    assert_eq!(body["verify_jwt"], true);
    assert_eq!(body["import_map"], false);

    // A REMOVED function comes back ACTIVE, one version up.
    server
        .api()
        .set_status(REF, "plain", FunctionStatus::Removed);
    let body = expect(
        &deploy(
            &server,
            "plain",
            &json!({"entrypoint_path": "index.ts"}),
            &[("index.ts", INDEX)],
        ),
        "v1-deploy-a-function",
        201,
    );
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(body["version"], 2);
}

#[test]
fn deploy_validation_is_400_and_changes_nothing() {
    let server = start();
    let good = json!({"entrypoint_path": "index.ts"});
    let cases: Vec<(&str, Reply)> = vec![
        (
            "slug starts with a digit",
            deploy(&server, "1abc", &good, &[("index.ts", INDEX)]),
        ),
        (
            "slug has a dot",
            deploy(&server, "a.b", &good, &[("index.ts", INDEX)]),
        ),
        ("no slug", {
            let metadata = serde_json::to_vec(&good).expect("json");
            let (ct, body) = multipart(&[
                ("metadata", None, &metadata),
                ("file", Some("index.ts"), INDEX),
            ]);
            deploy_raw(&server, "", &ct, &body)
        }),
        (
            "not multipart",
            deploy_raw(&server, "?slug=f", "application/json", b"{}"),
        ),
        (
            "no boundary",
            deploy_raw(&server, "?slug=f", "multipart/form-data", b""),
        ),
        (
            "garbage body",
            deploy_raw(
                &server,
                "?slug=f",
                "multipart/form-data; boundary=xyz",
                b"garbage",
            ),
        ),
        ("no metadata", {
            let (ct, body) = multipart(&[("file", Some("index.ts"), INDEX)]);
            deploy_raw(&server, "?slug=f", &ct, &body)
        }),
        ("metadata not JSON", {
            let (ct, body) = multipart(&[
                ("metadata", None, b"{nope"),
                ("file", Some("index.ts"), INDEX),
            ]);
            deploy_raw(&server, "?slug=f", &ct, &body)
        }),
        (
            "no entrypoint",
            deploy(&server, "f", &json!({"name": "x"}), &[("index.ts", INDEX)]),
        ),
        (
            "verify_jwt not bool",
            deploy(
                &server,
                "f",
                &json!({"entrypoint_path": "index.ts", "verify_jwt": "yes"}),
                &[("index.ts", INDEX)],
            ),
        ),
        ("no files", deploy(&server, "f", &good, &[])),
        (
            "entrypoint not uploaded",
            deploy(
                &server,
                "f",
                &json!({"entrypoint_path": "main.ts"}),
                &[("index.ts", INDEX)],
            ),
        ),
        (
            "import map not uploaded",
            deploy(
                &server,
                "f",
                &json!({"entrypoint_path": "index.ts", "import_map_path": "deno.json"}),
                &[("index.ts", INDEX)],
            ),
        ),
    ];
    for (case, reply) in &cases {
        assert_eq!(reply.status, 400, "{case}: {}", reply.text());
        expect(reply, "v1-deploy-a-function", 400);
    }
    assert!(validate_multipart_metadata(&json!({"name": "x"})).is_err());
    assert!(server.api().functions(REF).is_empty());
}

#[test]
fn deploy_past_the_function_cap_is_402() {
    let server = start();
    server.api().set_max_functions(2);
    server
        .api()
        .add_function(REF, "one", true, FunctionStatus::Active);
    server
        .api()
        .add_function(REF, "old", true, FunctionStatus::Removed);
    let metadata = json!({"entrypoint_path": "index.ts"});
    let files: [(&str, &[u8]); 1] = [("index.ts", INDEX)];
    expect(
        &deploy(&server, "two", &metadata, &files),
        "v1-deploy-a-function",
        201,
    );
    let reply = deploy(&server, "three", &metadata, &files);
    expect(&reply, "v1-deploy-a-function", 402);
    assert_eq!(
        reply.message(),
        "Maximum number of functions reached for Plan"
    );
    // Reviving a REMOVED one is a creation too; updating a live one is not.
    expect(
        &deploy(&server, "old", &metadata, &files),
        "v1-deploy-a-function",
        402,
    );
    let body = expect(
        &deploy(&server, "one", &metadata, &files),
        "v1-deploy-a-function",
        201,
    );
    assert_eq!(body["version"], 2);
    assert_eq!(server.api().functions(REF).len(), 3);
}

#[test]
fn patch_updates_metadata_from_json_or_query() {
    let server = start();
    server
        .api()
        .add_function(REF, "fn", true, FunctionStatus::Active);
    let body = json!({"verify_jwt": false, "name": "Renamed"});
    validate_request("v1-update-a-function", &body).expect("spec shape");
    let reply = call(
        &server,
        "PATCH",
        &path("functions/fn"),
        Some(TOKEN),
        Some(&body),
    );
    let updated = expect(&reply, "v1-update-a-function", 200);
    assert_eq!(updated["verify_jwt"], false);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["version"], 1, "metadata alone keeps the version");

    let reply = call(
        &server,
        "PATCH",
        &path("functions/fn?verify_jwt=true"),
        Some(TOKEN),
        None,
    );
    assert_eq!(
        expect(&reply, "v1-update-a-function", 200)["verify_jwt"],
        true
    );
    assert!(
        server
            .api()
            .function(REF, "fn")
            .is_some_and(|f| f.verify_jwt)
    );

    let code = json!({"body": "Deno.serve(() => new Response('again'))"});
    let reply = call(
        &server,
        "PATCH",
        &path("functions/fn"),
        Some(TOKEN),
        Some(&code),
    );
    assert_eq!(expect(&reply, "v1-update-a-function", 200)["version"], 2);
    assert_eq!(
        server.api().deployed_files(REF, "fn"),
        [(
            "index.ts".to_string(),
            b"Deno.serve(() => new Response('again'))".to_vec()
        )]
    );

    let reply = call(
        &server,
        "PATCH",
        &path("functions/fn?verify_jwt=maybe"),
        Some(TOKEN),
        None,
    );
    expect(&reply, "v1-update-a-function", 400);
    let reply = call(
        &server,
        "PATCH",
        &path("functions/fn"),
        Some(TOKEN),
        Some(&json!({"verify_jwt": "no"})),
    );
    expect(&reply, "v1-update-a-function", 400);
    let reply = call(
        &server,
        "PATCH",
        &path("functions/nope"),
        Some(TOKEN),
        Some(&body),
    );
    expect(&reply, "v1-update-a-function", 404);
}

#[test]
fn delete_function_answers_ok_then_404() {
    let server = start();
    server
        .api()
        .add_function(REF, "bye", true, FunctionStatus::Active);
    let reply = call(&server, "DELETE", &path("functions/bye"), Some(TOKEN), None);
    assert_eq!(
        expect(&reply, "v1-delete-a-function", 200),
        json!({"message": "ok"})
    );
    assert!(server.api().functions(REF).is_empty());
    let reply = call(&server, "DELETE", &path("functions/bye"), Some(TOKEN), None);
    expect(&reply, "v1-delete-a-function", 404);
}

// ---------------------------------------------------------------------------
// Migrations and SQL

const HISTORY_SQL: &str =
    "SELECT version, name FROM supabase_migrations.schema_migrations ORDER BY version";

#[test]
fn migration_history_endpoint_lists_sorted_or_refuses() {
    let server = start();
    server.api().set_migrations(
        REF,
        &[("20240102000000", "second"), ("20240101000000", "first")],
    );
    let list = expect(
        &get(&server, &path("database/migrations")),
        "v1-list-migration-history",
        200,
    );
    assert_eq!(
        list,
        json!([
            {"version": "20240101000000", "name": "first"},
            {"version": "20240102000000", "name": "second"},
        ])
    );
    server.api().refuse_migrations_endpoint(true);
    let reply = get(&server, &path("database/migrations"));
    expect(&reply, "v1-list-migration-history", 403);
    assert_eq!(
        reply.message(),
        "Only available to selected partner OAuth apps"
    );
}

#[test]
fn query_reads_the_history_table() {
    let server = start();
    server.api().add_token("db-reader", &["database:read"]);
    server
        .api()
        .set_migrations(REF, &[("20240102000000", "b"), ("20240101000000", "a")]);
    for sql in [
        HISTORY_SQL.to_string(),
        format!("  {}\n;", HISTORY_SQL.to_lowercase().replace(' ', "\n\t ")),
    ] {
        let body = json!({"query": sql});
        validate_request("v1-run-a-query", &body).expect("spec shape");
        let reply = call(
            &server,
            "POST",
            &path("database/query"),
            Some("db-reader"),
            Some(&body),
        );
        let rows = expect(&reply, "v1-run-a-query", 201);
        assert_eq!(
            rows,
            json!([
                {"version": "20240101000000", "name": "a"},
                {"version": "20240102000000", "name": "b"},
            ])
        );
        // Column order follows the query.
        assert!(reply.text().starts_with("[{\"version\""));
    }
}

#[test]
fn query_on_a_missing_table_is_the_postgres_42p01_error() {
    let server = start();
    server.api().set_migration_table_missing(REF, true);
    let reply = call(
        &server,
        "POST",
        &path("database/query"),
        Some(TOKEN),
        Some(&json!({"query": HISTORY_SQL})),
    );
    expect(&reply, "v1-run-a-query", 400);
    let message = reply.message();
    assert!(
        message.starts_with(
            "Failed to run sql query: ERROR:  42P01: relation \"supabase_migrations.schema_migrations\" does not exist"
        ),
        "{message}"
    );
    let list = expect(
        &get(&server, &path("database/migrations")),
        "v1-list-migration-history",
        200,
    );
    assert_eq!(list, json!([]));
}

#[test]
fn other_queries_and_bad_bodies_are_400() {
    let server = start();
    for body in [
        json!({"query": "DROP TABLE users"}),
        json!({"query": ""}),
        json!({"sql": HISTORY_SQL}),
        json!([HISTORY_SQL]),
    ] {
        let reply = call(
            &server,
            "POST",
            &path("database/query"),
            Some(TOKEN),
            Some(&body),
        );
        expect(&reply, "v1-run-a-query", 400);
    }
    let reply = call(
        &server,
        "POST",
        &path("database/query"),
        Some(TOKEN),
        Some(&json!({"query": "select 1"})),
    );
    assert!(
        reply.message().contains("supports only"),
        "{}",
        reply.text()
    );
}

// ---------------------------------------------------------------------------
// Rate limits and injected faults

#[test]
fn documented_rate_limit_headers_on_every_response() {
    let server = start();
    let reply = get(&server, &path("secrets"));
    assert_eq!(reply.rate_header("x-ratelimit-limit"), 120);
    assert_eq!(reply.rate_header("x-ratelimit-remaining"), 119);
    assert_eq!(reply.rate_header("x-ratelimit-reset"), 60);
    let reply = call(&server, "GET", &path("secrets"), None, None);
    assert_eq!(reply.status, 401);
    assert_eq!(reply.rate_header("x-ratelimit-limit"), 120);
}

#[test]
fn over_the_limit_is_429_for_the_rest_of_the_window() {
    let server = start();
    server.api().add_project(OTHER_REF);
    server
        .api()
        .add_token("second", &["secrets:read", "edge_functions:read"]);
    server.api().set_rate_limit(3, Duration::from_secs(60));
    for remaining in [2, 1, 0] {
        let reply = get(&server, &path("secrets"));
        expect(&reply, "v1-list-all-secrets", 200);
        assert_eq!(reply.rate_header("x-ratelimit-remaining"), remaining);
        assert_eq!(reply.rate_header("x-ratelimit-limit"), 3);
    }
    for _ in 0..2 {
        let reply = get(&server, &path("secrets"));
        expect(&reply, "v1-list-all-secrets", 429);
        assert_eq!(reply.json(), json!({"message": "Too many requests"}));
        assert_eq!(reply.rate_header("x-ratelimit-remaining"), 0);
        let reset = reply.rate_header("x-ratelimit-reset");
        assert!(
            (59..=60).contains(&reset),
            "seconds left, not an epoch: {reset}"
        );
    }
    // Separate buckets: another endpoint, another project, another token.
    expect(
        &get(&server, &path("functions")),
        "v1-list-all-functions",
        200,
    );
    let other = format!("/v1/projects/{OTHER_REF}/secrets");
    expect(&get(&server, &other), "v1-list-all-secrets", 200);
    let reply = call(&server, "GET", &path("secrets"), Some("second"), None);
    expect(&reply, "v1-list-all-secrets", 200);
    // A 429 does nothing.
    let reply = call(
        &server,
        "POST",
        &path("secrets"),
        Some(TOKEN),
        Some(&json!([{"name": "A", "value": "1"}])),
    );
    expect(&reply, "v1-bulk-create-secrets", 201);
    server.api().set_rate_limit(0, Duration::from_secs(60));
    let reply = call(
        &server,
        "POST",
        &path("secrets"),
        Some(TOKEN),
        Some(&json!([{"name": "B", "value": "1"}])),
    );
    expect(&reply, "v1-bulk-create-secrets", 429);
    assert_eq!(server.api().secret_names(REF), ["A"]);
}

#[test]
fn the_window_reopens() {
    let server = start();
    let window = Duration::from_millis(100);
    server.api().set_rate_limit(1, window);
    let opened = std::time::Instant::now();
    expect(&get(&server, &path("secrets")), "v1-list-all-secrets", 200);
    let reply = get(&server, &path("secrets"));
    // On a machine slow enough to take the whole window, the second call
    // lands in a new one; only a call inside the window must be refused.
    if opened.elapsed() < window {
        expect(&reply, "v1-list-all-secrets", 429);
        let reset = reply.rate_header("x-ratelimit-reset");
        assert_eq!(reset, 1, "rounded up to whole seconds");
    }
    std::thread::sleep(window);
    expect(&get(&server, &path("secrets")), "v1-list-all-secrets", 200);
}

#[test]
fn injected_throttles_and_failures_use_the_platform_shapes() {
    let server = start();
    server.faults().throttle(1, 7);
    let reply = get(&server, &path("secrets"));
    expect(&reply, "v1-list-all-secrets", 429);
    assert_eq!(reply.rate_header("x-ratelimit-reset"), 7);
    assert_eq!(reply.rate_header("x-ratelimit-remaining"), 0);
    server.faults().fail(1);
    let reply = get(&server, &path("secrets"));
    expect(&reply, "v1-list-all-secrets", 500);
    assert_eq!(reply.json(), json!({"message": "Internal Server Error"}));
    expect(&get(&server, &path("secrets")), "v1-list-all-secrets", 200);
    assert_eq!(server.count("GET", "/secrets"), 3);
    // The trait's answers directly, too.
    let direct = server.api().rate_limited(3);
    assert_eq!(direct.status, 429);
    assert!(
        direct
            .headers
            .contains(&("x-ratelimit-reset".to_string(), "3".to_string()))
    );
}

// ---------------------------------------------------------------------------
// The validator itself can fail

#[test]
fn validate_response_rejects_wrong_shapes() {
    let good = json!([{"name": "A", "value": "00", "updated_at": "2024-01-01T00:00:00Z"}]);
    validate_response("v1-list-all-secrets", 200, &good).expect("a good list");
    let wrong = [
        ("v1-list-all-secrets", 200, json!([{"name": "A"}])),
        (
            "v1-list-all-secrets",
            200,
            json!({"name": "A", "value": "x"}),
        ),
        (
            "v1-list-all-secrets",
            200,
            json!([{"name": "A", "value": 1}]),
        ),
        (
            "v1-list-all-functions",
            200,
            json!([{"id": "1", "slug": "s", "name": "n", "status": "ACTIVE", "version": 1, "created_at": "2024-01-01", "updated_at": 1}]),
        ),
        (
            "v1-get-a-function",
            200,
            json!({"id": "1", "slug": "s", "name": "n", "status": "DELETED", "version": 1, "created_at": 1, "updated_at": 1}),
        ),
        (
            "v1-deploy-a-function",
            201,
            json!({"id": "1", "slug": "s", "name": "n", "status": "ACTIVE"}),
        ),
        (
            "v1-list-migration-history",
            200,
            json!([{"version": "", "name": "x"}]),
        ),
        ("v1-update-a-function", 200, json!({"slug": "s"})),
    ];
    for (op, status, body) in &wrong {
        assert!(
            validate_response(op, *status, body).is_err(),
            "{op} accepted {body}"
        );
    }
    assert!(
        validate_response("v1-list-all-secrets", 404, &json!({})).is_err(),
        "404 is not declared"
    );
    assert!(validate_response("v1-nope", 200, &json!({})).is_err());
}

#[test]
fn an_echoing_rejection_quotes_the_write_in_supabases_shape() {
    let server = start();
    server.faults().echo_writes(1);
    let body = json!([{ "name": "STRIPE_SECRET_KEY", "value": "sk_CANARY_echo" }]);
    let reply = call(&server, "POST", &path("secrets"), Some(TOKEN), Some(&body));
    let answer = expect(&reply, "v1-bulk-create-secrets", 400);
    assert_eq!(
        answer,
        json!({ "message": format!("invalid request: {body}") })
    );
    let listed = expect(&get(&server, &path("secrets")), "v1-list-all-secrets", 200);
    assert_eq!(listed, json!([]));
}
