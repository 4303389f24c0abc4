//! Recognising what a value is without keeping it: Stripe keys by mode,
//! Supabase JWTs by role, private keys, well-known token prefixes, and
//! high-entropy strings. The result is a coarse [`Class`], safe to store in
//! a plan, that lets rules judge a secret they may never see.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    StripeLiveSecret,
    StripeTestSecret,
    StripeLivePublishable,
    StripeTestPublishable,
    StripeWebhookSecret,
    SupabaseServiceRole,
    /// A Supabase anon key: public by design.
    SupabaseAnon,
    /// Some other JWT.
    Jwt,
    PrivateKey,
    /// A well-known token format (GitHub, Slack, AWS, OpenAI, …).
    KnownToken,
    /// A public token by design (Mapbox `pk.`).
    PublicToken,
    HighEntropy,
    /// Whatever it looks like, the desired state marks it `sensitive: true`.
    Sensitive,
}

impl Class {
    /// Whether a value of this class must be kept secret.
    pub fn is_secret(self) -> bool {
        !matches!(
            self,
            Class::StripeLivePublishable
                | Class::StripeTestPublishable
                | Class::SupabaseAnon
                | Class::PublicToken
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            Class::StripeLiveSecret => "a Stripe live secret key",
            Class::StripeTestSecret => "a Stripe test secret key",
            Class::StripeLivePublishable => "a Stripe live publishable key",
            Class::StripeTestPublishable => "a Stripe test publishable key",
            Class::StripeWebhookSecret => "a Stripe webhook signing secret",
            Class::SupabaseServiceRole => "a Supabase service_role key",
            Class::SupabaseAnon => "a Supabase anon key",
            Class::Jwt => "a JWT",
            Class::PrivateKey => "a private key",
            Class::KnownToken => "an API token",
            Class::PublicToken => "a public token",
            Class::HighEntropy => "a random-looking string",
            Class::Sensitive => "a value marked `sensitive: true`",
        }
    }
}

const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xapp-",
    "AKIA",
    "ASIA",
    "sk-proj-",
    "sk-ant-",
    "sk-",
    "AIza",
    "sbp_",
    "sb_secret_",
    "SG.",
    "sk.",
    "npm_",
    "hf_",
    "shpat_",
    "dop_v1_",
];

pub fn classify(value: &str) -> Option<Class> {
    let v = value.trim();
    for (prefix, class) in [
        ("sk_live_", Class::StripeLiveSecret),
        ("rk_live_", Class::StripeLiveSecret),
        ("sk_test_", Class::StripeTestSecret),
        ("rk_test_", Class::StripeTestSecret),
        ("pk_live_", Class::StripeLivePublishable),
        ("pk_test_", Class::StripeTestPublishable),
        ("whsec_", Class::StripeWebhookSecret),
        ("pk.", Class::PublicToken),
        ("sb_publishable_", Class::PublicToken),
        // Google browser keys (Firebase web config) are public by design.
        ("AIza", Class::PublicToken),
    ] {
        if v.starts_with(prefix) && v.len() > prefix.len() + 4 {
            return Some(class);
        }
    }
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some(Class::PrivateKey);
    }
    if let Some(role) = jwt_role(v) {
        return Some(match role.as_deref() {
            Some("service_role") => Class::SupabaseServiceRole,
            Some("anon") => Class::SupabaseAnon,
            _ => Class::Jwt,
        });
    }
    if TOKEN_PREFIXES
        .iter()
        .any(|p| v.starts_with(p) && v.len() >= p.len() + 16 && !v.contains(char::is_whitespace))
    {
        return Some(Class::KnownToken);
    }
    high_entropy(v).then_some(Class::HighEntropy)
}

/// Whether a value should be treated as secret when shown.
pub fn looks_secret(value: &str) -> bool {
    classify(value).is_some_and(Class::is_secret)
}

/// Words that make a value guessable however long the rest is.
const GUESSABLE_WORDS: &[&str] = &[
    "password", "passwd", "secret", "changeme", "letmein", "welcome", "qwerty", "admin", "default",
    "example", "test", "1234", "abcd",
];

/// The shortest a secret may be, its known prefix and guessable words
/// removed, to be safe behind a published digest.
pub const WEAK_MIN_LENGTH: usize = 12;
/// The least distinct characters a secret may have.
pub const WEAK_MIN_DISTINCT: usize = 6;
/// The least estimated entropy a secret may have, in bits.
pub const WEAK_MIN_BITS: f64 = 60.0;

/// Why a secret is too guessable to sit behind a published digest (the
/// SHA-256 Supabase shows project members, Vercel's comment tag), or
/// `None`. The measure, in docs/rules.md: drop a known prefix (`sk_live_`,
/// `whsec_`, `ghp_`, …) and every guessable word; what is left must have
/// at least [`WEAK_MIN_LENGTH`] characters, [`WEAK_MIN_DISTINCT`] distinct
/// ones, and length × log2(alphabet) of at least [`WEAK_MIN_BITS`], the
/// alphabet being the sum of the classes present (26 lower, 26 upper, 10
/// digits, 33 other). Only a bound: a long memorable phrase passes.
pub fn weakness(value: &str) -> Option<&'static str> {
    let v = value.trim();
    let body = ["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"]
        .iter()
        .chain(TOKEN_PREFIXES)
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v);
    let mut rest = body.to_ascii_lowercase();
    for word in GUESSABLE_WORDS {
        rest = rest.replace(word, "");
    }
    if rest.chars().count() < WEAK_MIN_LENGTH {
        return Some(if rest.len() == body.len() {
            "too short"
        } else {
            "mostly common words"
        });
    }
    let distinct: std::collections::BTreeSet<char> = body.chars().collect();
    if distinct.len() < WEAK_MIN_DISTINCT {
        return Some("too few distinct characters");
    }
    let has = |f: fn(&char) -> bool| body.chars().any(|c| f(&c));
    let alphabet = [
        (has(char::is_ascii_lowercase), 26),
        (has(char::is_ascii_uppercase), 26),
        (has(char::is_ascii_digit), 10),
        (has(|c| !c.is_ascii_alphanumeric()), 33),
    ]
    .iter()
    .filter(|(present, _)| *present)
    .map(|(_, n)| n)
    .sum::<u32>();
    let bits = rest.chars().count() as f64 * f64::from(alphabet.max(2)).log2();
    (bits < WEAK_MIN_BITS).then_some("too little entropy")
}

/// `Some(role)` for anything shaped like a JWT; the role claim if present.
fn jwt_role(v: &str) -> Option<Option<String>> {
    Some(claim(&jwt_claims(v)?, "role"))
}

/// The payload of anything shaped like a JWT, decoded without checking
/// the signature (envctl only sorts keys, it never trusts one).
fn jwt_claims(v: &str) -> Option<serde_json::Value> {
    let mut parts = v.trim().split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !header.starts_with("eyJ") || signature.is_empty() {
        return None;
    }
    let json = base64url_decode(payload)?;
    serde_json::from_slice(&json).ok()
}

fn claim(claims: &serde_json::Value, name: &str) -> Option<String> {
    claims
        .get(name)
        .and_then(|r| r.as_str())
        .map(str::to_string)
}

/// The project a Supabase anon or service-role key belongs to: the `ref`
/// claim of its payload. `None` for anything else (the local stack's demo
/// keys carry no `ref`).
pub fn supabase_key_project(value: &str) -> Option<String> {
    let claims = jwt_claims(value)?;
    let role = claim(&claims, "role")?;
    let project = claim(&claims, "ref").filter(|r| !r.is_empty())?;
    matches!(role.as_str(), "anon" | "service_role").then_some(project)
}

/// The project ref of a Supabase API host (`<ref>.supabase.co`).
pub fn supabase_host_project(host: &str) -> Option<&str> {
    let project = host
        .strip_suffix(".supabase.co")
        .or_else(|| host.strip_suffix(".supabase.in"))?;
    (!project.is_empty() && project.chars().all(|c| c.is_ascii_alphanumeric())).then_some(project)
}

/// The host of every URL in `text` (`scheme://[user@]host[:port]…`), in
/// lower case. A scan rather than a regex: rules run it on every value of
/// every environment.
pub fn url_hosts(text: &str) -> Vec<String> {
    let scheme_char = |c: char| c.is_ascii_alphanumeric() || "+.-".contains(c);
    let mut out = Vec::new();
    for (at, _) in text.match_indices("://") {
        let before = &text[..at];
        let start = before.rfind(|c: char| !scheme_char(c)).map_or(0, |i| i + 1);
        // The scheme starts with a letter; leading digits or dots are not part of it.
        let Some(first) = before[start..].find(|c: char| c.is_ascii_alphabetic()) else {
            continue;
        };
        if !before[start + first..].chars().all(scheme_char) {
            continue;
        }
        let rest = &text[at + 3..];
        let end = rest
            .find(|c: char| "/?#".contains(c) || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = match host_port.strip_prefix('[') {
            Some(v6) => v6.split_once(']').map(|(h, _)| format!("[{h}]")),
            None => host_port.split(':').next().map(str::to_string),
        };
        if let Some(host) = host.filter(|h| !h.is_empty()) {
            out.push(host.to_ascii_lowercase());
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Long, unbroken, mixed-alphabet strings with high Shannon entropy. URLs,
/// paths and prose are excluded: they are long but not random.
fn high_entropy(v: &str) -> bool {
    if v.len() < 24 || v.contains("://") || v.contains(char::is_whitespace) || v.starts_with('/') {
        return false;
    }
    if !v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+/=_-.".contains(&b))
    {
        return false;
    }
    let classes = [
        v.bytes().any(|b| b.is_ascii_lowercase()),
        v.bytes().any(|b| b.is_ascii_uppercase()),
        v.bytes().any(|b| b.is_ascii_digit()),
    ];
    if classes.iter().filter(|c| **c).count() < 2 {
        return false;
    }
    let mut counts = [0usize; 256];
    for b in v.bytes() {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|&c| -(c as f64 / n) * (c as f64 / n).log2())
        .sum();
    entropy >= 4.0
}

/// The host of a URL in `text` that points at this machine (`localhost`,
/// `127.0.0.1`, `0.0.0.0`, `[::1]`), lower-cased; `None` when there is
/// none. Rules `localhost-url` (values) and `hardcoded-localhost` (code)
/// share it.
pub fn loopback_host(text: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    // Cheap refusal first: code scanning asks this of every string literal.
    if !text.contains("://") {
        return None;
    }
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?:[:/?#\s]|$)")
            .expect("valid regex")
    });
    re.captures(text).map(|c| c[1].to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let b64 = |s: &str| {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let bytes = s.as_bytes();
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
                for i in 0..=chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        format!(
            "{}.{}.sig",
            b64(r#"{"alg":"HS256","typ":"JWT"}"#),
            b64(payload)
        )
    }

    #[test]
    fn classifies_known_shapes() {
        assert_eq!(classify("sk_live_51Habcdef"), Some(Class::StripeLiveSecret));
        assert_eq!(classify("rk_test_51Habcdef"), Some(Class::StripeTestSecret));
        assert_eq!(
            classify("pk_test_51Habcdef"),
            Some(Class::StripeTestPublishable)
        );
        assert_eq!(
            classify(&jwt(r#"{"role":"service_role","iss":"supabase"}"#)),
            Some(Class::SupabaseServiceRole)
        );
        assert_eq!(
            classify(&jwt(r#"{"role":"anon"}"#)),
            Some(Class::SupabaseAnon)
        );
        assert_eq!(
            classify("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"),
            Some(Class::PrivateKey)
        );
        assert_eq!(
            classify("ghp_0123456789abcdefghijABCDEFGHIJ"),
            Some(Class::KnownToken)
        );
        assert_eq!(
            classify("q8Xv2LmP0zR7tK4wN9bY3cF6hJ1sD5gA"),
            Some(Class::HighEntropy)
        );
    }

    #[test]
    fn a_supabase_key_names_its_project_and_a_url_its_host() {
        let anon = jwt(r#"{"role":"anon","ref":"abcdefghijklmnopqrst"}"#);
        assert_eq!(
            supabase_key_project(&anon).as_deref(),
            Some("abcdefghijklmnopqrst")
        );
        let service = jwt(r#"{"ref":"x1","role":"service_role"}"#);
        assert_eq!(supabase_key_project(&service).as_deref(), Some("x1"));
        for other in [
            jwt(r#"{"role":"anon"}"#),
            jwt(r#"{"role":"authenticated","ref":"x1"}"#),
            "sk_live_51Habcdef".to_string(),
        ] {
            assert_eq!(supabase_key_project(&other), None, "{other}");
        }
        assert_eq!(supabase_host_project("abc123.supabase.co"), Some("abc123"));
        assert_eq!(supabase_host_project("api.huddle.app"), None);
        assert_eq!(supabase_host_project("a.b.supabase.co"), None);
        assert_eq!(
            url_hosts("https://user:pw@API.Example.com:8443/x and wss://abc.supabase.co/realtime"),
            ["api.example.com", "abc.supabase.co"]
        );
        assert_eq!(url_hosts("http://[::1]:3000"), ["[::1]"]);
        assert_eq!(
            url_hosts("a,https://x.io?q=1 b#postgres://u@db.internal:5432/x"),
            ["x.io", "db.internal"]
        );
        assert!(url_hosts("://nohost and 1://x.io").len() <= 1);
        assert!(url_hosts("no url here: example.com").is_empty());
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for v in [
            "https://api.example.com/v1/some/long/path",
            "true",
            "3000",
            "production",
            "pk.eyJ1IjoiaHVkZGxlIn0.abc",
        ] {
            assert!(!looks_secret(v), "{v}");
        }
        assert!(!looks_secret("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn weak_secrets_are_the_guessable_ones() {
        for weak in [
            "hunter2",
            "sk_live_short",
            "Password123!",
            "changeme-changeme-changeme",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abababababababababab",
            "12345678901234",
            "whsec_testtesttest",
        ] {
            assert!(weakness(weak).is_some(), "{weak} passed");
        }
        for strong in [
            "sk_live_51Hx7Kp2eZvKYlo2C9fJ3qW8rT0uV",
            "whsec_4vQ8mN2pL6xR1tY9",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "3b241101-e2bb-4255-8caf-4136c566a962",
            "correct horse battery staple",
        ] {
            assert_eq!(weakness(strong), None, "{strong} refused");
        }
    }
}
