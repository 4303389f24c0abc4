//! A stateful fake of the Supabase Management API: the endpoints `envctl`
//! uses for Edge Function secrets, Edge Functions and migration history.
//!
//! It follows the documented behaviour (see `shared/reference/platform-apis.md`
//! §1 and the vendored OpenAPI file, which [`crate::openapi`] checks bodies
//! against): list digests instead of plaintext, `201` with an empty body for
//! the secret upsert, `DELETE` with a JSON body, millisecond timestamps on
//! functions, per-token/per-project/per-endpoint rate limits with the
//! `x-ratelimit-*` headers on every response, `{"message": …}` error bodies.
//!
//! Where the platform's behaviour is undocumented the fake picks the
//! strict choice, so a client bug shows up in tests rather than in
//! production; each such choice is noted on the function that makes it.
//!
//! Request pipeline, in order: route (unknown → `404 Cannot GET /path`),
//! rate limit (`429`), authentication (`401`), project ref format (`400`),
//! token scope (`403`), project lookup (`404`), then the endpoint itself.
//! Every response, errors included, carries the rate-limit headers.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::openapi;
use crate::server::{Api, Request, Response};

mod settings;
pub use settings::Bucket as StorageBucket;
mod body;

/// Every scope a token can hold; [`FakeSupabase::new`]'s token holds all.
pub const ALL_SCOPES: &[&str] = &[
    "secrets:read",
    "secrets:write",
    "edge_functions:read",
    "edge_functions:write",
    "database:read",
    "database:write",
    "auth:read",
    "auth:write",
    "storage:read",
];

/// The secrets a real project provides to its functions, which
/// [`FakeSupabase::seed_reserved`] lists so clients prove they ignore them.
pub const RESERVED_SECRETS: &[&str] = &[
    "SUPABASE_URL",
    "SUPABASE_ANON_KEY",
    "SUPABASE_SERVICE_ROLE_KEY",
    "SUPABASE_DB_URL",
];

/// The documented default: 120 requests per minute.
const DEFAULT_LIMIT: u32 = 120;
const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// `CreateSecretBody` limits from the spec.
const MAX_SECRET_NAME: usize = 256;
const MAX_SECRET_VALUE: usize = 24576;
const RESERVED_PREFIX: &str = "SUPABASE_";

const MIGRATIONS_TABLE: &str = "supabase_migrations.schema_migrations";

const FORBIDDEN: &str = "Your account does not have the necessary privileges to access this \
endpoint. For more details, refer to our documentation \
https://supabase.com/docs/guides/platform/access-control";

/// The hex SHA-256 the list endpoint shows in place of a secret's value
/// (confirmed by `supabase/terraform-provider-supabase`).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `status` of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionStatus {
    Active,
    Removed,
    Throttled,
}

impl FunctionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FunctionStatus::Active => "ACTIVE",
            FunctionStatus::Removed => "REMOVED",
            FunctionStatus::Throttled => "THROTTLED",
        }
    }
}

/// One deployed Edge Function, as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub status: FunctionStatus,
    /// 1 on creation, +1 on every deploy or code update.
    pub version: u64,
    /// Unix milliseconds, as the API reports them.
    pub created_at: u64,
    pub updated_at: u64,
    pub verify_jwt: bool,
    /// As the client sent it in the deploy metadata.
    pub entrypoint_path: Option<String>,
    pub import_map_path: Option<String>,
    pub import_map: bool,
    /// Server-computed digest of the uploaded sources (the fake hashes the
    /// files; the real value is not reproducible client-side).
    pub ezbr_sha256: Option<String>,
    /// `(relative path, contents)` of the last deploy, in upload order.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Function {
    /// The `FunctionResponse` JSON.
    fn to_json(&self) -> Value {
        let mut body = json!({
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "status": self.status.as_str(),
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "verify_jwt": self.verify_jwt,
            "import_map": self.import_map,
        });
        let optional = [
            ("entrypoint_path", &self.entrypoint_path),
            ("import_map_path", &self.import_map_path),
            ("ezbr_sha256", &self.ezbr_sha256),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                body[key] = json!(value);
            }
        }
        body
    }
}

/// The fake API. Share it through [`crate::Server::api`]; every method
/// takes `&self` so a test can change state while a client runs.
///
/// Test helpers that name a project panic if it was never added (that is
/// a bug in the test, not in the client under test).
pub struct FakeSupabase {
    state: Mutex<State>,
}

struct State {
    /// Token → scopes it holds.
    tokens: HashMap<String, HashSet<String>>,
    projects: BTreeMap<String, Project>,
    max_functions: Option<usize>,
    refuse_migrations: bool,
    limiter: RateLimiter,
    /// Feeds function ids.
    next_id: u64,
}

#[derive(Default)]
struct Project {
    secrets: BTreeMap<String, Secret>,
    functions: BTreeMap<String, Function>,
    /// `(version, name)`, sorted by version.
    migrations: Vec<(String, String)>,
    migration_table_missing: bool,
    /// Auth URLs and Storage buckets.
    settings: settings::Settings,
    /// Functions whose body the server cannot unbundle (bundled by a
    /// Supabase CLI before 1.120): only the eszip comes back.
    legacy_bodies: BTreeSet<String>,
}

struct Secret {
    value: String,
    updated_at: String,
}

impl FakeSupabase {
    /// A fake with one valid token holding every scope, no projects, the
    /// documented rate limit (120 per minute) and no function cap.
    pub fn new(token: &str) -> FakeSupabase {
        let fake = FakeSupabase {
            state: Mutex::new(State {
                tokens: HashMap::new(),
                projects: BTreeMap::new(),
                max_functions: None,
                refuse_migrations: false,
                limiter: RateLimiter::new(DEFAULT_LIMIT, DEFAULT_WINDOW),
                next_id: 1,
            }),
        };
        fake.add_token(token, ALL_SCOPES);
        fake
    }

    /// Adds (or replaces) a token holding only `scopes`, e.g.
    /// `["secrets:read"]`. Lacking a scope an operation needs gives `403`.
    pub fn add_token(&self, token: &str, scopes: &[&str]) {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.lock().tokens.insert(token.to_string(), scopes);
    }

    /// Adds an empty project (no-op if it exists). `project_ref` is not
    /// checked, so a test can add a malformed one to prove the 400 wins.
    pub fn add_project(&self, project_ref: &str) {
        self.lock()
            .projects
            .entry(project_ref.to_string())
            .or_default();
    }

    /// Lists the reserved `SUPABASE_*` secrets, as some projects do.
    pub fn seed_reserved(&self, project_ref: &str) {
        for name in RESERVED_SECRETS {
            self.set_secret(project_ref, name, &format!("reserved value of {name}"));
        }
    }

    /// Sets a secret as if by hand in the dashboard: no validation.
    pub fn set_secret(&self, project_ref: &str, name: &str, value: &str) {
        let mut state = self.lock();
        let secret = Secret {
            value: value.to_string(),
            updated_at: iso_now(),
        };
        project_mut(&mut state, project_ref)
            .secrets
            .insert(name.to_string(), secret);
    }

    /// Backdates a secret's `updated_at` (RFC 3339), as if set long ago.
    pub fn set_secret_updated_at(&self, project_ref: &str, name: &str, updated_at: &str) {
        let mut state = self.lock();
        if let Some(secret) = project_mut(&mut state, project_ref).secrets.get_mut(name) {
            secret.updated_at = updated_at.to_string();
        }
    }

    /// The digest the list endpoint shows for `name`.
    pub fn secret_digest(&self, project_ref: &str, name: &str) -> Option<String> {
        self.secret_value(project_ref, name)
            .map(|v| sha256_hex(v.as_bytes()))
    }

    /// The plaintext the fake holds (the API never returns it).
    pub fn secret_value(&self, project_ref: &str, name: &str) -> Option<String> {
        let mut state = self.lock();
        let project = project_mut(&mut state, project_ref);
        project.secrets.get(name).map(|s| s.value.clone())
    }

    /// Every secret name, reserved ones included, sorted.
    pub fn secret_names(&self, project_ref: &str) -> Vec<String> {
        let mut state = self.lock();
        project_mut(&mut state, project_ref)
            .secrets
            .keys()
            .cloned()
            .collect()
    }

    /// Adds a function as if deployed earlier: version 1, one file
    /// `index.ts`, entrypoint `index.ts`. Returns it.
    pub fn add_function(
        &self,
        project_ref: &str,
        slug: &str,
        verify_jwt: bool,
        status: FunctionStatus,
    ) -> Function {
        let mut state = self.lock();
        let id = fresh_id(&mut state.next_id, project_ref, slug);
        let now = now_millis();
        let source = format!("Deno.serve(() => new Response(\"{slug}\"));\n").into_bytes();
        let function = Function {
            id,
            slug: slug.to_string(),
            name: slug.to_string(),
            status,
            version: 1,
            created_at: now,
            updated_at: now,
            verify_jwt,
            entrypoint_path: Some("index.ts".to_string()),
            import_map_path: None,
            import_map: false,
            ezbr_sha256: Some(files_digest(&[("index.ts".to_string(), source.clone())])),
            files: vec![("index.ts".to_string(), source)],
        };
        project_mut(&mut state, project_ref)
            .functions
            .insert(slug.to_string(), function.clone());
        function
    }

    /// Every function, `REMOVED` ones included, by slug.
    pub fn functions(&self, project_ref: &str) -> Vec<Function> {
        let mut state = self.lock();
        project_mut(&mut state, project_ref)
            .functions
            .values()
            .cloned()
            .collect()
    }

    pub fn function(&self, project_ref: &str, slug: &str) -> Option<Function> {
        let mut state = self.lock();
        project_mut(&mut state, project_ref)
            .functions
            .get(slug)
            .cloned()
    }

    /// The files of the function's last deploy (empty if there is none).
    pub fn deployed_files(&self, project_ref: &str, slug: &str) -> Vec<(String, Vec<u8>)> {
        self.function(project_ref, slug)
            .map(|f| f.files)
            .unwrap_or_default()
    }

    /// Changes a function's status, e.g. to `REMOVED` or `THROTTLED`.
    /// Panics if the function does not exist.
    pub fn set_status(&self, project_ref: &str, slug: &str, status: FunctionStatus) {
        let mut state = self.lock();
        let function = project_mut(&mut state, project_ref)
            .functions
            .get_mut(slug)
            .unwrap_or_else(|| panic!("fake Supabase: no function {slug} in {project_ref}"));
        function.status = status;
    }

    /// At most `max` non-`REMOVED` functions per project; creating one
    /// more gives `402`.
    pub fn set_max_functions(&self, max: usize) {
        self.lock().max_functions = Some(max);
    }

    /// Replaces the applied-migration history: `(version, name)` pairs.
    pub fn set_migrations(&self, project_ref: &str, migrations: &[(&str, &str)]) {
        let mut history: Vec<(String, String)> = migrations
            .iter()
            .map(|(v, n)| (v.to_string(), n.to_string()))
            .collect();
        history.sort();
        let mut state = self.lock();
        project_mut(&mut state, project_ref).migrations = history;
    }

    /// Whether `supabase_migrations.schema_migrations` is missing, as on a
    /// project that never had a migration pushed.
    pub fn set_migration_table_missing(&self, project_ref: &str, missing: bool) {
        let mut state = self.lock();
        project_mut(&mut state, project_ref).migration_table_missing = missing;
    }

    /// Makes `GET …/database/migrations` answer `403` as the spec warns it
    /// may ("Only available to selected partner OAuth apps").
    pub fn refuse_migrations_endpoint(&self, refuse: bool) {
        self.lock().refuse_migrations = refuse;
    }

    /// Replaces the rate limit (per token, per project, per endpoint) and
    /// forgets what was counted so far.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        self.lock().limiter = RateLimiter::new(limit, window);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Api for FakeSupabase {
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let route = route(request);
        let quota = state.limiter.take(
            request.bearer().unwrap_or(""),
            route.as_ref().map_or("-", |r| r.project.as_str()),
            &route.as_ref().map_or_else(
                || format!("{} {}", request.method, request.path),
                |r| r.op.endpoint(),
            ),
        );
        let response = if quota.exceeded {
            too_many_requests()
        } else {
            match route {
                Some(route) => state.dispatch(request, &route).unwrap_or_else(|e| e),
                None => no_route(request),
            }
        };
        quota.stamp(response)
    }

    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        let quota = Quota {
            limit: self.lock().limiter.limit,
            remaining: 0,
            reset_secs: retry_after_secs,
            exceeded: true,
        };
        quota.stamp(too_many_requests())
    }

    /// An injected `500`.
    fn server_error(&self) -> Response {
        self.unlimited(error(500, "Internal Server Error"))
    }

    /// Supabase's `{"message": …}` 400, quoting the body.
    fn echo_rejection(&self, request: &Request) -> Response {
        self.unlimited(error(400, &crate::server::echo_message(request)))
    }
}

impl FakeSupabase {
    /// An injected answer: it did not go through the limiter, so its
    /// headers report a full window.
    fn unlimited(&self, response: Response) -> Response {
        let limiter = &self.lock().limiter;
        let quota = Quota {
            limit: limiter.limit,
            remaining: limiter.limit,
            reset_secs: limiter.window.as_secs_f64().ceil() as u64,
            exceeded: false,
        };
        quota.stamp(response)
    }
}

/// A handler's outcome: `Err` carries the error response.
type Reply = Result<Response, Response>;

fn error(status: u16, message: &str) -> Response {
    Response::json(status, &json!({ "message": message }))
}

fn too_many_requests() -> Response {
    error(429, "Too many requests")
}

/// NestJS's answer for an unknown route, which the real API is built on.
fn no_route(request: &Request) -> Response {
    Response::json(
        404,
        &json!({
            "message": format!("Cannot {} {}", request.method, request.path),
            "error": "Not Found",
            "statusCode": 404,
        }),
    )
}

// ---------------------------------------------------------------------------
// Routing

/// The operations the fake serves, one per spec `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListSecrets,
    CreateSecrets,
    DeleteSecrets,
    ListFunctions,
    GetFunction,
    DeployFunction,
    UpdateFunction,
    DeleteFunction,
    GetFunctionBody,
    ListMigrations,
    RunQuery,
    GetAuthConfig,
    UpdateAuthConfig,
    ListBuckets,
}

impl Op {
    /// Method and path template: the rate limiter's "endpoint".
    fn endpoint(self) -> String {
        let (method, path) = match self {
            Op::ListSecrets => ("GET", "secrets"),
            Op::CreateSecrets => ("POST", "secrets"),
            Op::DeleteSecrets => ("DELETE", "secrets"),
            Op::ListFunctions => ("GET", "functions"),
            Op::GetFunction => ("GET", "functions/{function_slug}"),
            Op::DeployFunction => ("POST", "functions/deploy"),
            Op::UpdateFunction => ("PATCH", "functions/{function_slug}"),
            Op::DeleteFunction => ("DELETE", "functions/{function_slug}"),
            Op::GetFunctionBody => ("GET", "functions/{function_slug}/body"),
            Op::ListMigrations => ("GET", "database/migrations"),
            Op::RunQuery => ("POST", "database/query"),
            Op::GetAuthConfig => ("GET", "config/auth"),
            Op::UpdateAuthConfig => ("PATCH", "config/auth"),
            Op::ListBuckets => ("GET", "storage/buckets"),
        };
        format!("{method} /v1/projects/{{ref}}/{path}")
    }

    /// Scopes any one of which allows the operation (the spec's
    /// `x-oauth-scope`; the query endpoint's `fga_permissions` also accept
    /// `database_read`, so either database scope runs a query).
    fn scopes(self) -> &'static [&'static str] {
        match self {
            Op::ListSecrets => &["secrets:read"],
            Op::CreateSecrets | Op::DeleteSecrets => &["secrets:write"],
            Op::ListFunctions | Op::GetFunction | Op::GetFunctionBody => &["edge_functions:read"],
            Op::DeployFunction | Op::UpdateFunction | Op::DeleteFunction => {
                &["edge_functions:write"]
            }
            Op::ListMigrations => &["database:read"],
            Op::RunQuery => &["database:write", "database:read"],
            Op::GetAuthConfig => &["auth:read"],
            Op::UpdateAuthConfig => &["auth:write"],
            Op::ListBuckets => &["storage:read"],
        }
    }
}

/// A request matched to an operation, with its path parameters.
struct Route {
    op: Op,
    project: String,
    slug: Option<String>,
}

/// The operation a request asks for; `None` for routes the API lacks.
fn route(request: &Request) -> Option<Route> {
    let segments = request.segments();
    let ["v1", "projects", project, rest @ ..] = segments.as_slice() else {
        return None;
    };
    let (op, slug) = match (request.method.as_str(), rest) {
        ("GET", ["secrets"]) => (Op::ListSecrets, None),
        ("POST", ["secrets"]) => (Op::CreateSecrets, None),
        ("DELETE", ["secrets"]) => (Op::DeleteSecrets, None),
        ("GET", ["functions"]) => (Op::ListFunctions, None),
        ("POST", ["functions", "deploy"]) => (Op::DeployFunction, None),
        ("GET", ["functions", slug]) => (Op::GetFunction, Some(*slug)),
        ("PATCH", ["functions", slug]) => (Op::UpdateFunction, Some(*slug)),
        ("DELETE", ["functions", slug]) => (Op::DeleteFunction, Some(*slug)),
        ("GET", ["functions", slug, "body"]) => (Op::GetFunctionBody, Some(*slug)),
        ("GET", ["database", "migrations"]) => (Op::ListMigrations, None),
        ("POST", ["database", "query"]) => (Op::RunQuery, None),
        ("GET", ["config", "auth"]) => (Op::GetAuthConfig, None),
        ("PATCH", ["config", "auth"]) => (Op::UpdateAuthConfig, None),
        ("GET", ["storage", "buckets"]) => (Op::ListBuckets, None),
        _ => return None,
    };
    Some(Route {
        op,
        project: project.to_string(),
        slug: slug.map(str::to_string),
    })
}

// ---------------------------------------------------------------------------
// Dispatch: the checks every operation shares, then the handler.

impl State {
    fn dispatch(&mut self, request: &Request, route: &Route) -> Reply {
        self.authorize(request, route)?;
        if route.op == Op::ListMigrations && self.refuse_migrations {
            return Err(error(403, "Only available to selected partner OAuth apps"));
        }
        let State {
            projects,
            next_id,
            max_functions,
            ..
        } = self;
        let project = projects
            .get_mut(&route.project)
            .ok_or_else(|| error(404, "Project not found"))?;
        let slug = route.slug.as_deref().unwrap_or("");
        match route.op {
            Op::ListSecrets => Ok(list_secrets(project)),
            Op::CreateSecrets => create_secrets(project, request),
            Op::DeleteSecrets => delete_secrets(project, request),
            Op::ListFunctions => Ok(list_functions(project)),
            Op::GetFunction => get_function(project, slug),
            Op::DeployFunction => {
                let upload = parse_deploy(request)?;
                let cap = *max_functions;
                deploy(project, &route.project, upload, cap, next_id)
            }
            Op::UpdateFunction => update_function(project, slug, request),
            Op::DeleteFunction => delete_function(project, slug),
            Op::GetFunctionBody => body::function_body(project, slug, request),
            Op::ListMigrations => Ok(list_migrations(project)),
            Op::RunQuery => run_query(project, request),
            Op::GetAuthConfig => Ok(settings::get_auth(&project.settings)),
            Op::UpdateAuthConfig => settings::update_auth(&mut project.settings, request),
            Op::ListBuckets => Ok(settings::list_buckets(&project.settings)),
        }
    }

    /// `401` without a known bearer token, `400` for a malformed ref,
    /// `403` when the token lacks every scope the operation accepts.
    fn authorize(&self, request: &Request, route: &Route) -> Result<(), Response> {
        let scopes = request
            .bearer()
            .and_then(|token| self.tokens.get(token))
            .ok_or_else(|| error(401, "Unauthorized"))?;
        check_project_ref(&route.project)?;
        if route.op.scopes().iter().any(|s| scopes.contains(*s)) {
            Ok(())
        } else {
            Err(error(403, FORBIDDEN))
        }
    }
}

/// A uuid-shaped id, unique within one fake thanks to the counter.
fn fresh_id(next_id: &mut u64, project_ref: &str, slug: &str) -> String {
    let n = *next_id;
    *next_id += 1;
    let hex = sha256_hex(format!("{project_ref}/{slug}/{n}").as_bytes());
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

impl Project {
    fn live_functions(&self) -> usize {
        self.functions
            .values()
            .filter(|f| f.status != FunctionStatus::Removed)
            .count()
    }
}

/// The spec's `ref` pattern: exactly 20 lowercase ASCII letters.
fn check_project_ref(project: &str) -> Result<(), Response> {
    if project.len() == 20 && project.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(error(
            400,
            &format!("Invalid project ref {project:?}: expected 20 lowercase letters"),
        ))
    }
}

/// A test helper's project; panics on a test bug.
fn project_mut<'a>(state: &'a mut State, project_ref: &str) -> &'a mut Project {
    state
        .projects
        .get_mut(project_ref)
        .unwrap_or_else(|| panic!("fake Supabase: add_project({project_ref:?}) first"))
}

/// The request body as JSON; `400` when it is not.
fn json_body(request: &Request) -> Result<Value, Response> {
    request.json().map_err(|e| error(400, &e))
}

// ---------------------------------------------------------------------------
// Secrets

/// `GET …/secrets`: names with the hex SHA-256 of each value, never the
/// plaintext.
fn list_secrets(project: &Project) -> Response {
    let list: Vec<Value> = project
        .secrets
        .iter()
        .map(|(name, secret)| {
            json!({
                "name": name,
                "value": sha256_hex(secret.value.as_bytes()),
                "updated_at": secret.updated_at,
            })
        })
        .collect();
    Response::json(200, &Value::Array(list))
}

/// `POST …/secrets`: all-or-nothing upsert; `201` with no body at all.
///
/// Undocumented choices: a body that is not an array of `{name, value}`
/// string objects is `400`; a rule the spec states (name length, the
/// case-sensitive `SUPABASE_` prefix, value length) or a name repeated
/// within one batch is `422`.
fn create_secrets(project: &mut Project, request: &Request) -> Reply {
    let body = json_body(request)?;
    let pairs = secret_pairs(&body)?;
    let mut seen = HashSet::new();
    for (name, value) in &pairs {
        check_secret(name, value)?;
        if !seen.insert(*name) {
            return Err(error(422, &format!("Duplicate secret name: {name}")));
        }
    }
    let now = iso_now();
    for (name, value) in pairs {
        let secret = Secret {
            value: value.to_string(),
            updated_at: now.clone(),
        };
        project.secrets.insert(name.to_string(), secret);
    }
    Ok(Response::empty(201))
}

/// The `(name, value)` pairs of a `CreateSecretBody`; `400` on bad shape.
fn secret_pairs(body: &Value) -> Result<Vec<(&str, &str)>, Response> {
    let shape = || {
        error(
            400,
            "Body must be an array of {name: string, value: string}",
        )
    };
    body.as_array()
        .ok_or_else(shape)?
        .iter()
        .map(|item| {
            let name = item.get("name").and_then(Value::as_str);
            let value = item.get("value").and_then(Value::as_str);
            name.zip(value).ok_or_else(shape)
        })
        .collect()
}

/// The spec's rules for one secret; `422` when one is broken.
fn check_secret(name: &str, value: &str) -> Result<(), Response> {
    if name.starts_with(RESERVED_PREFIX) {
        return Err(error(
            422,
            &format!("Secret name must not start with the SUPABASE_ prefix: {name}"),
        ));
    }
    if name.chars().count() > MAX_SECRET_NAME {
        return Err(error(
            422,
            &format!("Secret name must be at most {MAX_SECRET_NAME} characters"),
        ));
    }
    if value.chars().count() > MAX_SECRET_VALUE {
        return Err(error(
            422,
            &format!("Secret value of {name} must be at most {MAX_SECRET_VALUE} characters"),
        ));
    }
    Ok(())
}

/// `DELETE …/secrets` with a JSON array of names: `200`, no body. Unknown
/// names are ignored. Reserved names are deleted like any other, so a
/// client that wrongly deletes them is caught by `secret_names`.
fn delete_secrets(project: &mut Project, request: &Request) -> Reply {
    let body = json_body(request)?;
    let names: Option<Vec<&str>> = body
        .as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect());
    let names = names.ok_or_else(|| error(400, "Body must be an array of secret names"))?;
    for name in names {
        project.secrets.remove(name);
    }
    Ok(Response::empty(200))
}

// ---------------------------------------------------------------------------
// Functions

/// `GET …/functions`: every function, `REMOVED` ones included.
fn list_functions(project: &Project) -> Response {
    let list: Vec<Value> = project.functions.values().map(Function::to_json).collect();
    Response::json(200, &Value::Array(list))
}

fn get_function(project: &Project, slug: &str) -> Reply {
    check_path_slug(slug)?;
    let function = project.functions.get(slug).ok_or_else(function_not_found)?;
    Ok(Response::json(200, &function.to_json()))
}

/// `DELETE …/functions/{slug}`: `200 {"message":"ok"}` (as recorded).
fn delete_function(project: &mut Project, slug: &str) -> Reply {
    check_path_slug(slug)?;
    project
        .functions
        .remove(slug)
        .ok_or_else(function_not_found)?;
    Ok(Response::json(200, &json!({ "message": "ok" })))
}

/// `PATCH …/functions/{slug}`: metadata from the JSON body
/// (`{name?, body?, verify_jwt?}`) and/or query parameters, or a new
/// bundle as `application/vnd.denoland.eszip`. New code bumps the
/// version; metadata alone does not. The `slug` query parameter (a
/// rename) is ignored.
fn update_function(project: &mut Project, slug: &str, request: &Request) -> Reply {
    check_path_slug(slug)?;
    let function = project
        .functions
        .get_mut(slug)
        .ok_or_else(function_not_found)?;
    let changes = UpdateChanges::parse(request)?;
    changes.apply(function);
    Ok(Response::json(200, &function.to_json()))
}

/// What a `PATCH` asks to change, validated before anything changes.
struct UpdateChanges {
    name: Option<String>,
    verify_jwt: Option<bool>,
    import_map: Option<bool>,
    entrypoint_path: Option<String>,
    import_map_path: Option<String>,
    ezbr_sha256: Option<String>,
    /// New code: `(file name, bytes)`.
    code: Option<(String, Vec<u8>)>,
}

impl UpdateChanges {
    fn parse(request: &Request) -> Result<UpdateChanges, Response> {
        let mut changes = UpdateChanges {
            name: request.query("name").map(str::to_string),
            verify_jwt: query_bool(request, "verify_jwt")?,
            import_map: query_bool(request, "import_map")?,
            entrypoint_path: request.query("entrypoint_path").map(str::to_string),
            import_map_path: request.query("import_map_path").map(str::to_string),
            ezbr_sha256: request.query("ezbr_sha256").map(str::to_string),
            code: None,
        };
        let content_type = request.header("content-type").unwrap_or("");
        if content_type.starts_with("application/vnd.denoland.eszip") {
            changes.code = Some(("bundle.eszip".to_string(), request.body.clone()));
        } else if !request.body.is_empty() {
            changes.merge_json(&json_body(request)?)?;
        }
        Ok(changes)
    }

    /// Folds in a `V1UpdateFunctionBody`; `400` if it does not match.
    fn merge_json(&mut self, body: &Value) -> Result<(), Response> {
        openapi::validate_request("v1-update-a-function", body).map_err(|e| error(400, &e))?;
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        if let Some(name) = text("name") {
            self.name = Some(name);
        }
        if let Some(verify_jwt) = body.get("verify_jwt").and_then(Value::as_bool) {
            self.verify_jwt = Some(verify_jwt);
        }
        if let Some(code) = text("body") {
            self.code = Some(("index.ts".to_string(), code.into_bytes()));
        }
        Ok(())
    }

    fn apply(self, function: &mut Function) {
        let UpdateChanges {
            name,
            verify_jwt,
            import_map,
            entrypoint_path,
            import_map_path,
            ezbr_sha256,
            code,
        } = self;
        if let Some(name) = name {
            function.name = name;
        }
        function.verify_jwt = verify_jwt.unwrap_or(function.verify_jwt);
        function.import_map = import_map.unwrap_or(function.import_map);
        if entrypoint_path.is_some() {
            function.entrypoint_path = entrypoint_path;
        }
        if import_map_path.is_some() {
            function.import_map_path = import_map_path;
        }
        if let Some((file, bytes)) = code {
            let path = function.entrypoint_path.clone().unwrap_or(file);
            function.files = vec![(path, bytes)];
            function.ezbr_sha256 = Some(files_digest(&function.files));
            function.version += 1;
        }
        if ezbr_sha256.is_some() {
            function.ezbr_sha256 = ezbr_sha256;
        }
        function.updated_at = now_millis();
    }
}

/// A `"true"`/`"false"` query parameter; `400` for anything else.
fn query_bool(request: &Request, name: &str) -> Result<Option<bool>, Response> {
    match request.query(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(error(
            400,
            &format!("{name} must be a boolean string, true or false; got {other:?}"),
        )),
    }
}

fn function_not_found() -> Response {
    error(404, "Function not found")
}

/// The spec's `function_slug` path pattern `^[A-Za-z0-9_-]+$`.
fn check_path_slug(slug: &str) -> Result<(), Response> {
    let valid = !slug.is_empty()
        && slug
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(error(400, &format!("Invalid function slug {slug:?}")))
    }
}

/// The deploy/create slug pattern `^[A-Za-z][A-Za-z0-9_-]*$`.
fn valid_deploy_slug(slug: &str) -> bool {
    let mut bytes = slug.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A validated deploy request.
struct Upload {
    slug: String,
    entrypoint_path: String,
    import_map_path: Option<String>,
    verify_jwt: Option<bool>,
    name: Option<String>,
    files: Vec<(String, Vec<u8>)>,
}

impl Upload {
    /// The function after this deploy: a new one at version 1, or
    /// `existing` one version up (a `REMOVED` function comes back
    /// `ACTIVE`). `verify_jwt` defaults to `true`, as on the platform.
    fn into_function(self, id: String, existing: Option<Function>) -> Function {
        let now = now_millis();
        let ezbr_sha256 = Some(files_digest(&self.files));
        let (version, created_at, name, verify_jwt) = match existing {
            Some(f) => (f.version + 1, f.created_at, f.name, f.verify_jwt),
            None => (1, now, self.slug.clone(), true),
        };
        Function {
            id,
            name: self.name.unwrap_or(name),
            status: FunctionStatus::Active,
            version,
            created_at,
            updated_at: now,
            verify_jwt: self.verify_jwt.unwrap_or(verify_jwt),
            entrypoint_path: Some(self.entrypoint_path),
            import_map: self.import_map_path.is_some(),
            import_map_path: self.import_map_path,
            ezbr_sha256,
            files: self.files,
            slug: self.slug,
        }
    }
}

/// `POST …/functions/deploy?slug=X`: creates the function or deploys a
/// new version of it; `402` when creating one would pass the cap.
fn deploy(
    project: &mut Project,
    project_ref: &str,
    upload: Upload,
    cap: Option<usize>,
    next_id: &mut u64,
) -> Reply {
    let existing = project.functions.get(&upload.slug).cloned();
    let live = existing
        .as_ref()
        .is_some_and(|f| f.status != FunctionStatus::Removed);
    if !live && cap.is_some_and(|max| project.live_functions() >= max) {
        return Err(error(402, "Maximum number of functions reached for Plan"));
    }
    let id = match &existing {
        Some(f) => f.id.clone(),
        None => fresh_id(next_id, project_ref, &upload.slug),
    };
    let function = upload.into_function(id, existing);
    let body = function.to_json();
    project.functions.insert(function.slug.clone(), function);
    Ok(Response::json(201, &body))
}

/// Validates a deploy request, all `400` on failure: the `slug` query
/// parameter (required by the fake; the spec marks it optional), a
/// multipart/form-data body with a `metadata` part matching the spec and
/// at least one `file` part, and an `entrypoint_path` (and
/// `import_map_path`, if given) naming an uploaded file. `bundleOnly` is
/// accepted and ignored.
fn parse_deploy(request: &Request) -> Result<Upload, Response> {
    let bad = |message: String| error(400, &message);
    let slug = request
        .query("slug")
        .ok_or_else(|| bad("slug query parameter is required".into()))?;
    if !valid_deploy_slug(slug) {
        return Err(bad(format!(
            "Invalid slug {slug:?}: must match ^[A-Za-z][A-Za-z0-9_-]*$"
        )));
    }
    let content_type = request.header("content-type").unwrap_or("");
    let boundary = multipart_boundary(content_type)
        .ok_or_else(|| bad("Content-Type must be multipart/form-data with a boundary".into()))?;
    let parts = parse_multipart(&request.body, &boundary).map_err(bad)?;
    let metadata = parts
        .iter()
        .find(|p| p.name == "metadata")
        .ok_or_else(|| bad("metadata part is required".into()))?;
    let metadata: Value = serde_json::from_slice(&metadata.data)
        .map_err(|e| bad(format!("metadata is not valid JSON: {e}")))?;
    openapi::validate_multipart_metadata(&metadata).map_err(bad)?;
    let files: Vec<(String, Vec<u8>)> = parts
        .into_iter()
        .filter(|p| p.name == "file")
        .map(|p| (p.filename.unwrap_or_default(), p.data))
        .collect();
    if files.is_empty() {
        return Err(bad("At least one file part is required".into()));
    }
    if files.iter().any(|(name, _)| name.is_empty()) {
        return Err(bad("Every file part needs a filename".into()));
    }
    let text = |key: &str| {
        metadata
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let entrypoint_path = text("entrypoint_path").unwrap_or_default();
    let import_map_path = text("import_map_path");
    for (what, path) in [
        ("entrypoint_path", Some(&entrypoint_path)),
        ("import_map_path", import_map_path.as_ref()),
    ] {
        if let Some(path) = path
            && !files.iter().any(|(name, _)| same_file(name, path))
        {
            return Err(bad(format!(
                "{what} {path:?} is not among the uploaded files"
            )));
        }
    }
    Ok(Upload {
        slug: slug.to_string(),
        entrypoint_path,
        import_map_path,
        verify_jwt: metadata.get("verify_jwt").and_then(Value::as_bool),
        name: text("name"),
        files,
    })
}

/// Whether an uploaded file name and a metadata path name the same file,
/// ignoring a `file://` scheme and leading `./` or `/`.
fn same_file(uploaded: &str, path: &str) -> bool {
    fn plain(p: &str) -> &str {
        let p = p.strip_prefix("file://").unwrap_or(p);
        p.trim_start_matches("./").trim_start_matches('/')
    }
    uploaded == path || plain(uploaded) == plain(path)
}

/// Hex SHA-256 over the files, path and contents, in path order.
fn files_digest(files: &[(String, Vec<u8>)]) -> String {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Vec::new();
    for (path, bytes) in sorted {
        all.extend_from_slice(path.as_bytes());
        all.push(0);
        all.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        all.extend_from_slice(bytes);
    }
    sha256_hex(&all)
}

// ---------------------------------------------------------------------------
// Multipart

/// One part of a multipart/form-data body.
#[derive(Debug)]
struct Part {
    name: String,
    filename: Option<String>,
    data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';').map(str::trim);
    let media = params.next()?;
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|b| !b.is_empty())
}

/// Splits a multipart body (RFC 7578) into its parts.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let malformed = |why: &str| format!("Malformed multipart body: {why}");
    let start = find(body, &delimiter, 0).ok_or_else(|| malformed("no boundary"))?;
    let mut at = start + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err(malformed("boundary not followed by CRLF"));
        }
        let head_start = at + 2;
        let head_end =
            find(body, b"\r\n\r\n", head_start).ok_or_else(|| malformed("unterminated headers"))?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]);
        let data_start = head_end + 4;
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(&delimiter);
        let data_end =
            find(body, &closing, data_start).ok_or_else(|| malformed("unterminated part"))?;
        let (name, filename) = disposition(&head)
            .ok_or_else(|| malformed("part without Content-Disposition: form-data; name=\"…\""))?;
        parts.push(Part {
            name,
            filename,
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + closing.len();
    }
}

/// `name` and `filename` from a part's `Content-Disposition` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let value = head.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value.trim())
    })?;
    let params = header_params(value);
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.clone())
    };
    let name = get("name").or_else(|| {
        get("name*").map(|v| {
            let encoded = v.split("''").nth(1).unwrap_or(&v);
            percent_decode(encoded)
        })
    })?;
    Some((name, get("filename")))
}

/// `key=value` parameters after the first `;`, values unquoted with
/// backslash escapes undone.
fn header_params(value: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut chars = value.chars().peekable();
    // Skip the disposition type.
    for c in chars.by_ref() {
        if c == ';' {
            break;
        }
    }
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == ';') {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            return params;
        }
        let mut val = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => val.extend(chars.next()),
                    '"' => break,
                    c => val.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ';') {
                val.push(c);
            }
        }
        params.push((key.trim().to_string(), val.trim().to_string()));
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

// ---------------------------------------------------------------------------
// Migrations and SQL

/// `GET …/database/migrations`: `[{version, name}]` sorted by version.
/// With the history table missing this is `[]` (undocumented choice).
fn list_migrations(project: &Project) -> Response {
    Response::json(200, &migration_rows(project, true))
}

fn migration_rows(project: &Project, with_name: bool) -> Value {
    if project.migration_table_missing {
        return json!([]);
    }
    let rows = project
        .migrations
        .iter()
        .map(|(version, name)| {
            if with_name {
                json!({ "version": version, "name": name })
            } else {
                json!({ "version": version })
            }
        })
        .collect();
    Value::Array(rows)
}

/// `POST …/database/query`: `201` with the rows as a JSON array. Only the
/// migration-history reads are supported:
/// `SELECT version, name FROM supabase_migrations.schema_migrations ORDER BY version`
/// (and the same without `, name`), matched ignoring case, runs of
/// whitespace and a trailing `;`. A missing history table is the
/// Postgres `42P01` error the real API relays as `400`.
fn run_query(project: &mut Project, request: &Request) -> Reply {
    let body = json_body(request)?;
    openapi::validate_request("v1-run-a-query", &body).map_err(|e| error(400, &e))?;
    let query = body.get("query").and_then(Value::as_str).unwrap_or("");
    if let Some(reply) = settings::bucket_query(&mut project.settings, query) {
        return reply;
    }
    let with_name = match normalize_sql(query).as_str() {
        "select version, name from supabase_migrations.schema_migrations order by version" => true,
        "select version from supabase_migrations.schema_migrations order by version" => false,
        _ => {
            return Err(error(
                400,
                "The fake Supabase API supports only `SELECT version, name FROM \
                 supabase_migrations.schema_migrations ORDER BY version`",
            ));
        }
    };
    if project.migration_table_missing {
        return Err(error(400, &undefined_table(query)));
    }
    Ok(Response::json(201, &migration_rows(project, with_name)))
}

/// ASCII lower case, whitespace runs collapsed (none before a comma), no
/// trailing `;`.
fn normalize_sql(query: &str) -> String {
    let collapsed = query
        .trim()
        .trim_end_matches(';')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    collapsed
        .replace(" ,", ",")
        .replace(", ", ",")
        .replace(',', ", ")
        .to_ascii_lowercase()
}

/// The message the real API sends for Postgres `42P01`, with the
/// `LINE n:` excerpt and the caret Postgres adds under the relation.
fn undefined_table(query: &str) -> String {
    let mut message = format!(
        "Failed to run sql query: ERROR:  42P01: relation \"{MIGRATIONS_TABLE}\" does not exist\n"
    );
    let hit = query.lines().enumerate().find_map(|(n, line)| {
        let at = line.to_ascii_lowercase().find(MIGRATIONS_TABLE)?;
        Some((n + 1, line, line.get(..at)?.chars().count()))
    });
    if let Some((n, line, column)) = hit {
        let prefix = format!("LINE {n}: ");
        let caret = " ".repeat(prefix.len() + column);
        message.push_str(&format!("{prefix}{line}\n{caret}^\n"));
    }
    message
}

// ---------------------------------------------------------------------------
// Rate limiting

/// Fixed windows per (token, project, endpoint), as documented: the first
/// request opens a window; past the limit every request is `429` until it
/// closes.
struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: HashMap<(String, String, String), Bucket>,
}

struct Bucket {
    opened: Instant,
    used: u32,
}

/// What one request learned from the limiter, sent back as headers.
struct Quota {
    limit: u32,
    remaining: u32,
    /// Seconds until the window closes (not an epoch).
    reset_secs: u64,
    exceeded: bool,
}

impl RateLimiter {
    fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            buckets: HashMap::new(),
        }
    }

    /// Counts one request against its bucket.
    fn take(&mut self, token: &str, project: &str, endpoint: &str) -> Quota {
        let now = Instant::now();
        let key = (token.to_string(), project.to_string(), endpoint.to_string());
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            opened: now,
            used: 0,
        });
        if now.duration_since(bucket.opened) >= self.window {
            *bucket = Bucket {
                opened: now,
                used: 0,
            };
        }
        bucket.used = bucket.used.saturating_add(1);
        let left = self
            .window
            .saturating_sub(now.duration_since(bucket.opened));
        Quota {
            limit: self.limit,
            remaining: self.limit.saturating_sub(bucket.used),
            reset_secs: left.as_secs_f64().ceil() as u64,
            exceeded: bucket.used > self.limit,
        }
    }
}

impl Quota {
    fn stamp(&self, response: Response) -> Response {
        response
            .with_header("x-ratelimit-limit", self.limit)
            .with_header("x-ratelimit-remaining", self.remaining)
            .with_header("x-ratelimit-reset", self.reset_secs)
    }
}

// ---------------------------------------------------------------------------
// Time

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn now_millis() -> u64 {
    since_epoch().as_millis() as u64
}

/// Now as ISO-8601 UTC with milliseconds, e.g. `2026-05-22T10:04:05.123Z`.
fn iso_now() -> String {
    iso_8601(since_epoch())
}

fn iso_8601(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso_8601(Duration::ZERO), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso_8601(Duration::from_millis(1_709_251_199_999)),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(
            iso_8601(Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn sql_normalization() {
        for q in [
            "SELECT version, name FROM supabase_migrations.schema_migrations ORDER BY version",
            "  select version ,name\n from supabase_migrations.schema_migrations\torder by version ; ",
            "SELECT version,name FROM supabase_migrations.schema_migrations ORDER BY version;",
        ] {
            assert_eq!(
                normalize_sql(q),
                "select version, name from supabase_migrations.schema_migrations order by version",
                "{q:?}"
            );
        }
    }

    #[test]
    fn missing_table_error_points_at_the_relation() {
        let message =
            undefined_table("select version, name\n  from supabase_migrations.schema_migrations");
        assert_eq!(
            message,
            "Failed to run sql query: ERROR:  42P01: relation \
             \"supabase_migrations.schema_migrations\" does not exist\n\
             LINE 2:   from supabase_migrations.schema_migrations\n\
             \x20              ^\n"
        );
    }

    #[test]
    fn multipart_round_trip() {
        let body = b"preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a/\\\"b.ts\"\r\nContent-Type: application/octet-stream\r\n\r\nline1\r\nline2\r\n--XX--\r\n";
        let parts = parse_multipart(body, "XX").expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "metadata");
        assert_eq!(parts[0].data, b"{}");
        assert_eq!(parts[1].filename.as_deref(), Some("a/\"b.ts"));
        assert_eq!(parts[1].data, b"line1\r\nline2");
        assert!(parse_multipart(b"--XX\r\nno end", "XX").is_err());
        assert!(parse_multipart(b"nothing", "XX").is_err());
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(multipart_boundary("application/json"), None);
        assert_eq!(multipart_boundary("multipart/form-data"), None);
    }

    #[test]
    fn entrypoints_match_loosely() {
        assert!(same_file("index.ts", "file:///index.ts"));
        assert!(same_file("src/index.ts", "./src/index.ts"));
        assert!(!same_file("src/index.ts", "index.ts"));
    }

    #[test]
    fn slugs() {
        assert!(valid_deploy_slug("hello-world_2"));
        assert!(!valid_deploy_slug("2fast"));
        assert!(!valid_deploy_slug(""));
        assert!(!valid_deploy_slug("a b"));
    }
}
