//! The messages and fixes of the findings about a project's Auth URLs
//! (`auth-url`).

use super::FindingKind;

/// How a finding names the URL's place in the file.
fn what(field: &str) -> &'static str {
    if field == "site_url" {
        "`auth.site_url`"
    } else {
        "a redirect URL (`auth.redirect_urls`)"
    }
}

impl FindingKind {
    /// `message` for the Auth URL kinds.
    pub(super) fn auth_message(&self, env: &str) -> String {
        match self {
            FindingKind::AuthUrlLocalhost { field, url, host } => format!(
                "{} {url} points at {host} in {env}: Auth would send users signing in to their own machine",
                what(field)
            ),
            FindingKind::AuthUrlForeignHost {
                field,
                url,
                host,
                other_environment,
                owner,
            } => format!(
                "{} {url} points at {host}, which is {other_environment}'s ({owner}): users signing in to {env} would land in {other_environment}",
                what(field)
            ),
            // `message` sends only the kinds above here.
            _ => String::new(),
        }
    }

    /// `fix` for the Auth URL kinds.
    pub(super) fn auth_fix(&self) -> String {
        match self {
            FindingKind::AuthUrlLocalhost { field, .. } if *field == "site_url" => {
                "set `auth.site_url` to this environment's public app URL".into()
            }
            FindingKind::AuthUrlLocalhost { .. } => {
                "remove the localhost redirect URL here; it belongs to a local or staging environment's `auth.redirect_urls`".into()
            }
            FindingKind::AuthUrlForeignHost {
                other_environment, ..
            } => format!(
                "point it at this environment's own app URL; if the host is this environment's, the mistake is in {other_environment}'s settings: fix it there"
            ),
            _ => String::new(),
        }
    }
}
