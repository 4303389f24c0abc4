//! What to do about a failed Netlify call. A token is a member's: it can
//! do what its owner's role on the team allows — Owners and Developers
//! edit a site's environment variables, Reviewers and others do not
//! (docs.netlify.com/accounts-and-billing/team-management/roles-and-permissions).
//! Netlify answers 404 for a site or account the token cannot see.

use super::api;
use crate::provider::ProviderError;
use crate::provider::http::{Failure, HttpError};

/// What the failed call needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Finding the site, listing its variables (plan, drift).
    Read,
    /// Creating, changing or deleting variables.
    Write,
    /// Starting a build (`--redeploy`).
    Build,
}

/// `e` as the target's error, with a hint for it; `scope` names the site
/// (and account) in the user's terms.
pub fn error(target: &str, scope: String, need: Need, e: HttpError) -> ProviderError {
    let hint = hint(&scope, need, &e);
    ProviderError::http(target, scope, e, hint)
}

fn hint(scope: &str, need: Need, e: &HttpError) -> Option<String> {
    let vars = api::LOGIN.vars_text();
    Some(match e.failure {
        Failure::Unauthorized => format!(
            "Netlify refused the token ({vars}, else `envctl login netlify`): it may be expired or revoked, or be for another API than {} says; create one at https://app.netlify.com/user/applications#personal-access-tokens",
            api::URL_VAR
        ),
        Failure::Forbidden => match need {
            Need::Read | Need::Write => "the token's owner may not manage this site's environment variables: a team Owner or Developer can (Team settings › Members); a Reviewer cannot".to_string(),
            Need::Build => "the token's owner may not start builds of this site: a team Owner or Developer can".to_string(),
        },
        Failure::NotFound => format!(
            "{scope} was not found, or is not visible to this token: check `site` (its name or Site ID, under Site configuration › Site details) and `account` (the team's slug), and that the token's owner is a member of that team"
        ),
        Failure::Rejected if e.status == Some(422) && need == Need::Write => "Netlify refused the variable: a secret cannot hold a value for `all` contexts or have the `post-processing` scope, and granular scopes need a Pro plan or above".to_string(),
        Failure::Rejected => return None,
        Failure::RateLimited => "Netlify kept rate limiting (500 requests a minute per token); wait a minute and run again".to_string(),
        Failure::Server => "Netlify had a server error; try again later, or check https://www.netlifystatus.com".to_string(),
        Failure::Network => format!(
            "could not reach the Netlify API (set {} only to point at another one)",
            api::URL_VAR
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint_of(need: Need, status: u16) -> String {
        let e = HttpError {
            failure: Failure::of_status(status),
            operation: "list the environment variables".into(),
            status: Some(status),
            code: None,
            message: "Netlify's message".into(),
            attempts: 1,
        };
        error("site", "site huddle-web".into(), need, e)
            .hint()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn each_failure_says_what_to_check() {
        assert!(hint_of(Need::Read, 401).contains("NETLIFY_AUTH_TOKEN"));
        assert!(hint_of(Need::Write, 403).contains("Developer"));
        assert!(hint_of(Need::Build, 403).contains("builds"));
        assert!(hint_of(Need::Read, 404).contains("site huddle-web was not found"));
        assert!(hint_of(Need::Write, 422).contains("post-processing"));
        assert_eq!(hint_of(Need::Read, 422), "");
        assert!(hint_of(Need::Read, 429).contains("500 requests"));
    }
}
