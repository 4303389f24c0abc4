//! The one place envctl reads the wall clock. Everything that compares or
//! records times (rules' secret ages, saved plans, the audit log, the
//! time a platform record was written, a rate limit's reset) asks here;
//! the core never reads a clock and is handed `now_ms` instead.

/// This machine's clock, in ms since the epoch (0 before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
