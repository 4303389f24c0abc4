//! Diagnostic logging to stderr, off by default. `-v` (or `ENVCTL_LOG=debug`)
//! shows each HTTP request: method, path, status, time and attempt. Never a
//! header, a body or a query value that could hold a secret — so the most
//! verbose level is as safe to paste into an issue as the default one.
//!
//! The one piece of a platform's answer a line may carry is an `HttpError`
//! (a retry's reason at `-vv`), and `http` builds those already scrubbed
//! of every value the request sent, of secret-looking fields and of full
//! digests (`http::scrub`). Nothing here sees a raw body, so nothing here
//! needs to scrub.

use std::sync::atomic::{AtomicU8, Ordering};

static LEVEL: AtomicU8 = AtomicU8::new(0);

/// 0 quiet, 1 debug (requests), 2 trace (also retries' reasoning).
pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

/// Raises the level from `ENVCTL_LOG` (`debug` or `trace`), if set; an
/// unusable value is for [`crate::settings::check`] to report.
pub fn init_from_env() {
    let from_env = crate::settings::log_level().ok().flatten().unwrap_or(0);
    if from_env > level() {
        set_level(from_env);
    }
}

pub fn level() -> u8 {
    LEVEL.load(Ordering::Relaxed)
}

/// Writes a debug line; the caller passes only non-secret facts.
pub fn debug(message: impl FnOnce() -> String) {
    if level() >= 1 {
        eprintln!("debug: {}", message());
    }
}

pub fn trace(message: impl FnOnce() -> String) {
    if level() >= 2 {
        eprintln!("trace: {}", message());
    }
}
