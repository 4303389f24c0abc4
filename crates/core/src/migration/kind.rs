//! How `supabase db push` (CLI 2.117.0) runs each statement of a file,
//! decided as the CLI decides it: from the statement's first words, after
//! its leading comments, whatever the case.
//!
//! - A file with a transaction control statement (`BEGIN`, `START`,
//!   `COMMIT`, `END`, `ROLLBACK` but not `ROLLBACK TO`, `ABORT`,
//!   `PREPARE TRANSACTION`) runs statement by statement, each committed
//!   on its own unless the file opened a transaction.
//! - Any other file runs as a pipeline: one transaction with its history
//!   row, cut where a statement matches the CLI's list of statements that
//!   cannot run in a transaction block ([`runs_alone`]); such a statement
//!   runs on its own, and what ran before it is committed.
//!
//! In that pipeline PostgreSQL is outside a transaction block, so `LOCK`,
//! `SAVEPOINT`, `RELEASE`, `ROLLBACK TO` and `DECLARE … CURSOR` fail
//! there ([`needs_block`]).

use std::sync::OnceLock;

use regex::Regex;

use super::split;

/// The statement without its leading whitespace and comments.
pub fn leading_code(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if let Some(end) = split::comment_end(bytes, i) {
            i = end;
        } else {
            break;
        }
    }
    &text[i..]
}

/// Whether the statement is only comments (it runs as an empty query).
pub fn is_empty(text: &str) -> bool {
    leading_code(text).is_empty()
}

/// The CLI's patterns for statements that cannot run in a transaction
/// block: each runs on its own, outside the file's transaction.
pub fn runs_alone(text: &str) -> bool {
    static RE: OnceLock<Vec<Regex>> = OnceLock::new();
    let patterns = RE.get_or_init(|| {
        [
            r"^VACUUM(\s|\(|\z)",
            r"^CLUSTER(\s|\z)",
            r"^ALTER\s+SYSTEM(\s|\z)",
            r"^CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY(\s|\z)",
            r"^DROP\s+INDEX\s+CONCURRENTLY(\s|\z)",
            r"^REINDEX(\s|\().*\sCONCURRENTLY(\s|\z)",
        ]
        .iter()
        .map(|p| {
            // ASCII `\s`, as Go's; `.` stops at a line end, as Go's does.
            let p = p.replace(r"\s", r"[\t\n\f\r ]");
            Regex::new(&format!("(?i){p}")).expect("valid pattern")
        })
        .collect()
    });
    let code = leading_code(text);
    patterns.iter().any(|re| re.is_match(code))
}

/// The first `n` words of the statement's code, upper-cased.
fn words(text: &str, n: usize) -> Vec<String> {
    leading_code(text)
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

/// What a transaction control statement does to an open transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`,
    /// `COMMIT PREPARED`, `ROLLBACK PREPARED`: no transaction is open
    /// after it (`… AND CHAIN` keeps one open).
    End,
    /// `… AND CHAIN`: ends one transaction and opens the next.
    Chain,
}

/// The transaction control statements that make the CLI run a file
/// statement by statement; `None` for any other statement.
pub fn control(text: &str) -> Option<Control> {
    let w = words(text, 8);
    let first = w.first().map(String::as_str)?;
    let second = w.get(1).map(String::as_str);
    let chain = w.windows(2).any(|p| p[0] == "AND" && p[1] == "CHAIN")
        && !w.windows(2).any(|p| p[0] == "NO" && p[1] == "CHAIN");
    let ends = |chain: bool| Some(if chain { Control::Chain } else { Control::End });
    match first {
        "BEGIN" | "START" => Some(Control::Begin),
        "COMMIT" | "END" => ends(chain),
        "ABORT" => ends(chain),
        "ROLLBACK" => {
            let rest = w[1..]
                .iter()
                .find(|x| !matches!(x.as_str(), "WORK" | "TRANSACTION"));
            if rest.map(String::as_str) == Some("TO") {
                None
            } else {
                ends(chain)
            }
        }
        "PREPARE" if second == Some("TRANSACTION") => ends(false),
        _ => None,
    }
}

/// PostgreSQL's name for a statement it runs only inside a transaction
/// block (`LOCK TABLE`, `SAVEPOINT`, …), as in its error message.
pub fn needs_block(text: &str) -> Option<&'static str> {
    let w = words(text, 24);
    match w.first().map(String::as_str)? {
        "LOCK" => Some("LOCK TABLE"),
        "SAVEPOINT" => Some("SAVEPOINT"),
        "RELEASE" => Some("RELEASE SAVEPOINT"),
        "ROLLBACK" if control(text).is_none() => Some("ROLLBACK TO SAVEPOINT"),
        "DECLARE" => {
            let upto_for: Vec<&str> = w
                .iter()
                .map(String::as_str)
                .take_while(|x| *x != "FOR")
                .collect();
            let hold = upto_for.windows(2).any(|p| p == ["WITH", "HOLD"]);
            (!hold).then_some("DECLARE CURSOR")
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "kind_tests.rs"]
mod tests;
