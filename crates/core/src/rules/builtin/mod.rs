//! The built-in rules, one a file. Each is a function from the plan's
//! resulting state to findings, and traces back to a runbook.

pub(super) mod auth_url;
pub(super) mod cross_environment_target;
pub(super) mod exposure;
pub(super) mod flags;
pub(super) mod hardcoded_localhost;
pub(super) mod literal;
pub(super) mod localhost;
pub(super) mod migration_drift;
pub(super) mod parity;
pub(super) mod protected_delete;
pub(super) mod reserved;
pub(super) mod reused_secret;
pub(super) mod secret_age;
pub(super) mod stripe;
pub(super) mod stripe_key_pair;
pub(super) mod supabase_key_project;
pub(super) mod undeclared_variable;
pub(super) mod unused_variable;
pub(super) mod weak_secret;
