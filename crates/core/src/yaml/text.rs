//! From a file's bytes to text the parser may see, refusing what a
//! hostile or mangled file can hide: bytes that are not UTF-8, and
//! characters that are invisible or rewrite a terminal.
//!
//! `validate` runs on pull requests from forks, and envctl's messages quote
//! keys and plain values back into CI logs: a raw `ESC [2J` in a key would
//! reach whoever reads the log, and a right-to-left override can make a
//! value read differently from what it is ("Trojan Source"). YAML itself
//! allows none of these raw; saphyr-parser refuses some (NUL) but not all.

use super::{Pos, SyntaxError};

/// A UTF-8 byte order mark. Accepted at the start of a file (Windows
/// editors write one) and skipped; YAML 1.2 allows it there.
const BOM: &str = "\u{feff}";

/// The file's text without its byte order mark, or where the first byte
/// that is not UTF-8 is.
pub fn decode(bytes: &[u8]) -> Result<&str, SyntaxError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let byte = bytes[e.valid_up_to()];
        let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
        SyntaxError {
            pos: end_of(before),
            message: format!("the file is not UTF-8 text: byte 0x{byte:02x} here is not a character"),
            help: Some(if utf16 {
                "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8".into()
            } else {
                "save the file as UTF-8; if the byte is part of a value, write the value in UTF-8 too".into()
            }),
        }
    })?;
    let text = text.strip_prefix(BOM).unwrap_or(text);
    if let Some((offset, c)) = text.char_indices().find(|&(_, c)| !allowed_raw(c)) {
        return Err(SyntaxError {
            pos: end_of(&text[..offset]),
            message: format!(
                "the file contains the invisible character {} ({})",
                codepoint(c),
                name(c)
            ),
            help: Some(
                "remove it (most editors do not show it); a value that needs a newline or tab can use a double-quoted escape such as \"\\n\""
                    .into(),
            ),
        });
    }
    Ok(text)
}

/// Where the text after `before` starts.
fn end_of(before: &str) -> Pos {
    let line = before.matches('\n').count() + 1;
    let last = before.rsplit('\n').next().unwrap_or_default();
    Pos {
        line,
        column: last.chars().count() + 1,
    }
}

/// What may appear raw in a file: YAML's printable characters, minus the
/// invisible ones that change how text reads.
fn allowed_raw(c: char) -> bool {
    let control = c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}');
    !control && !is_invisible_format(c)
}

/// Bidirectional overrides and isolates, and a byte order mark after the
/// start: never meant in a configuration file.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Why a key cannot hold this character: keys are names, and any control
/// character in one is a mistake or an attack.
pub fn refused_in_key(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Why a value cannot hold this character. Tab, newline and carriage
/// return are legitimate (a PEM key is several lines; `.env` files quote
/// them, platforms store them). NUL cannot be passed to a process's
/// environment at all, and the other controls would rewrite the terminal
/// of whoever reads a plan that shows the value.
pub fn refused_in_value(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_invisible_format(c)
}

/// `U+001B`, the way Unicode names a code point.
pub fn codepoint(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A short name for the characters people meet; the code point says the rest.
pub fn name(c: char) -> &'static str {
    match c {
        '\0' => "NUL",
        '\u{1b}' => "escape",
        '\u{7f}' => "delete",
        '\u{8}' => "backspace",
        '\u{feff}' => "byte order mark",
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "a bidirectional text control",
        _ => "a control character",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_bom_is_skipped() {
        assert_eq!(decode(b"\xef\xbb\xbfa: 1\n").unwrap(), "a: 1\n");
    }

    #[test]
    fn invalid_utf8_names_the_line_and_column_of_the_first_bad_byte() {
        let err = decode(b"a: 1\nb: \xc3\xa9x\xff\n").unwrap_err();
        assert_eq!(err.pos, Pos { line: 2, column: 6 });
        assert!(err.message.contains("0xff"), "{}", err.message);
        let err = decode(b"\xff\xfea\x00").unwrap_err();
        assert!(err.help.unwrap().contains("UTF-16"));
    }

    #[test]
    fn raw_controls_and_bidi_overrides_are_refused_where_they_are() {
        let err = decode(b"a: 1\nb: x\x1by\n").unwrap_err();
        assert_eq!(err.pos, Pos { line: 2, column: 5 });
        assert!(err.message.contains("U+001B (escape)"), "{}", err.message);
        let err = decode("a: \u{202e}x\n".as_bytes()).unwrap_err();
        assert_eq!(err.pos, Pos { line: 1, column: 4 });
        assert!(decode(b"a: \"x\ty\"\r\n").is_ok());
    }

    #[test]
    fn values_may_hold_newlines_and_tabs_but_keys_may_not() {
        assert!(!refused_in_value('\n') && !refused_in_value('\t'));
        assert!(refused_in_value('\0') && refused_in_value('\u{1b}'));
        assert!(refused_in_key('\n') && refused_in_key('\t'));
        assert!(!refused_in_key('é'));
    }
}
