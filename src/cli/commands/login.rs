//! `login`: a platform API token into the OS keychain, used when the
//! token variable is not set.

use crate::cli::{Exit, Output, prompt};
use crate::{Error, keyring};

pub fn run(platform: &str, stdin: bool, out: &Output) -> Result<Exit, Error> {
    let login = crate::provider::LOGINS
        .iter()
        .find(|l| l.platform == platform)
        .ok_or_else(|| Error::Usage(format!("no platform named `{platform}` to log in to")))?;
    let (name, var) = (login.platform, login.vars_text());
    let token = prompt::read_value(&format!("{name} token"), stdin)?;
    let store = keyring::set(&keyring::token_account(name), &token)
        .map_err(|e| Error::Usage(e.to_string()))?;
    out.note(&format!(
        "Stored the {name} token in {store} (service `{}`, account `{}`). envctl uses it when {var} is not set.",
        keyring::SERVICE,
        keyring::token_account(name)
    ));
    if let Some(warning) = keyring::reboot_warning(store) {
        out.warn(&warning);
    }
    Ok(Exit::Ok)
}
