//! The OS keychain, for `keyring` secret references and platform tokens
//! (looked up by [`crate::provider::credentials`]).
//!
//! Entries live under service `envctl`: a secret at account
//! `<project>/<environment>/<NAME>`, a token saved by `envctl login` at
//! `login/<platform>`. macOS uses the login Keychain, Windows the
//! Credential Manager, Linux the kernel's persistent keyring (keyutils; no
//! D-Bus needed). Where none works (a CI container, an OS without a
//! store), every operation says so and points to `env:` and `file:`; none
//! blocks or prompts.

use std::fmt;
use std::sync::OnceLock;

use keyring_core::{Entry, Error as KeyError};

use envctl_core::secret::Secret;

/// The service every entry is stored under.
pub const SERVICE: &str = "envctl";

/// The account of one environment's secret.
pub fn secret_account(project: &str, environment: &str, name: &str) -> String {
    format!("{project}/{environment}/{name}")
}

/// The account of a platform's API token.
pub fn token_account(platform: &str) -> String {
    format!("login/{platform}")
}

/// Why the keychain could not serve a request. Never holds a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringError {
    /// No keychain works on this machine.
    Unavailable(String),
    /// Nothing is stored at that account.
    Missing { account: String },
    /// The keychain answered with an error.
    Failed(String),
}

impl fmt::Display for KeyringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyringError::Unavailable(why) => write!(
                f,
                "no OS keychain is available on this machine ({why}); use an `env:NAME` or `file:PATH` reference instead"
            ),
            KeyringError::Missing { account } => write!(
                f,
                "nothing is stored in the keychain at service `{SERVICE}`, account `{account}`"
            ),
            KeyringError::Failed(why) => write!(f, "the keychain refused: {why}"),
        }
    }
}

/// Where entries go: the OS store, or (in debug builds, for tests that run
/// the binary) a file named by `ENVCTL_TEST_KEYRING`.
enum Backend {
    Native,
    #[cfg(debug_assertions)]
    TestFile(std::path::PathBuf),
}

fn backend() -> Result<&'static Backend, KeyringError> {
    static BACKEND: OnceLock<Result<Backend, KeyringError>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            #[cfg(debug_assertions)]
            if let Some(path) = std::env::var_os("ENVCTL_TEST_KEYRING") {
                if path == "unavailable" {
                    return Err(KeyringError::Unavailable(
                        "ENVCTL_TEST_KEYRING=unavailable".into(),
                    ));
                }
                return Ok(Backend::TestFile(path.into()));
            }
            if keyring_core::get_default_store().is_none() {
                keyring_core::set_default_store(native_store()?);
            }
            Ok(Backend::Native)
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(target_os = "linux")]
fn native_store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, KeyringError> {
    linux_keyutils_keyring_store::Store::new()
        .map(|s| s as std::sync::Arc<keyring_core::CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(target_os = "macos")]
fn native_store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, KeyringError> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as std::sync::Arc<keyring_core::CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(windows)]
fn native_store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, KeyringError> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as std::sync::Arc<keyring_core::CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn native_store() -> Result<std::sync::Arc<keyring_core::CredentialStore>, KeyringError> {
    Err(KeyringError::Unavailable(
        "envctl has no keychain support for this operating system".into(),
    ))
}

/// Maps the store's errors; the two that carry the stored bytes are
/// described, never shown.
fn failed(account: &str, e: KeyError) -> KeyringError {
    match e {
        KeyError::NoEntry => KeyringError::Missing {
            account: account.to_string(),
        },
        KeyError::NoStorageAccess(why) | KeyError::PlatformFailure(why) => {
            KeyringError::Unavailable(why.to_string())
        }
        KeyError::BadEncoding(_) | KeyError::BadDataFormat(..) => {
            KeyringError::Failed(format!("the value at `{account}` is not UTF-8 text"))
        }
        other => KeyringError::Failed(other.to_string()),
    }
}

fn entry(account: &str) -> Result<Entry, KeyringError> {
    Entry::new(SERVICE, account).map_err(|e| failed(account, e))
}

/// The value stored at `account`.
pub fn get(account: &str) -> Result<Secret, KeyringError> {
    match backend()? {
        Backend::Native => entry(account)?
            .get_password()
            .map(Secret::new)
            .map_err(|e| failed(account, e)),
        #[cfg(debug_assertions)]
        Backend::TestFile(path) => test_file::read(path)?
            .remove(account)
            .map(Secret::new)
            .ok_or_else(|| KeyringError::Missing {
                account: account.to_string(),
            }),
    }
}

/// Stores `value` at `account`, replacing what was there.
pub fn set(account: &str, value: &Secret) -> Result<(), KeyringError> {
    match backend()? {
        Backend::Native => entry(account)?
            .set_password(value.expose())
            .map_err(|e| failed(account, e)),
        #[cfg(debug_assertions)]
        Backend::TestFile(path) => {
            let mut all = test_file::read(path)?;
            all.insert(account.to_string(), value.expose().to_string());
            test_file::write(path, &all)
        }
    }
}

/// Removes the entry at `account`.
pub fn delete(account: &str) -> Result<(), KeyringError> {
    match backend()? {
        Backend::Native => entry(account)?
            .delete_credential()
            .map_err(|e| failed(account, e)),
        #[cfg(debug_assertions)]
        Backend::TestFile(path) => {
            let mut all = test_file::read(path)?;
            if all.remove(account).is_none() {
                return Err(KeyringError::Missing {
                    account: account.to_string(),
                });
            }
            test_file::write(path, &all)
        }
    }
}

/// A store in a JSON file, so tests of the binary can share entries across
/// processes. Compiled into debug builds only.
#[cfg(debug_assertions)]
mod test_file {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::KeyringError;

    pub fn read(path: &Path) -> Result<BTreeMap<String, String>, KeyringError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| KeyringError::Failed(format!("test keyring file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(KeyringError::Failed(format!("test keyring file: {e}"))),
        }
    }

    pub fn write(path: &Path, all: &BTreeMap<String, String>) -> Result<(), KeyringError> {
        let text = serde_json::to_string(all).expect("strings serialize");
        std::fs::write(path, text)
            .map_err(|e| KeyringError::Failed(format!("test keyring file: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unit tests share one process-wide mock store (keyring-core's
    /// own), installed before the first entry is made.
    fn mock() {
        static INIT: OnceLock<()> = OnceLock::new();
        INIT.get_or_init(|| {
            keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
        });
    }

    #[test]
    fn set_get_delete_round_trip_in_the_mock_store() {
        mock();
        let account = secret_account("huddle", "staging", "ROUND_TRIP");
        assert_eq!(account, "huddle/staging/ROUND_TRIP");
        assert!(matches!(get(&account), Err(KeyringError::Missing { .. })));
        set(&account, &Secret::new("CANARY-value".into())).unwrap();
        assert_eq!(get(&account).unwrap().expose(), "CANARY-value");
        delete(&account).unwrap();
        let missing = get(&account).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("account `huddle/staging/ROUND_TRIP`")
        );
    }

    #[test]
    fn store_failures_say_what_to_use_instead_and_never_show_bytes() {
        mock();
        let account = secret_account("huddle", "prod", "FAILING");
        set(&account, &Secret::new("CANARY-stored".into())).unwrap();
        let e = entry(&account).unwrap();
        let cred: &keyring_core::mock::Cred = e.as_any().downcast_ref().unwrap();
        cred.set_error(KeyError::NoStorageAccess(Box::new(std::io::Error::other(
            "locked",
        ))));
        let unavailable = e
            .get_password()
            .map_err(|e| failed(&account, e))
            .unwrap_err();
        let text = unavailable.to_string();
        assert!(text.contains("no OS keychain is available"), "{text}");
        assert!(
            text.contains("env:NAME") && text.contains("locked"),
            "{text}"
        );
        cred.set_error(KeyError::BadEncoding(b"CANARY-bytes".to_vec()));
        let bad = e
            .get_password()
            .map_err(|e| failed(&account, e))
            .unwrap_err();
        assert!(!format!("{bad} {bad:?}").contains("CANARY"), "{bad:?}");
    }
}
