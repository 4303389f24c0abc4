//! The values everything else works on: the desired state as loaded, live
//! state as read, the writes an apply performs, and the rules' settings.
//! No behaviour beyond what a value says about itself.

pub mod desired;
pub mod live;
pub mod policy;
pub mod record;
pub mod settings;
pub mod write;

pub use desired::{
    Baked, CodeTraits, Environment, Function, History, Identity, Migrations, Readback, SecretRef,
    Target, TargetSettings, Traits, VarValue, Variable, is_env_name,
};
pub use live::{AppliedMigration, HandleData, Handles, LiveFunction, LiveValue, Snapshot};
pub use settings::{Auth, Bucket, LiveAuth, LiveSettings, ProjectSettings, join_urls, split_urls};
pub use write::{Write, deletes, sets, tags};
