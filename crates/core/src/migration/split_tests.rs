//! Unit tests of `split`.

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
    let sql = "-- Create the table\ncreate table a (id int); -- trailing\n/* block */ select 1;\n";
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
