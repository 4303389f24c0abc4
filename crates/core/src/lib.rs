//! envctl's pure core: the desired and live model, plans, rules and their
//! renderers. Nothing here touches the network, the disk, the clock or a
//! process; the shell (the `envctl` crate) does the I/O and hands values
//! in. The crate boundary enforces it: no I/O crate is a dependency, and
//! `clippy.toml` disallows `std::fs`, `std::env::var`, `SystemTime::now`
//! and `std::process::Command` (see docs/architecture.md).
//!
//! The pipeline: [`model`] values go through [`plan::diff`] into a
//! [`plan::Plan`], [`rules::evaluate`] judges it, [`render`] shows it,
//! and [`apply::writes`] turns it into the [`model::Write`]s a platform
//! performs.

pub mod apply;
pub mod code;
pub mod detect;
pub mod diagnostic;
pub mod glob;
pub mod keyed;
pub mod migration;
pub mod model;
pub mod plan;
pub mod render;
pub mod rules;
pub mod secret;
pub mod span;
pub mod yaml;
