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

use crate::secret::{Fingerprint, Secret};

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

/// What the record says of one live secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// As envctl wrote it: this digest.
    Vouched(Fingerprint),
    /// Updated this long after envctl's record.
    ChangedSince(i64),
    /// The record does not name it (or there is none).
    Unrecorded,
}

/// What `record` says of the secret `name`, which GitHub says was last
/// updated at `updated_ms` (`None`: it did not say, and the record is
/// trusted).
pub fn verify(record: Option<&Record>, name: &str, updated_ms: Option<i64>) -> Verdict {
    let Some(record) = record.filter(|r| r.digests.contains_key(name)) else {
        return Verdict::Unrecorded;
    };
    match record.vouch(name, updated_ms) {
        Some(digest) => Verdict::Vouched(digest.clone()),
        None => {
            let at = record.time_of(name);
            Verdict::ChangedSince(updated_ms.unwrap_or(at) - at)
        }
    }
}

/// The record after an apply at `at`: the entries the read found for
/// secrets still held (vouched for or changed since), each keeping its own
/// time, so a hand change after it — before this apply or during it — is
/// still seen; each secret written now (`Some(value)`, time `at`); less
/// what was moved away or deleted (`None`).
pub fn after<'a>(
    kept: &BTreeMap<String, (Fingerprint, i64)>,
    changes: impl IntoIterator<Item = (&'a str, Option<&'a Secret>)>,
    at: i64,
) -> Record {
    let mut record = Record {
        at,
        digests: kept
            .iter()
            .map(|(k, (d, _))| (k.clone(), d.clone()))
            .collect(),
        times: kept.iter().map(|(k, (_, t))| (k.clone(), *t)).collect(),
    };
    for (name, value) in changes {
        record.times.remove(name);
        match value {
            Some(value) => record.digests.insert(name.to_string(), value.fingerprint()),
            None => record.digests.remove(name),
        };
    }
    record
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

    const AT: i64 = 1_780_000_000_000;

    fn record() -> Record {
        Record {
            at: AT,
            digests: BTreeMap::from([("STRIPE_KEY".to_string(), Fingerprint::of("sk_live_1"))]),
            times: BTreeMap::new(),
        }
    }

    #[test]
    fn a_secret_not_updated_since_the_record_is_vouched_for() {
        let r = record();
        let vouched = Verdict::Vouched(Fingerprint::of("sk_live_1"));
        assert_eq!(verify(Some(&r), "STRIPE_KEY", Some(AT - 60_000)), vouched);
        // The write itself lands a little after `at` was measured.
        assert_eq!(
            verify(Some(&r), "STRIPE_KEY", Some(AT + TOLERANCE_MS)),
            vouched
        );
        assert_eq!(verify(Some(&r), "STRIPE_KEY", None), vouched);
    }

    #[test]
    fn a_secret_updated_later_was_changed_by_hand() {
        let r = record();
        assert_eq!(
            verify(Some(&r), "STRIPE_KEY", Some(AT + 3_600_000)),
            Verdict::ChangedSince(3_600_000)
        );
        assert_eq!(
            verify(Some(&r), "STRIPE_KEY", Some(AT + TOLERANCE_MS + 1)),
            Verdict::ChangedSince(TOLERANCE_MS + 1)
        );
    }

    #[test]
    fn a_secret_without_an_entry_or_a_record_is_unrecorded() {
        let r = record();
        assert_eq!(verify(Some(&r), "OTHER", Some(AT)), Verdict::Unrecorded);
        assert_eq!(verify(None, "STRIPE_KEY", Some(AT)), Verdict::Unrecorded);
    }

    /// A hand change after the read, before the record is rewritten: the
    /// carried entry keeps its old time, so the next read still sees it.
    #[test]
    fn a_carried_entry_keeps_its_time_and_a_later_hand_change_is_seen() {
        let kept = BTreeMap::from([("STRIPE_KEY".to_string(), (Fingerprint::of("sk_live_1"), AT))]);
        let new = Secret::new("v".into());
        let later = AT + 3_600_000;
        let text = after(&kept, [("OTHER", Some(&new))], later).render();
        let read = Record::parse(&text).expect("a record");
        let hand = Some(AT + 60_000);
        assert_eq!(
            verify(Some(&read), "STRIPE_KEY", hand),
            Verdict::ChangedSince(60_000)
        );
        assert!(matches!(
            verify(Some(&read), "OTHER", Some(later)),
            Verdict::Vouched(_)
        ));
    }

    #[test]
    fn the_record_after_an_apply_adds_writes_and_drops_deletes() {
        let kept = BTreeMap::from([(
            "STRIPE_KEY".to_string(),
            (Fingerprint::of("sk_live_1"), AT - 1),
        )]);
        let new = Secret::new("sk_live_2".into());
        let after = after(&kept, [("NEW_KEY", Some(&new)), ("STRIPE_KEY", None)], AT);
        assert_eq!(
            after.digests,
            BTreeMap::from([("NEW_KEY".to_string(), Fingerprint::of("sk_live_2"))])
        );
        let text = after.render();
        assert!(!text.contains("sk_live"));
        assert_eq!(
            Record::parse(&text).map(|r| r.at),
            Some(AT),
            "a record envctl reads back"
        );
    }
}
