//! A finding is data: which rule, how severe, where, and a typed kind that
//! renders its own message and fix. The renderers show findings; `rotate`
//! picks the ones about the variable it rotates by their `variable`.

use std::fmt;

use serde::Serialize;

use super::RuleId;
use crate::diagnostic::Location;

/// An error refuses the plan (exit 3); a warning is shown and passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub environment: String,
    /// The target whose live or planned value is at fault, if one is.
    pub target: Option<String>,
    pub location: Option<Location>,
    /// What it is about, with typed fields; the message and the fix are
    /// rendered from it.
    pub kind: FindingKind,
}

impl Finding {
    /// The sentence a person reads.
    pub fn message(&self) -> String {
        self.kind.message(&self.environment)
    }

    /// What to do about it.
    pub fn fix(&self) -> String {
        self.kind.fix()
    }

    /// The variable the finding is about, if it is about one (`rotate`
    /// keeps the findings about the variable it rotates).
    pub fn variable(&self) -> Option<&str> {
        self.kind.variable()
    }
}

/// The JSON shape (versioned with the plan format) carries the rendered
/// message and fix after the typed kind.
impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            rule: RuleId,
            severity: Severity,
            environment: &'a str,
            target: &'a Option<String>,
            location: &'a Option<Location>,
            kind: &'a FindingKind,
            message: String,
            fix: String,
        }
        Shown {
            rule: self.rule,
            severity: self.severity,
            environment: &self.environment,
            target: &self.target,
            location: &self.location,
            kind: &self.kind,
            message: self.message(),
            fix: self.fix(),
        }
        .serialize(serializer)
    }
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
        write!(f, "{level}[{}]: {}", self.rule, self.message())?;
        if let Some(target) = &self.target {
            write!(f, " (target {target})")?;
        }
        write!(f, "\n  fix: {}", self.fix())
    }
}

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
        /// The deleted variable, when the subject is one. Not in the JSON:
        /// `subject` names it there, and the shape is versioned.
        #[serde(skip)]
        variable: Option<String>,
    },
    MigrationDrift {
        detail: String,
    },
    /// A D1 history (wrangler's `d1_migrations`) that disagrees with the
    /// migrations folder.
    D1MigrationDrift {
        detail: String,
    },
    /// Another runner's history (`migrations.history`) that disagrees
    /// with its migrations folder; `tool` is the runner's command.
    RunnerMigrationDrift {
        detail: String,
        tool: String,
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
    /// A Supabase key whose `ref` is not the environment's project.
    SupabaseKeyProject {
        name: String,
        /// The project the key's payload names.
        key_project: String,
        /// The environment's project, and what says so (a URL variable,
        /// a target).
        project: String,
        named_by: String,
    },
    /// A publishable and a secret Stripe key of different modes.
    StripeKeyPair {
        publishable: String,
        publishable_mode: &'static str,
        secret: String,
        secret_mode: &'static str,
    },
    /// A protected environment's secret equal to another environment's.
    ReusedSecret {
        name: String,
        other_environment: String,
        other_name: String,
    },
    /// A target writing where another environment's target writes.
    SharedTarget {
        target: String,
        place: String,
        other_environment: String,
        other_target: String,
    },
    /// A URL at a host that serves another environment.
    ForeignHost {
        name: String,
        host: String,
        other_environment: String,
        /// What ties the host to the other environment (a target, a URL
        /// variable).
        owner: String,
    },
    /// Code a target serves reads a variable the environment does not
    /// send it (the finding's place is the first read).
    UndeclaredVariable {
        name: String,
        /// How the code reads it: `import.meta.env`, `Deno.env.get`, …
        access: &'static str,
        /// How many other places read it.
        more: usize,
        /// The environment's other targets that do receive it.
        elsewhere: Vec<String>,
    },
    /// A target receives a variable no code it serves reads.
    UnusedVariable {
        name: String,
        /// The code scanned, as `code:` or its defaults name it.
        code: String,
    },
    /// A URL of this machine written into code a deployed environment
    /// serves.
    HardcodedLocalhost {
        host: String,
    },
    /// An Auth URL (`field`: `site_url` or `redirect_urls`) at this
    /// machine.
    AuthUrlLocalhost {
        field: &'static str,
        url: String,
        host: String,
    },
    /// An Auth URL at a host that serves another environment.
    AuthUrlForeignHost {
        field: &'static str,
        url: String,
        host: String,
        other_environment: String,
        /// What ties the host there (a target, its `site_url`).
        owner: String,
    },
}

impl FindingKind {
    /// The variable this kind names, if it names one.
    pub fn variable(&self) -> Option<&str> {
        match self {
            FindingKind::ForbiddenFlag { name }
            | FindingKind::LocalhostUrl { name, .. }
            | FindingKind::MissingRequired { name, .. }
            | FindingKind::StripeTestKey { name }
            | FindingKind::StripeLiveKey { name }
            | FindingKind::ClientExposedSecret { name, .. }
            | FindingKind::WeakSecret { name, .. }
            | FindingKind::LiteralSecret { name, .. }
            | FindingKind::SupabaseReserved { name }
            | FindingKind::ParityMissing { name, .. }
            | FindingKind::Forbidden { name, .. }
            | FindingKind::PatternMismatch { name, .. }
            | FindingKind::SecretOld { name, .. }
            | FindingKind::SupabaseKeyProject { name, .. }
            | FindingKind::ReusedSecret { name, .. }
            | FindingKind::ForeignHost { name, .. }
            | FindingKind::UndeclaredVariable { name, .. }
            | FindingKind::UnusedVariable { name, .. } => Some(name),
            FindingKind::StripeKeyPair { publishable, .. } => Some(publishable),
            FindingKind::DeleteInProtected { variable, .. } => variable.as_deref(),
            FindingKind::MigrationDrift { .. }
            | FindingKind::D1MigrationDrift { .. }
            | FindingKind::SharedTarget { .. }
            | FindingKind::HardcodedLocalhost { .. }
            | FindingKind::AuthUrlLocalhost { .. }
            | FindingKind::AuthUrlForeignHost { .. }
            | FindingKind::RunnerMigrationDrift { .. } => None,
        }
    }

    pub fn message(&self, env: &str) -> String {
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
            FindingKind::DeleteInProtected { subject, .. } => {
                format!("the plan deletes {subject} in protected environment {env}")
            }
            FindingKind::MigrationDrift { detail }
            | FindingKind::D1MigrationDrift { detail }
            | FindingKind::RunnerMigrationDrift { detail, .. } => {
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
            FindingKind::UndeclaredVariable { .. }
            | FindingKind::UnusedVariable { .. }
            | FindingKind::HardcodedLocalhost { .. } => self.code_message(env),
            FindingKind::SupabaseKeyProject { .. }
            | FindingKind::StripeKeyPair { .. }
            | FindingKind::ReusedSecret { .. }
            | FindingKind::SharedTarget { .. }
            | FindingKind::ForeignHost { .. } => self.between_message(env),
            FindingKind::AuthUrlLocalhost { .. } | FindingKind::AuthUrlForeignHost { .. } => {
                self.auth_message(env)
            }
        }
    }

    pub fn fix(&self) -> String {
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
            FindingKind::RunnerMigrationDrift { tool, .. } => format!(
                "make the migrations folder match the runner's history (restore missing files, run older ones with the runner's own options, or fix the history with its own commands; it applies with `{tool}`); then plan again"
            ),
            FindingKind::Forbidden { name, .. } => format!("remove {name} from this environment"),
            FindingKind::PatternMismatch { name, .. } => {
                format!("change {name}'s value to match the pattern")
            }
            FindingKind::SecretOld { name, .. } => format!(
                "rotate it: `envctl rotate <env> {name} --generate` (or with the new key from its issuer), or raise `rules.secret_max_age_days`"
            ),
            FindingKind::UndeclaredVariable { .. }
            | FindingKind::UnusedVariable { .. }
            | FindingKind::HardcodedLocalhost { .. } => self.code_fix(),
            FindingKind::AuthUrlLocalhost { .. } | FindingKind::AuthUrlForeignHost { .. } => {
                self.auth_fix()
            }
            FindingKind::SupabaseKeyProject { name, project, .. } => format!(
                "use project {project}'s own key for {name} (dashboard: Project Settings › API Keys)"
            ),
            FindingKind::StripeKeyPair {
                publishable,
                secret,
                ..
            } => format!(
                "take {publishable} and {secret} from the same Stripe mode: both pk_test_/sk_test_, or both pk_live_/sk_live_"
            ),
            FindingKind::ReusedSecret {
                name,
                other_environment,
                ..
            } => format!(
                "give {name} a value of its own here (a new key from its issuer, or `envctl rotate <env> {name} --generate`): anyone who can read {other_environment}'s holds it"
            ),
            FindingKind::SharedTarget { target, .. } => format!(
                "point target {target} at this environment's own project, site or repository environment"
            ),
            FindingKind::ForeignHost { name, .. } => {
                format!("point {name} at this environment's own URL")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::RuleId;
    use crate::rules::fixture::Case;

    #[test]
    fn the_json_of_a_finding_keeps_its_shape_without_the_variable() {
        let case = Case::protected().text("PAYMENTS_BYPASS", "true");
        let found = case.only(RuleId::ForbiddenFlag);
        assert_eq!(found.variable(), Some("PAYMENTS_BYPASS"));
        let json = serde_json::to_value(&found).expect("serialisable");
        let keys: Vec<&String> = json.as_object().expect("an object").keys().collect();
        let shape = [
            "rule",
            "severity",
            "environment",
            "target",
            "location",
            "kind",
            "message",
            "fix",
        ];
        assert_eq!(keys, shape);
    }
}
