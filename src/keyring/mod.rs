//! The OS keychain, for `keyring` secret references and platform tokens
//! (looked up by [`crate::provider::credentials`]).
//!
//! Entries live under service `envctl`: a secret at account
//! `<project>/<environment>/<NAME>`, a token saved by `envctl login` at
//! `login/<platform>`. macOS uses the login Keychain, Windows the
//! Credential Manager. Linux uses the Secret Service (GNOME Keyring,
//! KWallet, KeePassXC) when the D-Bus session bus offers it, and the
//! kernel's persistent keyring (keyutils) where it does not (a headless
//! server); an entry is looked for in both, and written to one only.
//! Where no store works (a CI container, an OS without a store), every
//! operation says so and points to `env:` and `file:`; none blocks: every
//! D-Bus call is bounded by `ENVCTL_KEYCHAIN_TIMEOUT`, and a locked
//! collection is unlocked by a prompt only in a run at a terminal.

mod native;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg(debug_assertions)]
mod test_file;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// A place entries can live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Store {
    /// The freedesktop Secret Service over D-Bus (Linux desktops).
    SecretService,
    /// The kernel's persistent keyring (Linux, keyutils).
    KernelKeyring,
    /// The login Keychain (macOS).
    MacKeychain,
    /// The Credential Manager (Windows).
    WindowsCredentials,
    /// Debug builds: the JSON file named by `ENVCTL_TEST_KEYRING`.
    TestFile,
}

impl Store {
    /// What `--store` and `ENVCTL_KEYCHAIN` take.
    pub fn id(self) -> &'static str {
        match self {
            Store::SecretService => "secret-service",
            Store::KernelKeyring => "keyutils",
            Store::MacKeychain => "keychain",
            Store::WindowsCredentials => "credential-manager",
            Store::TestFile => "test-file",
        }
    }

    /// The store as a sentence names it.
    pub fn name(self) -> &'static str {
        match self {
            Store::SecretService => "the Secret Service",
            Store::KernelKeyring => "the kernel keyring (keyutils)",
            Store::MacKeychain => "the macOS Keychain",
            Store::WindowsCredentials => "the Windows Credential Manager",
            Store::TestFile => "the test keyring file",
        }
    }

    /// Whether an entry is still there after a reboot. The kernel keyring
    /// is dropped at reboot and a few days after the user's last session.
    pub fn survives_reboot(self) -> bool {
        self != Store::KernelKeyring
    }

    /// The store `--store` or `ENVCTL_KEYCHAIN` names.
    pub fn from_id(id: &str) -> Option<Store> {
        [
            Store::SecretService,
            Store::KernelKeyring,
            Store::MacKeychain,
            Store::WindowsCredentials,
        ]
        .into_iter()
        .find(|s| s.id() == id)
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
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
    /// A store that is there refused or did not answer in time; envctl
    /// does not fall back to another store.
    Refused {
        store: Store,
        why: String,
        fix: String,
    },
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
            KeyringError::Refused { store, why, fix } => {
                write!(f, "{store}: {why}; {fix}")
            }
        }
    }
}

/// The stores this run uses: `write` takes new entries; `read` is every
/// store an entry is looked for in, `write` first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    pub write: Store,
    pub read: Vec<Store>,
}

/// The stores of this machine, chosen once per run.
pub fn keychain() -> Result<&'static Keychain, KeyringError> {
    static CHOSEN: OnceLock<Result<Keychain, KeyringError>> = OnceLock::new();
    CHOSEN
        .get_or_init(|| {
            let chosen = choose();
            match &chosen {
                Ok(k) => crate::log::debug(|| {
                    let also: Vec<_> = k.read.iter().skip(1).map(|s| s.name()).collect();
                    format!(
                        "keychain: writing to {}{}",
                        k.write,
                        if also.is_empty() {
                            String::new()
                        } else {
                            format!(", also reading {}", also.join(", "))
                        }
                    )
                }),
                Err(e) => crate::log::debug(|| format!("keychain: {e}")),
            }
            chosen
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// `ENVCTL_KEYCHAIN`: the store new entries go to, when set.
fn preference() -> Result<Option<Store>, KeyringError> {
    let Some(raw) = std::env::var_os("ENVCTL_KEYCHAIN") else {
        return Ok(None);
    };
    let raw = raw.to_string_lossy().trim().to_string();
    if raw.is_empty() {
        return Ok(None);
    }
    let store = Store::from_id(&raw).filter(|s| native::supported().contains(s));
    store.map(Some).ok_or_else(|| {
        let ids: Vec<_> = native::supported().iter().map(|s| s.id()).collect();
        KeyringError::Failed(format!(
            "ENVCTL_KEYCHAIN={raw:?} is not a store of this system: expected {} (or leave it unset)",
            ids.join(" or ")
        ))
    })
}

fn choose() -> Result<Keychain, KeyringError> {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("ENVCTL_TEST_KEYRING") {
        if path == "unavailable" {
            return Err(KeyringError::Unavailable(
                "ENVCTL_TEST_KEYRING=unavailable".into(),
            ));
        }
        return Ok(Keychain {
            write: Store::TestFile,
            read: vec![Store::TestFile],
        });
    }
    native::choose(preference()?)
}

/// Where an entry is, in the order of [`Keychain::read`].
pub fn locate(account: &str) -> Result<Vec<Store>, KeyringError> {
    let mut found = Vec::new();
    for &store in &keychain()?.read {
        if native::exists(store, account)? {
            found.push(store);
        }
    }
    Ok(found)
}

/// The value stored at `account`, and the store it came from: the first
/// store of [`Keychain::read`] that holds it, or `chosen` alone.
pub fn get_in(account: &str, chosen: Option<Store>) -> Result<(Secret, Store), KeyringError> {
    let keychain = keychain()?;
    let stores = match chosen {
        Some(store) => vec![usable(keychain, store)?],
        None => keychain.read.clone(),
    };
    for store in stores {
        if let Some(value) = native::get(store, account)? {
            crate::log::debug(|| format!("keychain: `{account}` read from {store}"));
            return Ok((value, store));
        }
    }
    Err(KeyringError::Missing {
        account: account.to_string(),
    })
}

/// The value stored at `account`, from whichever store holds it.
pub fn get(account: &str) -> Result<Secret, KeyringError> {
    get_in(account, None).map(|(value, _)| value)
}

/// The store `set` writes `account` to: `chosen` when given, else the store
/// that already holds it (so a rotation replaces the value where it is),
/// else the store new entries go to.
pub fn target(account: &str, chosen: Option<Store>) -> Result<Store, KeyringError> {
    let keychain = keychain()?;
    if let Some(store) = chosen {
        return usable(keychain, store);
    }
    Ok(locate(account)?.first().copied().unwrap_or(keychain.write))
}

fn usable(keychain: &Keychain, store: Store) -> Result<Store, KeyringError> {
    if keychain.read.contains(&store) {
        return Ok(store);
    }
    let ids: Vec<_> = keychain.read.iter().map(|s| s.id()).collect();
    Err(KeyringError::Refused {
        store,
        why: "it is not available in this run".into(),
        fix: format!("use one of: {}", ids.join(", ")),
    })
}

/// Stores `value` at `account` in one store, replacing what was there;
/// returns the store written to (see [`target`]).
pub fn set_in(account: &str, value: &Secret, chosen: Option<Store>) -> Result<Store, KeyringError> {
    let store = target(account, chosen)?;
    native::set(store, account, value)?;
    crate::log::debug(|| format!("keychain: `{account}` written to {store}"));
    Ok(store)
}

/// Stores `value` at `account`, where [`target`] says.
pub fn set(account: &str, value: &Secret) -> Result<Store, KeyringError> {
    set_in(account, value, None)
}

/// Removes the entry at `account` from `chosen`, or from every store that
/// holds it; returns the stores it was removed from.
pub fn delete_in(account: &str, chosen: Option<Store>) -> Result<Vec<Store>, KeyringError> {
    let stores = match chosen {
        Some(store) => vec![usable(keychain()?, store)?],
        None => keychain()?.read.clone(),
    };
    let mut removed = Vec::new();
    for store in stores {
        if native::delete(store, account)? {
            removed.push(store);
        }
    }
    if removed.is_empty() {
        return Err(KeyringError::Missing {
            account: account.to_string(),
        });
    }
    Ok(removed)
}

/// Removes the entry at `account` wherever it is.
pub fn delete(account: &str) -> Result<(), KeyringError> {
    delete_in(account, None).map(|_| ())
}

/// The accounts under `prefix` in each store, each with the store it is
/// in. Stores that cannot be searched (the kernel keyring) are asked for
/// `candidates` only.
pub fn list(prefix: &str, candidates: &[String]) -> Result<Vec<(String, Store)>, KeyringError> {
    let mut all = Vec::new();
    for &store in &keychain()?.read {
        for account in native::accounts(store, prefix, candidates)? {
            all.push((account, store));
        }
    }
    all.sort();
    all.dedup();
    Ok(all)
}

/// Whether `store` can list its entries (else [`list`] asks it for the
/// candidates only).
pub fn searchable(store: Store) -> bool {
    store != Store::KernelKeyring
}

/// The warning, once per run, that `store` does not keep its entries
/// across a reboot; `None` for other stores and after the first time.
pub fn reboot_warning(store: Store) -> Option<String> {
    static SAID: AtomicBool = AtomicBool::new(false);
    if store.survives_reboot() || SAID.swap(true, Ordering::Relaxed) {
        return None;
    }
    Some(format!(
        "{store} drops its entries at reboot and a few days after your last session; keep long-lived secrets in the Secret Service (envctl uses it when the D-Bus session bus offers it: a desktop session, GNOME Keyring, KWallet or KeePassXC), a `file:` (mode 0600) or a password manager `command`; docs/secrets.md says how to move them"
    ))
}
