//! The fake Vercel REST API: project environment variables, the project's
//! custom environments, and the two deployment endpoints `envctl apply
//! --redeploy` needs.
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

mod bodies;
mod clock;
mod custom;
mod deployments;
mod envs;
mod pull;
mod responses;
mod route;
mod state;

use bodies::*;
use clock::*;
use custom::*;
use envs::*;
use responses::*;
use route::*;
use state::*;

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
    /// The git branch it was built from (`meta.githubCommitRef`).
    pub branch: Option<String>,
    /// The id of the custom environment it belongs to.
    pub custom_environment: Option<String>,
}

/// One of a project's custom environments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomEnvironment {
    pub id: String,
    pub slug: String,
    /// `production`, `preview` or `development`.
    pub kind: String,
    pub description: String,
    /// Branches starting with this deploy to it, when set.
    pub branch_prefix: Option<String>,
    pub created_at: u64,
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
            custom_environments: Vec::new(),
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

    /// The page size of paged list endpoints (deployments; env lists that
    /// send `until` without `limit`) when the request has no `limit`
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

    /// Simulates a dashboard edit of a record's comment or custom
    /// environments (`None` keeps what is there): a later `updatedAt`.
    ///
    /// # Panics
    /// If the project or the record does not exist.
    pub fn edit_record_behind_back(
        &self,
        project: &str,
        id: &str,
        comment: Option<&str>,
        custom_environment_ids: Option<&[&str]>,
    ) {
        let mut state = self.lock();
        let State {
            projects, clock, ..
        } = &mut *state;
        let record = find_project(projects, project)
            .envs
            .iter_mut()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("fake Vercel: no variable {id} in {project}"));
        if let Some(comment) = comment {
            record.comment = comment.to_string();
        }
        if let Some(ids) = custom_environment_ids {
            record.custom_environment_ids = ids.iter().map(|i| i.to_string()).collect();
        }
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
