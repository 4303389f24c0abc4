//! `secret set|get|rm`: an environment's `keyring` secrets in the OS
//! keychain, from the command line.

use std::path::Path;

use crate::cli::{Exit, Output, SecretAction, prompt};
use crate::config::{SecretRef, VarValue};
use crate::{Error, config, keyring};
use envctl_core::secret::Secret;

fn keychain(e: keyring::KeyringError) -> Error {
    Error::Usage(e.to_string())
}

pub fn run(root: &Path, action: SecretAction, out: &Output) -> Result<Exit, Error> {
    let ws = config::load(root)?.workspace;
    let (env_name, name) = match &action {
        SecretAction::Set { env, name, .. }
        | SecretAction::Get { env, name, .. }
        | SecretAction::Rm { env, name } => (env, name),
        SecretAction::Sources(args) => return super::sources::run(root, args, out),
    };
    let env = ws.environment(env_name)?;
    let account = keyring::secret_account(&ws.project, &env.name, name);
    let declared = env
        .variables
        .get(name.as_str())
        .is_some_and(|v| matches!(v.value, VarValue::Secret(SecretRef::Keyring)));
    match action {
        SecretAction::Set { stdin, .. } => {
            let value = prompt::read_value(&format!("{name} for {}", env.name), stdin)?;
            keyring::set(&account, &value).map_err(keychain)?;
            out.note(&format!(
                "Stored {name} for {} in the keychain (service `{}`, account `{account}`{}).",
                env.name,
                keyring::SERVICE,
                shown_fingerprint(&value)
            ));
            if !declared {
                out.warn(&format!(
                    "{} does not read {name} from the keychain yet; declare it as `{name}: {{ secret: keyring }}`",
                    env.name
                ));
            }
        }
        SecretAction::Get { reveal, .. } => {
            let value = keyring::get(&account).map_err(keychain)?;
            if reveal {
                // Asked for with --reveal: the one place a value is printed.
                out.print(&format!("{}\n", value.expose()));
            } else {
                out.print(&format!(
                    "{name} for {}: stored{}; add --reveal to print it\n",
                    env.name,
                    shown_fingerprint(&value)
                ));
            }
        }
        SecretAction::Sources(_) => {}
        SecretAction::Rm { .. } => {
            keyring::delete(&account).map_err(keychain)?;
            out.note(&format!(
                "Removed {name} for {} from the keychain.",
                env.name
            ));
            if declared {
                out.warn(&format!(
                    "{} still declares {name} as a keyring secret; plans will show it as unknown until it is stored again",
                    env.name
                ));
            }
        }
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
