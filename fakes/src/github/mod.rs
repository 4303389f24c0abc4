//! The fake GitHub REST API: Actions secrets and variables at repository
//! and environment level, environments, `/user` and `/rate_limit`, and a
//! pull request's comments (`comments.rs`) and releases to download
//! (`releases.rs`), with the headers, rate limits
//! and errors GitHub documents.
//!
//! Shapes and status codes follow GitHub's own OpenAPI description
//! (`fakes/openapi/github-actions.json`, checked by `fakes/tests/github/`)
//! and the design notes' platform API facts (§5); what neither documents is
//! taken from GitHub's docs pages or answers seen by GitHub's users, and
//! marked "unverified" where it is a guess. In short:
//!
//! * **Secrets** arrive sealed (libsodium `crypto_box_seal`) for the
//!   repository's or environment's public key
//!   (<https://docs.github.com/rest/guides/encrypting-secrets-for-the-rest-api>).
//!   The fake holds a real X25519 key pair per repository and environment,
//!   opens `encrypted_value` and keeps the plaintext for tests
//!   ([`FakeGitHub::secret_plaintext`]); reads never show a value. `PUT` is
//!   `201 {}` when it creates, `204` when it updates.
//! * **Variables** are plaintext: `POST` creates (`201 {}`, `409` if the
//!   name exists), `PATCH` updates or renames (`204`), `DELETE` is `204`.
//! * **Names** of secrets and variables are letters, digits and `_`, not
//!   starting with a digit or `GITHUB_`; they are case-insensitive and kept
//!   upper-case, as GitHub shows them
//!   (<https://docs.github.com/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#naming-your-secrets>).
//!   A value over 48 KB is refused.
//! * **Lists** page with `per_page` (secrets and environments: default 30,
//!   max 100; variables: default 10, max 30) and `page`, and a `Link`
//!   header (`prev`, `next`, `last`, `first`) when there is more than one
//!   page, whose URLs use `/repositories/{id}/…` as GitHub's do; the fake
//!   serves those paths too
//!   (<https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api>).
//! * **Headers**: `Authorization: Bearer <token>` or `token <token>`;
//!   `X-GitHub-Api-Version` `2022-11-28` (the default) or `2026-03-10`,
//!   any other is `400`; an `Accept` that admits no JSON is `415`
//!   (unverified wording). Every answer carries `Date`,
//!   `x-ratelimit-{limit,remaining,used,reset,resource}`,
//!   `x-github-api-version-selected` and `x-github-request-id`.
//! * **Errors** are `{message, documentation_url, status}` (plus `errors`
//!   for "Validation Failed"): an unknown token is `401 Bad credentials`;
//!   a repository the caller may not see, an unknown route, a method the
//!   route lacks and a trailing slash are all `404 Not Found`
//!   (<https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api>);
//!   a token without the permission is `403 Resource not accessible by
//!   personal access token`, with `x-accepted-github-permissions`.
//! * **Rate limits** (<https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api>):
//!   a primary limit per token and hour of the fake's clock (5,000; 60
//!   without a token; `/rate_limit` does not count; the window can be made
//!   shorter, [`FakeGitHub::set_rate_limit_window`]), past which answers are
//!   `403` (or `429`, [`FakeGitHub::set_rate_limit_status`]) with
//!   `x-ratelimit-remaining: 0`; the shared [`crate::Faults::throttle`]
//!   injects the secondary limit: the same status, `retry-after`, and a
//!   message about a "secondary rate limit".
//!
//! State lives behind a mutex; tests drive and inspect it through the
//! methods on [`FakeGitHub`].

mod comments;
mod handlers;
mod releases;
mod render;
mod routes;
mod state;
mod wire;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use crate::server::{Api, Request, Response};
use state::{ANONYMOUS, State};
use wire::Error;

pub use comments::IssueComment;

/// The API versions the fake accepts in `X-GitHub-Api-Version`; the first
/// is the default for a request that names none
/// (<https://docs.github.com/rest/about-the-rest-api/api-versions>).
pub const API_VERSIONS: [&str; 2] = ["2022-11-28", "2026-03-10"];

/// The `operationId` in GitHub's OpenAPI description of the operation a
/// request names (`None`: the fake, like GitHub, answers `404`), so a test
/// can check a response against the spec from the request log.
pub fn operation_id(request: &Request) -> Option<&'static str> {
    routes::operation_id(request)
}

/// Every `operationId` the fake serves.
pub fn operation_ids() -> Vec<&'static str> {
    routes::operation_ids()
}

/// What a token may do in one repository: a classic token's `repo` scope,
/// or a fine-grained token's repository permissions
/// (<https://docs.github.com/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens>).
/// Any grant at all includes "Metadata: read" (the repository and its
/// environments); write implies read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    /// A classic token's `repo` scope: everything here.
    Repo,
    /// "Secrets": repository and (unverified: or "Environments")
    /// environment secrets, and their public keys.
    SecretsRead,
    SecretsWrite,
    /// "Variables": repository and (unverified: or "Environments")
    /// environment variables.
    VariablesRead,
    VariablesWrite,
    /// "Environments": also admitted for environment secrets and variables.
    EnvironmentsRead,
    EnvironmentsWrite,
    /// "Administration": creating and deleting environments.
    AdministrationWrite,
    /// "Issues": writing comments on issues and pull requests.
    IssuesWrite,
    /// "Pull requests": writing comments on pull requests too.
    PullRequestsWrite,
}

/// A secret as the fake holds it: the plaintext it opened, and its times
/// (ISO 8601, seconds, `Z`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub plaintext: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A variable and its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub value: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The fake GitHub API. Serve it with [`crate::Server::start`].
#[derive(Default)]
pub struct FakeGitHub {
    state: Mutex<State>,
}

impl FakeGitHub {
    /// A fake with no repositories and no tokens.
    pub fn new() -> FakeGitHub {
        FakeGitHub::default()
    }

    /// Moves the fake's clock forward: later changes get later times, and
    /// a rate-limit window ends.
    pub fn advance_clock(&self, by: Duration) {
        self.lock().clock_offset_ms += by.as_millis() as u64;
    }

    /// Adds a private repository, `owner/name`, with its own key pair.
    ///
    /// # Panics
    /// If `repo` is not `owner/name`.
    pub fn add_repository(&self, repo: &str) {
        self.lock().add_repository(repo);
    }

    /// Adds an environment (with its own key pair) to a repository.
    ///
    /// # Panics
    /// If the repository does not exist (a bug in the test).
    pub fn add_environment(&self, repo: &str, environment: &str) {
        self.lock().add_environment(repo, environment);
    }

    /// Lets `token` act in `repo` with `permissions`; a new token becomes
    /// valid. A token granted nothing (`&[]`) is valid but sees no
    /// repository.
    pub fn grant(&self, token: &str, repo: &str, permissions: &[Permission]) {
        self.lock().grant(token, repo, permissions);
    }

    /// The `(key_id, key)` a client gets from `…/secrets/public-key`, the
    /// key in base64.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn public_key(&self, repo: &str, environment: Option<&str>) -> (String, String) {
        let mut state = self.lock();
        let scope = state.scope_mut(repo, environment);
        (scope.key.id.clone(), scope.key.public_base64())
    }

    /// Replaces the key pair, as GitHub may: a box sealed for the old key
    /// is then refused (`422`).
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn rotate_public_key(&self, repo: &str, environment: Option<&str>) {
        self.lock().rotate_key(repo, environment);
    }

    /// The plaintext of a secret, opened from what the client sealed.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn secret_plaintext(
        &self,
        repo: &str,
        environment: Option<&str>,
        name: &str,
    ) -> Option<String> {
        let mut state = self.lock();
        let scope = state.scope_mut(repo, environment);
        scope
            .secrets
            .get(&name.to_ascii_uppercase())
            .map(|s| s.plaintext.clone())
    }

    /// Every secret of the repository (`environment: None`) or environment,
    /// by upper-case name.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn secrets(&self, repo: &str, environment: Option<&str>) -> BTreeMap<String, Secret> {
        self.lock().scope_mut(repo, environment).secrets.clone()
    }

    /// Every variable of the repository or environment, by upper-case name.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn variables(&self, repo: &str, environment: Option<&str>) -> BTreeMap<String, Variable> {
        self.lock().scope_mut(repo, environment).variables.clone()
    }

    /// Sets a secret as if by hand in the settings page: created now if
    /// new, `updated_at` now either way.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn set_secret_by_hand(
        &self,
        repo: &str,
        environment: Option<&str>,
        name: &str,
        plaintext: &str,
    ) {
        let mut state = self.lock();
        let now = state.now_iso();
        state
            .scope_mut(repo, environment)
            .put_secret(name, plaintext, &now);
    }

    /// Sets a variable as if by hand: created now if new, `updated_at` now.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn set_variable_by_hand(
        &self,
        repo: &str,
        environment: Option<&str>,
        name: &str,
        value: &str,
    ) {
        let mut state = self.lock();
        let now = state.now_iso();
        state
            .scope_mut(repo, environment)
            .put_variable(name, value, &now);
    }

    /// Removes a secret as if by hand; returns it if it existed.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn remove_secret_by_hand(
        &self,
        repo: &str,
        environment: Option<&str>,
        name: &str,
    ) -> Option<Secret> {
        let mut state = self.lock();
        let scope = state.scope_mut(repo, environment);
        scope.secrets.remove(&name.to_ascii_uppercase())
    }

    /// Removes a variable as if by hand; returns it if it existed.
    ///
    /// # Panics
    /// If the repository or environment does not exist.
    pub fn remove_variable_by_hand(
        &self,
        repo: &str,
        environment: Option<&str>,
        name: &str,
    ) -> Option<Variable> {
        let mut state = self.lock();
        let scope = state.scope_mut(repo, environment);
        scope.variables.remove(&name.to_ascii_uppercase())
    }

    /// The primary rate limit for tokens, per token and hour (GitHub's is
    /// 5,000 for a personal access token). Requests already counted in the
    /// current window stay counted.
    pub fn set_rate_limit(&self, limit: u64) {
        self.lock().token_limit = limit;
    }

    /// How long a primary-limit window lasts (GitHub's: an hour, the
    /// default), so a client can be made to wait out a reset a second or
    /// two ahead instead of an hour. Whole seconds, at least one.
    pub fn set_rate_limit_window(&self, window: Duration) {
        self.lock().window_secs = window.as_secs().max(1);
    }

    /// The status of rate-limited answers, primary and secondary: `403`
    /// (the default) or `429`, both of which GitHub sends.
    ///
    /// # Panics
    /// If `status` is neither.
    pub fn set_rate_limit_status(&self, status: u16) {
        assert!(
            status == 403 || status == 429,
            "GitHub's rate limits answer 403 or 429"
        );
        self.lock().limit_status = status;
    }

    /// Requests `token` has used in its current rate-limit window (`None`:
    /// the unauthenticated bucket).
    pub fn rate_limit_used(&self, token: Option<&str>) -> u64 {
        let mut state = self.lock();
        state.quota(token.unwrap_or(ANONYMOUS), false).used
    }

    /// The scheme, host and port the `Link` and `url` fields use, in place
    /// of `http://` and the request's `Host` (for a fake served over TLS,
    /// say).
    pub fn set_base_url(&self, url: &str) {
        self.lock().base_url = Some(url.trim_end_matches('/').to_string());
    }

    /// Serves the API under `prefix` (`/api/v3`, GitHub Enterprise
    /// Server's path, where the `gh` CLI sends a host other than
    /// github.com): every request must start with it, and is routed
    /// without it; one that does not is `404`. Pair it with
    /// [`FakeGitHub::set_base_url`] (`https://HOST/api/v3`) so `Link` and
    /// `url` fields carry it too.
    ///
    /// # Panics
    /// If `prefix` does not start with `/` or ends with one.
    pub fn set_path_prefix(&self, prefix: &str) {
        assert!(
            prefix.starts_with('/') && !prefix.ends_with('/'),
            "a prefix is `/segment…` without a trailing slash"
        );
        self.lock().path_prefix = Some(prefix.to_string());
    }

    /// Opens pull request `number` in `repo`, so comments can be listed
    /// and written on it (an unknown number is `404`).
    pub fn add_pull_request(&self, repo: &str, number: u64) {
        self.lock().comments.add_issue(repo, number);
    }

    /// Every comment on pull request `number`, oldest first.
    pub fn issue_comments(&self, repo: &str, number: u64) -> Vec<IssueComment> {
        self.lock().comments.on(repo, number)
    }

    /// Writes a comment as `login` would in the web page; returns its id.
    pub fn add_issue_comment_by_hand(
        &self,
        repo: &str,
        number: u64,
        login: &str,
        body: &str,
    ) -> u64 {
        let mut state = self.lock();
        let now = state.now_iso();
        state.comments.add(repo, number, login, body, &now)
    }

    /// Publishes release `tag` of `repo` with assets `(name, bytes)`; the
    /// latest non-prerelease is `releases/latest`.
    pub fn add_release(&self, repo: &str, tag: &str, prerelease: bool, assets: &[(&str, &[u8])]) {
        let mut state = self.lock();
        let id = 190_000_000 + state.next_id();
        let assets = assets
            .iter()
            .map(|(name, bytes)| releases::Asset {
                id: 280_000_000 + state.next_id(),
                name: name.to_string(),
                bytes: bytes.to_vec(),
            })
            .collect();
        let created_at = state.now_iso();
        state.releases.push(releases::Release {
            repo: repo.to_ascii_lowercase(),
            id,
            tag: tag.to_string(),
            prerelease,
            created_at,
            assets,
        });
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Api for FakeGitHub {
    /// Every answer carries the fake's clock in `Date`, as GitHub's do.
    fn handle(&self, request: &Request) -> Response {
        let mut state = self.lock();
        let response = state.serve(request);
        state.finish(response)
    }

    /// GitHub's secondary rate limit: `403` (or `429`) with `retry-after`
    /// and the message GitHub sends.
    fn rate_limited(&self, retry_after_secs: u64) -> Response {
        let status = self.lock().limit_status;
        let response = Error::new(
            status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            wire::SECONDARY_LIMIT_DOCS,
        )
        .response()
        .with_header("retry-after", retry_after_secs);
        self.injected(response)
    }

    /// A `500` in GitHub's error shape (the wording is unverified).
    fn server_error(&self) -> Response {
        self.injected(Error::new(500, "Server Error", wire::REST_DOCS).response())
    }

    /// A `422`, GitHub's status for a body it will not take, quoting the
    /// body in `message`.
    fn echo_rejection(&self, request: &Request) -> Response {
        let message = crate::server::echo_message(request);
        self.injected(Error::new(422, message, wire::REST_DOCS).response())
    }
}

impl FakeGitHub {
    /// An injected answer, which did not go through the fake's pipeline:
    /// the primary limit's headers as they stand for the latest caller
    /// (not counting this request), and the headers every answer has.
    fn injected(&self, response: Response) -> Response {
        let mut state = self.lock();
        let bucket = state.last_bucket.clone();
        let response = state.quota(&bucket, false).apply(response);
        state.finish(response)
    }
}
