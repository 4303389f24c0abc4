//! A Cloudflare target's provider: the token first, then the account (the
//! target's, else `CLOUDFLARE_ACCOUNT_ID`), then the API and the D1
//! database, when one is configured.

use super::{CloudflareProvider, D1, Settings, api};
use crate::provider::connect::{ConnectError, secret_names, url_error};
use crate::provider::credentials;
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<CloudflareProvider, ConnectError> {
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let login_ = &api::LOGIN;
    let token = credentials::token(login_).map_err(auth)?;
    let account = super::checks::account(
        settings.account_id.as_deref(),
        credentials::setting(api::ACCOUNT_VAR),
    )
    .map_err(auth)?;
    let base = credentials::base_url(login_);
    let client = api::Api::new(&base, token, &account, Policy::from_env())
        .map_err(|e| auth(url_error(login_, e)))?;
    let d1 = settings.database_id.as_ref().map(|id| D1 {
        database_id: id.clone(),
        table: settings
            .migrations_table
            .clone()
            .unwrap_or_else(|| super::settings::D1_MIGRATIONS_TABLE.to_string()),
        dir: settings
            .migrations_dir
            .clone()
            .unwrap_or_else(|| super::settings::D1_MIGRATIONS_DIR.to_string()),
    });
    Ok(CloudflareProvider::new(
        &target.name,
        &settings.project,
        &settings.environment,
        secret_names(env, target),
        client,
        d1,
    ))
}
