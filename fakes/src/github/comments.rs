//! Issue comments, which is how a pull request's conversation is written
//! (<https://docs.github.com/rest/issues/comments>): list a pull request's
//! comments (paged: `per_page` default 30, at most 100, oldest first, with
//! a `Link` header), create one (`201` with `Location`), get, update
//! (`PATCH`, `200`) and delete (`204`) one by id.
//!
//! These routes are not in the vendored Actions spec the rest of the fake
//! is checked against, so they have no `operationId` there and are routed
//! here, after the same version, `Accept`, credentials and rate-limit
//! checks. Reading needs any grant on the repository; writing needs the
//! classic `repo` scope, "Issues: write" or "Pull requests: write". A
//! comment body over 65,536 characters is `422` (the limit GitHub
//! documents for comments; the error's wording is unverified).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::Permission;
use super::render::simple_user;
use super::state::State;
use super::wire::{self, Error, not_found};
use crate::server::{Request, Response};

const DOCS: &str = "https://docs.github.com/rest/issues/comments";
const LIST_DOCS: &str = "https://docs.github.com/rest/issues/comments#list-issue-comments";
const CREATE_DOCS: &str = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const UPDATE_DOCS: &str = "https://docs.github.com/rest/issues/comments#update-an-issue-comment";
/// GitHub's limit on a comment's body, in characters.
pub(crate) const MAX_BODY_CHARS: usize = 65_536;

/// A comment on an issue or pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueComment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    /// The login of the token (or user) that wrote it.
    pub login: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The fake's issues and their comments.
#[derive(Default)]
pub(crate) struct Comments {
    /// Lower-case `owner/name` and number of each pull request.
    issues: BTreeSet<(String, u64)>,
    /// By id, which grows with time: a list in id order is oldest first.
    all: BTreeMap<u64, (String, IssueComment)>,
    next_id: u64,
    /// `User` ids for logins that have no token.
    user_ids: BTreeMap<String, u64>,
}

impl Comments {
    pub fn add_issue(&mut self, repo: &str, number: u64) {
        self.issues.insert((repo.to_ascii_lowercase(), number));
    }

    pub fn add(&mut self, repo: &str, issue: u64, login: &str, body: &str, now: &str) -> u64 {
        self.next_id += 1;
        let id = 2_000_000_000 + self.next_id;
        let comment = IssueComment {
            id,
            issue,
            body: body.to_string(),
            login: login.to_string(),
            created_at: now.to_string(),
            updated_at: now.to_string(),
        };
        self.all.insert(id, (repo.to_ascii_lowercase(), comment));
        id
    }

    pub fn on(&self, repo: &str, issue: u64) -> Vec<IssueComment> {
        let repo = repo.to_ascii_lowercase();
        self.all
            .values()
            .filter(|(r, c)| *r == repo && c.issue == issue)
            .map(|(_, c)| c.clone())
            .collect()
    }
}

/// What a comments path names.
pub(crate) enum Route {
    /// `…/issues/{number}/comments`
    OnIssue(u64),
    /// `…/issues/comments/{id}`
    One(u64),
}

/// `(repository, route, rest of the path)` for a comments path, else `None`.
pub(crate) fn parse(request: &Request) -> Option<(RepoRef, Route, String)> {
    let segments = request.raw_segments();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (repo, rest) = match segs.as_slice() {
        ["repos", owner, name, rest @ ..] if !owner.is_empty() && !name.is_empty() => {
            (RepoRef::Name(format!("{owner}/{name}")), rest)
        }
        ["repositories", id, rest @ ..] => (RepoRef::Id(id.parse().ok()?), rest),
        _ => return None,
    };
    let route = match rest {
        ["issues", n, "comments"] => Route::OnIssue(n.parse().ok()?),
        ["issues", "comments", id] => Route::One(id.parse().ok()?),
        _ => return None,
    };
    Some((repo, route, format!("/{}", rest.join("/"))))
}

pub(crate) enum RepoRef {
    Name(String),
    Id(u64),
}

/// Serves a comments route for `token` (already known valid, or `None`).
pub(crate) fn serve(
    state: &mut State,
    request: &Request,
    (repo, route, rest): (RepoRef, Route, String),
    token: Option<&str>,
    base: &str,
) -> Result<Response, Error> {
    let key = match repo {
        RepoRef::Name(n) => n.to_ascii_lowercase(),
        RepoRef::Id(id) => state
            .repos
            .iter()
            .find(|(_, r)| r.id == id)
            .map(|(k, _)| k.clone())
            .unwrap_or_default(),
    };
    let granted = token
        .and_then(|t| state.tokens.get(t))
        .and_then(|t| t.grants.get(&key))
        .cloned();
    let (Some(repo), Some(granted)) = (state.repos.get(&key), granted) else {
        return Err(not_found(DOCS));
    };
    let (owner, name, repo_id) = (repo.owner.clone(), repo.name.clone(), repo.id);
    let login = token
        .and_then(|t| state.tokens.get(t))
        .map(|t| t.login.clone())
        .unwrap_or_default();
    let urls = Urls {
        api: format!("{base}/repos/{owner}/{name}"),
        html: format!("https://github.com/{owner}/{name}"),
        base: base.to_string(),
    };
    let method = request.method.as_str();
    if method != "GET" && !may_write(&granted) {
        return Err(Error::new(
            403,
            "Resource not accessible by personal access token",
            DOCS,
        )
        .with_header(
            "x-accepted-github-permissions",
            "issues=write; pull_requests=write",
        ));
    }
    let now = state.now_iso();
    let comments = &mut state.comments;
    match (route, method) {
        (Route::OnIssue(n), _) if !comments.issues.contains(&(key.clone(), n)) => {
            Err(not_found(LIST_DOCS))
        }
        (Route::OnIssue(n), "GET") => {
            let items: Vec<Value> = comments
                .on(&key, n)
                .iter()
                .map(|c| render(c, &urls, &mut comments.user_ids))
                .collect();
            let link_url = format!("{base}/repositories/{repo_id}{rest}");
            Ok(page(items, request, &link_url))
        }
        (Route::OnIssue(n), "POST") => {
            let body = body_of(request, CREATE_DOCS)?;
            let id = comments.add(&key, n, &login, &body, &now);
            let comment = comments.all[&id].1.clone();
            let json = render(&comment, &urls, &mut comments.user_ids);
            let location = json["url"].as_str().unwrap_or_default().to_string();
            Ok(Response::json(201, &json).with_header("location", location))
        }
        (Route::One(id), m) => {
            let Some((_, comment)) = comments.all.get_mut(&id).filter(|(r, _)| *r == key) else {
                return Err(not_found(DOCS));
            };
            match m {
                "GET" => {}
                "PATCH" => {
                    comment.body = body_of(request, UPDATE_DOCS)?;
                    comment.updated_at = now;
                }
                "DELETE" => {
                    comments.all.remove(&id);
                    return Ok(Response::empty(204));
                }
                _ => return Err(not_found(wire::REST_DOCS)),
            }
            let comment = comment.clone();
            Ok(Response::json(
                200,
                &render(&comment, &urls, &mut comments.user_ids),
            ))
        }
        _ => Err(not_found(wire::REST_DOCS)),
    }
}

fn may_write(granted: &BTreeSet<Permission>) -> bool {
    [
        Permission::Repo,
        Permission::IssuesWrite,
        Permission::PullRequestsWrite,
    ]
    .iter()
    .any(|p| granted.contains(p))
}

/// `{"body": "…"}`: required, a string, at most 65,536 characters.
fn body_of(request: &Request, doc: &str) -> Result<String, Error> {
    let object = wire::object(request, false, doc)?;
    let body = wire::string(&object, "body", true, doc)?.unwrap_or_default();
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(Error::new(
            422,
            format!("Validation Failed: body is too long (maximum is {MAX_BODY_CHARS} characters)"),
            doc,
        ));
    }
    Ok(body)
}

struct Urls {
    api: String,
    html: String,
    base: String,
}

/// `issue-comment` as GitHub's REST docs show it.
fn render(c: &IssueComment, urls: &Urls, user_ids: &mut BTreeMap<String, u64>) -> Value {
    let next = 5_000_000 + user_ids.len() as u64 + 1;
    let user_id = *user_ids.entry(c.login.clone()).or_insert(next);
    json!({
        "id": c.id,
        "node_id": format!("IC_kwDO{:08X}", c.id),
        "url": format!("{}/issues/comments/{}", urls.api, c.id),
        "html_url": format!("{}/pull/{}#issuecomment-{}", urls.html, c.issue, c.id),
        "body": c.body,
        "user": simple_user(&c.login, user_id, &urls.base),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "issue_url": format!("{}/issues/{}", urls.api, c.issue),
        "author_association": "MEMBER",
        "performed_via_github_app": null,
    })
}

/// A page of comments (a bare array, as GitHub lists them), with the
/// `Link` header when there is more than one page.
fn page(items: Vec<Value>, request: &Request, link_url: &str) -> Response {
    let (per_page, page) = wire::paging(request, 30, 100);
    let last = items.len().div_ceil(per_page).max(1);
    let shown: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let response = Response::json(200, &Value::Array(shown));
    match crate::server::link(request, link_url, page, last) {
        Some(link) => response.with_header("link", link),
        None => response,
    }
}
