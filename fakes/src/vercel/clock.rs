//! The clock, timestamps and ids.

use super::*;

/// The clock, timestamps and ids.
pub(super) struct Clock {
    /// Epoch ms when the fake started, and the instant it did.
    pub(super) base_ms: u64,
    pub(super) started: Instant,
    pub(super) offset_ms: u64,
    pub(super) last_stamp: u64,
    pub(super) seed: u64,
    pub(super) counter: u64,
}

impl Clock {
    pub(super) fn new() -> Clock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Clock {
            base_ms: since_epoch.as_millis() as u64,
            started: Instant::now(),
            offset_ms: 0,
            last_stamp: 0,
            seed: since_epoch.as_nanos() as u64,
            counter: 0,
        }
    }

    pub(super) fn now_ms(&self) -> u64 {
        self.base_ms + self.started.elapsed().as_millis() as u64 + self.offset_ms
    }

    /// A creation time: now, but strictly after every earlier one, so
    /// `createdAt` cursors never tie.
    pub(super) fn stamp(&mut self) -> u64 {
        self.last_stamp = self.now_ms().max(self.last_stamp + 1);
        self.last_stamp
    }

    /// An update time strictly after `previous`.
    pub(super) fn bump(&self, previous: u64) -> u64 {
        self.now_ms().max(previous + 1)
    }

    /// 16 alphanumeric characters, distinct per call.
    pub(super) fn id(&mut self) -> String {
        const ALPHABET: &[u8; 62] =
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        self.counter += 1;
        let digest = Sha256::digest(format!("{}:{}", self.seed, self.counter).as_bytes());
        digest[..16]
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }

    pub(super) fn new_record(&mut self, draft: Draft, user: &str) -> Record {
        let created_at = self.stamp();
        Record {
            id: self.id(),
            key: draft.key,
            value: draft.value,
            kind: draft.kind,
            target: draft.target,
            git_branch: draft.git_branch,
            custom_environment_ids: draft.custom_environment_ids,
            comment: draft.comment,
            created_at,
            updated_at: created_at,
            created_by: user.to_string(),
            updated_by: user.to_string(),
        }
    }
}
