//! A project's settings as an environment declares them: `auth:` (the Auth
//! URL settings) and `buckets:` (Storage buckets that must exist), the
//! latter also in the defaults. They are planned on the target that holds
//! the environment's functions (a Supabase project).

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

use super::PROJECT_FILE;
use crate::config::Target;
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::model::{Auth, Bucket, ProjectSettings};
use envctl_core::yaml::de::Spanned;

/// `auth:`: the project's Auth URL settings. Only the fields written here
/// are compared and written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthSpec {
    /// Where Auth sends users after they sign in, and the redirect used
    /// when none is asked for: this environment's own app URL
    /// (`https://app.example.com`).
    pub site_url: Option<Spanned<String>>,
    /// Every other URL Auth may redirect to (wildcards such as
    /// `https://*.example.com/**` allowed); the whole list is what the
    /// project gets.
    pub redirect_urls: Option<Vec<Spanned<String>>>,
}

/// A Storage bucket that must exist (`~` for a private one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketSpec {
    /// Anyone may read its objects by URL. Defaults to false (private).
    #[serde(default)]
    pub public: bool,
}

/// The environment's settings: the defaults' buckets, then its own (one
/// of the same name wins), and its `auth:`.
pub(super) fn resolve(
    file: &Path,
    defaults: &BTreeMap<String, Spanned<Option<BucketSpec>>>,
    own_buckets: &BTreeMap<String, Spanned<Option<BucketSpec>>>,
    auth: Option<&Spanned<AuthSpec>>,
    targets: &BTreeMap<String, Target>,
    diags: &mut Vec<Diagnostic>,
) -> ProjectSettings {
    let holder = targets
        .values()
        .any(|t| t.settings.traits().holds_functions);
    let project_file = Path::new(PROJECT_FILE);
    let mut buckets = BTreeMap::new();
    let specs = defaults
        .iter()
        .map(|(k, v)| (k, v, project_file))
        .chain(own_buckets.iter().map(|(k, v)| (k, v, file)));
    for (name, spec, origin) in specs {
        if !valid_bucket(name) {
            diags.push(
                Diagnostic::error(
                    origin,
                    Some(spec.pos),
                    format!("`{name}` is not a bucket name"),
                )
                .with_help(Some(
                    "a bucket name is 1 to 100 letters, digits, `-`, `_` or `.`",
                )),
            );
        }
        let public = spec.value.unwrap_or_default().public;
        let location = Location::new(origin, spec.pos);
        let name = name.clone();
        buckets.insert(
            name.clone(),
            Bucket {
                name,
                public,
                location,
            },
        );
    }
    if !holder && let Some((name, spec)) = own_buckets.iter().next() {
        diags.push(no_holder(file, spec.pos, &format!("bucket `{name}`")));
    }
    let auth = auth.map(|spec| {
        if !holder {
            diags.push(no_holder(file, spec.pos, "`auth:`"));
        }
        resolve_auth(file, spec, diags)
    });
    ProjectSettings { auth, buckets }
}

fn resolve_auth(file: &Path, spec: &Spanned<AuthSpec>, diags: &mut Vec<Diagnostic>) -> Auth {
    let AuthSpec {
        site_url,
        redirect_urls,
    } = &spec.value;
    if let Some(url) = site_url
        && let Some(why) = url_problem(&url.value, false)
    {
        diags.push(
            Diagnostic::error(file, Some(url.pos), format!("`site_url` {why}"))
                .with_help(Some("write the app's URL: `https://app.example.com`")),
        );
    }
    for url in redirect_urls.iter().flatten() {
        if let Some(why) = url_problem(&url.value, true) {
            diags.push(
                Diagnostic::error(file, Some(url.pos), format!("redirect URL {why}")).with_help(
                    Some("write one URL per item: `https://app.example.com/auth/callback`"),
                ),
            );
        }
    }
    if site_url.is_none() && redirect_urls.is_none() {
        diags.push(
            Diagnostic::error(file, Some(spec.pos), "`auth:` declares nothing").with_help(Some(
                "write `site_url:`, `redirect_urls:`, or remove `auth:`",
            )),
        );
    }
    Auth {
        site_url: site_url.as_ref().map(|u| u.value.clone()),
        redirect_urls: redirect_urls
            .as_ref()
            .map(|urls| urls.iter().map(|u| u.value.clone()).collect()),
        location: Location::new(file, spec.pos),
        url_locations: site_url
            .iter()
            .chain(redirect_urls.iter().flatten())
            .map(|u| Location::new(file, u.pos))
            .collect(),
    }
}

fn no_holder(file: &Path, pos: envctl_core::yaml::Pos, what: &str) -> Diagnostic {
    Diagnostic::error(
        file,
        Some(pos),
        format!("{what} needs a target that holds the project's settings"),
    )
    .with_help(Some(
        "add a target that holds the functions and migrations to this environment, or move this to the environment that has one",
    ))
}

/// Why `url` cannot be an Auth URL, if it cannot. Redirect URLs may use
/// an app's own scheme (`myapp://callback`) and wildcards; Supabase keeps
/// them in one comma-separated string, so no URL may hold a comma.
fn url_problem(url: &str, redirect: bool) -> Option<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Some(format!("{url:?} is not a URL (no `scheme://`)"));
    };
    if url.contains(',') || url.chars().any(char::is_whitespace) {
        return Some(format!("{url:?} holds a comma or a space"));
    }
    if rest.is_empty() {
        return Some(format!("{url:?} names no host"));
    }
    if !redirect && scheme != "https" && scheme != "http" {
        return Some(format!("{url:?} is not an http(s) URL"));
    }
    None
}

fn valid_bucket(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_urls_are_checked() {
        assert_eq!(url_problem("https://app.example.com", false), None);
        assert_eq!(url_problem("myapp://callback", true), None);
        assert!(url_problem("myapp://callback", false).is_some());
        assert!(url_problem("app.example.com", false).is_some());
        assert!(url_problem("https://a.com,https://b.com", true).is_some());
    }

    #[test]
    fn bucket_names_are_checked() {
        assert!(valid_bucket("content-images_2"));
        assert!(!valid_bucket("a/b"));
        assert!(!valid_bucket(""));
    }
}
