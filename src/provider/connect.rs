//! From a configured target to its provider: the platform's settings, the
//! credentials ([`super::credentials`]) and the HTTP policy, put together
//! here so a missing token stops the run before anything is read.

use std::collections::BTreeSet;
use std::path::Path;

use super::TargetSpec;
use super::credentials::{self, Login};
use super::http::Policy;
use super::{Provider, ProviderError, cloudflare, dotenv, supabase, vercel};
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

impl Provider {
    /// The provider for a configured target. Credentials are looked up
    /// here, so a missing token stops the run before anything is read.
    pub fn for_target(
        ws: &Project<'_>,
        env: &Environment,
        target: &Target,
    ) -> Result<Provider, crate::Error> {
        let fail = |operation: &str, message: String| {
            crate::Error::Provider(ProviderError::local(&target.name, operation, message))
        };
        let auth = |message| fail("authenticate", message);
        let Some(spec) = target.settings_as::<TargetSpec>() else {
            return Err(fail(
                "connect",
                "not a target envctl can connect to".to_string(),
            ));
        };
        match spec {
            TargetSpec::Dotenv(settings) => Ok(Provider::Dotenv(dotenv::DotenvProvider::new(
                &target.name,
                ws.root.join(&settings.path),
                &settings.path,
            ))),
            TargetSpec::Supabase(settings) => {
                let provider = connect_supabase(ws, env, target, settings).map_err(auth)?;
                let Some(reference) = env
                    .migrations
                    .as_ref()
                    .and_then(|m| m.database_url.as_ref())
                else {
                    return Ok(Provider::Supabase(provider));
                };
                let database = credentials::database(reference, ws.root, ws.name, &env.name)
                    .map_err(|message| fail("migrations.database_url", message))?;
                Ok(Provider::Supabase(provider.with_database(database)))
            }
            TargetSpec::Vercel(settings) if settings.standard_target() => {
                let (token, base) = login(&vercel::api::LOGIN).map_err(auth)?;
                let api =
                    vercel::api::Api::new(&base, token, settings.team.clone(), Policy::from_env())
                        .map_err(|e| auth(url_error(&vercel::api::LOGIN, e)))?;
                Ok(Provider::Vercel(vercel::VercelProvider::new(
                    &target.name,
                    &settings.project,
                    &settings.target,
                    settings.git_branch.as_deref(),
                    secret_names(env, target),
                    api,
                )))
            }
            TargetSpec::Cloudflare(settings) => connect_cloudflare(env, target, settings)
                .map(Provider::Cloudflare)
                .map_err(auth),
            TargetSpec::Vercel(settings) => Err(crate::Error::NotImplemented {
                what: format!(
                    "the Vercel custom environment `{}` (target `{}`)",
                    settings.target, target.name
                ),
                hint: "use `target: production`, `preview` (with `git_branch`) or `development`"
                    .to_string(),
            }),
        }
    }
}

fn connect_supabase(
    ws: &Project<'_>,
    env: &Environment,
    target: &Target,
    settings: &supabase::Settings,
) -> Result<supabase::SupabaseProvider, String> {
    let (token, base) = login(&supabase::api::LOGIN)?;
    let api = supabase::api::Api::new(&base, token, Policy::from_env())
        .map_err(|e| url_error(&supabase::api::LOGIN, e))?;
    Ok(supabase::SupabaseProvider::new(
        &target.name,
        &settings.project_ref,
        api,
        ws.root.to_path_buf(),
        ws.functions,
        env.migrations.is_some(),
    ))
}

/// The token first, then the account (the target's, else
/// `CLOUDFLARE_ACCOUNT_ID`), then the API.
fn connect_cloudflare(
    env: &Environment,
    target: &Target,
    settings: &cloudflare::Settings,
) -> Result<cloudflare::CloudflareProvider, String> {
    let login_ = &cloudflare::api::LOGIN;
    let token = credentials::token(login_)?;
    let account = cloudflare::checks::account(
        settings.account_id.as_deref(),
        credentials::setting(cloudflare::api::ACCOUNT_VAR),
    )?;
    let base = credentials::base_url(login_);
    let api = cloudflare::api::Api::new(&base, token, &account, Policy::from_env())
        .map_err(|e| url_error(login_, e))?;
    let d1 = settings.database_id.as_ref().map(|id| cloudflare::D1 {
        database_id: id.clone(),
        table: settings
            .migrations_table
            .clone()
            .unwrap_or_else(|| cloudflare::settings::D1_MIGRATIONS_TABLE.to_string()),
    });
    Ok(cloudflare::CloudflareProvider::new(
        &target.name,
        &settings.project,
        &settings.environment,
        secret_names(env, target),
        api,
        d1,
    ))
}

/// The platform's token and API base URL.
fn login(login: &Login) -> Result<(Secret, String), String> {
    Ok((credentials::token(login)?, credentials::base_url(login)))
}

/// A base URL the client refused, naming the setting it came from.
fn url_error(login: &Login, e: String) -> String {
    format!("{}: {e}", login.url_var)
}

/// The variables a target receives that are declared as secret references:
/// what a platform with a write-only kind stores that way.
fn secret_names(env: &Environment, target: &Target) -> BTreeSet<String> {
    env.variables
        .values()
        .filter(|v| v.is_secret() && v.targets.contains(&target.name))
        .map(|v| v.name.clone())
        .collect()
}
