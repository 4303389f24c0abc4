//! What the fake GitHub holds: repositories with their environments, each
//! level with its key pair, secrets and variables; tokens and their grants;
//! the clock; and the primary rate limit's per-token windows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::SecretKey;
use sha2::{Digest, Sha256};

use super::{Permission, Secret, Variable};
use crate::server::{Response, http_date, iso_seconds};

/// The rate-limit bucket of requests without a token.
pub(crate) const ANONYMOUS: &str = "";
/// GitHub's primary limits: 5,000 an hour for a personal access token, 60
/// without one.
const TOKEN_LIMIT: u64 = 5000;
const ANONYMOUS_LIMIT: u64 = 60;
const WINDOW_SECS: u64 = 3600;

pub(crate) struct State {
    /// By lower-case `owner/name`: GitHub's names are case-insensitive.
    pub repos: BTreeMap<String, Repo>,
    pub tokens: HashMap<String, Token>,
    pub clock_offset_ms: u64,
    next_id: u64,
    pub token_limit: u64,
    pub limit_status: u16,
    /// How long a primary-limit window lasts, in seconds of the fake's clock.
    pub window_secs: u64,
    buckets: HashMap<String, Bucket>,
    /// The bucket of the latest request, for injected answers' headers.
    pub last_bucket: String,
    pub base_url: Option<String>,
    /// A path prefix every request must carry and routing drops
    /// (`/api/v3`, as on GitHub Enterprise Server).
    pub path_prefix: Option<String>,
    requests: u64,
    /// Pull requests and their comments.
    pub comments: super::comments::Comments,
    /// Releases in the order they were published.
    pub releases: Vec<super::releases::Release>,
}

impl Default for State {
    fn default() -> State {
        State {
            repos: BTreeMap::new(),
            tokens: HashMap::new(),
            clock_offset_ms: 0,
            next_id: 0,
            token_limit: TOKEN_LIMIT,
            limit_status: 403,
            window_secs: WINDOW_SECS,
            buckets: HashMap::new(),
            last_bucket: ANONYMOUS.to_string(),
            base_url: None,
            path_prefix: None,
            requests: 0,
            comments: Default::default(),
            releases: Vec::new(),
        }
    }
}

pub(crate) struct Token {
    pub id: u64,
    pub login: String,
    /// Lower-case `owner/name` → permissions.
    pub grants: HashMap<String, BTreeSet<Permission>>,
}

pub(crate) struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub created_at: String,
    pub scope: Scope,
    /// By lower-case name: environment names are case-insensitive.
    pub environments: BTreeMap<String, Environment>,
}

pub(crate) struct Environment {
    pub id: u64,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
    pub scope: Scope,
}

/// A repository's or an environment's key pair, secrets and variables.
pub(crate) struct Scope {
    pub key: KeyPair,
    /// By upper-case name, which is how GitHub lists them.
    pub secrets: BTreeMap<String, Secret>,
    pub variables: BTreeMap<String, Variable>,
}

impl Scope {
    fn new(key: KeyPair) -> Scope {
        Scope {
            key,
            secrets: BTreeMap::new(),
            variables: BTreeMap::new(),
        }
    }

    /// Creates or updates a secret; `true` if it was created.
    pub fn put_secret(&mut self, name: &str, plaintext: &str, now: &str) -> bool {
        let name = name.to_ascii_uppercase();
        let created = !self.secrets.contains_key(&name);
        let entry = self.secrets.entry(name).or_insert_with(|| Secret {
            plaintext: String::new(),
            created_at: now.to_string(),
            updated_at: now.to_string(),
        });
        entry.plaintext = plaintext.to_string();
        entry.updated_at = now.to_string();
        created
    }

    /// Creates or updates a variable; `true` if it was created.
    pub fn put_variable(&mut self, name: &str, value: &str, now: &str) -> bool {
        let name = name.to_ascii_uppercase();
        let created = !self.variables.contains_key(&name);
        let entry = self.variables.entry(name).or_insert_with(|| Variable {
            value: String::new(),
            created_at: now.to_string(),
            updated_at: now.to_string(),
        });
        entry.value = value.to_string();
        entry.updated_at = now.to_string();
        created
    }
}

/// An X25519 key pair and GitHub's id for it (a decimal string, as
/// GitHub's `key_id`s are).
pub(crate) struct KeyPair {
    pub id: String,
    secret: SecretKey,
}

impl KeyPair {
    /// A key pair derived from `seed`: deterministic, so a failing test
    /// repeats; nothing here needs to stay secret.
    fn derive(seed: &str) -> KeyPair {
        let digest: [u8; 32] = Sha256::digest(format!("envctl-fakes github key {seed}")).into();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyPair {
            id: (u64::from_be_bytes(id) % 1_000_000_000_000_000_000).to_string(),
            secret: SecretKey::from_bytes(digest),
        }
    }

    /// The public key in base64, as `…/public-key` sends it.
    pub fn public_base64(&self) -> String {
        STANDARD.encode(self.secret.public_key().as_bytes())
    }

    /// Opens a sealed box (`crypto_box_seal`) made for this key.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        self.secret.unseal(sealed).ok()
    }
}

/// One token's (or the unauthenticated) primary-limit window.
struct Bucket {
    start_secs: u64,
    used: u64,
}

/// Where a request left its bucket, sent back as `x-ratelimit-*`.
pub(crate) struct Quota {
    pub limit: u64,
    pub remaining: u64,
    pub used: u64,
    pub reset: u64,
    pub exceeded: bool,
}

impl Quota {
    pub fn apply(&self, response: Response) -> Response {
        response
            .with_header("x-ratelimit-limit", self.limit)
            .with_header("x-ratelimit-remaining", self.remaining)
            .with_header("x-ratelimit-reset", self.reset)
            .with_header("x-ratelimit-used", self.used)
            .with_header("x-ratelimit-resource", "core")
    }
}

impl State {
    pub fn now_ms(&self) -> u64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        wall + self.clock_offset_ms
    }

    pub fn now_iso(&self) -> String {
        iso_seconds(self.now_ms())
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn add_repository(&mut self, repo: &str) {
        let (owner, name) = repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .unwrap_or_else(|| panic!("fake GitHub: {repo:?} is not owner/name"));
        let id = 700_000_000 + self.next_id();
        let key = KeyPair::derive(&format!("{repo} {id}"));
        let now = self.now_iso();
        self.repos.insert(
            repo.to_ascii_lowercase(),
            Repo {
                id,
                owner: owner.to_string(),
                name: name.to_string(),
                created_at: now,
                scope: Scope::new(key),
                environments: BTreeMap::new(),
            },
        );
    }

    /// Adds the environment if it is new; returns its lower-case key.
    pub fn add_environment(&mut self, repo: &str, environment: &str) -> String {
        let id = 160_000_000 + self.next_id();
        let now = self.now_iso();
        let repo = self.repo_mut(repo);
        let key = environment.to_ascii_lowercase();
        let seed = format!("{}/{} {environment} {id}", repo.owner, repo.name);
        repo.environments
            .entry(key.clone())
            .or_insert_with(|| Environment {
                id,
                name: environment.to_string(),
                created_at: now.clone(),
                updated_at: now,
                scope: Scope::new(KeyPair::derive(&seed)),
            });
        key
    }

    pub fn rotate_key(&mut self, repo: &str, environment: Option<&str>) {
        let n = self.next_id();
        let scope = self.scope_mut(repo, environment);
        scope.key = KeyPair::derive(&format!("{} rotated {n}", scope.key.id));
    }

    pub fn grant(&mut self, token: &str, repo: &str, permissions: &[Permission]) {
        let id = 9_000_000 + self.next_id();
        let entry = self
            .tokens
            .entry(token.to_string())
            .or_insert_with(|| Token {
                id,
                // A workflow's GITHUB_TOKEN (`ghs_…`, a GitHub App
                // installation token) acts as the Actions app's bot.
                login: if token.starts_with("ghs_") {
                    "github-actions[bot]".to_string()
                } else {
                    "envctl-test".to_string()
                },
                grants: HashMap::new(),
            });
        if !repo.is_empty() {
            entry
                .grants
                .entry(repo.to_ascii_lowercase())
                .or_default()
                .extend(permissions.iter().copied());
        }
    }

    fn repo_mut(&mut self, repo: &str) -> &mut Repo {
        self.repos
            .get_mut(&repo.to_ascii_lowercase())
            .unwrap_or_else(|| panic!("fake GitHub: no repository {repo}"))
    }

    /// The repository's scope, or one of its environments'.
    ///
    /// # Panics
    /// If either does not exist: for test helpers, where that is a bug.
    pub fn scope_mut(&mut self, repo: &str, environment: Option<&str>) -> &mut Scope {
        let repo = self.repo_mut(repo);
        match environment {
            None => &mut repo.scope,
            Some(env) => {
                &mut repo
                    .environments
                    .get_mut(&env.to_ascii_lowercase())
                    .unwrap_or_else(|| panic!("fake GitHub: no environment {env}"))
                    .scope
            }
        }
    }

    /// Counts a request against `bucket` (when `count`) and says where the
    /// bucket stands. A window opens with its first request and lasts an
    /// hour of the fake's clock (or `window_secs`); past the limit,
    /// requests are refused but still counted in `used`.
    pub fn quota(&mut self, bucket: &str, count: bool) -> Quota {
        let now = self.now_ms() / 1000;
        let limit = if bucket == ANONYMOUS {
            ANONYMOUS_LIMIT
        } else {
            self.token_limit
        };
        let entry = self.buckets.entry(bucket.to_string()).or_insert(Bucket {
            start_secs: now,
            used: 0,
        });
        let window = self.window_secs;
        if now >= entry.start_secs + window {
            *entry = Bucket {
                start_secs: now,
                used: 0,
            };
        }
        let exceeded = count && entry.used >= limit;
        if count {
            entry.used += 1;
        }
        let used = entry.used.min(limit);
        Quota {
            limit,
            remaining: limit - used,
            used,
            reset: entry.start_secs + window,
            exceeded,
        }
    }

    /// The headers every answer carries: `Date` from the fake's clock, a
    /// request id, and the media type.
    pub fn finish(&mut self, response: Response) -> Response {
        self.requests += 1;
        let id = format!(
            "{:04X}:{:04X}:{:06X}:{:07X}:{:08X}",
            self.requests % 0xFFFF,
            (self.requests * 7) % 0xFFFF,
            self.requests * 13,
            self.requests * 31,
            self.now_ms() / 1000 % 0xFFFF_FFFF
        );
        response
            .with_header("date", http_date(self.now_ms()))
            .with_header("x-github-request-id", id)
            .with_header("x-github-media-type", "github.v3; format=json")
    }
}
