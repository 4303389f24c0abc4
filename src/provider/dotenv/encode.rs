//! Writing a value so that dotenv + dotenv-expand read back exactly it,
//! whatever the surrounding lines; or saying why no dotenv syntax can (see
//! the decisions in [`super::format`]).

use super::format::{QUOTES, js_space};

/// How envctl writes a value. For the rare value `try_encode_value` refuses
/// this returns a double-quoted approximation that reads back differently:
/// prefer `try_encode_value` unless the value is known to be ordinary.
pub fn encode_value(value: &str) -> String {
    try_encode_value(value).unwrap_or_else(|_| {
        let w = value.replace('$', "\\$");
        format!("\"{}\"", w.replace('\n', "\\n").replace('\r', "\\r"))
    })
}

/// The text to put after `KEY=` so that dotenv + dotenv-expand yield exactly
/// `value`, whatever the surrounding lines. The error names the reason,
/// never the value.
pub fn try_encode_value(value: &str) -> Result<String, String> {
    // dotenv itself would keep a NUL, but no process environment can hold
    // one: `supabase functions serve` and `wrangler` could not pass it on.
    if value.contains('\0') {
        return Err("this value cannot be written in dotenv syntax: it holds a NUL character, which no process environment can carry".into());
    }
    let w = value.replace('$', "\\$");
    let plain = |c: char| match c.is_ascii() {
        true => c.is_ascii_graphic() && !"#'\"`\\$".contains(c),
        false => c.is_alphanumeric(),
    };
    if !w.is_empty() && value.chars().all(plain) {
        return Ok(w);
    }
    // dotenv keeps `\Q` within Q-quotes verbatim and closes at the first Q
    // without a `\` before it; a final `\` would escape the closing quote
    // and let the value run on into any later line ending in Q.
    let unescaped = |q: char| w.match_indices(q).any(|(i, _)| !w[..i].ends_with('\\'));
    let fits = |q: char| match q {
        _ if unescaped(q) || w.ends_with('\\') => false,
        '"' => !w.contains("\\n") && !w.contains("\\r"),
        _ => !w.contains('\r'), // dotenv first turns each CR in the file into LF
    };
    // Prefer a quote the value lacks: Node's `util.parseEnv` (Vite 8) has no
    // `\Q` escape.
    let order = ['"', '\'', '`'];
    let pick = order.iter().find(|&&q| fits(q) && !w.contains(q));
    if let Some(&q) = pick.or_else(|| order.iter().find(|&&q| fits(q))) {
        let body = match q {
            '"' => w.replace('\n', "\\n").replace('\r', "\\r"),
            _ => w,
        };
        return Ok(format!("{q}{body}{q}"));
    }
    // Unquoted, which dotenv trims and cuts at `#`; a leading quote would
    // make it try, and strip, a quoted value.
    let first = w.chars().next().filter(|&c| !js_space(c));
    let first = first.is_some_and(|c| !QUOTES.contains(&c));
    if first && !w.ends_with(js_space) && !w.contains(['#', '\n', '\r', '\u{2028}', '\u{2029}']) {
        return Ok(w);
    }
    let why = if w.ends_with('\\') {
        "needs quotes (for #, a line break, edge spaces or a leading quote) but ends in \\"
    } else if w.contains('\r') {
        "has a CR (double quotes only) and an unescaped \" or a literal \\n or \\r"
    } else {
        "needs quotes but has unescaped ' and ` and \" (or a literal \\n or \\r)"
    };
    Err(format!(
        "this value cannot be written in dotenv syntax: it {why}"
    ))
}
