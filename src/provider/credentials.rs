//! Where a platform's credentials come from, in one place: its token (the
//! environment variable CI sets, else what `envctl login <platform>`
//! stored in the OS keychain), the API base URL (the platform's, unless a
//! setting points elsewhere, as the tests' fakes do), and the database URL
//! of `migrations.database_url`. [`Provider::for_target`] asks here; the
//! platform folders take a token and a URL and never read the
//! environment.
//!
//! [`Provider::for_target`]: super::Provider::for_target

use std::path::Path;

use super::http::token_flaw;
use crate::keyring::{self, KeyringError, SERVICE};
use envctl_core::model::SecretRef;
use envctl_core::secret::Secret;

/// How a platform is logged in to, as its folder describes it.
#[derive(Debug, Clone, Copy)]
pub struct Login {
    /// The environment variable that holds the token (CI).
    pub var: &'static str,
    /// Further variables read, in order, when `var` is unset or blank (a
    /// platform whose own CLI reads a second name).
    pub fallback_vars: &'static [&'static str],
    /// The name `envctl login` takes; the keychain account is `login/<name>`.
    pub platform: &'static str,
    /// What the token is called in messages ("<platform> token").
    pub label: &'static str,
    /// Where to create one (and with which permissions).
    pub create_at: &'static str,
    /// The setting that points envctl at a different API.
    pub url_var: &'static str,
    pub default_url: &'static str,
}

impl Login {
    /// Every variable the token is read from, in order.
    pub fn vars(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.var).chain(self.fallback_vars.iter().copied())
    }

    /// The variables for messages: `A`, or `A or B`, or `A, B or C`.
    pub fn vars_text(&self) -> String {
        let vars: Vec<&str> = self.vars().collect();
        match vars.split_last() {
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// The platform's API token: the first of its environment variables that
/// is set (CI), else what `envctl login <platform>` stored.
///
/// A token that cannot go in an HTTP header (a line break inside it, say)
/// is refused here, naming where it came from, before any request: sent,
/// it would fail on every attempt as a network error.
pub fn token(login: &Login) -> Result<Secret, String> {
    let Login {
        platform,
        label,
        create_at,
        ..
    } = login;
    for var in login.vars() {
        let Some(token) = std::env::var(var).ok().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let token = zeroize::Zeroizing::new(token);
        if let Some(flaw) = token_flaw(token.trim()) {
            return Err(format!(
                "{var} holds {flaw}, which cannot be sent in an HTTP header (the value is not shown): set {var} to the {label} alone, on one line, without quotes or a `Bearer ` prefix"
            ));
        }
        return Ok(Secret::new(token.trim().to_string()));
    }
    let var = login.vars_text();
    let account = keyring::token_account(platform);
    let stored = keyring::get(&account).map_err(|e| {
        let keychain = match e {
            KeyringError::Missing { .. } => format!("or run `envctl login {platform}`"),
            other => format!("(`envctl login {platform}` cannot help here: {other})"),
        };
        format!("no {label}: set {var} (create one at {create_at}) {keychain}")
    })?;
    let trimmed = stored.expose().trim();
    if let Some(flaw) = token_flaw(trimmed) {
        return Err(format!(
            "the {label} in the keychain (service `{SERVICE}`, account `{account}`) holds {flaw}, which cannot be sent in an HTTP header (the value is not shown): run `envctl login {platform}` again with the token alone, or set {var}"
        ));
    }
    Ok(Secret::new(trimmed.to_string()))
}

/// The API base URL: the platform's, unless `url_var` says otherwise.
pub fn base_url(login: &Login) -> String {
    std::env::var(login.url_var).unwrap_or_else(|_| login.default_url.to_string())
}

/// A setting from the process environment, trimmed; `None` when unset or
/// blank: a platform setting such as an account id.
pub fn setting(var: &str) -> Option<String> {
    let value = std::env::var(var).unwrap_or_default();
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// `environment`'s `migrations.database_url`, resolved (from the process
/// environment, a file, a command or the keychain). Messages name the
/// reference, never the URL.
pub fn database_url(
    reference: &SecretRef,
    root: &Path,
    project: &str,
    environment: &str,
) -> Result<Secret, String> {
    let account = keyring::secret_account(project, environment, "migrations.database_url");
    crate::secret::resolve(reference, root, &crate::secret::ProcessEnv, &account)
        .map_err(|why| format!("{reference}: {why}"))
}
