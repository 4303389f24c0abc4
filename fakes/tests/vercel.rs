//! The fake Vercel API over real HTTP.
//!
//! The requests go through a minimal HTTP/1.1 client on `std::net` rather
//! than reqwest: this crate's reqwest uses `rustls-no-provider`, and
//! building a reqwest `Client` panics unless a rustls crypto provider is
//! installed, which this crate cannot do without depending on rustls.

mod common;

use std::time::Duration;

use envctl_fakes::Server;
use envctl_fakes::vercel::{EnvType, FakeVercel};
use serde_json::{Value, json};

const TOKEN: &str = "tok_owner";
const PROJECT: &str = "prj_web";

/// A response: status, lower-cased headers, JSON body (`Null` when empty).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// One request with a bearer token and a JSON body, through the shared
/// raw client.
fn send(
    server: &Server<FakeVercel>,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Reply {
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let raw = common::send(&server.url(), method, path, &headers, payload.as_bytes());
    Reply {
        status: raw.status,
        body: if raw.body.is_empty() {
            Value::Null
        } else {
            raw.json()
        },
        headers: raw.headers,
    }
}

fn get(s: &Server<FakeVercel>, path: &str) -> Reply {
    send(s, "GET", path, Some(TOKEN), None)
}

fn post(s: &Server<FakeVercel>, path: &str, body: Value) -> Reply {
    send(s, "POST", path, Some(TOKEN), Some(&body))
}

fn patch(s: &Server<FakeVercel>, path: &str, body: Value) -> Reply {
    send(s, "PATCH", path, Some(TOKEN), Some(&body))
}

fn delete(s: &Server<FakeVercel>, path: &str, body: Option<Value>) -> Reply {
    send(s, "DELETE", path, Some(TOKEN), body.as_ref())
}

/// A fake with one personal project, `prj_web` named `web`.
fn start() -> Server<FakeVercel> {
    let fake = FakeVercel::new(TOKEN);
    fake.add_project(PROJECT, "web", None);
    Server::start(fake)
}

fn plain(key: &str, value: &str, target: &[&str]) -> Value {
    json!({ "key": key, "value": value, "type": "plain", "target": target })
}

fn created_id(reply: &Reply) -> String {
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["created"]["id"]
        .as_str()
        .expect("created id")
        .to_string()
}

fn env_path(id: &str) -> String {
    format!("/v10/projects/{PROJECT}/env/{id}")
}

#[test]
fn create_list_get_edit_delete() {
    let s = start();
    let reply = post(
        &s,
        "/v10/projects/prj_web/env",
        json!({ "key": "API_URL", "value": "https://x", "type": "plain", "target": ["production", "preview"], "comment": "base" }),
    );
    let id = created_id(&reply);
    assert_eq!(id.len(), 16);
    assert_eq!(reply.body["failed"], json!([]));
    assert_eq!(reply.body["created"]["value"], "https://x");

    let list = get(&s, "/v10/projects/web/env");
    assert_eq!(list.status, 200);
    let env = &list.body["envs"][0];
    assert_eq!(env["key"], "API_URL");
    assert_eq!(env["value"], "https://x");
    assert!(env.get("decrypted").is_none());
    assert_eq!(env["target"], json!(["production", "preview"]));
    assert_eq!(env["comment"], "base");
    assert_eq!(list.body["pagination"]["count"], 1);
    assert_eq!(list.body["pagination"]["next"], Value::Null);

    let one = get(&s, &env_path(&id));
    assert_eq!(one.status, 200);
    assert_eq!(one.body["decrypted"], true);
    assert_eq!(one.body["value"], "https://x");

    let before = one.body["updatedAt"].as_u64().unwrap();
    let edited = patch(
        &s,
        &env_path(&id),
        json!({ "value": "https://y", "target": ["production"] }),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["value"], "https://y");
    assert!(edited.body["updatedAt"].as_u64().unwrap() > before);
    let record = s.api().record(PROJECT, &id).unwrap();
    assert_eq!(
        (record.value.as_str(), record.target.clone()),
        ("https://y", vec!["production".to_string()])
    );
    assert_eq!(record.comment, "base");

    let removed = delete(&s, &env_path(&id), None);
    assert_eq!(removed.status, 200);
    assert_eq!(removed.body["id"], id.as_str());
    assert!(s.api().records(PROJECT).is_empty());
    assert_eq!(delete(&s, &env_path(&id), None).status, 404);
    assert_eq!(get(&s, &env_path(&id)).code(), "not_found");
}

#[test]
fn any_version_prefix_reaches_the_same_resource() {
    let s = start();
    let id = s.api().insert_record(
        PROJECT,
        "A",
        "1",
        EnvType::Plain,
        &["development"],
        None,
        "",
    );
    for v in ["v1", "v7", "v8", "v9", "v10", "v123"] {
        let list = get(&s, &format!("/{v}/projects/prj_web/env"));
        assert_eq!(list.status, 200, "{v}");
        assert_eq!(list.body["envs"][0]["id"], id.as_str());
        let one = get(&s, &format!("/{v}/projects/prj_web/env/{id}"));
        assert_eq!(one.body["value"], "1", "{v}");
    }
    for bad in [
        "/projects/prj_web/env",
        "/vx/projects/prj_web/env",
        "/v10/projects/prj_web/envs",
    ] {
        let reply = get(&s, bad);
        assert_eq!(reply.status, 404, "{bad}");
        assert_eq!(reply.code(), "not_found");
        assert_eq!(
            reply.body["error"]["message"],
            "The requested path was not found"
        );
    }
    let wrong = send(&s, "PUT", "/v9/projects/prj_web/env", Some(TOKEN), None);
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.code(), "method_unknown");
}

#[test]
fn a_list_without_limit_is_one_page_and_limit_pages_newest_first() {
    let s = start();
    let ids: Vec<String> = (0..45)
        .map(|i| {
            s.api().insert_record(
                PROJECT,
                &format!("K{i}"),
                "v",
                EnvType::Plain,
                &["production"],
                None,
                "",
            )
        })
        .collect();
    let mut seen = Vec::new();
    let mut pages = 0;
    // As the Vercel CLI asks (v10, no `limit`): everything, no cursor.
    let whole = get(&s, "/v10/projects/prj_web/env?decrypt=true");
    assert_eq!(whole.body["envs"].as_array().unwrap().len(), 45);
    assert_eq!(whole.body["pagination"]["next"], Value::Null);
    let mut path = "/v8/projects/prj_web/env?decrypt=true&limit=20".to_string();
    loop {
        let page = get(&s, &path);
        assert_eq!(page.status, 200);
        pages += 1;
        let envs = page.body["envs"].as_array().unwrap();
        assert_eq!(page.body["pagination"]["count"], envs.len());
        seen.extend(envs.iter().map(|e| e["id"].as_str().unwrap().to_string()));
        match page.body["pagination"]["next"].as_u64() {
            Some(next) => {
                path = format!("/v8/projects/prj_web/env?decrypt=true&limit=20&until={next}")
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let limited = get(&s, "/v8/projects/prj_web/env?limit=100");
    assert_eq!(limited.body["envs"].as_array().unwrap().len(), 45);
    assert_eq!(limited.body["pagination"]["next"], Value::Null);
    s.api().set_page_size(50);
    assert_eq!(
        get(&s, "/v8/projects/prj_web/env").body["envs"]
            .as_array()
            .unwrap()
            .len(),
        45
    );
    assert_eq!(
        get(&s, "/v8/projects/prj_web/env?limit=zero").code(),
        "bad_request"
    );
}

#[test]
fn list_filters_by_target_and_branch() {
    let s = start();
    let api = s.api();
    api.insert_record(
        PROJECT,
        "A",
        "prod",
        EnvType::Plain,
        &["production"],
        None,
        "",
    );
    api.insert_record(PROJECT, "A", "prev", EnvType::Plain, &["preview"], None, "");
    api.insert_record(
        PROJECT,
        "A",
        "feat",
        EnvType::Plain,
        &["preview"],
        Some("feat"),
        "",
    );
    api.insert_record(
        PROJECT,
        "A",
        "other",
        EnvType::Plain,
        &["preview"],
        Some("other"),
        "",
    );
    let values = |path: &str| -> Vec<String> {
        get(&s, path).body["envs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["value"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(values("/v10/projects/web/env?target=production"), ["prod"]);
    assert_eq!(
        values("/v10/projects/web/env?target=preview&gitBranch=feat"),
        ["feat", "prev"]
    );
    let all = get(&s, "/v10/projects/web/env");
    let branched = all.body["envs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["value"] == "feat")
        .unwrap();
    assert_eq!(branched["gitBranch"], "feat");
}

#[test]
fn encrypted_values_are_ciphertext_in_lists_and_plaintext_by_id() {
    let s = start();
    let reply = post(
        &s,
        "/v10/projects/prj_web/env",
        json!({ "key": "DB_URL", "value": "postgres://secret", "type": "encrypted", "target": ["production"] }),
    );
    let id = created_id(&reply);
    let created = &reply.body["created"];
    assert_eq!(created["decrypted"], false);
    assert_ne!(created["value"], "postgres://secret");

    for path in [
        "/v10/projects/web/env",
        "/v10/projects/web/env?decrypt=true",
    ] {
        let env = get(&s, path).body["envs"][0].clone();
        assert_eq!(env["decrypted"], false);
        let cipher = env["value"].as_str().unwrap();
        assert!(!cipher.is_empty());
        assert!(!cipher.contains("postgres://secret"));
    }
    let one = get(&s, &env_path(&id));
    assert_eq!(one.body["decrypted"], true);
    assert_eq!(one.body["value"], "postgres://secret");
}

#[test]
fn sensitive_values_never_leave_the_fake() {
    let s = start();
    let reply = post(
        &s,
        "/v10/projects/prj_web/env",
        json!({ "key": "STRIPE_KEY", "value": "sk_live_1", "type": "sensitive", "target": ["production", "preview"] }),
    );
    let id = created_id(&reply);
    assert_ne!(reply.body["created"]["value"], "sk_live_1");

    let listed = get(&s, "/v10/projects/web/env?decrypt=true").body["envs"][0].clone();
    assert_eq!(listed["value"], "");
    assert_eq!(listed["type"], "sensitive");
    let one = get(&s, &env_path(&id));
    assert_eq!(one.status, 200);
    assert!(one.body.get("value").is_none());
    assert_eq!(one.body["decrypted"], false);
    assert_eq!(s.api().records(PROJECT)[0].value, "sk_live_1");

    let downgrade = patch(&s, &env_path(&id), json!({ "type": "encrypted" }));
    assert_eq!(downgrade.status, 400);
    assert_eq!(downgrade.code(), "bad_request");
    assert_eq!(s.api().records(PROJECT)[0].kind, EnvType::Sensitive);
}

#[test]
fn conflicts_without_upsert() {
    let s = start();
    created_id(&post(
        &s,
        "/v10/projects/web/env",
        plain("A", "1", &["production", "preview"]),
    ));

    let single = post(
        &s,
        "/v10/projects/web/env",
        plain("A", "2", &["preview", "development"]),
    );
    assert_eq!(single.status, 400);
    assert_eq!(single.code(), "ENV_CONFLICT");
    assert_eq!(single.body["error"]["key"], "A");
    assert_eq!(
        single.body["error"]["target"],
        json!(["preview", "development"])
    );
    assert_eq!(single.body["error"]["gitBranch"], Value::Null);

    let batch = post(
        &s,
        "/v10/projects/web/env",
        json!([
            plain("A", "2", &["production"]),
            plain("A", "3", &["development"])
        ]),
    );
    assert_eq!(batch.status, 201);
    assert_eq!(batch.body["created"].as_array().unwrap().len(), 1);
    assert_eq!(batch.body["failed"][0]["error"]["code"], "ENV_CONFLICT");

    // Same key on a different branch, or a branch versus none, is no conflict.
    let branched = json!({ "key": "A", "value": "b", "type": "plain", "target": ["preview"], "gitBranch": "feat" });
    assert_eq!(post(&s, "/v10/projects/web/env", branched).status, 201);
    assert_eq!(s.api().records(PROJECT).len(), 3);
}

#[test]
fn upsert_updates_only_an_exact_target_match() {
    let s = start();
    let id = created_id(&post(
        &s,
        "/v10/projects/web/env",
        plain("A", "1", &["production", "preview"]),
    ));
    let before = s.api().record(PROJECT, &id).unwrap();
    s.api().advance_clock(Duration::from_secs(5));

    let same = json!({ "key": "A", "value": "2", "type": "encrypted", "target": ["preview", "production"], "comment": "c" });
    let reply = post(&s, "/v10/projects/web/env?upsert=true", same);
    assert_eq!(created_id(&reply), id);
    let after = s.api().record(PROJECT, &id).unwrap();
    assert_eq!(
        (after.value.as_str(), after.kind, after.comment.as_str()),
        ("2", EnvType::Encrypted, "c")
    );
    assert!(after.updated_at >= before.updated_at + 5000);
    assert_eq!(after.created_at, before.created_at);

    let overlap = post(
        &s,
        "/v10/projects/web/env?upsert=true",
        json!([plain("A", "3", &["production"])]),
    );
    assert_eq!(overlap.status, 201);
    assert_eq!(overlap.body["failed"][0]["error"]["code"], "ENV_CONFLICT");
    assert_eq!(s.api().records(PROJECT), vec![after]);
}

#[test]
fn per_item_failures_arrive_inside_a_201() {
    let s = start();
    let reply = post(
        &s,
        "/v10/projects/web/env",
        json!([
            plain("GOOD", "1", &["production"]),
            plain("1BAD", "1", &["production"]),
            plain("AWS_REGION", "1", &["production"]),
            { "key": "S", "value": "1", "type": "sensitive", "target": ["development"] },
            { "key": "T", "value": "1", "type": "secret", "target": ["production"] },
            { "key": "B", "value": "1", "type": "plain", "target": ["production"], "gitBranch": "main" },
            { "key": "N", "value": "1", "type": "plain", "target": [] },
            plain("X", "1", &["staging"]),
        ]),
    );
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["created"].as_array().unwrap().len(), 1);
    let codes: Vec<(&str, &str)> = reply.body["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["error"]["key"].as_str().unwrap(),
                f["error"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("1BAD", "invalid_key"),
            ("AWS_REGION", "invalid_key"),
            ("S", "bad_request"),
            ("T", "bad_request"),
            ("B", "bad_request"),
            ("N", "bad_request"),
            ("X", "bad_request"),
        ]
    );
    assert_eq!(s.api().records(PROJECT).len(), 1);

    let single = post(
        &s,
        "/v10/projects/web/env",
        plain("bad-key", "1", &["production"]),
    );
    assert_eq!(single.status, 400);
    assert_eq!(single.code(), "invalid_key");
}

#[test]
fn malformed_bodies_are_bad_requests_and_write_nothing() {
    let s = start();
    let bodies = [
        json!("text"),
        json!([]),
        json!([plain("OK", "1", &["production"]), { "key": "NO_VALUE", "type": "plain", "target": ["production"] }]),
        json!({ "key": "A", "value": 1, "type": "plain", "target": ["production"] }),
    ];
    for body in bodies {
        let reply = post(&s, "/v10/projects/web/env", body.clone());
        assert_eq!((reply.status, reply.code()), (400, "bad_request"), "{body}");
    }
    let not_json = send(&s, "POST", "/v10/projects/web/env", Some(TOKEN), None);
    assert_eq!(not_json.status, 400);
    assert!(s.api().records(PROJECT).is_empty());
}

#[test]
fn patch_follows_the_create_rules() {
    let s = start();
    let api = s.api();
    let prod = api.insert_record(PROJECT, "A", "1", EnvType::Plain, &["production"], None, "");
    let prev = api.insert_record(PROJECT, "A", "2", EnvType::Plain, &["preview"], None, "");
    let clash = patch(
        &s,
        &env_path(&prev),
        json!({ "target": ["preview", "production"] }),
    );
    assert_eq!((clash.status, clash.code()), (400, "ENV_CONFLICT"));
    let branch = patch(&s, &env_path(&prod), json!({ "gitBranch": "main" }));
    assert_eq!((branch.status, branch.code()), (400, "bad_request"));
    let moved = patch(
        &s,
        &env_path(&prev),
        json!({ "gitBranch": "feat", "type": "encrypted" }),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["gitBranch"], "feat");
    assert_eq!(moved.body["decrypted"], false);
    assert_ne!(moved.body["value"], "2");
    let cleared = patch(
        &s,
        &env_path(&prev),
        json!({ "gitBranch": null, "target": ["development"] }),
    );
    assert_eq!(cleared.status, 200);
    assert!(cleared.body.get("gitBranch").is_none());
    assert_eq!(
        patch(&s, &env_path("nope"), json!({ "value": "x" })).status,
        404
    );
}

#[test]
fn string_targets_for_single_target_records() {
    let s = start();
    let api = s.api();
    api.insert_record(
        PROJECT,
        "ONE",
        "1",
        EnvType::Plain,
        &["production"],
        None,
        "",
    );
    api.insert_record(
        PROJECT,
        "TWO",
        "2",
        EnvType::Plain,
        &["production", "preview"],
        None,
        "",
    );
    api.set_string_targets(true);
    let envs = get(&s, "/v10/projects/web/env").body["envs"].clone();
    assert_eq!(envs[0]["target"], json!(["production", "preview"]));
    assert_eq!(envs[1]["target"], "production");
}

#[test]
fn team_projects_need_their_team_id() {
    let fake = FakeVercel::new(TOKEN);
    fake.add_project("prj_team", "shop", Some("team_a"));
    fake.add_project(PROJECT, "web", None);
    fake.grant_team(TOKEN, "team_a");
    fake.grant_team("tok_other", "team_b");
    let s = Server::start(fake);

    assert_eq!(
        get(&s, "/v10/projects/prj_team/env?teamId=team_a").status,
        200
    );
    assert_eq!(get(&s, "/v10/projects/shop/env?teamId=team_a").status, 200);
    let missing_team = get(&s, "/v10/projects/prj_team/env");
    assert_eq!(
        (missing_team.status, missing_team.code()),
        (404, "not_found")
    );
    assert_eq!(missing_team.body["error"]["message"], "Project not found");
    let foreign = get(&s, "/v10/projects/prj_team/env?teamId=team_b");
    assert_eq!((foreign.status, foreign.code()), (403, "forbidden"));
    let other_user = send(
        &s,
        "GET",
        "/v10/projects/prj_team/env?teamId=team_a",
        Some("tok_other"),
        None,
    );
    assert_eq!(other_user.status, 403);
    assert_eq!(
        get(&s, "/v10/projects/prj_web/env?teamId=team_a").status,
        404
    );
    assert_eq!(get(&s, "/v10/projects/prj_nope/env").code(), "not_found");
}

#[test]
fn bad_tokens_are_403_forbidden() {
    let s = start();
    let missing = send(&s, "GET", "/v10/projects/web/env", None, None);
    assert_eq!((missing.status, missing.code()), (403, "forbidden"));
    assert_eq!(missing.body["error"]["missingToken"], true);
    let unknown = send(&s, "GET", "/v10/projects/web/env", Some("tok_nope"), None);
    assert_eq!((unknown.status, unknown.code()), (403, "forbidden"));
    assert_eq!(unknown.body["error"]["message"], "Not authorized");
    assert_eq!(unknown.body["error"]["invalidToken"], true);
}

#[test]
fn batch_delete_is_all_or_nothing() {
    let s = start();
    let api = s.api();
    let a = api.insert_record(PROJECT, "A", "1", EnvType::Plain, &["production"], None, "");
    let b = api.insert_record(PROJECT, "B", "2", EnvType::Plain, &["production"], None, "");
    let c = api.insert_record(PROJECT, "C", "3", EnvType::Plain, &["production"], None, "");

    let unknown = delete(
        &s,
        "/v1/projects/web/env",
        Some(json!({ "ids": [a, "nope"] })),
    );
    assert_eq!((unknown.status, unknown.code()), (400, "bad_request"));
    assert_eq!(unknown.body["error"]["ids"], json!(["nope"]));
    assert_eq!(api.records(PROJECT).len(), 3);

    let ok = delete(&s, "/v1/projects/web/env", Some(json!({ "ids": [a, b] })));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, json!({ "deleted": 2, "ids": [a, b] }));
    let left: Vec<String> = api.records(PROJECT).into_iter().map(|r| r.id).collect();
    assert_eq!(left, [c]);
    assert_eq!(
        delete(&s, "/v1/projects/web/env", Some(json!({ "ids": [] }))).status,
        400
    );
}

#[test]
fn rate_limit_answers_429_with_retry_after() {
    let s = start();
    s.api().set_rate_limit(2, Duration::from_secs(60));
    assert_eq!(get(&s, "/v10/projects/web/env").status, 200);
    assert_eq!(get(&s, "/v8/projects/web/env").status, 200);
    let limited = get(&s, "/v10/projects/web/env");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "rate_limited");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let limit = &limited.body["error"]["limit"];
    assert_eq!(
        (limit["remaining"].clone(), limit["total"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!(
        limit["reset"].as_u64().unwrap(),
        limit["resetMs"].as_u64().unwrap() / 1000
    );

    // Another endpoint has its own budget; the window ends with the clock.
    assert_eq!(
        post(
            &s,
            "/v10/projects/web/env",
            plain("A", "1", &["production"])
        )
        .status,
        201
    );
    s.api().advance_clock(Duration::from_secs(61));
    assert_eq!(get(&s, "/v10/projects/web/env").status, 200);
}

#[test]
fn injected_faults_use_vercel_bodies() {
    let s = start();
    s.faults().throttle(1, 7);
    let limited = get(&s, "/v10/projects/web/env");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(limited.code(), "rate_limited");
    s.faults().fail(1);
    let failed = get(&s, "/v10/projects/web/env");
    assert_eq!(
        (failed.status, failed.code()),
        (500, "internal_server_error")
    );
    assert_eq!(get(&s, "/v10/projects/web/env").status, 200);
}

#[test]
fn clock_and_behind_the_back_edits() {
    let s = start();
    let api = s.api();
    let start_ms = api.now_ms();
    api.advance_clock(Duration::from_secs(3600));
    assert!(api.now_ms() >= start_ms + 3_600_000);
    let id = api.insert_record(
        PROJECT,
        "A",
        "1",
        EnvType::Encrypted,
        &["production"],
        None,
        "keep",
    );
    let other = api.insert_record(PROJECT, "B", "1", EnvType::Plain, &["production"], None, "");
    let first = api.record(PROJECT, &id).unwrap();
    assert!(first.created_at >= start_ms + 3_600_000);
    assert!(api.record(PROJECT, &other).unwrap().created_at > first.created_at);

    api.edit_behind_back(PROJECT, &id, "2");
    let edited = api.record(PROJECT, &id).unwrap();
    assert_eq!(
        (edited.value.as_str(), edited.comment.as_str()),
        ("2", "keep")
    );
    assert!(edited.updated_at > first.updated_at);
    assert_eq!(get(&s, &env_path(&id)).body["value"], "2");
    assert!(api.remove_record(PROJECT, &id).is_some());
    assert!(api.remove_record(PROJECT, &id).is_none());
}

#[test]
fn redeploy_the_latest_production_deployment() {
    let s = start();
    let api = s.api();
    api.add_deployment(PROJECT, "dpl_old", "production");
    api.add_deployment(PROJECT, "dpl_prod", "production");
    api.add_deployment(PROJECT, "dpl_preview", None);

    let latest = get(
        &s,
        "/v6/deployments?projectId=prj_web&target=production&limit=1",
    );
    assert_eq!(latest.status, 200);
    let deployments = latest.body["deployments"].as_array().unwrap();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0]["uid"], "dpl_prod");
    assert_eq!(deployments[0]["state"], "READY");
    assert_eq!(deployments[0]["target"], "production");
    assert!(latest.body["pagination"]["next"].is_u64());

    let reply = post(
        &s,
        "/v13/deployments",
        json!({ "name": "web", "deploymentId": "dpl_prod", "target": "production" }),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["readyState"], "QUEUED");
    assert_eq!(reply.body["target"], "production");
    let new_id = reply.body["id"].as_str().unwrap().to_string();
    let stored = api.deployments(PROJECT);
    let newest = stored.last().unwrap();
    assert_eq!(
        (newest.uid.as_str(), newest.redeploy_of.as_deref()),
        (new_id.as_str(), Some("dpl_prod"))
    );
    assert_eq!(
        get(
            &s,
            "/v6/deployments?projectId=web&target=production&limit=1"
        )
        .body["deployments"][0]["uid"],
        new_id.as_str()
    );

    let unknown = post(
        &s,
        "/v13/deployments",
        json!({ "name": "web", "deploymentId": "dpl_nope" }),
    );
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));
    let no_id = post(&s, "/v13/deployments", json!({ "name": "web" }));
    assert_eq!(no_id.status, 400);
}

#[test]
fn an_echoing_rejection_quotes_the_write_and_lets_reads_through() {
    let s = start();
    s.faults().echo_writes(1);
    assert_eq!(get(&s, "/v10/projects/web/env").status, 200);
    let body = plain("STRIPE_SECRET_KEY", "sk_CANARY_echo", &["production"]);
    let refused = post(&s, "/v10/projects/web/env", body.clone());
    assert_eq!((refused.status, refused.code()), (400, "bad_request"));
    assert_eq!(
        refused.body["error"]["message"],
        format!("invalid request: {body}")
    );
    // Nothing was written, and the fault is spent.
    assert!(
        get(&s, "/v10/projects/web/env").body["envs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(post(&s, "/v10/projects/web/env", body).status, 201);
}

#[test]
fn custom_environments_hold_their_own_records() {
    let s = start();
    let qa = s.api().add_custom_environment(PROJECT, "qa", "preview");
    let list = get(&s, "/v9/projects/web/custom-environments");
    assert_eq!(list.status, 200);
    assert_eq!(list.body["environments"][0]["slug"], "qa");
    assert_eq!(list.body["environments"][0]["id"], json!(qa));
    assert!(list.body["accountLimit"]["total"].is_number());
    assert_eq!(
        get(&s, "/v9/projects/web/custom-environments/qa").body["id"],
        json!(qa)
    );
    assert_eq!(
        get(&s, "/v9/projects/web/custom-environments/nope").status,
        404
    );

    let custom = json!({ "key": "A", "value": "qa", "type": "encrypted", "target": [], "customEnvironmentIds": [qa] });
    created_id(&post(&s, "/v10/projects/web/env", custom));
    created_id(&post(
        &s,
        "/v10/projects/web/env",
        plain("A", "prod", &["production"]),
    ));
    // Listed by id, or by slug as `vercel env ls qa` asks.
    for query in [
        format!("customEnvironmentId={qa}"),
        "customEnvironmentId=qa".into(),
    ] {
        let envs = get(&s, &format!("/v10/projects/web/env?{query}")).body["envs"].clone();
        assert_eq!(envs.as_array().unwrap().len(), 1, "{query}: {envs}");
        assert_eq!(envs[0]["customEnvironmentIds"], json!([qa]));
    }
    let unknown =
        json!({ "key": "B", "value": "x", "type": "plain", "customEnvironmentIds": ["env_nope"] });
    let refused = post(&s, "/v10/projects/web/env", unknown);
    assert_eq!((refused.status, refused.code()), (400, "bad_request"));
    let long = json!({ "key": "C", "value": "x", "type": "plain", "target": ["preview"], "comment": "c".repeat(501) });
    assert_eq!(post(&s, "/v10/projects/web/env", long).status, 400);
}

#[test]
fn deployments_know_their_branch_and_custom_environment() {
    let s = start();
    let api = s.api();
    let qa = api.add_custom_environment(PROJECT, "qa", "preview");
    api.add_branch_deployment(PROJECT, "dpl_staging", "staging");
    api.add_branch_deployment(PROJECT, "dpl_feature", "feature");
    api.add_custom_deployment(PROJECT, "dpl_qa", "qa");
    let of = |query: &str| {
        let body = get(&s, &format!("/v6/deployments?projectId=web&{query}")).body;
        body["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["uid"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("target=preview&branch=staging"), ["dpl_staging"]);
    assert_eq!(of("target=preview"), ["dpl_feature", "dpl_staging"]);
    assert_eq!(of("limit=1"), ["dpl_qa"]);
    let listed = get(&s, "/v6/deployments?projectId=web").body;
    assert_eq!(
        listed["deployments"][0]["customEnvironment"]["id"],
        json!(qa)
    );
    assert_eq!(
        listed["deployments"][1]["meta"]["githubCommitRef"],
        "feature"
    );

    let body =
        json!({ "name": "web", "deploymentId": "dpl_qa", "customEnvironmentSlugOrId": "qa" });
    let redeployed = post(&s, "/v13/deployments", body);
    assert_eq!(redeployed.status, 200, "{}", redeployed.body);
    assert_eq!(redeployed.body["customEnvironment"]["slug"], "qa");
    let body = json!({ "name": "web", "deploymentId": "dpl_staging" });
    post(&s, "/v13/deployments", body);
    let all = api.deployments(PROJECT);
    assert_eq!(all[3].custom_environment.as_deref(), Some(qa.as_str()));
    assert_eq!(all[4].branch.as_deref(), Some("staging"));
    assert_eq!(all[4].redeploy_of.as_deref(), Some("dpl_staging"));
    let bad =
        json!({ "name": "web", "deploymentId": "dpl_qa", "customEnvironmentSlugOrId": "nope" });
    assert_eq!(post(&s, "/v13/deployments", bad).status, 400);
}
