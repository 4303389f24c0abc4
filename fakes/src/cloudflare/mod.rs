//! The fake Cloudflare v4 API: Pages projects (read, and environment
//! variables patched with merge semantics) and D1's query endpoint, enough
//! of it to hold a wrangler migration history.
//!
//! Behaviour follows `shared/reference/platform-apis.md` §3 and the shapes
//! wrangler relies on. Where the platform is undocumented the fake picks a
//! reading and says so in the item's doc comment ("unverified"). In short:
//!
//! * **Routing**: everything lives under `/client/v4`, as on
//!   `api.cloudflare.com`; other paths are `404` with code `7000`.
//! * **Envelope**: every answer is `{success, result, errors, messages}`;
//!   errors are `[{code, message}]` with Cloudflare's numeric codes.
//! * **Auth**: a missing or malformed `Authorization` header is `400`,
//!   code `6003` (with `6111` in `error_chain`). A token Cloudflare does
//!   not know, a token without the permission, and an account the token
//!   was not made for are all `403`, code `10000` "Authentication error"
//!   (observed for the last two; assumed for the first).
//! * **Pages**: `GET …/pages/projects/{name}` returns both deployment
//!   environments; an unknown project is `404`, code `8000007`. `PATCH`
//!   merges `deployment_configs.<env>.env_vars`: listed keys are set, keys
//!   sent as `null` deleted, others kept.
//! * **Secrets**: `secret_text` values are never returned; reads show the
//!   entry with `"value": ""` (unverified: wrangler only shows such entries
//!   as "Value Encrypted"; the exact field Cloudflare sends is not
//!   documented).
//! * **Deployments**: `GET …/deployments?env=` lists a project's newest
//!   first; `POST …/deployments/{id}/retry` makes a new one of the same
//!   environment and branch, bound to the environment's variables as they
//!   are now ([`deployments`]).
//! * **D1**: `POST …/d1/database/{id}/query` runs a request's statements
//!   as one batch, keeping migration-history tables and a log of what was
//!   sent (see the `d1` module); a missing table is `400`, code `7500`,
//!   "no such table: …" (unverified code).
//!
//! State lives behind a mutex; tests drive and inspect it through the
//! methods on [`FakeCloudflare`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::server::{Api, Request, Response};

mod deployments;

pub use deployments::Deployment;
mod d1;
use d1::Database;

/// The deployment environments a Pages project has.
pub const ENVIRONMENTS: [&str; 2] = ["production", "preview"];

/// What a token may do in one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Account › Cloudflare Pages › Read.
    PagesRead,
    /// Account › Cloudflare Pages › Edit (implies read).
    PagesEdit,
    /// Account › D1 › Edit: the query endpoint (unverified whether D1 Read
    /// is enough for a SELECT; the fake asks for Edit).
    D1Edit,
}

/// A Pages environment variable's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    PlainText,
    SecretText,
}

impl VarType {
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::PlainText => "plain_text",
            VarType::SecretText => "secret_text",
        }
    }

    fn parse(s: &str) -> Option<VarType> {
        match s {
            "plain_text" => Some(VarType::PlainText),
            "secret_text" => Some(VarType::SecretText),
            _ => None,
        }
    }
}

/// One variable as stored, with its plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub kind: VarType,
    pub value: String,
}

/// One row of a migration history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationRow {
    pub id: u64,
    pub name: String,
    pub applied_at: String,
}

#[derive(Default)]
struct DeploymentConfig {
    env_vars: BTreeMap<String, EnvVar>,
    wrangler_config_hash: Option<String>,
}

struct Project {
    id: String,
    name: String,
    created_on: String,
    modified_on: String,
    configs: BTreeMap<&'static str, DeploymentConfig>,
    /// Oldest first.
    deployments: Vec<Deployment>,
}

#[derive(Default)]
struct Account {
    projects: BTreeMap<String, Project>,
    databases: BTreeMap<String, Database>,
}

#[derive(Default)]
struct State {
    accounts: BTreeMap<String, Account>,
    /// Token → account → permissions.
    tokens: HashMap<String, BTreeMap<String, BTreeSet<Permission>>>,
    next_id: u64,
    /// Added to the wall clock for `modified_on`: lets a test make a hand
    /// change "later" without sleeping.
    clock_offset_ms: u64,
}

/// The fake Cloudflare API. Serve it with [`crate::Server::start`].
#[derive(Default)]
pub struct FakeCloudflare {
    state: Mutex<State>,
}

impl FakeCloudflare {
    /// A fake with no accounts and no tokens.
    pub fn new() -> FakeCloudflare {
        FakeCloudflare::default()
    }

    /// Moves the fake's clock forward: later changes get a later
    /// `modified_on`.
    pub fn advance_clock(&self, by: std::time::Duration) {
        self.lock().clock_offset_ms += by.as_millis() as u64;
    }

    /// Adds an account (32 hex digits, as Cloudflare's are).
    pub fn add_account(&self, account_id: &str) {
        self.lock()
            .accounts
            .entry(account_id.to_string())
            .or_default();
    }

    /// Lets `token` act in `account_id` with `permissions`; a new token
    /// becomes valid. A token with no grant at all is still a valid token.
    pub fn grant(&self, token: &str, account_id: &str, permissions: &[Permission]) {
        let mut state = self.lock();
        let grants = state.tokens.entry(token.to_string()).or_default();
        if !account_id.is_empty() {
            grants
                .entry(account_id.to_string())
                .or_default()
                .extend(permissions.iter().copied());
        }
    }

    /// Adds a Pages project with both environments and no variables.
    ///
    /// # Panics
    /// If the account does not exist (a bug in the test).
    pub fn add_project(&self, account_id: &str, name: &str) {
        let mut state = self.lock();
        state.next_id += 1;
        let id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            state.next_id, state.next_id
        );
        let now = iso(now_ms());
        account(&mut state, account_id).projects.insert(
            name.to_string(),
            Project {
                id,
                name: name.to_string(),
                created_on: now.clone(),
                modified_on: now,
                configs: ENVIRONMENTS
                    .iter()
                    .map(|e| (*e, DeploymentConfig::default()))
                    .collect(),
                deployments: Vec::new(),
            },
        );
    }

    /// Marks an environment as configured from a wrangler file.
    ///
    /// # Panics
    /// If the account or project does not exist.
    pub fn set_wrangler_config_hash(&self, account_id: &str, project: &str, env: &str, hash: &str) {
        let mut state = self.lock();
        config(&mut state, account_id, project, env).wrangler_config_hash = Some(hash.to_string());
    }

    /// An environment's variables with their plaintext.
    ///
    /// # Panics
    /// If the account or project does not exist.
    pub fn env_vars(&self, account_id: &str, project: &str, env: &str) -> BTreeMap<String, EnvVar> {
        let mut state = self.lock();
        config(&mut state, account_id, project, env)
            .env_vars
            .clone()
    }

    /// Sets a variable as if by hand in the dashboard.
    ///
    /// # Panics
    /// If the account or project does not exist.
    pub fn set_by_hand(
        &self,
        account_id: &str,
        project: &str,
        env: &str,
        key: &str,
        kind: VarType,
        value: &str,
    ) {
        let mut state = self.lock();
        config(&mut state, account_id, project, env)
            .env_vars
            .insert(
                key.to_string(),
                EnvVar {
                    kind,
                    value: value.to_string(),
                },
            );
        touch(&mut state, account_id, project);
    }

    /// Removes a variable as if by hand; returns it if it existed.
    ///
    /// # Panics
    /// If the account or project does not exist.
    pub fn remove_by_hand(
        &self,
        account_id: &str,
        project: &str,
        env: &str,
        key: &str,
    ) -> Option<EnvVar> {
        let mut state = self.lock();
        let removed = config(&mut state, account_id, project, env)
            .env_vars
            .remove(key);
        touch(&mut state, account_id, project);
        removed
    }

    /// Adds a D1 database (its id a UUID) with no tables.
    ///
    /// # Panics
    /// If the account does not exist.
    pub fn add_database(&self, account_id: &str, database_id: &str) {
        let mut state = self.lock();
        account(&mut state, account_id)
            .databases
            .insert(database_id.to_string(), Database::default());
    }

    /// Records migrations as `wrangler d1 migrations apply` does, creating
    /// the table first if needed.
    ///
    /// # Panics
    /// If the account or database does not exist.
    pub fn record_migrations(
        &self,
        account_id: &str,
        database_id: &str,
        table: &str,
        names: &[&str],
    ) {
        let mut state = self.lock();
        let rows = database(&mut state, account_id, database_id)
            .tables
            .entry(table.to_string())
            .or_default();
        for name in names {
            d1::push(rows, name);
        }
    }

    /// The rows of a history table; `None` if it does not exist.
    ///
    /// # Panics
    /// If the account or database does not exist.
    pub fn migrations(
        &self,
        account_id: &str,
        database_id: &str,
        table: &str,
    ) -> Option<Vec<MigrationRow>> {
        let mut state = self.lock();
        database(&mut state, account_id, database_id)
            .tables
            .get(table)
            .cloned()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Api for FakeCloudflare {
    /// Every answer carries the fake's clock in `Date`, as Cloudflare's do.
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let date = crate::server::http_date(now_ms() + state.clock_offset_ms);
        state
            .serve(request)
            .unwrap_or_else(Error::response)
            .with_header("date", date)
    }

    /// A 429 with `Retry-After`, as Cloudflare's API sends. The body's
    /// code (971) is unverified.
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        Error::new(
            429,
            971,
            "Please wait and consider throttling your request speed",
        )
        .response()
        .with_header("retry-after", retry_after_secs)
    }

    /// A 500 in the envelope (the code is unverified).
    fn server_error(&self) -> Response {
        Error::new(500, 10002, "An internal error occurred").response()
    }

    /// A 400 in the envelope quoting the body (code 8000000, unverified).
    fn echo_rejection(&self, request: &Request) -> Response {
        Error::new(400, 8000000, &crate::server::echo_message(request)).response()
    }
}

// ---------------------------------------------------------------------------
// Requests

enum Route<'a> {
    Verify,
    Projects(&'a str),
    Project(&'a str, &'a str),
    Deployments(&'a str, &'a str),
    Retry(&'a str, &'a str, &'a str),
    Query(&'a str, &'a str),
}

impl<'a> Route<'a> {
    fn parse(path: &'a str) -> Option<Route<'a>> {
        let rest = path.strip_prefix("/client/v4/")?;
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        match parts.as_slice() {
            ["user", "tokens", "verify"] => Some(Route::Verify),
            ["accounts", a, "pages", "projects"] => Some(Route::Projects(a)),
            ["accounts", a, "pages", "projects", p] => Some(Route::Project(a, p)),
            ["accounts", a, "pages", "projects", p, "deployments"] => {
                Some(Route::Deployments(a, p))
            }
            [
                "accounts",
                a,
                "pages",
                "projects",
                p,
                "deployments",
                d,
                "retry",
            ] => Some(Route::Retry(a, p, d)),
            ["accounts", a, "d1", "database", d, "query"] => Some(Route::Query(a, d)),
            _ => None,
        }
    }

    fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Verify | Route::Projects(_) | Route::Deployments(..) => &["GET"],
            Route::Project(..) => &["GET", "PATCH"],
            Route::Query(..) | Route::Retry(..) => &["POST"],
        }
    }
}

impl State {
    fn serve(&mut self, request: &Request) -> Result<Response, Error> {
        let Some(route) = Route::parse(&request.path) else {
            return Err(Error::new(404, 7000, "No route for that URI"));
        };
        if !route.methods().contains(&request.method.as_str()) {
            return Err(Error::new(405, 7001, "Method not allowed for this route"));
        }
        let token = self.authenticate(request)?;
        match route {
            Route::Verify => Ok(ok(json!({ "id": token_id(&token), "status": "active" }))),
            Route::Projects(a) => {
                self.allow(&token, a, &[Permission::PagesRead, Permission::PagesEdit])?;
                let list: Vec<Value> = self.accounts[a].projects.values().map(render).collect();
                let count = list.len();
                let mut reply = envelope(Value::Array(list));
                reply["result_info"] = json!({ "page": 1, "per_page": count.max(10), "count": count, "total_count": count });
                Ok(Response::json(200, &reply))
            }
            Route::Project(a, p) => {
                let offset = self.clock_offset_ms;
                let project = self.pages_project(&token, request, a, p)?;
                if request.method == "PATCH" {
                    patch(project, request, offset)?;
                }
                Ok(ok(render(project)))
            }
            Route::Deployments(a, p) => {
                let project = self.pages_project(&token, request, a, p)?;
                deployments::list(project, request)
            }
            Route::Retry(a, p, d) => {
                let now = now_ms() + self.clock_offset_ms;
                self.next_id += 1;
                let seq = self.next_id;
                let project = self.pages_project(&token, request, a, p)?;
                deployments::retry(project, d, request, seq, now)
            }
            Route::Query(a, d) => {
                self.allow(&token, a, &[Permission::D1Edit])?;
                let account = self.accounts.get_mut(a).expect("allowed accounts exist");
                let db = account.databases.get_mut(d).ok_or_else(|| {
                    // Code unverified.
                    Error::new(404, 7404, &format!("The database {d} could not be found"))
                })?;
                d1::query(db, request)
            }
        }
    }

    /// A Pages project the token may read (`GET`) or edit (any write).
    fn pages_project(
        &mut self,
        token: &str,
        request: &Request,
        account: &str,
        project: &str,
    ) -> Result<&mut Project, Error> {
        let needs: &[Permission] = if request.method == "GET" {
            &[Permission::PagesRead, Permission::PagesEdit]
        } else {
            &[Permission::PagesEdit]
        };
        self.allow(token, account, needs)?;
        let account = self
            .accounts
            .get_mut(account)
            .expect("allowed accounts exist");
        account.projects.get_mut(project).ok_or_else(|| {
            Error::new(
                404,
                8_000_007,
                "Project not found. The specified project name does not match any of your existing projects.",
            )
        })
    }

    fn authenticate(&self, request: &Request) -> Result<String, Error> {
        let malformed = || {
            let mut e = Error::new(400, 6003, "Invalid request headers");
            e.chain = Some((6111, "Invalid format for Authorization header"));
            e
        };
        let token = request
            .bearer()
            .filter(|t| !t.is_empty() && !t.contains(' '))
            .ok_or_else(malformed)?;
        if !self.tokens.contains_key(token) {
            return Err(auth_error());
        }
        Ok(token.to_string())
    }

    /// The token may act in the account with one of `any`. An account it
    /// was not made for, or that does not exist, looks the same.
    fn allow(&self, token: &str, account: &str, any: &[Permission]) -> Result<(), Error> {
        let granted = self.tokens.get(token).and_then(|g| g.get(account));
        match granted {
            Some(perms)
                if any.iter().any(|p| perms.contains(p)) && self.accounts.contains_key(account) =>
            {
                Ok(())
            }
            _ => Err(auth_error()),
        }
    }
}

/// Merges `deployment_configs.<env>.env_vars` into the project. The whole
/// body is checked before anything changes.
fn patch(project: &mut Project, request: &Request, clock_offset_ms: u64) -> Result<(), Error> {
    let body = request
        .json()
        .map_err(|e| Error::new(400, 8_000_000, &format!("Invalid request body: {e}")))?;
    let Some(obj) = body.as_object() else {
        return Err(Error::new(
            400,
            8_000_000,
            "Invalid request body: expected an object",
        ));
    };
    let configs = match obj.get("deployment_configs") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(c)) => c,
        Some(_) => return Err(invalid("deployment_configs must be an object")),
    };
    let mut changes: Vec<(&'static str, String, Option<EnvVar>)> = Vec::new();
    let mut hashes = Vec::new();
    for (env, config) in configs {
        let Some(env) = ENVIRONMENTS.iter().find(|e| *e == env).copied() else {
            return Err(invalid(&format!("unknown deployment environment `{env}`")));
        };
        let Some(config) = config.as_object() else {
            return Err(invalid(&format!(
                "deployment_configs.{env} must be an object"
            )));
        };
        if let Some(Value::String(hash)) = config.get("wrangler_config_hash") {
            hashes.push((env, hash.clone()));
        }
        let vars = match config.get("env_vars") {
            None | Some(Value::Null) => continue,
            Some(Value::Object(v)) => v,
            Some(_) => {
                return Err(invalid(&format!(
                    "deployment_configs.{env}.env_vars must be an object"
                )));
            }
        };
        for (key, var) in vars {
            changes.push((env, key.clone(), parse_var(env, key, var)?));
        }
    }
    for (env, key, var) in changes {
        let config = project
            .configs
            .get_mut(env)
            .expect("both environments exist");
        match var {
            Some(v) => {
                config.env_vars.insert(key, v);
            }
            None => {
                config.env_vars.remove(&key);
            }
        }
    }
    for (env, hash) in hashes {
        project
            .configs
            .get_mut(env)
            .expect("both environments exist")
            .wrangler_config_hash = Some(hash);
    }
    project.modified_on = iso(now_ms() + clock_offset_ms);
    Ok(())
}

/// `null` deletes; otherwise `{type?, value}`, `type` defaulting to
/// `plain_text` (unverified default).
fn parse_var(env: &str, key: &str, var: &Value) -> Result<Option<EnvVar>, Error> {
    let at = format!("deployment_configs.{env}.env_vars.{key}");
    let obj = match var {
        Value::Null => return Ok(None),
        Value::Object(o) => o,
        _ => return Err(invalid(&format!("{at} must be an object or null"))),
    };
    let kind = match obj.get("type") {
        None => VarType::PlainText,
        Some(Value::String(t)) => VarType::parse(t)
            .ok_or_else(|| invalid(&format!("{at}.type must be plain_text or secret_text")))?,
        Some(_) => return Err(invalid(&format!("{at}.type must be a string"))),
    };
    let Some(Value::String(value)) = obj.get("value") else {
        return Err(invalid(&format!("{at}.value must be a string")));
    };
    Ok(Some(EnvVar {
        kind,
        value: value.clone(),
    }))
}

// ---------------------------------------------------------------------------
// Rendering

fn render(p: &Project) -> Value {
    let configs: Map<String, Value> = p
        .configs
        .iter()
        .map(|(env, c)| {
            let vars: Map<String, Value> = c
                .env_vars
                .iter()
                .map(|(k, v)| {
                    let value = match v.kind {
                        VarType::PlainText => v.value.clone(),
                        // Never the secret; see the module comment.
                        VarType::SecretText => String::new(),
                    };
                    (
                        k.clone(),
                        json!({ "type": v.kind.as_str(), "value": value }),
                    )
                })
                .collect();
            let mut config = json!({
                // An environment without variables shows `null` (unverified).
                "env_vars": if vars.is_empty() { Value::Null } else { Value::Object(vars) },
                "compatibility_date": "2024-09-23",
                "compatibility_flags": ["nodejs_compat"],
                "fail_open": true,
                "usage_model": "standard",
            });
            if let Some(hash) = &c.wrangler_config_hash {
                config["wrangler_config_hash"] = json!(hash);
            }
            (env.to_string(), config)
        })
        .collect();
    json!({
        "id": p.id,
        "name": p.name,
        "subdomain": format!("{}.pages.dev", p.name),
        "domains": [format!("{}.pages.dev", p.name)],
        "production_branch": "main",
        "created_on": p.created_on,
        "modified_on": p.modified_on,
        "deployment_configs": configs,
        "latest_deployment": p.deployments.last().map(|d| deployments::render(p, d)),
        "canonical_deployment": p.deployments.iter().rev().find(|d| d.environment == "production").map(|d| deployments::render(p, d)),
        "source": null,
    })
}

fn envelope(result: Value) -> Value {
    json!({ "success": true, "errors": [], "messages": [], "result": result })
}

fn ok(result: Value) -> Response {
    Response::json(200, &envelope(result))
}

struct Error {
    status: u16,
    code: u64,
    message: String,
    chain: Option<(u64, &'static str)>,
}

impl Error {
    fn new(status: u16, code: u64, message: &str) -> Error {
        Error {
            status,
            code,
            message: message.to_string(),
            chain: None,
        }
    }

    fn response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some((code, message)) = self.chain {
            error["error_chain"] = json!([{ "code": code, "message": message }]);
        }
        Response::json(
            self.status,
            &json!({ "success": false, "errors": [error], "messages": [], "result": null }),
        )
    }
}

fn auth_error() -> Error {
    Error::new(403, 10_000, "Authentication error")
}

fn invalid(message: &str) -> Error {
    // Code unverified: Pages' validation errors are in the 8000000 range.
    Error::new(400, 8_000_000, &format!("Invalid request: {message}"))
}

fn account<'a>(state: &'a mut State, account_id: &str) -> &'a mut Account {
    state
        .accounts
        .get_mut(account_id)
        .unwrap_or_else(|| panic!("fake Cloudflare: no account {account_id}"))
}

fn config<'a>(
    state: &'a mut State,
    account_id: &str,
    project: &str,
    env: &str,
) -> &'a mut DeploymentConfig {
    account(state, account_id)
        .projects
        .get_mut(project)
        .unwrap_or_else(|| panic!("fake Cloudflare: no project {project}"))
        .configs
        .get_mut(env)
        .unwrap_or_else(|| panic!("fake Cloudflare: no environment {env}"))
}

fn database<'a>(state: &'a mut State, account_id: &str, database_id: &str) -> &'a mut Database {
    account(state, account_id)
        .databases
        .get_mut(database_id)
        .unwrap_or_else(|| panic!("fake Cloudflare: no database {database_id}"))
}

fn touch(state: &mut State, account_id: &str, project: &str) {
    let now = now_ms() + state.clock_offset_ms;
    if let Some(p) = account(state, account_id).projects.get_mut(project) {
        p.modified_on = iso(now);
    }
}

/// A stable, non-secret id for a token (never the token itself).
fn token_id(token: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in token.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}{:016x}", h.rotate_left(17))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Epoch milliseconds as RFC 3339 (`2024-01-01T00:00:00.000Z`).
fn iso(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(951_782_400_123), "2000-02-29T00:00:00.123Z");
    }
}
