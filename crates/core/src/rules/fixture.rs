//! Small hand-made plans and contexts for the rules' unit tests: one
//! environment with a dotenv target `app`, and what each test adds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Context, Finding, RuleId, SecretElsewhere, Severity, evaluate};
use crate::code::{Access, CodeReads, FileScan, Read, Served};
use crate::detect::Class;
use crate::diagnostic::Location;
use crate::model::VarValue;
use crate::model::policy::{Disable, RulesConfig};
use crate::model::{
    CodeTraits, Environment, Identity, Readback, Target, TargetSettings, Traits, Variable,
};
use crate::plan::{Action, Change, Plan, Reason, SecretOrigin, Subject, TargetPlan, Value};
use crate::span::Pos;
use crate::span::Spanned;
use crate::yaml::de::from_node;

pub(crate) struct Case {
    pub env: Environment,
    /// The other environments, for parity.
    pub others: Vec<Environment>,
    pub config: RulesConfig,
    pub plan: Plan,
    pub allow_delete: bool,
    pub now_ms: i64,
    pub weak_secrets: BTreeMap<String, &'static str>,
    pub key_projects: BTreeMap<String, String>,
    pub elsewhere: Vec<SecretElsewhere>,
    /// The code each target serves, as `validate` would have scanned it.
    pub code: CodeReads,
}

/// An environment: `production` is protected, `dev` local, any other
/// neither.
pub(crate) fn environment(name: &str) -> Environment {
    Environment {
        name: name.into(),
        file: PathBuf::from(format!("environments/{name}.yaml")),
        protected: name == "production",
        local: name == "dev",
        targets: BTreeMap::new(),
        variables: BTreeMap::new(),
        unset: Default::default(),
        functions: BTreeMap::new(),
        migrations: None,
        settings: Default::default(),
    }
}

/// What the platforms the tests name hold and forbid, as their
/// settings in the shell say.
pub(crate) fn traits_of(kind: &str) -> Traits {
    match kind {
        "supabase" => Traits {
            holds_functions: true,
            reserved_prefix: Some("SUPABASE_"),
            migrations_by_file: false,
            migration_tool: Some("supabase db push"),
            readback: Readback::Readable,
            code: CodeTraits {
                folders: &[],
                frontend: false,
                injected: &[
                    "SUPABASE_URL",
                    "SUPABASE_ANON_KEY",
                    "SUPABASE_SERVICE_ROLE_KEY",
                ],
            },
            runner_history: false,
            ..Traits::default()
        },
        "cloudflare" => Traits {
            migrations_by_file: true,
            ..Traits::default()
        },
        _ => Traits::default(),
    }
}

/// A secret's planned value, as the plan shows it.
pub(crate) fn secret(origin: SecretOrigin, class: Option<Class>) -> Value {
    Value::Secret {
        fingerprint: None,
        class,
        origin,
    }
}

/// A change to variable `name`, written at `line` of the environment.
pub(crate) fn change(name: &str, action: Action, after: Option<Value>, line: usize) -> Change {
    Change {
        subject: Subject::Variable { name: name.into() },
        action,
        before: None,
        after,
        reason: Reason::NotLive,
        location: Some(Location {
            file: PathBuf::from("environments/env.yaml"),
            line,
            column: 1,
        }),
    }
}

impl Case {
    pub fn protected() -> Case {
        Case::new("production")
    }

    pub fn unprotected() -> Case {
        Case::new("staging")
    }

    pub fn local() -> Case {
        Case::new("dev")
    }

    fn new(name: &str) -> Case {
        let env = environment(name);
        Case {
            plan: Plan {
                format_version: crate::plan::FORMAT_VERSION,
                project: "t".into(),
                environment: name.into(),
                protected: env.protected,
                targets: Vec::new(),
            },
            env,
            others: Vec::new(),
            config: RulesConfig::default(),
            allow_delete: false,
            now_ms: 0,
            weak_secrets: BTreeMap::new(),
            key_projects: BTreeMap::new(),
            elsewhere: Vec::new(),
            code: CodeReads::default(),
        }
    }

    /// The environment has target `name` of platform `kind`, which writes
    /// to `places` and is served at `hosts`.
    pub fn target(
        mut self,
        name: &str,
        kind: &'static str,
        places: &[&str],
        hosts: &[&str],
    ) -> Case {
        let target = target(name, kind, places, hosts);
        self.env.targets.insert(name.into(), target);
        self
    }

    /// The plan creates `name` with `value` in target `app`.
    pub fn set(self, name: &str, value: Value) -> Case {
        let line = self
            .plan
            .targets
            .iter()
            .map(|t| t.changes.len())
            .sum::<usize>()
            + 1;
        self.change(
            "app",
            "dotenv",
            change(name, Action::Create, Some(value), line),
        )
    }

    pub fn text(self, name: &str, text: &str) -> Case {
        self.set(name, Value::Text { text: text.into() })
    }

    /// Adds `change` to target `target` of platform `kind`.
    pub fn change(mut self, target: &str, kind: &'static str, change: Change) -> Case {
        if !self.plan.targets.iter().any(|t| t.name == target) {
            self.plan.targets.push(TargetPlan {
                name: target.into(),
                kind,
                traits: traits_of(kind),
                description: format!("{kind} {target}"),
                changes: Vec::new(),
                warnings: Vec::new(),
                updated_ms: BTreeMap::new(),
                tag: Vec::new(),
            });
        }
        let t = self.plan.targets.iter_mut().find(|t| t.name == target);
        t.expect("added above").changes.push(change);
        self
    }

    /// The environment's file declares `name: text`.
    pub fn declare(mut self, name: &str, text: &str) -> Case {
        self.env
            .variables
            .insert(name.into(), variable(&self.env, name, text));
        self
    }

    /// The `rules:` section of envctl.yaml.
    pub fn rules(mut self, yaml: &str) -> Case {
        let node = crate::yaml::parse(yaml)
            .expect("valid YAML")
            .expect("not empty");
        self.config = from_node(&node).unwrap_or_else(|e| panic!("{e}"));
        self
    }

    /// `rules.disable: { <rule>: all }`.
    pub fn disable(mut self, rule: RuleId) -> Case {
        let value = Disable::All;
        let pos = Pos { line: 1, column: 1 };
        self.config
            .disable
            .insert(rule.as_str().into(), Spanned { pos, value });
        self
    }

    /// What `rule` finds, through `evaluate` (so `rules.disable` counts).
    pub fn findings(&self, rule: RuleId) -> Vec<Finding> {
        let ctx = Context {
            environment: &self.env,
            environments: std::iter::once(&self.env).chain(&self.others).collect(),
            config: &self.config,
            project_file: Path::new("envctl.yaml"),
            allow_delete: self.allow_delete,
            now_ms: self.now_ms,
            weak_secrets: self.weak_secrets.clone(),
            key_projects: self.key_projects.clone(),
            elsewhere: self.elsewhere.clone(),
            code: (!self.code.targets.is_empty()).then_some(&self.code),
        };
        let verdict = evaluate(&self.plan, &ctx);
        verdict
            .findings
            .into_iter()
            .filter(|f| f.rule == rule)
            .collect()
    }

    /// The one finding of `rule`.
    pub fn only(&self, rule: RuleId) -> Finding {
        let mut found = self.findings(rule);
        assert_eq!(found.len(), 1, "{found:#?}");
        found.remove(0)
    }

    pub fn severities(&self, rule: RuleId) -> Vec<Severity> {
        self.findings(rule).iter().map(|f| f.severity).collect()
    }

    /// Whether any rule refuses.
    pub fn verdict_refused(&self) -> bool {
        RuleId::ALL
            .iter()
            .any(|r| self.severities(*r).contains(&Severity::Error))
    }

    /// Target `target` serves `code` (added to what it served already).
    pub fn code(mut self, target: &str, code: Served) -> Case {
        let served = self.code.targets.entry(target.into()).or_default();
        served.roots.extend(code.roots);
        served.files.extend(code.files);
        self
    }
}

/// A read of `name` at `line`:`column`.
pub(crate) fn read(name: &str, access: Access, line: usize, column: usize) -> Read {
    Read {
        name: name.into(),
        access,
        pos: Pos { line, column },
    }
}

/// Code in one file, `path`, with `reads`; its root is the path's first
/// folder.
pub(crate) fn served(path: &str, reads: Vec<Read>) -> Served {
    let root = path.split('/').next().unwrap_or(path).to_string();
    let file = FileScan {
        path: path.into(),
        reads,
        ..FileScan::default()
    };
    Served {
        roots: vec![root],
        files: vec![Arc::new(file)],
    }
}

/// A plain variable declared in `env`'s file.
pub(crate) fn variable(env: &Environment, name: &str, text: &str) -> Variable {
    Variable {
        name: name.into(),
        value: VarValue::Plain(text.into()),
        targets: vec!["app".into()],
        environment_specific: false,
        allow_empty: false,
        sensitive: None,
        description: None,
        location: Location {
            file: env.file.clone(),
            line: env.variables.len() + 1,
            column: 1,
        },
    }
}

/// A target's settings as the tests need them: a platform and where it
/// lives.
#[derive(Debug)]
struct Place {
    kind: &'static str,
    identity: Identity,
}

impl TargetSettings for Place {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn describe(&self) -> String {
        self.kind.to_string()
    }
    fn prune(&self) -> bool {
        false
    }
    fn traits(&self) -> Traits {
        traits_of(self.kind)
    }
    fn identity(&self) -> Identity {
        self.identity.clone()
    }
}

/// Target `name` of platform `kind`, writing to `places`, served at `hosts`.
pub(crate) fn target(name: &str, kind: &'static str, places: &[&str], hosts: &[&str]) -> Target {
    let own = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    Target {
        name: name.into(),
        settings: std::sync::Arc::new(Place {
            kind,
            identity: Identity {
                places: own(places),
                hosts: own(hosts),
            },
        }),
        location: Location {
            file: PathBuf::from("environments/env.yaml"),
            line: 3,
            column: 3,
        },
        migration_files: None,
        code: None,
    }
}
