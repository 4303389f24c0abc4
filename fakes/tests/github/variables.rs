//! Variables: plaintext, created with `POST`, changed with `PATCH`.

use std::time::Duration;

use envctl_fakes::openapi::GITHUB;
use serde_json::json;

use super::*;

#[test]
fn a_variable_is_created_read_updated_and_deleted() {
    let server = start();
    let body = json!({ "name": "region", "value": "eu-west-1" });
    GITHUB
        .validate_request("actions/create-repo-variable", &body)
        .expect("the spec's request shape");
    let reply = call(
        &server,
        "POST",
        &repo("/actions/variables"),
        Some(TOKEN),
        Some(&body),
    );
    assert_eq!(expect(&server, &reply, 201), json!({}));
    let path = repo("/actions/variables/REGION");
    let one = expect(&server, &get(&server, &path), 200);
    assert_eq!(one["name"], "REGION", "names are kept upper-case");
    assert_eq!(one["value"], "eu-west-1");
    assert_eq!(one["created_at"], one["updated_at"]);
    server.api().advance_clock(Duration::from_secs(61));
    let patch = json!({ "value": "us-east-1" });
    GITHUB
        .validate_request("actions/update-repo-variable", &patch)
        .expect("the spec's request shape");
    let reply = call(
        &server,
        "PATCH",
        &repo("/actions/variables/region"),
        Some(TOKEN),
        Some(&patch),
    );
    assert_eq!(expect(&server, &reply, 204), Value::Null);
    let after = expect(&server, &get(&server, &path), 200);
    assert_eq!(after["value"], "us-east-1");
    assert_eq!(after["created_at"], one["created_at"]);
    assert!(after["updated_at"].as_str() > one["updated_at"].as_str());
    let list = expect(&server, &get(&server, &repo("/actions/variables")), 200);
    assert_eq!(list["total_count"], 1);
    assert_eq!(list["variables"][0], after);
    let stored = &server.api().variables(REPO, None)["REGION"];
    assert_eq!(stored.value, "us-east-1");
    expect(
        &server,
        &call(&server, "DELETE", &path, Some(TOKEN), None),
        204,
    );
    expect(
        &server,
        &call(&server, "DELETE", &path, Some(TOKEN), None),
        404,
    );
    expect(&server, &get(&server, &path), 404);
    let reply = call(&server, "PATCH", &path, Some(TOKEN), Some(&patch));
    expect(&server, &reply, 404);
}

#[test]
fn creating_a_taken_name_is_409_and_patch_can_rename() {
    let server = start();
    let fake = server.api();
    fake.set_variable_by_hand(REPO, None, "A", "1");
    fake.set_variable_by_hand(REPO, None, "B", "2");
    let again = json!({ "name": "a", "value": "other" });
    let reply = call(
        &server,
        "POST",
        &repo("/actions/variables"),
        Some(TOKEN),
        Some(&again),
    );
    let body = expect(&server, &reply, 409);
    assert_eq!(body["message"], "Already exists - Variable already exists");
    assert_eq!(fake.variables(REPO, None)["A"].value, "1");
    let rename = json!({ "name": "B" });
    let reply = call(
        &server,
        "PATCH",
        &repo("/actions/variables/A"),
        Some(TOKEN),
        Some(&rename),
    );
    expect(&server, &reply, 409);
    let rename = json!({ "name": "c_new", "value": "3" });
    let reply = call(
        &server,
        "PATCH",
        &repo("/actions/variables/A"),
        Some(TOKEN),
        Some(&rename),
    );
    expect(&server, &reply, 204);
    let vars = fake.variables(REPO, None);
    assert_eq!(vars.keys().collect::<Vec<_>>(), ["B", "C_NEW"]);
    assert_eq!(vars["C_NEW"].value, "3");
}

#[test]
fn bad_variable_writes_are_422_and_change_nothing() {
    let server = start();
    server.api().set_variable_by_hand(REPO, None, "KEEP", "x");
    let post = repo("/actions/variables");
    let cases = [
        (
            json!({ "value": "v" }),
            "Invalid request.\n\n\"name\" wasn't supplied.",
        ),
        (
            json!({ "name": "N" }),
            "Invalid request.\n\n\"value\" wasn't supplied.",
        ),
        (
            json!({ "name": "N", "value": 5 }),
            "Invalid request.\n\nFor 'properties/value', 5 is not a string.",
        ),
        (
            json!({ "name": "N", "value": null }),
            "Invalid request.\n\nFor 'properties/value', null is not a string.",
        ),
        (
            json!({ "name": "9LIVES", "value": "v" }),
            "Variable names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).",
        ),
        (
            json!({ "name": "GITHUB_SHA", "value": "v" }),
            "Variable names cannot start with GITHUB_ prefix.",
        ),
        (
            json!({ "name": "big", "value": "x".repeat(48 * 1024 + 1) }),
            "Validation Failed",
        ),
    ];
    for (body, message) in cases {
        let reply = call(&server, "POST", &post, Some(TOKEN), Some(&body));
        let answer = expect(&server, &reply, 422);
        assert_eq!(answer["message"], message, "{body}");
    }
    let patch = repo("/actions/variables/KEEP");
    for body in [json!({ "value": 1 }), json!({ "name": "a b" }), json!([1])] {
        expect(
            &server,
            &call(&server, "PATCH", &patch, Some(TOKEN), Some(&body)),
            422,
        );
    }
    let vars = server.api().variables(REPO, None);
    assert_eq!(vars.len(), 1);
    assert_eq!(vars["KEEP"].value, "x");
    let ok = json!({ "name": "AT_LIMIT", "value": "x".repeat(48 * 1024) });
    expect(
        &server,
        &call(&server, "POST", &post, Some(TOKEN), Some(&ok)),
        201,
    );
}

#[test]
fn environments_hold_their_own_variables_and_go_with_them() {
    let server = start();
    let body = json!({ "name": "LOG_LEVEL", "value": "warn" });
    let reply = call(
        &server,
        "POST",
        &env("/variables"),
        Some(TOKEN),
        Some(&body),
    );
    expect(&server, &reply, 201);
    let one = expect(&server, &get(&server, &env("/variables/log_level")), 200);
    assert_eq!(one["value"], "warn");
    assert!(server.api().variables(REPO, None).is_empty());
    let reply = call(
        &server,
        "PATCH",
        &env("/variables/LOG_LEVEL"),
        Some(TOKEN),
        Some(&json!({ "value": "info" })),
    );
    expect(&server, &reply, 204);
    assert_eq!(
        server.api().variables(REPO, Some(ENV))["LOG_LEVEL"].value,
        "info"
    );
    let list = expect(&server, &get(&server, &env("/variables")), 200);
    assert_eq!(list["variables"][0]["name"], "LOG_LEVEL");
    expect(
        &server,
        &call(&server, "DELETE", &env(""), Some(TOKEN), None),
        204,
    );
    expect(&server, &get(&server, &env("/variables")), 404);
    expect(&server, &get(&server, &env("")), 404);
    expect(
        &server,
        &call(&server, "DELETE", &env(""), Some(TOKEN), None),
        404,
    );
}

#[test]
fn environments_are_created_listed_and_may_hold_a_slash() {
    let server = start();
    let path = format!("/repos/{REPO}/environments/preview%2Feu");
    let reply = call(&server, "PUT", &path, Some(TOKEN), None);
    let created = expect(&server, &reply, 200);
    assert_eq!(created["name"], "preview/eu");
    assert_eq!(created["protection_rules"], json!([]));
    let body = json!({ "wait_timer": 5, "deployment_branch_policy": null });
    GITHUB
        .validate_request("repos/create-or-update-environment", &body)
        .expect("the spec's request shape");
    expect(
        &server,
        &call(&server, "PUT", &path, Some(TOKEN), Some(&body)),
        200,
    );
    let reply = call(
        &server,
        "PUT",
        &path,
        Some(TOKEN),
        Some(&json!({ "colour": "red" })),
    );
    let refused = expect(&server, &reply, 422);
    assert_eq!(
        refused["message"],
        "Invalid request.\n\n\"colour\" is not a permitted key."
    );
    server
        .api()
        .set_variable_by_hand(REPO, Some("Preview/EU"), "X", "1");
    let one = expect(&server, &get(&server, &format!("{path}/variables/X")), 200);
    assert_eq!(one["value"], "1", "environment names are case-insensitive");
    let list = expect(
        &server,
        &get(&server, &format!("/repos/{REPO}/environments")),
        200,
    );
    assert_eq!(list["total_count"], 2);
    let names: Vec<&str> = list["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["preview/eu", "production"]);
    let got = expect(&server, &get(&server, &path), 200);
    assert_eq!(got["id"], created["id"]);
}
