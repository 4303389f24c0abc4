//! `secret set|get|rm|list`: an environment's `keyring` secrets in the OS
//! keychain, from the command line. Each says which store it used.

use std::path::Path;

use crate::cli::{Exit, Output, SecretAction, prompt};
use crate::config::{Environment, SecretRef, VarValue, Workspace};
use crate::keyring::{self, Store};
use crate::{Error, config};
use envctl_core::secret::Secret;

fn keychain(e: keyring::KeyringError) -> Error {
    Error::Usage(e.to_string())
}

/// `--store`: a store of this system, by id.
fn store_arg(store: Option<String>) -> Result<Option<Store>, Error> {
    let Some(id) = store else {
        return Ok(None);
    };
    Store::from_id(&id).map(Some).ok_or_else(|| {
        Error::Usage(format!(
            "--store {id}: no such store; expected secret-service or keyutils (Linux), keychain (macOS), credential-manager (Windows)"
        ))
    })
}

pub fn run(root: &Path, action: SecretAction, out: &Output) -> Result<Exit, Error> {
    let env = match &action {
        SecretAction::Set { env, .. }
        | SecretAction::Get { env, .. }
        | SecretAction::Rm { env, .. }
        | SecretAction::List { env } => env,
        SecretAction::Sources(args) => return super::sources::run(root, args, out),
    };
    let ws = config::load(root)?.workspace;
    let env = ws.environment(env)?;
    match action {
        SecretAction::Set {
            name, stdin, store, ..
        } => set(&ws, env, &name, stdin, store_arg(store)?, out),
        SecretAction::Get {
            name,
            reveal,
            store,
            ..
        } => get(&ws, env, &name, reveal, store_arg(store)?, out),
        SecretAction::Rm { name, store, .. } => rm(&ws, env, &name, store_arg(store)?, out),
        SecretAction::List { .. } => list(&ws, env, out),
        // Answered above, before an environment is looked up.
        SecretAction::Sources(_) => Ok(Exit::Ok),
    }
}

fn declared(env: &Environment, name: &str) -> bool {
    env.variables
        .get(name)
        .is_some_and(|v| matches!(v.value, VarValue::Secret(SecretRef::Keyring)))
}

/// Warns when `account` is in more stores than `used`: which copy wins,
/// and how to remove the other.
fn other_copies(env: &Environment, name: &str, account: &str, used: Store, out: &Output) {
    let Ok(found) = keyring::locate(account) else {
        return;
    };
    let Some(&first) = found.first() else {
        return;
    };
    for other in found.iter().filter(|&&s| s != used) {
        out.warn(&format!(
            "{name} for {} is also stored in {other}; get, plan and apply use the copy in {first}. Remove the one you do not want with `envctl secret rm {} {name} --store {}`",
            env.name,
            env.name,
            if first == used { other.id() } else { used.id() }
        ));
    }
}

fn set(
    ws: &Workspace,
    env: &Environment,
    name: &str,
    stdin: bool,
    store: Option<Store>,
    out: &Output,
) -> Result<Exit, Error> {
    let account = keyring::secret_account(&ws.project, &env.name, name);
    // The store is settled (and reachable) before the value is asked for.
    let store = keyring::target(&account, store).map_err(keychain)?;
    let value = prompt::read_value(&format!("{name} for {}", env.name), stdin)?;
    let store = keyring::set_in(&account, &value, Some(store)).map_err(keychain)?;
    out.note(&format!(
        "Stored {name} for {} in {store} (service `{}`, account `{account}`{}).",
        env.name,
        keyring::SERVICE,
        shown_fingerprint(&value)
    ));
    if let Some(warning) = keyring::reboot_warning(store) {
        out.warn(&warning);
    }
    other_copies(env, name, &account, store, out);
    if !declared(env, name) {
        out.warn(&format!(
            "{} does not read {name} from the keychain yet; declare it as `{name}: {{ secret: keyring }}`",
            env.name
        ));
    }
    Ok(Exit::Ok)
}

fn get(
    ws: &Workspace,
    env: &Environment,
    name: &str,
    reveal: bool,
    store: Option<Store>,
    out: &Output,
) -> Result<Exit, Error> {
    let account = keyring::secret_account(&ws.project, &env.name, name);
    let (value, from) = keyring::get_in(&account, store).map_err(keychain)?;
    if reveal {
        // Asked for with --reveal: the one place a value is printed. The
        // store goes to stderr, so the value can be piped alone.
        out.print(&format!("{}\n", value.expose()));
        out.note(&format!("{name} for {} read from {from}.", env.name));
    } else {
        out.print(&format!(
            "{name} for {}: stored{}; in {from}; add --reveal to print it\n",
            env.name,
            shown_fingerprint(&value)
        ));
    }
    if let Some(warning) = keyring::reboot_warning(from) {
        out.warn(&warning);
    }
    other_copies(env, name, &account, from, out);
    Ok(Exit::Ok)
}

fn rm(
    ws: &Workspace,
    env: &Environment,
    name: &str,
    store: Option<Store>,
    out: &Output,
) -> Result<Exit, Error> {
    let account = keyring::secret_account(&ws.project, &env.name, name);
    let removed = keyring::delete_in(&account, store).map_err(keychain)?;
    let from: Vec<_> = removed.iter().map(|s| s.name()).collect();
    out.note(&format!(
        "Removed {name} for {} from {}.",
        env.name,
        from.join(" and ")
    ));
    if declared(env, name) && keyring::locate(&account).is_ok_and(|left| left.is_empty()) {
        out.warn(&format!(
            "{} still declares {name} as a keyring secret; plans will show it as unknown until it is stored again",
            env.name
        ));
    }
    Ok(Exit::Ok)
}

/// Names and stores, one per line on stdout; never a value.
fn list(ws: &Workspace, env: &Environment, out: &Output) -> Result<Exit, Error> {
    let prefix = keyring::secret_account(&ws.project, &env.name, "");
    let mut wanted: Vec<String> = env
        .variables
        .keys()
        .filter(|n| declared(env, n))
        .map(|n| format!("{prefix}{n}"))
        .collect();
    wanted.push(format!("{prefix}migrations.database_url"));
    let entries = keyring::list(&prefix, &wanted).map_err(keychain)?;
    let width = entries
        .iter()
        .map(|(a, _)| a.len() - prefix.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (account, store) in &entries {
        let name = &account[prefix.len()..];
        text.push_str(&format!("{name:width$}  {}\n", store.id()));
    }
    out.print(&text);
    let stored = |n: &str| entries.iter().any(|(a, _)| a[prefix.len()..] == *n);
    let missing: Vec<_> = env
        .variables
        .keys()
        .filter(|n| declared(env, n) && !stored(n))
        .map(String::as_str)
        .collect();
    if entries.is_empty() {
        out.note(&format!(
            "No keychain entries for {} (project {}).",
            env.name, ws.project
        ));
    }
    if !missing.is_empty() {
        out.warn(&format!(
            "{} declares as `keyring` but the keychain does not hold: {}; store them with `envctl secret set {} NAME`",
            env.name,
            missing.join(", "),
            env.name
        ));
    }
    let chain = keyring::keychain().map_err(keychain)?;
    for store in chain.read.iter().filter(|s| !keyring::searchable(**s)) {
        out.note(&format!(
            "{store} cannot be listed: only the names {} declares as `keyring` were looked for there.",
            env.name
        ));
    }
    if let Some(warning) = entries
        .iter()
        .find_map(|(_, s)| keyring::reboot_warning(*s))
    {
        out.warn(&warning);
    }
    Ok(Exit::Ok)
}

/// `, fingerprint 1a2b3c4d` under the fingerprint key; nothing without one.
fn shown_fingerprint(value: &Secret) -> String {
    value
        .fingerprint()
        .shown()
        .map(|f| format!(", fingerprint {f}"))
        .unwrap_or_default()
}
