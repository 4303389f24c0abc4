//! What the fake Netlify holds: accounts (teams) and their sites, tokens
//! with their roles per account, environment variables per site (and per
//! account, the team-wide ones), triggered builds, the clock, and the
//! per-token rate-limit windows.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use super::wire::{self, PER_PAGE};
use super::{EnvValue, EnvVar, Role, SecretReads};
use crate::server::{Response, http_date};

/// The rate-limit bucket of requests without a (known) token.
pub(crate) const ANONYMOUS: &str = "";
/// Netlify's general limit: 500 requests a minute (the API guide's "Rate
/// limiting").
pub(crate) const RATE_LIMIT: u64 = 500;
const WINDOW_SECS: i64 = 60;

/// Every scope a variable can have, in the spec's spelling.
pub(crate) const ALL_SCOPES: [&str; 4] = ["builds", "functions", "runtime", "post-processing"];

pub(crate) struct State {
    /// By slug.
    pub accounts: BTreeMap<String, Account>,
    /// By id.
    pub sites: BTreeMap<String, Site>,
    pub tokens: HashMap<String, Token>,
    pub env: HashMap<Level, BTreeMap<String, Record>>,
    /// Site id → build ids, in order.
    pub builds: HashMap<String, Vec<String>>,
    pub clock_offset_ms: i64,
    pub rate_limit: u64,
    pub per_page_max: usize,
    pub secret_reads: SecretReads,
    buckets: HashMap<String, Bucket>,
    /// The bucket of the latest request, for injected answers' headers.
    pub last_bucket: String,
    next: u64,
}

impl Default for State {
    fn default() -> State {
        State {
            accounts: BTreeMap::new(),
            sites: BTreeMap::new(),
            tokens: HashMap::new(),
            env: HashMap::new(),
            builds: HashMap::new(),
            clock_offset_ms: 0,
            rate_limit: RATE_LIMIT,
            per_page_max: PER_PAGE,
            secret_reads: SecretReads::Omitted,
            buckets: HashMap::new(),
            last_bucket: ANONYMOUS.to_string(),
            next: 0,
        }
    }
}

pub(crate) struct Account {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub created_ms: i64,
}

pub(crate) struct Site {
    pub id: String,
    pub name: String,
    pub account_slug: String,
    pub created_ms: i64,
}

/// A token: the user it belongs to and its role in each account.
pub(crate) struct Token {
    pub user: User,
    /// Account slug → role.
    pub grants: BTreeMap<String, Role>,
}

/// Who wrote a variable last (`updated_by`, the spec's `envVarUser`).
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub full_name: String,
    pub email: String,
}

impl User {
    /// The author of changes made "by hand" in the Netlify UI.
    pub fn by_hand() -> User {
        User {
            id: wire::object_id("ui user"),
            full_name: "Netlify UI".to_string(),
            email: "ui@example.com".to_string(),
        }
    }
}

/// Where a variable lives: one site, or a whole account (team-wide).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Level {
    Site(String),
    Account(String),
}

/// A variable as stored, with its last author.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub var: EnvVar,
    pub updated_by: User,
}

/// One token's (or the anonymous) rate-limit window.
struct Bucket {
    start_secs: i64,
    used: u64,
}

/// Where a request left its bucket, sent back as `X-RateLimit-*`.
pub(crate) struct Quota {
    pub limit: u64,
    pub remaining: u64,
    /// Epoch seconds at which the window ends.
    pub reset: i64,
    pub exceeded: bool,
}

impl Quota {
    pub fn apply(&self, response: Response) -> Response {
        response
            .with_header("x-ratelimit-limit", self.limit)
            .with_header("x-ratelimit-remaining", self.remaining)
            .with_header("x-ratelimit-reset", self.reset)
    }
}

impl State {
    pub fn now_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        wall + self.clock_offset_ms
    }

    /// A fresh number for ids.
    pub fn next_n(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    /// A new value id.
    pub fn value_id(&mut self) -> String {
        let n = self.next_n();
        wire::uuid(&format!("value {n}"))
    }

    /// The time of a write to a variable last written at `previous`: now,
    /// but always later than before, so every write moves `updated_at`.
    pub fn write_time(&self, previous: Option<i64>) -> i64 {
        let now = self.now_ms();
        previous.map_or(now, |p| now.max(p + 1))
    }

    /// The account by id or slug (Netlify's `account_id` path parameters
    /// take either; netlify-cli sends the slug).
    pub fn account_key(&self, id_or_slug: &str) -> Option<String> {
        if self.accounts.contains_key(id_or_slug) {
            return Some(id_or_slug.to_string());
        }
        self.accounts
            .values()
            .find(|a| a.id == id_or_slug)
            .map(|a| a.slug.clone())
    }

    /// The site by id, or by its `NAME.netlify.app` domain (the API guide:
    /// a `site_id` may be the site's domain; custom domains are not
    /// modelled).
    pub fn site_key(&self, id_or_domain: &str) -> Option<String> {
        if self.sites.contains_key(id_or_domain) {
            return Some(id_or_domain.to_string());
        }
        let name = id_or_domain.strip_suffix(".netlify.app")?;
        self.sites
            .values()
            .find(|s| s.name == name)
            .map(|s| s.id.clone())
    }

    /// The role `token` has in `account` (a slug), if any.
    pub fn role(&self, token: &str, account: &str) -> Option<Role> {
        self.tokens.get(token)?.grants.get(account).copied()
    }

    pub fn vars(&mut self, level: &Level) -> &mut BTreeMap<String, Record> {
        self.env.entry(level.clone()).or_default()
    }

    /// Stores `var` at `level` as written by `by` now.
    pub fn put(&mut self, level: &Level, mut var: EnvVar, by: User) {
        let previous = self
            .env
            .get(level)
            .and_then(|m| m.get(&var.key))
            .map(|r| r.var.updated_at_ms);
        var.updated_at_ms = self.write_time(previous);
        let key = var.key.clone();
        self.vars(level).insert(
            key,
            Record {
                var,
                updated_by: by,
            },
        );
    }

    /// Sets one context's value (`branch:NAME` for a branch) of a
    /// variable, creating the variable (every scope, not secret) if need be.
    pub fn set_value(&mut self, level: &Level, key: &str, context: &str, value: &str, by: User) {
        let (context, parameter) = match context.strip_prefix("branch:") {
            Some(branch) => ("branch".to_string(), Some(branch.to_string())),
            None => (context.to_string(), None),
        };
        let id = self.value_id();
        let mut var = self
            .env
            .get(level)
            .and_then(|m| m.get(key))
            .map(|r| r.var.clone())
            .unwrap_or_else(|| EnvVar {
                key: key.to_string(),
                scopes: ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
                is_secret: false,
                values: Vec::new(),
                updated_at_ms: 0,
            });
        match var
            .values
            .iter_mut()
            .find(|v| v.context == context && v.context_parameter == parameter)
        {
            Some(existing) => existing.value = value.to_string(),
            None => var.values.push(EnvValue {
                id,
                context,
                context_parameter: parameter,
                value: value.to_string(),
            }),
        }
        self.put(level, var, by);
    }

    /// Counts a request against `bucket` (when `count`) and says where the
    /// bucket stands. A window opens with its first request and lasts a
    /// minute of the fake's clock; past the limit, requests are refused.
    pub fn quota(&mut self, bucket: &str, count: bool) -> Quota {
        let now = self.now_ms().div_euclid(1000);
        let limit = self.rate_limit;
        let entry = self.buckets.entry(bucket.to_string()).or_insert(Bucket {
            start_secs: now,
            used: 0,
        });
        if now >= entry.start_secs + WINDOW_SECS {
            *entry = Bucket {
                start_secs: now,
                used: 0,
            };
        }
        let exceeded = count && entry.used >= limit;
        if count && !exceeded {
            entry.used += 1;
        }
        Quota {
            limit,
            remaining: limit.saturating_sub(entry.used),
            reset: entry.start_secs + WINDOW_SECS,
            exceeded,
        }
    }

    /// Seconds until `bucket`'s window ends (at least one).
    pub fn retry_after(&mut self, bucket: &str) -> i64 {
        let reset = self.quota(bucket, false).reset;
        (reset - self.now_ms().div_euclid(1000)).max(1)
    }

    /// The headers every answer carries: `Date` from the fake's clock and
    /// a request id (Netlify sends `X-Request-Id` on every response, as
    /// seen from outside; its form here is a guess).
    pub fn finish(&mut self, response: Response) -> Response {
        let n = self.next_n();
        response
            .with_header("date", http_date(self.now_ms().max(0) as u64))
            .with_header("x-request-id", wire::uuid(&format!("request {n}")))
    }
}
