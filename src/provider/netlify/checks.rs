//! What Netlify would refuse or envctl could not use, caught when the files
//! are loaded so nothing is sent: the site, the deploy context, the
//! scopes, and names.
//!
//! Names: Netlify's read-only variables "are reserved in Netlify's system.
//! You can't set or override these values manually"
//! (docs.netlify.com/build/configure-builds/environment-variables/#read-only-variables,
//! docs.netlify.com/build/functions/environment-variables), and functions
//! run on AWS Lambda, whose reserved `AWS_*` names Netlify refuses too
//! (`AWS_LAMBDA_JS_RUNTIME` is a configuration variable Netlify documents
//! for setting). [`record::NAME`] is envctl's own.

use std::path::Path;

use super::context::Context;
use super::{ALL_SCOPES, Settings, record};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// Netlify's read-only build and runtime variables.
pub const READ_ONLY: &[&str] = &[
    "NETLIFY",
    "BUILD_ID",
    "CONTEXT",
    "REPOSITORY_URL",
    "BRANCH",
    "HEAD",
    "COMMIT_REF",
    "CACHED_COMMIT_REF",
    "PULL_REQUEST",
    "REVIEW_ID",
    "URL",
    "DEPLOY_URL",
    "DEPLOY_PRIME_URL",
    "DEPLOY_ID",
    "SITE_NAME",
    "SITE_ID",
    "NETLIFY_IMAGES_CDN_DOMAIN",
    "INCOMING_HOOK_TITLE",
    "INCOMING_HOOK_URL",
    "INCOMING_HOOK_BODY",
];

/// The AWS configuration variable Netlify lets a site set.
const SETTABLE_AWS: &str = "AWS_LAMBDA_JS_RUNTIME";

/// The target's settings, at `pos` in `file`.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let site = &settings.site;
    if site.trim().is_empty() || site.contains('/') || site.chars().any(char::is_whitespace) {
        diags.push(
            Diagnostic::error(file, pos, format!("`{site}` is not a Netlify site name or id"))
                .with_help(Some(
                    "use the site's name (`huddle-web`, as in huddle-web.netlify.app) or its Site ID (Site configuration › Site details)",
                )),
        );
    }
    if settings
        .account
        .as_deref()
        .is_some_and(|a| a.trim().is_empty())
    {
        diags.push(
            Diagnostic::error(file, pos, "`account` is empty".to_string()).with_help(Some(
                "use the team's slug (in app.netlify.com/teams/SLUG), or leave `account` out",
            )),
        );
    }
    if Context::parse(&settings.context).is_none() {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{}` is not a Netlify deploy context", settings.context),
            )
            .with_help(Some(
                "use `production`, `deploy-preview`, `branch-deploy`, `dev`, or `branch:NAME` for one branch",
            )),
        );
    }
    if let Some(scopes) = &settings.scopes {
        diags.extend(scope_problems(scopes, file, pos));
    }
    diags
}

fn scope_problems(scopes: &[String], file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let help = Some(
        "scopes are `builds`, `functions`, `runtime` and `post-processing`; leave `scopes` out for all of them",
    );
    let mut diags = Vec::new();
    if scopes.is_empty() {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                "`scopes` is empty: the variables would reach nothing".to_string(),
            )
            .with_help(help),
        );
    }
    for scope in scopes {
        if !ALL_SCOPES.contains(&super::normal_scope(scope)) {
            diags.push(
                Diagnostic::error(file, pos, format!("`{scope}` is not a Netlify scope"))
                    .with_help(help),
            );
        }
    }
    diags
}

/// Why Netlify would refuse a variable named `name` sent to `target` (or
/// envctl keeps that name for itself): the message and the help.
pub fn name(target: &str, name: &str) -> Option<(String, &'static str)> {
    if name == record::NAME {
        return Some((
            format!(
                "`{name}` is where envctl records the secrets it wrote to Netlify (target `{target}`); a variable of that name would be overwritten"
            ),
            "rename the variable",
        ));
    }
    if READ_ONLY.contains(&name) {
        return Some((
            format!(
                "`{name}` is one of Netlify's read-only variables (target `{target}`): Netlify sets it itself and refuses a value for it"
            ),
            "rename the variable, or do not send it to this target",
        ));
    }
    if name.starts_with("AWS_") && name != SETTABLE_AWS {
        return Some((
            format!(
                "`{name}` starts with AWS_, which Netlify reserves for the AWS Lambda its functions run on (target `{target}`)"
            ),
            "rename the variable (e.g. MY_AWS_ACCESS_KEY_ID) and read that name in the code",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(site: &str, context: &str, scopes: Option<&[&str]>) -> Settings {
        Settings {
            site: site.into(),
            account: None,
            context: context.into(),
            scopes: scopes.map(|s| s.iter().map(|s| s.to_string()).collect()),
            receives: None,
            prune: false,
        }
    }

    fn problems(s: &Settings) -> Vec<String> {
        target(s, Path::new("environments/production.yaml"), None)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn contexts_scopes_and_sites_are_checked() {
        assert!(problems(&settings("huddle-web", "production", None)).is_empty());
        assert!(
            problems(&settings(
                "huddle-web",
                "branch:staging",
                Some(&["builds", "post_processing"])
            ))
            .is_empty()
        );
        let bad = problems(&settings("huddle web", "prod", Some(&["build"])));
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(bad[1].contains("`prod` is not a Netlify deploy context"));
        assert!(bad[2].contains("`build` is not a Netlify scope"));
        assert_eq!(problems(&settings("a", "branch:", Some(&[]))).len(), 2);
    }

    #[test]
    fn reserved_names_are_refused() {
        assert!(name("site", "URL").unwrap().0.contains("read-only"));
        assert!(
            name("site", "AWS_SECRET_ACCESS_KEY")
                .unwrap()
                .0
                .contains("AWS_")
        );
        assert!(name("site", record::NAME).is_some());
        assert_eq!(name("site", "AWS_LAMBDA_JS_RUNTIME"), None);
        assert_eq!(name("site", "VITE_SUPABASE_URL"), None);
    }
}
