//! A PostgreSQL client for an environment's database
//! (`migrations.database_url`), reached directly as the Supabase CLI's
//! `db push` does: the connection (TLS by libpq's `sslmode`), the history
//! table `supabase_migrations.schema_migrations`, and applying files as
//! the CLI runs them.
//!
//! It takes a resolved URL; [`crate::provider::credentials::database_url`]
//! resolves the reference in the environment file.

mod apply;
pub mod db;
pub mod history;
mod run;
mod tls;

pub use apply::{Applied, ApplyError, FailedAt, FailedStatement, Failure};
pub use db::{Database, HistoryRow};
