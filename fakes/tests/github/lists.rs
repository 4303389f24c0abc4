//! Pagination: `per_page` and `page`, and GitHub's `Link` header.

use serde_json::json;

use super::*;

/// The `Link` header as `rel → URL`.
fn links(reply: &Reply) -> Vec<(String, String)> {
    let Some(header) = reply.header("link") else {
        return Vec::new();
    };
    header
        .split(", ")
        .map(|part| {
            let (url, rel) = part.split_once("; ").expect("<url>; rel=\"…\"");
            let url = url.trim_start_matches('<').trim_end_matches('>');
            let rel = rel.trim_start_matches("rel=\"").trim_end_matches('"');
            (rel.to_string(), url.to_string())
        })
        .collect()
}

fn names(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn pages_carry_githubs_link_header_and_its_urls_work() {
    let server = start();
    for n in 1..=5 {
        server
            .api()
            .set_secret_by_hand(REPO, None, &format!("S{n}"), "v");
    }
    let first = get(&server, &repo("/actions/secrets?per_page=2"));
    let body = expect(&server, &first, 200);
    assert_eq!(body["total_count"], 5);
    assert_eq!(names(&body, "secrets"), ["S1", "S2"]);
    let rels = links(&first);
    let kinds: Vec<&str> = rels.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(kinds, ["next", "last"]);
    let id = get(&server, &repo("")).json()["id"].as_u64().unwrap();
    let next = format!(
        "{}/repositories/{id}/actions/secrets?per_page=2&page=2",
        server.url()
    );
    assert_eq!(rels[0].1, next);
    assert!(rels[1].1.ends_with("per_page=2&page=3"));
    // Following `next` as a client does, on the `/repositories/{id}` form.
    let second = get(&server, next.strip_prefix(&server.url()).unwrap());
    let body = expect(&server, &second, 200);
    assert_eq!(names(&body, "secrets"), ["S3", "S4"]);
    let kinds: Vec<String> = links(&second).into_iter().map(|(r, _)| r).collect();
    assert_eq!(kinds, ["prev", "next", "last", "first"]);
    let last = get(&server, &repo("/actions/secrets?per_page=2&page=3"));
    let body = expect(&server, &last, 200);
    assert_eq!(names(&body, "secrets"), ["S5"]);
    let kinds: Vec<String> = links(&last).into_iter().map(|(r, _)| r).collect();
    assert_eq!(kinds, ["prev", "first"]);
    let past = get(&server, &repo("/actions/secrets?per_page=2&page=9"));
    let body = expect(&server, &past, 200);
    assert_eq!(body["total_count"], 5);
    assert_eq!(body["secrets"], json!([]));
    let all = get(&server, &repo("/actions/secrets"));
    assert_eq!(
        expect(&server, &all, 200)["secrets"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert!(all.header("link").is_none(), "one page, no Link");
}

#[test]
fn per_page_defaults_and_caps_differ_for_secrets_and_variables() {
    let server = start();
    let fake = server.api();
    for n in 0..101 {
        fake.set_secret_by_hand(REPO, None, &format!("S{n:03}"), "v");
    }
    for n in 0..35 {
        fake.set_variable_by_hand(REPO, None, &format!("V{n:02}"), "v");
    }
    let count = |path: &str, key: &str| {
        let reply = get(&server, &repo(path));
        expect(&server, &reply, 200)[key].as_array().unwrap().len()
    };
    assert_eq!(count("/actions/secrets", "secrets"), 30, "default 30");
    assert_eq!(
        count("/actions/secrets?per_page=500", "secrets"),
        100,
        "max 100"
    );
    assert_eq!(count("/actions/secrets?per_page=0", "secrets"), 30);
    assert_eq!(count("/actions/secrets?per_page=x&page=y", "secrets"), 30);
    assert_eq!(count("/actions/variables", "variables"), 10, "default 10");
    assert_eq!(
        count("/actions/variables?per_page=100", "variables"),
        30,
        "max 30"
    );
    let last = get(&server, &repo("/actions/variables?per_page=100&page=2"));
    assert_eq!(
        names(&expect(&server, &last, 200), "variables"),
        ["V30", "V31", "V32", "V33", "V34"]
    );
}

#[test]
fn links_keep_the_query_and_environment_paths_encoded() {
    let server = start();
    server.api().add_environment(REPO, "qa/eu");
    for n in 0..3 {
        server
            .api()
            .set_variable_by_hand(REPO, Some("qa/eu"), &format!("V{n}"), "v");
    }
    let path = format!("/repos/{REPO}/environments/qa%2Feu/variables?per_page=1&page=2");
    let reply = get(&server, &path);
    let body = expect(&server, &reply, 200);
    assert_eq!(names(&body, "variables"), ["V1"]);
    let rels = links(&reply);
    assert!(
        rels.iter()
            .all(|(_, url)| url.contains("/environments/qa%2Feu/variables?per_page=1&page=")),
        "{rels:?}"
    );
    let next = &rels.iter().find(|(r, _)| r == "next").unwrap().1;
    let followed = get(&server, next.strip_prefix(&server.url()).unwrap());
    assert_eq!(names(&expect(&server, &followed, 200), "variables"), ["V2"]);
    server.api().set_base_url("https://api.github.test/");
    let reply = get(&server, &path);
    assert!(
        reply
            .header("link")
            .unwrap()
            .starts_with("<https://api.github.test/repositories/")
    );
}

/// Under a path prefix (`/api/v3`, GitHub Enterprise Server's, where the
/// `gh` CLI sends any host but github.com) every route answers with the
/// prefix and none without it, and `Link` URLs carry it back.
#[test]
fn a_path_prefix_serves_every_route_under_it_and_none_outside() {
    let server = start();
    let base = format!("{}/api/v3", server.url());
    server.api().set_path_prefix("/api/v3");
    server.api().set_base_url(&base);
    for n in 0..3 {
        server
            .api()
            .set_variable_by_hand(REPO, None, &format!("V{n}"), "v");
    }
    let path = |rest: &str| format!("/api/v3{}", repo(rest));
    let reply = get(&server, &path("/actions/variables?per_page=2"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(names(&reply.json(), "variables"), ["V0", "V1"]);
    let next = &links(&reply)
        .into_iter()
        .find(|(r, _)| r == "next")
        .unwrap()
        .1;
    assert!(next.starts_with(&format!("{base}/repositories/")), "{next}");
    let followed = get(&server, next.strip_prefix(&server.url()).unwrap());
    assert_eq!(followed.status, 200, "{}", followed.text());
    assert_eq!(names(&followed.json(), "variables"), ["V2"]);

    let used = server.api().rate_limit_used(Some(TOKEN));
    assert_eq!(get(&server, "/api/v3/rate_limit").status, 200);
    assert_eq!(server.api().rate_limit_used(Some(TOKEN)), used, "free");
    for outside in [
        repo("/actions/variables"),
        format!("/api/v3x{}", repo("/actions/variables")),
        "/api/v3".to_string(),
        "/rate_limit".to_string(),
    ] {
        let reply = get(&server, &outside);
        assert_eq!(reply.status, 404, "{outside}: {}", reply.text());
        reply.rate_header("x-ratelimit-remaining");
        check_error(None, 404, &reply.json());
    }
}
