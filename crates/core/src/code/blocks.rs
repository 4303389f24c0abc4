//! The language of a source file, and the `<script>` blocks of a Vue or
//! Svelte component. Each block is handed to the parser as the whole file
//! with everything outside the block blanked (newlines kept), so the
//! parser's byte offsets are the file's and every position is right.

use oxc_span::SourceType;

/// How to parse a file with extension `ext`.
pub(super) fn kind_of(ext: &str) -> SourceType {
    match ext {
        "ts" | "mts" | "cts" => SourceType::ts(),
        "tsx" => SourceType::tsx(),
        "mjs" => SourceType::mjs(),
        "cjs" => SourceType::cjs(),
        // A `.js` file may be a module or a script, and React projects
        // write JSX in it.
        _ => SourceType::unambiguous().with_jsx(true),
    }
}

/// One `<script>` block: the file's text with everything else blanked.
pub(super) struct Block {
    pub text: String,
    pub kind: SourceType,
}

/// The `<script …>` blocks of a component, in order. A `<script src=…>`
/// with nothing inside, and anything in an HTML comment, are skipped.
pub(super) fn scripts(text: &str) -> Vec<Block> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = next_tag(&lower, at) {
        let Some(open_end) = tag_end(&lower, found) else {
            break;
        };
        let attributes = &lower[found + "<script".len()..open_end];
        let body_start = open_end + 1;
        if attributes.trim_end().ends_with('/') {
            at = body_start;
            continue;
        }
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(text.len(), |i| body_start + i);
        if !text[body_start..body_end].trim().is_empty() {
            out.push(Block {
                text: blank_outside(text, body_start, body_end),
                kind: language(attributes),
            });
        }
        at = body_end;
    }
    out
}

/// The next `<script` tag at or after `from`, outside HTML comments.
fn next_tag(lower: &str, mut from: usize) -> Option<usize> {
    loop {
        let tag = lower[from..].find("<script").map(|i| from + i)?;
        let comment = lower[from..].find("<!--").map(|i| from + i);
        match comment {
            Some(c) if c < tag => {
                from = lower[c..].find("-->").map(|i| c + i + 3)?;
            }
            _ => {
                // `<scripts>` or `<script-x>` is another element.
                let next = lower[tag + "<script".len()..].chars().next();
                if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
                    return Some(tag);
                }
                from = tag + 1;
            }
        }
    }
}

/// The `>` that closes the tag opened at `start`, skipping quoted
/// attribute values.
fn tag_end(lower: &str, start: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in lower[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(start + i),
            _ => {}
        }
    }
    None
}

/// `lang="ts"` and friends; plain JavaScript (with JSX) otherwise.
fn language(attributes: &str) -> SourceType {
    let lang = attributes.split_whitespace().find_map(|a| {
        a.strip_prefix("lang=")
            .map(|v| v.trim_matches(|c| c == '"' || c == '\'' || c == '/'))
    });
    match lang {
        Some("ts" | "typescript") => SourceType::ts(),
        Some("tsx") => SourceType::tsx(),
        _ => SourceType::mjs().with_jsx(true),
    }
}

/// `text` with every byte outside `start..end` turned into a space, except
/// line breaks: same length, same lines, valid UTF-8.
fn blank_outside(text: &str, start: usize, end: usize) -> String {
    let blank = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\n' | '\r' => c.to_string(),
                other => " ".repeat(other.len_utf8()),
            })
            .collect()
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&blank(&text[..start]));
    out.push_str(&text[start..end]);
    out.push_str(&blank(&text[end..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_blocks_keep_their_place_in_the_file() {
        let vue = "<template>\n  <p>{{ msg }}</p>\n</template>\n<script setup lang=\"ts\">\nconst a = 1\n</script>\n<!-- <script>nope()</script> -->\n<script>\nexport default {}\n</script>\n";
        let blocks = scripts(vue);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].text.len(), vue.len());
        assert!(blocks[0].kind.is_typescript());
        assert!(!blocks[1].kind.is_typescript());
        let line = blocks[0].text.lines().nth(4).unwrap();
        assert_eq!(line, "const a = 1");
        assert!(!blocks[0].text.contains("template"));
        assert!(!blocks.iter().any(|b| b.text.contains("nope")));
    }

    #[test]
    fn empty_and_external_scripts_are_skipped() {
        let svelte = "<script src=\"x.js\" />\n<script context=\"module\"></script>\n<scripts>\n";
        assert!(scripts(svelte).is_empty());
        let unclosed = "<script>\nlet a = 'é'";
        assert_eq!(scripts(unclosed).len(), 1);
    }
}
