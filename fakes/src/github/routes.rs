//! Routing: paths to operations (GitHub's `operationId`s, with the docs
//! page each error points to and the permissions each needs), and the
//! request pipeline: version and `Accept` (`400`/`415`), credentials
//! (`401`), the primary rate limit (`403`/`429`), route and method (`404`),
//! the repository the caller may see (`404`), the permission (`403`), then
//! the operation.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::Permission::{self, *};
use super::state::{ANONYMOUS, Quota, State};
use super::wire::{self, Credentials, Error, not_found};
use super::{API_VERSIONS, comments, handlers, releases, render};
use crate::server::{Request, Response};

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    RateLimit,
    Repository,
    Environments,
    Environment,
    PublicKey,
    Secrets,
    Secret,
    Variables,
    Variable,
}

/// A parsed path: the kind, and the repository, environment and name in it.
#[derive(Debug, Default)]
pub(crate) struct Path {
    pub repo: Option<RepoRef>,
    pub environment: Option<String>,
    pub name: Option<String>,
    /// The raw path after the repository, for `Link` URLs.
    pub rest: String,
}

#[derive(Debug)]
pub(crate) enum RepoRef {
    Name(String, String),
    /// `/repositories/{id}/…`, the form of GitHub's `Link` URLs.
    Id(u64),
}

/// One operation of the spec.
pub(crate) struct Op {
    kind: Kind,
    env: bool,
    method: &'static str,
    id: &'static str,
    /// The page of `https://docs.github.com/rest/` the spec's
    /// `externalDocs` names, which GitHub's errors point to.
    docs: &'static str,
    /// Any one of these will do; none: any grant ("Metadata: read").
    needs: &'static [Permission],
}

const SECRETS_R: &[Permission] = &[SecretsRead];
const SECRETS_W: &[Permission] = &[SecretsWrite];
const ENV_SECRETS_R: &[Permission] = &[SecretsRead, EnvironmentsRead];
const ENV_SECRETS_W: &[Permission] = &[SecretsWrite, EnvironmentsWrite];
const VARS_R: &[Permission] = &[VariablesRead];
const VARS_W: &[Permission] = &[VariablesWrite];
const ENV_VARS_R: &[Permission] = &[VariablesRead, EnvironmentsRead];
const ENV_VARS_W: &[Permission] = &[VariablesWrite, EnvironmentsWrite];
const ADMIN_W: &[Permission] = &[AdministrationWrite];
const META: &[Permission] = &[];

/// An operation of the table below.
const fn op(
    kind: Kind,
    env: bool,
    method: &'static str,
    id: &'static str,
    docs: &'static str,
    needs: &'static [Permission],
) -> Op {
    Op {
        kind,
        env,
        method,
        id,
        docs,
        needs,
    }
}

/// Every operation, with the `externalDocs` page the spec gives it.
#[rustfmt::skip]
static OPS: &[Op] = &[
    op(Kind::User, false, "GET", "users/get-authenticated", "users/users#get-the-authenticated-user", META),
    op(Kind::RateLimit, false, "GET", "rate-limit/get", "rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user", META),
    op(Kind::Repository, false, "GET", "repos/get", "repos/repos#get-a-repository", META),
    op(Kind::PublicKey, false, "GET", "actions/get-repo-public-key", "actions/secrets#get-a-repository-public-key", SECRETS_R),
    op(Kind::Secrets, false, "GET", "actions/list-repo-secrets", "actions/secrets#list-repository-secrets", SECRETS_R),
    op(Kind::Secret, false, "GET", "actions/get-repo-secret", "actions/secrets#get-a-repository-secret", SECRETS_R),
    op(Kind::Secret, false, "PUT", "actions/create-or-update-repo-secret", "actions/secrets#create-or-update-a-repository-secret", SECRETS_W),
    op(Kind::Secret, false, "DELETE", "actions/delete-repo-secret", "actions/secrets#delete-a-repository-secret", SECRETS_W),
    op(Kind::Variables, false, "GET", "actions/list-repo-variables", "actions/variables#list-repository-variables", VARS_R),
    op(Kind::Variables, false, "POST", "actions/create-repo-variable", "actions/variables#create-a-repository-variable", VARS_W),
    op(Kind::Variable, false, "GET", "actions/get-repo-variable", "actions/variables#get-a-repository-variable", VARS_R),
    op(Kind::Variable, false, "PATCH", "actions/update-repo-variable", "actions/variables#update-a-repository-variable", VARS_W),
    op(Kind::Variable, false, "DELETE", "actions/delete-repo-variable", "actions/variables#delete-a-repository-variable", VARS_W),
    op(Kind::Environments, false, "GET", "repos/get-all-environments", "deployments/environments#list-environments", META),
    op(Kind::Environment, true, "GET", "repos/get-environment", "deployments/environments#get-an-environment", META),
    op(Kind::Environment, true, "PUT", "repos/create-or-update-environment", "deployments/environments#create-or-update-an-environment", ADMIN_W),
    op(Kind::Environment, true, "DELETE", "repos/delete-an-environment", "deployments/environments#delete-an-environment", ADMIN_W),
    op(Kind::PublicKey, true, "GET", "actions/get-environment-public-key", "actions/secrets#get-an-environment-public-key", ENV_SECRETS_R),
    op(Kind::Secrets, true, "GET", "actions/list-environment-secrets", "actions/secrets#list-environment-secrets", ENV_SECRETS_R),
    op(Kind::Secret, true, "GET", "actions/get-environment-secret", "actions/secrets#get-an-environment-secret", ENV_SECRETS_R),
    op(Kind::Secret, true, "PUT", "actions/create-or-update-environment-secret", "actions/secrets#create-or-update-an-environment-secret", ENV_SECRETS_W),
    op(Kind::Secret, true, "DELETE", "actions/delete-environment-secret", "actions/secrets#delete-an-environment-secret", ENV_SECRETS_W),
    op(Kind::Variables, true, "GET", "actions/list-environment-variables", "actions/variables#list-environment-variables", ENV_VARS_R),
    op(Kind::Variables, true, "POST", "actions/create-environment-variable", "actions/variables#create-an-environment-variable", ENV_VARS_W),
    op(Kind::Variable, true, "GET", "actions/get-environment-variable", "actions/variables#get-an-environment-variable", ENV_VARS_R),
    op(Kind::Variable, true, "PATCH", "actions/update-environment-variable", "actions/variables#update-an-environment-variable", ENV_VARS_W),
    op(Kind::Variable, true, "DELETE", "actions/delete-environment-variable", "actions/variables#delete-an-environment-variable", ENV_VARS_W),
];

impl Op {
    /// The docs URL GitHub's errors for this operation carry.
    pub fn doc(&self) -> String {
        format!("https://docs.github.com/rest/{}", self.docs)
    }

    /// `x-accepted-github-permissions`: the permission sets that would do,
    /// separated by `;`.
    fn accepted(&self) -> String {
        if self.needs.is_empty() {
            return "metadata=read".to_string();
        }
        let names: Vec<&str> = self.needs.iter().map(|p| permission_name(*p)).collect();
        names.join("; ")
    }
}

fn permission_name(p: Permission) -> &'static str {
    match p {
        Repo => "repo",
        SecretsRead => "secrets=read",
        SecretsWrite => "secrets=write",
        VariablesRead => "variables=read",
        VariablesWrite => "variables=write",
        EnvironmentsRead => "environments=read",
        EnvironmentsWrite => "environments=write",
        AdministrationWrite => "administration=write",
        IssuesWrite => "issues=write",
        PullRequestsWrite => "pull_requests=write",
    }
}

/// Whether `granted` includes `need`: `repo` includes everything, write
/// includes read.
fn includes(granted: &BTreeSet<Permission>, need: Permission) -> bool {
    let implied = match need {
        SecretsRead => Some(SecretsWrite),
        VariablesRead => Some(VariablesWrite),
        EnvironmentsRead => Some(EnvironmentsWrite),
        _ => None,
    };
    granted.contains(&Repo)
        || granted.contains(&need)
        || implied.is_some_and(|p| granted.contains(&p))
}

/// The path's kind and parts; `None` for a path GitHub has no route for
/// (a trailing slash and empty segments included).
pub(crate) fn parse(request: &Request) -> Option<(Kind, Path)> {
    let segments = request.raw_segments();
    if segments.iter().any(String::is_empty) {
        return None;
    }
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (repo, skip, rest) = match segs.as_slice() {
        ["user"] => return Some((Kind::User, Path::default())),
        ["rate_limit"] => return Some((Kind::RateLimit, Path::default())),
        ["repos", owner, name, rest @ ..] => {
            (RepoRef::Name(owner.to_string(), name.to_string()), 4, rest)
        }
        ["repositories", id, rest @ ..] => (RepoRef::Id(id.parse().ok()?), 3, rest),
        _ => return None,
    };
    let own = |s: &&str| Some(s.to_string());
    let (kind, environment, name) = match rest {
        [] => (Kind::Repository, None, None),
        ["environments"] => (Kind::Environments, None, None),
        ["environments", e] => (Kind::Environment, own(e), None),
        ["actions", "secrets"] => (Kind::Secrets, None, None),
        ["actions", "secrets", "public-key"] => (Kind::PublicKey, None, None),
        ["actions", "secrets", n] => (Kind::Secret, None, own(n)),
        ["actions", "variables"] => (Kind::Variables, None, None),
        ["actions", "variables", n] => (Kind::Variable, None, own(n)),
        ["environments", e, "secrets"] => (Kind::Secrets, own(e), None),
        ["environments", e, "secrets", "public-key"] => (Kind::PublicKey, own(e), None),
        ["environments", e, "secrets", n] => (Kind::Secret, own(e), own(n)),
        ["environments", e, "variables"] => (Kind::Variables, own(e), None),
        ["environments", e, "variables", n] => (Kind::Variable, own(e), own(n)),
        _ => return None,
    };
    let raw_rest = request
        .raw_path
        .splitn(skip + 1, '/')
        .nth(skip)
        .unwrap_or("");
    let path = Path {
        repo: Some(repo),
        environment,
        name,
        rest: if raw_rest.is_empty() {
            String::new()
        } else {
            format!("/{raw_rest}")
        },
    };
    Some((kind, path))
}

/// The operation for `kind` and `method`; `None`: GitHub answers `404`.
fn lookup(kind: Kind, path: &Path, method: &str) -> Option<&'static Op> {
    let env = path.environment.is_some();
    OPS.iter()
        .find(|o| o.kind == kind && o.env == env && o.method == method)
}

/// The spec's `operationId` for a request, if the fake has a route for it.
pub(crate) fn operation_id(request: &Request) -> Option<&'static str> {
    let (kind, path) = parse(request)?;
    lookup(kind, &path, &request.method).map(|op| op.id)
}

/// Every `operationId` the fake serves.
pub(crate) fn operation_ids() -> Vec<&'static str> {
    OPS.iter().map(|op| op.id).collect()
}

/// A request on its way through: what the handlers need besides state.
pub(crate) struct Call<'a> {
    pub request: &'a Request,
    pub op: &'static Op,
    pub version: &'static str,
    pub token: Option<&'a str>,
    /// Scheme, host and port of the fake's API (no trailing slash).
    pub base: String,
    /// `{base}/repositories/{id}{rest}`: the `Link` header's URL.
    pub link_url: String,
}

impl State {
    /// The request as routed: without the path prefix, if the fake has
    /// one (`None`: the request lacks it).
    fn under_prefix<'r>(&self, request: &'r Request) -> Option<Cow<'r, Request>> {
        let Some(prefix) = &self.path_prefix else {
            return Some(Cow::Borrowed(request));
        };
        let strip = |path: &str| {
            let rest = path.strip_prefix(prefix.as_str())?;
            (rest.starts_with('/')).then(|| rest.to_string())
        };
        let mut stripped = request.clone();
        stripped.path = strip(&request.path)?;
        stripped.raw_path = strip(&request.raw_path)?;
        Some(Cow::Owned(stripped))
    }

    /// Answers a request: the pipeline in the module comment, then the
    /// rate-limit headers on whatever came out.
    pub fn serve(&mut self, request: &Request) -> Response {
        let credentials = wire::credentials(request);
        let bucket = match credentials {
            Credentials::Token(t) if self.tokens.contains_key(t) => t,
            _ => ANONYMOUS,
        };
        let routed = self.under_prefix(request);
        let free = routed.as_ref().is_some_and(|r| r.path == "/rate_limit");
        let quota = self.quota(bucket, !free);
        self.last_bucket = bucket.to_string();
        let token = match credentials {
            Credentials::Token(t) if self.tokens.contains_key(t) => Some(t),
            _ => None,
        };
        let result = match routed {
            _ if releases::is_graphql(request, self.path_prefix.as_deref()) => {
                releases::graphql(self, request, token)
            }
            Some(routed) => self.pipeline(&routed, &credentials, &quota),
            None => Err(not_found(wire::REST_DOCS)),
        };
        let version = wire::version(request).unwrap_or(API_VERSIONS[0]);
        quota
            .apply(result.unwrap_or_else(Error::response))
            .with_header("x-github-api-version-selected", version)
    }

    fn pipeline(
        &mut self,
        request: &Request,
        credentials: &Credentials<'_>,
        quota: &Quota,
    ) -> Result<Response, Error> {
        let version = wire::version(request)?;
        if !releases::wants_bytes(request) {
            wire::accept(request)?;
        }
        let token = match credentials {
            Credentials::None => None,
            Credentials::Token(t) if self.tokens.contains_key(*t) => Some(*t),
            _ => return Err(Error::new(401, "Bad credentials", wire::REST_DOCS)),
        };
        if quota.exceeded {
            return Err(self.primary_limited(token));
        }
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", request.header("host").unwrap_or("127.0.0.1")));
        if let Some(route) = comments::parse(request) {
            return comments::serve(self, request, route, token, &base);
        }
        if let Some(route) = releases::parse(request) {
            return releases::serve(self, request, route, token, &base);
        }
        let (kind, path) = parse(request).ok_or_else(|| not_found(wire::REST_DOCS))?;
        let op = lookup(kind, &path, &request.method).ok_or_else(|| not_found(wire::REST_DOCS))?;
        let mut call = Call {
            request,
            op,
            version,
            token,
            base,
            link_url: String::new(),
        };
        match kind {
            Kind::User => render::user(self, &call),
            Kind::RateLimit => Ok(render::rate_limit(self, &call)),
            _ => self.in_repository(&mut call, kind, path),
        }
    }

    /// `403` (or `429`) with `x-ratelimit-remaining: 0`, in the words
    /// GitHub uses for a user and for an address.
    fn primary_limited(&self, token: Option<&str>) -> Error {
        let message = match token.and_then(|t| self.tokens.get(t)) {
            Some(t) => format!("API rate limit exceeded for user ID {}.", t.id),
            None => "API rate limit exceeded for 127.0.0.1. (But here's the good news: \
                     Authenticated requests get a higher rate limit. Check out the documentation \
                     for more details.)"
                .to_string(),
        };
        Error::new(self.limit_status, message, wire::PRIMARY_LIMIT_DOCS)
    }

    /// A repository route: the repository must exist and be visible to
    /// the caller (else `404`, never `403`, as GitHub hides private
    /// repositories), then the token needs the operation's permission.
    fn in_repository(
        &mut self,
        call: &mut Call<'_>,
        kind: Kind,
        path: Path,
    ) -> Result<Response, Error> {
        let doc = call.op.doc();
        let key = match path.repo.as_ref().expect("repository routes name one") {
            RepoRef::Name(owner, name) => format!("{owner}/{name}").to_ascii_lowercase(),
            RepoRef::Id(id) => self
                .repos
                .iter()
                .find(|(_, r)| r.id == *id)
                .map(|(k, _)| k.clone())
                .unwrap_or_default(),
        };
        let granted = call
            .token
            .and_then(|t| self.tokens.get(t))
            .and_then(|t| t.grants.get(&key))
            .cloned();
        let (Some(repo), Some(granted)) = (self.repos.get(&key), granted) else {
            return Err(not_found(&doc));
        };
        call.link_url = format!("{}/repositories/{}{}", call.base, repo.id, path.rest);
        let accepted = call.op.accepted();
        let allowed =
            call.op.needs.is_empty() || call.op.needs.iter().any(|n| includes(&granted, *n));
        if !allowed {
            return Err(Error::new(
                403,
                "Resource not accessible by personal access token",
                &doc,
            )
            .with_header("x-accepted-github-permissions", accepted));
        }
        handlers::run(self, call, kind, &key, path, &granted)
            .map(|r| r.with_header("x-accepted-github-permissions", &accepted))
            .map_err(|e| e.with_header("x-accepted-github-permissions", accepted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn request(method: &str, raw_path: &str) -> Request {
        Request {
            method: method.to_string(),
            path: raw_path.to_string(),
            raw_path: raw_path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Every operation of the vendored spec has a route, found from the
    /// spec's own path and method, pointing at the spec's docs page; and
    /// the fake serves nothing else.
    #[test]
    fn the_table_is_the_spec() {
        let spec: Value =
            serde_json::from_str(include_str!("../../openapi/github-actions.json")).unwrap();
        let mut seen = Vec::new();
        for (template, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let id = operation["operationId"].as_str().unwrap();
                let path = template
                    .replace("{owner}", "Klubz")
                    .replace("{repo}", "App")
                    .replace("{environment_name}", "prod%2Feu")
                    .replace("{secret_name}", "API_KEY")
                    .replace("{name}", "REGION");
                let method = method.to_ascii_uppercase();
                let (kind, parsed) = parse(&request(&method, &path)).expect(&path);
                let op =
                    lookup(kind, &parsed, &method).unwrap_or_else(|| panic!("{method} {path}"));
                assert_eq!(op.id, id, "{method} {path}");
                assert_eq!(op.doc(), operation["externalDocs"]["url"], "{id}");
                if template.contains("{environment_name}") {
                    assert_eq!(parsed.environment.as_deref(), Some("prod/eu"));
                }
                seen.push(id);
            }
        }
        seen.sort_unstable();
        let mut ours = operation_ids();
        ours.sort_unstable();
        assert_eq!(seen, ours);
    }

    #[test]
    fn paths_github_has_no_route_for() {
        for path in [
            "/repos/o/r/",
            "/repos/o/r/actions/secrets/",
            "/repos/o",
            "/repos//r/actions/secrets",
            "/repositories/x/actions/secrets",
            "/repos/o/r/actions/secrets/A/B",
            "/users/octocat",
        ] {
            assert!(parse(&request("GET", path)).is_none(), "{path}");
        }
        let (kind, path) = parse(&request("GET", "/repositories/7/actions/variables")).unwrap();
        assert_eq!(kind, Kind::Variables);
        assert_eq!(path.rest, "/actions/variables");
        assert!(matches!(path.repo, Some(RepoRef::Id(7))));
    }

    #[test]
    fn write_includes_read_and_repo_includes_all() {
        let granted: BTreeSet<Permission> = [SecretsWrite].into();
        assert!(includes(&granted, SecretsRead));
        assert!(!includes(&granted, VariablesRead));
        let classic: BTreeSet<Permission> = [Repo].into();
        assert!(includes(&classic, AdministrationWrite));
    }
}
