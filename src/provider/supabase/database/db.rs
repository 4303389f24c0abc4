//! The database of an environment, reached directly (as the Supabase CLI's
//! `db push` does): the history table `supabase_migrations.schema_migrations`
//! read and written with the CLI's own statements.
//!
//! The URL holds a password: it is never printed. Messages name the
//! database as `user@host:port/dbname`, and any error text is scrubbed of
//! the password before it is shown.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config};

use super::super::files::version_order;
use super::tls::MakeRustls;
use crate::provider::tls::{self, Check};
use envctl_core::secret::Secret;

/// The Supabase CLI's statements (2.117.0, read in the server's log).
/// Whether the history table is already there, with its three columns:
/// then nothing is created (no `CREATE` privilege is needed).
pub const PROVISIONED: &str = "SELECT count(*) = 3 AS provisioned FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE a.attrelid = pg_catalog.to_regclass('supabase_migrations.schema_migrations') AND c.relkind IN ('r', 'p') AND NOT a.attisdropped AND a.attname IN ('version', 'name', 'statements')";
/// Otherwise, in one transaction: the lock timeout is the transaction's
/// own, so it never reaches a migration.
pub const CREATE_TABLE: [&str; 5] = [
    "SET LOCAL lock_timeout = '4s'",
    "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
    "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]",
    "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text",
];
pub const SELECT_HISTORY: &str = "SELECT version, coalesce(name, '') as name, statements FROM supabase_migrations.schema_migrations";
pub const SELECT_VERSIONS: &str =
    "SELECT version FROM supabase_migrations.schema_migrations ORDER BY version";
pub const INSERT_VERSION: &str = "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One row of the history table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub version: String,
    pub name: String,
    /// `None` when the row has none: an empty file (`{}`), or a row
    /// written by `migration repair` or an old CLI (`NULL`).
    pub statements: Option<Vec<String>>,
}

/// A database URL, parsed, with what may be shown of it.
#[derive(Clone)]
pub struct Database {
    config: Config,
    tls: Arc<rustls::ClientConfig>,
    pub(super) shown: String,
    /// Texts never to show: the password.
    hidden: Vec<Secret>,
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({})", self.shown)
    }
}

impl Database {
    /// Parses a `postgresql://` URL. `sslmode` takes libpq's values
    /// (`disable`, `allow`, `prefer`, `require`, `verify-ca`,
    /// `verify-full`); `sslrootcert` is a PEM file, relative to `root`.
    /// Messages never include the URL.
    pub fn parse(url: &Secret, root: &Path) -> Result<Database, String> {
        let url = url.expose().trim();
        let Some(rest) = url
            .strip_prefix("postgresql://")
            .or_else(|| url.strip_prefix("postgres://"))
        else {
            return Err(
                "the database URL does not start with postgresql:// (expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE)"
                    .to_string(),
            );
        };
        let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut mode = "prefer".to_string();
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "sslmode" => mode = decode(value),
                "sslrootcert" => root_cert = Some(root.join(decode(value))),
                _ => kept.push(pair),
            }
        }
        let (pg_mode, check) = match mode.as_str() {
            "disable" => ("disable", Check::Nothing),
            "allow" | "prefer" => ("prefer", Check::Nothing),
            "require" => ("require", Check::Nothing),
            "verify-ca" => ("require", Check::Chain),
            "verify-full" => ("require", Check::Full),
            _ => {
                return Err(
                    "the database URL's sslmode is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        .to_string(),
                );
            }
        };
        kept.push(match pg_mode {
            "disable" => "sslmode=disable",
            "prefer" => "sslmode=prefer",
            _ => "sslmode=require",
        });
        let rebuilt = format!("postgresql://{base}?{}", kept.join("&"));
        let mut config = Config::from_str(&rebuilt).map_err(|e| {
            // tokio-postgres names options, not values; scrub anyway.
            let text = e.to_string().replace(url, "<database URL>");
            format!("the database URL is not valid: {text}")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("envctl");
        }
        let mut hidden = Vec::new();
        if let Some(password) = config.get_password() {
            hidden.push(Secret::new(String::from_utf8_lossy(password).into_owned()));
        }
        let authority = base.split('/').next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, raw)) = userinfo.split_once(':')
        {
            hidden.push(Secret::new(raw.to_string()));
        }
        // Scrubbing a very short password would garble every message; the
        // database's messages never quote it anyway.
        hidden.retain(|s| s.expose().len() >= 4);
        hidden.push(Secret::new(url.to_string()));
        let tls = if pg_mode == "disable" {
            Arc::new(tls::config(Check::Nothing, None)?)
        } else {
            Arc::new(tls::config(check, root_cert.as_deref())?)
        };
        let shown = shown(&config);
        Ok(Database {
            config,
            tls,
            shown,
            hidden,
        })
    }

    /// `user@host:port/dbname`: the database, without the password.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Removes the password from a text meant for output.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.hidden {
            if !secret.expose().is_empty() {
                text = text.replace(secret.expose(), "***");
            }
        }
        text
    }

    pub(super) async fn connect(&self) -> Result<Client, String> {
        crate::log::debug(|| format!("database: connecting to {}", self.shown));
        let (client, connection) = self
            .config
            .connect(MakeRustls(self.tls.clone()))
            .await
            .map_err(|e| self.connect_error(&e))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                crate::log::debug(|| format!("database connection closed: {e}"));
            }
        });
        Ok(client)
    }

    fn connect_error(&self, e: &tokio_postgres::Error) -> String {
        let text = self.scrub(&error_text(e));
        let hint = if text.contains("not valid for name") {
            "\n  help: the server's certificate does not name this host: use the host name it was issued for, or `sslmode=verify-ca` to check only that a trusted CA signed it"
        } else if text.contains("certificate") || text.contains("UnknownIssuer") {
            "\n  help: the server's certificate is not signed by a CA envctl trusts; for Supabase, download the project's CA certificate (Database settings → SSL) and add `sslrootcert=PATH` to the URL, with `sslmode=verify-full`"
        } else if text.contains("password authentication failed") {
            "\n  help: check the password in the database URL (Supabase: Database settings → Connection string)"
        } else if text.contains("does not support TLS") || text.contains("server does not support")
        {
            "\n  help: this server does not offer TLS; add `sslmode=disable` to the URL only if it is on this machine or a trusted network"
        } else if text.contains("timed out") || text.contains("refused") || text.contains("resolve")
        {
            "\n  help: is the host right, and reachable from here? Supabase's direct host (db.<ref>.supabase.co) is IPv6-only; the session pooler's URL works over IPv4"
        } else {
            ""
        };
        format!(
            "cannot connect to the database {}: {text}{hint}",
            self.shown
        )
    }

    /// The history table, as the Supabase CLI reads it; no table means
    /// nothing applied.
    pub async fn history(&self) -> Result<Vec<HistoryRow>, String> {
        let client = self.connect().await?;
        let rows = read_history(&client)
            .await
            .map_err(|e| self.query_error("reading the migration history", &e))?;
        crate::log::debug(|| {
            format!(
                "database: {} applied migration{} in {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                self.shown
            )
        });
        Ok(rows)
    }

    pub(super) fn query_error(&self, doing: &str, e: &tokio_postgres::Error) -> String {
        format!(
            "{doing} from {}: {}",
            self.shown,
            self.scrub(&error_text(e))
        )
    }
}

pub(super) async fn read_history(
    client: &Client,
) -> Result<Vec<HistoryRow>, tokio_postgres::Error> {
    let rows = match client.query_typed(SELECT_HISTORY, &[]).await {
        Ok(rows) => rows,
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_TABLE) => return Ok(Vec::new()),
        // A table from an old CLI: versions only.
        Err(e) if e.code() == Some(&SqlState::UNDEFINED_COLUMN) => {
            return Ok(client
                .query_typed(SELECT_VERSIONS, &[])
                .await?
                .into_iter()
                .map(|row| HistoryRow {
                    version: row.get(0),
                    name: String::new(),
                    statements: None,
                })
                .collect());
        }
        Err(e) => return Err(e),
    };
    let mut out: Vec<HistoryRow> = rows
        .into_iter()
        .map(|row| {
            let statements: Option<Vec<Option<String>>> = row.get(2);
            HistoryRow {
                version: row.get(0),
                name: row.get(1),
                statements: statements
                    .map(|s| {
                        s.into_iter()
                            .map(Option::unwrap_or_default)
                            .collect::<Vec<_>>()
                    })
                    .filter(|s| !s.is_empty()),
            }
        })
        .collect();
    out.sort_by(|a, b| version_order(&a.version, &b.version));
    Ok(out)
}

/// A tokio-postgres error as one line: the database's own message with its
/// SQLSTATE, detail and hint, or the connection problem.
pub(super) fn error_text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; detail: {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("; hint: {hint}"));
        }
        return text;
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(&format!(": {more}"));
        }
        source = s.source();
    }
    text
}

fn shown(config: &Config) -> String {
    let user = config.get_user().unwrap_or("postgres");
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

/// `%XX` decoding for query values.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "db_tests.rs"]
mod tests;
