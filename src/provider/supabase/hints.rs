//! What to do about a failed Management API call, in Supabase's terms:
//! where tokens are made, which permission a call needs, where the status
//! page is.

use super::api;
use crate::provider::ProviderError;
use crate::provider::http::{Failure, HttpError};

/// `e` as the target's error, with a hint for it. `permission` is the
/// fine-grained token permission the call needs (`secrets:read`).
pub fn error(target: &str, project: &str, e: HttpError, permission: &str) -> ProviderError {
    let hint = match e.failure {
        Failure::Unauthorized => format!(
            "the token in {} was refused (mistyped, expired or revoked); create a new one at https://supabase.com/dashboard/account/tokens",
            api::TOKEN_VAR
        ),
        Failure::Forbidden => format!(
            "the token may not do this on project {project}: it needs the `{permission}` permission and access to the project's organization"
        ),
        Failure::NotFound => format!(
            "no project {project} is visible to this token: check `project_ref` in the environment file, and that the token's account belongs to the project's organization"
        ),
        Failure::RateLimited => {
            "Supabase allows 120 requests a minute per endpoint; wait a minute and run again"
                .to_string()
        }
        Failure::Server => {
            "Supabase had a server error; try again later, or check https://status.supabase.com"
                .to_string()
        }
        Failure::Network => format!(
            "could not reach the Supabase API (set {} only to point at a different API)",
            api::URL_VAR
        ),
        Failure::Rejected => String::new(),
    };
    let hint = (!hint.is_empty()).then_some(hint);
    ProviderError::http(target, format!("project {project}"), e, hint)
}
