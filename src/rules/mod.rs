//! The team's rules, as a pure function: `evaluate(plan, context) -> Verdict`.
//!
//! Rules look at the state *after* the plan (desired laid over live), so a
//! plan that fixes a live violation passes and one that leaves or creates
//! one is refused. A finding is data — a rule id, a severity, a typed kind
//! with its own message and fix — and the findings come out sorted.
//! Every built-in rule traces back to a failure in one of the runbooks.

mod checks;

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::config::Environment;
use crate::config::files::{Disable, RulesConfig};
use crate::diagnostic::Location;
use crate::plan::Plan;

pub use checks::{FindingKind, client_prefixes};

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
}

impl RuleId {
    pub const ALL: [RuleId; 14] = [
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
        }
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error refuses the plan (exit 3); a warning is shown and passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub environment: String,
    /// The target whose live or planned value is at fault, if one is.
    pub target: Option<String>,
    pub location: Option<Location>,
    pub kind: FindingKind,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}]: {}", self.rule, self.message)?;
        if let Some(target) = &self.target {
            write!(f, " (target {target})")?;
        }
        write!(f, "\n  fix: {}", self.fix)
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
    (a.severity, &a.location, a.rule, &a.target, &a.message).cmp(&(
        b.severity,
        &b.location,
        b.rule,
        &b.target,
        &b.message,
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

/// Evaluates every enabled rule over the plan's resulting state.
pub fn evaluate(plan: &Plan, ctx: &Context<'_>) -> Verdict {
    let mut findings = checks::run(plan, ctx);
    findings.sort_by(order);
    findings.dedup();
    Verdict { findings }
}
