//! Secret values: a type that cannot leak by accident, and fingerprints
//! that show a change without showing the value.
//!
//! The plaintext is reachable only through [`Secret::expose`], which is
//! called where a value is compared or written to its target — nowhere else.

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A secret value. Zeroed on drop; `Debug` and `Display` redact; not
/// `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    /// The plaintext, for the one place that writes it to a platform.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// hex(sha256(value)) — exactly what Supabase's secrets list returns, so
/// drift is found by comparing digests, without reading plaintext.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(String);

/// `Debug` shows the keyed form only, like every other output.
impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Fingerprint({})",
            self.shown().as_deref().unwrap_or("<unkeyed, withheld>")
        )
    }
}

/// Output (JSON plans included) carries only the keyed form, or nothing
/// when there is no fingerprint key ([`crate::keyed`]): an unkeyed digest
/// of a low-entropy secret is a ready-made target for guessing.
impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.shown().serialize(serializer)
    }
}

impl Fingerprint {
    pub fn of(value: &str) -> Fingerprint {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(value.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        Fingerprint(hex)
    }

    /// A digest a platform reported; `None` unless it is 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Fingerprint> {
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Fingerprint(hex.to_ascii_lowercase()))
    }

    /// The unkeyed digest, for the platforms that compare it (Supabase's
    /// secrets list, Vercel's comment tag). Never for output.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// For people: 8 hex digits of the keyed fingerprint, enough to see
    /// that a value changed; `None` without a fingerprint key.
    pub fn shown(&self) -> Option<String> {
        self.token().map(|mut t| {
            t.truncate(8);
            t
        })
    }

    /// For comparing across runs (saved plans, the audit log): 16 hex
    /// digits of the keyed fingerprint; `None` without a key.
    pub fn token(&self) -> Option<String> {
        crate::keyed::key().map(|k| k.tag("fingerprint", &self.0))
    }

    /// A version token for a saved plan's record of live objects:
    /// `hmac:` and [`Fingerprint::token`], or `present` without a key
    /// (saved plans always have one: `plan --out` makes it first).
    pub fn versioned(&self) -> String {
        self.token()
            .map_or_else(|| "present".to_string(), |t| format!("hmac:{t}"))
    }
}
