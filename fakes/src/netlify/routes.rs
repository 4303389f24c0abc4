//! Routing: paths under `/api/v1` to the spec's operations, and the
//! request pipeline: the rate limit (`429`), the route and method (`404`),
//! the token (`401`), then the operation, which checks what the caller may
//! see (`404`) and do (`403`).

use super::state::{ANONYMOUS, Quota, State};
use super::wire::{Error, not_found};
use super::{handlers, rate_limit_message};
use crate::server::{Request, Response};

/// The spec's `basePath`: every request starts with it.
pub const BASE_PATH: &str = "/api/v1";

/// What a path names, with its parameters (decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    User,
    Accounts,
    Account(String),
    Sites,
    Site(String),
    Builds(String),
    AccountSites(String),
    Env(String),
    /// `getSiteEnvVars`, whose path in the spec is itself
    /// `/api/v1/sites/{site_id}/env`: under the base path that is
    /// `/api/v1/api/v1/sites/{site_id}/env`, which is what a client built
    /// from the spec (`@netlify/api`) sends. The fake serves that path and
    /// no other form.
    SiteEnv(String),
    Var(String, String),
    Value(String, String, String),
}

/// Parses a request path; `None` for a path Netlify has no route for
/// (outside the base path, a trailing slash or empty segment included).
pub(crate) fn parse(request: &Request) -> Option<Route> {
    let segments = request.raw_segments();
    if segments.iter().any(String::is_empty) {
        return None;
    }
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let own = |s: &&str| s.to_string();
    let route = match segs.as_slice() {
        ["api", "v1", rest @ ..] => match rest {
            ["user"] => Route::User,
            ["accounts"] => Route::Accounts,
            ["accounts", a] => Route::Account(own(a)),
            ["accounts", a, "env"] => Route::Env(own(a)),
            ["accounts", a, "env", k] => Route::Var(own(a), own(k)),
            ["accounts", a, "env", k, "value", id] => Route::Value(own(a), own(k), own(id)),
            ["sites"] => Route::Sites,
            ["sites", s] => Route::Site(own(s)),
            ["sites", s, "builds"] => Route::Builds(own(s)),
            ["api", "v1", "sites", s, "env"] => Route::SiteEnv(own(s)),
            [slug, "sites"] => Route::AccountSites(own(slug)),
            _ => return None,
        },
        _ => return None,
    };
    Some(route)
}

/// Who may call an operation: any member of the account, or only those
/// who may read and write environment variables (Owner, Developer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    Member,
    EnvRead,
    Write,
}

/// The spec's `operationId` for `route` and `method`, and what it needs;
/// `None`: Netlify answers `404`.
pub(crate) fn operation(route: &Route, method: &str) -> Option<(&'static str, Needs)> {
    use Needs::*;
    let op = match (route, method) {
        (Route::User, "GET") => ("getCurrentUser", Member),
        (Route::Accounts, "GET") => ("listAccountsForUser", Member),
        (Route::Account(_), "GET") => ("getAccount", Member),
        (Route::Sites, "GET") => ("listSites", Member),
        (Route::Site(_), "GET") => ("getSite", Member),
        (Route::Builds(_), "POST") => ("createSiteBuild", Write),
        (Route::AccountSites(_), "GET") => ("listSitesForAccount", Member),
        (Route::Env(_), "GET") => ("getEnvVars", EnvRead),
        (Route::Env(_), "POST") => ("createEnvVars", Write),
        (Route::SiteEnv(_), "GET") => ("getSiteEnvVars", EnvRead),
        (Route::Var(..), "GET") => ("getEnvVar", EnvRead),
        (Route::Var(..), "PUT") => ("updateEnvVar", Write),
        (Route::Var(..), "PATCH") => ("setEnvVarValue", Write),
        (Route::Var(..), "DELETE") => ("deleteEnvVar", Write),
        (Route::Value(..), "DELETE") => ("deleteEnvVarValue", Write),
        _ => return None,
    };
    Some(op)
}

/// The spec's `operationId` for a request, if the fake has a route for it.
pub(crate) fn operation_id(request: &Request) -> Option<&'static str> {
    let route = parse(request)?;
    operation(&route, &request.method).map(|(id, _)| id)
}

/// A request on its way through: what the handlers need besides state.
pub(crate) struct Call<'a> {
    pub request: &'a Request,
    pub needs: Needs,
    pub token: &'a str,
    /// `http://HOST/api/v1`: where `Link` URLs point.
    pub base: String,
}

impl State {
    /// Answers a request: the pipeline in the module comment, then the
    /// rate-limit headers on whatever came out.
    pub fn serve(&mut self, request: &Request) -> Response {
        let token = request
            .bearer()
            .filter(|t| self.tokens.contains_key(*t))
            .unwrap_or(ANONYMOUS)
            .to_string();
        let quota = self.quota(&token, true);
        self.last_bucket = token.clone();
        let result = self.pipeline(request, &token, &quota);
        quota.apply(result.unwrap_or_else(Error::response))
    }

    fn pipeline(
        &mut self,
        request: &Request,
        token: &str,
        quota: &Quota,
    ) -> Result<Response, Error> {
        if quota.exceeded {
            let wait = self.retry_after(token);
            return Err(Error::new(429, rate_limit_message()).with_header("retry-after", wait));
        }
        let route = parse(request).ok_or_else(not_found)?;
        let (_, needs) = operation(&route, &request.method).ok_or_else(not_found)?;
        if token == ANONYMOUS {
            // Seen from outside for a request without a token; the fake
            // answers an unknown token the same way (unverified).
            return Err(Error::new(401, "Access Denied"));
        }
        let host = request.header("host").unwrap_or("127.0.0.1");
        let call = Call {
            request,
            needs,
            token,
            base: format!("http://{host}{BASE_PATH}"),
        };
        handlers::run(self, &call, route)
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
    /// spec's own path (under its `basePath`) and method; and the fake
    /// serves nothing else.
    #[test]
    fn the_table_is_the_spec() {
        let spec: Value =
            serde_json::from_str(include_str!("../../openapi/netlify-env.json")).unwrap();
        assert_eq!(spec["basePath"], BASE_PATH);
        let mut seen = Vec::new();
        for (template, item) in spec["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if method == "parameters" {
                    continue;
                }
                let id = operation["operationId"].as_str().unwrap();
                let path = template
                    .replace("{account_id}", "team-a")
                    .replace("{account_slug}", "team-a")
                    .replace("{site_id}", "site-1")
                    .replace("{key}", "API_KEY")
                    .replace("{id}", "v-1");
                let method = method.to_ascii_uppercase();
                let full = format!("{BASE_PATH}{path}");
                assert_eq!(
                    operation_id(&request(&method, &full)),
                    Some(id),
                    "{method} {full}"
                );
                seen.push(id);
            }
        }
        let mut ours: Vec<&str> = [
            "getCurrentUser",
            "listAccountsForUser",
            "getAccount",
            "listSites",
            "getSite",
            "createSiteBuild",
            "listSitesForAccount",
            "getEnvVars",
            "createEnvVars",
            "getSiteEnvVars",
            "getEnvVar",
            "updateEnvVar",
            "setEnvVarValue",
            "deleteEnvVar",
            "deleteEnvVarValue",
        ]
        .into();
        seen.sort_unstable();
        ours.sort_unstable();
        assert_eq!(seen, ours);
    }

    #[test]
    fn paths_netlify_has_no_route_for() {
        for (method, path) in [
            ("GET", "/sites"),
            ("GET", "/api/v2/sites"),
            ("GET", "/api/v1/sites/"),
            ("GET", "/api/v1/sites/s/env"),
            ("GET", "/api/v1/accounts/a/env/K/value"),
            ("GET", "/api/v1/accounts/a/env/K/value/1"),
            ("POST", "/api/v1/sites"),
            ("DELETE", "/api/v1/accounts/a/env"),
            ("GET", "/api/v1"),
        ] {
            assert_eq!(
                operation_id(&request(method, path)),
                None,
                "{method} {path}"
            );
        }
        let key = parse(&request("GET", "/api/v1/accounts/a/env/MY%2FKEY")).unwrap();
        assert_eq!(key, Route::Var("a".into(), "MY/KEY".into()));
        let slug = parse(&request("GET", "/api/v1/accounts/sites")).unwrap();
        assert_eq!(
            slug,
            Route::Account("sites".into()),
            "the literal segment wins"
        );
    }
}
