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

use std::collections::BTreeMap;

pub use envctl_core::model::record::{NAME, Record, TOLERANCE_MS};
use envctl_core::secret::{Fingerprint, Secret};

/// GitHub's limit on one variable's value, 48 KB
/// (docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#limits-for-configuration-variables);
/// a scope holds at most 100 secrets, about 8 KB of record.
pub const MAX_LEN: usize = 48 * 1024;

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

/// The record's text, as a `Secret` for the request that writes it.
pub fn render(record: &Record) -> Secret {
    Secret::new(record.render())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let text = render(&after(&kept, [("OTHER", Some(&new))], later));
        let read = Record::parse(text.expose()).expect("a record");
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
        let text = render(&after);
        assert!(!text.expose().contains("sk_live"));
        assert_eq!(
            Record::parse(text.expose()).map(|r| r.at),
            Some(AT),
            "a record envctl reads back"
        );
    }
}
