//! The freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) over
//! the D-Bus session bus, through `secret-service` on zbus's tokio backend.
//!
//! Items carry the attributes `service` = `envctl` and `username` = the
//! account, as the keyring crates write them, so `secret-tool lookup
//! service envctl username <account>` finds what envctl stores. Values
//! travel encrypted (the Secret Service's Diffie-Hellman session).
//!
//! Nothing here blocks for long: every call is bounded by
//! `ENVCTL_KEYCHAIN_TIMEOUT` (10 s by default), and a locked item or
//! collection is unlocked (the keyring's own prompt, up to 2 minutes) only
//! in a run at a terminal; otherwise it is an error that says how to
//! unlock it. The keychain is asked from synchronous code, so its calls run
//! on a small current-thread tokio runtime of their own, started the first
//! time the bus is used.

use std::collections::HashMap;
use std::future::Future;
use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use secret_service::{Collection, EncryptionType, Error as SsError, Item, SecretService};

use super::{KeyringError, SERVICE, Store};
use envctl_core::secret::Secret;

/// The bus name of every Secret Service implementation.
const BUS_NAME: &str = "org.freedesktop.secrets";

/// How long one keychain operation may take on the bus, unless
/// `ENVCTL_KEYCHAIN_TIMEOUT` (seconds) says otherwise.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How long envctl waits for someone at the terminal to answer the
/// keyring's unlock prompt.
const PROMPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Whether the session bus offers a Secret Service.
pub enum Probe {
    Offered,
    /// Why not: no session bus, or nothing provides the service on it.
    Absent(String),
}

static CLIENT: OnceLock<SecretService<'static>> = OnceLock::new();

fn runtime() -> Result<&'static tokio::runtime::Runtime, KeyringError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| KeyringError::Failed(format!("starting the D-Bus client: {e}")))
}

fn limit() -> Result<Duration, KeyringError> {
    crate::settings::seconds("ENVCTL_KEYCHAIN_TIMEOUT")
        .map(|t| t.unwrap_or(TIMEOUT))
        .map_err(|e| KeyringError::Failed(e.to_string()))
}

fn refused(why: impl Into<String>, fix: &str) -> KeyringError {
    KeyringError::Refused {
        store: Store::SecretService,
        why: why.into(),
        fix: fix.into(),
    }
}

const BUS_FIX: &str = "check that the session bus and the keyring daemon run (`busctl --user list`), raise ENVCTL_KEYCHAIN_TIMEOUT (seconds), or set ENVCTL_KEYCHAIN=keyutils to use the kernel keyring instead (it does not survive a reboot)";

/// Runs `work` on the D-Bus runtime within `limit`; from inside another
/// runtime (an async caller), on a thread of its own.
fn run<T: Send>(
    limit: Duration,
    work: impl Future<Output = Result<T, KeyringError>> + Send,
) -> Result<T, KeyringError> {
    let rt = runtime()?;
    let bounded = async move {
        tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(refused(
                format!(
                    "no answer on the D-Bus session bus within {} s",
                    limit.as_secs_f64()
                ),
                BUS_FIX,
            ))
        })
    };
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(|| rt.block_on(bounded))
                .join()
                .unwrap_or_else(|_| Err(KeyringError::Failed("the D-Bus client stopped".into())))
        })
    } else {
        rt.block_on(bounded)
    }
}

/// Where the session bus is, if anywhere (as zbus looks for it).
fn bus_present() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    set("DBUS_SESSION_BUS_ADDRESS")
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
}

/// Connects to the session bus and asks whether something provides (or
/// can be started to provide) the Secret Service. A bus that is there but
/// fails or does not answer is an error, never "absent".
pub fn probe() -> Result<Probe, KeyringError> {
    if !bus_present() {
        return Ok(Probe::Absent(
            "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset and there is no $XDG_RUNTIME_DIR/bus)".into(),
        ));
    }
    let connect_fix = "fix or unset DBUS_SESSION_BUS_ADDRESS, or set ENVCTL_KEYCHAIN=keyutils to use the kernel keyring instead (it does not survive a reboot)";
    let client = run(limit()?, async {
        let conn = zbus::Connection::session().await.map_err(|e| {
            refused(
                format!("cannot connect to the D-Bus session bus ({e})"),
                connect_fix,
            )
        })?;
        let bus = |e: zbus::fdo::Error| refused(format!("the session bus refused ({e})"), BUS_FIX);
        let dbus = zbus::fdo::DBusProxy::new(&conn)
            .await
            .map_err(|e| refused(format!("the session bus refused ({e})"), BUS_FIX))?;
        let name = zbus::names::BusName::try_from(BUS_NAME).expect("a valid bus name");
        if !dbus.name_has_owner(name).await.map_err(bus)? {
            let startable = dbus.list_activatable_names().await.map_err(bus)?;
            if !startable.iter().any(|n| n.as_str() == BUS_NAME) {
                return Ok(None);
            }
        }
        SecretService::connect_with_existing(EncryptionType::Dh, conn)
            .await
            .map(Some)
            .map_err(failure)
    })?;
    let Some(client) = client else {
        return Ok(Probe::Absent(
            "the session bus has no Secret Service (nothing provides org.freedesktop.secrets)"
                .into(),
        ));
    };
    let _ = CLIENT.set(client);
    Ok(Probe::Offered)
}

fn client() -> Result<&'static SecretService<'static>, KeyringError> {
    CLIENT.get().ok_or_else(|| {
        refused(
            "not connected",
            "run envctl where the session bus offers the Secret Service",
        )
    })
}

/// What the Secret Service said, with what to do about it. Its errors
/// carry no stored bytes.
fn failure(e: SsError) -> KeyringError {
    match e {
        SsError::Locked => locked(),
        SsError::Prompt | SsError::PromptDisconnected => refused(
            "the unlock prompt was dismissed",
            "unlock the keyring (Seahorse, KWalletManager, KeePassXC) and run the command again",
        ),
        SsError::NoResult => refused(
            "there is no default collection to store entries in",
            "create one in your keyring app (Seahorse: a \"Login\" keyring set as default), or `secret-tool store` once to let the keyring create it",
        ),
        other => refused(format!("the Secret Service refused ({other})"), BUS_FIX),
    }
}

fn locked() -> KeyringError {
    refused(
        "the collection that holds envctl's entries is locked, and unlocking it needs the keyring's prompt, which a run without a terminal cannot answer",
        "unlock it first (log in to the desktop session, or `echo -n PASSWORD | gnome-keyring-daemon --unlock`, or open Seahorse, KWalletManager or KeePassXC), or run the command at a terminal",
    )
}

fn attributes(account: &str) -> HashMap<&str, &str> {
    HashMap::from([("service", SERVICE), ("username", account)])
}

/// The outcome of one pass: done, or stopped at something locked.
enum Step<T> {
    Done(T),
    Locked(Locked),
}

enum Locked {
    Items(Vec<Item<'static>>),
    Collection(Collection<'static>),
}

/// Runs `pass`; when it stops at something locked, unlocks it through the
/// keyring's prompt (at a terminal only) and runs it once more.
fn with_unlock<T: Send, F, Fut>(pass: F) -> Result<T, KeyringError>
where
    F: Fn(&'static SecretService<'static>) -> Fut,
    Fut: Future<Output = Result<Step<T>, KeyringError>> + Send,
{
    let ss = client()?;
    let limit = limit()?;
    let what = match run(limit, pass(ss))? {
        Step::Done(v) => return Ok(v),
        Step::Locked(what) => what,
    };
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(locked());
    }
    crate::log::debug(|| "keychain: asking the keyring to unlock (its own prompt)".into());
    run(PROMPT_TIMEOUT, async move {
        match &what {
            Locked::Items(items) => ss.unlock_all(&items.iter().collect::<Vec<_>>()).await,
            Locked::Collection(c) => c.unlock().await,
        }
        .map_err(failure)
    })?;
    match run(limit, pass(ss))? {
        Step::Done(v) => Ok(v),
        Step::Locked(_) => Err(locked()),
    }
}

fn not_text(account: &str) -> KeyringError {
    KeyringError::Failed(format!("the value at `{account}` is not UTF-8 text"))
}

pub fn get(account: &str) -> Result<Option<Secret>, KeyringError> {
    with_unlock(|ss| async move {
        let found = ss
            .search_items(attributes(account))
            .await
            .map_err(failure)?;
        if let Some(item) = found.unlocked.first() {
            let bytes = item.get_secret().await.map_err(failure)?;
            let text = String::from_utf8(bytes).map_err(|_| not_text(account))?;
            return Ok(Step::Done(Some(Secret::new(text))));
        }
        if found.locked.is_empty() {
            Ok(Step::Done(None))
        } else {
            Ok(Step::Locked(Locked::Items(found.locked)))
        }
    })
}

pub fn exists(account: &str) -> Result<bool, KeyringError> {
    let ss = client()?;
    run(limit()?, async move {
        let found = ss
            .search_items(attributes(account))
            .await
            .map_err(failure)?;
        Ok(!(found.unlocked.is_empty() && found.locked.is_empty()))
    })
}

pub fn set(account: &str, value: &Secret) -> Result<(), KeyringError> {
    let label = format!("{SERVICE}: {account}");
    let (label, bytes) = (label.as_str(), value.expose().as_bytes());
    with_unlock(|ss| async move {
        let found = ss
            .search_items(attributes(account))
            .await
            .map_err(failure)?;
        if let Some(item) = found.unlocked.first() {
            item.set_secret(bytes, "text/plain")
                .await
                .map_err(failure)?;
            return Ok(Step::Done(()));
        }
        if !found.locked.is_empty() {
            return Ok(Step::Locked(Locked::Items(found.locked)));
        }
        let collection = ss.get_default_collection().await.map_err(failure)?;
        if collection.is_locked().await.map_err(failure)? {
            return Ok(Step::Locked(Locked::Collection(collection)));
        }
        collection
            .create_item(label, attributes(account), bytes, true, "text/plain")
            .await
            .map_err(failure)?;
        Ok(Step::Done(()))
    })
}

pub fn delete(account: &str) -> Result<bool, KeyringError> {
    with_unlock(|ss| async move {
        let found = ss
            .search_items(attributes(account))
            .await
            .map_err(failure)?;
        if !found.locked.is_empty() {
            return Ok(Step::Locked(Locked::Items(found.locked)));
        }
        for item in &found.unlocked {
            item.delete().await.map_err(failure)?;
        }
        Ok(Step::Done(!found.unlocked.is_empty()))
    })
}

/// Every envctl account under `prefix`, read from the items' attributes
/// (never their secrets).
pub fn accounts(prefix: &str) -> Result<Vec<String>, KeyringError> {
    with_unlock(|ss| async move {
        let all = ss
            .search_items(HashMap::from([("service", SERVICE)]))
            .await
            .map_err(failure)?;
        // A locked item's attributes are not readable (GNOME Keyring shows
        // hashes): listing needs it unlocked.
        if !all.locked.is_empty() {
            return Ok(Step::Locked(Locked::Items(all.locked)));
        }
        let mut names = Vec::new();
        for item in &all.unlocked {
            let attrs = item.get_attributes().await.map_err(failure)?;
            if let Some(account) = attrs.get("username").filter(|a| a.starts_with(prefix)) {
                names.push(account.clone());
            }
        }
        Ok(Step::Done(names))
    })
}
