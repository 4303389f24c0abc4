//! Deploy contexts, and which of a variable's values a context gets.
//!
//! A Netlify variable holds one value per deploy context, or one value for
//! `all` of them; a branch's own value (`context: branch`,
//! `context_parameter: NAME`) overrides the `branch-deploy` value, which
//! overrides `all` (docs.netlify.com/environment-variables/overview, and
//! netlify-cli's `getValueForContext`). A target edits only its own
//! context: a variable whose value for it comes from `all` is split into
//! one value per context first, so every other context keeps the value it
//! had.

use super::api::{EnvValue, EnvVar};
use envctl_core::secret::Secret;

/// The contexts an `all` value stands for when it is split (netlify-cli's
/// `SUPPORTED_CONTEXTS` less `all`).
pub const SPLIT: [&str; 5] = [
    "production",
    "deploy-preview",
    "branch-deploy",
    "dev",
    "dev-server",
];

/// The deploy context a target holds values for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    Production,
    DeployPreview,
    BranchDeploy,
    /// Local development with `netlify dev`.
    Dev,
    /// One branch's deploys (`branch:NAME`).
    Branch(String),
}

impl Context {
    /// `production`, `deploy-preview`, `branch-deploy`, `dev` or
    /// `branch:NAME`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Context> {
        Some(match text {
            "production" => Context::Production,
            "deploy-preview" => Context::DeployPreview,
            "branch-deploy" => Context::BranchDeploy,
            "dev" => Context::Dev,
            _ => {
                let branch = text.strip_prefix("branch:")?;
                let usable = !branch.is_empty()
                    && !branch.chars().any(|c| c.is_whitespace() || c.is_control())
                    && !SPLIT.contains(&branch)
                    && branch != "all";
                return usable.then(|| Context::Branch(branch.to_string()));
            }
        })
    }

    /// `context` and `context_parameter` as Netlify's API writes them.
    pub fn wire(&self) -> (&'static str, Option<&str>) {
        match self {
            Context::Production => ("production", None),
            Context::DeployPreview => ("deploy-preview", None),
            Context::BranchDeploy => ("branch-deploy", None),
            Context::Dev => ("dev", None),
            Context::Branch(name) => ("branch", Some(name)),
        }
    }

    /// Whether `value` is this context's own (not inherited).
    pub fn owns(&self, value: &EnvValue) -> bool {
        let (context, parameter) = self.wire();
        value.context == context
            && (parameter.is_none() || value.context_parameter.as_deref() == parameter)
    }

    /// Whether Netlify shows a secret's value in this context: only in
    /// `dev` ("With secrets, only the local development context values
    /// are readable from the UI, API, and CLI", Netlify's OpenAPI).
    pub fn reads_secrets(&self) -> bool {
        *self == Context::Dev
    }

    pub fn is_production(&self) -> bool {
        *self == Context::Production
    }
}

/// Where a context's value of a variable comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The context's own value.
    Own(&'a EnvValue),
    /// A value it inherits: `all`, or `branch-deploy` for a branch.
    Inherited(&'a EnvValue),
}

impl<'a> Source<'a> {
    pub fn value(&self) -> &'a EnvValue {
        match self {
            Source::Own(v) | Source::Inherited(v) => v,
        }
    }
}

/// The value `context` gets from `var`, if any.
pub fn effective<'a>(var: &'a EnvVar, context: &Context) -> Option<Source<'a>> {
    if let Some(own) = var.values.iter().find(|v| context.owns(v)) {
        return Some(Source::Own(own));
    }
    let inherited = |name: &str| var.values.iter().find(|v| v.context == name);
    let fallback = match context {
        Context::Branch(_) => inherited("branch-deploy").or_else(|| inherited("all")),
        _ => inherited("all"),
    };
    fallback.map(Source::Inherited)
}

/// One value of a `PUT` that rewrites a whole variable.
#[derive(Debug, Clone)]
pub struct Value {
    pub context: String,
    pub context_parameter: Option<String>,
    pub value: Secret,
}

/// Every value of `var` after this context's becomes `new` (`None`: is
/// removed), with an `all` value split so no other context's value
/// changes. `Err` when a value of another context cannot be kept because
/// Netlify does not show it (a secret's, outside `dev`): a `PUT` would
/// erase it.
pub fn rewrite(
    var: &EnvVar,
    context: &Context,
    new: Option<&Secret>,
) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let own_of = |name: &str| var.values.iter().any(|v| v.context == name);
    for v in &var.values {
        if context.owns(v) {
            continue;
        }
        if var.is_secret && v.context != "dev" {
            return Err(format!(
                "it is a secret that also holds a value for the {} context, which Netlify does not show, so it cannot be rewritten without erasing that value",
                describe(v)
            ));
        }
        if v.context == "all" {
            // This context's own slot is written below (a branch has
            // none among the split ones).
            let (name, _) = context.wire();
            for split in SPLIT {
                if !own_of(split) && split != name {
                    out.push(Value {
                        context: split.to_string(),
                        context_parameter: None,
                        value: Secret::new(v.value.clone()),
                    });
                }
            }
            continue;
        }
        out.push(Value {
            context: v.context.clone(),
            context_parameter: v.context_parameter.clone(),
            value: Secret::new(v.value.clone()),
        });
    }
    if let Some(new) = new {
        let (name, parameter) = context.wire();
        out.push(Value {
            context: name.to_string(),
            context_parameter: parameter.map(str::to_string),
            value: new.clone(),
        });
    }
    Ok(out)
}

/// A value's context as people say it: `production`, `branch:staging`.
pub fn describe(value: &EnvValue) -> String {
    match &value.context_parameter {
        Some(p) if value.context == "branch" => format!("branch:{p}"),
        _ => value.context.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(is_secret: bool, values: &[(&str, Option<&str>, &str)]) -> EnvVar {
        EnvVar {
            key: "K".into(),
            scopes: vec!["builds".into()],
            values: values
                .iter()
                .enumerate()
                .map(|(i, (context, parameter, value))| EnvValue {
                    id: Some(format!("id{i}")),
                    value: value.to_string(),
                    context: context.to_string(),
                    context_parameter: parameter.map(str::to_string),
                })
                .collect(),
            is_secret,
            updated_at: None,
        }
    }

    fn shown(values: &[Value]) -> Vec<String> {
        let mut out: Vec<String> = values
            .iter()
            .map(|v| {
                let context = match &v.context_parameter {
                    Some(p) => format!("{}:{p}", v.context),
                    None => v.context.clone(),
                };
                format!("{context}={}", v.value.expose())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn contexts_parse_as_netlify_names_them() {
        assert_eq!(Context::parse("production"), Some(Context::Production));
        assert_eq!(
            Context::parse("branch:staging"),
            Some(Context::Branch("staging".into()))
        );
        for refused in [
            "prod",
            "all",
            "branch:",
            "branch:production",
            "branch:a b",
            "dev-server",
        ] {
            assert_eq!(Context::parse(refused), None, "{refused}");
        }
        assert_eq!(Context::Branch("x".into()).wire(), ("branch", Some("x")));
    }

    #[test]
    fn a_context_gets_its_own_value_then_what_it_inherits() {
        let v = var(
            false,
            &[
                ("all", None, "a"),
                ("production", None, "p"),
                ("branch-deploy", None, "b"),
            ],
        );
        let value = |c: &Context| effective(&v, c).map(|s| s.value().value.clone());
        assert!(matches!(
            effective(&v, &Context::Production),
            Some(Source::Own(_))
        ));
        assert_eq!(value(&Context::Production).as_deref(), Some("p"));
        assert_eq!(value(&Context::DeployPreview).as_deref(), Some("a"));
        assert_eq!(
            value(&Context::Branch("staging".into())).as_deref(),
            Some("b")
        );
        let only_branch = var(false, &[("branch", Some("staging"), "s")]);
        assert!(effective(&only_branch, &Context::Production).is_none());
        assert!(effective(&only_branch, &Context::Branch("other".into())).is_none());
        assert_eq!(
            effective(&only_branch, &Context::Branch("staging".into()))
                .map(|s| s.value().value.clone())
                .as_deref(),
            Some("s")
        );
    }

    #[test]
    fn rewriting_splits_all_so_every_other_context_keeps_its_value() {
        let v = var(false, &[("all", None, "a"), ("branch", Some("qa"), "q")]);
        let new = Secret::new("n".into());
        let values = rewrite(&v, &Context::Production, Some(&new)).unwrap();
        assert_eq!(
            shown(&values),
            [
                "branch-deploy=a",
                "branch:qa=q",
                "deploy-preview=a",
                "dev-server=a",
                "dev=a",
                "production=n"
            ]
        );
        let removed = rewrite(&v, &Context::Production, None).unwrap();
        assert!(!shown(&removed).iter().any(|s| s.starts_with("production")));
        let branch = rewrite(&v, &Context::Branch("staging".into()), Some(&new)).unwrap();
        assert!(shown(&branch).contains(&"production=a".to_string()));
        assert!(shown(&branch).contains(&"branch:staging=n".to_string()));
    }

    #[test]
    fn a_secret_with_values_elsewhere_cannot_be_rewritten() {
        // Whatever Netlify shows in place of a secret value (nothing, here).
        let v = var(
            true,
            &[("production", None, ""), ("deploy-preview", None, "")],
        );
        let new = Secret::new("n".into());
        let refused = rewrite(&v, &Context::Production, Some(&new)).unwrap_err();
        assert!(refused.contains("deploy-preview"), "{refused}");
        let alone = var(true, &[("production", None, "")]);
        assert_eq!(
            shown(&rewrite(&alone, &Context::Production, Some(&new)).unwrap()),
            ["production=n"]
        );
    }
}
