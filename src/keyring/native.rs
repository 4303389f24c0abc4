//! One operation on one store: the Secret Service (its own module), the
//! stores of the keyring-core family (keyutils, macOS, Windows) and, in
//! debug builds, the test keyring file.

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry, Error as KeyError};

use super::{Keychain, KeyringError, SERVICE, Store};
use envctl_core::secret::Secret;

/// The stores this operating system has.
pub fn supported() -> &'static [Store] {
    #[cfg(target_os = "linux")]
    return &[Store::SecretService, Store::KernelKeyring];
    #[cfg(target_os = "macos")]
    return &[Store::MacKeychain];
    #[cfg(windows)]
    return &[Store::WindowsCredentials];
    #[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
    return &[];
}

/// Linux: the Secret Service when the session bus offers it (new entries
/// go there unless `ENVCTL_KEYCHAIN=keyutils`), else the kernel keyring.
/// A bus that is configured but fails is an error, not a reason to write
/// somewhere else.
#[cfg(target_os = "linux")]
pub fn choose(preference: Option<Store>) -> Result<Keychain, KeyringError> {
    use super::secret_service::{self, Probe};
    let kernel_only = || Keychain {
        write: Store::KernelKeyring,
        read: vec![Store::KernelKeyring],
    };
    match (preference, secret_service::probe()) {
        (Some(Store::KernelKeyring), Err(e)) => {
            crate::log::debug(|| format!("keychain: not reading the Secret Service: {e}"));
            Ok(kernel_only())
        }
        (_, Err(e)) => Err(e),
        (Some(Store::KernelKeyring), Ok(Probe::Offered)) => Ok(Keychain {
            write: Store::KernelKeyring,
            read: vec![Store::KernelKeyring, Store::SecretService],
        }),
        (_, Ok(Probe::Offered)) => Ok(Keychain {
            write: Store::SecretService,
            read: vec![Store::SecretService, Store::KernelKeyring],
        }),
        (Some(Store::SecretService), Ok(Probe::Absent(why))) => Err(KeyringError::Refused {
            store: Store::SecretService,
            why: format!("ENVCTL_KEYCHAIN=secret-service, but {why}"),
            fix: "run envctl in a desktop session (or under `dbus-run-session`) where GNOME Keyring, KWallet or KeePassXC provides the Secret Service, or unset ENVCTL_KEYCHAIN to use the kernel keyring".into(),
        }),
        (_, Ok(Probe::Absent(why))) => {
            crate::log::debug(|| format!("keychain: no Secret Service: {why}"));
            Ok(kernel_only())
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn choose(_preference: Option<Store>) -> Result<Keychain, KeyringError> {
    let store = *supported().first().ok_or_else(|| {
        KeyringError::Unavailable("envctl has no keychain support for this operating system".into())
    })?;
    core_store()?;
    Ok(Keychain {
        write: store,
        read: vec![store],
    })
}

/// The keyring-core store of this OS: the process default when one is set
/// (the unit tests' mock), else the native one.
fn core_store() -> Result<&'static Arc<CredentialStore>, KeyringError> {
    static STORE: OnceLock<Result<Arc<CredentialStore>, KeyringError>> = OnceLock::new();
    STORE
        .get_or_init(|| match keyring_core::get_default_store() {
            Some(store) => Ok(store),
            None => native_store(),
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(target_os = "linux")]
fn native_store() -> Result<Arc<CredentialStore>, KeyringError> {
    linux_keyutils_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(target_os = "macos")]
fn native_store() -> Result<Arc<CredentialStore>, KeyringError> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(windows)]
fn native_store() -> Result<Arc<CredentialStore>, KeyringError> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| KeyringError::Unavailable(e.to_string()))
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn native_store() -> Result<Arc<CredentialStore>, KeyringError> {
    Err(KeyringError::Unavailable(
        "envctl has no keychain support for this operating system".into(),
    ))
}

/// Maps the store's errors; the two that carry the stored bytes are
/// described, never shown.
pub fn failed(account: &str, e: KeyError) -> KeyringError {
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

pub fn entry(account: &str) -> Result<Entry, KeyringError> {
    core_store()?
        .build(SERVICE, account, None)
        .map_err(|e| failed(account, e))
}

/// Whether this run reads `store` only as a second place to look: its
/// failure to work at all then means "not there".
fn secondary(store: Store) -> bool {
    super::keychain().is_ok_and(|k| k.write != store)
}

/// `None` when the missing-or-unusable secondary store has nothing.
fn tolerate<T>(store: Store, result: Result<T, KeyringError>) -> Result<Option<T>, KeyringError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(KeyringError::Missing { .. }) => Ok(None),
        Err(e @ KeyringError::Unavailable(_)) if secondary(store) => {
            crate::log::debug(|| format!("keychain: {store} is not usable here: {e}"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

pub fn get(store: Store, account: &str) -> Result<Option<Secret>, KeyringError> {
    match store {
        #[cfg(target_os = "linux")]
        Store::SecretService => super::secret_service::get(account),
        #[cfg(debug_assertions)]
        Store::TestFile => Ok(super::test_file::read(&super::test_file::path(store)?)?
            .remove(account)
            .map(Secret::new)),
        #[cfg(debug_assertions)]
        Store::KernelKeyring if super::test_file::kernel_stand_in().is_some() => {
            Ok(super::test_file::read(&super::test_file::path(store)?)?
                .remove(account)
                .map(Secret::new))
        }
        _ => tolerate(
            store,
            entry(account)?
                .get_password()
                .map(Secret::new)
                .map_err(|e| failed(account, e)),
        ),
    }
}

pub fn exists(store: Store, account: &str) -> Result<bool, KeyringError> {
    match store {
        #[cfg(target_os = "linux")]
        Store::SecretService => super::secret_service::exists(account),
        _ => match get(store, account) {
            Ok(found) => Ok(found.is_some()),
            // Stored, but not text: still an entry.
            Err(KeyringError::Failed(_)) => Ok(true),
            Err(e) => Err(e),
        },
    }
}

pub fn set(store: Store, account: &str, value: &Secret) -> Result<(), KeyringError> {
    match store {
        #[cfg(target_os = "linux")]
        Store::SecretService => super::secret_service::set(account, value),
        #[cfg(debug_assertions)]
        Store::TestFile => super::test_file::insert(store, account, value),
        #[cfg(debug_assertions)]
        Store::KernelKeyring if super::test_file::kernel_stand_in().is_some() => {
            super::test_file::insert(store, account, value)
        }
        _ => entry(account)?
            .set_password(value.expose())
            .map_err(|e| failed(account, e)),
    }
}

/// Removes `account` from `store`; `false` when it was not there.
pub fn delete(store: Store, account: &str) -> Result<bool, KeyringError> {
    match store {
        #[cfg(target_os = "linux")]
        Store::SecretService => super::secret_service::delete(account),
        #[cfg(debug_assertions)]
        Store::TestFile => super::test_file::remove(store, account),
        #[cfg(debug_assertions)]
        Store::KernelKeyring if super::test_file::kernel_stand_in().is_some() => {
            super::test_file::remove(store, account)
        }
        _ => tolerate(
            store,
            entry(account)?
                .delete_credential()
                .map_err(|e| failed(account, e)),
        )
        .map(|done| done.is_some()),
    }
}

/// The accounts under `prefix` in `store`: searched where the store can
/// search, else `candidates` probed one by one.
pub fn accounts(
    store: Store,
    prefix: &str,
    candidates: &[String],
) -> Result<Vec<String>, KeyringError> {
    match store {
        #[cfg(target_os = "linux")]
        Store::SecretService => super::secret_service::accounts(prefix),
        #[cfg(debug_assertions)]
        Store::TestFile => Ok(super::test_file::read(&super::test_file::path(store)?)?
            .into_keys()
            .filter(|a| a.starts_with(prefix))
            .collect()),
        _ => {
            let mut found = Vec::new();
            for account in candidates {
                if exists(store, account)? {
                    found.push(account.clone());
                }
            }
            Ok(found)
        }
    }
}
