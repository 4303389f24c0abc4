//! What to do about a failed Vercel call: where tokens are made, which
//! settings name the project and team, where the status page is.

use super::api;
use crate::provider::ProviderError;
use crate::provider::http::{Failure, HttpError};

/// `e` as the target's error, with a hint for it.
pub fn error(target: &str, project: &str, e: HttpError) -> ProviderError {
    let hint = match e.failure {
        Failure::Unauthorized | Failure::Forbidden => Some(format!(
            "the token in {} was refused, or may not act for this project's team: create one at https://vercel.com/account/tokens with access to the team, and check `team` in the environment file",
            api::TOKEN_VAR
        )),
        Failure::NotFound => Some(format!(
            "no project `{project}` is visible with this token and team: check `project` and `team` in the environment file"
        )),
        Failure::RateLimited => {
            Some("Vercel kept rate limiting; wait a minute and run again".to_string())
        }
        Failure::Server => Some(
            "Vercel had a server error; try again later, or check https://www.vercel-status.com"
                .to_string(),
        ),
        Failure::Network => Some(format!(
            "could not reach the Vercel API (set {} only to point at a different API)",
            api::URL_VAR
        )),
        Failure::Rejected => None,
    };
    ProviderError::http(target, format!("project {project}"), e, hint)
}
