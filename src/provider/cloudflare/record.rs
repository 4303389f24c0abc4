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

use std::collections::BTreeMap;

use envctl_core::secret::Fingerprint;

/// The variable envctl keeps its record in; never planned, never pruned.
pub const NAME: &str = "ENVCTL_SECRET_DIGESTS";

/// How much later than `at` the project's `modified_on` may be and the
/// record still vouch for the secrets: the PATCH's own time plus the error
/// of the measured clock difference (`Date` has whole seconds). A hand
/// change within this window after envctl's write goes unseen.
pub const TOLERANCE_MS: i64 = 10_000;

/// Cloudflare's limit on one variable's value; about 70 secrets.
pub const MAX_LEN: usize = 5 * 1024;

const VERSION: &str = "envctl-v1";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// When envctl wrote it (ms since the epoch, envctl's clock).
    pub at: i64,
    pub digests: BTreeMap<String, Fingerprint>,
}

impl Record {
    /// Whether the record still vouches for its secrets, given when the
    /// project last changed (`None`: Cloudflare did not say).
    pub fn holds(&self, modified_ms: Option<i64>) -> bool {
        modified_ms.is_none_or(|m| m - self.at <= TOLERANCE_MS)
    }

    /// `None` for anything envctl did not write in this form.
    pub fn parse(text: &str) -> Option<Record> {
        let mut words = text.split_ascii_whitespace();
        if words.next()? != VERSION {
            return None;
        }
        let at = words.next()?.strip_prefix("at=")?.parse().ok()?;
        let mut digests = BTreeMap::new();
        for word in words {
            let (key, hex) = word.split_once('=')?;
            digests.insert(key.to_string(), Fingerprint::from_hex(hex)?);
        }
        Some(Record { at, digests })
    }

    pub fn render(&self) -> String {
        let mut text = format!("{VERSION} at={}", self.at);
        for (key, digest) in &self.digests {
            text.push_str(&format!(" {key}={}", digest.hex()));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_foreign_text_is_not_one() {
        let record = Record {
            at: 1_700_000_000_000,
            digests: BTreeMap::from([
                ("A".to_string(), Fingerprint::of("a")),
                ("B_KEY".to_string(), Fingerprint::of("b")),
            ]),
        };
        assert_eq!(Record::parse(&record.render()), Some(record));
        for foreign in [
            "",
            "hello",
            "envctl-v1",
            "envctl-v1 at=x",
            "envctl-v1 at=1 A=zz",
            "envctl-v2 at=1",
        ] {
            assert_eq!(Record::parse(foreign), None, "{foreign}");
        }
    }
}
