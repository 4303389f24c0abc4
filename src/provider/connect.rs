//! From a configured target to its provider. Each platform's folder puts
//! its own together (settings, credentials from [`super::credentials`],
//! the HTTP policy) in its `connect`; this dispatches by `type:`, so a
//! missing token stops the run before anything is read.

use std::collections::BTreeSet;
use std::path::Path;

use super::TargetSpec;
use super::credentials::{self, Login};
use super::{Provider, ProviderError, cloudflare, dotenv, github, netlify, supabase, vercel};
use envctl_core::model::{Environment, Target};
use envctl_core::secret::Secret;

/// Where the project lives, for the providers that read its files (a
/// dotenv file, Edge Function sources) or name keychain entries.
#[derive(Debug, Clone, Copy)]
pub struct Project<'a> {
    /// The folder holding `envctl.yaml`.
    pub root: &'a Path,
    /// The project's name (`project:`), for keychain accounts.
    pub name: &'a str,
    /// The Edge Functions folder, relative to `root`.
    pub functions: &'a str,
}

/// Why a target could not be connected to.
#[derive(Debug)]
pub enum ConnectError {
    /// No token, a bad setting, an unreachable database URL.
    Failed(ProviderError),
    /// A kind of target envctl does not write (a Vercel custom
    /// environment): what, and what to use instead.
    Unsupported { what: String, hint: String },
}

impl ConnectError {
    /// A failure of `operation` for `target`, in the user's terms.
    pub fn failed(target: &Target, operation: &str, message: String) -> ConnectError {
        ConnectError::Failed(ProviderError::local(&target.name, operation, message))
    }
}

impl Provider {
    /// The provider for a configured target. Credentials are looked up
    /// here, so a missing token stops the run before anything is read.
    pub fn for_target(
        project: &Project<'_>,
        env: &Environment,
        target: &Target,
    ) -> Result<Provider, ConnectError> {
        let Some(spec) = target.settings_as::<TargetSpec>() else {
            let why = "not a target envctl can connect to".to_string();
            return Err(ConnectError::failed(target, "connect", why));
        };
        Ok(match spec {
            TargetSpec::Dotenv(settings) => {
                Provider::Dotenv(dotenv::connect(project, target, settings))
            }
            TargetSpec::Supabase(settings) => {
                Provider::Supabase(supabase::connect(project, env, target, settings)?)
            }
            TargetSpec::Vercel(settings) => {
                Provider::Vercel(vercel::connect(env, target, settings)?)
            }
            TargetSpec::Cloudflare(settings) => {
                Provider::Cloudflare(cloudflare::connect(env, target, settings)?)
            }
            TargetSpec::Github(settings) => {
                Provider::Github(github::connect(env, target, settings)?)
            }
            TargetSpec::Netlify(settings) => {
                Provider::Netlify(netlify::connect(env, target, settings)?)
            }
        })
    }
}

/// The platform's token and API base URL.
pub(super) fn login(login: &Login) -> Result<(Secret, String), String> {
    Ok((credentials::token(login)?, credentials::base_url(login)))
}

/// A base URL the client refused, naming the setting it came from.
pub(super) fn url_error(login: &Login, e: String) -> String {
    format!("{}: {e}", login.url_var)
}

/// The variables a target receives that are declared as secret references:
/// what a platform with a write-only kind stores that way.
pub(super) fn secret_names(env: &Environment, target: &Target) -> BTreeSet<String> {
    env.variables
        .values()
        .filter(|v| v.is_secret() && v.targets.contains(&target.name))
        .map(|v| v.name.clone())
        .collect()
}
