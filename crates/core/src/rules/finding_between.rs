//! The messages of the findings of the rules that check values against
//! each other (`supabase-key-project`, `stripe-key-pair`, `reused-secret`,
//! `cross-environment-target`).

use super::FindingKind;

impl FindingKind {
    /// The messages of the rules that check values against each other.
    pub(super) fn between_message(&self, env: &str) -> String {
        match self {
            FindingKind::SupabaseKeyProject {
                name,
                key_project,
                project,
                named_by,
            } => format!(
                "{name} is a key of Supabase project {key_project}, while {named_by} puts {env} in project {project}"
            ),
            FindingKind::StripeKeyPair {
                publishable,
                publishable_mode,
                secret,
                secret_mode,
            } => format!(
                "{publishable} is a {publishable_mode}-mode Stripe key and {secret} a {secret_mode}-mode one, in {env}: what the browser creates with one, the server cannot find with the other"
            ),
            FindingKind::ReusedSecret {
                name,
                other_environment,
                other_name,
            } => format!(
                "{name} in {env} has the same value as {other_name} in {other_environment}: their digests match"
            ),
            FindingKind::SharedTarget {
                target,
                place,
                other_environment,
                other_target,
            } => format!(
                "target {target} writes to {place}, as target {other_target} of {other_environment} does: the two environments overwrite each other"
            ),
            FindingKind::ForeignHost {
                name,
                host,
                other_environment,
                owner,
            } => format!("{name} points at {host}, which is {other_environment}'s ({owner})"),
            // `message` sends only the kinds above here.
            _ => String::new(),
        }
    }
}
