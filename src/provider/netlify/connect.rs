//! A Netlify target's provider: the token (`NETLIFY_AUTH_TOKEN`, as
//! netlify-cli reads it, else `envctl login netlify`), the API
//! (`ENVCTL_NETLIFY_API_URL`, default `https://api.netlify.com/api/v1`),
//! and which declared variables are secrets.

use super::{NetlifyProvider, Settings, api};
use crate::provider::connect::{ConnectError, login, secret_names, url_error};
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<NetlifyProvider, ConnectError> {
    let Some(context) = settings.deploy_context() else {
        let why = format!("`{}` is not a Netlify deploy context", settings.context);
        return Err(ConnectError::failed(target, "connect", why));
    };
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let (token, base) = login(&api::LOGIN).map_err(auth)?;
    let client = api::Api::new(&base, token, Policy::from_env())
        .map_err(|e| auth(url_error(&api::LOGIN, e)))?;
    Ok(NetlifyProvider::new(
        &target.name,
        settings,
        context,
        secret_names(env, target),
        client,
    ))
}
