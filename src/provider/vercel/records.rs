//! What apply needs from the read it plans from ([`Handles`]): the scope
//! read (a custom environment's id), the record envctl compared for each
//! key, and Vercel's clock skew. Records hold
//! envctl's tag, an unkeyed digest of the value, so `Debug` shows only the
//! tag's keyed form.

use std::collections::BTreeMap;
use std::fmt;

use super::scope::Scope;
use super::tags::parse_tag;

/// What apply needs from the read it plans from:
/// [`crate::provider::Handles`].
#[derive(Debug, Clone, Default)]
pub struct Handles {
    /// What the read read: for a custom environment, the id its slug
    /// named then. `None` in a snapshot from elsewhere.
    pub(super) scope: Option<Scope>,
    /// The record envctl compared for each key this target owns.
    pub(super) owned: BTreeMap<String, Owned>,
    /// Vercel's clock minus ours: tags are written in Vercel's time, so a
    /// skewed local clock cannot fake a hand edit. 0 when Vercel sent no
    /// `Date`.
    pub(super) skew_ms: i64,
}

/// One record envctl owns, as read.
#[derive(Clone, Default)]
pub(super) struct Owned {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) targets: Vec<String>,
    /// The custom environments the record is for too.
    pub(super) custom_ids: Vec<String>,
    /// Kept whole, so apply keeps the user's part; it holds envctl's tag,
    /// an unkeyed digest of the value, so `Debug` shows only the tag's
    /// keyed form.
    pub(super) comment: String,
}

impl fmt::Debug for Owned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Owned")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("targets", &self.targets)
            .field("custom_ids", &self.custom_ids)
            .field("tag", &parse_tag(&self.comment))
            .field("comment_len", &self.comment.len())
            .finish()
    }
}

impl Owned {
    /// Whether other targets or custom environments share this record.
    pub(super) fn shared(&self) -> bool {
        self.targets.len() + self.custom_ids.len() > 1
    }
}

#[cfg(test)]
mod tests {
    use super::super::tags::with_tag;
    use super::*;
    use envctl_core::secret::Fingerprint;

    #[test]
    fn handles_debug_shows_no_unkeyed_digest() {
        let fp = Fingerprint::of("value");
        let handles = Handles {
            owned: BTreeMap::from([(
                "A".to_string(),
                Owned {
                    id: "env_1".into(),
                    kind: "encrypted".into(),
                    targets: vec!["production".into()],
                    custom_ids: Vec::new(),
                    comment: with_tag("mine", &fp, 5),
                },
            )]),
            skew_ms: 0,
            scope: None,
        };
        let shown = format!("{handles:?}");
        assert!(shown.contains("env_1"), "{shown}");
        assert!(!shown.contains(fp.hex()), "{shown}");
    }
}
