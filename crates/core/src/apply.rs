//! Turning a plan into writes. The plan is the only thing apply obeys: a
//! write happens for exactly the creates, updates and deletes it lists (and
//! the marks of verified values in `TargetPlan::tag`, which change no value), and
//! a secret is written only if its value still has the fingerprint the plan
//! showed (a value that changed between plan and apply is refused).

use std::collections::BTreeMap;
use std::fmt;

use crate::model::Write;
use crate::plan::{Action, DesiredTarget, DesiredValue, Reason, Subject, TargetPlan, Value};
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// A secret the plan needs could not be resolved.
    Unresolved { target: String, names: Vec<String> },
    /// A secret's value changed since the plan was made.
    Changed { target: String, name: String },
    /// A change names something the desired state does not have.
    Missing { target: String, name: String },
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Unresolved { target, names } => write!(
                f,
                "target {target}: cannot apply while these secrets are unresolved: {} (see `envctl plan` for why); nothing was written",
                names.join(", ")
            ),
            ApplyError::Changed { target, name } => {
                write!(
                    f,
                    "target {target}: the value of {name} changed since the plan was made; plan again"
                )
            }
            ApplyError::Missing { target, name } => {
                write!(
                    f,
                    "target {target}: the plan changes {name}, which the desired state does not declare; plan again"
                )
            }
        }
    }
}

impl std::error::Error for ApplyError {}

/// The writes for one target's plan. `secrets` holds the resolved values of
/// the secret references, by variable name.
pub fn writes(
    plan: &TargetPlan,
    desired: &DesiredTarget,
    secrets: &BTreeMap<String, Secret>,
) -> Result<Vec<Write>, ApplyError> {
    let unresolved: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Unknown)
        .filter_map(|c| c.variable())
        .filter(|name| {
            matches!(
                desired.variables.get(*name).map(|d| &d.value),
                Some(DesiredValue::Secret {
                    resolved: Err(_),
                    ..
                })
            )
        })
        .map(str::to_string)
        .collect();
    if !unresolved.is_empty() {
        return Err(ApplyError::Unresolved {
            target: plan.name.clone(),
            names: unresolved,
        });
    }
    let mut out = Vec::new();
    for change in &plan.changes {
        match (&change.subject, change.action) {
            (Subject::Variable { name }, Action::Create | Action::Update) => {
                out.push(Write::Set {
                    name: name.clone(),
                    value: declared(plan, desired, secrets, name, change.after.as_ref())?,
                });
            }
            (Subject::Variable { name }, Action::Delete) => {
                out.push(Write::Delete { name: name.clone() })
            }
            (Subject::Function { slug }, Action::Create | Action::Update) => {
                let verify_jwt = match &change.after {
                    Some(Value::Function { verify_jwt }) => *verify_jwt,
                    _ => true,
                };
                out.push(Write::SetFunction {
                    slug: slug.clone(),
                    verify_jwt,
                    deploy: change.action == Action::Create
                        || matches!(change.reason, Reason::SourceChanged { .. }),
                });
            }
            (Subject::Function { slug }, Action::Delete) => {
                out.push(Write::DeleteFunction { slug: slug.clone() })
            }
            (Subject::Setting { name }, Action::Create | Action::Update) => {
                if let Some(Value::Text { text }) = &change.after {
                    out.push(Write::SetSetting {
                        name: name.clone(),
                        value: text.clone(),
                    });
                }
            }
            (Subject::Bucket { name }, Action::Create | Action::Update) => {
                if let Some(Value::Bucket { public }) = &change.after {
                    out.push(Write::SetBucket {
                        name: name.clone(),
                        public: *public,
                        create: change.action == Action::Create,
                    });
                }
            }
            // Applying migrations belongs to the Supabase target; unknown
            // and unchanged items are never written.
            _ => {}
        }
    }
    // Verified equal: marked, no value changed.
    for name in &plan.tag {
        let after = plan
            .changes
            .iter()
            .find(|c| c.variable() == Some(name.as_str()))
            .and_then(|c| c.after.as_ref());
        out.push(Write::Tag {
            name: name.clone(),
            value: declared(plan, desired, secrets, name, after)?,
        });
    }
    Ok(out)
}

/// The declared value of `name`, refused if it is a secret whose value no
/// longer has the fingerprint the plan showed (`after`).
fn declared(
    plan: &TargetPlan,
    desired: &DesiredTarget,
    secrets: &BTreeMap<String, Secret>,
    name: &str,
    after: Option<&Value>,
) -> Result<Secret, ApplyError> {
    let missing = || ApplyError::Missing {
        target: plan.name.clone(),
        name: name.to_string(),
    };
    match &desired.variables.get(name).ok_or_else(missing)?.value {
        DesiredValue::Plain(text) => Ok(Secret::new(text.clone())),
        DesiredValue::Secret { .. } => {
            let secret = secrets.get(name).ok_or_else(missing)?;
            if let Some(Value::Secret {
                fingerprint: Some(fingerprint),
                ..
            }) = after
                && secret.fingerprint() != *fingerprint
            {
                return Err(ApplyError::Changed {
                    target: plan.name.clone(),
                    name: name.to_string(),
                });
            }
            Ok(secret.clone())
        }
    }
}
