//! The fake Netlify API: accounts (teams), sites, the environment
//! variables of a site or a team, and build triggers, under Netlify's
//! `basePath` `/api/v1`, with the headers, rate limit and errors Netlify
//! documents.
//!
//! Shapes and status codes follow Netlify's own description of the API
//! (Swagger 2.0 from `netlify/open-api`, vendored as
//! `fakes/openapi/netlify-env.json` and checked by `fakes/tests/netlify/`),
//! the design notes' platform API facts (§4), netlify-cli 26.2.0 and its
//! tests, and Netlify's docs; what none of them settles is marked
//! "unverified" where it is a guess. In short:
//!
//! * **Auth**: `Authorization: Bearer <token>`; none or an unknown one is
//!   `401 {"code":401,"message":"Access Denied"}` (the body seen for a
//!   request without a token). A token is a member of accounts with a
//!   [`Role`]; an account, site or variable it cannot see is `404 Not
//!   Found`, never `403`; a Reviewer reading variables or writing anything
//!   is `403`.
//! * **Lists** of accounts and sites page with `page` and `per_page`
//!   (default and maximum 100, [`FakeNetlify::set_per_page_max`]) and a
//!   `Link` header (`next`, `last`, `first`, `prev`) when there is more
//!   than one page. `listSites` takes `name` (a substring, any case) and
//!   `filter` (`all`, `owner`, `guest`). Variable lists are not paged.
//! * **Variables** ([`EnvVar`]): `POST …/env` creates (`201`, `422` for a
//!   key that exists), `PUT …/env/{key}` replaces the variable and every
//!   value (`200`), `PATCH …/env/{key}` sets one context's value (`201`),
//!   `DELETE`s are `204`; an unknown key or value id is `404`. Each value
//!   has a UUID-shaped `id`; `updated_at` is per variable and moves with
//!   every write to any of its values; `updated_by` is the token's user.
//!   Scopes omitted on a write are all four (a secret's: all but
//!   post-processing). netlify-cli sends `post_processing` and Netlify is
//!   said to answer with it (the FIXME in netlify-cli's
//!   `src/utils/env/index.ts`; netlify's Terraform provider rewrites `_`
//!   to `-` on read): the fake takes both and answers with the spec's
//!   `post-processing`, so a client that reads either is tested against
//!   the documented one.
//! * **Secrets** (`is_secret`) follow the Secrets Controller policy
//!   (docs.netlify.com, "Enhanced security with Secrets Controller"):
//!   values are write-only, set per context (no non-empty `all` value),
//!   never in the post-processing scope, and the flag cannot be removed;
//!   breaking that is `422`. A `dev` value is allowed: it is the one
//!   context the spec calls readable, and netlify-cli tells users to set
//!   one on a secret (only its `--secret` flag refuses `--context dev`).
//!   Reads show a secret's `dev` values only (the
//!   spec: "only the local development context values are readable");
//!   the other values keep `id` and `context` but carry no `value`: see
//!   [`SecretReads`] for the evidence and the alternative.
//! * **Builds**: `POST /sites/{site_id}/builds` records a build
//!   ([`FakeNetlify::builds`]) and answers `200` with the `build`.
//! * **Rate limit**: 500 requests a minute per token (Netlify's general
//!   limit), counted on the fake's clock; every answer carries
//!   `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`
//!   (epoch seconds), `Date` and `X-Request-Id`; past the limit, `429`
//!   with `Retry-After` (which Netlify does not document; its own client,
//!   `@netlify/api`, waits for `X-RateLimit-Reset`). The shared
//!   [`crate::Faults::throttle`] injects the same `429`.
//! * **Routes**: anything else under `/api/v1`, or outside it, is `404`.
//!
//! State lives behind a mutex; tests drive and inspect it through the
//! methods on [`FakeNetlify`].

mod body;
mod env;
mod handlers;
mod render;
mod routes;
mod state;
mod wire;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::server::{Api, Request, Response};
use state::{Account, Level, Site, State, Token, User};
use wire::Error;

pub use routes::BASE_PATH;

/// The `operationId` in Netlify's spec of the operation a request names
/// (`None`: the fake, like Netlify, answers `404`), so a test can check a
/// response against the spec from the request log.
pub fn operation_id(request: &Request) -> Option<&'static str> {
    routes::operation_id(request)
}

/// A member's role in an account (Netlify's team roles). Owners and
/// Developers read and write environment variables and trigger builds;
/// a Reviewer sees the account and its sites but gets `403` for reading
/// variables and for every write (unverified: Netlify's docs describe
/// Reviewers as reviewing deploys without access to site settings; the
/// exact API line is a guess).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Owner,
    Developer,
    Reviewer,
}

/// An environment variable as the fake holds it, secret plaintexts
/// included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub key: String,
    /// In the spec's spelling: `builds`, `functions`, `runtime`,
    /// `post-processing`.
    pub scopes: Vec<String>,
    pub is_secret: bool,
    pub values: Vec<EnvValue>,
    /// Epoch milliseconds of the last write to the variable or any value.
    pub updated_at_ms: i64,
}

/// One value of a variable: its context (`all`, `dev`, `dev-server`,
/// `branch-deploy`, `deploy-preview`, `production`, or `branch` with the
/// branch in `context_parameter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    pub id: String,
    pub context: String,
    pub context_parameter: Option<String>,
    pub value: String,
}

/// How reads show a secret's values outside the `dev` context, which
/// Netlify never reveals ("Secret values are write-only", Secrets
/// Controller docs; "The value is masked in the Netlify UI and API",
/// netlify-cli's `deploy --secret-env` help). What the JSON carries is
/// not documented. The evidence points to a falsy value: a team's guard
/// that required a truthy `value` rejected a provisioned secret ("Netlify
/// masks secret values in getEnvVars responses",
/// BuilderIO/agent-native#5049), and its fixture of such a read has
/// values without `value`. Unverified either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecretReads {
    /// The value object has no `value` field (the default).
    #[default]
    Omitted,
    /// `value` is the empty string.
    Empty,
}

/// The fake Netlify API. Serve it with [`crate::Server::start`].
#[derive(Default)]
pub struct FakeNetlify {
    state: Mutex<State>,
}

impl FakeNetlify {
    /// A fake with no accounts, sites or tokens.
    pub fn new() -> FakeNetlify {
        FakeNetlify::default()
    }

    /// Adds an account (a team) with its id, slug and name.
    pub fn add_account(&self, id: &str, slug: &str, name: &str) {
        let mut state = self.lock();
        let created_ms = state.now_ms();
        state.accounts.insert(
            slug.to_string(),
            Account {
                id: id.to_string(),
                slug: slug.to_string(),
                name: name.to_string(),
                created_ms,
            },
        );
    }

    /// Adds a site to an account; `name` makes its `NAME.netlify.app`.
    ///
    /// # Panics
    /// If the account does not exist (a bug in the test).
    pub fn add_site(&self, account_slug: &str, site_id: &str, name: &str) {
        let mut state = self.lock();
        assert!(
            state.accounts.contains_key(account_slug),
            "fake Netlify: no account {account_slug}"
        );
        let created_ms = state.now_ms();
        state.sites.insert(
            site_id.to_string(),
            Site {
                id: site_id.to_string(),
                name: name.to_string(),
                account_slug: account_slug.to_string(),
                created_ms,
            },
        );
    }

    /// Makes `token` a member of an account with `role`; a new token
    /// becomes valid. A token may be in several accounts.
    ///
    /// # Panics
    /// If the account does not exist.
    pub fn grant(&self, token: &str, account_slug: &str, role: Role) {
        let mut state = self.lock();
        assert!(
            state.accounts.contains_key(account_slug),
            "fake Netlify: no account {account_slug}"
        );
        let n = state.tokens.len();
        let entry = state
            .tokens
            .entry(token.to_string())
            .or_insert_with(|| Token {
                user: User {
                    id: wire::object_id(&format!("user {token}")),
                    full_name: format!("Test User {}", n + 1),
                    email: format!("user{}@example.com", n + 1),
                },
                grants: BTreeMap::new(),
            });
        entry.grants.insert(account_slug.to_string(), role);
    }

    /// Every variable of the site, by key, secret plaintexts included.
    pub fn env(&self, site_id: &str) -> BTreeMap<String, EnvVar> {
        self.level_env(&Level::Site(site_id.to_string()))
    }

    /// Every team-wide variable of the account (those set without
    /// `site_id`), by key.
    pub fn account_env(&self, account_slug: &str) -> BTreeMap<String, EnvVar> {
        self.level_env(&Level::Account(account_slug.to_string()))
    }

    fn level_env(&self, level: &Level) -> BTreeMap<String, EnvVar> {
        let state = self.lock();
        state
            .env
            .get(level)
            .map(|m| m.iter().map(|(k, r)| (k.clone(), r.var.clone())).collect())
            .unwrap_or_default()
    }

    /// Seeds or replaces a variable of the site as the UI would; value ids
    /// left empty are filled in. `updated_at` moves to now.
    pub fn put_by_hand(&self, site_id: &str, var: EnvVar) {
        self.put_level(&Level::Site(site_id.to_string()), var);
    }

    /// The same for a team-wide variable of the account.
    pub fn put_account_by_hand(&self, account_slug: &str, var: EnvVar) {
        self.put_level(&Level::Account(account_slug.to_string()), var);
    }

    fn put_level(&self, level: &Level, mut var: EnvVar) {
        let mut state = self.lock();
        for v in var.values.iter_mut().filter(|v| v.id.is_empty()) {
            v.id = state.value_id();
        }
        state.put(level, var, User::by_hand());
    }

    /// Sets one context's value of a site variable as the UI would
    /// (`context` may be `branch:NAME`), creating the variable (every
    /// scope, not secret) if need be; `updated_at` moves to now.
    pub fn set_value_by_hand(&self, site_id: &str, key: &str, context: &str, value: &str) {
        let level = Level::Site(site_id.to_string());
        self.lock()
            .set_value(&level, key, context, value, User::by_hand());
    }

    /// Removes a site variable as the UI would.
    pub fn remove_by_hand(&self, site_id: &str, key: &str) {
        let level = Level::Site(site_id.to_string());
        self.lock().vars(&level).remove(key);
    }

    /// Ids of the builds triggered through `POST /sites/{id}/builds`, in
    /// order.
    pub fn builds(&self, site_id: &str) -> Vec<String> {
        self.lock().builds.get(site_id).cloned().unwrap_or_default()
    }

    /// Moves the fake's clock forward: later writes get later times, and
    /// a rate-limit window ends.
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock_offset_ms += by.as_millis() as i64;
    }

    /// Requests a token may make in a minute (500 by default, Netlify's
    /// documented general limit).
    pub fn set_rate_limit(&self, per_minute: u64) {
        self.lock().rate_limit = per_minute;
    }

    /// The largest (and default) `per_page` of account and site lists (100
    /// by default, Netlify's), so a test can page through a few items.
    ///
    /// # Panics
    /// If `n` is zero.
    pub fn set_per_page_max(&self, n: usize) {
        assert!(n > 0, "a page holds at least one item");
        self.lock().per_page_max = n;
    }

    /// How reads show secret values outside `dev` ([`SecretReads`]).
    pub fn set_secret_reads(&self, reads: SecretReads) {
        self.lock().secret_reads = reads;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The message of a `429` (seen from Netlify's API by netlify-cli users,
/// netlify/cli#206; the body around it is unverified).
pub(crate) fn rate_limit_message() -> &'static str {
    "API Request rate limit surpassed for application"
}

impl Api for FakeNetlify {
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let response = state.serve(request);
        state.finish(response)
    }

    /// Netlify's `429`, with `Retry-After` and the window's headers
    /// showing nothing left until then.
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        let mut state = self.lock();
        let reset = state.now_ms().div_euclid(1000) + retry_after_secs as i64;
        let limit = state.rate_limit;
        let response = Error::new(429, rate_limit_message())
            .response()
            .with_header("retry-after", retry_after_secs)
            .with_header("x-ratelimit-limit", limit)
            .with_header("x-ratelimit-remaining", 0)
            .with_header("x-ratelimit-reset", reset);
        state.finish(response)
    }

    /// A `500` in Netlify's error model (the wording is unverified).
    fn server_error(&self) -> Response {
        let mut state = self.lock();
        let bucket = state.last_bucket.clone();
        let response = state
            .quota(&bucket, false)
            .apply(Error::new(500, "Internal Server Error").response());
        state.finish(response)
    }

    /// A `422` quoting the request's body in `message`.
    fn echo_rejection(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let bucket = state.last_bucket.clone();
        let message = crate::server::echo_message(request);
        let response = state
            .quota(&bucket, false)
            .apply(Error::new(422, message).response());
        state.finish(response)
    }
}
