//! A Netlify target as the environment file writes it. The doc comments
//! are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{Baked, CodeTraits, Identity, Readback, TargetSettings, Traits};

use super::context::Context;
use crate::provider::registry::{self, Import, TargetSpec, quoted};

/// A Netlify site's environment variables for one deploy context.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The site: its name (`huddle-web`, as in huddle-web.netlify.app) or
    /// its id (Site configuration › Site details › Site ID).
    pub site: String,
    /// The account (team) that owns the site: its slug or id. Optional
    /// when the token sees the site; when given, the site must be its.
    pub account: Option<String>,
    /// The deploy context whose values this target holds: `production`,
    /// `deploy-preview`, `branch-deploy`, `dev` (`netlify dev`), or
    /// `branch:NAME` for one branch's deploys. Other contexts' values of
    /// the same variables are never changed.
    pub context: String,
    /// The scopes every variable of this target has: `builds`,
    /// `functions`, `runtime`, `post-processing`. Default: Netlify's
    /// default, all four (a secret: all but `post-processing`, which
    /// Netlify refuses for secrets). Granular scopes need a Netlify Pro
    /// plan or above.
    pub scopes: Option<Vec<String>>,
    /// Variables this target receives: names and globs (`VITE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete this context's values of variables the desired state does
    /// not declare.
    #[serde(default)]
    pub prune: bool,
}

impl Settings {
    /// The deploy context, `None` when `context` is not one (refused
    /// when the files are loaded: [`super::checks::target`]).
    pub fn deploy_context(&self) -> Option<Context> {
        Context::parse(&self.context)
    }
}

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "netlify"
    }

    /// A short human description: `netlify huddle-web (production)`.
    fn describe(&self) -> String {
        format!("netlify {} ({})", self.site, self.context)
    }

    fn prune(&self) -> bool {
        self.prune
    }

    /// The site's variables for one context; the hosts that serve it:
    /// `NAME.netlify.app` for production, `BRANCH--NAME.netlify.app` for
    /// one branch (Netlify's branch subdomains). Deploy previews and
    /// branch deploys have a host per deploy, so none is named.
    fn identity(&self) -> Identity {
        let site = self.site.to_ascii_lowercase();
        let by_name = !super::locate::is_site_id(&site);
        let hosts = match self.deploy_context() {
            Some(Context::Production) if by_name => vec![format!("{site}.netlify.app")],
            Some(Context::Branch(branch)) if by_name => {
                vec![format!(
                    "{}--{site}.netlify.app",
                    branch.to_ascii_lowercase()
                )]
            }
            _ => Vec::new(),
        };
        Identity {
            places: vec![format!("site {site}, context {}", self.context)],
            hosts,
        }
    }

    /// Secret values are write-only outside the `dev` context; Netlify
    /// says when each variable last changed. Deploys are built with the
    /// values: `--redeploy` builds production; other contexts' deploys
    /// take them when built again; `netlify dev` reads them when it starts.
    /// It hosts the frontend it is sent variables for and runs the
    /// functions in Netlify's default folders.
    fn traits(&self) -> Traits {
        let baked = match self.context.as_str() {
            "dev" => Baked::No,
            "production" => Baked::Redeployable,
            _ => Baked::NextDeployment,
        };
        Traits {
            readback: Readback::WriteOnlyDated,
            baked,
            // Netlify's default folders for Functions and Edge Functions
            // (docs.netlify.com/build/functions/get-started,
            // …/edge-functions/get-started); its read-only variables are
            // set in the code's environment by Netlify itself.
            code: CodeTraits {
                folders: &["netlify/functions", "netlify/edge-functions"],
                frontend: true,
                injected: super::checks::READ_ONLY,
            },
            ..Traits::default()
        }
    }
}

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        let mut s = format!("    site: {}\n", quoted(&self.site));
        if let Some(account) = &self.account {
            s.push_str(&format!("    account: {}\n", quoted(account)));
        }
        s.push_str(&format!("    context: {}\n", quoted(&self.context)));
        s
    }
}

/// `import --from netlify:SITE:CONTEXT` (`--team` names the account).
pub const IMPORT: Import = Import {
    name: "netlify",
    syntax: "netlify:<site>:<context>",
    target_name: "site",
    parse: from_import,
};

fn from_import(parts: &[&str], team: Option<&str>) -> Option<TargetSpec> {
    // `branch:NAME` holds a colon of its own.
    let (site, context) = match parts {
        [site, context] => (*site, context.to_string()),
        [site, "branch", branch] => (*site, format!("branch:{branch}")),
        _ => return None,
    };
    if site.is_empty() || Context::parse(&context).is_none() {
        return None;
    }
    Some(TargetSpec::Netlify(Settings {
        site: site.to_string(),
        account: team.map(str::to_string),
        context,
        scopes: None,
        receives: None,
        prune: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::registry::Settings as _;

    #[test]
    fn a_target_describes_itself_and_writes_its_yaml() {
        let s = Settings {
            site: "huddle-web".into(),
            account: Some("huddle".into()),
            context: "production".into(),
            scopes: None,
            receives: None,
            prune: false,
        };
        assert_eq!(s.describe(), "netlify huddle-web (production)");
        assert_eq!(s.kind(), "netlify");
        assert_eq!(s.traits().readback, Readback::WriteOnlyDated);
        assert_eq!(s.identity().hosts, ["huddle-web.netlify.app"]);
        assert_eq!(s.identity().places, ["site huddle-web, context production"]);
        let branch = Settings {
            context: "branch:Staging".into(),
            ..s.clone()
        };
        assert_eq!(branch.identity().hosts, ["staging--huddle-web.netlify.app"]);
        assert_eq!(
            s.yaml(),
            "    site: \"huddle-web\"\n    account: \"huddle\"\n    context: \"production\"\n"
        );
    }

    #[test]
    fn import_reads_a_site_and_a_context() {
        let parse = |from: &str, team| match TargetSpec::from_import(from, team) {
            Some((TargetSpec::Netlify(s), name)) => Some((s.site, s.account, s.context, name)),
            _ => None,
        };
        assert_eq!(
            parse("netlify:huddle-web:production", None),
            Some(("huddle-web".into(), None, "production".into(), "site"))
        );
        assert_eq!(
            parse("netlify:huddle-web:branch:staging", Some("huddle")),
            Some((
                "huddle-web".into(),
                Some("huddle".into()),
                "branch:staging".into(),
                "site"
            ))
        );
        for refused in [
            "netlify:huddle-web",
            "netlify:huddle-web:prod",
            "netlify::production",
            "netlify:a:branch:",
            "netlify:a:b:c:d",
        ] {
            assert_eq!(parse(refused, None), None, "{refused}");
        }
    }

    #[test]
    fn settings_refuse_unknown_fields() {
        let spec: Result<TargetSpec, _> = serde_json::from_value(serde_json::json!({
            "type": "netlify", "site": "a", "context": "production", "scopes": ["builds"]
        }));
        assert!(matches!(spec, Ok(TargetSpec::Netlify(s)) if s.scopes.is_some()));
        let spec: Result<TargetSpec, _> = serde_json::from_value(serde_json::json!({
            "type": "netlify", "site": "a", "context": "production", "target": "production"
        }));
        assert!(spec.is_err());
    }
}
