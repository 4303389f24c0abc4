//! What envctl records on a Pages environment about the secrets it wrote.
//!
//! Cloudflare never returns a `secret_text` value and keeps no comment on a
//! variable, so envctl keeps one `plain_text` variable of its own,
//! [`NAME`], written in the same PATCH as the secrets:
//! `envctl-v1 at=<ms> KEY=<hex sha256> …`. On the next read a secret named
//! in it is as envctl wrote it, unless the project's `modified_on` is later
//! than `at` (beyond [`TOLERANCE_MS`]): then something changed after
//! envctl's write, and the secrets are written again. `modified_on` covers
//! the whole project, so every envctl PATCH also refreshes the `at` of the
//! other deployment environment's record, when that record still held. The trade-off, in
//! docs/platforms.md: every project member can read the digests (as
//! Supabase shows its own; the `weak-secret` rule keeps them safe), the
//! variable is visible to the Pages Functions runtime, and any hand change
//! to the project (a plain variable, a build setting) makes every recorded
//! secret "changed" until the next apply.

pub use envctl_core::model::record::{NAME, Record, TOLERANCE_MS};

/// Cloudflare's limit on one variable's value; about 70 secrets.
pub const MAX_LEN: usize = 5 * 1024;
