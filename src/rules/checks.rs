//! The built-in rules and the custom `forbid`/`required`/`patterns` lists.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use super::{Context, Finding, RuleId, Severity};
use crate::config::glob_match;
use crate::detect::{Class, classify};
use crate::diagnostic::Location;
use crate::plan::{Action, Plan, SecretOrigin, Value};

/// What a finding is about, with typed fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    ForbiddenFlag {
        name: String,
    },
    LocalhostUrl {
        name: String,
        host: String,
    },
    MissingRequired {
        name: String,
        condition: Option<String>,
    },
    StripeTestKey {
        name: String,
    },
    StripeLiveKey {
        name: String,
    },
    ClientExposedSecret {
        name: String,
        prefix: String,
        what: String,
    },
    WeakSecret {
        name: String,
        why: &'static str,
    },
    LiteralSecret {
        name: String,
        what: String,
    },
    SupabaseReserved {
        name: String,
    },
    ParityMissing {
        name: String,
        declared_in: String,
    },
    DeleteInProtected {
        subject: String,
    },
    MigrationDrift {
        detail: String,
    },
    /// A D1 history (wrangler's `d1_migrations`) that disagrees with the
    /// migrations folder.
    D1MigrationDrift {
        detail: String,
    },
    Forbidden {
        name: String,
        message: Option<String>,
    },
    PatternMismatch {
        name: String,
        regex: String,
        message: Option<String>,
    },
    SecretOld {
        name: String,
        days: i64,
        max_days: u32,
    },
}

impl FindingKind {
    fn message(&self, env: &str) -> String {
        match self {
            FindingKind::ForbiddenFlag { name } => {
                format!("bypass flag {name} is enabled in {env}")
            }
            FindingKind::LocalhostUrl { name, host } => {
                format!("{name} points at {host} in non-local environment {env}")
            }
            FindingKind::MissingRequired {
                name,
                condition: None,
            } => format!("required variable {name} is not set in {env}"),
            FindingKind::MissingRequired {
                name,
                condition: Some(c),
            } => {
                format!("{name} is required when {c}, and is not set in {env}")
            }
            FindingKind::StripeTestKey { name } => {
                format!("{name} is a Stripe test-mode key in protected environment {env}")
            }
            FindingKind::StripeLiveKey { name } => {
                format!("{name} is a Stripe live-mode key outside production ({env})")
            }
            FindingKind::ClientExposedSecret { name, prefix, what } => {
                format!("{name} is {what}, but the `{prefix}` prefix ships it to every browser")
            }
            FindingKind::LiteralSecret { name, what } => {
                format!("{name} holds {what} written literally in YAML, in {env}")
            }
            FindingKind::WeakSecret { name, why } => format!(
                "the value of {name} is too guessable to publish a digest of ({why}), in {env}"
            ),
            FindingKind::SupabaseReserved { name } => {
                format!(
                    "{name} cannot be a Supabase secret: the platform reserves SUPABASE_* names and injects them itself"
                )
            }
            FindingKind::ParityMissing { name, declared_in } => {
                format!("{name} is declared in {declared_in} but not in {env}")
            }
            FindingKind::DeleteInProtected { subject } => {
                format!("the plan deletes {subject} in protected environment {env}")
            }
            FindingKind::MigrationDrift { detail } | FindingKind::D1MigrationDrift { detail } => {
                format!("schema drift in {env}: {detail}")
            }
            FindingKind::Forbidden { name, message } => match message {
                Some(m) => format!("{name} is forbidden in {env}: {m}"),
                None => format!("{name} is forbidden in {env}"),
            },
            FindingKind::PatternMismatch {
                name,
                regex,
                message,
            } => match message {
                Some(m) => format!("{name} does not match `{regex}`: {m}"),
                None => format!("{name} does not match `{regex}`"),
            },
            FindingKind::SecretOld {
                name,
                days,
                max_days,
            } => {
                format!("secret {name} was last set {days} days ago in {env}, more than {max_days}")
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            FindingKind::ForbiddenFlag { name } => format!(
                "set {name}: \"false\" or remove it (bypass flags are for local testing only)"
            ),
            FindingKind::LocalhostUrl { name, .. } => {
                format!("point {name} at the environment's public URL")
            }
            FindingKind::MissingRequired { name, .. } => {
                format!("declare {name} under `variables:`")
            }
            FindingKind::StripeTestKey { name } => {
                format!("use the sk_live_/pk_live_ key for {name} (as a secret reference)")
            }
            FindingKind::StripeLiveKey { name } => {
                format!("use a sk_test_ key for {name} outside production")
            }
            FindingKind::ClientExposedSecret { name, prefix, .. } => {
                format!(
                    "drop the `{prefix}` prefix so {name} stays on the server, or use a public key instead"
                )
            }
            FindingKind::LiteralSecret { name, .. } => {
                format!(
                    "replace the literal with a reference, e.g. `{name}: {{ secret: env:{name} }}`, and rotate the exposed value"
                )
            }
            FindingKind::WeakSecret { name, .. } => format!(
                "give {name} a random value: `envctl rotate <env> {name} --generate`, or your provider's key generator"
            ),
            FindingKind::SupabaseReserved { name } => {
                format!(
                    "rename {name}, or route it only to non-Supabase targets (`targets:` or `receives:`)"
                )
            }
            FindingKind::ParityMissing { name, .. } => {
                format!(
                    "declare {name} here too, or mark it `environment_specific: true` where it is declared"
                )
            }
            FindingKind::DeleteInProtected { .. } => {
                "review the deletes and rerun with --allow-delete".into()
            }
            FindingKind::MigrationDrift { .. } => {
                "make supabase/migrations match the database (restore missing files, or `supabase migration repair`); a file edited after it was applied goes back as it was, and the change goes in a new migration; then plan again".into()
            }
            FindingKind::D1MigrationDrift { .. } => {
                "restore the missing files to the D1 migrations folder (wrangler matches the history by file name), or remove their rows from the history table if they were never meant to be there; then plan again".into()
            }
            FindingKind::Forbidden { name, .. } => format!("remove {name} from this environment"),
            FindingKind::PatternMismatch { name, .. } => {
                format!("change {name}'s value to match the pattern")
            }
            FindingKind::SecretOld { name, .. } => format!(
                "rotate it: `envctl rotate <env> {name} --generate` (or with the new key from its issuer), or raise `rules.secret_max_age_days`"
            ),
        }
    }
}

/// One key in the resulting state of one target.
struct Item<'a> {
    target: &'a str,
    name: &'a str,
    value: &'a Value,
    location: Option<&'a Location>,
    target_kind: &'static str,
}

impl<'a> Item<'a> {
    /// A finding about a target as a whole (a delete, its migrations), not
    /// one of its values.
    fn whole(target: &'a crate::plan::TargetPlan) -> Item<'a> {
        Item {
            target: &target.name,
            name: "",
            value: &Value::Hidden,
            location: None,
            target_kind: target.kind,
        }
    }
}

fn resulting(plan: &Plan) -> Vec<Item<'_>> {
    plan.targets
        .iter()
        .flat_map(|t| {
            t.changes.iter().filter_map(move |c| {
                Some(Item {
                    target: &t.name,
                    name: c.variable()?,
                    value: c.resulting()?,
                    location: c.location.as_ref(),
                    target_kind: t.kind,
                })
            })
        })
        .collect()
}

/// `rules.secret_max_age_days` when unset: a quarterly rotation.
pub const DEFAULT_SECRET_MAX_AGE_DAYS: u32 = 90;

const DEFAULT_FLAGS: &[&str] = &["*_BYPASS", "*_BYPASS_*", "ALLOW_*_FALLBACK"];
const DEFAULT_PREFIXES: &[&str] = &[
    "VITE_",
    "NEXT_PUBLIC_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
    "REACT_APP_",
];

/// The prefixes bundlers ship to browsers: `rules.client_prefixes`, or
/// the defaults. A value under one of them is public by construction.
pub fn client_prefixes(config: &crate::config::files::RulesConfig) -> Vec<&str> {
    match &config.client_prefixes {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_PREFIXES.to_vec(),
    }
}

fn is_falsy(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "" | "false" | "0" | "no" | "off"
    )
}

fn localhost(text: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?:[:/?#\s]|$)")
            .expect("valid regex")
    });
    re.captures(text).map(|c| c[1].to_ascii_lowercase())
}

fn class_of(value: &Value) -> Option<Class> {
    match value {
        Value::Text { text } => classify(text),
        Value::Secret { class, .. } => *class,
        _ => None,
    }
}

pub(super) fn run(plan: &Plan, ctx: &Context<'_>) -> Vec<Finding> {
    let env = ctx.environment;
    let items = resulting(plan);
    let mut out = Vec::new();
    let mut push = |rule: RuleId,
                    severity: Severity,
                    item: Option<&Item<'_>>,
                    location: Option<&Location>,
                    kind: FindingKind| {
        if !ctx.enabled(rule) {
            return;
        }
        out.push(Finding {
            rule,
            severity,
            environment: env.name.clone(),
            target: item.map(|i| i.target.to_string()),
            location: location.or(item.and_then(|i| i.location)).cloned(),
            message: kind.message(&env.name),
            fix: kind.fix(),
            kind,
        });
    };

    let flags: Vec<&str> = match &ctx.config.forbidden_flags {
        Some(list) => list.iter().map(String::as_str).collect(),
        None => DEFAULT_FLAGS.to_vec(),
    };
    let prefixes = client_prefixes(ctx.config);

    for item in &items {
        let name = item.name.to_string();
        // Bypass flags: runbook 000 §2.3, "never deploy with bypass flags enabled".
        if !env.local && flags.iter().any(|p| glob_match(p, item.name)) {
            let enabled = match item.value {
                Value::Text { text } => !is_falsy(text),
                _ => true,
            };
            if enabled {
                push(
                    RuleId::ForbiddenFlag,
                    ctx.policy(),
                    Some(item),
                    None,
                    FindingKind::ForbiddenFlag { name: name.clone() },
                );
            }
        }
        // Localhost outside local: runbook 000 §2.3 and its release gate.
        if !env.local
            && let Value::Text { text } = item.value
            && let Some(host) = localhost(text)
        {
            push(
                RuleId::LocalhostUrl,
                ctx.policy(),
                Some(item),
                None,
                FindingKind::LocalhostUrl {
                    name: name.clone(),
                    host,
                },
            );
        }
        let class = class_of(item.value);
        // Stripe key mode: runbook 003 (Stripe sandbox in staging, live in production).
        match class {
            Some(Class::StripeTestSecret | Class::StripeTestPublishable) if env.protected => {
                push(
                    RuleId::StripeKeyMode,
                    Severity::Error,
                    Some(item),
                    None,
                    FindingKind::StripeTestKey { name: name.clone() },
                );
            }
            Some(Class::StripeLiveSecret) if !env.protected => {
                // Refused everywhere: a live key outside production moves real money.
                push(
                    RuleId::StripeKeyMode,
                    Severity::Error,
                    Some(item),
                    None,
                    FindingKind::StripeLiveKey { name: name.clone() },
                );
            }
            _ => {}
        }
        // Client-exposed prefixes: runbooks 000 and 002 ship VITE_/NEXT_PUBLIC_ to browsers.
        if let Some(prefix) = prefixes.iter().find(|p| item.name.starts_with(**p)) {
            let what = match (item.value, class) {
                (
                    Value::Secret {
                        origin: SecretOrigin::Reference(r),
                        ..
                    },
                    _,
                ) => Some(format!("a secret reference ({r})")),
                (_, Some(c)) if c.is_secret() => Some(c.describe().to_string()),
                _ => None,
            };
            if let Some(what) = what {
                let severity = if env.local {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                push(
                    RuleId::ClientExposedSecret,
                    severity,
                    Some(item),
                    None,
                    FindingKind::ClientExposedSecret {
                        name: name.clone(),
                        prefix: prefix.to_string(),
                        what,
                    },
                );
            }
        }
        // Literal secrets in protected environments.
        if let Value::Secret {
            origin: SecretOrigin::Literal,
            class: Some(c),
            ..
        } = item.value
        {
            if env.protected {
                push(
                    RuleId::LiteralSecret,
                    Severity::Error,
                    Some(item),
                    None,
                    FindingKind::LiteralSecret {
                        name: name.clone(),
                        what: c.describe().to_string(),
                    },
                );
            } else if !env.local {
                push(
                    RuleId::LiteralSecret,
                    Severity::Warning,
                    Some(item),
                    None,
                    FindingKind::LiteralSecret {
                        name: name.clone(),
                        what: c.describe().to_string(),
                    },
                );
            }
        }
        // Supabase publishes hex(sha256) of every secret and Vercel's tag
        // carries one: safe only for values nobody can guess.
        if let (Some(why), Value::Secret { .. }) = (ctx.weak_secrets.get(&name), item.value) {
            push(
                RuleId::WeakSecret,
                if env.protected {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                Some(item),
                None,
                FindingKind::WeakSecret {
                    name: name.clone(),
                    why,
                },
            );
        }
        // SUPABASE_* are injected by the platform and refused by its API.
        if item.target_kind == "supabase"
            && item.name.starts_with("SUPABASE_")
            && item.location.is_some()
        {
            push(
                RuleId::SupabaseReserved,
                Severity::Error,
                Some(item),
                None,
                FindingKind::SupabaseReserved { name },
            );
        }
    }

    // Required variables, also conditionally or in groups (runbooks 000 §2,
    // 003's Zod validation, 004 §2's "conditionally required" secrets).
    let present =
        |name: &str| env.variables.contains_key(name) || items.iter().any(|i| i.name == name);
    let value_of = |name: &str| items.iter().find(|i| i.name == name).map(|i| i.value);
    for rule in &ctx.config.required {
        let r = &rule.value;
        if r.environments
            .as_ref()
            .is_some_and(|envs| !envs.contains(&env.name))
        {
            continue;
        }
        let (applies, condition) = match (&r.when, r.together) {
            (_, true) => match r.names.iter().find(|n| present(n)) {
                Some(set) => (
                    true,
                    Some(format!("{set} is set ({} go together)", r.names.join(", "))),
                ),
                None => (false, None),
            },
            (None, false) => (true, None),
            (Some(c), false) => match &c.equals {
                None => (present(&c.variable), Some(format!("{} is set", c.variable))),
                Some(expected) => (
                    matches!(value_of(&c.variable), Some(Value::Text { text }) if text == expected)
                        || matches!(env.variables.get(&c.variable).and_then(|v| v.plain()), Some(t) if t == expected),
                    Some(format!("{} is `{expected}`", c.variable)),
                ),
            },
        };
        if !applies {
            continue;
        }
        for name in r.names.iter().filter(|n| !present(n)) {
            let location = Location::new(ctx.project_file, rule.pos);
            push(
                RuleId::Required,
                ctx.policy(),
                None,
                Some(&location),
                FindingKind::MissingRequired {
                    name: name.clone(),
                    condition: condition.clone(),
                },
            );
        }
    }

    // Parity between deployed environments (runbook 003: staging → production promotion).
    let parity_set: Vec<&crate::config::Environment> = match &ctx.config.parity {
        Some(p) => ctx
            .environments
            .iter()
            .copied()
            .filter(|e| p.environments.value.contains(&e.name))
            .collect(),
        None => ctx
            .environments
            .iter()
            .copied()
            .filter(|e| !e.local)
            .collect(),
    };
    if parity_set.iter().any(|e| e.name == env.name) {
        let mine: std::collections::HashSet<&str> =
            env.variables.keys().map(String::as_str).collect();
        for other in parity_set.iter().filter(|e| e.name != env.name) {
            for (name, var) in &other.variables {
                if !mine.contains(name.as_str()) && !var.environment_specific {
                    let location = Location {
                        file: env.file.clone(),
                        line: 1,
                        column: 1,
                    };
                    push(
                        RuleId::Parity,
                        ctx.policy(),
                        None,
                        Some(&location),
                        FindingKind::ParityMissing {
                            name: name.clone(),
                            declared_in: other.name.clone(),
                        },
                    );
                }
            }
        }
    }

    // Deletes in protected environments need --allow-delete.
    if env.protected && !ctx.allow_delete {
        for target in &plan.targets {
            for change in target.changes.iter().filter(|c| c.action == Action::Delete) {
                let item = Item::whole(target);
                push(
                    RuleId::ProtectedDelete,
                    Severity::Error,
                    Some(&item),
                    None,
                    FindingKind::DeleteInProtected {
                        subject: change.subject.to_string(),
                    },
                );
            }
        }
    }

    // Migration history that disagrees with the files (the Supabase CLI's
    // push guards, or a D1 history naming files that are gone): refused
    // where protected, a warning elsewhere.
    for target in &plan.targets {
        for change in target.changes.iter().filter(|c| c.is_schema_drift()) {
            let item = Item::whole(target);
            // A D1 database is configured on its target; Supabase's head
            // under `migrations`.
            let location = if target.kind == "cloudflare" {
                ctx.environment
                    .targets
                    .get(&target.name)
                    .map(|t| &t.location)
            } else {
                ctx.environment.migrations.as_ref().map(|m| &m.location)
            };
            push(
                RuleId::MigrationDrift,
                ctx.policy(),
                Some(&item),
                location,
                if target.kind == "cloudflare" {
                    FindingKind::D1MigrationDrift {
                        detail: change.reason.to_string(),
                    }
                } else {
                    FindingKind::MigrationDrift {
                        detail: change.reason.to_string(),
                    }
                },
            );
        }
    }

    // Secrets older than the team rotates them: runbook 003's quarterly
    // "Rotate Supabase + Stripe secrets", runbook 002's quarterly key review.
    // Only values that stay as they are count: a planned write renews one.
    let max_days = ctx
        .config
        .secret_max_age_days
        .unwrap_or(DEFAULT_SECRET_MAX_AGE_DAYS);
    for target in &plan.targets {
        for change in &target.changes {
            let (Some(name), Action::Unchanged, Some(Value::Secret { .. })) =
                (change.variable(), change.action, &change.after)
            else {
                continue;
            };
            let Some(&updated) = target.updated_ms.get(name) else {
                continue;
            };
            let days = (ctx.now_ms - updated) / 86_400_000;
            if days > i64::from(max_days) {
                let item = Item::whole(target);
                push(
                    RuleId::SecretAge,
                    Severity::Warning,
                    Some(&item),
                    change.location.as_ref(),
                    FindingKind::SecretOld {
                        name: name.to_string(),
                        days,
                        max_days,
                    },
                );
            }
        }
    }

    // Custom lists.
    for rule in &ctx.config.forbid {
        let f = &rule.value;
        let applies = match &f.environments {
            Some(envs) => envs.contains(&env.name),
            None => env.protected,
        };
        if !applies {
            continue;
        }
        let value_re = f.value.as_deref().and_then(|r| Regex::new(r).ok());
        for item in items.iter().filter(|i| glob_match(&f.name, i.name)) {
            let hit = match (&value_re, item.value) {
                (None, _) => true,
                (Some(re), Value::Text { text }) => re.is_match(text),
                (Some(_), _) => false,
            };
            if hit {
                push(
                    RuleId::Forbid,
                    Severity::Error,
                    Some(item),
                    None,
                    FindingKind::Forbidden {
                        name: item.name.to_string(),
                        message: f.message.clone(),
                    },
                );
            }
        }
    }
    for rule in &ctx.config.patterns {
        let p = &rule.value;
        if p.environments
            .as_ref()
            .is_some_and(|envs| !envs.contains(&env.name))
        {
            continue;
        }
        let Ok(re) = Regex::new(&p.regex) else {
            continue;
        };
        for item in items.iter().filter(|i| glob_match(&p.name, i.name)) {
            if let Value::Text { text } = item.value
                && !re.is_match(text)
            {
                push(
                    RuleId::Pattern,
                    ctx.policy(),
                    Some(item),
                    None,
                    FindingKind::PatternMismatch {
                        name: item.name.to_string(),
                        regex: p.regex.clone(),
                        message: p.message.clone(),
                    },
                );
            }
        }
    }
    out
}
