//! A GitHub Actions target as the environment file writes it. The doc
//! comments are the editor's hover text: they go into the JSON Schema.

use schemars::JsonSchema;
use serde::Deserialize;

use envctl_core::model::{CodeTraits, Identity, Readback, TargetSettings, Traits};

use crate::provider::registry::{self, Import, TargetSpec, quoted};

/// A GitHub repository's Actions secrets and variables, at the repository
/// level or for one of its deployment environments.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The repository, as `OWNER/REPO` (`huddle-app/huddle`).
    pub repository: String,
    /// A deployment environment of the repository (Settings › Environments),
    /// whose secrets and variables only jobs that name it see. Without it,
    /// the repository's own secrets and variables, which every workflow sees.
    pub environment: Option<String>,
    /// Variables this target receives: names and globs (`STRIPE_*`).
    pub receives: Option<Vec<String>>,
    /// Delete secrets and variables the desired state does not declare.
    #[serde(default)]
    pub prune: bool,
}

impl TargetSettings for Settings {
    fn kind(&self) -> &'static str {
        "github"
    }

    /// A short human description: `github huddle-app/huddle`, or
    /// `github huddle-app/huddle (environment production)`.
    fn describe(&self) -> String {
        match &self.environment {
            Some(env) => format!("github {} (environment {env})", self.repository),
            None => format!("github {}", self.repository),
        }
    }

    fn prune(&self) -> bool {
        self.prune
    }

    /// Secrets are write-only, each with its own `updated_at`. They serve
    /// workflows, not the app's code: no code is scanned by default.
    fn traits(&self) -> Traits {
        Traits {
            readback: Readback::WriteOnlyDated,
            code: CodeTraits {
                frontend: false,
                ..CodeTraits::default()
            },
            ..Traits::default()
        }
    }

    /// The repository's own secrets and variables, or one deployment
    /// environment's. GitHub matches names without regard to case.
    fn identity(&self) -> Identity {
        let repository = self.repository.to_ascii_lowercase();
        let place = match &self.environment {
            Some(env) => format!(
                "repository {repository}, environment {}",
                env.to_ascii_lowercase()
            ),
            None => format!("repository {repository}, repository level"),
        };
        Identity {
            places: vec![place],
            hosts: Vec::new(),
        }
    }
}

impl registry::Settings for Settings {
    fn receives(&self) -> Option<&[String]> {
        self.receives.as_deref()
    }

    fn yaml(&self) -> String {
        let mut s = format!("    repository: {}\n", quoted(&self.repository));
        if let Some(env) = &self.environment {
            s.push_str(&format!("    environment: {}\n", quoted(env)));
        }
        s
    }
}

/// `import --from github:OWNER/REPO[:ENVIRONMENT]`.
pub const IMPORT: Import = Import {
    name: "github",
    syntax: "github:<owner>/<repo>[:<environment>]",
    target_name: "ci",
    parse: from_import,
};

fn from_import(parts: &[&str], _team: Option<&str>) -> Option<TargetSpec> {
    let (repository, environment) = match parts {
        [repository] => (repository, None),
        [repository, environment] if !environment.is_empty() => {
            (repository, Some(environment.to_string()))
        }
        _ => return None,
    };
    super::checks::is_repository(repository).then(|| {
        TargetSpec::Github(Settings {
            repository: repository.to_string(),
            environment,
            receives: None,
            prune: false,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::registry::Settings as _;

    fn settings(environment: Option<&str>) -> Settings {
        Settings {
            repository: "huddle-app/huddle".into(),
            environment: environment.map(str::to_string),
            receives: None,
            prune: false,
        }
    }

    #[test]
    fn a_target_describes_itself_and_is_write_only_dated() {
        assert_eq!(settings(None).describe(), "github huddle-app/huddle");
        assert_eq!(
            settings(Some("production")).describe(),
            "github huddle-app/huddle (environment production)"
        );
        assert_eq!(settings(None).kind(), "github");
        assert_eq!(settings(None).traits().readback, Readback::WriteOnlyDated);
        assert_eq!(
            settings(Some("production")).yaml(),
            "    repository: \"huddle-app/huddle\"\n    environment: \"production\"\n"
        );
    }

    #[test]
    fn import_reads_a_repository_and_an_optional_environment() {
        let parse = |from: &str| match TargetSpec::from_import(from, None) {
            Some((TargetSpec::Github(s), name)) => Some((s.repository, s.environment, name)),
            _ => None,
        };
        assert_eq!(
            parse("github:huddle-app/huddle"),
            Some(("huddle-app/huddle".into(), None, "ci"))
        );
        assert_eq!(
            parse("github:huddle-app/huddle:production"),
            Some(("huddle-app/huddle".into(), Some("production".into()), "ci"))
        );
        for refused in [
            "github:huddle",
            "github:huddle-app/huddle:",
            "github:a/b:c:d",
            "github:",
        ] {
            assert_eq!(parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn settings_refuse_unknown_fields() {
        let spec: Result<TargetSpec, _> = serde_json::from_value(serde_json::json!({
            "type": "github", "repository": "a/b", "environment": "production", "prune": true
        }));
        assert!(matches!(spec, Ok(TargetSpec::Github(s)) if s.prune));
        let spec: Result<TargetSpec, _> = serde_json::from_value(serde_json::json!({
            "type": "github", "repository": "a/b", "repo": "c"
        }));
        assert!(spec.is_err());
    }
}
