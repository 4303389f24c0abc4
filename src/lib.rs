//! envctl: declarative environments and secrets for apps on Supabase and a
//! frontend host such as Vercel.
//!
//! The shape: load the desired state ([`config`]), read live state through
//! [`provider`]s, [`plan::diff`] the two into a [`plan::Plan`], judge it with
//! [`rules::evaluate`], show it with [`render`], and [`apply`] it. The
//! middle of that pipeline is pure; I/O stays at the edges ([`engine`]).

pub mod audit;
pub mod cli;
pub mod clock;
pub mod code;
pub mod config;
pub mod engine;
pub mod error;
pub mod fs;
pub mod init;
pub mod keyed;
pub mod keyring;
pub mod log;
pub mod provider;
pub mod saved;
pub mod secret;
pub mod settings;

pub use error::Error;
/// The shared HTTP client, at the path the integration tests use.
pub use provider::http;

// The pure core, under the names the shell has always used.
pub use envctl_core::{apply, detect, diagnostic, plan, render, rules, yaml};
