//! How long the client waits: the limits on one request and one operation
//! ([`Policy`]), and the backoff between attempts when the server gave no
//! hint of its own.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::HttpError;

/// Limits on waiting. The defaults suit a CI job; the environment can
/// shorten them (`ENVCTL_HTTP_TIMEOUT`, `ENVCTL_HTTP_DEADLINE`, seconds).
#[derive(Debug, Clone)]
pub struct Policy {
    pub connect_timeout: Duration,
    /// For one request, from sending to the end of the body.
    pub request_timeout: Duration,
    /// For one operation, retries included.
    pub deadline: Duration,
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Client-side limit per endpoint: this many requests per `window`.
    pub per_window: u32,
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            per_window: 120,
            window: Duration::from_secs(60),
        }
    }
}

impl Policy {
    /// The defaults, shortened by `ENVCTL_HTTP_TIMEOUT` / `ENVCTL_HTTP_DEADLINE`.
    pub fn from_env() -> Policy {
        let mut policy = Policy::default();
        // Checked at start-up (crate::settings::check): invalid is an error there.
        let seconds = |name| crate::settings::seconds(name).ok().flatten();
        if let Some(t) = seconds("ENVCTL_HTTP_TIMEOUT") {
            policy.request_timeout = t;
            policy.connect_timeout = policy.connect_timeout.min(t);
        }
        if let Some(d) = seconds("ENVCTL_HTTP_DEADLINE") {
            policy.deadline = d;
        }
        policy
    }

    /// Exponential backoff with full jitter, capped.
    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16).saturating_sub(1));
        let cap = exp.min(self.max_delay);
        let fraction = (jitter() % 1000) as f64 / 1000.0;
        cap.mul_f64(0.5 + fraction / 2.0)
    }
}

/// How one attempt ended when it did not succeed.
pub(super) enum Attempt {
    /// Worth another try, after `wait` when the server said how long.
    Retry {
        error: HttpError,
        wait: Option<Duration>,
    },
    Final(HttpError),
}

/// Cheap randomness for jitter (not for secrets): the std hasher's random
/// keys, stirred by a counter.
fn jitter() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}
