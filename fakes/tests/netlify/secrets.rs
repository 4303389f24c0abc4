//! Secrets (`is_secret`): written, never read back but in the `dev`
//! context, and held to the Secrets Controller's policy.

use envctl_fakes::netlify::SecretReads;
use serde_json::json;

use super::*;

const CANARY: &str = "CANARY-netlify-secret-0001";

/// Creates `API_TOKEN`, a secret with a production value (the canary) and
/// a readable dev value.
fn create_secret(server: &Server<FakeNetlify>) -> Value {
    let body = json!([{
        "key": "API_TOKEN",
        "is_secret": true,
        "values": [
            {"context": "production", "value": CANARY},
            {"context": "dev", "value": "local-dev-token"},
        ],
    }]);
    let reply = send(
        server,
        "POST",
        &env_path(&format!("?site_id={SITE}")),
        &body,
    );
    assert!(
        !reply.text().contains(CANARY),
        "the create answer shows no secret"
    );
    expect(server, &reply, 201)[0].clone()
}

#[test]
fn secret_values_are_never_read_back_but_in_dev() {
    let server = start();
    let var = create_secret(&server);
    assert_eq!(var["is_secret"], true);
    assert_eq!(
        var["scopes"],
        json!(["builds", "functions", "runtime"]),
        "no post-processing"
    );
    assert_eq!(
        contexts(&var),
        [
            ("dev".into(), Some("local-dev-token".into())),
            ("production".into(), None)
        ],
        "ids and contexts stay; the production value is left out"
    );
    assert!(
        var["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"].is_string())
    );
    let state = &server.api().env(SITE)["API_TOKEN"];
    assert_eq!(
        state.values[0].value, CANARY,
        "the fake keeps the plaintext for tests"
    );

    let reads = [
        get(&server, &var_path("API_TOKEN")),
        get(&server, &env_path(&format!("?site_id={SITE}"))),
        get(&server, &format!("/api/v1/api/v1/sites/{SITE}/env")),
    ];
    for reply in &reads {
        assert!(!reply.text().contains(CANARY), "{}", reply.text());
        assert_eq!(reply.status, 200);
    }
    let patch = json!({"context": "deploy-preview", "value": "CANARY-preview"});
    let reply = send(&server, "PATCH", &var_path("API_TOKEN"), &patch);
    assert!(!reply.text().contains("CANARY"));
    let var = expect(&server, &reply, 201);
    assert_eq!(contexts(&var).len(), 3);

    server.api().set_secret_reads(SecretReads::Empty);
    let var = expect(&server, &get(&server, &var_path("API_TOKEN")), 200);
    assert_eq!(
        contexts(&var),
        [
            ("deploy-preview".into(), Some(String::new())),
            ("dev".into(), Some("local-dev-token".into())),
            ("production".into(), Some(String::new())),
        ]
    );
}

#[test]
fn the_secrets_policy_is_enforced() {
    let server = start();
    create_secret(&server);
    let before = server.api().env(SITE);
    let create = env_path(&format!("?site_id={SITE}"));
    let refused = [
        // A secret for every context at once.
        json!([{"key": "S1", "is_secret": true, "values": [{"context": "all", "value": "x"}]}]),
        // A secret in the post-processing scope, either spelling.
        json!([{"key": "S2", "is_secret": true, "scopes": ["post-processing"],
                "values": [{"context": "production", "value": "x"}]}]),
        json!([{"key": "S3", "is_secret": true, "scopes": ["builds", "post_processing"],
                "values": [{"context": "production", "value": "x"}]}]),
    ];
    for body in &refused {
        expect(
            &server,
            &call(&server, "POST", &create, Some(TOKEN), Some(body)),
            422,
        );
    }
    let target = var_path("API_TOKEN");
    let all = json!({"context": "all", "value": "x"});
    expect(&server, &send(&server, "PATCH", &target, &all), 422);
    let unflag = json!({"is_secret": false, "values": [{"context": "production", "value": "x"}]});
    expect(&server, &send(&server, "PUT", &target, &unflag), 422);
    assert_eq!(server.api().env(SITE), before, "nothing changed");

    // What netlify-cli sends to make an `all` variable secret: every
    // context but `all`, the dev value emptied.
    let allowed = json!([{"key": "S4", "is_secret": true, "values": [
        {"context": "all", "value": ""},
        {"context": "production", "value": "x"},
        {"context": "dev", "value": ""},
    ]}]);
    expect(&server, &send(&server, "POST", &create, &allowed), 201);
    // A PUT that leaves `is_secret` out keeps the flag.
    let keep = json!({"values": [{"context": "production", "value": "y"}]});
    let var = expect(&server, &send(&server, "PUT", &var_path("S4"), &keep), 200);
    assert_eq!(var["is_secret"], true);
    assert_eq!(var["scopes"], json!(["builds", "functions", "runtime"]));
}
