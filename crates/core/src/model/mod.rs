//! The values everything else works on: the desired state as loaded, live
//! state as read, the writes an apply performs, and the rules' settings.
//! No behaviour beyond what a value says about itself.

pub mod desired;
pub mod live;
pub mod policy;
pub mod record;
pub mod write;

pub use desired::{
    Environment, Function, History, Migrations, Readback, SecretRef, Target, TargetSettings,
    Traits, VarValue, Variable, is_env_name,
};
pub use live::{AppliedMigration, HandleData, Handles, LiveFunction, LiveValue, Snapshot};
pub use write::{Write, deletes, sets};
