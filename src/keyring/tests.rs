use std::sync::OnceLock;

use keyring_core::Error as KeyError;

use super::native::{self, entry, failed};
use super::*;

/// The unit tests share one process-wide mock store (keyring-core's own),
/// installed before the first entry is made; they go through the store
/// layer, so no test asks the machine's session bus.
fn mock() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        keyring_core::set_default_store(keyring_core::mock::Store::new().unwrap());
    });
}

#[cfg(target_os = "linux")]
const CORE: Store = Store::KernelKeyring;
#[cfg(target_os = "macos")]
const CORE: Store = Store::MacKeychain;
#[cfg(windows)]
const CORE: Store = Store::WindowsCredentials;

#[test]
fn set_get_delete_round_trip_in_the_mock_store() {
    mock();
    let account = secret_account("huddle", "staging", "ROUND_TRIP");
    assert_eq!(account, "huddle/staging/ROUND_TRIP");
    assert!(native::get(CORE, &account).unwrap().is_none());
    assert!(!native::exists(CORE, &account).unwrap());
    native::set(CORE, &account, &Secret::new("CANARY-value".into())).unwrap();
    assert!(native::exists(CORE, &account).unwrap());
    assert_eq!(
        native::get(CORE, &account).unwrap().unwrap().expose(),
        "CANARY-value"
    );
    assert!(native::delete(CORE, &account).unwrap());
    assert!(!native::delete(CORE, &account).unwrap());
    assert!(native::get(CORE, &account).unwrap().is_none());
}

#[test]
fn store_failures_say_what_to_use_instead_and_never_show_bytes() {
    mock();
    let account = secret_account("huddle", "prod", "FAILING");
    native::set(CORE, &account, &Secret::new("CANARY-stored".into())).unwrap();
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

#[test]
fn stores_are_named_by_id_and_only_the_kernel_keyring_is_volatile() {
    for store in [
        Store::SecretService,
        Store::KernelKeyring,
        Store::MacKeychain,
        Store::WindowsCredentials,
    ] {
        assert_eq!(Store::from_id(store.id()), Some(store));
        assert_eq!(store.survives_reboot(), store != Store::KernelKeyring);
    }
    assert_eq!(Store::from_id("test-file"), None);
    assert_eq!(Store::from_id("kwallet"), None);
    // Said once per run, and never for a store that survives a reboot.
    assert!(reboot_warning(Store::SecretService).is_none());
    let first = reboot_warning(Store::KernelKeyring).unwrap();
    assert!(
        first.contains("reboot") && first.contains("Secret Service"),
        "{first}"
    );
    assert!(reboot_warning(Store::KernelKeyring).is_none());
}

#[test]
fn a_refusal_names_the_store_why_and_the_fix() {
    let e = KeyringError::Refused {
        store: Store::SecretService,
        why: "no answer on the D-Bus session bus within 2 s".into(),
        fix: "raise ENVCTL_KEYCHAIN_TIMEOUT".into(),
    };
    assert_eq!(
        e.to_string(),
        "the Secret Service: no answer on the D-Bus session bus within 2 s; raise ENVCTL_KEYCHAIN_TIMEOUT"
    );
}
