//! What a platform says back is not trusted. A validation error may echo
//! the request (`invalid request: [{"name":"STRIPE_SECRET_KEY","value":…}]`),
//! and envctl's errors end up in CI logs and pull-request comments. So
//! before any platform text is shown or logged it goes through here:
//!
//! - every value the request carried (recorded in [`Exposed`] where the
//!   request was built, travelling with the `Call`) is cut out, in the
//!   encodings an echo is likely to use: as sent, JSON-escaped (once, twice,
//!   and ASCII-only with `\uXXXX`), and percent-encoded;
//! - a JSON body's `value`/`secret`/`token`-like fields lose their string
//!   contents, and so do such fields written out as JSON inside a message;
//! - a full SHA-256 digest (64 hex digits: a tag envctl sent, a digest a
//!   platform lists for a secret) goes too: envctl shows only the short form,
//!   since a full digest of a guessable value is a target for guessing;
//! - the result is cut to a length that fits in one line of a report.
//!
//! The platform's error code and the HTTP status are kept: they are what a
//! user acts on, with envctl's hint.

use std::fmt;

use zeroize::Zeroizing;

use envctl_core::secret::Secret;

/// What replaces a removed value.
pub const REDACTED: &str = "<redacted>";

/// The most characters of a platform message shown.
pub const MAX_MESSAGE: usize = 300;

/// The most characters of a platform error code shown.
pub const MAX_CODE: usize = 64;

/// Shorter values are not cut out of running text: a value like `1` or
/// `on` would take every digit or syllable of the message with it. Such
/// values are still removed from `value`-like fields.
const MIN_SCRUBBED_LEN: usize = 4;

/// The values a request exposes: each one recorded at the moment the
/// request builder takes it out of its [`Secret`], so the set cannot drift
/// from what was sent. Zeroed on drop; `Debug` shows only how many.
#[derive(Clone, Default)]
pub struct Exposed(Vec<Zeroizing<String>>);

impl fmt::Debug for Exposed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Exposed({} values)", self.0.len())
    }
}

impl Exposed {
    /// The plaintext of `secret`, for a request body, remembering it.
    pub fn expose<'s>(&mut self, secret: &'s Secret) -> &'s str {
        self.record(secret.expose());
        secret.expose()
    }

    /// Remembers a value already taken out of its `Secret` by the caller.
    pub fn record(&mut self, value: &str) {
        if !value.is_empty() && !self.0.iter().any(|v| v.as_str() == value) {
            self.0.push(Zeroizing::new(value.to_string()));
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A scrubber for these values and `also` (the token, say).
    pub fn scrubber<'a>(&'a self, also: impl IntoIterator<Item = &'a str>) -> Scrubber {
        Scrubber::new(self.0.iter().map(|v| v.as_str()).chain(also))
    }
}

/// Removes known values from text. Built once per error.
pub struct Scrubber {
    /// Every form of every value, longest first, so a value that contains
    /// another goes as a whole.
    forms: Vec<Zeroizing<String>>,
}

impl Scrubber {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Scrubber {
        let mut forms: Vec<Zeroizing<String>> = Vec::new();
        for value in values {
            if value.chars().count() < MIN_SCRUBBED_LEN {
                continue;
            }
            for form in encodings(value) {
                if !forms.iter().any(|f| **f == *form) {
                    forms.push(form);
                }
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Scrubber { forms }
    }

    /// `text` without any form of any value.
    pub fn values(&self, text: &str) -> String {
        let mut out = text.to_string();
        for form in &self.forms {
            if out.contains(form.as_str()) {
                out = out.replace(form.as_str(), REDACTED);
            }
        }
        out
    }

    /// Platform text made fit to show: sensitive fields written out as
    /// JSON inside it emptied, known values cut out, and at most `max`
    /// characters.
    pub fn text(&self, text: &str, max: usize) -> String {
        let text = redact_digests(&redact_embedded_fields(text));
        truncate(&self.values(&text), max)
    }

    /// A JSON body with sensitive fields emptied and known values cut out
    /// of every remaining string (keys included).
    pub fn json(&self, value: &mut serde_json::Value) {
        redact_fields(value);
        self.strings(value);
    }

    fn strings(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => *s = self.values(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.strings(v)),
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    self.strings(&mut v);
                    map.insert(self.values(&k), v);
                }
            }
            _ => {}
        }
    }
}

/// The forms an echo of `value` is likely to take.
fn encodings(value: &str) -> Vec<Zeroizing<String>> {
    let once = json_escaped(value);
    let twice = json_escaped(&once);
    let ascii = ascii_escaped(&once);
    let mut forms = vec![value.to_string(), once, twice, ascii, super::encode(value)];
    forms.sort();
    forms.dedup();
    forms.into_iter().map(Zeroizing::new).collect()
}

/// The inside of `value` as a JSON string (serde_json's escaping).
fn json_escaped(value: &str) -> String {
    let quoted = serde_json::to_string(value).expect("strings serialise");
    quoted[1..quoted.len() - 1].to_string()
}

/// JSON-escaped text with every non-ASCII character as `\uXXXX` (what
/// Python's `json.dumps` and many other encoders write).
fn ascii_escaped(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for c in escaped.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Whether a field of this name holds something secret.
fn sensitive(key: &str) -> bool {
    const WORDS: [&str; 9] = [
        "value",
        "secret",
        "token",
        "password",
        "passwd",
        "credential",
        "authorization",
        "apikey",
        "api_key",
    ];
    let key = key.to_ascii_lowercase();
    WORDS.iter().any(|w| key.contains(w)) || key == "private_key"
}

/// Every string (and number) under a sensitive field becomes
/// [`REDACTED`]; objects and arrays under one are emptied the same way,
/// all the way down.
fn redact_fields(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter_mut().for_each(redact_fields),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if sensitive(k) {
                    redact_all(v);
                } else {
                    redact_fields(v);
                }
            }
        }
        _ => {}
    }
}

fn redact_all(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(_) | Value::Number(_) => *value = Value::String(REDACTED.into()),
        Value::Array(items) => items.iter_mut().for_each(redact_all),
        Value::Object(map) => map.values_mut().for_each(redact_all),
        Value::Null | Value::Bool(_) => {}
    }
}

/// `"value": "…"` (any sensitive name) written out inside running text,
/// as a message that quotes the request does: the string's contents
/// become [`REDACTED`]. The text around it is kept.
fn redact_embedded_fields(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // `text[..copied]` is in `out`; the next key is looked for from `from`.
    let (mut copied, mut from) = (0, 0);
    while let Some(open) = text[from..].find('"').map(|i| from + i) {
        let Some(close) = text[open + 1..].find('"').map(|i| open + 1 + i) else {
            break;
        };
        let key = &text[open + 1..close];
        let value = text[close + 1..]
            .trim_start()
            .strip_prefix(':')
            .map(str::trim_start)
            .filter(|v| v.starts_with('"') && sensitive(key));
        let Some(value) = value else {
            // The closing quote may open the next string: look again there.
            from = open + 1;
            continue;
        };
        let body = text.len() - value.len() + 1;
        out.push_str(&text[copied..body]);
        out.push_str(REDACTED);
        // The closing quote stays; a string the platform cut off ends here.
        copied = string_end(&text[body..]).map_or(text.len(), |end| body + end);
        from = (copied + 1).min(text.len());
    }
    out.push_str(&text[copied..]);
    out
}

/// Every run of 64 or more hex digits becomes [`REDACTED`].
fn redact_digests(text: &str) -> String {
    const DIGEST: usize = 64;
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for (i, c) in text.char_indices() {
        if c.is_ascii_hexdigit() {
            run += 1;
            continue;
        }
        push_run(&mut out, &text[i - run..i], DIGEST);
        run = 0;
        out.push(c);
    }
    push_run(&mut out, &text[text.len() - run..], DIGEST);
    out
}

fn push_run(out: &mut String, run: &str, digest: usize) {
    out.push_str(if run.len() >= digest { REDACTED } else { run });
}

/// The index of the unescaped `"` that ends a JSON string's body.
fn string_end(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, b) in body.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "sk_live_CANARY\"quoted\"\\back-é-0005";

    fn scrubber() -> Scrubber {
        let mut exposed = Exposed::default();
        let secret = Secret::new(CANARY.into());
        assert_eq!(exposed.expose(&secret), CANARY);
        exposed.scrubber(["tok_CANARY_token"])
    }

    fn assert_clean(text: &str) {
        assert!(!text.contains("CANARY"), "{text}");
    }

    #[test]
    fn a_json_body_loses_its_value_fields_and_every_sent_value() {
        let body = serde_json::json!({
            "error": {
                "code": "bad_request",
                "message": format!("invalid request: [{{\"name\":\"STRIPE_SECRET_KEY\",\"value\":{}}}]", serde_json::to_string(CANARY).unwrap()),
                "value": "stored-elsewhere-CANARY",
                "details": { "apiToken": 12345, "secrets": ["CANARY-a", "CANARY-b"], "key": "STRIPE_SECRET_KEY" },
                CANARY: "a key that is a value"
            }
        });
        let mut v = body.clone();
        scrubber().json(&mut v);
        let text = v.to_string();
        assert_clean(&text);
        assert_eq!(v["error"]["code"], "bad_request");
        assert_eq!(v["error"]["value"], REDACTED);
        assert_eq!(v["error"]["details"]["apiToken"], REDACTED);
        assert_eq!(v["error"]["details"]["key"], "STRIPE_SECRET_KEY");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("invalid request: [{\"name\":\"STRIPE_SECRET_KEY\",\"value\":\"")
        );
        // The message as shown: embedded fields emptied too.
        let shown = scrubber().text(message, MAX_MESSAGE);
        assert_eq!(
            shown,
            "invalid request: [{\"name\":\"STRIPE_SECRET_KEY\",\"value\":\"<redacted>\"}]"
        );
    }

    #[test]
    fn embedded_fields_are_emptied_whatever_their_value() {
        let s = Scrubber::new([]);
        assert_eq!(
            s.text(
                r#"bad: {"name": "A", "value" : "x\"y", "token":"t", "n":"1"}"#,
                300
            ),
            r#"bad: {"name": "A", "value" : "<redacted>", "token":"<redacted>", "n":"1"}"#
        );
        // A string cut off by the platform: everything after the colon goes.
        assert_eq!(
            s.text(r#"{"secret":"abcdef"#, 300),
            r#"{"secret":"<redacted>"#
        );
        // Quotes that are not fields stay as they are.
        assert_eq!(s.text(r#"say "hi": "there""#, 300), r#"say "hi": "there""#);
    }

    #[test]
    fn a_plain_text_body_loses_every_form_of_a_sent_value() {
        let s = scrubber();
        let escaped = serde_json::to_string(CANARY).unwrap();
        let twice = serde_json::to_string(&escaped).unwrap();
        for text in [
            format!("value {CANARY} is not allowed"),
            format!("got {escaped}"),
            format!("got {twice}"),
            format!("got {}", ascii_escaped(&escaped[1..escaped.len() - 1])),
            format!("query value={}", crate::provider::http::encode(CANARY)),
            "Bearer tok_CANARY_token refused".to_string(),
        ] {
            let shown = s.text(&text, MAX_MESSAGE);
            assert_clean(&shown);
            assert!(shown.contains(REDACTED), "{shown}");
        }
    }

    #[test]
    fn a_value_inside_a_longer_string_is_cut_out_and_the_rest_kept() {
        let s = scrubber();
        assert_eq!(
            s.text(&format!("prefix-{CANARY}-suffix and more"), 300),
            "prefix-<redacted>-suffix and more"
        );
        // A value that contains another goes whole.
        let s = Scrubber::new(["abcd", "xxabcdxx"]);
        assert_eq!(s.values("1 xxabcdxx 2 abcd"), "1 <redacted> 2 <redacted>");
        // Too short to cut out of running text without taking the message.
        let s = Scrubber::new(["on", "1"]);
        assert_eq!(s.values("HTTP 401 on retry"), "HTTP 401 on retry");
    }

    #[test]
    fn an_overlong_body_is_cut_after_scrubbing() {
        let s = scrubber();
        let text = format!("{}{CANARY}{}", "x".repeat(295), "y".repeat(1000));
        let shown = s.text(&text, MAX_MESSAGE);
        assert_clean(&shown);
        assert_eq!(shown.chars().count(), MAX_MESSAGE + 1);
        assert!(shown.ends_with('…'));
        assert!(shown.ends_with("<reda…"), "{shown}");
    }

    #[test]
    fn full_digests_go_and_short_hex_stays() {
        let digest = "cfbd93130acc960b4e3108c565e37d5169706c2f2c9c17c5558a780e36adbc0c";
        assert_eq!(
            Scrubber::new([]).text(
                &format!("[envctl sha256:{digest} at:17] id 8000007 abc"),
                300
            ),
            "[envctl sha256:<redacted> at:17] id 8000007 abc"
        );
        assert_eq!(Scrubber::new([]).text(digest, 300), "<redacted>");
    }

    #[test]
    fn exposed_values_are_counted_not_shown() {
        let mut e = Exposed::default();
        e.record("CANARY-one");
        e.record("CANARY-one");
        e.record("");
        assert_eq!(e.len(), 1);
        assert_eq!(format!("{e:?}"), "Exposed(1 values)");
    }
}
