//! What envctl records beside the secrets it wrote to a Netlify site.
//!
//! Netlify never returns a secret's value outside the `dev` context, only
//! the variable's `updated_at` (one time for all its contexts), so envctl
//! keeps one plain variable of its own, [`NAME`], with one value per
//! deploy context: that context's record (`envctl-v1 at=<ms> KEY=<hex>…`,
//! see `envctl_core::model::record`). A secret named in it whose variable
//! has not changed since is as envctl wrote it.
//!
//! Because `updated_at` moves when *any* context's value changes, an apply
//! in one context also re-dates, in the other contexts' records, the
//! entries of the variables it touched that those records still vouched
//! for at the read: their values were unchanged then, and this apply did
//! not change them. Without that, applying staging would make production
//! look changed by hand.

use std::collections::{BTreeMap, BTreeSet};

pub use envctl_core::model::record::{NAME, Record, after};
use envctl_core::secret::Secret;

/// `record` re-dated at `at`: every entry keeps its own time, but those
/// of `touched` that it still vouched for, given when each variable last
/// changed at the read (`updated`), which take `at`. `None` when no entry
/// is re-dated.
pub fn redated(
    record: &Record,
    touched: &BTreeSet<&str>,
    updated: &BTreeMap<String, i64>,
    at: i64,
) -> Option<Record> {
    let fresh: Vec<&String> = record
        .digests
        .keys()
        .filter(|k| touched.contains(k.as_str()))
        .filter(|k| record.vouch(k, updated.get(*k).copied()).is_some())
        .collect();
    if fresh.is_empty() {
        return None;
    }
    let times = record
        .digests
        .keys()
        .filter(|k| !fresh.contains(k))
        .map(|k| (k.clone(), record.time_of(k)))
        .collect();
    Some(Record {
        at,
        digests: record.digests.clone(),
        times,
    })
}

/// The record's text, as a `Secret` for the request that writes it.
pub fn render(record: &Record) -> Secret {
    Secret::new(record.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use envctl_core::model::record::{Verdict, verify};
    use envctl_core::secret::Fingerprint;

    const AT: i64 = 1_780_000_000_000;

    #[test]
    fn only_touched_entries_still_vouched_for_are_redated() {
        let record = Record {
            at: AT,
            digests: BTreeMap::from([
                ("A".to_string(), Fingerprint::of("a")),
                ("B".to_string(), Fingerprint::of("b")),
                ("C".to_string(), Fingerprint::of("c")),
            ]),
            times: BTreeMap::new(),
        };
        let hour = 3_600_000;
        // B was changed by hand an hour after the record; A was not.
        let updated = BTreeMap::from([("A".to_string(), AT - 5), ("B".to_string(), AT + hour)]);
        let later = AT + 2 * hour;
        let touched = BTreeSet::from(["A", "B"]);
        let new = redated(&record, &touched, &updated, later).expect("A is re-dated");
        let read = Record::parse(&new.render()).unwrap();
        // After this apply, every touched variable's `updated_at` is `later`.
        let now = Some(later + 1);
        assert!(matches!(verify(Some(&read), "A", now), Verdict::Vouched(_)));
        assert!(matches!(
            verify(Some(&read), "B", now),
            Verdict::ChangedSince(_)
        ));
        // C was not touched: it keeps its time and still vouches for it.
        assert!(matches!(
            verify(Some(&read), "C", Some(AT)),
            Verdict::Vouched(_)
        ));
        assert_eq!(
            redated(&record, &BTreeSet::from(["B"]), &updated, later),
            None
        );
    }
}
