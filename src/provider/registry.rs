//! Where the platforms are registered, once. A platform's folder defines
//! its settings (what `type: <name>` reads; their doc comments are the
//! schema's hover text), their checks, its API, how it logs in and how
//! `import` names it; the lists here are the only place outside the
//! folder that names it. (Its [`super::Provider`] variant is the other.)

use schemars::JsonSchema;
use serde::Deserialize;

use super::credentials::Login;
use super::{cloudflare, dotenv, github, netlify, supabase, vercel};
use envctl_core::model::{Identity, TargetSettings, Traits};

/// A target: somewhere variables are written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum TargetSpec {
    /// A dotenv file on this machine, as Vite and Next.js read it.
    Dotenv(dotenv::Settings),
    /// A Supabase project's Edge Function secrets, functions and migrations.
    Supabase(supabase::Settings),
    /// A Vercel project's environment variables for one target.
    Vercel(vercel::Settings),
    /// A Cloudflare Pages project's environment variables for one
    /// deployment environment, and optionally the migration history of a
    /// D1 database.
    Cloudflare(cloudflare::Settings),
    /// A GitHub repository's Actions secrets and variables, at the
    /// repository level or for one deployment environment.
    Github(github::Settings),
    /// A Netlify site's environment variables for one deploy context.
    Netlify(netlify::Settings),
}

/// The platforms `envctl login` knows, in the order help lists them.
pub const LOGINS: &[Login] = &[
    supabase::api::LOGIN,
    vercel::api::LOGIN,
    cloudflare::api::LOGIN,
    github::api::LOGIN,
    netlify::api::LOGIN,
];

/// The platforms `import --from` reads, in the order help lists them.
pub const IMPORTS: &[Import] = &[
    supabase::settings::IMPORT,
    vercel::settings::IMPORT,
    cloudflare::settings::IMPORT,
    github::settings::IMPORT,
    netlify::settings::IMPORT,
    dotenv::settings::IMPORT,
];

/// The platforms `init` looks for in an app's folder, in the order their
/// targets are preferred (the first that hosts the app becomes `web`).
pub const DETECTS: &[fn(&std::path::Path) -> Option<super::detect::Found>] = &[
    supabase::detect::detect,
    vercel::detect::detect,
    netlify::detect::detect,
    cloudflare::detect::detect,
];

/// What the shell asks of a platform's settings beyond the core's
/// [`TargetSettings`].
pub trait Settings: TargetSettings {
    /// `receives:` as written: names and globs.
    fn receives(&self) -> Option<&[String]>;
    /// The lines after `type:` that `import` writes for this target, each
    /// indented four spaces and ending in a newline.
    fn yaml(&self) -> String;
}

/// How `import --from <name>:…` reads one platform.
pub struct Import {
    /// The prefix before the first `:`.
    pub name: &'static str,
    /// The whole form, for the error that shows every form.
    pub syntax: &'static str,
    /// The name `import` gives the target (`web`, then `web-2`, …).
    pub target_name: &'static str,
    /// The target from the parts after the name (`--team` for Vercel);
    /// `None` when they do not fit the form.
    pub parse: fn(&[&str], Option<&str>) -> Option<TargetSpec>,
}

impl TargetSpec {
    /// The platform's own settings, whichever platform it is.
    pub fn settings(&self) -> &dyn Settings {
        match self {
            TargetSpec::Dotenv(s) => s,
            TargetSpec::Supabase(s) => s,
            TargetSpec::Vercel(s) => s,
            TargetSpec::Cloudflare(s) => s,
            TargetSpec::Github(s) => s,
            TargetSpec::Netlify(s) => s,
        }
    }

    pub fn kind(&self) -> &'static str {
        self.settings().kind()
    }

    pub fn receives(&self) -> Option<&[String]> {
        self.settings().receives()
    }

    pub fn prune(&self) -> bool {
        self.settings().prune()
    }

    /// A short human description: `dotenv .env.local`, `supabase abcd…`.
    pub fn describe(&self) -> String {
        self.settings().describe()
    }

    /// The target a `--from` value names, with the name `import` gives
    /// it; `None` when no platform reads it.
    pub fn from_import(from: &str, team: Option<&str>) -> Option<(TargetSpec, &'static str)> {
        let parts: Vec<&str> = from.split(':').collect();
        let (name, rest) = parts.split_first()?;
        let import = IMPORTS.iter().find(|i| i.name == *name)?;
        Some(((import.parse)(rest, team)?, import.target_name))
    }

    /// Every `--from` form, for the error that refuses one.
    pub fn import_forms() -> String {
        let forms: Vec<String> = IMPORTS.iter().map(|i| format!("`{}`", i.syntax)).collect();
        match forms.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl TargetSettings for TargetSpec {
    fn kind(&self) -> &'static str {
        self.settings().kind()
    }

    fn describe(&self) -> String {
        self.settings().describe()
    }

    fn prune(&self) -> bool {
        self.settings().prune()
    }

    fn traits(&self) -> Traits {
        self.settings().traits()
    }

    fn identity(&self) -> Identity {
        self.settings().identity()
    }
}

/// A YAML string for `import`'s output: JSON's quoting is valid YAML.
pub fn quoted(text: &str) -> String {
    // A string always serializes; the fallback only keeps this total.
    serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
}
