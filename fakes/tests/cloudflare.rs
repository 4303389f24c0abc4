//! The fake Cloudflare API over real HTTP, through the shared raw client.

mod common;

use envctl_fakes::Server;
use envctl_fakes::cloudflare::{FakeCloudflare, Permission, VarType};
use serde_json::{Value, json};

const TOKEN: &str = "cf_tok_pages_and_d1";
const READ_ONLY: &str = "cf_tok_read_only";
const NO_PAGES: &str = "cf_tok_dns_only";
const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
const OTHER_ACCOUNT: &str = "fedcba9876543210fedcba9876543210";
const PROJECT: &str = "klubz-production";
const DB: &str = "9f1c2a7e-3b4d-4e5f-8a6b-7c8d9e0f1a2b";

fn start() -> Server<FakeCloudflare> {
    let fake = FakeCloudflare::new();
    fake.add_account(ACCOUNT);
    fake.add_account(OTHER_ACCOUNT);
    fake.grant(TOKEN, ACCOUNT, &[Permission::PagesEdit, Permission::D1Edit]);
    fake.grant(READ_ONLY, ACCOUNT, &[Permission::PagesRead]);
    fake.grant(NO_PAGES, ACCOUNT, &[]);
    fake.add_project(ACCOUNT, PROJECT);
    fake.add_database(ACCOUNT, DB);
    Server::start(fake)
}

struct Reply {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

impl Reply {
    fn code(&self) -> i64 {
        self.body["errors"][0]["code"].as_i64().unwrap_or_default()
    }
}

fn send(
    server: &Server<FakeCloudflare>,
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
        retry_after: raw.header("retry-after").map(str::to_string),
        body: raw.json(),
    }
}

fn project_path(account: &str, project: &str) -> String {
    format!("/client/v4/accounts/{account}/pages/projects/{project}")
}

fn query_path(db: &str) -> String {
    format!("/client/v4/accounts/{ACCOUNT}/d1/database/{db}/query")
}

fn patch_vars(server: &Server<FakeCloudflare>, token: &str, env: &str, vars: Value) -> Reply {
    send(
        server,
        "PATCH",
        &project_path(ACCOUNT, PROJECT),
        Some(token),
        Some(&json!({ "deployment_configs": { env: { "env_vars": vars } } })),
    )
}

#[test]
fn a_project_reads_in_the_envelope_with_both_environments() {
    let server = start();
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["errors"], json!([]));
    assert_eq!(r.body["messages"], json!([]));
    let result = &r.body["result"];
    assert_eq!(result["name"], PROJECT);
    assert_eq!(result["subdomain"], "klubz-production.pages.dev");
    for env in ["production", "preview"] {
        assert!(result["deployment_configs"][env].is_object(), "{result}");
        assert_eq!(result["deployment_configs"][env]["env_vars"], Value::Null);
    }
    let list = send(
        &server,
        "GET",
        &format!("/client/v4/accounts/{ACCOUNT}/pages/projects"),
        Some(READ_ONLY),
        None,
    );
    assert_eq!(list.body["result"][0]["name"], PROJECT);
    assert_eq!(list.body["result_info"]["total_count"], 1);
}

#[test]
fn patch_merges_sets_deletes_with_null_and_never_returns_a_secret() {
    let server = start();
    let r = patch_vars(
        &server,
        TOKEN,
        "production",
        json!({
            "A": { "type": "plain_text", "value": "1" },
            "B": { "type": "plain_text", "value": "2" },
            "S": { "type": "secret_text", "value": "CANARY-secret" },
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body.to_string().contains("CANARY"), "{}", r.body);
    let r = patch_vars(
        &server,
        TOKEN,
        "production",
        json!({ "B": null, "C": { "value": "3" } }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let vars = &r.body["result"]["deployment_configs"]["production"]["env_vars"];
    assert_eq!(vars["A"], json!({ "type": "plain_text", "value": "1" }));
    assert!(vars.get("B").is_none(), "{vars}");
    assert_eq!(
        vars["C"]["type"], "plain_text",
        "type defaults to plain_text"
    );
    assert_eq!(vars["S"], json!({ "type": "secret_text", "value": "" }));
    let get = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert!(!get.body.to_string().contains("CANARY"));
    // Preview untouched; the plaintext is in the fake's state.
    assert_eq!(
        get.body["result"]["deployment_configs"]["preview"]["env_vars"],
        Value::Null
    );
    let stored = server.api().env_vars(ACCOUNT, PROJECT, "production");
    assert_eq!(stored["S"].value, "CANARY-secret");
    assert_eq!(stored["S"].kind, VarType::SecretText);
    assert_eq!(stored.len(), 3);
}

#[test]
fn a_bad_patch_changes_nothing() {
    let server = start();
    server.api().set_by_hand(
        ACCOUNT,
        PROJECT,
        "production",
        "KEEP",
        VarType::PlainText,
        "x",
    );
    for vars in [
        json!({ "NEW": { "type": "plain_text", "value": "1" }, "BAD": { "type": "sensitive", "value": "2" } }),
        json!({ "NEW": { "type": "plain_text", "value": "1" }, "BAD": { "type": "plain_text" } }),
        json!({ "NEW": { "type": "plain_text", "value": "1" }, "BAD": "text" }),
    ] {
        let r = patch_vars(&server, TOKEN, "production", vars);
        assert_eq!(r.status, 400, "{}", r.body);
        assert_eq!(r.body["success"], false);
    }
    let r = patch_vars(
        &server,
        TOKEN,
        "staging",
        json!({ "NEW": { "value": "1" } }),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let stored = server.api().env_vars(ACCOUNT, PROJECT, "production");
    assert_eq!(stored.keys().collect::<Vec<_>>(), ["KEEP"]);
}

#[test]
fn the_wrangler_config_hash_is_shown_and_kept() {
    let server = start();
    server
        .api()
        .set_wrangler_config_hash(ACCOUNT, PROJECT, "production", "abc123");
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!(
        r.body["result"]["deployment_configs"]["production"]["wrangler_config_hash"],
        "abc123"
    );
    assert!(
        r.body["result"]["deployment_configs"]["preview"]
            .get("wrangler_config_hash")
            .is_none()
    );
}

#[test]
fn auth_failures_carry_cloudflares_codes() {
    let server = start();
    let path = project_path(ACCOUNT, PROJECT);
    let r = send(&server, "GET", &path, None, None);
    assert_eq!((r.status, r.code()), (400, 6003), "{}", r.body);
    assert_eq!(r.body["errors"][0]["error_chain"][0]["code"], 6111);
    for (token, account) in [
        ("cf_tok_unknown", ACCOUNT),
        (NO_PAGES, ACCOUNT),
        (TOKEN, OTHER_ACCOUNT),
        (TOKEN, "00000000000000000000000000000000"),
    ] {
        let r = send(
            &server,
            "GET",
            &project_path(account, PROJECT),
            Some(token),
            None,
        );
        assert_eq!(
            (r.status, r.code()),
            (403, 10000),
            "{token} {account}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["message"], "Authentication error");
        assert_eq!(r.body["success"], false);
        assert_eq!(r.body["result"], Value::Null);
    }
    // Read-only may read, not write.
    let r = send(&server, "GET", &path, Some(READ_ONLY), None);
    assert_eq!(r.status, 200);
    let r = patch_vars(
        &server,
        READ_ONLY,
        "production",
        json!({ "A": { "value": "1" } }),
    );
    assert_eq!((r.status, r.code()), (403, 10000));
    assert!(
        server
            .api()
            .env_vars(ACCOUNT, PROJECT, "production")
            .is_empty()
    );
    // Pages permission is not D1 permission.
    let r = send(
        &server,
        "POST",
        &query_path(DB),
        Some(READ_ONLY),
        Some(&json!({ "sql": "SELECT name FROM d1_migrations ORDER BY id" })),
    );
    assert_eq!((r.status, r.code()), (403, 10000));
    let r = send(
        &server,
        "GET",
        "/client/v4/user/tokens/verify",
        Some(TOKEN),
        None,
    );
    assert_eq!(r.body["result"]["status"], "active");
    assert!(!r.body.to_string().contains(TOKEN));
}

#[test]
fn unknown_projects_routes_and_methods() {
    let server = start();
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, "klubz-nope"),
        Some(TOKEN),
        None,
    );
    assert_eq!((r.status, r.code()), (404, 8_000_007), "{}", r.body);
    let r = send(&server, "GET", "/client/v4/accounts", Some(TOKEN), None);
    assert_eq!((r.status, r.code()), (404, 7000));
    let r = send(
        &server,
        "GET",
        "/accounts/x/pages/projects/y",
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 404, "no /client/v4 prefix, no route");
    let r = send(
        &server,
        "DELETE",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 405);
}

#[test]
fn d1_answers_wranglers_history_queries() {
    let server = start();
    let select = json!({ "sql": "SELECT name FROM d1_migrations ORDER BY id", "params": [] });
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&select));
    assert_eq!((r.status, r.code()), (400, 7500), "{}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no such table: d1_migrations")
    );
    let create = json!({ "sql": "CREATE TABLE IF NOT EXISTS d1_migrations(\n id INTEGER PRIMARY KEY AUTOINCREMENT,\n name TEXT UNIQUE,\n applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);" });
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&create));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&select));
    assert_eq!(r.body["result"][0]["results"], json!([]));
    server.api().record_migrations(
        ACCOUNT,
        DB,
        "d1_migrations",
        &["0002_trips.sql", "0001_init.sql"],
    );
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&select));
    assert_eq!(r.body["success"], true);
    let statement = &r.body["result"][0];
    assert_eq!(statement["success"], true);
    assert_eq!(
        statement["results"],
        json!([{ "name": "0002_trips.sql" }, { "name": "0001_init.sql" }]),
        "in id order, not name order"
    );
    assert_eq!(statement["meta"]["rows_read"], 2);
    let star = json!({ "sql": "select * from d1_migrations order by id" });
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&star));
    let first = &r.body["result"][0]["results"][0];
    assert_eq!(first["id"], 1);
    assert!(first["applied_at"].is_string());
    // Not SQLite: any other statement runs and changes nothing but the log.
    let drop = json!({ "sql": "DROP TABLE d1_migrations" });
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&drop));
    assert_eq!(r.status, 200, "{}", r.body);
    // A request is one batch: a failing statement records nothing of it.
    let batch = json!({ "sql": "CREATE TABLE t (x TEXT);\nINSERT INTO d1_migrations (name) values ('0003_x.sql');\nINSERT INTO d1_migrations (name) values ('0001_init.sql');" });
    let r = send(&server, "POST", &query_path(DB), Some(TOKEN), Some(&batch));
    assert_eq!((r.status, r.code()), (400, 7500), "{}", r.body);
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("UNIQUE constraint failed: d1_migrations.name")
    );
    assert_eq!(
        server
            .api()
            .d1_statements(ACCOUNT, DB)
            .last()
            .map(String::as_str),
        Some("DROP TABLE d1_migrations"),
        "nothing of the failed batch ran"
    );
    assert_eq!(
        server.api().d1_queries(ACCOUNT, DB).len(),
        7,
        "every request is logged, failed ones too"
    );
    assert_eq!(
        server
            .api()
            .migrations(ACCOUNT, DB, "d1_migrations")
            .unwrap()
            .len(),
        2
    );
    let r = send(
        &server,
        "POST",
        &query_path("00000000-0000-4000-8000-000000000000"),
        Some(TOKEN),
        Some(&select),
    );
    assert_eq!((r.status, r.code()), (404, 7404));
}

#[test]
fn injected_rate_limits_send_retry_after_in_the_envelope() {
    let server = start();
    server.faults().throttle(1, 3);
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 429);
    assert_eq!(r.retry_after.as_deref(), Some("3"));
    assert_eq!(r.body["success"], false);
    assert!(r.code() > 0);
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!(r.status, 200);
    server.faults().fail(1);
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    assert_eq!((r.status, r.body["success"].clone()), (500, json!(false)));
    assert_eq!(server.count("GET", "/pages/projects/"), 3);
}

#[test]
fn dashboard_edits_show_up_in_reads() {
    let server = start();
    let fake = server.api();
    fake.set_by_hand(ACCOUNT, PROJECT, "preview", "P", VarType::PlainText, "v");
    fake.set_by_hand(
        ACCOUNT,
        PROJECT,
        "preview",
        "Q",
        VarType::SecretText,
        "CANARY",
    );
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    let vars = &r.body["result"]["deployment_configs"]["preview"]["env_vars"];
    assert_eq!(vars["P"]["value"], "v");
    assert_eq!(vars["Q"]["value"], "");
    assert!(
        fake.remove_by_hand(ACCOUNT, PROJECT, "preview", "P")
            .is_some()
    );
    let r = send(
        &server,
        "GET",
        &project_path(ACCOUNT, PROJECT),
        Some(TOKEN),
        None,
    );
    let vars = &r.body["result"]["deployment_configs"]["preview"]["env_vars"];
    assert!(vars.get("P").is_none());
}

#[test]
fn an_echoing_rejection_quotes_the_write_in_the_envelope() {
    let server = start();
    server.faults().echo_writes(1);
    let vars = json!({ "API_KEY": { "type": "secret_text", "value": "CANARY-echo" } });
    let r = patch_vars(&server, TOKEN, "production", vars.clone());
    assert_eq!((r.status, r.code()), (400, 8000000));
    assert_eq!(r.body["success"], false);
    let message = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("invalid request: {\"deployment_configs\""));
    assert!(message.contains("CANARY-echo"), "{message}");
    assert_eq!(patch_vars(&server, TOKEN, "production", vars).status, 200);
}
