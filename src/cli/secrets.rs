//! `secret set|get|rm` and `login`: the OS keychain from the command line.

use std::io::{IsTerminal, Read};
use std::path::Path;

use super::{Exit, LoginPlatform, Output, SecretAction};
use crate::config::{SecretRef, VarValue};
use crate::keyring;
use crate::secret::{Secret, trim_newline};
use crate::{Error, config};

/// A value typed at a prompt without echo, or read from standard input with
/// `--stdin`. Never an argument: shell history and `ps` would keep it.
pub(super) fn read_value(what: &str, from_stdin: bool) -> Result<Secret, Error> {
    let io = |source| Error::Io {
        context: format!("reading {what}"),
        source,
    };
    let text = if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(io)?;
        trim_newline(text)
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{what} (input hidden): ")).map_err(io)?
    } else {
        return Err(Error::Usage(format!(
            "no terminal to ask for {what}; pass --stdin to read it from standard input"
        )));
    };
    let value = Secret::new(text);
    if value.expose().is_empty() {
        return Err(Error::Usage(format!("{what} is empty; nothing was stored")));
    }
    Ok(value)
}

fn keychain(e: keyring::KeyringError) -> Error {
    Error::Usage(e.to_string())
}

pub(super) fn secret(root: &Path, action: SecretAction, out: &Output) -> Result<Exit, Error> {
    let loaded = config::load(root)?;
    let ws = loaded.workspace;
    let (env_name, name) = match &action {
        SecretAction::Set { env, name, .. }
        | SecretAction::Get { env, name, .. }
        | SecretAction::Rm { env, name } => (env, name),
    };
    let env = ws.environment(env_name)?;
    let account = keyring::secret_account(&ws.project, &env.name, name);
    let declared = env
        .variables
        .get(name.as_str())
        .is_some_and(|v| matches!(v.value, VarValue::Secret(SecretRef::Keyring)));
    match action {
        SecretAction::Set { stdin, .. } => {
            let value = read_value(&format!("{name} for {}", env.name), stdin)?;
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
                out.print(&format!("{}\n", value.expose()));
            } else {
                out.print(&format!(
                    "{name} for {}: stored{}; add --reveal to print it\n",
                    env.name,
                    shown_fingerprint(&value)
                ));
            }
        }
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

pub(super) fn login(platform: LoginPlatform, stdin: bool, out: &Output) -> Result<Exit, Error> {
    let (name, var) = match platform {
        LoginPlatform::Supabase => ("supabase", "SUPABASE_ACCESS_TOKEN"),
        LoginPlatform::Vercel => ("vercel", "VERCEL_TOKEN"),
        LoginPlatform::Cloudflare => ("cloudflare", "CLOUDFLARE_API_TOKEN"),
    };
    let token = read_value(&format!("{name} token"), stdin)?;
    keyring::set(&keyring::token_account(name), &token).map_err(keychain)?;
    out.note(&format!(
        "Stored the {name} token in the keychain (service `{}`, account `{}`). envctl uses it when {var} is not set.",
        keyring::SERVICE,
        keyring::token_account(name)
    ));
    Ok(Exit::Ok)
}

/// A random value of `len` letters and digits from the OS CSPRNG (by
/// rejection sampling, so every character is equally likely).
pub(super) fn generate(len: usize) -> Result<Secret, Error> {
    use ring::rand::{SecureRandom, SystemRandom};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    if !(16..=4096).contains(&len) {
        return Err(Error::Usage(format!(
            "--generate {len}: choose a length from 16 to 4096"
        )));
    }
    let rng = SystemRandom::new();
    let mut out = zeroize::Zeroizing::new(String::with_capacity(len));
    let mut bytes = zeroize::Zeroizing::new([0u8; 64]);
    while out.len() < len {
        rng.fill(&mut bytes[..])
            .map_err(|_| Error::Usage("the OS random generator failed".into()))?;
        // 248 = 4 × 62: bytes at or above it would favour some characters.
        for &b in bytes.iter().filter(|&&b| b < 248) {
            if out.len() < len {
                out.push(ALPHABET[usize::from(b) % ALPHABET.len()] as char);
            }
        }
    }
    Ok(Secret::new(out.to_string()))
}

/// Where a new value goes: stored by envctl, or told to the user.
enum Store<'a> {
    Keyring(String),
    File(std::path::PathBuf),
    Elsewhere(&'a SecretRef),
}

impl Store<'_> {
    /// Stores the new value of `name` where envctl can, or says where it
    /// must go.
    fn keep(&self, name: &str, value: &Secret, out: &Output) -> Result<(), Error> {
        match self {
            Store::Keyring(account) => {
                keyring::set(account, value).map_err(keychain)?;
                out.note(&format!("Stored the new {name} in the keychain (account `{account}`)."));
            }
            Store::File(path) => {
                crate::provider::dotenv::write_atomically(path, &format!("{}\n", value.expose()))
                    .map_err(|e| Error::Io {
                        context: format!("writing the new {name} to {}", path.display()),
                        source: e,
                    })?;
                out.note(&format!("Wrote the new {name} to {} (mode 0600).", path.display()));
            }
            Store::Elsewhere(reference) => out.warn(&format!(
                "{name} comes from {reference}: put the new value there before the next plan, or the next apply writes the old value back"
            )),
        }
        Ok(())
    }
}

/// Only NAME is rotated: other changes wait for a plain `apply`, and
/// findings about other variables do not hold up a rotation.
fn narrow_to(planned: &mut crate::engine::Planned, name: &str) {
    for target in &mut planned.plan.targets {
        target.changes.retain(|c| c.variable() == Some(name));
    }
    // Every target that receives NAME gets the new value, even where the
    // live side cannot be read or already holds it.
    planned.plan.rotate(name);
    planned
        .verdict
        .findings
        .retain(|f| f.variable() == Some(name));
}

pub(super) fn rotate(root: &Path, args: &super::RotateArgs, out: &Output) -> Result<Exit, Error> {
    let loaded = config::load(root)?;
    for d in &loaded.warnings {
        out.note(&d.to_string());
    }
    let ws = loaded.workspace;
    if let Some(len) = args.generate
        && !(16..=4096).contains(&len)
    {
        return Err(Error::Usage(format!(
            "--generate {len}: choose a length from 16 to 4096"
        )));
    }
    let env = ws.environment(&args.env)?;
    let name = args.name.as_str();
    let var = env.variables.get(name).ok_or_else(|| {
        Error::Usage(format!(
            "{name} is not declared in {} ({}); rotate works on declared secrets",
            env.name,
            env.file.display()
        ))
    })?;
    let VarValue::Secret(reference) = &var.value else {
        return Err(Error::Usage(format!(
            "{name} is a plain value in {}; rotate is for secrets (declare it as `{name}: {{ secret: … }}`)",
            env.name
        )));
    };
    let store = match reference {
        SecretRef::Keyring => Store::Keyring(keyring::secret_account(&ws.project, &env.name, name)),
        SecretRef::File(path) => Store::File(ws.root.join(path)),
        other => Store::Elsewhere(other),
    };
    let value = match args.generate {
        Some(_) if matches!(store, Store::Elsewhere(_)) => {
            return Err(Error::Usage(format!(
                "{name} comes from {reference}, which envctl cannot write, so a generated value would be lost; make the new value where that source lives and pass it with --stdin"
            )));
        }
        Some(len) => generate(len)?,
        None => read_value(&format!("new value of {name} for {}", env.name), args.stdin)?,
    };
    if let Some(what) = crate::secret::blank(&value).filter(|_| !var.allow_empty) {
        return Err(Error::Usage(format!(
            "the new value of {name} {what}; nothing was stored or written (write `allow_empty: true` next to `secret:` if that is meant)"
        )));
    }

    if let Some(d) = crate::provider::dotenv::unrepresentable(&env.targets, var, value.expose()) {
        return Err(Error::Invalid(vec![d]));
    }
    let mut secrets = crate::engine::resolve_secrets(&ws, env, &crate::secret::ProcessEnv);
    secrets
        .resolution
        .insert(name.to_string(), Ok(crate::plan::Resolved::of(&value)));
    secrets.values.insert(name.to_string(), value.clone());
    let runtime = super::commands::runtime()?;
    let mut planned = runtime.block_on(crate::engine::plan(&ws, env, secrets, false))?;
    drop(runtime);
    narrow_to(&mut planned, name);
    let receiving: Vec<&str> = planned
        .plan
        .targets
        .iter()
        .filter(|t| !t.changes.is_empty())
        .map(|t| t.name.as_str())
        .collect();
    if receiving.is_empty() {
        return Err(Error::Usage(format!(
            "no target of {} receives {name}; check its `targets:` and the targets' `receives:`",
            env.name
        )));
    }
    out.print(&crate::render::human(
        &planned.plan,
        &planned.verdict,
        out.stdout_style,
    ));
    if planned.verdict.refused() {
        return Ok(Exit::Refused);
    }
    if !args.yes {
        super::commands::confirm(&env.name, out)?;
    }
    store.keep(name, &value, out)?;
    let opts = super::commands::ApplyOptions {
        yes: true,
        allow_delete: false,
        redeploy: args.redeploy,
        migrations: false,
        dry_run: false,
        adopt: false,
    };
    super::commands::carry_out(&ws, env, &planned, &opts, "rotate", out)
}

/// `, fingerprint 1a2b3c4d` under the fingerprint key; nothing without one.
fn shown_fingerprint(value: &crate::secret::Secret) -> String {
    value
        .fingerprint()
        .shown()
        .map(|f| format!(", fingerprint {f}"))
        .unwrap_or_default()
}
