//! What GitHub would refuse or envctl could not use, caught when the files
//! are loaded so nothing is sent: the repository (`OWNER/REPO`), the
//! deployment environment's name, and variable names.
//!
//! Names follow GitHub's naming rules for secrets and configuration
//! variables (docs.github.com/actions/security-for-github-actions/
//! security-guides/using-secrets-in-github-actions#naming-your-secrets and
//! docs.github.com/actions/writing-workflows/choosing-what-your-workflow-does/
//! store-information-in-variables#naming-conventions-for-configuration-variables):
//! letters, digits and `_` only, not starting with a digit, not starting
//! with `GITHUB_`, case-insensitive. GitHub keeps them in upper case, so a
//! lower-case name would come back under another name than the one
//! declared. [`record::NAME`] is envctl's own.

use std::path::Path;

use super::{Settings, record};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// GitHub's longest environment name ("may not exceed 255 characters").
const MAX_ENVIRONMENT: usize = 255;

/// The target's settings, at `pos` in `file`.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let repository = &settings.repository;
    if !is_repository(repository) {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{repository}` is not a GitHub repository"),
            )
            .with_help(Some(
                "write it as OWNER/REPO, as in https://github.com/OWNER/REPO (e.g. `huddle-app/huddle`)",
            )),
        );
    }
    if let Some(environment) = &settings.environment
        && let Some(problem) = environment_problem(environment)
    {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{environment}` is not a GitHub environment name: {problem}"),
            )
            .with_help(Some(
                "use the name under the repository's Settings › Environments, or leave `environment` out for repository-level secrets and variables",
            )),
        );
    }
    diags
}

/// `OWNER/REPO`: an account name (letters, digits and single hyphens, at
/// most 39, not starting or ending with a hyphen) and a repository name
/// (letters, digits, `.`, `-`, `_`, at most 100, not `.` or `..`).
pub fn is_repository(text: &str) -> bool {
    let Some((owner, repo)) = text.split_once('/') else {
        return false;
    };
    let owner_ok = (1..=39).contains(&owner.len())
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !owner.starts_with('-')
        && !owner.ends_with('-')
        && !owner.contains("--");
    let repo_ok = (1..=100).contains(&repo.len())
        && repo
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && repo != "."
        && repo != "..";
    owner_ok && repo_ok
}

/// What is wrong with an environment name, if anything.
fn environment_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("it is empty")
    } else if name.trim() != name {
        Some("it starts or ends with a space")
    } else if name.chars().count() > MAX_ENVIRONMENT {
        Some("it is longer than GitHub's 255 characters")
    } else if name.chars().any(char::is_control) {
        Some("it holds a control character")
    } else if name == "." || name == ".." {
        // A URL path segment of its own: `environments/./secrets` would
        // reach another environment's secrets.
        Some("it is `.` or `..`, which a URL path cannot carry")
    } else {
        None
    }
}

/// Why GitHub would refuse a secret or variable named `name` sent to
/// `target` (or envctl keeps that name for itself): the message and the
/// help.
pub fn name(target: &str, name: &str) -> Option<(String, &'static str)> {
    if name == record::NAME {
        return Some((
            format!(
                "`{name}` is where envctl records the secrets it wrote to GitHub (target `{target}`); a variable of that name would be overwritten"
            ),
            "rename the variable",
        ));
    }
    if name_problem(name).is_none() && name.bytes().any(|b| b.is_ascii_lowercase()) {
        return Some((
            format!(
                "`{name}` would come back from GitHub as `{}` (target `{target}`): GitHub names are case-insensitive and kept in upper case, so envctl would not find it again",
                name.to_ascii_uppercase()
            ),
            "write the name in upper case",
        ));
    }
    let problem = name_problem(name)?;
    Some((
        format!("GitHub refuses the name `{name}` (target `{target}`): {problem}"),
        "rename the variable, or route it elsewhere with `targets:`",
    ))
}

fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Some("it needs letters, digits and `_` only")
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        Some("it must not start with a digit")
    } else if name.to_ascii_uppercase().starts_with("GITHUB_") {
        Some("names starting with `GITHUB_` are GitHub's own")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_owner_slash_repo() {
        for ok in [
            "huddle-app/huddle",
            "a/b",
            "octo-org/.github",
            "me/my_repo.rs",
        ] {
            assert!(is_repository(ok), "{ok}");
        }
        for bad in [
            "huddle",
            "/huddle",
            "huddle-app/",
            "a/b/c",
            "-a/b",
            "a-/b",
            "a--b/c",
            "a/..",
            "a b/c",
            "https://github.com/a/b",
        ] {
            assert!(!is_repository(bad), "{bad}");
        }
    }

    #[test]
    fn target_settings_are_checked() {
        let file = Path::new("environments/production.yaml");
        let check = |repository: &str, environment: Option<&str>| {
            target(
                &Settings {
                    repository: repository.into(),
                    environment: environment.map(str::to_string),
                    receives: None,
                    prune: false,
                },
                file,
                None,
            )
            .len()
        };
        assert_eq!(check("huddle-app/huddle", None), 0);
        assert_eq!(check("huddle-app/huddle", Some("production")), 0);
        assert_eq!(check("huddle-app/huddle", Some("staging/eu")), 0);
        assert_eq!(check("huddle", None), 1);
        assert_eq!(check("huddle-app/huddle", Some("")), 1);
        assert_eq!(check("huddle-app/huddle", Some(" production")), 1);
        assert_eq!(check("huddle-app/huddle", Some(&"x".repeat(256))), 1);
        assert_eq!(check("huddle", Some("a\nb")), 2);
        assert_eq!(check("huddle-app/huddle", Some(".")), 1);
        assert_eq!(check("huddle-app/huddle", Some("..")), 1);
        assert_eq!(check("huddle-app/huddle", Some(".staging")), 0);
    }

    #[test]
    fn names_github_refuses_are_caught() {
        for ok in ["STRIPE_SECRET_KEY", "_PRIVATE", "A1", "MY_GITHUB_TOKEN"] {
            assert_eq!(name("ci", ok), None, "{ok}");
        }
        for bad in [
            "1PASSWORD",
            "NEXT-PUBLIC",
            "A.B",
            "GITHUB_TOKEN",
            "github_sha",
            "stripe_key",
            "",
            "ENVCTL_SECRET_DIGESTS",
        ] {
            let (message, _) = name("ci", bad).expect(bad);
            assert!(message.contains("target `ci`"), "{message}");
        }
    }
}
