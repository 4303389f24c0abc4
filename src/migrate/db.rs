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
use std::time::{Duration, Instant};

use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Config, SimpleQueryMessage};

use super::files::{LocalFile, version_order};
use super::split::Statement;
use super::tls::MakeRustls;
use crate::secret::Secret;
use crate::tls::{self, Check};

/// The Supabase CLI's statements (pkg/migration/history.go).
pub const CREATE_TABLE: [&str; 5] = [
    "SET lock_timeout = '4s'",
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
    /// `None` when the row has none (an empty file, or a row written by
    /// `migration repair` or an old CLI).
    pub statements: Option<Vec<String>>,
}

/// A database URL, parsed, with what may be shown of it.
#[derive(Clone)]
pub struct Database {
    config: Config,
    tls: Arc<rustls::ClientConfig>,
    shown: String,
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

    /// The database a reference names: resolved (from the process
    /// environment, a file or a command) and parsed.
    pub fn open(
        reference: &crate::config::SecretRef,
        root: &Path,
        account: &str,
    ) -> Result<Database, String> {
        let url = crate::secret::resolve(reference, root, &crate::secret::ProcessEnv, account)
            .map_err(|why| format!("{reference}: {why}"))?;
        Database::parse(&url, root).map_err(|why| format!("{reference}: {why}"))
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

    async fn connect(&self) -> Result<Client, String> {
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

    fn query_error(&self, doing: &str, e: &tokio_postgres::Error) -> String {
        format!(
            "{doing} from {}: {}",
            self.shown,
            self.scrub(&error_text(e))
        )
    }

    /// Applies `files` in order, each in its own transaction with its
    /// history row, as `supabase db push` does. `live` is the history the
    /// plan saw: if it changed since, nothing is applied. `progress` hears
    /// of each file once it is committed.
    pub async fn apply(
        &self,
        files: &[LocalFile],
        live: &[String],
        mut progress: impl FnMut(&Applied),
    ) -> Result<Vec<Applied>, ApplyError> {
        // Every file is read and split before anything runs.
        let mut loaded = Vec::new();
        for file in files {
            let statements = file.statements().map_err(ApplyError::Before)?;
            loaded.push((file, statements));
        }
        let mut client = self.connect().await.map_err(ApplyError::Before)?;
        client
            .batch_execute(&CREATE_TABLE.join(";\n"))
            .await
            .map_err(|e| {
                ApplyError::Before(self.query_error("creating the migration history table", &e))
            })?;
        let now = read_history(&client).await.map_err(|e| {
            ApplyError::Before(self.query_error("reading the migration history", &e))
        })?;
        let mut now: Vec<String> = now.into_iter().map(|r| r.version).collect();
        now.sort_by(|a, b| version_order(a, b));
        let mut then = live.to_vec();
        then.sort_by(|a, b| version_order(a, b));
        if now != then {
            return Err(ApplyError::Before(format!(
                "the migration history of {} changed since it was read (someone applied or repaired migrations meanwhile); nothing was applied: plan again",
                self.shown
            )));
        }
        let mut done = Vec::new();
        for (file, statements) in &loaded {
            crate::log::debug(|| {
                format!(
                    "database: applying {} ({} statements) in one transaction",
                    file.file_name,
                    statements.len()
                )
            });
            let started = Instant::now();
            match apply_one(&mut client, file, statements).await {
                Ok(()) => {
                    let applied = Applied {
                        file: file.file_name.clone(),
                        version: file.version.clone(),
                        statements: statements.len(),
                        elapsed: started.elapsed(),
                    };
                    progress(&applied);
                    done.push(applied);
                }
                Err(failed) => {
                    let failure = self.failure(file, statements, failed);
                    return Err(ApplyError::Failed {
                        done,
                        failure: Box::new(failure),
                    });
                }
            }
        }
        Ok(done)
    }

    fn failure(&self, file: &LocalFile, statements: &[Statement], failed: Failed) -> Failure {
        let (index, error) = match failed {
            Failed::Statement(i, e) => (Some(i), e),
            Failed::Record(e) => (None, e),
        };
        let mut message = self.scrub(&error_text(&error));
        let statement = index.map(|i| {
            let st = &statements[i];
            let (line, text) = st.headline();
            let at = error
                .as_db_error()
                .and_then(|db| match db.position() {
                    Some(tokio_postgres::error::ErrorPosition::Original(p)) => Some(*p as usize),
                    _ => None,
                })
                .map(|p| st.line_of(p));
            if let Some(at) = at {
                message.push_str(&format!(" (line {at})"));
            }
            FailedStatement {
                number: i + 1,
                of: statements.len(),
                line,
                text: shorten(text, 120),
            }
        });
        Failure {
            file: file.file_name.clone(),
            statement,
            message,
        }
    }
}

async fn read_history(client: &Client) -> Result<Vec<HistoryRow>, tokio_postgres::Error> {
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

enum Failed {
    Statement(usize, tokio_postgres::Error),
    Record(tokio_postgres::Error),
}

/// One file in one transaction: its statements, then its history row. On
/// any error the transaction is rolled back.
async fn apply_one(
    client: &mut Client,
    file: &LocalFile,
    statements: &[Statement],
) -> Result<(), Failed> {
    let tx = client.transaction().await.map_err(Failed::Record)?;
    for (i, st) in statements.iter().enumerate() {
        let result: Result<Vec<SimpleQueryMessage>, _> = tx.simple_query(&st.text).await;
        if let Err(e) = result {
            let _ = tx.rollback().await;
            return Err(Failed::Statement(i, e));
        }
    }
    // As the CLI: a file without statements records NULL.
    let texts: Option<Vec<&str>> =
        (!statements.is_empty()).then(|| statements.iter().map(|s| s.text.as_str()).collect());
    let recorded = tx
        .query_typed(
            INSERT_VERSION,
            &[
                (&file.version, Type::TEXT),
                (&file.name, Type::TEXT),
                (&texts, Type::TEXT_ARRAY),
            ],
        )
        .await;
    if let Err(e) = recorded {
        let _ = tx.rollback().await;
        return Err(Failed::Record(e));
    }
    tx.commit().await.map_err(Failed::Record)
}

/// A file applied and recorded.
#[derive(Debug, Clone)]
pub struct Applied {
    pub file: String,
    pub version: String,
    pub statements: usize,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub enum ApplyError {
    /// Nothing was applied.
    Before(String),
    /// `done` were applied and recorded; the failing file was rolled back.
    Failed {
        done: Vec<Applied>,
        failure: Box<Failure>,
    },
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub file: String,
    /// `None` when recording the version failed (after every statement ran).
    pub statement: Option<FailedStatement>,
    /// The database's error, scrubbed.
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct FailedStatement {
    /// 1-based.
    pub number: usize,
    pub of: usize,
    /// The file line of `text`.
    pub line: usize,
    /// The statement's first line of SQL.
    pub text: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.statement {
            Some(s) => write!(
                f,
                "{} failed at statement {} of {} (line {}: {}):\n    {}",
                self.file, s.number, s.of, s.line, s.text, self.message
            ),
            None => write!(
                f,
                "{}: recording it in supabase_migrations.schema_migrations failed:\n    {}",
                self.file, self.message
            ),
        }
    }
}

/// A tokio-postgres error as one line: the database's own message with its
/// SQLSTATE, detail and hint, or the connection problem.
fn error_text(e: &tokio_postgres::Error) -> String {
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

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
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
mod tests {
    use super::*;

    fn parse(url: &str) -> Result<Database, String> {
        Database::parse(&Secret::new(url.to_string()), Path::new("/project"))
    }

    #[test]
    fn urls_are_shown_without_the_password() {
        let db = parse("postgresql://postgres.abc:S3cr%40t-pw@aws-0-eu.pooler.supabase.com:5432/postgres?sslmode=require").unwrap();
        assert_eq!(
            db.describe(),
            "postgres.abc@aws-0-eu.pooler.supabase.com:5432/postgres"
        );
        assert!(!format!("{db:?}").contains("S3cr"));
        assert_eq!(db.scrub("auth for S3cr@t-pw failed"), "auth for *** failed");
        assert_eq!(
            db.scrub("auth for S3cr%40t-pw failed"),
            "auth for *** failed"
        );
        let db = parse("postgres://u@localhost/app").unwrap();
        assert_eq!(db.describe(), "u@localhost:5432/app");
    }

    #[test]
    fn bad_urls_never_echo_the_url() {
        for (url, want) in [
            (
                "mysql://root:CANARYpw@h/db",
                "does not start with postgresql://",
            ),
            ("postgresql://u:CANARYpw@h/db?sslmode=always", "sslmode"),
            ("postgresql://u:CANARYpw@h:notaport/db", "not valid"),
            ("postgresql://u:CANARYpw@h/db?bogus=1", "not valid"),
        ] {
            let err = parse(url).unwrap_err();
            assert!(err.contains(want), "{url}: {err}");
            assert!(!err.contains("CANARY"), "{err}");
        }
    }

    #[test]
    fn sslrootcert_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.crt"), "not a certificate").unwrap();
        let err = Database::parse(
            &Secret::new("postgresql://u:p@h/db?sslmode=verify-full&sslrootcert=ca.crt".into()),
            dir.path(),
        )
        .unwrap_err();
        assert!(err.contains("ca.crt"), "{err}");
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(decode("a%2Fb%20c"), "a/b c");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
