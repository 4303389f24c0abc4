//! `login`: a platform API token into the OS keychain, used when the
//! token variable is not set.

use crate::cli::{Exit, LoginPlatform, Output, prompt};
use crate::{Error, keyring};

pub fn run(platform: LoginPlatform, stdin: bool, out: &Output) -> Result<Exit, Error> {
    // Platform names as strings until target kinds are typed.
    let (name, var) = match platform {
        LoginPlatform::Supabase => ("supabase", "SUPABASE_ACCESS_TOKEN"),
        LoginPlatform::Vercel => ("vercel", "VERCEL_TOKEN"),
        LoginPlatform::Cloudflare => ("cloudflare", "CLOUDFLARE_API_TOKEN"),
    };
    let token = prompt::read_value(&format!("{name} token"), stdin)?;
    keyring::set(&keyring::token_account(name), &token).map_err(|e| Error::Usage(e.to_string()))?;
    out.note(&format!(
        "Stored the {name} token in the keychain (service `{}`, account `{}`). envctl uses it when {var} is not set.",
        keyring::SERVICE,
        keyring::token_account(name)
    ));
    Ok(Exit::Ok)
}
