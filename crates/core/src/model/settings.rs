//! A project's settings beyond variables, functions and migrations: the
//! Auth URLs and the Storage buckets an environment's project must have,
//! as declared and as read.

use std::collections::BTreeMap;

use crate::diagnostic::Location;

/// What the environment declares of its project's settings. Only declared
/// fields are compared and written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectSettings {
    /// `auth:`: the Auth URL settings.
    pub auth: Option<Auth>,
    /// `buckets:`: Storage buckets that must exist, by name.
    pub buckets: BTreeMap<String, Bucket>,
}

impl ProjectSettings {
    pub fn is_empty(&self) -> bool {
        self.auth.is_none() && self.buckets.is_empty()
    }
}

/// `auth: { site_url, redirect_urls }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    /// Where Auth sends users after sign-in, and the default redirect.
    pub site_url: Option<String>,
    /// Every other URL Auth may redirect to (Supabase's `uri_allow_list`).
    pub redirect_urls: Option<Vec<String>>,
    pub location: Location,
    /// Where each of [`Auth::urls`] is written, in that order (empty when
    /// not known: `location` stands for them).
    pub url_locations: Vec<Location>,
}

impl Auth {
    /// Every URL declared: the site URL, then the redirect URLs.
    pub fn urls(&self) -> impl Iterator<Item = &str> {
        self.site_url
            .iter()
            .chain(self.redirect_urls.iter().flatten())
            .map(String::as_str)
    }

    /// Every URL declared, with where it is written and which field holds
    /// it (`site_url` or `redirect_urls`).
    pub fn located_urls(&self) -> impl Iterator<Item = (&'static str, &str, &Location)> {
        let fields = self
            .site_url
            .iter()
            .map(|_| "site_url")
            .chain(self.redirect_urls.iter().flatten().map(|_| "redirect_urls"));
        let places = self
            .url_locations
            .iter()
            .chain(std::iter::repeat(&self.location));
        fields
            .zip(self.urls())
            .zip(places)
            .map(|((field, url), location)| (field, url, location))
    }
}

/// A Storage bucket that must exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// Anyone may read its objects by URL.
    pub public: bool,
    pub location: Location,
}

/// The settings as a platform reported them; `None` where they were not
/// read (nothing declared) or the platform has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSettings {
    pub auth: Option<LiveAuth>,
    /// Bucket name → public.
    pub buckets: Option<BTreeMap<String, bool>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveAuth {
    pub site_url: Option<String>,
    pub redirect_urls: Vec<String>,
}

/// Redirect URLs as Supabase keeps them: one comma-separated string.
pub fn join_urls(urls: &[String]) -> String {
    urls.join(",")
}

/// A comma-separated list of URLs, blanks dropped.
pub fn split_urls(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
