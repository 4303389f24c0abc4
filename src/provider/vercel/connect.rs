//! A Vercel target's provider: the token, the team, the API; a custom
//! environment is refused here, before anything is read.

use super::{Settings, VercelProvider, api};
use crate::provider::connect::{ConnectError, login, secret_names, url_error};
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<VercelProvider, ConnectError> {
    if !settings.standard_target() {
        return Err(ConnectError::Unsupported {
            what: format!(
                "the Vercel custom environment `{}` (target `{}`)",
                settings.target, target.name
            ),
            hint: "use `target: production`, `preview` (with `git_branch`) or `development`"
                .to_string(),
        });
    }
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let (token, base) = login(&api::LOGIN).map_err(auth)?;
    let client = api::Api::new(&base, token, settings.team.clone(), Policy::from_env())
        .map_err(|e| auth(url_error(&api::LOGIN, e)))?;
    Ok(VercelProvider::new(
        &target.name,
        &settings.project,
        &settings.target,
        settings.git_branch.as_deref(),
        secret_names(env, target),
        client,
    ))
}
