//! The fake Vercel REST API: project environment variables, plus the two
//! deployment endpoints `envctl apply --redeploy` needs.
//!
//! Behaviour follows `shared/reference/platform-apis.md` §2. Where the
//! platform is undocumented, the fake picks the stricter reading and says so
//! in the item's doc comment. In short:
//!
//! * **Routing** is on the path shape; any `/v<digits>/` prefix is accepted,
//!   because real clients use v1/v7/v8/v9/v10 for the same resource.
//! * **Auth**: a missing or unknown bearer token is `403 forbidden` (Vercel
//!   answers invalid tokens with 403 and `invalidToken: true`, never 401).
//! * **Teams**: a project owned by a team is visible only when `teamId`
//!   names that team; a `teamId` the token may not act for is `403`.
//! * **Values**: lists never reveal non-plain values (ciphertext for
//!   `encrypted`, `""` for `sensitive`, even with `decrypt=true`); only
//!   `GET …/env/{id}` decrypts, and never for `sensitive`.
//! * **Errors** are always `{"error":{"code":…,"message":…}}`.
//!
//! State lives behind a mutex; tests drive and inspect it through the
//! methods on [`FakeVercel`].

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::server::{Api, Request, Response};

/// The targets a variable may have (custom environments go through
/// `customEnvironmentIds` instead).
const TARGETS: [&str; 3] = ["production", "preview", "development"];

/// The largest page `limit` accepted; larger values are clamped.
const MAX_PAGE: usize = 100;

/// A sample of the names Vercel reserves for its runtime (its docs list
/// these among "reserved environment variables"); creating them fails with
/// `invalid_key`. Not exhaustive.
pub const RESERVED_KEYS: [&str; 16] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
    "NOW_REGION",
    "TZ",
];

/// Who made records that did not come through the API.
const DASHBOARD_USER: &str = "usr_dashboard";

/// A variable's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvType {
    Plain,
    Encrypted,
    Sensitive,
    System,
}

impl EnvType {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvType::Plain => "plain",
            EnvType::Encrypted => "encrypted",
            EnvType::Sensitive => "sensitive",
            EnvType::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<EnvType> {
        match s {
            "plain" => Some(EnvType::Plain),
            "encrypted" => Some(EnvType::Encrypted),
            "sensitive" => Some(EnvType::Sensitive),
            "system" => Some(EnvType::System),
            _ => None,
        }
    }

    /// Whether the API shows this type's value in lists as stored.
    fn is_readable(self) -> bool {
        matches!(self, EnvType::Plain | EnvType::System)
    }
}

/// One environment variable as stored, with its plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub key: String,
    pub value: String,
    pub kind: EnvType,
    pub target: Vec<String>,
    pub git_branch: Option<String>,
    pub custom_environment_ids: Vec<String>,
    pub comment: String,
    pub created_at: u64,
    pub updated_at: u64,
    pub created_by: String,
    pub updated_by: String,
}

impl Record {
    /// Targets and custom environments as one set: two records of the same
    /// key and branch clash when these overlap.
    fn scope(&self) -> BTreeSet<String> {
        scope_of(&self.target, &self.custom_environment_ids)
    }
}

/// One deployment of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub uid: String,
    /// The project's name, as Vercel names deployments.
    pub name: String,
    /// Host name without scheme, e.g. `web-abc123.vercel.app`.
    pub url: String,
    /// `Some("production")`, or `None` for a preview deployment.
    pub target: Option<String>,
    pub state: String,
    pub created_at: u64,
    /// The deployment this one redeployed, for redeploys made through the API.
    pub redeploy_of: Option<String>,
}

/// The fake Vercel API. Serve it with [`crate::Server::start`].
pub struct FakeVercel {
    state: Mutex<State>,
}

impl FakeVercel {
    /// A fake with one valid token (a personal account, no teams) and no
    /// projects.
    pub fn new(token: &str) -> FakeVercel {
        let mut state = State::new();
        state.register(token);
        FakeVercel {
            state: Mutex::new(state),
        }
    }

    /// Adds a project, addressable by `id` (`prj_…`) or `name`. With a
    /// `team_id` it is only found when requests pass that `teamId`.
    pub fn add_project(&self, id: &str, name: &str, team_id: Option<&str>) {
        self.lock().projects.push(Project {
            id: id.to_string(),
            name: name.to_string(),
            team_id: team_id.map(str::to_string),
            envs: Vec::new(),
            deployments: Vec::new(),
        });
    }

    /// Lets `token` act for `team_id`. An unknown token becomes valid (a
    /// second user).
    pub fn grant_team(&self, token: &str, team_id: &str) {
        self.lock()
            .register(token)
            .teams
            .insert(team_id.to_string());
    }

    /// The fake's clock in epoch milliseconds: real time plus whatever
    /// [`advance_clock`](Self::advance_clock) added.
    pub fn now_ms(&self) -> u64 {
        self.lock().clock.now_ms()
    }

    /// Moves the clock forward (timestamps, rate-limit windows).
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock.offset_ms += by.as_millis() as u64;
    }

    /// The page size of list endpoints when the request has no `limit`
    /// (default 20, so tests exercise pagination). Clamped to 1..=100.
    pub fn set_page_size(&self, n: usize) {
        self.lock().page_size = n.clamp(1, MAX_PAGE);
    }

    /// When on, records with exactly one target show it as a plain string
    /// instead of a one-element array, as some real responses do.
    pub fn set_string_targets(&self, on: bool) {
        self.lock().string_targets = on;
    }

    /// Allows `limit` requests per token per endpoint (method + path shape)
    /// in each fixed `window`; beyond that, 429 `rate_limited`. Off by
    /// default.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        let mut state = self.lock();
        state.rate_limit = Some(RateLimit {
            limit,
            window_ms: (window.as_millis() as u64).max(1),
        });
        state.windows.clear();
    }

    /// Turns rate limiting off again.
    pub fn clear_rate_limit(&self) {
        let mut state = self.lock();
        state.rate_limit = None;
        state.windows.clear();
    }

    /// The project's variables with plaintext, oldest first.
    ///
    /// # Panics
    /// If no project has that id or name (a bug in the test).
    pub fn records(&self, project: &str) -> Vec<Record> {
        self.lock().project_any(project).envs.clone()
    }

    /// One variable with plaintext, if it exists.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn record(&self, project: &str, id: &str) -> Option<Record> {
        let mut state = self.lock();
        let envs = &state.project_any(project).envs;
        envs.iter().find(|r| r.id == id).cloned()
    }

    /// Stores a variable as if made by hand in the dashboard, bypassing
    /// validation and conflict checks. Returns its id.
    ///
    /// # Panics
    /// If no project has that id or name.
    #[allow(clippy::too_many_arguments)] // one argument per record field
    pub fn insert_record(
        &self,
        project: &str,
        key: &str,
        value: &str,
        kind: EnvType,
        targets: &[&str],
        git_branch: Option<&str>,
        comment: &str,
    ) -> String {
        let mut state = self.lock();
        let draft = Draft {
            key: key.to_string(),
            value: value.to_string(),
            kind,
            target: targets.iter().map(|t| t.to_string()).collect(),
            git_branch: git_branch.map(str::to_string),
            custom_environment_ids: Vec::new(),
            comment: comment.to_string(),
        };
        let record = state.clock.new_record(draft, DASHBOARD_USER);
        let id = record.id.clone();
        state.project_any(project).envs.push(record);
        id
    }

    /// Simulates an edit in the dashboard: a new value and a later
    /// `updatedAt`; everything else (comment included) is kept.
    ///
    /// # Panics
    /// If the project or the record does not exist.
    pub fn edit_behind_back(&self, project: &str, id: &str, new_value: &str) {
        let mut state = self.lock();
        let State {
            projects, clock, ..
        } = &mut *state;
        let record = find_project(projects, project)
            .envs
            .iter_mut()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("fake Vercel: no variable {id} in {project}"));
        record.value = new_value.to_string();
        record.updated_at = clock.bump(record.updated_at);
        record.updated_by = DASHBOARD_USER.to_string();
    }

    /// Removes a variable behind the client's back; returns it if it existed.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn remove_record(&self, project: &str, id: &str) -> Option<Record> {
        let mut state = self.lock();
        let envs = &mut state.project_any(project).envs;
        let at = envs.iter().position(|r| r.id == id)?;
        Some(envs.remove(at))
    }

    /// Adds a READY deployment. `target` is `"production"` or `None` for a
    /// preview (a plain `&str` works too).
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn add_deployment<'a>(&self, project: &str, uid: &str, target: impl Into<Option<&'a str>>) {
        let mut state = self.lock();
        let State {
            projects, clock, ..
        } = &mut *state;
        let project = find_project(projects, project);
        let deployment = Deployment {
            uid: uid.to_string(),
            name: project.name.clone(),
            url: format!("{}-{}.vercel.app", project.name, url_suffix(uid)),
            target: target
                .into()
                .filter(|t| *t != "preview")
                .map(str::to_string),
            state: "READY".to_string(),
            created_at: clock.stamp(),
            redeploy_of: None,
        };
        project.deployments.push(deployment);
    }

    /// The project's deployments, oldest first.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn deployments(&self, project: &str) -> Vec<Deployment> {
        self.lock().project_any(project).deployments.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Api for FakeVercel {
    fn handle(&self, request: &Request) -> Response {
        let Some(route) = Route::parse(&request.path) else {
            return Error::new(404, "not_found", "The requested path was not found").response();
        };
        let methods = route.methods();
        if !methods.contains(&request.method.as_str()) {
            return method_unknown(methods);
        }
        let mut state = self.lock();
        let date = crate::server::http_date(state.clock.now_ms());
        state
            .serve(request, route)
            .unwrap_or_else(|e| e.response())
            .with_header("date", date)
    }

    /// The 429 for injected bursts. `total` is the configured limit, or 100
    /// when rate limiting is off (the real numbers are undocumented).
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        let state = self.lock();
        let total = state.rate_limit.as_ref().map_or(100, |r| r.limit);
        let reset_ms = state.clock.now_ms() + retry_after_secs * 1000;
        rate_limited(total, reset_ms, retry_after_secs)
    }

    fn server_error(&self) -> Response {
        Error::new(
            500,
            "internal_server_error",
            "An unexpected internal error occurred",
        )
        .response()
    }

    /// Vercel's `bad_request`, quoting the body.
    fn echo_rejection(&self, request: &Request) -> Response {
        bad_request(&crate::server::echo_message(request)).response()
    }
}

// ---------------------------------------------------------------------------
// State

struct State {
    /// Token → what it may do.
    accounts: HashMap<String, Account>,
    projects: Vec<Project>,
    clock: Clock,
    page_size: usize,
    string_targets: bool,
    rate_limit: Option<RateLimit>,
    /// (token, endpoint) → the current fixed window.
    windows: HashMap<(String, String), Window>,
}

struct Account {
    user_id: String,
    teams: BTreeSet<String>,
}

struct Project {
    id: String,
    name: String,
    team_id: Option<String>,
    envs: Vec<Record>,
    deployments: Vec<Deployment>,
}

struct RateLimit {
    limit: u32,
    window_ms: u64,
}

struct Window {
    start_ms: u64,
    count: u32,
}

/// The authenticated caller and the team it acts for.
struct Caller {
    user_id: String,
    team: Option<String>,
}

impl State {
    fn new() -> State {
        State {
            accounts: HashMap::new(),
            projects: Vec::new(),
            clock: Clock::new(),
            page_size: 20,
            string_targets: false,
            rate_limit: None,
            windows: HashMap::new(),
        }
    }

    fn register(&mut self, token: &str) -> &mut Account {
        let user_id = format!("usr_{}", &hex(&Sha256::digest(token.as_bytes()))[..16]);
        self.accounts
            .entry(token.to_string())
            .or_insert_with(|| Account {
                user_id,
                teams: BTreeSet::new(),
            })
    }

    /// A project by id or name regardless of team, for the test helpers.
    fn project_any(&mut self, id_or_name: &str) -> &mut Project {
        find_project(&mut self.projects, id_or_name)
    }

    /// Auth, rate limit, team scope, then the endpoint.
    fn serve(&mut self, request: &Request, route: Route) -> Result<Response, Error> {
        let token = request.bearer().filter(|t| !t.is_empty());
        let caller = self.authenticate(token, request.query("teamId"))?;
        let token = token.unwrap_or_default();
        self.throttle(token, &request.method, route.shape())?;
        match (request.method.as_str(), route) {
            ("GET", Route::Envs(p)) => self.list_envs(request, &caller, p),
            ("POST", Route::Envs(p)) => self.create_envs(request, &caller, p),
            ("DELETE", Route::Envs(p)) => self.delete_envs(request, &caller, p),
            ("GET", Route::Env(p, id)) => self.get_env(&caller, p, id),
            ("PATCH", Route::Env(p, id)) => self.edit_env(request, &caller, p, id),
            ("DELETE", Route::Env(p, id)) => self.delete_env(&caller, p, id),
            ("GET", Route::Deployments) => self.list_deployments(request, &caller),
            ("POST", Route::Deployments) => self.redeploy(request, &caller),
            // `handle` already answered methods the route does not have.
            _ => Err(Error::new(500, "internal_server_error", "unrouted")),
        }
    }

    /// Missing token → 403 `missingToken`; unknown → 403 `invalidToken`;
    /// a `teamId` the token may not act for → 403.
    fn authenticate(&self, token: Option<&str>, team: Option<&str>) -> Result<Caller, Error> {
        let Some(token) = token else {
            return Err(Error::new(
                403,
                "forbidden",
                "The request is missing an authentication token",
            )
            .with("missingToken", true));
        };
        let Some(account) = self.accounts.get(token) else {
            return Err(Error::new(403, "forbidden", "Not authorized").with("invalidToken", true));
        };
        let team = team.filter(|t| !t.is_empty());
        if let Some(team) = team
            && !account.teams.contains(team)
        {
            return Err(Error::new(403, "forbidden", "Not authorized"));
        }
        Ok(Caller {
            user_id: account.user_id.clone(),
            team: team.map(str::to_string),
        })
    }

    /// Counts the request in its fixed window; a 429 once the window is full.
    fn throttle(&mut self, token: &str, method: &str, shape: &str) -> Result<(), Error> {
        let Some(limit) = &self.rate_limit else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        let window = self
            .windows
            .entry((token.to_string(), format!("{method} {shape}")))
            .or_insert(Window {
                start_ms: now,
                count: 0,
            });
        if now >= window.start_ms + limit.window_ms {
            *window = Window {
                start_ms: now,
                count: 0,
            };
        }
        if window.count >= limit.limit {
            let reset_ms = window.start_ms + limit.window_ms;
            let retry_after = (reset_ms - now).div_ceil(1000).max(1);
            return Err(Error::Ready(rate_limited(
                limit.limit,
                reset_ms,
                retry_after,
            )));
        }
        window.count += 1;
        Ok(())
    }

    /// The index of a project visible to `caller`: a team's project only
    /// under its `teamId`, a personal one only without `teamId`.
    fn project_index(&self, caller: &Caller, id_or_name: &str) -> Result<usize, Error> {
        self.projects
            .iter()
            .position(|p| (p.id == id_or_name || p.name == id_or_name) && p.team_id == caller.team)
            .ok_or_else(|| Error::new(404, "not_found", "Project not found"))
    }

    // --- environment variables ---------------------------------------------

    /// `GET /vN/projects/{p}/env`: newest first, paged by `createdAt`.
    /// `target` keeps records that include it; `gitBranch` keeps records of
    /// that branch *and* those without a branch (the ones that apply to it —
    /// undocumented, chosen to match what `vercel env pull` needs);
    /// `customEnvironmentId` keeps records of that custom environment.
    /// `decrypt` and `source` are accepted and ignored (see the module doc).
    fn list_envs(&self, request: &Request, caller: &Caller, p: &str) -> Result<Response, Error> {
        let page = PageQuery::parse(request, self.page_size)?;
        let target = request.query("target");
        let branch = request.query("gitBranch").filter(|b| !b.is_empty());
        let custom = request.query("customEnvironmentId");
        let project = &self.projects[self.project_index(caller, p)?];
        let mut matching: Vec<&Record> = project
            .envs
            .iter()
            .filter(|r| target.is_none_or(|t| r.target.iter().any(|x| x == t)))
            .filter(|r| branch.is_none_or(|b| r.git_branch.as_deref().is_none_or(|x| x == b)))
            .filter(|r| custom.is_none_or(|c| r.custom_environment_ids.iter().any(|x| x == c)))
            .collect();
        matching.sort_by_key(|r| Reverse(r.created_at));
        let (items, pagination) = page.apply(matching, |r| r.created_at);
        let envs: Vec<Value> = items
            .into_iter()
            .map(|r| render(r, View::Listed, self.string_targets))
            .collect();
        Ok(Response::json(
            200,
            &json!({ "envs": envs, "pagination": pagination }),
        ))
    }

    /// `GET /vN/projects/{p}/env/{id}`: the one endpoint that decrypts.
    fn get_env(&self, caller: &Caller, p: &str, id: &str) -> Result<Response, Error> {
        let project = &self.projects[self.project_index(caller, p)?];
        let record = &project.envs[env_index(&project.envs, id)?];
        Ok(Response::json(
            200,
            &render(record, View::Decrypted, self.string_targets),
        ))
    }

    /// `POST /vN/projects/{p}/env[?upsert=true]`, a single object or an
    /// array. Items are applied in order, so later items see earlier ones.
    ///
    /// An array answers `201 {created: [...], failed: [...]}` whatever
    /// failed. A single object answers `201 {created: {...}, failed: []}`,
    /// or `400` with its failure as `error` (and in `failed`). A body that
    /// is not JSON, or items missing `key`/`value`/`type` or with fields of
    /// the wrong JSON type, are `400 bad_request` and nothing is written.
    fn create_envs(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let upsert = request
            .query("upsert")
            .is_some_and(|v| !matches!(v, "" | "false" | "0"));
        let body = request.json()?;
        let (inputs, single) = match &body {
            Value::Array(items) if items.is_empty() => {
                return Err(bad_request("Invalid request: body must not be empty"));
            }
            Value::Array(items) => (items.iter().collect::<Vec<_>>(), false),
            Value::Object(_) => (vec![&body], true),
            _ => {
                return Err(bad_request(
                    "Invalid request: body must be an object or an array",
                ));
            }
        };
        let inputs = inputs
            .into_iter()
            .map(EnvInput::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let index = self.project_index(caller, p)?;
        let string_targets = self.string_targets;
        let State {
            projects, clock, ..
        } = self;
        let project = &mut projects[index];
        let mut created = Vec::new();
        let mut failed = Vec::new();
        for input in inputs {
            match create_one(project, clock, input, upsert, &caller.user_id) {
                Ok(record) => created.push(render(&record, View::Written, string_targets)),
                Err(e) => failed.push(e.envelope()),
            }
        }
        if single {
            if let Some(failure) = failed.first() {
                let mut body = failure.clone();
                body["failed"] = Value::Array(failed);
                return Ok(Response::json(400, &body));
            }
            let created = created.pop().unwrap_or(Value::Null);
            return Ok(Response::json(
                201,
                &json!({ "created": created, "failed": [] }),
            ));
        }
        Ok(Response::json(
            201,
            &json!({ "created": created, "failed": failed }),
        ))
    }

    /// `PATCH /vN/projects/{p}/env/{id}`: same rules as create; a conflict
    /// is `400 ENV_CONFLICT`, and `sensitive` can never change type.
    fn edit_env(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
        id: &str,
    ) -> Result<Response, Error> {
        let body = request.json()?;
        let patch = EnvPatch::from_json(&body)?;
        let index = self.project_index(caller, p)?;
        let string_targets = self.string_targets;
        let State {
            projects, clock, ..
        } = self;
        let project = &mut projects[index];
        let at = env_index(&project.envs, id)?;
        let current = &project.envs[at];
        let draft = patch.apply(current)?;
        if current.kind == EnvType::Sensitive && draft.kind != EnvType::Sensitive {
            return Err(bad_request(
                "Sensitive environment variables cannot be changed to another type",
            ));
        }
        draft.validate()?;
        if let Some(other) = conflicts(&project.envs, &draft, Some(id)).first() {
            return Err(conflict(&project.envs[*other], &draft));
        }
        let record = &mut project.envs[at];
        draft.write_into(record);
        record.updated_at = clock.bump(record.updated_at);
        record.updated_by = caller.user_id.clone();
        Ok(Response::json(
            200,
            &render(record, View::Written, string_targets),
        ))
    }

    /// `DELETE /vN/projects/{p}/env/{id}`: the removed record.
    fn delete_env(&mut self, caller: &Caller, p: &str, id: &str) -> Result<Response, Error> {
        let index = self.project_index(caller, p)?;
        let envs = &mut self.projects[index].envs;
        let at = env_index(envs, id)?;
        let record = envs.remove(at);
        Ok(Response::json(
            200,
            &render(&record, View::Written, self.string_targets),
        ))
    }

    /// `DELETE /vN/projects/{p}/env` with `{"ids": [...]}`. All or nothing:
    /// any unknown id is `400 bad_request` naming them, and nothing is
    /// deleted. Repeated ids count once.
    fn delete_envs(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let body = request.json()?;
        let ids = string_list(body.get("ids"))
            .filter(|ids| !ids.is_empty())
            .ok_or_else(|| {
                bad_request("Invalid request: `ids` must be a non-empty array of strings")
            })?;
        let ids: Vec<String> = ids.into_iter().fold(Vec::new(), |mut acc, id| {
            if !acc.contains(&id) {
                acc.push(id);
            }
            acc
        });
        let index = self.project_index(caller, p)?;
        let envs = &mut self.projects[index].envs;
        let unknown: Vec<&String> = ids
            .iter()
            .filter(|id| !envs.iter().any(|r| &r.id == *id))
            .collect();
        if !unknown.is_empty() {
            let list = unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(
                bad_request(&format!("Environment variables not found: {list}"))
                    .with("ids", json!(unknown)),
            );
        }
        envs.retain(|r| !ids.contains(&r.id));
        Ok(Response::json(
            200,
            &json!({ "deleted": ids.len(), "ids": ids }),
        ))
    }

    // --- deployments --------------------------------------------------------

    /// `GET /vN/deployments`: filters `projectId` (id or name), `target`
    /// (`production`, or `preview` for deployments without a target) and
    /// `state` (comma-separated); newest first, paged like env lists.
    fn list_deployments(&self, request: &Request, caller: &Caller) -> Result<Response, Error> {
        let page = PageQuery::parse(request, self.page_size)?;
        let projects: Vec<&Project> = match request.query("projectId") {
            Some(p) => vec![&self.projects[self.project_index(caller, p)?]],
            None => self
                .projects
                .iter()
                .filter(|p| p.team_id == caller.team)
                .collect(),
        };
        let target = request.query("target");
        let states: Option<Vec<String>> = request.query("state").map(|s| {
            s.split(',')
                .map(|x| x.trim().to_ascii_uppercase())
                .collect()
        });
        let mut matching: Vec<(&Project, &Deployment)> = projects
            .into_iter()
            .flat_map(|p| p.deployments.iter().map(move |d| (p, d)))
            .filter(|(_, d)| target.is_none_or(|t| d.target.as_deref().unwrap_or("preview") == t))
            .filter(|(_, d)| states.as_ref().is_none_or(|s| s.contains(&d.state)))
            .collect();
        matching.sort_by_key(|(_, d)| Reverse(d.created_at));
        let (items, pagination) = page.apply(matching, |(_, d)| d.created_at);
        let deployments: Vec<Value> = items
            .into_iter()
            .map(|(p, d)| render_deployment(p, d))
            .collect();
        Ok(Response::json(
            200,
            &json!({ "deployments": deployments, "pagination": pagination }),
        ))
    }

    /// `POST /vN/deployments` with `{name, deploymentId, target?}`: a
    /// redeploy (the only kind the fake does). The build is instant: the
    /// answer says `QUEUED`, the stored deployment is `READY`.
    fn redeploy(&mut self, request: &Request, caller: &Caller) -> Result<Response, Error> {
        let body = request.json()?;
        let Some(body) = body.as_object() else {
            return Err(bad_request("Invalid request: body must be an object"));
        };
        let name = body.get("name").and_then(Value::as_str);
        let source = body.get("deploymentId").and_then(Value::as_str);
        let (Some(_), Some(source)) = (name, source) else {
            return Err(bad_request(
                "Invalid request: `name` and `deploymentId` are required (the fake only redeploys)",
            ));
        };
        let target = match body.get("target") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t == "production" || t == "preview" => Some(t.clone()),
            Some(_) => {
                return Err(bad_request(
                    "Invalid request: `target` must be production or preview",
                ));
            }
        };
        let State {
            projects, clock, ..
        } = self;
        let project = projects
            .iter_mut()
            .filter(|p| p.team_id == caller.team)
            .find(|p| p.deployments.iter().any(|d| d.uid == source))
            .ok_or_else(|| Error::new(404, "not_found", "Deployment not found"))?;
        let previous = project.deployments.iter().find(|d| d.uid == source);
        let target = target.or_else(|| previous.and_then(|d| d.target.clone()));
        let uid = format!("dpl_{}", clock.id());
        let deployment = Deployment {
            url: format!("{}-{}.vercel.app", project.name, url_suffix(&uid)),
            uid,
            name: project.name.clone(),
            target: target.filter(|t| t != "preview"),
            state: "READY".to_string(),
            created_at: clock.stamp(),
            redeploy_of: Some(source.to_string()),
        };
        let answer = json!({
            "id": deployment.uid,
            "url": deployment.url,
            "name": deployment.name,
            "projectId": project.id,
            "target": deployment.target,
            "readyState": "QUEUED",
            "createdAt": deployment.created_at,
        });
        project.deployments.push(deployment);
        Ok(Response::json(200, &answer))
    }
}

fn find_project<'a>(projects: &'a mut [Project], id_or_name: &str) -> &'a mut Project {
    projects
        .iter_mut()
        .find(|p| p.id == id_or_name || p.name == id_or_name)
        .unwrap_or_else(|| panic!("fake Vercel: no project {id_or_name}"))
}

fn env_index(envs: &[Record], id: &str) -> Result<usize, Error> {
    envs.iter()
        .position(|r| r.id == id)
        .ok_or_else(|| Error::new(404, "not_found", "Environment variable not found"))
}

/// Creates one item, or with `upsert` updates the record that has exactly
/// the same targets and branch. A record whose targets merely overlap is
/// never touched: that is `ENV_CONFLICT`, upsert or not.
fn create_one(
    project: &mut Project,
    clock: &mut Clock,
    input: EnvInput,
    upsert: bool,
    user: &str,
) -> Result<Record, Error> {
    let draft = input.into_draft()?;
    draft.validate()?;
    let clashes = conflicts(&project.envs, &draft, None);
    let Some(&first) = clashes.first() else {
        let record = clock.new_record(draft, user);
        project.envs.push(record.clone());
        return Ok(record);
    };
    let existing = &project.envs[first];
    if !upsert || clashes.len() > 1 || existing.scope() != draft.scope() {
        return Err(conflict(existing, &draft));
    }
    if existing.kind == EnvType::Sensitive && draft.kind != EnvType::Sensitive {
        return Err(bad_request(
            "Sensitive environment variables cannot be changed to another type",
        )
        .with("key", draft.key.clone()));
    }
    let record = &mut project.envs[first];
    record.value = draft.value;
    record.kind = draft.kind;
    record.comment = draft.comment;
    record.updated_at = clock.bump(record.updated_at);
    record.updated_by = user.to_string();
    Ok(record.clone())
}

/// Indices of records that clash with `draft`: same key, same branch
/// (`None` equals `None`), overlapping targets or custom environments.
fn conflicts(envs: &[Record], draft: &Draft, except: Option<&str>) -> Vec<usize> {
    let scope = draft.scope();
    envs.iter()
        .enumerate()
        .filter(|(_, r)| Some(r.id.as_str()) != except)
        .filter(|(_, r)| r.key == draft.key && r.git_branch == draft.git_branch)
        .filter(|(_, r)| !r.scope().is_disjoint(&scope))
        .map(|(i, _)| i)
        .collect()
}

/// `400 ENV_CONFLICT`, with the fields the Terraform provider reads.
fn conflict(existing: &Record, draft: &Draft) -> Error {
    let targets = draft.target.join(", ");
    let branch = draft
        .git_branch
        .as_deref()
        .map(|b| format!(" and Git branch {b}"))
        .unwrap_or_default();
    Error::new(
        400,
        "ENV_CONFLICT",
        &format!(
            "A variable with the name `{}` already exists for the target {targets}{branch}",
            draft.key
        ),
    )
    .with("key", draft.key.clone())
    .with("envVarKey", draft.key.clone())
    .with("envVarId", existing.id.clone())
    .with("target", json!(draft.target))
    .with("gitBranch", json!(draft.git_branch))
}

// ---------------------------------------------------------------------------
// Request bodies

/// One create item, schema-checked but not yet validated.
struct EnvInput {
    key: String,
    value: String,
    kind: String,
    target: Vec<String>,
    git_branch: Option<String>,
    comment: String,
    custom_environment_ids: Vec<String>,
}

impl EnvInput {
    fn from_json(item: &Value) -> Result<EnvInput, Error> {
        let Some(obj) = item.as_object() else {
            return Err(bad_request("Invalid request: each item must be an object"));
        };
        Ok(EnvInput {
            key: required_str(obj, "key")?,
            value: required_str(obj, "value")?,
            kind: required_str(obj, "type")?,
            target: optional_targets(obj)?.unwrap_or_default(),
            git_branch: optional_branch(obj)?.flatten(),
            comment: optional_str(obj, "comment")?.unwrap_or_default(),
            custom_environment_ids: optional_list(obj, "customEnvironmentIds")?.unwrap_or_default(),
        })
    }

    fn into_draft(self) -> Result<Draft, Error> {
        Ok(Draft {
            kind: request_type(&self.kind, &self.key)?,
            key: self.key,
            value: self.value,
            target: self.target,
            git_branch: self.git_branch,
            custom_environment_ids: self.custom_environment_ids,
            comment: self.comment,
        })
    }
}

/// A PATCH body: every field optional; `gitBranch: null` clears the branch.
struct EnvPatch {
    key: Option<String>,
    value: Option<String>,
    kind: Option<String>,
    target: Option<Vec<String>>,
    git_branch: Option<Option<String>>,
    comment: Option<String>,
    custom_environment_ids: Option<Vec<String>>,
}

impl EnvPatch {
    fn from_json(body: &Value) -> Result<EnvPatch, Error> {
        let Some(obj) = body.as_object() else {
            return Err(bad_request("Invalid request: body must be an object"));
        };
        Ok(EnvPatch {
            key: optional_str(obj, "key")?,
            value: optional_str(obj, "value")?,
            kind: optional_str(obj, "type")?,
            target: optional_targets(obj)?,
            git_branch: optional_branch(obj)?,
            comment: optional_str(obj, "comment")?,
            custom_environment_ids: optional_list(obj, "customEnvironmentIds")?,
        })
    }

    /// The record as it would be after the patch.
    fn apply(self, current: &Record) -> Result<Draft, Error> {
        let key = self.key.unwrap_or_else(|| current.key.clone());
        let kind = match self.kind {
            Some(kind) => request_type(&kind, &key)?,
            None => current.kind,
        };
        Ok(Draft {
            kind,
            value: self.value.unwrap_or_else(|| current.value.clone()),
            target: self.target.unwrap_or_else(|| current.target.clone()),
            git_branch: self
                .git_branch
                .unwrap_or_else(|| current.git_branch.clone()),
            custom_environment_ids: self
                .custom_environment_ids
                .unwrap_or_else(|| current.custom_environment_ids.clone()),
            comment: self.comment.unwrap_or_else(|| current.comment.clone()),
            key,
        })
    }
}

/// A variable's writable fields, ready to validate and store.
struct Draft {
    key: String,
    value: String,
    kind: EnvType,
    target: Vec<String>,
    git_branch: Option<String>,
    custom_environment_ids: Vec<String>,
    comment: String,
}

impl Draft {
    fn scope(&self) -> BTreeSet<String> {
        scope_of(&self.target, &self.custom_environment_ids)
    }

    /// The per-item rules; failures carry the item's key, target and branch.
    fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|e| {
            e.with("key", self.key.clone())
                .with("target", json!(self.target))
                .with("gitBranch", json!(self.git_branch))
        })
    }

    fn check(&self) -> Result<(), Error> {
        if !valid_key(&self.key) {
            return Err(Error::new(
                400,
                "invalid_key",
                &format!(
                    "The name `{}` is invalid: letters, digits and underscores only, not starting with a digit",
                    self.key
                ),
            ));
        }
        if RESERVED_KEYS.contains(&self.key.as_str()) {
            return Err(Error::new(
                400,
                "invalid_key",
                &format!("The name `{}` is reserved", self.key),
            ));
        }
        if let Some(bad) = self.target.iter().find(|t| !TARGETS.contains(&t.as_str())) {
            return Err(bad_request(&format!(
                "Invalid target `{bad}`: must be production, preview or development"
            )));
        }
        if self.target.is_empty() && self.custom_environment_ids.is_empty() {
            return Err(bad_request(
                "Invalid request: `target` is required unless `customEnvironmentIds` is given",
            ));
        }
        if self.git_branch.is_some() && self.target != ["preview"] {
            return Err(bad_request(
                "A Git branch can only be set for the Preview target alone",
            ));
        }
        if self.git_branch.as_ref().is_some_and(|b| b.len() > 250) {
            return Err(bad_request("The Git branch must be at most 250 characters"));
        }
        if self.kind == EnvType::Sensitive && self.target.iter().any(|t| t == "development") {
            return Err(bad_request(
                "Sensitive environment variables cannot be created in the Development environment",
            ));
        }
        Ok(())
    }

    fn write_into(self, record: &mut Record) {
        record.key = self.key;
        record.value = self.value;
        record.kind = self.kind;
        record.target = self.target;
        record.git_branch = self.git_branch;
        record.custom_environment_ids = self.custom_environment_ids;
        record.comment = self.comment;
    }
}

/// The request `type`: `plain`, `encrypted` or `sensitive`. `system` is
/// in the request enum but reserved for Vercel's own variables, so the fake
/// rejects it; `secret` (retired) and anything else too.
fn request_type(kind: &str, key: &str) -> Result<EnvType, Error> {
    match EnvType::parse(kind) {
        Some(t @ (EnvType::Plain | EnvType::Encrypted | EnvType::Sensitive)) => Ok(t),
        _ => Err(bad_request(&format!(
            "Invalid type `{kind}`: must be plain, encrypted or sensitive"
        ))
        .with("key", key.to_string())),
    }
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn scope_of(target: &[String], custom: &[String]) -> BTreeSet<String> {
    target
        .iter()
        .cloned()
        .chain(custom.iter().map(|c| format!("custom:{c}")))
        .collect()
}

fn schema_error(field: &str, expected: &str) -> Error {
    bad_request(&format!("Invalid request: `{field}` should be {expected}"))
}

fn required_str(obj: &Map<String, Value>, field: &str) -> Result<String, Error> {
    optional_str(obj, field)?.ok_or_else(|| {
        bad_request(&format!(
            "Invalid request: missing required property `{field}`"
        ))
    })
}

fn optional_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, Error> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(schema_error(field, "a string")),
    }
}

fn optional_list(obj: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, Error> {
    match obj.get(field) {
        None => Ok(None),
        value => string_list(value)
            .map(Some)
            .ok_or_else(|| schema_error(field, "an array of strings")),
    }
}

/// `target` as an array, or leniently a single string; duplicates dropped.
fn optional_targets(obj: &Map<String, Value>) -> Result<Option<Vec<String>>, Error> {
    let targets = match obj.get("target") {
        None => return Ok(None),
        Some(Value::String(s)) => vec![s.clone()],
        value => string_list(value).ok_or_else(|| schema_error("target", "an array of strings"))?,
    };
    let mut unique = Vec::new();
    for t in targets {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    Ok(Some(unique))
}

/// `gitBranch`: absent → `None`; `null` or `""` → `Some(None)`.
fn optional_branch(obj: &Map<String, Value>) -> Result<Option<Option<String>>, Error> {
    match obj.get("gitBranch") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()).filter(|s| !s.is_empty()))),
        Some(_) => Err(schema_error("gitBranch", "a string or null")),
    }
}

fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

// ---------------------------------------------------------------------------
// Responses

/// How much of a value a response shows.
#[derive(Clone, Copy)]
enum View {
    /// Lists: plaintext for plain; ciphertext for encrypted; `""` for
    /// sensitive.
    Listed,
    /// `GET …/env/{id}`: plaintext and `decrypted: true`, except sensitive
    /// (no `value`, `decrypted: false`).
    Decrypted,
    /// Answers to writes: plaintext for plain, otherwise ciphertext.
    Written,
}

fn render(r: &Record, view: View, string_targets: bool) -> Value {
    let mut obj = Map::new();
    let target = match r.target.as_slice() {
        [one] if string_targets => json!(one),
        all => json!(all),
    };
    obj.insert("target".into(), target);
    obj.insert("type".into(), json!(r.kind.as_str()));
    let (value, decrypted) = match (view, r.kind) {
        (View::Decrypted, EnvType::Sensitive) => (None, Some(false)),
        (View::Decrypted, _) => (Some(r.value.clone()), Some(true)),
        (_, kind) if kind.is_readable() => (Some(r.value.clone()), None),
        (View::Listed, EnvType::Sensitive) => (Some(String::new()), Some(false)),
        _ => (Some(ciphertext(&r.id, &r.value)), Some(false)),
    };
    if let Some(decrypted) = decrypted {
        obj.insert("decrypted".into(), json!(decrypted));
    }
    if let Some(value) = value {
        obj.insert("value".into(), json!(value));
    }
    obj.insert("id".into(), json!(r.id));
    obj.insert("key".into(), json!(r.key));
    obj.insert("configurationId".into(), Value::Null);
    obj.insert("createdAt".into(), json!(r.created_at));
    obj.insert("updatedAt".into(), json!(r.updated_at));
    obj.insert("createdBy".into(), json!(r.created_by));
    obj.insert("updatedBy".into(), json!(r.updated_by));
    obj.insert("comment".into(), json!(r.comment));
    obj.insert(
        "customEnvironmentIds".into(),
        json!(r.custom_environment_ids),
    );
    if let Some(branch) = &r.git_branch {
        obj.insert("gitBranch".into(), json!(branch));
    }
    Value::Object(obj)
}

fn render_deployment(p: &Project, d: &Deployment) -> Value {
    json!({
        "uid": d.uid,
        "name": d.name,
        "url": d.url,
        "projectId": p.id,
        "target": d.target,
        "createdAt": d.created_at,
        "state": d.state,
        "readyState": d.state,
    })
}

/// An opaque, deterministic stand-in for Vercel's ciphertext: base64 of
/// SHA-256 over the record id and the value. Never equal to the plaintext.
fn ciphertext(id: &str, value: &str) -> String {
    let digest = Sha256::digest(format!("envctl-fakes/vercel\0{id}\0{value}").as_bytes());
    base64(&digest)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Nine lowercase characters for a deployment URL, derived from its uid.
fn url_suffix(uid: &str) -> String {
    hex(&Sha256::digest(uid.as_bytes()))[..9].to_string()
}

/// `limit` / `until` of a list request.
struct PageQuery {
    limit: usize,
    until: Option<u64>,
}

impl PageQuery {
    /// `limit` defaults to `default` and is clamped to 100; `0` or a
    /// non-number is `400`. `until` must be a number.
    fn parse(request: &Request, default: usize) -> Result<PageQuery, Error> {
        let limit = match request.query("limit") {
            None => default,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if n > 0 => n.min(MAX_PAGE),
                _ => {
                    return Err(bad_request(
                        "Invalid request: `limit` should be a positive number",
                    ));
                }
            },
        };
        let until = match request.query("until") {
            None => None,
            Some(u) => Some(
                u.parse::<u64>()
                    .map_err(|_| bad_request("Invalid request: `until` should be a number"))?,
            ),
        };
        Ok(PageQuery { limit, until })
    }

    /// One page of `items` (sorted newest first) and its pagination object:
    /// `next` is the `createdAt` of the page's last item when more remain,
    /// `prev` the first item's when this is not the first page.
    fn apply<T>(&self, items: Vec<T>, stamp: impl Fn(&T) -> u64) -> (Vec<T>, Value) {
        let mut rest: Vec<T> = items
            .into_iter()
            .filter(|i| self.until.is_none_or(|u| stamp(i) < u))
            .collect();
        let more = rest.len() > self.limit;
        rest.truncate(self.limit);
        let next = rest.last().filter(|_| more).map(&stamp);
        let prev = rest.first().filter(|_| self.until.is_some()).map(&stamp);
        let pagination = json!({ "count": rest.len(), "next": next, "prev": prev });
        (rest, pagination)
    }
}

/// A failure, rendered as `{"error":{code, message, …}}`, or a response
/// already built (429).
enum Error {
    Api {
        status: u16,
        fields: Map<String, Value>,
    },
    Ready(Response),
}

impl Error {
    fn new(status: u16, code: &str, message: &str) -> Error {
        let mut fields = Map::new();
        fields.insert("code".into(), json!(code));
        fields.insert("message".into(), json!(message));
        Error::Api { status, fields }
    }

    /// Adds a field next to `code` and `message`.
    fn with(self, name: &str, value: impl Into<Value>) -> Error {
        match self {
            Error::Api { status, mut fields } => {
                fields.insert(name.to_string(), value.into());
                Error::Api { status, fields }
            }
            ready => ready,
        }
    }

    /// `{"error": {...}}`.
    fn envelope(&self) -> Value {
        match self {
            Error::Api { fields, .. } => json!({ "error": fields }),
            Error::Ready(_) => json!({ "error": { "code": "internal_server_error" } }),
        }
    }

    fn response(self) -> Response {
        match self {
            Error::Api { status, .. } => Response::json(status, &self.envelope()),
            Error::Ready(response) => response,
        }
    }
}

fn bad_request(message: &str) -> Error {
    Error::new(400, "bad_request", message)
}

impl From<String> for Error {
    fn from(message: String) -> Error {
        bad_request(&message)
    }
}

fn method_unknown(allowed: &[&str]) -> Response {
    let list = allowed.join(", ");
    Error::new(
        405,
        "method_unknown",
        &format!("This endpoint only supports {list} requests"),
    )
    .response()
    .with_header("allow", list)
}

/// Vercel's 429: `Retry-After` in seconds and the documented `limit` object.
fn rate_limited(total: u32, reset_ms: u64, retry_after_secs: u64) -> Response {
    let body = json!({
        "error": {
            "code": "rate_limited",
            "message": "Rate limit exceeded",
            "limit": {
                "remaining": 0,
                "reset": reset_ms / 1000,
                "resetMs": reset_ms,
                "total": total,
            },
        }
    });
    Response::json(429, &body).with_header("retry-after", retry_after_secs)
}

// ---------------------------------------------------------------------------
// Routing

/// A path shape, whatever its `/vN/` prefix.
#[derive(Clone, Copy)]
enum Route<'a> {
    /// `/vN/projects/{idOrName}/env`
    Envs(&'a str),
    /// `/vN/projects/{idOrName}/env/{id}`
    Env(&'a str, &'a str),
    /// `/vN/deployments`
    Deployments,
}

impl<'a> Route<'a> {
    fn parse(path: &'a str) -> Option<Route<'a>> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (version, rest) = segments.split_first()?;
        if !is_version(version) || rest.iter().any(|s| s.is_empty()) {
            return None;
        }
        match rest {
            ["projects", p, "env"] => Some(Route::Envs(p)),
            ["projects", p, "env", id] => Some(Route::Env(p, id)),
            ["deployments"] => Some(Route::Deployments),
            _ => None,
        }
    }

    fn methods(self) -> &'static [&'static str] {
        match self {
            Route::Envs(_) => &["GET", "POST", "DELETE"],
            Route::Env(..) => &["GET", "PATCH", "DELETE"],
            Route::Deployments => &["GET", "POST"],
        }
    }

    /// The endpoint's name for rate limiting.
    fn shape(self) -> &'static str {
        match self {
            Route::Envs(_) => "/projects/:idOrName/env",
            Route::Env(..) => "/projects/:idOrName/env/:id",
            Route::Deployments => "/deployments",
        }
    }
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------------------
// Clock and ids

/// The clock, timestamps and ids.
struct Clock {
    /// Epoch ms when the fake started, and the instant it did.
    base_ms: u64,
    started: Instant,
    offset_ms: u64,
    last_stamp: u64,
    seed: u64,
    counter: u64,
}

impl Clock {
    fn new() -> Clock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            base_ms: since_epoch.as_millis() as u64,
            started: Instant::now(),
            offset_ms: 0,
            last_stamp: 0,
            seed: since_epoch.as_nanos() as u64,
            counter: 0,
        }
    }

    fn now_ms(&self) -> u64 {
        self.base_ms + self.started.elapsed().as_millis() as u64 + self.offset_ms
    }

    /// A creation time: now, but strictly after every earlier one, so
    /// `createdAt` cursors never tie.
    fn stamp(&mut self) -> u64 {
        self.last_stamp = self.now_ms().max(self.last_stamp + 1);
        self.last_stamp
    }

    /// An update time strictly after `previous`.
    fn bump(&self, previous: u64) -> u64 {
        self.now_ms().max(previous + 1)
    }

    /// 16 alphanumeric characters, distinct per call.
    fn id(&mut self) -> String {
        const ALPHABET: &[u8; 62] =
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        self.counter += 1;
        let digest = Sha256::digest(format!("{}:{}", self.seed, self.counter).as_bytes());
        digest[..16]
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }

    fn new_record(&mut self, draft: Draft, user: &str) -> Record {
        let created_at = self.stamp();
        Record {
            id: self.id(),
            key: draft.key,
            value: draft.value,
            kind: draft.kind,
            target: draft.target,
            git_branch: draft.git_branch,
            custom_environment_ids: draft.custom_environment_ids,
            comment: draft.comment,
            created_at,
            updated_at: created_at,
            created_by: user.to_string(),
            updated_by: user.to_string(),
        }
    }
}
