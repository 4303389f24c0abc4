//! Environment variables: create, read, replace, set one value, delete;
//! value ids, `updated_at`, filters, the team-wide level, and bodies that
//! break the spec or Netlify's rules.

use std::time::Duration;

use serde_json::json;

use super::*;

fn is_uuid(id: &str) -> bool {
    let parts: Vec<usize> = id.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12] && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[test]
fn create_read_and_list_in_the_specs_shapes() {
    let server = start();
    let body = json!([{
        "key": "API_URL",
        "values": [
            {"context": "production", "value": "https://api.huddle.app"},
            {"context": "branch", "context_parameter": "staging", "value": "https://staging.huddle.app"},
        ],
    }]);
    let reply = send(
        &server,
        "POST",
        &env_path(&format!("?site_id={SITE}")),
        &body,
    );
    let created = expect(&server, &reply, 201);
    let var = &created[0];
    assert_eq!(var["key"], "API_URL");
    assert_eq!(var["is_secret"], false);
    assert_eq!(
        var["scopes"],
        json!(["builds", "functions", "runtime", "post-processing"]),
        "omitted scopes are all four"
    );
    assert!(
        var["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| is_uuid(v["id"].as_str().unwrap()))
    );
    assert!(var["updated_by"]["id"].is_string());
    assert_eq!(
        contexts(var),
        [
            (
                "branch:staging".into(),
                Some("https://staging.huddle.app".into())
            ),
            ("production".into(), Some("https://api.huddle.app".into())),
        ]
    );
    let state = server.api().env(SITE);
    assert_eq!(state["API_URL"].values.len(), 2);
    assert_eq!(
        state["API_URL"].values[1].context_parameter.as_deref(),
        Some("staging")
    );

    let one = expect(&server, &get(&server, &var_path("API_URL")), 200);
    assert_eq!(&one, var);
    let list = expect(
        &server,
        &get(&server, &env_path(&format!("?site_id={SITE}"))),
        200,
    );
    assert_eq!(list, json!([var]));
    // The spec's own path for a site's variables, under the base path.
    let site_list = expect(
        &server,
        &get(&server, &format!("/api/v1/api/v1/sites/{SITE}/env")),
        200,
    );
    assert_eq!(site_list, list);
    assert_eq!(
        get(&server, &format!("/api/v1/sites/{SITE}/env")).status,
        404
    );

    let again = send(
        &server,
        "POST",
        &env_path(&format!("?site_id={SITE}")),
        &body,
    );
    expect(&server, &again, 422);
    assert_eq!(
        server.api().env(SITE)["API_URL"],
        state["API_URL"],
        "nothing changed"
    );
    expect(&server, &get(&server, &var_path("NOPE")), 404);
}

#[test]
fn patch_sets_one_context_and_leaves_the_others() {
    let server = start();
    server.api().put_by_hand(
        SITE,
        plain("API_URL", &[("production", "p1"), ("deploy-preview", "d1")]),
    );
    let before = server.api().env(SITE)["API_URL"].clone();
    server.api().advance_clock(Duration::from_secs(2));
    let body = json!({"context": "production", "value": "p2"});
    let var = expect(
        &server,
        &send(&server, "PATCH", &var_path("API_URL"), &body),
        201,
    );
    assert_eq!(
        contexts(&var),
        [
            ("deploy-preview".into(), Some("d1".into())),
            ("production".into(), Some("p2".into()))
        ]
    );
    let after = server.api().env(SITE)["API_URL"].clone();
    assert_eq!(
        after.values[0].id, before.values[0].id,
        "the replaced value keeps its id"
    );
    assert_eq!(
        after.values[1], before.values[1],
        "the other value is untouched"
    );
    assert!(after.updated_at_ms >= before.updated_at_ms + 2000);

    let branch = json!({"context": "branch", "context_parameter": "staging", "value": "s1"});
    let var = expect(
        &server,
        &send(&server, "PATCH", &var_path("API_URL"), &branch),
        201,
    );
    assert_eq!(contexts(&var).len(), 3);
    let latest = server.api().env(SITE)["API_URL"].clone();
    assert!(
        latest.updated_at_ms > after.updated_at_ms,
        "every write moves updated_at"
    );
    assert!(
        !before.values.iter().any(|v| v.id == latest.values[2].id),
        "a new value, a new id"
    );
    expect(
        &server,
        &send(&server, "PATCH", &var_path("NOPE"), &body),
        404,
    );
}

#[test]
fn put_replaces_the_variable_and_every_value() {
    let server = start();
    server.api().put_by_hand(
        SITE,
        plain("API_URL", &[("production", "p1"), ("dev", "d1")]),
    );
    let old_ids: Vec<String> = server.api().env(SITE)["API_URL"]
        .values
        .iter()
        .map(|v| v.id.clone())
        .collect();
    let body = json!({
        "key": "API_URL",
        "scopes": ["builds", "post_processing"],
        "values": [{"context": "all", "value": "a1"}],
    });
    let target = var_path("API_URL");
    // netlify-cli's spelling of the scope, which the spec does not list.
    assert!(NETLIFY.validate_request("updateEnvVar", &body).is_err());
    let reply = call(&server, "PUT", &target, Some(TOKEN), Some(&body));
    let var = expect(&server, &reply, 200);
    assert_eq!(
        var["scopes"],
        json!(["builds", "post-processing"]),
        "answered in the spec's spelling"
    );
    assert_eq!(contexts(&var), [("all".into(), Some("a1".into()))]);
    let state = &server.api().env(SITE)["API_URL"];
    assert_eq!(state.values.len(), 1);
    assert!(!old_ids.contains(&state.values[0].id));

    // A key in the body renames the variable.
    let rename = json!({"key": "BASE_URL", "values": [{"context": "dev", "value": "d2"}]});
    let var = expect(&server, &send(&server, "PUT", &target, &rename), 200);
    assert_eq!(var["key"], "BASE_URL");
    let env = server.api().env(SITE);
    assert!(env.contains_key("BASE_URL") && !env.contains_key("API_URL"));
    expect(&server, &send(&server, "PUT", &target, &rename), 404);
}

#[test]
fn deletes_a_value_then_the_variable() {
    let server = start();
    server.api().put_by_hand(
        SITE,
        plain("API_URL", &[("production", "p1"), ("dev", "d1")]),
    );
    let var = server.api().env(SITE)["API_URL"].clone();
    let dev = &var.values[1].id;
    let target = env_path(&format!("/API_URL/value/{dev}?site_id={SITE}"));
    expect(
        &server,
        &call(&server, "DELETE", &target, Some(TOKEN), None),
        204,
    );
    let after = &server.api().env(SITE)["API_URL"];
    assert_eq!(after.values, var.values[..1]);
    assert!(after.updated_at_ms > var.updated_at_ms);
    expect(
        &server,
        &call(&server, "DELETE", &target, Some(TOKEN), None),
        404,
    );

    expect(
        &server,
        &call(&server, "DELETE", &var_path("API_URL"), Some(TOKEN), None),
        204,
    );
    assert!(server.api().env(SITE).is_empty());
    expect(
        &server,
        &call(&server, "DELETE", &var_path("API_URL"), Some(TOKEN), None),
        404,
    );
    expect(&server, &get(&server, &var_path("API_URL")), 404);
}

#[test]
fn filters_by_context_and_scope() {
    let server = start();
    server
        .api()
        .put_by_hand(SITE, plain("EVERYWHERE", &[("all", "a")]));
    server
        .api()
        .put_by_hand(SITE, plain("PROD_ONLY", &[("production", "p")]));
    let mut builds = plain("BUILDS_ONLY", &[("dev", "d")]);
    builds.scopes = vec!["builds".into()];
    server.api().put_by_hand(SITE, builds);
    let keys = |target: &str| -> Vec<String> {
        let list = expect(&server, &get(&server, target), 200);
        list.as_array()
            .unwrap()
            .iter()
            .map(|v| v["key"].as_str().unwrap().to_string())
            .collect()
    };
    let site = format!("?site_id={SITE}");
    assert_eq!(
        keys(&env_path(&format!("{site}&context_name=production"))),
        ["EVERYWHERE", "PROD_ONLY"]
    );
    assert_eq!(
        keys(&env_path(&format!("{site}&context_name=dev"))),
        ["BUILDS_ONLY", "EVERYWHERE"]
    );
    assert_eq!(
        keys(&env_path(&format!("{site}&scope=runtime"))),
        ["EVERYWHERE", "PROD_ONLY"]
    );
    assert_eq!(
        keys(&env_path(&format!("{site}&scope=post_processing"))),
        ["EVERYWHERE", "PROD_ONLY"]
    );
    expect(
        &server,
        &get(&server, &env_path(&format!("{site}&context_name=staging"))),
        422,
    );
    expect(
        &server,
        &get(&server, &env_path(&format!("{site}&scope=deploys"))),
        422,
    );
}

#[test]
fn team_variables_live_apart_from_the_sites() {
    let server = start();
    let body = json!([{"key": "TEAM_FLAG", "values": [{"context": "all", "value": "on"}]}]);
    // The account by id works as well as by slug.
    let target = format!("/api/v1/accounts/{ACCOUNT_ID}/env");
    expect(&server, &send(&server, "POST", &target, &body), 201);
    assert_eq!(
        server.api().account_env(ACCOUNT)["TEAM_FLAG"].values[0].value,
        "on"
    );
    assert!(server.api().env(SITE).is_empty());
    let team = expect(&server, &get(&server, &env_path("")), 200);
    assert_eq!(team[0]["key"], "TEAM_FLAG");
    let site = expect(
        &server,
        &get(&server, &env_path(&format!("?site_id={SITE}"))),
        200,
    );
    assert_eq!(site, json!([]));
    // A site of another account is not this account's.
    expect(
        &server,
        &get(&server, &env_path(&format!("?site_id={OTHER_SITE}"))),
        404,
    );
    // A site named by its domain.
    let by_domain = env_path(&format!("?site_id={SITE_NAME}.netlify.app"));
    expect(&server, &get(&server, &by_domain), 200);
}

#[test]
fn bodies_that_break_the_spec_or_the_rules_are_422_and_change_nothing() {
    let server = start();
    server
        .api()
        .put_by_hand(SITE, plain("API_URL", &[("production", "p1")]));
    let before = server.api().env(SITE);
    let create = env_path(&format!("?site_id={SITE}"));
    let var = |v: serde_json::Value| json!([v]);
    let bad_creates = [
        var(json!({"key": "A", "values": [{"context": "staging", "value": "x"}]})),
        var(json!({"key": "A", "scopes": ["deploys"], "values": []})),
        var(json!({"values": [{"context": "all", "value": "x"}]})),
        var(json!({"key": "A"})),
        var(json!({"key": "1A", "values": []})),
        var(json!({"key": "A-B", "values": []})),
        var(json!({"key": "A", "values": [{"context": "branch", "value": "x"}]})),
        var(
            json!({"key": "A", "values": [{"context": "dev", "context_parameter": "x", "value": "x"}]}),
        ),
        var(
            json!({"key": "A", "values": [{"context": "dev", "value": "x"}, {"context": "dev", "value": "y"}]}),
        ),
        var(json!({"key": "A", "values": [{"context": "dev", "value": 7}]})),
        var(json!({"key": "A", "is_secret": "yes", "values": []})),
        json!({"key": "A", "values": []}),
    ];
    for body in &bad_creates {
        let reply = call(&server, "POST", &create, Some(TOKEN), Some(body));
        expect(&server, &reply, 422);
    }
    let reply = common::send(
        &server.url(),
        "POST",
        &create,
        &[("Authorization", &format!("Bearer {TOKEN}"))],
        b"{not json",
    );
    expect(&server, &reply, 422);
    let patch = var_path("API_URL");
    for body in [
        json!({"value": "x"}),
        json!({"context": "staging", "value": "x"}),
        json!({"context": "dev"}),
    ] {
        expect(
            &server,
            &call(&server, "PATCH", &patch, Some(TOKEN), Some(&body)),
            422,
        );
    }
    let puts = [
        json!({"values": [{"context": "all", "value": "x"}], "scopes": "builds"}),
        json!({"key": "API_URL", "scopes": ["builds"]}),
    ];
    for put in &puts {
        expect(
            &server,
            &call(&server, "PUT", &patch, Some(TOKEN), Some(put)),
            422,
        );
    }
    assert_eq!(server.api().env(SITE), before);
}

#[test]
fn builds_are_triggered_and_recorded() {
    let server = start();
    let target = format!("/api/v1/sites/{SITE}/builds");
    let build = expect(
        &server,
        &call(&server, "POST", &target, Some(TOKEN), None),
        200,
    );
    let second = expect(
        &server,
        &call(
            &server,
            "POST",
            &format!("{target}?clear_cache=true"),
            Some(TOKEN),
            None,
        ),
        200,
    );
    assert_eq!(build["done"], false);
    assert_eq!(
        server.api().builds(SITE),
        [
            build["id"].as_str().unwrap(),
            second["id"].as_str().unwrap()
        ]
    );
    expect(
        &server,
        &call(&server, "POST", &target, Some(REVIEWER), None),
        403,
    );
    expect(
        &server,
        &call(&server, "POST", &target, Some(STRANGER), None),
        404,
    );
    assert_eq!(server.api().builds(SITE).len(), 2);
}
