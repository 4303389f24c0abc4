//! The user, accounts and sites: what a token sees, `name` and `filter`,
//! and pagination with `page`, `per_page` and the `Link` header.

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

fn names(body: &Value) -> Vec<String> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_user_and_the_accounts_a_token_belongs_to() {
    let server = start();
    let user = expect(&server, &get(&server, "/api/v1/user"), 200);
    assert!(user["id"].is_string() && user["email"].is_string());
    assert_eq!(user["site_count"], 2);

    let accounts = expect(&server, &get(&server, "/api/v1/accounts"), 200);
    let slugs: Vec<&str> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, [OTHER, ACCOUNT]);
    let by_slug = expect(
        &server,
        &get(&server, &format!("/api/v1/accounts/{ACCOUNT}")),
        200,
    );
    let by_id = expect(
        &server,
        &get(&server, &format!("/api/v1/accounts/{ACCOUNT_ID}")),
        200,
    );
    assert_eq!(by_slug, by_id);
    assert_eq!(by_id["id"], ACCOUNT_ID);
    assert_eq!(by_id["name"], "Huddle");

    let theirs = call(
        &server,
        "GET",
        &format!("/api/v1/accounts/{ACCOUNT}"),
        Some(STRANGER),
        None,
    );
    expect(&server, &theirs, 404);
    let mine = call(&server, "GET", "/api/v1/accounts", Some(STRANGER), None);
    assert_eq!(expect(&server, &mine, 200).as_array().unwrap().len(), 1);
}

#[test]
fn sites_by_id_or_domain_with_their_account() {
    let server = start();
    let site = expect(
        &server,
        &get(&server, &format!("/api/v1/sites/{SITE}")),
        200,
    );
    assert_eq!(site["id"], SITE);
    assert_eq!(site["name"], SITE_NAME);
    assert_eq!(site["account_id"], ACCOUNT_ID);
    assert_eq!(site["account_slug"], ACCOUNT);
    assert_eq!(site["account_name"], "Huddle");
    assert_eq!(site["ssl_url"], format!("https://{SITE_NAME}.netlify.app"));
    assert!(site["admin_url"].as_str().unwrap().ends_with(SITE_NAME));
    let by_domain = get(&server, &format!("/api/v1/sites/{SITE_NAME}.netlify.app"));
    assert_eq!(expect(&server, &by_domain, 200), site);
    let theirs = call(
        &server,
        "GET",
        &format!("/api/v1/sites/{SITE}"),
        Some(STRANGER),
        None,
    );
    expect(&server, &theirs, 404);
    expect(&server, &get(&server, "/api/v1/sites/no-such-site"), 404);
    // A Reviewer sees the site.
    let reviewer = call(
        &server,
        "GET",
        &format!("/api/v1/sites/{SITE}"),
        Some(REVIEWER),
        None,
    );
    expect(&server, &reviewer, 200);
}

#[test]
fn site_lists_filter_by_name_and_ownership() {
    let server = start();
    server.api().add_site(ACCOUNT, "s-admin", "huddle-admin");
    let all = expect(&server, &get(&server, "/api/v1/sites"), 200);
    assert_eq!(
        names(&all),
        ["elsewhere-docs", "huddle-admin", "huddle-web"]
    );
    let named = expect(&server, &get(&server, "/api/v1/sites?name=HUDDLE"), 200);
    assert_eq!(names(&named), ["huddle-admin", "huddle-web"]);
    let owned = expect(&server, &get(&server, "/api/v1/sites?filter=owner"), 200);
    assert_eq!(names(&owned), ["huddle-admin", "huddle-web"]);
    let guest = expect(&server, &get(&server, "/api/v1/sites?filter=guest"), 200);
    assert_eq!(names(&guest), ["elsewhere-docs"]);
    expect(&server, &get(&server, "/api/v1/sites?filter=mine"), 422);
    let team = expect(
        &server,
        &get(&server, &format!("/api/v1/{OTHER}/sites")),
        200,
    );
    assert_eq!(names(&team), ["elsewhere-docs"]);
    let team = expect(
        &server,
        &get(&server, &format!("/api/v1/{ACCOUNT}/sites?name=admin")),
        200,
    );
    assert_eq!(names(&team), ["huddle-admin"]);
    let theirs = call(
        &server,
        "GET",
        &format!("/api/v1/{ACCOUNT}/sites"),
        Some(STRANGER),
        None,
    );
    expect(&server, &theirs, 404);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .all(|s| s["account_slug"].is_string())
    );
}

#[test]
fn pages_carry_a_link_header_whose_urls_work() {
    let server = start();
    for n in 1..=4 {
        server
            .api()
            .add_site(ACCOUNT, &format!("s-{n}"), &format!("huddle-{n}"));
    }
    server.api().set_per_page_max(2);
    let first = get(&server, "/api/v1/huddle/sites?name=huddle-");
    assert_eq!(
        names(&expect(&server, &first, 200)),
        ["huddle-1", "huddle-2"]
    );
    let rels = links(&first);
    let kinds: Vec<&str> = rels.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(kinds, ["next", "last"]);
    let base = format!("{}/api/v1/huddle/sites", server.url());
    assert_eq!(rels[0].1, format!("{base}?name=huddle-&page=2"));
    assert_eq!(rels[1].1, format!("{base}?name=huddle-&page=3"));
    // Following `next` as a client does.
    let next = rels[0].1.strip_prefix(&server.url()).unwrap().to_string();
    let second = get(&server, &next);
    assert_eq!(
        names(&expect(&server, &second, 200)),
        ["huddle-3", "huddle-4"]
    );
    let kinds: Vec<String> = links(&second).into_iter().map(|(r, _)| r).collect();
    assert_eq!(kinds, ["prev", "next", "last", "first"]);
    let third = get(&server, "/api/v1/huddle/sites?name=huddle-&page=3");
    assert_eq!(names(&expect(&server, &third, 200)), ["huddle-web"]);
    let rels = links(&third);
    let kinds: Vec<&str> = rels.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(kinds, ["prev", "first"]);
    assert_eq!(rels[1].1, format!("{base}?name=huddle-&page=1"));
    let past = expect(
        &server,
        &get(&server, "/api/v1/huddle/sites?name=huddle-&page=9"),
        200,
    );
    assert_eq!(past, json!([]));

    // `per_page` below the maximum; above it is cut to the maximum.
    let one = get(&server, "/api/v1/sites?per_page=1&page=2");
    assert_eq!(names(&expect(&server, &one, 200)), ["huddle-1"]);
    let kinds: Vec<String> = links(&one).into_iter().map(|(r, _)| r).collect();
    assert_eq!(kinds, ["prev", "next", "last", "first"]);
    assert!(links(&one)[2].1.ends_with("per_page=1&page=6"));
    let capped = get(&server, "/api/v1/sites?per_page=50");
    assert_eq!(expect(&server, &capped, 200).as_array().unwrap().len(), 2);

    server.api().set_per_page_max(100);
    let whole = get(&server, "/api/v1/sites");
    assert_eq!(expect(&server, &whole, 200).as_array().unwrap().len(), 6);
    assert!(whole.header("link").is_none(), "one page, no Link");

    server.api().set_per_page_max(1);
    let accounts = get(&server, "/api/v1/accounts");
    assert_eq!(expect(&server, &accounts, 200).as_array().unwrap().len(), 1);
    assert!(links(&accounts)[0].1.ends_with("/api/v1/accounts?page=2"));
}
