//! The fake D1 database behind `POST …/d1/database/{id}/query`. It is not
//! SQLite: it keeps the rows of migration-history tables and a log of
//! everything sent, so tests can assert what a client sent and what the
//! history holds.
//!
//! A request's `sql` is split at `;` outside quotes and comments, and runs
//! as one batch: all of it, or (on the first failing statement) none of it,
//! as D1 runs a multi-statement query. Statements it understands, after
//! collapsing whitespace and ignoring keyword case:
//!
//! * `CREATE TABLE IF NOT EXISTS <t>(…)` and `CREATE TABLE <t> (…)` (the
//!   latter fails when `<t>` exists: `table <t> already exists`);
//! * `SELECT name|* FROM <t> ORDER BY id` (a missing table is `400`, code
//!   `7500`, `no such table: <t>: SQLITE_ERROR`; the code is unverified);
//! * `INSERT INTO <t> (name) values ('<name>')`, into a table created
//!   before: a row with the next id and the time (a repeated name fails
//!   `UNIQUE constraint failed: <t>.name: SQLITE_CONSTRAINT`).
//!
//! Any other statement succeeds and changes nothing, unless it contains a
//! text a test asked to fail ([`Database::fail_on`]): then the request
//! fails with D1's shape for an SQLite error (`400`, code `7500`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Error, FakeCloudflare, MigrationRow, database, iso, now_ms, ok};
use crate::server::Request;

impl FakeCloudflare {
    /// Every `sql` sent to a D1 database's query endpoint, in order.
    ///
    /// # Panics
    /// If the account or database does not exist.
    pub fn d1_queries(&self, account_id: &str, database_id: &str) -> Vec<String> {
        let mut state = self.lock();
        database(&mut state, account_id, database_id)
            .queries
            .clone()
    }

    /// Every statement that ran on a D1 database (in requests that
    /// succeeded), trimmed, in order.
    ///
    /// # Panics
    /// If the account or database does not exist.
    pub fn d1_statements(&self, account_id: &str, database_id: &str) -> Vec<String> {
        let mut state = self.lock();
        database(&mut state, account_id, database_id)
            .statements
            .clone()
    }

    /// Makes any statement containing `text` fail with `message` (as
    /// SQLite words it), failing its whole request.
    ///
    /// # Panics
    /// If the account or database does not exist.
    pub fn fail_d1_statements_containing(
        &self,
        account_id: &str,
        database_id: &str,
        text: &str,
        message: &str,
    ) {
        let mut state = self.lock();
        database(&mut state, account_id, database_id)
            .fail_on
            .push((text.to_string(), message.to_string()));
    }
}

/// One database: its history tables, what was sent, what must fail.
#[derive(Debug, Clone, Default)]
pub struct Database {
    /// Table name → rows; only tables created through the API or
    /// [`super::FakeCloudflare::record_migrations`] exist.
    pub tables: BTreeMap<String, Vec<MigrationRow>>,
    /// Every request's `sql`, as sent, in order (failed ones too).
    pub queries: Vec<String>,
    /// Every statement that ran (in requests that succeeded), trimmed.
    pub statements: Vec<String>,
    /// Texts that make a statement fail, with the message D1 gives.
    pub fail_on: Vec<(String, String)>,
}

/// A statement as the fake understands it.
#[derive(Debug, PartialEq, Eq)]
enum Sql {
    Select { all: bool, table: String },
    Create { table: String, if_not_exists: bool },
    Insert { table: String, name: String },
    Other,
}

fn ident(w: &str) -> Option<String> {
    let w = w.trim_matches(|c| c == '"' || c == '`');
    (!w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| w.to_string())
}

impl Sql {
    fn parse(sql: &str) -> Sql {
        let text = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text.trim_end_matches(';').trim();
        let words: Vec<&str> = text.split(' ').collect();
        let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let table_of = |w: &str| ident(w.split('(').next().unwrap_or(""));
        let parsed = match lower.as_slice() {
            ["select", col, "from", _, "order", "by", "id"] if *col == "name" || *col == "*" => {
                ident(words[3]).map(|table| Sql::Select {
                    all: *col == "*",
                    table,
                })
            }
            ["create", "table", "if", "not", "exists", _, ..] => {
                table_of(words[5]).map(|table| Sql::Create {
                    table,
                    if_not_exists: true,
                })
            }
            ["create", "table", _, ..] => table_of(words[2]).map(|table| Sql::Create {
                table,
                if_not_exists: false,
            }),
            ["insert", "into", _, "(name)", "values", ..] => {
                let rest = words[5..].join(" ");
                let name = rest
                    .strip_prefix("('")
                    .and_then(|r| r.strip_suffix("')"))
                    .filter(|n| !n.contains('\''));
                match (ident(words[2]), name) {
                    (Some(table), Some(name)) => Some(Sql::Insert {
                        table,
                        name: name.to_string(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        parsed.unwrap_or(Sql::Other)
    }
}

/// `sql` split at each `;` outside `'…'`, `"…"`, `--` and `/* */`;
/// pieces with nothing but whitespace and comments are dropped.
fn split(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut code = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                current.push(c);
                code = true;
                for d in chars.by_ref() {
                    current.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                current.push(c);
                for d in chars.by_ref() {
                    current.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                current.push(c);
                let mut last = ' ';
                for d in chars.by_ref() {
                    current.push(d);
                    if last == '*' && d == '/' {
                        break;
                    }
                    last = d;
                }
            }
            ';' => {
                if code {
                    out.push(current.trim().to_string());
                }
                current.clear();
                code = false;
            }
            c => {
                code |= !c.is_whitespace();
                current.push(c);
            }
        }
    }
    if code {
        out.push(current.trim().to_string());
    }
    out
}

fn sqlite_error(message: &str) -> Error {
    // Code unverified: D1 reports SQLite errors as 7500.
    Error::new(400, 7500, message)
}

/// Runs one statement on `db`; its result rows.
fn run(db: &mut Database, statement: &str) -> Result<Vec<Value>, Error> {
    if let Some((_, message)) = db
        .fail_on
        .iter()
        .find(|(t, _)| statement.contains(t.as_str()))
    {
        return Err(sqlite_error(&format!("{message}: SQLITE_ERROR")));
    }
    match Sql::parse(statement) {
        Sql::Create {
            table,
            if_not_exists,
        } => {
            if db.tables.contains_key(&table) && !if_not_exists {
                return Err(sqlite_error(&format!(
                    "table {table} already exists: SQLITE_ERROR"
                )));
            }
            db.tables.entry(table).or_default();
            Ok(Vec::new())
        }
        Sql::Select { all, table } => {
            let rows = db
                .tables
                .get(&table)
                .ok_or_else(|| sqlite_error(&format!("no such table: {table}: SQLITE_ERROR")))?;
            Ok(rows
                .iter()
                .map(|r| {
                    if all {
                        json!({ "id": r.id, "name": r.name, "applied_at": r.applied_at })
                    } else {
                        json!({ "name": r.name })
                    }
                })
                .collect())
        }
        Sql::Insert { table, name } => {
            let rows = db
                .tables
                .get_mut(&table)
                .ok_or_else(|| sqlite_error(&format!("no such table: {table}: SQLITE_ERROR")))?;
            if rows.iter().any(|r| r.name == name) {
                return Err(Error::new(
                    400,
                    7500,
                    &format!("UNIQUE constraint failed: {table}.name: SQLITE_CONSTRAINT"),
                ));
            }
            push(rows, &name);
            Ok(Vec::new())
        }
        Sql::Other => Ok(Vec::new()),
    }
}

/// A history row as SQLite's `CURRENT_TIMESTAMP` writes it.
pub fn push(rows: &mut Vec<MigrationRow>, name: &str) {
    let id = rows.last().map_or(1, |r| r.id + 1);
    rows.push(MigrationRow {
        id,
        name: name.to_string(),
        applied_at: iso(now_ms()).replace('T', " ").replace(".000Z", "")[..19].to_string(),
    });
}

/// `POST …/query`: the request's statements as one batch.
pub fn query(db: &mut Database, request: &Request) -> Result<crate::server::Response, Error> {
    let body = request
        .json()
        .map_err(|e| Error::new(400, 7400, &format!("Invalid request body: {e}")))?;
    let Some(sql) = body.get("sql").and_then(Value::as_str) else {
        return Err(Error::new(400, 7400, "The request body needs `sql`"));
    };
    db.queries.push(sql.to_string());
    let statements = split(sql);
    if statements.is_empty() {
        return Err(sqlite_error("No SQL statements detected."));
    }
    let mut next = db.clone();
    let mut results = Vec::new();
    for statement in &statements {
        let rows = run(&mut next, statement)?;
        next.statements.push(statement.clone());
        let read = rows.len();
        results.push(json!({
            "results": rows,
            "success": true,
            "meta": {
                "changed_db": false,
                "changes": 0,
                "duration": 0.1,
                "last_row_id": 0,
                "rows_read": read,
                "rows_written": 0,
                "size_after": 16384
            }
        }));
    }
    *db = next;
    Ok(ok(Value::Array(results)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_matcher_knows_wranglers_statements() {
        assert_eq!(
            Sql::parse("SELECT name\n  FROM d1_migrations ORDER BY id;"),
            Sql::Select {
                all: false,
                table: "d1_migrations".into()
            }
        );
        assert_eq!(
            Sql::parse("SELECT *\n\t\tFROM my_table\n\t\tORDER BY id"),
            Sql::Select {
                all: true,
                table: "my_table".into()
            }
        );
        assert_eq!(
            Sql::parse(
                "CREATE TABLE IF NOT EXISTS d1_migrations(\n\t\tid INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE)"
            ),
            Sql::Create {
                table: "d1_migrations".into(),
                if_not_exists: true
            }
        );
        assert_eq!(
            Sql::parse("\n\t\tINSERT INTO d1_migrations (name)\n\t\tvalues ('0001_init.sql')"),
            Sql::Insert {
                table: "d1_migrations".into(),
                name: "0001_init.sql".into()
            }
        );
        assert_eq!(Sql::parse("DROP TABLE d1_migrations"), Sql::Other);
    }

    #[test]
    fn statements_split_outside_quotes_and_comments() {
        assert_eq!(
            split(
                "CREATE TABLE a (x TEXT DEFAULT ';'); -- c;\n/* d; */ INSERT INTO b VALUES (\";\");\n\t\t"
            ),
            [
                "CREATE TABLE a (x TEXT DEFAULT ';')",
                "-- c;\n/* d; */ INSERT INTO b VALUES (\";\")"
            ]
        );
        assert!(split("  -- only a comment\n").is_empty());
    }
}
