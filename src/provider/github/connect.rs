//! A GitHub target's provider: the token (`GITHUB_TOKEN`, then `GH_TOKEN`,
//! as the `gh` CLI reads them, else `envctl login github`), the API
//! (`ENVCTL_GITHUB_API_URL`, default `https://api.github.com`; a GitHub
//! Enterprise Server's is `https://HOST/api/v3`), and which declared
//! variables are secrets and which plain.

use std::collections::BTreeSet;

use super::{GithubProvider, Settings, api};
use crate::provider::connect::{ConnectError, login, secret_names, url_error};
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<GithubProvider, ConnectError> {
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let (token, base) = login(&api::LOGIN).map_err(auth)?;
    let client = api::Api::new(
        &base,
        token,
        &settings.repository,
        settings.environment.as_deref(),
        Policy::from_env(),
    )
    .map_err(|e| auth(url_error(&api::LOGIN, e)))?;
    let secrets = secret_names(env, target);
    let plain: BTreeSet<String> = env
        .variables
        .values()
        .filter(|v| !v.is_secret() && v.targets.contains(&target.name))
        .map(|v| v.name.clone())
        .collect();
    Ok(GithubProvider::new(
        &target.name,
        settings,
        secrets,
        plain,
        client,
    ))
}
