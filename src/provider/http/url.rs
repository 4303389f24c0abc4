//! What goes into a request line and its headers: the base URL (https, or
//! plain http to loopback only), percent-encoded path segments and query
//! values, and a token that can travel in an `Authorization` header.

/// `https://host[:port][/path]`, or `http://` to loopback only.
pub fn check_base_url(base: &str) -> Result<String, String> {
    let base = base.trim().trim_end_matches('/');
    let rest = if let Some(rest) = base.strip_prefix("https://") {
        rest
    } else if let Some(rest) = base.strip_prefix("http://") {
        let host = rest.split(['/', '?']).next().unwrap_or("");
        let host = match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        };
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!(
                "`{base}` is plain http to a host that is not loopback; use https:// (plain http is only for 127.0.0.1, localhost and [::1])"
            ));
        }
        rest
    } else {
        return Err(format!(
            "`{base}` is not an http(s) URL; expected something like https://api.example.com"
        ));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{base}` has no host"));
    }
    Ok(base.to_string())
}

/// Percent-encodes a query value or path segment (RFC 3986 unreserved
/// characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why `token` cannot be sent as a bearer token, if it cannot: the first
/// character that is not printable ASCII (a line break, a space, a control
/// or non-ASCII character), by kind and position — never the token. HTTP
/// forbids control characters in a header; the rest are never part of a
/// platform token and would only earn a 401 after the request was sent.
pub fn token_flaw(token: &str) -> Option<String> {
    let (at, c) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())?;
    let what = match c {
        '\n' | '\r' => "a line break",
        ' ' | '\t' => "a space",
        c if c.is_control() => "a control character",
        _ => "a non-ASCII character",
    };
    Some(format!(
        "{what} (character {} of {})",
        at + 1,
        token.chars().count()
    ))
}
