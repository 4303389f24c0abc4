//! `rotate`: a secret's new value, planned for every target that receives
//! it and nothing else, and stored in the secret's source where envctl can
//! write it.

use std::path::PathBuf;

use super::{Engine, Planned, plan};
use crate::Error;
use crate::config::{Environment, SecretRef, VarValue, Variable, Workspace};
use crate::keyring;
use crate::secret::{ProcessEnv, Secret};

/// The lengths `--generate` accepts.
const LENGTHS: std::ops::RangeInclusive<usize> = 16..=4096;

/// Refuses a `--generate` length outside [`LENGTHS`], before anything
/// else is looked at.
pub fn check_length(len: usize) -> Result<(), Error> {
    if LENGTHS.contains(&len) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--generate {len}: choose a length from 16 to 4096"
        )))
    }
}

/// A random value of `len` letters and digits from the OS CSPRNG (by
/// rejection sampling, so every character is equally likely).
pub fn generate(len: usize) -> Result<Secret, Error> {
    use ring::rand::{SecureRandom, SystemRandom};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    check_length(len)?;
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
pub enum Store<'a> {
    Keyring(String),
    File(PathBuf),
    Elsewhere(&'a SecretRef),
}

/// What [`Store::keep`] did with the new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// Stored in the keychain under this account, in this store.
    Keyring(String, keyring::Store),
    /// Written to this file (mode 0600).
    File(PathBuf),
    /// Not stored: the source (shown) is the user's to update.
    Elsewhere(String),
}

impl Store<'_> {
    /// Stores the new value where envctl can, or says where it must go.
    pub fn keep(&self, name: &str, value: &Secret) -> Result<Kept, Error> {
        Ok(match self {
            Store::Keyring(account) => {
                let store =
                    keyring::set(account, value).map_err(|e| Error::Usage(e.to_string()))?;
                Kept::Keyring(account.clone(), store)
            }
            Store::File(path) => {
                crate::fs::write_atomically(path, &format!("{}\n", value.expose())).map_err(
                    |e| Error::Io {
                        context: format!("writing the new {name} to {}", path.display()),
                        source: e,
                    },
                )?;
                Kept::File(path.clone())
            }
            Store::Elsewhere(reference) => Kept::Elsewhere(reference.to_string()),
        })
    }
}

/// The secret to rotate: its declaration and where its new value goes.
pub struct Rotation<'a> {
    pub var: &'a Variable,
    pub store: Store<'a>,
}

impl<'a> Rotation<'a> {
    /// NAME must be a declared secret of `env`. With `generating`, its
    /// source must be one envctl can write, or the generated value would
    /// be lost.
    pub fn of(
        ws: &Workspace,
        env: &'a Environment,
        name: &str,
        generating: bool,
    ) -> Result<Rotation<'a>, Error> {
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
            SecretRef::Keyring => {
                Store::Keyring(keyring::secret_account(&ws.project, &env.name, name))
            }
            SecretRef::File(path) => Store::File(ws.root.join(path)),
            other => Store::Elsewhere(other),
        };
        if generating && matches!(store, Store::Elsewhere(_)) {
            return Err(Error::Usage(format!(
                "{name} comes from {reference}, which envctl cannot write, so a generated value would be lost; make the new value where that source lives and pass it with --stdin"
            )));
        }
        Ok(Rotation { var, store })
    }

    /// Plans the new value: checked first (not blank, representable in
    /// every target), then every target that receives NAME gets it, and
    /// only NAME's changes and findings are kept.
    pub fn plan(
        &self,
        engine: &Engine,
        ws: &Workspace,
        env: &Environment,
        value: &Secret,
    ) -> Result<Planned, Error> {
        let name = self.var.name.as_str();
        if let Some(what) = crate::secret::blank(value).filter(|_| !self.var.allow_empty) {
            return Err(Error::Usage(format!(
                "the new value of {name} {what}; nothing was stored or written (write `allow_empty: true` next to `secret:` if that is meant)"
            )));
        }
        if let Some(d) =
            crate::provider::dotenv::unrepresentable(&env.targets, self.var, value.expose())
        {
            return Err(Error::Invalid(vec![d]));
        }
        let mut secrets = plan::resolve_secrets(ws, env, &ProcessEnv);
        secrets
            .resolution
            .insert(name.to_string(), Ok(envctl_core::plan::Resolved::of(value)));
        secrets.values.insert(name.to_string(), value.clone());
        let mut planned = engine.block_on(plan::plan(ws, env, secrets, false))??;
        narrow_to(&mut planned, name);
        if !planned.plan.targets.iter().any(|t| !t.changes.is_empty()) {
            return Err(Error::Usage(format!(
                "no target of {} receives {name}; check its `targets:` and the targets' `receives:`",
                env.name
            )));
        }
        Ok(planned)
    }
}

/// Only NAME is rotated: other changes wait for a plain `apply`, and
/// findings about other variables do not hold up a rotation.
fn narrow_to(planned: &mut Planned, name: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_have_the_length_asked_for_in_letters_and_digits() {
        for len in [16, 48, 4096] {
            let value = generate(len).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(value.expose().len(), len);
            assert!(value.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        }
        for len in [0, 15, 4097] {
            assert!(generate(len).is_err(), "{len}");
        }
    }
}
