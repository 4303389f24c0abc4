//! A Vercel target's provider: the token, the team, the API, and what the
//! environment declares of its variables (which are secrets, and their
//! descriptions). A custom environment's slug is resolved when it is read.

use std::collections::BTreeMap;

use super::{Settings, VercelProvider, api};
use crate::provider::connect::{ConnectError, login, secret_names, url_error};
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<VercelProvider, ConnectError> {
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let (token, base) = login(&api::LOGIN).map_err(auth)?;
    let client = api::Api::new(&base, token, settings.team.clone(), Policy::from_env())
        .map_err(|e| auth(url_error(&api::LOGIN, e)))?;
    let descriptions: BTreeMap<String, String> = env
        .variables
        .values()
        .filter(|v| v.targets.contains(&target.name))
        .filter_map(|v| Some((v.name.clone(), v.description.clone()?)))
        .collect();
    Ok(VercelProvider::new(
        &target.name,
        &settings.project,
        &settings.target,
        settings.git_branch.as_deref(),
        secret_names(env, target),
        client,
    )
    .with_descriptions(descriptions))
}
