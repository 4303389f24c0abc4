//! A secret's value sealed for GitHub, as "Encrypting secrets for the REST
//! API" (docs.github.com/rest/guides/encrypting-secrets-for-the-rest-api)
//! asks: a libsodium sealed box (`crypto_box_seal`: an ephemeral X25519
//! key pair, XSalsa20-Poly1305, the nonce from BLAKE2b of both public
//! keys) to the scope's public key, base64-encoded. Only GitHub, holding
//! the private key, can open it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::aead::OsRng;

use envctl_core::secret::Secret;

/// `value` sealed to `public_key` (base64, as GitHub sends it), in base64.
/// The error names what was wrong with the key, never the value.
pub fn seal(public_key: &str, value: &Secret) -> Result<Secret, String> {
    let key = public_key_bytes(public_key)?;
    let sealed = crypto_box::PublicKey::from(key)
        .seal(&mut OsRng, value.expose().as_bytes())
        .map_err(|_| "the value could not be sealed to GitHub's public key".to_string())?;
    Ok(Secret::new(STANDARD.encode(sealed)))
}

fn public_key_bytes(public_key: &str) -> Result<[u8; crypto_box::KEY_SIZE], String> {
    let bytes = STANDARD
        .decode(public_key.trim())
        .map_err(|_| "GitHub's public key for secrets is not base64".to_string())?;
    bytes.as_slice().try_into().map_err(|_| {
        format!(
            "GitHub's public key for secrets has {} bytes, not the {} of a Curve25519 key",
            bytes.len(),
            crypto_box::KEY_SIZE
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_the_private_key_only() {
        let private = crypto_box::SecretKey::generate(&mut OsRng);
        let public = STANDARD.encode(private.public_key().as_bytes());
        let value = Secret::new("sk_live_canary \u{1F511}".into());
        let sealed = seal(&public, &value).unwrap();
        assert!(!sealed.expose().contains("canary"));
        let bytes = STANDARD.decode(sealed.expose()).unwrap();
        // An ephemeral public key (32) and a Poly1305 tag (16) around it.
        assert_eq!(bytes.len(), value.expose().len() + 48);
        assert_eq!(private.unseal(&bytes).unwrap(), value.expose().as_bytes());
        // Each sealing uses a new ephemeral key.
        assert_ne!(seal(&public, &value).unwrap().expose(), sealed.expose());
        let other = crypto_box::SecretKey::generate(&mut OsRng);
        assert!(other.unseal(&bytes).is_err());
    }

    #[test]
    fn a_bad_public_key_is_refused_without_the_value() {
        let value = Secret::new("canary".into());
        for key in ["not base64!", "AAAA"] {
            let why = seal(key, &value).unwrap_err();
            assert!(!why.contains("canary"), "{why}");
        }
    }
}
