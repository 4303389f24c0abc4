//! The team's rules, as a pure function: `evaluate(plan, context) -> Verdict`.
//!
//! Rules look at the state *after* the plan (desired laid over live), so a
//! plan that fixes a live violation passes and one that leaves or creates
//! one is refused. A finding is data — a rule id, a severity, a typed kind
//! with its own message and fix — and the findings come out sorted.
//! Every built-in rule traces back to a failure in one of the runbooks.

mod builtin;
mod custom;
mod finding;
mod finding_auth;
mod finding_between;
mod finding_code;

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::code::CodeReads;
use crate::detect::{Class, classify};
use crate::diagnostic::Location;
use crate::model::policy::{Disable, RulesConfig};
use crate::model::{Environment, Traits};
use crate::plan::{Plan, TargetPlan, Value};

pub use builtin::exposure::client_prefixes;
pub use finding::{Finding, FindingKind, Severity};

/// Stable rule ids, as used in `rules.disable` and in output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleId {
    ForbiddenFlag,
    LocalhostUrl,
    Required,
    StripeKeyMode,
    ClientExposedSecret,
    LiteralSecret,
    SupabaseReserved,
    Parity,
    ProtectedDelete,
    MigrationDrift,
    Forbid,
    Pattern,
    SecretAge,
    WeakSecret,
    SupabaseKeyProject,
    StripeKeyPair,
    ReusedSecret,
    CrossEnvironmentTarget,
    UndeclaredVariable,
    UnusedVariable,
    HardcodedLocalhost,
    AuthUrl,
}

impl RuleId {
    pub const ALL: [RuleId; 22] = [
        RuleId::ForbiddenFlag,
        RuleId::LocalhostUrl,
        RuleId::Required,
        RuleId::StripeKeyMode,
        RuleId::ClientExposedSecret,
        RuleId::LiteralSecret,
        RuleId::SupabaseReserved,
        RuleId::Parity,
        RuleId::ProtectedDelete,
        RuleId::MigrationDrift,
        RuleId::Forbid,
        RuleId::Pattern,
        RuleId::SecretAge,
        RuleId::WeakSecret,
        RuleId::SupabaseKeyProject,
        RuleId::StripeKeyPair,
        RuleId::ReusedSecret,
        RuleId::CrossEnvironmentTarget,
        RuleId::UndeclaredVariable,
        RuleId::UnusedVariable,
        RuleId::HardcodedLocalhost,
        RuleId::AuthUrl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::ForbiddenFlag => "forbidden-flag",
            RuleId::LocalhostUrl => "localhost-url",
            RuleId::Required => "required",
            RuleId::StripeKeyMode => "stripe-key-mode",
            RuleId::ClientExposedSecret => "client-exposed-secret",
            RuleId::LiteralSecret => "literal-secret",
            RuleId::SupabaseReserved => "supabase-reserved",
            RuleId::Parity => "parity",
            RuleId::ProtectedDelete => "protected-delete",
            RuleId::MigrationDrift => "migration-drift",
            RuleId::Forbid => "forbid",
            RuleId::Pattern => "pattern",
            RuleId::SecretAge => "secret-age",
            RuleId::WeakSecret => "weak-secret",
            RuleId::SupabaseKeyProject => "supabase-key-project",
            RuleId::StripeKeyPair => "stripe-key-pair",
            RuleId::ReusedSecret => "reused-secret",
            RuleId::CrossEnvironmentTarget => "cross-environment-target",
            RuleId::UndeclaredVariable => "undeclared-variable",
            RuleId::UnusedVariable => "unused-variable",
            RuleId::HardcodedLocalhost => "hardcoded-localhost",
            RuleId::AuthUrl => "auth-url",
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub findings: Vec<Finding>,
}

impl Verdict {
    pub fn refused(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn merge(&mut self, other: Verdict) {
        self.findings.extend(other.findings);
        self.findings.sort_by(order);
        self.findings.dedup();
    }
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.severity, &a.location, a.rule, &a.target, a.message()).cmp(&(
        b.severity,
        &b.location,
        b.rule,
        &b.target,
        b.message(),
    ))
}

/// What rules may look at besides the plan.
pub struct Context<'a> {
    pub environment: &'a Environment,
    /// All environments, for cross-environment parity.
    pub environments: Vec<&'a Environment>,
    pub config: &'a RulesConfig,
    pub project_file: &'a Path,
    /// `--allow-delete` was given.
    pub allow_delete: bool,
    /// The time of the check (ms since the epoch), for `secret-age`.
    pub now_ms: i64,
    /// Resolved secrets too guessable to sit behind a published digest,
    /// by name, with why (see [`crate::detect::weakness`]).
    pub weak_secrets: std::collections::BTreeMap<String, &'static str>,
    /// Resolved secrets that are Supabase keys, by name: the project their
    /// payload names (`supabase-key-project`).
    pub key_projects: std::collections::BTreeMap<String, String>,
    /// Values of the other environments that a protected environment's
    /// secrets must not equal (`reused-secret`), as digests; empty for an
    /// environment that is not protected.
    pub elsewhere: Vec<SecretElsewhere>,
    /// The code each target serves, scanned (`validate`); `None` when no
    /// code was read, and the code rules find nothing.
    pub code: Option<&'a CodeReads>,
}

/// A secret value of another environment, known by its digest only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretElsewhere {
    pub environment: String,
    pub name: String,
    /// SHA-256 of the value; compared, never shown.
    pub fingerprint: crate::secret::Fingerprint,
}

impl Context<'_> {
    fn enabled(&self, rule: RuleId) -> bool {
        match self.config.disable.get(rule.as_str()).map(|d| &d.value) {
            Some(Disable::All) => false,
            Some(Disable::In(envs)) => !envs.contains(&self.environment.name),
            None => true,
        }
    }

    /// Protected environments refuse; the others warn.
    fn policy(&self) -> Severity {
        if self.environment.protected {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

/// One key in the resulting state of one target.
struct Item<'a> {
    target: &'a str,
    name: &'a str,
    value: &'a Value,
    location: Option<&'a Location>,
    /// What the target's platform holds and forbids.
    traits: Traits,
}

impl<'a> Item<'a> {
    /// A finding about a target as a whole (a delete, its migrations), not
    /// one of its values.
    fn whole(target: &'a TargetPlan) -> Item<'a> {
        Item {
            target: &target.name,
            name: "",
            value: &Value::Hidden,
            location: None,
            traits: target.traits,
        }
    }

    /// What the value looks like, for the rules that judge secrets. A
    /// value shown as text is not a secret (the plan masks those, and
    /// `sensitive: false` vouches for the rest): only its public classes
    /// count (a publishable Stripe key, an anon key).
    fn class(&self) -> Option<Class> {
        match self.value {
            Value::Text { text } => classify(text).filter(|c| !c.is_secret()),
            Value::Secret { class, .. } => *class,
            _ => None,
        }
    }
}

/// What every rule looks at: the plan, the state after it, the context.
struct Facts<'a> {
    plan: &'a Plan,
    ctx: &'a Context<'a>,
    /// Every key of every target once the plan is applied, in plan order.
    items: Vec<Item<'a>>,
}

impl<'a> Facts<'a> {
    fn new(plan: &'a Plan, ctx: &'a Context<'a>) -> Facts<'a> {
        let items = plan
            .targets
            .iter()
            .flat_map(|t| {
                t.changes.iter().filter_map(move |c| {
                    Some(Item {
                        target: &t.name,
                        name: c.variable()?,
                        value: c.resulting()?,
                        location: c.location.as_ref(),
                        traits: t.traits,
                    })
                })
            })
            .collect();
        Facts { plan, ctx, items }
    }

    fn env(&self) -> &'a Environment {
        self.ctx.environment
    }

    /// A finding about `item` (its target and place), or about `location`
    /// when one is given.
    fn finding(
        &self,
        rule: RuleId,
        severity: Severity,
        item: Option<&Item<'_>>,
        location: Option<&Location>,
        kind: FindingKind,
    ) -> Finding {
        let env = &self.env().name;
        Finding {
            rule,
            severity,
            environment: env.clone(),
            target: item.map(|i| i.target.to_string()),
            location: location.or(item.and_then(|i| i.location)).cloned(),
            kind,
        }
    }
}

type Rule = fn(&Facts<'_>) -> Vec<Finding>;

/// Every rule, under the id `rules.disable` switches it off by.
const RULES: [(RuleId, Rule); 22] = [
    (RuleId::ForbiddenFlag, builtin::flags::check),
    (RuleId::LocalhostUrl, builtin::localhost::check),
    (RuleId::StripeKeyMode, builtin::stripe::check),
    (RuleId::ClientExposedSecret, builtin::exposure::check),
    (RuleId::LiteralSecret, builtin::literal::check),
    (RuleId::WeakSecret, builtin::weak_secret::check),
    (RuleId::SupabaseReserved, builtin::reserved::check),
    (RuleId::Required, custom::required),
    (RuleId::Parity, builtin::parity::check),
    (RuleId::ProtectedDelete, builtin::protected_delete::check),
    (RuleId::MigrationDrift, builtin::migration_drift::check),
    (RuleId::SecretAge, builtin::secret_age::check),
    (RuleId::Forbid, custom::forbid),
    (RuleId::Pattern, custom::pattern),
    (
        RuleId::SupabaseKeyProject,
        builtin::supabase_key_project::check,
    ),
    (RuleId::StripeKeyPair, builtin::stripe_key_pair::check),
    (RuleId::ReusedSecret, builtin::reused_secret::check),
    (
        RuleId::CrossEnvironmentTarget,
        builtin::cross_environment_target::check,
    ),
    (
        RuleId::UndeclaredVariable,
        builtin::undeclared_variable::check,
    ),
    (RuleId::UnusedVariable, builtin::unused_variable::check),
    (
        RuleId::HardcodedLocalhost,
        builtin::hardcoded_localhost::check,
    ),
    (RuleId::AuthUrl, builtin::auth_url::check),
];

/// Evaluates every enabled rule over the plan's resulting state.
///
/// The order is `order`'s: it holds the rule id, and each rule reports in
/// plan order, so a stable sort gives the same list whatever order the
/// rules run in.
pub fn evaluate(plan: &Plan, ctx: &Context<'_>) -> Verdict {
    let facts = Facts::new(plan, ctx);
    let mut findings: Vec<Finding> = RULES
        .iter()
        .filter(|(id, _)| ctx.enabled(*id))
        .flat_map(|(_, rule)| rule(&facts))
        .collect();
    findings.sort_by(order);
    findings.dedup();
    Verdict { findings }
}

#[cfg(test)]
mod fixture;
