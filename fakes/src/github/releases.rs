//! Releases and their assets (<https://docs.github.com/rest/releases>),
//! read-only, as an installer reads them: the latest release, the list
//! (newest first, paged: `per_page` default 30, at most 100), a release by
//! tag, and an asset by id, whose bytes come with
//! `Accept: application/octet-stream` (its JSON otherwise). Any grant on
//! the repository may read them. Like comments, these routes are outside
//! the vendored Actions spec.
//!
//! `gh release download` also asks GraphQL whether the tag's release is a
//! draft (`RepositoryReleaseByTag`): `POST /graphql` (`/api/graphql` on
//! GitHub Enterprise Server, where the REST API is under `/api/v3`)
//! answers that one query, and `errors` for any other.

use serde_json::{Value, json};

use super::render::simple_user;
use super::state::State;
use super::wire::{self, Error, not_found};
use crate::server::{Request, Response};

const DOCS: &str = "https://docs.github.com/rest/releases/releases";
const ASSET_DOCS: &str = "https://docs.github.com/rest/releases/assets#get-a-release-asset";

pub(crate) struct Release {
    pub repo: String,
    pub id: u64,
    pub tag: String,
    pub prerelease: bool,
    pub created_at: String,
    pub assets: Vec<Asset>,
}

pub(crate) struct Asset {
    pub id: u64,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a releases path names.
pub(crate) enum Route {
    Latest,
    List,
    Tag(String),
    Asset(u64),
}

/// `(lower-case owner/name, route)` for a releases path, else `None`.
pub(crate) fn parse(request: &Request) -> Option<(String, Route)> {
    let segments = request.raw_segments();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["repos", owner, name, "releases", rest @ ..] = segs.as_slice() else {
        return None;
    };
    let route = match rest {
        [] => Route::List,
        ["latest"] => Route::Latest,
        ["tags", tag] if !tag.is_empty() => Route::Tag(tag.to_string()),
        ["assets", id] => Route::Asset(id.parse().ok()?),
        _ => return None,
    };
    Some((format!("{owner}/{name}").to_ascii_lowercase(), route))
}

/// Whether the request asks for an asset's bytes (which admits no JSON).
pub(crate) fn wants_bytes(request: &Request) -> bool {
    matches!(parse(request), Some((_, Route::Asset(_))))
        && request
            .header("accept")
            .is_some_and(|a| a.contains("application/octet-stream"))
}

pub(crate) fn serve(
    state: &State,
    request: &Request,
    (key, route): (String, Route),
    token: Option<&str>,
    base: &str,
) -> Result<Response, Error> {
    let visible = token
        .and_then(|t| state.tokens.get(t))
        .is_some_and(|t| t.grants.contains_key(&key));
    let Some(repo) = state.repos.get(&key).filter(|_| visible) else {
        return Err(not_found(DOCS));
    };
    if request.method != "GET" {
        return Err(not_found(wire::REST_DOCS));
    }
    let api = format!("{base}/repos/{}/{}", repo.owner, repo.name);
    let html = format!("https://github.com/{}/{}", repo.owner, repo.name);
    let mine: Vec<&Release> = state
        .releases
        .iter()
        .rev()
        .filter(|r| r.repo == key)
        .collect();
    let one = |r: Option<&&Release>| {
        r.map(|r| Response::json(200, &render(r, &api, &html, base)))
            .ok_or_else(|| not_found(DOCS))
    };
    match route {
        Route::Latest => one(mine.iter().find(|r| !r.prerelease)),
        Route::Tag(tag) => one(mine.iter().find(|r| r.tag == tag)),
        Route::List => {
            let (per_page, page) = wire::paging(request, 30, 100);
            let last = mine.len().div_ceil(per_page).max(1);
            let shown: Vec<Value> = mine
                .iter()
                .skip((page - 1).saturating_mul(per_page))
                .take(per_page)
                .map(|r| render(r, &api, &html, base))
                .collect();
            let response = Response::json(200, &Value::Array(shown));
            let url = format!("{base}/repositories/{}/releases", repo.id);
            Ok(match crate::server::link(request, &url, page, last) {
                Some(link) => response.with_header("link", link),
                None => response,
            })
        }
        Route::Asset(id) => {
            let (release, asset) = mine
                .iter()
                .find_map(|r| r.assets.iter().find(|a| a.id == id).map(|a| (*r, a)))
                .ok_or_else(|| not_found(ASSET_DOCS))?;
            if wants_bytes(request) {
                return Ok(Response {
                    status: 200,
                    headers: vec![("content-type".into(), "application/octet-stream".into())],
                    body: Some(asset.bytes.clone()),
                });
            }
            Ok(Response::json(
                200,
                &render_asset(release, asset, &api, &html, base),
            ))
        }
    }
}

/// `release` as GitHub's REST docs show it.
fn render(r: &Release, api: &str, html: &str, base: &str) -> Value {
    let assets: Vec<Value> = r
        .assets
        .iter()
        .map(|a| render_asset(r, a, api, html, base))
        .collect();
    json!({
        "url": format!("{api}/releases/{}", r.id),
        "html_url": format!("{html}/releases/tag/{}", r.tag),
        "assets_url": format!("{api}/releases/{}/assets", r.id),
        "upload_url": format!("https://uploads.github.com/repos/releases/{}/assets{{?name,label}}", r.id),
        "tarball_url": format!("{api}/tarball/{}", r.tag),
        "zipball_url": format!("{api}/zipball/{}", r.tag),
        "id": r.id,
        "node_id": format!("RE_kwDO{:08X}", r.id),
        "tag_name": r.tag,
        "target_commitish": "main",
        "name": r.tag,
        "body": "",
        "draft": false,
        "prerelease": r.prerelease,
        "immutable": false,
        "created_at": r.created_at,
        "published_at": r.created_at,
        "author": simple_user("release-bot", 4_000_001, base),
        "assets": assets,
    })
}

fn render_asset(r: &Release, a: &Asset, api: &str, html: &str, base: &str) -> Value {
    json!({
        "url": format!("{api}/releases/assets/{}", a.id),
        "browser_download_url": format!("{html}/releases/download/{}/{}", r.tag, a.name),
        "id": a.id,
        "node_id": format!("RA_kwDO{:08X}", a.id),
        "name": a.name,
        "label": "",
        "state": "uploaded",
        "content_type": "application/octet-stream",
        "size": a.bytes.len(),
        "digest": null,
        "download_count": 0,
        "created_at": r.created_at,
        "updated_at": r.created_at,
        "uploader": simple_user("release-bot", 4_000_001, base),
    })
}

/// `POST /graphql`, or `/api/graphql` beside a `/api/v3` REST prefix.
pub(crate) fn is_graphql(request: &Request, rest_prefix: Option<&str>) -> bool {
    let path = match rest_prefix {
        Some(prefix) => format!("{}/graphql", prefix.strip_suffix("/v3").unwrap_or(prefix)),
        None => "/graphql".to_string(),
    };
    request.method == "POST" && request.path == path
}

/// The one GraphQL query the fake knows: a repository's release by tag,
/// `{databaseId, isDraft}` (`null` when there is none).
pub(crate) fn graphql(
    state: &State,
    request: &Request,
    token: Option<&str>,
) -> Result<Response, Error> {
    let Some(token) = token.and_then(|t| state.tokens.get(t)) else {
        return Err(Error::new(
            401,
            "Bad credentials",
            "https://docs.github.com/graphql",
        ));
    };
    let body: Value = serde_json::from_slice(&request.body).map_err(|_| {
        Error::new(
            400,
            "Problems parsing JSON",
            "https://docs.github.com/graphql",
        )
    })?;
    let query = body["query"].as_str().unwrap_or_default();
    let vars = &body["variables"];
    if !query.contains("release(tagName: $tagName)") {
        return Ok(Response::json(
            200,
            &json!({ "errors": [{ "message": "the fake GitHub answers only RepositoryReleaseByTag" }] }),
        ));
    }
    let key = format!(
        "{}/{}",
        vars["owner"].as_str().unwrap_or_default(),
        vars["name"].as_str().unwrap_or_default()
    )
    .to_ascii_lowercase();
    if !state.repos.contains_key(&key) || !token.grants.contains_key(&key) {
        return Ok(Response::json(
            200,
            &json!({ "data": { "repository": null }, "errors": [{ "type": "NOT_FOUND", "message": format!("Could not resolve to a Repository with the name '{key}'.") }] }),
        ));
    }
    let tag = vars["tagName"].as_str().unwrap_or_default();
    let release = state
        .releases
        .iter()
        .find(|r| r.repo == key && r.tag == tag)
        .map(|r| json!({ "databaseId": r.id, "isDraft": false }));
    Ok(Response::json(
        200,
        &json!({ "data": { "repository": { "release": release } } }),
    ))
}
