//! Credentials, permissions, headers and routes: GitHub's error paths.

use std::time::Duration;

use serde_json::json;

use super::*;

#[test]
fn without_a_token_a_private_repository_is_not_found() {
    let server = start();
    for path in [repo(""), repo("/actions/secrets"), env("/variables")] {
        let reply = call(&server, "GET", &path, None, None);
        let body = expect(&server, &reply, 404);
        assert_eq!(body["message"], "Not Found");
        assert_eq!(
            reply.rate_header("x-ratelimit-limit"),
            60,
            "the anonymous limit"
        );
    }
    let reply = call(&server, "GET", "/user", None, None);
    let body = expect(&server, &reply, 401);
    assert_eq!(body["message"], "Requires authentication");
}

#[test]
fn an_unknown_or_malformed_credential_is_401() {
    let server = start();
    let reply = call(&server, "GET", &repo(""), Some("ghp_unknown"), None);
    let body = expect(&server, &reply, 401);
    assert_eq!(body["message"], "Bad credentials");
    assert_eq!(body["documentation_url"], "https://docs.github.com/rest");
    for auth in [
        "Basic Z2g6cHc=",
        "Bearer",
        "Bearer a b",
        "ghp_envctl_classic_repo",
    ] {
        let headers = [("Authorization", auth)];
        let reply = common::send(&server.url(), "GET", &repo(""), &headers, b"");
        assert_eq!(
            expect(&server, &reply, 401)["message"],
            "Bad credentials",
            "{auth}"
        );
    }
    // `token <t>` is the older scheme GitHub still takes.
    let headers = [("Authorization", "token ghp_envctl_classic_repo")];
    let reply = common::send(&server.url(), "GET", &repo(""), &headers, b"");
    expect(&server, &reply, 200);
}

#[test]
fn a_token_sees_only_its_repositories_and_needs_the_permission() {
    let server = start();
    let reply = call(
        &server,
        "GET",
        &repo("/actions/secrets"),
        Some(STRANGER),
        None,
    );
    expect(&server, &reply, 404);
    let reply = call(
        &server,
        "GET",
        &repo("/actions/variables"),
        Some(READER),
        None,
    );
    expect(&server, &reply, 200);
    let body = json!({ "name": "X", "value": "1" });
    let reply = call(
        &server,
        "POST",
        &repo("/actions/variables"),
        Some(READER),
        Some(&body),
    );
    let answer = expect(&server, &reply, 403);
    assert_eq!(
        answer["message"],
        "Resource not accessible by personal access token"
    );
    assert_eq!(
        answer["documentation_url"],
        "https://docs.github.com/rest/actions/variables#create-a-repository-variable"
    );
    assert_eq!(
        reply.header("x-accepted-github-permissions"),
        Some("variables=write")
    );
    assert!(server.api().variables(REPO, None).is_empty());
    // Repository secrets are not environment management.
    let reply = call(&server, "DELETE", &env(""), Some(READER), None);
    expect(&server, &reply, 403);
    let reply = call(&server, "GET", &env("/secrets"), Some(READER), None);
    expect(&server, &reply, 200);
    assert_eq!(
        reply.header("x-accepted-github-permissions"),
        Some("secrets=read; environments=read")
    );
    // A token with no grant is still a valid token.
    server.api().grant("github_pat_nothing", "", &[]);
    let reply = call(&server, "GET", "/user", Some("github_pat_nothing"), None);
    expect(&server, &reply, 200);
    let reply = call(&server, "GET", &repo(""), Some("github_pat_nothing"), None);
    expect(&server, &reply, 404);
    // Environment permissions admit environment secrets.
    server
        .api()
        .grant("github_pat_envs", REPO, &[Permission::EnvironmentsWrite]);
    let (key_id, key) = env_key(&server);
    let sealed = json!({ "encrypted_value": seal(&key, b"v"), "key_id": key_id });
    let reply = call(
        &server,
        "PUT",
        &env("/secrets/A"),
        Some("github_pat_envs"),
        Some(&sealed),
    );
    expect(&server, &reply, 201);
    let reply = call(
        &server,
        "PUT",
        &repo("/actions/secrets/A"),
        Some("github_pat_envs"),
        Some(&sealed),
    );
    expect(&server, &reply, 403);
}

#[test]
fn routes_github_lacks_are_404_even_for_a_known_path() {
    let server = start();
    for (method, path) in [
        ("GET", "/repos/klubz/app/actions/secrets/"),
        ("GET", "/repos/klubz/app/actions"),
        ("POST", "/repos/klubz/app/actions/secrets"),
        ("PUT", "/repos/klubz/app/actions/variables/X"),
        ("GET", "/repos/klubz/nope/actions/secrets"),
        ("GET", "/repositories/1/actions/secrets"),
        ("GET", "/client/v4/user"),
    ] {
        let reply = call(&server, method, path, Some(TOKEN), None);
        let body = expect(&server, &reply, 404);
        assert_eq!(body["message"], "Not Found", "{method} {path}");
    }
    // Owner and repository names are case-insensitive.
    expect(
        &server,
        &get(&server, "/repos/KLUBZ/App/actions/secrets"),
        200,
    );
}

#[test]
fn the_api_version_and_accept_headers_are_checked() {
    let server = start();
    let send = |headers: &[(&str, &str)]| {
        let mut all = vec![("Authorization", "Bearer ghp_envctl_classic_repo")];
        all.extend_from_slice(headers);
        common::send(&server.url(), "GET", &repo("/actions/secrets"), &all, b"")
    };
    let reply = send(&[]);
    expect(&server, &reply, 200);
    assert_eq!(
        reply.header("x-github-api-version-selected"),
        Some("2022-11-28")
    );
    let reply = send(&[("X-GitHub-Api-Version", "2026-03-10")]);
    expect(&server, &reply, 200);
    assert_eq!(
        reply.header("x-github-api-version-selected"),
        Some("2026-03-10")
    );
    let reply = send(&[("X-GitHub-Api-Version", "v3")]);
    let body = expect(&server, &reply, 400);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("\"v3\", is not a supported version"),
        "{message}"
    );
    assert!(message.contains("\"2022-11-28\""), "{message}");
    for accept in [
        "application/vnd.github+json",
        "application/json",
        "*/*",
        "application/vnd.github.v3+json",
    ] {
        expect(&server, &send(&[("Accept", accept)]), 200);
    }
    let reply = send(&[("Accept", "text/html")]);
    let body = expect(&server, &reply, 415);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Unsupported 'Accept' header")
    );
}

#[test]
fn the_repository_and_the_user_read_in_the_specs_shapes() {
    let server = start();
    let body = expect(&server, &get(&server, &repo("")), 200);
    assert_eq!(body["full_name"], REPO);
    assert_eq!(body["private"], true);
    assert_eq!(body["permissions"]["admin"], true);
    assert!(body["url"].as_str().unwrap().starts_with(&server.url()));
    let reply = call(&server, "GET", &repo(""), Some(READER), None);
    assert_eq!(expect(&server, &reply, 200)["permissions"]["push"], false);
    let user = expect(&server, &get(&server, "/user"), 200);
    assert_eq!(user["user_view_type"], "private");
    assert!(user["login"].is_string());
    assert!(!user.to_string().contains(TOKEN));
}

#[test]
fn date_follows_the_fakes_clock() {
    let server = start();
    let before = get(&server, "/rate_limit");
    server
        .api()
        .advance_clock(Duration::from_secs(400 * 86_400));
    let after = get(&server, "/rate_limit");
    let year = |r: &Reply| {
        r.header("date")
            .unwrap()
            .split(' ')
            .nth(3)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    assert!(year(&after) > year(&before));
}
