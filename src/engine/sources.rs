//! `secret sources`: every secret source an environment needs — each
//! secret reference of its variables and `migrations.database_url`, and
//! the API token of each platform its targets are on — with whether it
//! can be found right now. Nothing is resolved: an `env:` variable is
//! looked up only to see that it is set and not blank, a file only to see
//! that it exists, a keychain entry only to see that it is stored; a
//! `command` is never run.

use std::collections::BTreeSet;

use crate::config::{Environment, SecretRef, VarValue, Workspace};
use crate::keyring;
use crate::provider::LOGINS;
use crate::secret::EnvSource;

/// Whether a source can be found now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// An environment variable that is set (and not blank, unless the
    /// variable allows empty).
    Set,
    /// A file that exists.
    Present,
    /// A keychain entry that exists.
    Stored,
    /// A command: never run to find out.
    NotChecked,
    /// Not there: the variable is unset or blank, the file or the entry
    /// does not exist.
    Missing,
    /// The keychain could not be asked (none on this machine, a locked
    /// collection, a bus that does not answer): not known to be missing.
    Unavailable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Set => "set",
            Status::Present => "present",
            Status::Stored => "stored",
            Status::NotChecked => "not checked",
            Status::Missing => "missing",
            Status::Unavailable => "keychain unavailable",
        }
    }
}

/// One source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// The variable it is for, `migrations.database_url`, or a platform's
    /// token (`vercel token`).
    pub name: String,
    /// `env`, `file`, `keyring`, `command` or `token`.
    pub kind: &'static str,
    /// Where: the variable's name, the file's path, the keychain account,
    /// the program; for a token, the variables it is read from, in order.
    pub source: Vec<String>,
    pub status: Status,
}

/// The sources of `env`, variables first (by name), then the database
/// URL, then tokens (in the order `login` lists platforms).
pub fn sources(ws: &Workspace, env: &Environment, vars: &dyn EnvSource) -> Vec<Source> {
    // As `plan` resolves them: ENVCTL_SECRETS_FROM_ENV names environments
    // whose secrets all come from the variable of their own name.
    let from_env = crate::settings::secrets_from_env()
        .unwrap_or_default()
        .contains(&env.name);
    let mut out = Vec::new();
    for var in env.variables.values() {
        let VarValue::Secret(declared) = &var.value else {
            continue;
        };
        let own = SecretRef::Env(var.name.clone());
        let reference = if from_env { &own } else { declared };
        let account = keyring::secret_account(&ws.project, &env.name, &var.name);
        out.push(source(
            ws,
            &var.name,
            reference,
            &account,
            var.allow_empty,
            vars,
        ));
    }
    if let Some(url) = env
        .migrations
        .as_ref()
        .and_then(|m| m.database_url.as_ref())
    {
        let name = "migrations.database_url";
        let account = keyring::secret_account(&ws.project, &env.name, name);
        out.push(source(ws, name, url, &account, false, vars));
    }
    let kinds: BTreeSet<&str> = env.targets.values().map(|t| t.settings.kind()).collect();
    for login in LOGINS.iter().filter(|l| kinds.contains(l.platform)) {
        let names: Vec<String> = login.vars().map(str::to_string).collect();
        let status = if names
            .iter()
            .any(|n| vars.var(n).is_some_and(|v| !v.trim().is_empty()))
        {
            Status::Set
        } else {
            in_keychain(&keyring::token_account(login.platform))
        };
        out.push(Source {
            name: login.label.to_string(),
            kind: "token",
            source: names,
            status,
        });
    }
    out
}

/// Whether the keychain holds `account`, asked without reading the value
/// (a search: no decryption, no unlock prompt).
fn in_keychain(account: &str) -> Status {
    match keyring::locate(account) {
        Ok(found) if found.is_empty() => Status::Missing,
        Ok(_) => Status::Stored,
        Err(_) => Status::Unavailable,
    }
}

fn source(
    ws: &Workspace,
    name: &str,
    reference: &SecretRef,
    account: &str,
    allow_empty: bool,
    vars: &dyn EnvSource,
) -> Source {
    let (kind, source, status) = match reference {
        SecretRef::Env(var) => {
            let set = vars
                .var(var)
                .is_some_and(|v| allow_empty || !v.trim().is_empty());
            (
                "env",
                var.clone(),
                if set { Status::Set } else { Status::Missing },
            )
        }
        SecretRef::File(path) => {
            let there = ws.root.join(path).is_file();
            let status = if there {
                Status::Present
            } else {
                Status::Missing
            };
            ("file", path.clone(), status)
        }
        SecretRef::Keyring => ("keyring", account.to_string(), in_keychain(account)),
        // The program only: its arguments may name a vault's items, and
        // this list goes into workflow files (as `example` does).
        SecretRef::Command(argv) => (
            "command",
            argv.first().cloned().unwrap_or_default(),
            Status::NotChecked,
        ),
    };
    Source {
        name: name.to_string(),
        kind,
        source: vec![source],
        status,
    }
}
