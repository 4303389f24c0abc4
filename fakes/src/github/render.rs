//! The JSON the fake GitHub sends, in the spec's shapes: `full-repository`,
//! `environment`, `actions-secret`, `actions-variable`, `private-user` and
//! `rate-limit-overview`. URLs point at the fake itself.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::Permission;
use super::routes::Call;
use super::state::{ANONYMOUS, Repo, State};
use super::wire::Error;
use super::{Secret, Variable};
use crate::server::Response;

/// A secret in a list or on its own: never its value.
pub(crate) fn secret((name, s): (&String, &Secret)) -> Value {
    json!({ "name": name, "created_at": s.created_at, "updated_at": s.updated_at })
}

pub(crate) fn variable((name, v): (&String, &Variable)) -> Value {
    json!({
        "name": name,
        "value": v.value,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
    })
}

/// An environment, with no protection rules and every branch allowed
/// (`deployment_branch_policy: null`).
pub(crate) fn environment(repo: &Repo, env: &super::state::Environment, call: &Call<'_>) -> Value {
    json!({
        "id": env.id,
        "node_id": format!("EN_kwDO{:08X}", env.id),
        "name": env.name,
        "url": format!(
            "{}/repos/{}/{}/environments/{}",
            call.base,
            repo.owner,
            repo.name,
            crate::server::percent_encode(&env.name)
        ),
        "html_url": format!(
            "https://github.com/{}/{}/deployments/activity_log?environments_filter={}",
            repo.owner,
            repo.name,
            crate::server::percent_encode(&env.name)
        ),
        "created_at": env.created_at,
        "updated_at": env.updated_at,
        "protection_rules": [],
        "deployment_branch_policy": null,
    })
}

/// The URL templates of a repository object, after its API URL.
const REPO_URLS: [(&str, &str); 36] = [
    ("archive_url", "/{archive_format}{/ref}"),
    ("assignees_url", "/assignees{/user}"),
    ("blobs_url", "/git/blobs{/sha}"),
    ("branches_url", "/branches{/branch}"),
    ("collaborators_url", "/collaborators{/collaborator}"),
    ("comments_url", "/comments{/number}"),
    ("commits_url", "/commits{/sha}"),
    ("compare_url", "/compare/{base}...{head}"),
    ("contents_url", "/contents/{+path}"),
    ("contributors_url", "/contributors"),
    ("deployments_url", "/deployments"),
    ("downloads_url", "/downloads"),
    ("events_url", "/events"),
    ("forks_url", "/forks"),
    ("git_commits_url", "/git/commits{/sha}"),
    ("git_refs_url", "/git/refs{/sha}"),
    ("git_tags_url", "/git/tags{/sha}"),
    ("hooks_url", "/hooks"),
    ("issue_comment_url", "/issues/comments{/number}"),
    ("issue_events_url", "/issues/events{/number}"),
    ("issues_url", "/issues{/number}"),
    ("keys_url", "/keys{/key_id}"),
    ("labels_url", "/labels{/name}"),
    ("languages_url", "/languages"),
    ("merges_url", "/merges"),
    ("milestones_url", "/milestones{/number}"),
    (
        "notifications_url",
        "/notifications{?since,all,participating}",
    ),
    ("pulls_url", "/pulls{/number}"),
    ("releases_url", "/releases{/id}"),
    ("stargazers_url", "/stargazers"),
    ("statuses_url", "/statuses/{sha}"),
    ("subscribers_url", "/subscribers"),
    ("subscription_url", "/subscription"),
    ("tags_url", "/tags"),
    ("teams_url", "/teams"),
    ("trees_url", "/git/trees{/sha}"),
];

/// A private repository as `GET /repos/{owner}/{repo}` shows it, with the
/// caller's `permissions`.
pub(crate) fn repository(repo: &Repo, call: &Call<'_>, granted: &BTreeSet<Permission>) -> Value {
    let api = format!("{}/repos/{}/{}", call.base, repo.owner, repo.name);
    let html = format!("https://github.com/{}/{}", repo.owner, repo.name);
    let mut body = json!({
        "id": repo.id,
        "node_id": format!("R_kgDO{:08X}", repo.id),
        "name": repo.name,
        "full_name": format!("{}/{}", repo.owner, repo.name),
        "private": true,
        "visibility": "private",
        "owner": simple_user(&repo.owner, repo.id + 1, &call.base),
        "html_url": html,
        "description": null,
        "fork": false,
        "url": api,
        "clone_url": format!("{html}.git"),
        "git_url": format!("git://github.com/{}/{}.git", repo.owner, repo.name),
        "ssh_url": format!("git@github.com:{}/{}.git", repo.owner, repo.name),
        "svn_url": html,
        "mirror_url": null,
        "homepage": null,
        "language": null,
        "default_branch": "main",
        "created_at": repo.created_at,
        "updated_at": repo.created_at,
        "pushed_at": repo.created_at,
        "license": null,
        "permissions": {
            "admin": granted.contains(&Permission::Repo)
                || granted.contains(&Permission::AdministrationWrite),
            "maintain": false,
            "push": granted.contains(&Permission::Repo),
            "triage": false,
            "pull": true,
        },
    });
    let map = body.as_object_mut().expect("an object");
    for (key, suffix) in REPO_URLS {
        map.insert(key.into(), json!(format!("{api}{suffix}")));
    }
    for key in ["has_issues", "has_projects", "has_wiki"] {
        map.insert(key.into(), json!(true));
    }
    for key in ["has_pages", "has_discussions", "archived", "disabled"] {
        map.insert(key.into(), json!(false));
    }
    for key in [
        "forks",
        "forks_count",
        "open_issues",
        "open_issues_count",
        "size",
        "stargazers_count",
        "watchers",
        "watchers_count",
        "network_count",
        "subscribers_count",
    ] {
        map.insert(key.into(), json!(0));
    }
    body
}

/// `simple-user`: a login's public fields.
pub(crate) fn simple_user(login: &str, id: u64, base: &str) -> Value {
    let api = format!("{base}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_kgDO{id:08X}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
        "site_admin": false,
    })
}

/// `GET /user`: the token's user, with the private fields
/// (`private-user`). Without a token: `401 Requires authentication`; with
/// a GitHub App installation token (a workflow's `GITHUB_TOKEN`), which
/// acts for no user: `403 Resource not accessible by integration`.
pub(crate) fn user(state: &State, call: &Call<'_>) -> Result<Response, Error> {
    let token = call
        .token
        .and_then(|t| state.tokens.get(t))
        .ok_or_else(|| Error::new(401, "Requires authentication", &call.op.doc()))?;
    if call.token.is_some_and(|t| t.starts_with("ghs_")) {
        return Err(Error::new(
            403,
            "Resource not accessible by integration",
            &call.op.doc(),
        ));
    }
    let mut body = simple_user(&token.login, token.id, &call.base);
    let created = "2020-01-01T00:00:00Z";
    let private: Map<String, Value> = json!({
        "name": null,
        "company": null,
        "blog": "",
        "location": null,
        "email": null,
        "hireable": null,
        "bio": null,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": created,
        "updated_at": created,
        "private_gists": 0,
        "total_private_repos": token.grants.len(),
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": true,
        "user_view_type": "private",
    })
    .as_object()
    .cloned()
    .expect("an object");
    body.as_object_mut().expect("an object").extend(private);
    Ok(Response::json(200, &body))
}

/// `GET /rate_limit`, which does not count against the limit: `core` is
/// the caller's bucket; the other resources show full quotas. Version
/// `2026-03-10` drops the closing-down `rate` object.
pub(crate) fn rate_limit(state: &mut State, call: &Call<'_>) -> Response {
    let quota = state.quota(call.token.unwrap_or(ANONYMOUS), false);
    let core = json!({
        "limit": quota.limit,
        "remaining": quota.remaining,
        "reset": quota.reset,
        "used": quota.used,
    });
    let reset = quota.reset;
    let full =
        |limit: u64| json!({ "limit": limit, "remaining": limit, "reset": reset, "used": 0 });
    let mut body = json!({
        "resources": {
            "core": core,
            "search": full(30),
            "graphql": full(5000),
            "code_search": full(10),
            "integration_manifest": full(5000),
            "actions_runner_registration": full(10000),
        },
    });
    if call.version == super::API_VERSIONS[0] {
        body["rate"] = core;
    }
    Response::json(200, &body)
}
