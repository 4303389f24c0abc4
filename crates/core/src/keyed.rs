//! The fingerprint key: fingerprints as output shows them are keyed, so a
//! reader without the key learns nothing from them. Where the key comes
//! from (a variable, a file) is the shell's business (`envctl::keyed`);
//! this holds the key and computes tags.

use std::sync::RwLock;

use ring::hmac;

pub struct Key {
    key: hmac::Key,
    /// Where it came from, for messages.
    pub source: String,
}

/// Names where the key came from; never the key.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(from {})", self.source)
    }
}

impl Key {
    pub fn new(material: &[u8], source: String) -> Key {
        Key {
            key: hmac::Key::new(hmac::HMAC_SHA256, material),
            source,
        }
    }

    /// 16 hex digits of HMAC-SHA256(key, context ‖ message).
    pub fn tag(&self, context: &str, message: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(context.as_bytes());
        ctx.update(&[0]);
        ctx.update(message.as_bytes());
        let tag = ctx.sign();
        tag.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Names the key without revealing it: saved plans record it, so
    /// `apply FILE` can tell "another key" from "live state changed".
    pub fn id(&self) -> String {
        self.tag("envctl key id", "")
    }
}

/// The process's key. Set once by the shell when it found one, or when a
/// saved plan needs one that did not exist; leaked, as it lives as long
/// as the process anyway.
static KEY: RwLock<Option<&'static Key>> = RwLock::new(None);

/// The key of this process; `None` until the shell installed one.
pub fn key() -> Option<&'static Key> {
    *KEY.read().unwrap_or_else(|e| e.into_inner())
}

/// Installs `key` for the process (the shell finds it; see `envctl::keyed`).
pub fn set(key: Key) -> &'static Key {
    let key: &'static Key = Box::leak(Box::new(key));
    *KEY.write().unwrap_or_else(|e| e.into_inner()) = Some(key);
    key
}
