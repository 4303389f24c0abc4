//! A `help:` line for the YAML syntax errors people actually make. The
//! parser says what it expected; this looks at the line it stopped on to
//! say what the writer most likely did (a tab, an unclosed quote or
//! bracket, a `: ` inside an unquoted value, an overlong key).

use super::Pos;

/// YAML's limit on a key written without `?`: 1024 characters, after
/// which saphyr-parser no longer sees a key at all.
const IMPLICIT_KEY_CHARS: usize = 1024;

/// The likely cause of the parser's complaint `info` at `pos` in `text`.
pub fn for_parser_error(text: &str, pos: Pos, info: &str) -> Option<String> {
    let line = text.lines().nth(pos.line.saturating_sub(1)).unwrap_or("");
    let indent = &line[..line.len() - line.trim_start().len()];
    let key = line.trim_start().trim_start_matches(['"', '\'']);
    let key_chars = key
        .find([':', '"', '\''])
        .map_or(0, |end| key[..end].chars().count());
    let hint = if info.contains("tab") || indent.contains('\t') {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else if info.contains("quoted scalar") && !info.contains("escape") {
        "a quoted value is not closed: end it with the same quote on that line (`\"…\"` or `'…'`)"
    } else if info.contains("escape") {
        "inside double quotes `\\` starts an escape: write `\\\\` for a backslash, or use single quotes"
    } else if info.contains("unknown anchor") {
        "an alias `*name` must come after its anchor `&name` in the same file"
    } else if info.contains("recursion limit") {
        "the brackets nest too deeply; envctl's files need only a few levels"
    } else if unclosed_bracket(text, pos) {
        "a `[` or `{` before this is not closed: close it, or quote the value if the bracket is text"
    } else if key_chars > IMPLICIT_KEY_CHARS {
        "the key on this line is longer than YAML's 1024 characters; envctl's names are much shorter"
    } else if info.contains("mapping values are not allowed") {
        "a value containing `: ` must be quoted, e.g. KEY: \"a: b\""
    } else if info.contains("simple key expect ':'") || info.contains("could not find expected ':'")
    {
        "this line is neither `key: value` nor a list item: check its indentation, or quote a value that spans lines"
    } else if info.contains("expected '-'") {
        "a list (`- item`) and `key: value` lines are mixed at the same indentation"
    } else if info.contains("unexpected character") {
        "`@` and `` ` `` are reserved in YAML: quote a value that starts with one"
    } else {
        return None;
    };
    Some(hint.to_string())
}

/// Whether a flow `[` or `{` opened before `pos` is still open there,
/// skipping quoted text and comments; a heuristic for the hint only.
fn unclosed_bracket(text: &str, pos: Pos) -> bool {
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        if index + 1 > pos.line {
            break;
        }
        let mut quote = None;
        let mut previous = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if previous.is_whitespace() => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(text: &str) -> String {
        let err = crate::yaml::parse(text).unwrap_err();
        err.help
            .unwrap_or_else(|| panic!("no help for {}", err.message))
    }

    #[test]
    fn common_mistakes_get_a_hint() {
        assert!(help("a:\n\tb: 1\n").contains("tabs"));
        assert!(help("a: 'open\n").contains("not closed"));
        assert!(help("a: [1, 2\nb: 3\n").contains("`[` or `{`"));
        assert!(help("a: {b: 1\n").contains("`[` or `{`"));
        assert!(help("a: b: c\n").contains("must be quoted"));
        let long = format!("{}: x\n", "K".repeat(2000));
        assert!(help(&long).contains("1024"));
        let quoted = format!("\"{}\": x\n", "K".repeat(2000));
        assert!(help(&quoted).contains("1024"));
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let pos = Pos { line: 2, column: 1 };
        assert!(!unclosed_bracket("a: '[' # {\nb: x\n", pos));
        assert!(unclosed_bracket("a: [x, '[]'\nb: x\n", pos));
    }
}
