//! Splitting a migration file into statements, the way PostgreSQL's own
//! lexer (and psql) sees them, and trimming each as the Supabase CLI's
//! `parser.SplitAndTrim` does, so the history rows envctl writes are the
//! ones `supabase db push` would write.
//!
//! A `;` ends a statement only outside:
//! - `--` line comments and `/* */` block comments (nested, as in Postgres);
//! - `'…'` strings (`''` is a quote inside), `E'…'` strings (where `\'`
//!   is one too), and `"…"` identifiers (`""` inside);
//! - dollar-quoted bodies: `$$…$$`, `$tag$…$tag$` (a `$` inside an
//!   identifier such as `a$b` opens nothing, and `$1` is a parameter);
//! - parentheses (`CREATE RULE … DO (…; …)`);
//! - a SQL-standard function body: `CREATE [OR REPLACE] FUNCTION|PROCEDURE
//!   … BEGIN ATOMIC … END`, with `CASE … END` counted inside it (psql's
//!   heuristic).
//!
//! Each statement keeps its comments and inner whitespace; the text between
//! two `;` is trimmed of whitespace, the `;` dropped, and empty ones left
//! out. Comments after the last `;` make a statement of their own, as they
//! do for the Supabase CLI.

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement as recorded: trimmed, without its `;`.
    pub text: String,
    /// The line of the file where `text` begins (1-based).
    pub line: usize,
}

impl Statement {
    /// The first line with SQL on it (comment lines skipped), and its line
    /// number in the file, for messages.
    pub fn headline(&self) -> (usize, &str) {
        let mut in_block = false;
        for (i, line) in self.text.lines().enumerate() {
            let t = line.trim();
            if in_block {
                if t.contains("*/") {
                    in_block = false;
                }
                continue;
            }
            if t.is_empty() || t.starts_with("--") {
                continue;
            }
            if t.starts_with("/*") {
                in_block = !t.contains("*/");
                if in_block || t.ends_with("*/") {
                    continue;
                }
            }
            return (self.line + i, t);
        }
        (self.line, self.text.lines().next().unwrap_or("").trim())
    }

    /// The file line of a 1-based character position in the statement (as
    /// PostgreSQL reports an error's position).
    pub fn line_of(&self, position: usize) -> usize {
        let upto = self
            .text
            .char_indices()
            .nth(position.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| i);
        self.line + self.text[..upto].matches('\n').count()
    }
}

/// The statements' texts, as the history table records them.
pub fn split_and_trim(sql: &str) -> Vec<String> {
    split(sql).into_iter().map(|s| s.text).collect()
}

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn ident_cont(b: u8) -> bool {
    ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// Where the statement's first words put it: psql's `CREATE [OR REPLACE]
/// FUNCTION|PROCEDURE` test, from the first four words.
#[derive(Default)]
struct Words {
    first: [u8; 4],
    count: usize,
}

impl Words {
    fn push(&mut self, word: &str) {
        if self.count < self.first.len() {
            let lower = word.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "create" | "function" | "procedure" | "or" | "replace"
            ) {
                self.first[self.count] = lower.as_bytes()[0];
            }
        }
        self.count += 1;
    }

    fn in_routine(&self) -> bool {
        let w = &self.first;
        w[0] == b'c'
            && (w[1] == b'f'
                || w[1] == b'p'
                || (w[1] == b'o' && w[2] == b'r' && matches!(w[3], b'f' | b'p')))
    }
}

/// Splits `sql` into trimmed statements.
pub fn split(sql: &str) -> Vec<Statement> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut parens = 0usize;
    let mut begins = 0usize;
    let mut words = Words::default();
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        match b {
            b'-' | b'/' if comment_end(bytes, i).is_some() => {
                i = comment_end(bytes, i).unwrap_or(n);
            }
            b'\'' => i = skip_quoted(bytes, i, b'\'', false),
            b'"' => i = skip_quoted(bytes, i, b'"', false),
            b'$' => {
                // `$tag$` opens a body that only the same `$tag$` closes;
                // `$1` is a parameter.
                if let Some(end) = dollar_quote_end(sql, i) {
                    i = end;
                } else {
                    i += 1;
                    while i < n && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            b'(' => {
                parens += 1;
                i += 1;
            }
            b')' => {
                parens = parens.saturating_sub(1);
                i += 1;
            }
            b';' => {
                i += 1;
                if parens == 0 && begins == 0 {
                    push(&mut out, sql, start, i);
                    start = i;
                    words = Words::default();
                }
            }
            b if ident_start(b) => {
                let from = i;
                while i < n && ident_cont(bytes[i]) {
                    i += 1;
                }
                let word = &sql[from..i];
                // E'…' (and e'…'): backslash escapes inside.
                if (word == "E" || word == "e") && bytes.get(i) == Some(&b'\'') {
                    i = skip_quoted(bytes, i, b'\'', true);
                    continue;
                }
                words.push(word);
                if words.in_routine() && parens == 0 {
                    if word.eq_ignore_ascii_case("begin") {
                        begins += 1;
                    } else if word.eq_ignore_ascii_case("case") {
                        if begins > 0 {
                            begins += 1;
                        }
                    } else if word.eq_ignore_ascii_case("end") {
                        begins = begins.saturating_sub(1);
                    }
                }
            }
            b if b.is_ascii_digit() => {
                // A number; `1e10` and `1abc` must not start identifiers.
                while i < n
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.' || bytes[i] == b'_')
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    push(&mut out, sql, start, n);
    out
}

/// What a statement runs: its text without comments, whitespace and `;`
/// outside literals (strings, quoted identifiers and dollar-quoted bodies
/// are kept verbatim). Two texts with the same code differ only in
/// comments, spacing, or where they were split.
pub fn code(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let n = bytes.len();
    let mut out = String::with_capacity(n);
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        let from = i;
        match b {
            b'-' | b'/' if comment_end(bytes, i).is_some() => {
                i = comment_end(bytes, i).unwrap_or(n);
                continue;
            }
            b';' => {
                i += 1;
                continue;
            }
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'\'' | b'"' => i = skip_quoted(bytes, i, b, false),
            b'$' => {
                if let Some(end) = dollar_quote_end(sql, i) {
                    i = end;
                } else {
                    i += 1;
                }
            }
            b if ident_start(b) => {
                while i < n && ident_cont(bytes[i]) {
                    i += 1;
                }
                let word = &sql[from..i];
                if (word == "E" || word == "e") && bytes.get(i) == Some(&b'\'') {
                    i = skip_quoted(bytes, i, b'\'', true);
                }
            }
            _ => {
                // One character, whole.
                i += sql[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        out.push_str(&sql[from..i]);
    }
    out
}

/// Past the closing quote of a string or quoted identifier opened at
/// `open`; a doubled quote stays inside, and so does `\'` with
/// `backslash`. An unterminated one runs to the end.
/// Where the dollar-quoted body opened by the `$tag$` (or `$$`) at `i`
/// ends, just past its closing tag (unterminated: the end); `None` when no
/// tag opens at `i` (`$1`, or a lone `$`).
fn dollar_quote_end(sql: &str, i: usize) -> Option<usize> {
    let bytes = sql.as_bytes();
    let n = bytes.len();
    let mut j = i + 1;
    if j < n && ident_start(bytes[j]) {
        j += 1;
        while j < n && (ident_start(bytes[j]) || bytes[j].is_ascii_digit()) {
            j += 1;
        }
    }
    if bytes.get(j) != Some(&b'$') {
        return None;
    }
    let tag = &sql[i..=j];
    Some(sql[j + 1..].find(tag).map_or(n, |k| j + 1 + k + tag.len()))
}

/// Where the comment starting at `i` ends (just past it), if one starts
/// there: `--` to the end of the line, `/* */` nested as PostgreSQL nests
/// them (an unterminated one runs to the end).
pub(super) fn comment_end(bytes: &[u8], i: usize) -> Option<usize> {
    let n = bytes.len();
    match (bytes[i], bytes.get(i + 1)) {
        (b'-', Some(b'-')) => Some(memchr(b'\n', bytes, i).map_or(n, |j| j + 1)),
        (b'/', Some(b'*')) => {
            let (mut depth, mut j) = (1, i + 2);
            while j < n && depth > 0 {
                match (bytes[j], bytes.get(j + 1)) {
                    (b'/', Some(b'*')) => (depth, j) = (depth + 1, j + 2),
                    (b'*', Some(b'/')) => (depth, j) = (depth - 1, j + 2),
                    _ => j += 1,
                }
            }
            Some(j)
        }
        _ => None,
    }
}

fn skip_quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        let b = bytes[i];
        if backslash && b == b'\\' {
            i += 2;
        } else if b == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

fn memchr(needle: u8, bytes: &[u8], from: usize) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == needle)
        .map(|k| from + k)
}

/// Trims `sql[start..end]` as `SplitAndTrim` does (trailing `;` first,
/// then whitespace) and keeps it unless empty.
fn push(out: &mut Vec<Statement>, sql: &str, start: usize, end: usize) {
    let token = sql[start..end.min(sql.len())].trim_end_matches(';');
    let text = token.trim();
    if text.is_empty() {
        return;
    }
    let lead = token.len() - token.trim_start().len();
    let line = 1 + sql[..start + lead].matches('\n').count();
    out.push(Statement {
        text: text.to_string(),
        line,
    });
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
