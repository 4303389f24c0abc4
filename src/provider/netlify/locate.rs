//! Finding the site a target names, and its account, then listing its
//! variables: one round trip when `site` is an id and `account` is given
//! (both requests at once), two otherwise. Apply writes where the read
//! found the site.

use super::NetlifyProvider;
use super::api::{EnvVar, Listed, Site};
use super::hints::Need;
use crate::provider::ProviderError;

/// The site's id and the account its variables are listed under.
#[derive(Debug, Clone)]
pub struct Located {
    pub site_id: String,
    pub account: String,
}

impl NetlifyProvider {
    /// The site and its variables.
    pub(super) async fn locate_and_list(&self) -> Result<(Located, Listed<EnvVar>), ProviderError> {
        if is_site_id(&self.site)
            && let Some(account) = &self.account
        {
            let (site, listed) =
                tokio::join!(self.api.site(&self.site), self.api.env(account, &self.site));
            let site = site.map_err(|e| self.error(Need::Read, e))?;
            let located = self.located(site)?;
            let listed = listed.map_err(|e| self.error(Need::Read, e))?;
            return Ok((located, listed));
        }
        let located = self.locate().await?;
        let listed = self.api.env(&located.account, &located.site_id).await;
        let listed = listed.map_err(|e| self.error(Need::Read, e))?;
        Ok((located, listed))
    }

    pub(super) async fn locate(&self) -> Result<Located, ProviderError> {
        let site = if is_site_id(&self.site) {
            self.api.site(&self.site).await
        } else {
            let found = self
                .api
                .find_site(&self.site, self.account.as_deref())
                .await;
            match found.map_err(|e| self.error(Need::Read, e))? {
                Some(site) => Ok(site),
                None => return Err(self.not_found()),
            }
        };
        self.located(site.map_err(|e| self.error(Need::Read, e))?)
    }

    /// The site's account, checked against `account:` when given.
    fn located(&self, site: Site) -> Result<Located, ProviderError> {
        let account = site
            .account_slug
            .clone()
            .or_else(|| site.account_id.clone())
            .or_else(|| self.account.clone());
        let Some(account) = account else {
            return Err(ProviderError::local(
                &self.target,
                "read",
                format!(
                    "Netlify did not say which account owns {}; set `account` on the target",
                    self.scope()
                ),
            ));
        };
        if let Some(wanted) = &self.account {
            let ours = [site.account_slug.as_ref(), site.account_id.as_ref()];
            if !ours.iter().flatten().any(|a| *a == wanted) {
                return Err(ProviderError::local(
                    &self.target,
                    "read",
                    format!(
                        "site {} belongs to account {account}, not {wanted}: check `account` (or leave it out)",
                        self.site
                    ),
                ));
            }
        }
        Ok(Located {
            site_id: site.id,
            account,
        })
    }

    fn not_found(&self) -> ProviderError {
        let within = match &self.account {
            Some(a) => format!(" in account {a}"),
            None => String::new(),
        };
        ProviderError::local(
            &self.target,
            "read",
            format!(
                "no site named {}{within} is visible to this token: check `site` (the name in NAME.netlify.app, or the Site ID under Site configuration › Site details) and that the token's owner is a member of the site's team",
                self.site
            ),
        )
    }
}

/// A Netlify site id: a UUID (`3970e0fe-8564-4903-9a55-c5f8de49fb8b`).
/// Site names are lower-case letters, digits and `-`, so never one.
pub fn is_site_id(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_ids_are_uuids_and_names_are_not() {
        assert!(is_site_id("3970e0fe-8564-4903-9a55-c5f8de49fb8b"));
        assert!(!is_site_id("huddle-web"));
        assert!(!is_site_id("3970e0fe-8564-4903-9a55-c5f8de49fb8"));
        assert!(!is_site_id("3970e0fe-8564-4903-9a55-c5f8de49fb8g"));
    }
}
