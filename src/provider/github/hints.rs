//! What to do about a failed GitHub call. The permissions are GitHub's
//! (docs.github.com/rest/authentication/permissions-required-for-fine-grained-personal-access-tokens):
//! a fine-grained token needs the repository and "Secrets" and
//! "Variables" (read to plan, write to apply), and "Environments" for an
//! environment's; a classic token needs the `repo` scope
//! (docs.github.com/rest/actions/secrets). A workflow's own `GITHUB_TOKEN`
//! cannot be given any of them. GitHub answers 404, not 403, for a private
//! repository the token cannot see
//! (docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api).

use super::api;
use crate::provider::ProviderError;
use crate::provider::http::{Failure, HttpError};

/// What the failed call needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Listing secrets and variables (plan, drift).
    Read,
    /// Writing or deleting secrets (and reading the public key).
    WriteSecrets,
    /// Writing or deleting variables (envctl's record among them).
    WriteVariables,
}

/// `e` as the target's error, with a hint for it.
pub fn error(
    target: &str,
    repository: &str,
    environment: Option<&str>,
    need: Need,
    e: HttpError,
) -> ProviderError {
    let scope = match environment {
        Some(env) => format!("repository {repository}, environment {env}"),
        None => format!("repository {repository}"),
    };
    let hint = hint(repository, environment, need, &e);
    ProviderError::http(target, scope, e, hint)
}

fn hint(repository: &str, environment: Option<&str>, need: Need, e: &HttpError) -> Option<String> {
    let vars = api::LOGIN.vars_text();
    Some(match e.failure {
        Failure::Unauthorized => format!(
            "GitHub refused the token ({vars}, else `envctl login github`): it may be expired or revoked, or be for another GitHub than {} says; create one at https://github.com/settings/personal-access-tokens",
            api::URL_VAR
        ),
        Failure::Forbidden => forbidden(environment, need),
        Failure::NotFound => match environment {
            Some(env) => format!(
                "repository {repository} or its environment `{env}` was not found, or is not visible to this token: check `repository` and `environment` (Settings › Environments), and that the token was given this repository"
            ),
            None => format!(
                "repository {repository} was not found, or is not visible to this token: check `repository` (OWNER/REPO) and that the token was given this repository"
            ),
        },
        Failure::Rejected if e.code.as_deref() == Some("already_exists") => {
            "it was created since envctl read the repository: run plan again".to_string()
        }
        Failure::Rejected if e.status == Some(422) => match need {
            Need::Read => return None,
            Need::WriteSecrets => "GitHub refused the secret: its value may be over GitHub's 48 KB, or the public key it was sealed to was replaced meanwhile (run apply again)".to_string(),
            Need::WriteVariables => "GitHub refused the variable: its value may be over GitHub's 48 KB, or the scope may already hold as many variables as GitHub allows (500 for a repository, 100 for an environment)".to_string(),
        },
        Failure::Rejected => return None,
        Failure::RateLimited => {
            "GitHub kept rate limiting (5,000 requests an hour per token, and secondary limits on writes); wait and run again".to_string()
        }
        Failure::Server => {
            "GitHub had a server error; try again later, or check https://www.githubstatus.com"
                .to_string()
        }
        Failure::Network => format!(
            "could not reach the GitHub API (set {} only to point at another one, e.g. https://HOST/api/v3 for GitHub Enterprise Server)",
            api::URL_VAR
        ),
    })
}

fn forbidden(environment: Option<&str>, need: Need) -> String {
    let (what, permission) = match need {
        Need::Read => (
            "read the secrets and variables",
            "Secrets: read and Variables: read",
        ),
        Need::WriteSecrets => ("write secrets", "Secrets: write"),
        Need::WriteVariables => ("write variables", "Variables: write"),
    };
    let environments = match (environment, need) {
        (None, _) => String::new(),
        (Some(_), Need::Read) => ", and Environments: read".to_string(),
        (Some(_), _) => ", and Environments: write".to_string(),
    };
    format!(
        "the token may not {what}: a fine-grained token needs this repository with {permission}{environments}; a classic token needs the `repo` scope. A workflow's own GITHUB_TOKEN cannot manage secrets or variables: use a personal access token or a GitHub App token"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(status: u16, code: Option<&str>) -> HttpError {
        HttpError {
            failure: Failure::of_status(status),
            operation: "write an Actions secret".into(),
            status: Some(status),
            code: code.map(str::to_string),
            message: "GitHub's message".into(),
            attempts: 1,
        }
    }

    fn hint_of(environment: Option<&str>, need: Need, status: u16) -> String {
        error("ci", "a/b", environment, need, failed(status, None))
            .hint()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn a_403_names_the_permission_the_call_needed() {
        let read = hint_of(None, Need::Read, 403);
        assert!(read.contains("Secrets: read and Variables: read"), "{read}");
        assert!(read.contains("`repo` scope"), "{read}");
        assert!(hint_of(None, Need::WriteSecrets, 403).contains("Secrets: write"));
        let env = hint_of(Some("production"), Need::WriteVariables, 403);
        assert!(
            env.contains("Variables: write, and Environments: write"),
            "{env}"
        );
    }

    #[test]
    fn other_failures_say_what_to_check() {
        assert!(hint_of(None, Need::Read, 401).contains("GITHUB_TOKEN or GH_TOKEN"));
        assert!(hint_of(Some("production"), Need::Read, 404).contains("environment `production`"));
        assert_eq!(hint_of(None, Need::Read, 422), "");
        assert_eq!(hint_of(None, Need::WriteVariables, 400), "");
        assert!(hint_of(None, Need::WriteSecrets, 422).contains("48 KB"));
        assert!(hint_of(None, Need::WriteVariables, 422).contains("500 for a repository"));
        let exists = error(
            "ci",
            "a/b",
            None,
            Need::WriteVariables,
            failed(409, Some("already_exists")),
        );
        assert!(exists.hint().unwrap().contains("plan again"));
    }
}
