//! Stores in JSON files, so tests of the binary can share entries across
//! processes and never touch the machine's keychain. Compiled into debug
//! builds only: `ENVCTL_TEST_KEYRING` replaces every store by one file;
//! `ENVCTL_TEST_KEYUTILS` stands in for the kernel keyring alone, beside a
//! real Secret Service.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{KeyringError, Store};
use envctl_core::secret::Secret;

/// The file standing in for the kernel keyring, if any.
pub fn kernel_stand_in() -> Option<PathBuf> {
    std::env::var_os("ENVCTL_TEST_KEYUTILS").map(PathBuf::from)
}

pub fn path(store: Store) -> Result<PathBuf, KeyringError> {
    let var = match store {
        Store::KernelKeyring => "ENVCTL_TEST_KEYUTILS",
        _ => "ENVCTL_TEST_KEYRING",
    };
    std::env::var_os(var)
        .map(PathBuf::from)
        .ok_or_else(|| KeyringError::Failed(format!("test keyring file: {var} is not set")))
}

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
    std::fs::write(path, text).map_err(|e| KeyringError::Failed(format!("test keyring file: {e}")))
}

pub fn insert(store: Store, account: &str, value: &Secret) -> Result<(), KeyringError> {
    let path = path(store)?;
    let mut all = read(&path)?;
    all.insert(account.to_string(), value.expose().to_string());
    write(&path, &all)
}

pub fn remove(store: Store, account: &str) -> Result<bool, KeyringError> {
    let path = path(store)?;
    let mut all = read(&path)?;
    if all.remove(account).is_none() {
        return Ok(false);
    }
    write(&path, &all).map(|()| true)
}
