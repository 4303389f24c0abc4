//! What envctl records beside the Actions secrets it wrote, and how a read
//! trusts it.
//!
//! GitHub never returns a secret's value, only its `updated_at`
//! (docs.github.com/rest/actions/secrets#list-repository-secrets), so
//! envctl keeps one Actions *variable* of its own, [`NAME`], at the same
//! level as the secrets (the repository or the environment), rewritten
//! after every apply that wrote or deleted a secret:
//! `envctl-v1 at=<ms> KEY=<hex sha256> …`, `at` in GitHub's clock as
//! envctl measured it. On the next read, a secret named in it whose
//! `updated_at` is not later than `at` (beyond [`TOLERANCE_MS`]) is as
//! envctl wrote it; a later one was changed by hand (or by an apply that
//! stopped before recording it) and is written again; a secret the record
//! does not name is unknown. The trade-off is in docs/platforms.md: anyone
//! who can read the repository's variables reads the digests, and every
//! workflow of that level sees the variable as `vars.ENVCTL_SECRET_DIGESTS`.

pub use envctl_core::model::record::{NAME, Record, TOLERANCE_MS, Verdict, after, verify};
use envctl_core::secret::Secret;

/// GitHub's limit on one variable's value, 48 KB
/// (docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#limits-for-configuration-variables);
/// a scope holds at most 100 secrets, about 8 KB of record.
pub const MAX_LEN: usize = 48 * 1024;

/// The record's text, as a `Secret` for the request that writes it.
pub fn render(record: &Record) -> Secret {
    Secret::new(record.render())
}
