//! What envctl records on a platform about the write-only secrets it
//! wrote, where the platform keeps nothing beside the value itself
//! (Cloudflare `secret_text`, GitHub Actions secrets): one plain variable
//! of envctl's own, [`NAME`], written with the secrets, saying when
//! (`at`, in the platform's clock as envctl measured it) and the hex
//! SHA-256 of each value: `envctl-v1 at=<ms> KEY=<hex> …`. A later read
//! trusts a digest while the platform's own update time of that value (or
//! of the whole target, where that is all it gives) is not later than `at`
//! beyond [`TOLERANCE_MS`]; a later change is a hand change. The digests
//! are unkeyed, as the platforms' own are (Supabase): the `weak-secret`
//! rule keeps guessable values out of them. See docs/platforms.md.

use std::collections::BTreeMap;

use crate::secret::Fingerprint;

/// The variable envctl keeps its record in; never planned, never pruned.
pub const NAME: &str = "ENVCTL_SECRET_DIGESTS";

/// How much later than `at` the platform's update time may be and the
/// record still vouch for the value: the write's own duration plus the
/// error of the measured clock difference (`Date` has whole seconds). A
/// hand change within this window after envctl's write goes unseen.
pub const TOLERANCE_MS: i64 = 10_000;

const VERSION: &str = "envctl-v1";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// When envctl wrote it (ms since the epoch, envctl's clock).
    pub at: i64,
    pub digests: BTreeMap<String, Fingerprint>,
    /// When an entry was written, where that was before `at`: an entry a
    /// later write carried over keeps its own time (`KEY=<hex>@<ms>`), so
    /// a hand change made after it is still seen.
    pub times: BTreeMap<String, i64>,
}

impl Record {
    /// Whether the record still vouches for its secrets, given when the
    /// platform says they (or the whole target) last changed (`None`: it
    /// did not say).
    pub fn holds(&self, modified_ms: Option<i64>) -> bool {
        modified_ms.is_none_or(|m| m - self.at <= TOLERANCE_MS)
    }

    /// The digest envctl wrote for `name`, if the record still vouches for
    /// it given when the platform says that value last changed.
    pub fn vouch(&self, name: &str, changed_ms: Option<i64>) -> Option<&Fingerprint> {
        let at = self.time_of(name);
        self.digests
            .get(name)
            .filter(|_| changed_ms.is_none_or(|m| m - at <= TOLERANCE_MS))
    }

    /// When the entry for `name` was written.
    pub fn time_of(&self, name: &str) -> i64 {
        self.times.get(name).copied().unwrap_or(self.at)
    }

    /// `None` for anything envctl did not write in this form.
    pub fn parse(text: &str) -> Option<Record> {
        let mut words = text.split_ascii_whitespace();
        if words.next()? != VERSION {
            return None;
        }
        let at = words.next()?.strip_prefix("at=")?.parse().ok()?;
        let mut digests = BTreeMap::new();
        let mut times = BTreeMap::new();
        for word in words {
            let (key, value) = word.split_once('=')?;
            let hex = match value.split_once('@') {
                Some((hex, time)) => {
                    times.insert(key.to_string(), time.parse().ok()?);
                    hex
                }
                None => value,
            };
            digests.insert(key.to_string(), Fingerprint::from_hex(hex)?);
        }
        Some(Record { at, digests, times })
    }

    pub fn render(&self) -> String {
        let mut text = format!("{VERSION} at={}", self.at);
        for (key, digest) in &self.digests {
            text.push_str(&format!(" {key}={}", digest.hex()));
            if let Some(time) = self.times.get(key).filter(|t| **t != self.at) {
                text.push_str(&format!("@{time}"));
            }
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
            times: BTreeMap::from([("B_KEY".to_string(), 1_690_000_000_000)]),
        };
        assert_eq!(Record::parse(&record.render()), Some(record));
        for foreign in [
            "",
            "hello",
            "envctl-v1",
            "envctl-v1 at=x",
            "envctl-v1 at=1 A=zz",
            "envctl-v1 at=1 A=0000000000000000000000000000000000000000000000000000000000000000@x",
            "envctl-v2 at=1",
        ] {
            assert_eq!(Record::parse(foreign), None, "{foreign}");
        }
    }
}
