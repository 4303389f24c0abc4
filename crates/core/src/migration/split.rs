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
fn comment_end(bytes: &[u8], i: usize) -> Option<usize> {
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
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<String> {
        split_and_trim(sql)
    }

    /// The Supabase CLI's own cases (pkg/parser/state_test.go): pieces
    /// joined are the input, and each piece is one statement.
    #[track_caller]
    fn same_as_pieces(pieces: &[&str]) {
        let input: String = pieces.concat();
        let want: Vec<String> = pieces
            .iter()
            .map(|p| p.trim_end_matches(';').trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        assert_eq!(texts(&input), want, "input: {input:?}");
    }

    #[test]
    fn plain_statements_are_trimmed_and_lose_their_semicolon() {
        assert_eq!(
            texts("create table a (id int);\n\n  insert into a values (1) ;\n"),
            vec!["create table a (id int)", "insert into a values (1)"]
        );
        assert_eq!(texts("select 1"), vec!["select 1"]);
        assert_eq!(texts(";;\n ; "), Vec::<String>::new());
        assert_eq!(texts(""), Vec::<String>::new());
    }

    #[test]
    fn comments_stay_with_the_statement_they_precede() {
        let sql =
            "-- Create the table\ncreate table a (id int); -- trailing\n/* block */ select 1;\n";
        assert_eq!(
            texts(sql),
            vec![
                "-- Create the table\ncreate table a (id int)",
                "-- trailing\n/* block */ select 1",
            ]
        );
        // After the last `;`, a comment is a statement of its own (the CLI
        // records it too).
        assert_eq!(
            texts("select 1;\n-- the end\n"),
            vec!["select 1", "-- the end"]
        );
    }

    #[test]
    fn cli_line_comment_cases() {
        same_as_pieces(&["END;", "-- comment"]);
        same_as_pieces(&["SELECT --; 1"]);
        same_as_pieces(&["- ;", "END"]);
        same_as_pieces(&["-- /* \n;", " */ END"]);
    }

    #[test]
    fn cli_block_comment_cases() {
        same_as_pieces(&["SELECT /* ; */ 1;"]);
        same_as_pieces(&["SELECT /*; /*;*/ ;*/ 1"]);
        same_as_pieces(&["/ * ;", " */ END"]);
    }

    #[test]
    fn nested_block_comments_close_only_at_depth_zero() {
        assert_eq!(
            texts("/* outer /* inner; */ still comment; */ select 1; select 2"),
            vec![
                "/* outer /* inner; */ still comment; */ select 1",
                "select 2"
            ]
        );
        // Unterminated: the rest of the file is one statement (whose
        // final `;` is trimmed, as any other).
        assert_eq!(
            texts("select 1; /* open; select 2;"),
            vec!["select 1", "/* open; select 2"]
        );
    }

    #[test]
    fn cli_separator_cases() {
        same_as_pieces(&[";", "END;", ";"]);
        same_as_pieces(&["BEGIN   ;", "  END"]);
    }

    #[test]
    fn cli_dollar_quote_cases() {
        same_as_pieces(&["$tag$ any ; string$tag$"]);
        same_as_pieces(&["$$\"Dane's horse\"$$"]);
        same_as_pieces(&["SELECT \"$\";", " $$"]);
    }

    #[test]
    fn dollar_quoted_function_bodies() {
        let sql = r#"
create or replace function public.handle_new_user()
returns trigger
language plpgsql
security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, full_name)
  values (new.id, new.raw_user_meta_data ->> 'full_name');
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute procedure public.handle_new_user();
"#;
        let got = split(sql);
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[0].text.starts_with("create or replace function"));
        assert!(got[0].text.ends_with("end;\n$$"));
        assert_eq!(got[0].line, 2);
        assert_eq!(got[1].line, 14);
    }

    #[test]
    fn tagged_dollar_quotes_nest_other_tags_and_dollars() {
        let sql = "do $outer$ begin execute $q$select ';'$q$; perform '$$'; end $outer$; select 2";
        assert_eq!(
            texts(sql),
            vec![
                "do $outer$ begin execute $q$select ';'$q$; perform '$$'; end $outer$",
                "select 2"
            ]
        );
    }

    #[test]
    fn parameters_and_identifiers_with_dollars_open_nothing() {
        assert_eq!(
            texts("prepare p as select $1, $2; select a$b$c from t; select 3"),
            vec![
                "prepare p as select $1, $2",
                "select a$b$c from t",
                "select 3"
            ]
        );
    }

    #[test]
    fn cli_single_quote_cases() {
        same_as_pieces(&["SELECT ';' 1"]);
        same_as_pieces(&["SELECT ';'';' 1"]);
        // A standard string keeps backslashes literally.
        same_as_pieces(&["SELECT '\\';", " 1'"]);
    }

    #[test]
    fn escape_strings_take_backslash_quotes() {
        assert_eq!(
            texts(r"select E'it\'s; fine', e'\\'; select 2"),
            vec![r"select E'it\'s; fine', e'\\'", "select 2"]
        );
        // `e` at the end of a word is not an escape-string prefix.
        assert_eq!(
            texts(r"select name'\'; select 2"),
            vec![r"select name'\'", "select 2"]
        );
        assert_eq!(
            texts("select U&'d\\0061t; a'; select 2"),
            vec!["select U&'d\\0061t; a'", "select 2"]
        );
    }

    #[test]
    fn cli_double_quote_cases() {
        same_as_pieces(&[r#"CREATE POLICY "cats;dogs" on cats_dogs;"#, " END"]);
        same_as_pieces(&[r#"CREATE POLICY "cat's and dog's" on cats_dogs;"#, " END"]);
        same_as_pieces(&[r#"CREATE POLICY "pet""name" on pets;"#, " END"]);
    }

    #[test]
    fn cli_parentheses_cases() {
        same_as_pieces(&[
            r#"CREATE RULE notify_me AS ON UPDATE TO mytable DO (NOTIFY mytable; SELECT "1");"#,
            "SELECT 1",
        ]);
        same_as_pieces(&[
            "CREATE RULE notify_me AS ON UPDATE TO mytable DO (-- )\nSELECT ')';\n-- )\n)\n",
        ]);
    }

    #[test]
    fn cli_begin_atomic_cases() {
        same_as_pieces(&[
            "CREATE FUNCTION add(a integer, b integer) RETURNS integer\nLANGUAGE SQL\nIMMUTABLE STRICT PARALLEL SAFE\nRETURNS NULL ON NULL INPUT\nBEGIN ATOMIC\n\tSELECT 'add';\n\tSELECT a + b;\nEND;",
        ]);
        same_as_pieces(&["CREATE FUNCTION test() BEGIN\nATOMIC-- END;\n-- END;\nEND\n;"]);
    }

    #[test]
    fn begin_atomic_counts_case_and_ignores_transactions() {
        let sql = "create or replace procedure p() language sql begin atomic\n  select case when true then 1 else 2 end;\n  select 3;\nend;\nbegin;\nselect 4;\ncommit;";
        assert_eq!(
            texts(sql),
            vec![
                "create or replace procedure p() language sql begin atomic\n  select case when true then 1 else 2 end;\n  select 3;\nend",
                "begin",
                "select 4",
                "commit"
            ]
        );
    }

    #[test]
    fn lines_and_headlines_point_into_the_file() {
        let sql = "-- one\n\ncreate table a (id int);\n\n-- why\n/* more\n   why */\ninsert into a\n  values (1);";
        let got = split(sql);
        assert_eq!(got[0].line, 1);
        assert_eq!(got[0].headline(), (3, "create table a (id int)"));
        assert_eq!(got[1].line, 5);
        assert_eq!(got[1].headline(), (8, "insert into a"));
        // Position 1 is the first character of the text.
        assert_eq!(got[1].line_of(1), 5);
        let pos = got[1].text.find("values").unwrap() + 1;
        assert_eq!(got[1].line_of(pos), 9);
    }

    #[test]
    fn multibyte_text_is_kept_whole() {
        assert_eq!(
            texts("insert into t values ('héllo; wörld'); select '日本;語'"),
            vec!["insert into t values ('héllo; wörld')", "select '日本;語'"]
        );
    }

    #[test]
    fn code_drops_comments_spacing_and_semicolons_but_not_literals() {
        assert_eq!(
            code(
                "-- why\ncreate table a ( id int ); /* more */ select 'a -- b;  c', \"x  y\", $$ -- kept $$"
            ),
            "createtablea(idint)select'a -- b;  c',\"x  y\",$$ -- kept $$"
        );
        assert_eq!(code("select E'it\\'s  ; x'"), "selectE'it\\'s  ; x'");
        assert_eq!(code("select 'é'  -- ü\n"), "select'é'");
    }

    #[test]
    fn unterminated_quotes_run_to_the_end() {
        assert_eq!(
            texts("select 'open; select 2"),
            vec!["select 'open; select 2"]
        );
        assert_eq!(
            texts("select $x$ open; select 2"),
            vec!["select $x$ open; select 2"]
        );
        assert_eq!(
            texts("select \"open; select 2"),
            vec!["select \"open; select 2"]
        );
    }
}
