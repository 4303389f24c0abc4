//! The client-side limiter: each endpoint stays under its share of
//! requests per window, and waits out a pause the server asked for, so one
//! busy run does not spend the whole account's rate limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keeps each endpoint under `per_window` requests per `window`, and holds
/// an endpoint back while the server has asked for a pause.
#[derive(Debug)]
pub(super) struct Limiter {
    per_window: u32,
    window: Duration,
    pub(super) state: Mutex<HashMap<&'static str, EndpointState>>,
}

#[derive(Debug, Default)]
pub(super) struct EndpointState {
    pub(super) sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Limiter {
    pub(super) fn new(per_window: u32, window: Duration) -> Limiter {
        Limiter {
            per_window: per_window.max(1),
            window,
            state: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on `endpoint` (never past `deadline`), then takes it.
    pub(super) async fn acquire(&self, endpoint: &'static str, deadline: Instant) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                let entry = state.entry(endpoint).or_default();
                let now = Instant::now();
                while entry
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    entry.sent.pop_front();
                }
                let blocked = entry.blocked_until.filter(|t| *t > now);
                let full = (entry.sent.len() as u32 >= self.per_window)
                    .then(|| entry.sent.front().map(|t| *t + self.window))
                    .flatten();
                match blocked.max(full) {
                    Some(until) if until < deadline => Some(until - now),
                    _ => {
                        entry.sent.push_back(now);
                        None
                    }
                }
            };
            match wait {
                Some(w) => tokio::time::sleep(w).await,
                None => return,
            }
        }
    }

    /// Nobody sends on `endpoint` before `until`.
    pub(super) fn block(&self, endpoint: &'static str, until: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let entry = state.entry(endpoint).or_default();
        entry.blocked_until = Some(entry.blocked_until.map_or(until, |t| t.max(until)));
    }
}
