//! Fingerprints as output shows them: keyed, so a reader without the key
//! learns nothing from them.
//!
//! A plain SHA-256 prefix of a secret in a public pull-request comment
//! confirms a guess offline. envctl therefore shows a fingerprint only as
//! HMAC-SHA256 under the team's fingerprint key, and when there is no key
//! it shows none: a plan then says that a secret changes, not what it
//! hashes to. The key comes from `ENVCTL_FINGERPRINT_KEY`, else from
//! `.envctl/fingerprint-key` in the project (written, mode 0600, the first
//! time a saved plan needs one). Saved plans and the audit log use the
//! same key.
//!
//! The digests the platforms themselves hold (Supabase's hex(sha256),
//! Vercel's comment tag) stay unkeyed: the `weak-secret` rule keeps them
//! safe by refusing guessable values.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shortest `ENVCTL_FINGERPRINT_KEY` accepted.
pub const MIN_KEY_LENGTH: usize = 16;

/// Where a project keeps its key when no variable gives one.
pub const KEY_FILE: &str = ".envctl/fingerprint-key";

/// The variable that gives the key.
pub const KEY_VAR: &str = "ENVCTL_FINGERPRINT_KEY";

use envctl_core::keyed::set;
pub use envctl_core::keyed::{Key, key};

/// Whether [`install`] ran: later calls keep the first answer.
static INSTALLED: OnceLock<()> = OnceLock::new();

/// Looks up the key for the project at `root` and installs it for the
/// process. An invalid `ENVCTL_FINGERPRINT_KEY` is an error; a missing one
/// is not. Later calls keep the first answer.
pub fn install(root: &Path, var: Option<String>) -> Result<Option<&'static Key>, String> {
    if INSTALLED.get().is_none() {
        if let Some(found) = find(root, var)? {
            set(found);
        }
        let _ = INSTALLED.set(());
    }
    Ok(key())
}

fn find(root: &Path, var: Option<String>) -> Result<Option<Key>, String> {
    if let Some(text) = var {
        if text.trim().chars().count() < MIN_KEY_LENGTH {
            return Err(format!(
                "{KEY_VAR} must be at least {MIN_KEY_LENGTH} characters (e.g. `openssl rand -hex 32`); unset it to show no fingerprints"
            ));
        }
        return Ok(Some(Key::new(text.trim().as_bytes(), KEY_VAR.to_string())));
    }
    let path = root.join(KEY_FILE);
    // A key others can read may have come with the checkout (git writes
    // 0644): a pull request could choose the key its own plan comment is
    // fingerprinted with. envctl writes the file 0600.
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(&path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "{} can be read by other users (mode {:o}), so it may not be the key envctl wrote; delete it (the next `plan --out` writes a new one) or set {KEY_VAR}",
                path.display(),
                meta.permissions().mode() & 0o777
            ));
        }
    }
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= MIN_KEY_LENGTH => {
            Ok(Some(Key::new(text.trim().as_bytes(), KEY_FILE.to_string())))
        }
        Ok(_) => Err(format!(
            "{} holds no usable key (at least {MIN_KEY_LENGTH} characters); delete it and envctl writes a new one",
            path.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {}", path.display(), e.kind())),
    }
}

/// The project's key, writing `.envctl/fingerprint-key` when there is
/// none: for saved plans, which must compare fingerprints across runs.
/// Returns the key and, when it was just written, its path.
pub fn ensure(root: &Path) -> Result<(&'static Key, Option<PathBuf>), String> {
    if let Some(key) = key() {
        return Ok((key, None));
    }
    let path = root.join(KEY_FILE);
    let mut material = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut material)
        .map_err(|_| "the system's random number generator failed".to_string())?;
    let hex: String = material.iter().map(|b| format!("{b:02x}")).collect();
    crate::fs::write_atomically(&path, &format!("{hex}\n"))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    // Keeps the key (and the audit log beside it) out of commits.
    let ignore = root.join(".envctl/.gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(
            &ignore,
            "# written by envctl: nothing here belongs in git\n*\n",
        );
    }
    Ok((
        set(Key::new(hex.as_bytes(), KEY_FILE.to_string())),
        Some(path),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_depend_on_the_key_and_the_message() {
        let a = Key::new(b"0123456789abcdef-a", "test".into());
        let b = Key::new(b"0123456789abcdef-b", "test".into());
        assert_eq!(a.tag("fp", "x").len(), 16);
        assert_eq!(a.tag("fp", "x"), a.tag("fp", "x"));
        assert_ne!(a.tag("fp", "x"), b.tag("fp", "x"));
        assert_ne!(a.tag("fp", "x"), a.tag("fp", "y"));
        assert_ne!(a.tag("fp", "x"), a.tag("id", "x"));
        assert_ne!(a.id(), b.id());
    }

    #[test]
    fn a_short_variable_is_refused_and_a_missing_file_is_no_key() {
        let dir = tempfile::tempdir().unwrap();
        assert!(find(dir.path(), Some("short".into())).is_err());
        assert!(find(dir.path(), None).unwrap().is_none());
        std::fs::create_dir_all(dir.path().join(".envctl")).unwrap();
        std::fs::write(dir.path().join(KEY_FILE), "x\n").unwrap();
        assert!(find(dir.path(), None).is_err());
        std::fs::write(dir.path().join(KEY_FILE), "0123456789abcdef0123\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = dir.path().join(KEY_FILE);
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(
                find(dir.path(), None)
                    .unwrap_err()
                    .contains("read by other users")
            );
            std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert_eq!(
            find(dir.path(), None).unwrap().unwrap().source,
            KEY_FILE.to_string()
        );
    }
}
