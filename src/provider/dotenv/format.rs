//! The dotenv dialect Vite 6/7 and Next.js read: npm `dotenv`'s `parse` (one
//! multi-line regex, the same in 16.x to 18.x) followed by `dotenv-expand`
//! (10.x inside `@next/env`, 12.x bundled by Vite). `scan` ports that regex's
//! exact backtracking rather than a tidier grammar: envctl must read back
//! what the app will see, and write values the app reads unchanged. (Vite 8
//! parses with Node's `util.parseEnv`; what envctl writes reads the same
//! there unless it holds a carriage return or all three quote characters.)
//!
//! Decisions, checked against node (`tests/fixtures/dotenv/`):
//! - Duplicate keys: the last wins, as dotenv assigns into an object.
//!   `entries` lists a key once, where it first appears, with its last value;
//!   `set` rewrites the last one, `remove` removes all. `__proto__` is
//!   dropped: assigning it is a no-op in JS.
//! - `$` is written `\$`: dotenv-expand leaves a `$` with a `\` before it
//!   alone, then turns each `\$` into `$`, and nothing else touches
//!   backslashes, so one `\` before each `$` is exact. (11.x, used by Vite 5,
//!   drops one more `\` before `$NAME`, so a literal `\$NAME` differs there.)
//! - Unrepresentable (`try_encode_value` refuses): values that need quotes
//!   (for `#`, a line break, surrounding spaces, a leading quote) and end in
//!   `\`; that need quotes and hold all three quote kinds unescaped; that hold
//!   a CR (double quotes only) and an unescaped `"` or a literal `\n`/`\r`.
//!   dotenv has no escape that spells these whatever lines follow.
//! - `ParseError` for what dotenv would silently misread: an unterminated
//!   quote, text after a closing quote, a key whose `=` or value starts on a
//!   later line, two assignments on one line, and any other line with `=` or
//!   `:` (such as `MY KEY=1` or `KEY:value`). Other non-comment lines are
//!   kept as opaque text.
//! - `get`/`entries` apply `\$` → `$`. A value that still references `$NAME`
//!   or `${NAME}` depends on the reader's environment: it is returned as
//!   dotenv parsed it, and `has_expansion` says so.

use std::collections::HashMap;
use std::fmt;

pub use super::encode::{encode_value, try_encode_value};

pub(super) const QUOTES: [char; 3] = ['\'', '"', '`'];

/// JS `\s`, which is also what `String.prototype.trim` strips.
pub(super) fn js_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | ' ' | '\u{2000}'..='\u{200a}')
        || "\u{a0}\u{1680}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}\u{feff}".contains(c)
}

/// Where JS `^` and `$` match in multi-line mode.
fn js_line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// The first index at or after `from` whose char satisfies `p`, or the end.
fn next(t: &[char], from: usize, p: impl Fn(char) -> bool) -> usize {
    let found = (from.min(t.len())..t.len()).find(|&i| p(t[i]));
    found.unwrap_or(t.len())
}

fn skip_ws(t: &[char], i: usize) -> usize {
    next(t, i, |c| !js_space(c)).max(i)
}

/// The regex's tail `\s*(?:#.*)?$` at `y`: where a match ending there ends.
fn tail(t: &[char], y: usize) -> Option<usize> {
    let w = skip_ws(t, y);
    match t.get(w) {
        None => Some(w),
        Some('#') => Some(next(t, w, js_line_end)),
        _ => (y..w).rev().find(|&i| js_line_end(t[i])),
    }
}

/// `Q(?:\\Q|[^Q])*Q` plus tail, from the opening quote at `s`, tried in the
/// regex's order: the first unescaped quote, then each `\Q` from the last
/// back. The error holds that first unescaped quote, if any.
fn close_quote(t: &[char], s: usize) -> Result<usize, Option<usize>> {
    let (q, mut pairs, mut bare, mut x) = (t[s], Vec::new(), None, s + 1);
    while x < t.len() && bare.is_none() {
        if t[x] == '\\' && t.get(x + 1) == Some(&q) {
            pairs.push(x + 1);
            x += 1;
        } else if t[x] == q {
            bare = Some(x);
        }
        x += 1;
    }
    let mut order = bare.into_iter().chain(pairs.into_iter().rev());
    order.find(|&c| tail(t, c + 1).is_some()).ok_or(bare)
}

/// JS `v.replace(/^(['"`])([\s\S]*)\1$/mg, '$2')`.
fn strip_quotes(v: &[char]) -> String {
    let (mut out, mut done, mut p) = (String::new(), 0, 0);
    while p < v.len() {
        let opens = (p == 0 || js_line_end(v[p - 1])) && QUOTES.contains(&v[p]);
        let ends = |c: &usize| v[*c] == v[p] && v.get(c + 1).is_none_or(|&n| js_line_end(n));
        if opens && let Some(c) = (p + 1..v.len()).rev().find(ends) {
            out.extend(&v[done..p]);
            out.extend(&v[p + 1..c]);
            (done, p) = (c + 1, c + 1);
        } else {
            p += 1;
        }
    }
    out.extend(&v[done..]);
    out
}

fn unescape_double(v: &str) -> String {
    v.replace("\\n", "\n").replace("\\r", "\r")
}

/// A `$` without a `\` before it that some dotenv-expand version takes as a
/// reference (10: `$`, `\w`; 11: `$`, `{`, `\w` or `.`; 12: `${` or `$`, letter).
fn expands(v: &str) -> bool {
    let name = |c: char| matches!(c, '{' | '.' | '_') || c.is_ascii_alphanumeric();
    let mut dollars = v.match_indices('$');
    dollars.any(|(i, _)| !v[..i].ends_with('\\') && v[i + 1..].starts_with(name))
}

/// One regex match, in char indices of the newline-normalised text.
struct Match {
    start: usize,
    key: (usize, usize),
    sep: usize,
    span: (usize, usize),
    bad_quote: Option<(usize, Option<usize>)>,
    value: String,
    end: usize,
}

fn match_at(t: &[char], q: usize) -> Option<Match> {
    let export = t[q..].starts_with(&['e', 'x', 'p', 'o', 'r', 't']);
    let prefixed = match t.get(q + 6) {
        Some(&c) if export && js_space(c) => match_key(t, skip_ws(t, q + 6)),
        _ => None,
    };
    let prefixed = prefixed.map(|m| Match { start: q, ..m });
    prefixed.or_else(|| match_key(t, q))
}

fn match_key(t: &[char], k: usize) -> Option<Match> {
    let ke = k + t.get(k..)?.iter().take_while(|&&c| key_char(c)).count();
    let w = skip_ws(t, ke);
    let (sep, r) = match (t.get(w), t.get(ke), t.get(ke + 1)) {
        _ if ke == k => return None,
        (Some('='), _, _) => (w, w + 1),
        (_, Some(':'), Some(&c)) if js_space(c) => (ke, ke + 2),
        _ => return None,
    };
    let s = skip_ws(t, r);
    let quoted = t.get(s).filter(|c| QUOTES.contains(c));
    let quoted = quoted.map(|_| close_quote(t, s));
    let (span, value, after) = match quoted {
        Some(Ok(c)) => ((s, c + 1), t[s + 1..c].iter().collect(), c + 1),
        _ => {
            // `[^#\r\n]+`, trimmed; an unterminated quote falls back to it.
            let e = next(t, r, |c| matches!(c, '#' | '\n' | '\r'));
            let a = skip_ws(t, r).min(e);
            let b = a.max(e - t[r..e].iter().rev().take_while(|&&c| js_space(c)).count());
            let span = if a < b { (a, b) } else { (r, r) };
            (span, strip_quotes(&t[a..b]), e)
        }
    };
    // dotenv's `maybeQuote`: the trimmed value text starts with `"`.
    let value = match span.0 < span.1 && t[span.0] == '"' {
        true => unescape_double(&value),
        false => value,
    };
    let bad_quote = quoted.and_then(Result::err).map(|bare| (s, bare));
    let (start, key, end) = (k, (k, ke), tail(t, after)?);
    Some(Match {
        start,
        key,
        sep,
        span,
        bad_quote,
        value,
        end,
    })
}

/// Every match `dotenv.parse`'s global regex makes, in order.
fn scan(t: &[char]) -> Vec<Match> {
    let (mut out, mut pos) = (Vec::new(), 0);
    while let Some(p) = (pos..=t.len()).find(|&i| i == 0 || js_line_end(t[i - 1])) {
        let q = skip_ws(t, p);
        if q >= t.len() {
            break;
        }
        match match_at(t, q) {
            Some(m) => {
                pos = m.end;
                out.push(m);
            }
            None => pos = q + 1,
        }
    }
    out
}

/// The text with CR LF and lone CR made LF, as dotenv does first, and each
/// char's byte offset in the original (plus one for the end).
fn normalise(text: &str) -> (Vec<char>, Vec<usize>) {
    let (mut t, mut off) = (Vec::new(), Vec::new());
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let crlf = c == '\r' && it.next_if(|&(_, n)| n == '\n').is_some();
        t.push(if crlf || c == '\r' { '\n' } else { c });
        off.push(i);
    }
    off.push(text.len());
    (t, off)
}

/// What npm `dotenv.parse` yields before dotenv-expand: (key, value) for
/// every assignment in file order, duplicates included. Never fails.
pub fn dotenv_parse(text: &str) -> Vec<(String, String)> {
    let t = normalise(text).0;
    let key = |m: &Match| t[m.key.0..m.key.1].iter().collect();
    scan(&t).into_iter().map(|m| (key(&m), m.value)).collect()
}

/// Why envctl refuses a file, at a 1-based line and column (in chars). The
/// message names the key, never a value: values may be secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column, message) = (self.line, self.column, &self.message);
        write!(f, "line {line}, column {column}: {message}")
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    /// As `dotenv.parse` returns it, before `\$` → `$`.
    raw: String,
    decoded: String,
    /// Byte ranges: the whole lines of the assignment, and its value text
    /// with quotes (empty, where a value would go, when there is none).
    lines: (usize, usize),
    value: (usize, usize),
}

/// A dotenv file: its exact text plus where each assignment sits in it.
/// Edits splice the text and parse it again, so untouched bytes survive.
#[derive(Debug, Clone)]
pub struct Document {
    text: String,
    entries: Vec<Entry>,
    /// Each key's last (effective) entry, so a look-up is not a scan.
    last: HashMap<String, usize>,
}

impl Document {
    /// Reads `text` as dotenv does, refusing what dotenv would misread.
    pub fn parse(text: &str) -> Result<Document, ParseError> {
        let (t, off) = normalise(text);
        let breaks: Vec<usize> = (0..t.len()).filter(|&i| t[i] == '\n').collect();
        let line_of = |i: usize| breaks.partition_point(|&b| b < i);
        let line_start = |i: usize| line_of(i).checked_sub(1).map_or(0, |l| breaks[l] + 1);
        let error = |(i, message): (usize, String)| ParseError {
            line: line_of(i) + 1,
            column: i - line_start(i) + 1,
            message,
        };
        let (mut entries, mut covered, mut prev_line) = (Vec::new(), 0, None);
        for m in scan(&t) {
            check_gap(&t, covered, m.start).map_err(error)?;
            let key: String = t[m.key.0..m.key.1].iter().collect();
            if let Some((s, bare)) = m.bad_quote {
                return Err(error(quote_problem(&t, s, bare, &key)));
            }
            let first = line_of(m.start);
            let why = match (m.key.0, m.sep, m.span.0) {
                (k, s, v) if [k, s, v].iter().any(|&i| line_of(i) != first) => {
                    "the key, its = and the start of its value must share a line"
                }
                _ if prev_line == Some(first) => "an assignment must start on a line of its own",
                _ => "",
            };
            if !why.is_empty() {
                return Err(error((m.start, format!("{key}: {why}"))));
            }
            let last = m.span.1.max(m.sep + 1) - 1;
            prev_line = Some(line_of(last));
            let stop = (next(t.as_slice(), last, |c| c == '\n') + 1).min(t.len());
            let decoded = match expands(&m.value) {
                true => m.value.clone(),
                false => m.value.replace("\\$", "$"),
            };
            entries.push(Entry {
                key,
                raw: m.value,
                decoded,
                lines: (off[line_start(m.start)], off[stop]),
                value: (off[m.span.0], off[m.span.1]),
            });
            covered = m.end;
        }
        check_gap(&t, covered, t.len()).map_err(error)?;
        entries.retain(|e| e.key != "__proto__");
        let last = entries.iter().enumerate();
        let last = last.map(|(i, e)| (e.key.clone(), i)).collect();
        Ok(Document {
            text: text.to_string(),
            entries,
            last,
        })
    }

    fn last(&self, key: &str) -> Option<&Entry> {
        self.last.get(key).map(|&i| &self.entries[i])
    }

    /// The value the app sees, or the raw text if `has_expansion`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.last(key).map(|e| e.decoded.as_str())
    }

    /// Whether the value refers to other variables, so that what the app
    /// sees depends on its environment.
    pub fn has_expansion(&self, key: &str) -> bool {
        self.last(key).is_some_and(|e| expands(&e.raw))
    }

    /// Each key once, in order of first appearance, with its `get` value.
    pub fn entries(&self) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::with_capacity(self.last.len());
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(self.last.len());
        for e in &self.entries {
            match seen.get(e.key.as_str()) {
                Some(&slot) => out[slot].1 = &e.decoded,
                None => {
                    seen.insert(&e.key, out.len());
                    out.push((&e.key, &e.decoded));
                }
            }
        }
        out
    }

    /// `try_set`, except that a refused value leaves the document as it is.
    pub fn set(&mut self, key: &str, value: &str) {
        let _ = self.try_set(key, value);
    }

    /// Rewrites the value of the key's last (effective) assignment in place,
    /// keeping `export`, separator and trailing comment, or appends a line.
    /// Refuses, changing nothing, an unrepresentable value or an edit after
    /// which any key would read differently than intended.
    pub fn try_set(&mut self, key: &str, value: &str) -> Result<(), String> {
        if key.is_empty() || !key.chars().all(key_char) || key == "__proto__" {
            return Err("not a dotenv key: use letters, digits, _, . and -".into());
        }
        if self.get(key) == Some(value) && !self.has_expansion(key) {
            return Ok(());
        }
        let eol = match self.text.find('\n') {
            Some(i) if self.text[..i].ends_with('\r') => "\r\n",
            _ => "\n",
        };
        let encoded = try_encode_value(value)?.replace('\n', eol);
        let mut candidates = Vec::new();
        if let Some(&Entry { value: (a, b), .. }) = self.last(key) {
            candidates.push(format!("{}{encoded}{}", &self.text[..a], &self.text[b..]));
        }
        let rest = self.without(key);
        candidates.push(match rest.ends_with(['\n', '\r']) || rest.is_empty() {
            true => format!("{rest}{key}={encoded}{eol}"),
            false => format!("{rest}{eol}{key}={encoded}"),
        });
        for text in candidates {
            if let Ok(doc) = Document::parse(&text)
                && doc.get(key) == Some(value)
                && !doc.has_expansion(key)
                && self.same_others(&doc, key)
            {
                *self = doc;
                return Ok(());
            }
        }
        Err("other lines would change how dotenv reads this value; fix the file by hand".into())
    }

    /// Removes every line assigning `key`. False if there was none, or if
    /// that would change how another key reads (then nothing changes).
    pub fn remove(&mut self, key: &str) -> bool {
        match Document::parse(&self.without(key)) {
            Ok(doc) if self.last(key).is_some() && self.same_others(&doc, key) => {
                *self = doc;
                true
            }
            _ => false,
        }
    }

    /// The file: the original text with only the edited lines changed.
    pub fn render(&self) -> String {
        self.text.clone()
    }

    fn without(&self, key: &str) -> String {
        let (mut text, mut at) = (String::new(), 0);
        for e in self.entries.iter().filter(|e| e.key == key) {
            text.push_str(&self.text[at..e.lines.0]);
            at = e.lines.1;
        }
        text.push_str(&self.text[at..]);
        if !self.text.is_empty() && !self.text.ends_with(['\n', '\r']) {
            // Keep a missing final newline missing.
            let cut = text.strip_suffix('\n').unwrap_or(&text);
            text.truncate(cut.strip_suffix('\r').unwrap_or(cut).len());
        }
        text
    }

    fn same_others(&self, other: &Document, key: &str) -> bool {
        let a = self.entries.iter().filter(|e| e.key != key);
        let b = other.entries.iter().filter(|e| e.key != key);
        a.map(|e| (&e.key, &e.raw)).eq(b.map(|e| (&e.key, &e.raw)))
    }
}

/// Where and why a quoted value that dotenv fell back from is malformed.
fn quote_problem(t: &[char], s: usize, bare: Option<usize>, key: &str) -> (usize, String) {
    let q = t[s];
    let kind = ["single", "double", "backtick"][QUOTES.iter().position(|&c| c == q).unwrap_or(0)];
    let Some(b) = bare else {
        return (
            s,
            format!("unterminated {kind}-quoted value for {key}: add the closing {q}"),
        );
    };
    let what = format!("text after the closing {kind} quote of {key}'s value");
    (
        skip_ws(t, b + 1),
        format!("{what}: quote it all, or start the comment with #"),
    )
}

const IGNORED: &str = "dotenv ignores this line: a key holds only letters, digits, _, . and \
    -, then = (or : and a space); start comments with #";

/// Text between assignments must be blank or comment lines; a line with `=`
/// or `:` was meant as an assignment dotenv would ignore; others stay as is.
fn check_gap(t: &[char], from: usize, to: usize) -> Result<(), (usize, String)> {
    let mut i = from.min(to);
    while i < to {
        let end = next(&t[..to], i, |c| c == '\n');
        let first = (i..end).find(|&j| !js_space(t[j])).filter(|&f| t[f] != '#');
        if let Some(f) = first.filter(|&f| t[f..end].iter().any(|&c| c == '=' || c == ':')) {
            return Err((f, IGNORED.into()));
        }
        i = end + 1;
    }
    Ok(())
}

#[path = "batch.rs"]
mod batch;

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
