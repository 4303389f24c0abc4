//! Name globs, as rules and routes write them: `VITE_*`, `*_BYPASS`.

/// `*` matches any run of characters, `?` one; everything else literally.
///
/// Rules match every variable against their globs, so this allocates
/// nothing for ASCII names and backtracks only to the last `*` (linear for
/// one `*`, never exponential).
pub fn glob_match(pattern: &str, name: &str) -> bool {
    if pattern.is_ascii() && name.is_ascii() {
        wildcard(pattern.as_bytes(), name.as_bytes(), b'*', b'?')
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        wildcard(&p, &n, '*', '?')
    }
}

fn wildcard<T: Copy + PartialEq>(p: &[T], n: &[T], star: T, one: T) -> bool {
    let (mut pi, mut ni) = (0, 0);
    // The last `*` seen, and where in the name its match currently ends.
    let mut resume: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(&c) if c == star => {
                resume = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == one || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match resume {
                // Let the last `*` take one more character and retry.
                Some((star_at, taken)) => {
                    resume = Some((star_at, taken + 1));
                    pi = star_at + 1;
                    ni = taken + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == star)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        let cases = [
            ("VITE_*", "VITE_API_URL", true),
            ("*", "ANY", true),
            ("*_BYPASS_*", "ALLOW_WEBHOOK_BYPASS_X", true),
            ("VITE_*", "NEXT_PUBLIC_X", false),
            ("A?C", "ABC", true),
            ("STRIPE_KEY", "STRIPE_KEYS", false),
            ("", "", true),
            ("", "A", false),
            ("**", "", true),
            ("A*B*C", "AXXBYYC", true),
            ("A*B*C", "ABBBC", true),
            ("A*B*C", "AXXBYY", false),
            ("*_URL", "VITE_API_URL_URL", true),
            ("*_URL", "VITE_API_URLS", false),
            ("ALLOW_*_FALLBACK", "ALLOW_STRIPE_FALLBACK", true),
            ("ALLOW_*_FALLBACK", "ALLOW_FALLBACK", false),
            ("?*?", "AB", true),
            ("?*?", "A", false),
            // `?` is one character, not one byte.
            ("CAFÉ_?", "CAFÉ_É", true),
            ("?_X", "É_X", true),
            ("??_X", "É_X", false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_match(pattern, name), expected, "{pattern} ~ {name}");
        }
        // Many stars against a long name that fails at the end: no blow-up.
        let name = "A".repeat(200);
        assert!(!glob_match("*A*A*A*A*A*A*A*A*B", &name));
    }
}
