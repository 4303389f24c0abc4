//! `code:` entries as paths: a folder, a file, or a glob where `*` and
//! `?` stay within one path segment and `**` spans any number of them
//! (`apps/*/src`, `src/**/*.ts`). Paths use `/`, relative to the project.

use crate::glob::glob_match;

/// Whether a `code:` entry is a glob: `*`, `**` or `?` somewhere in it.
pub fn is_glob(entry: &str) -> bool {
    entry.contains(['*', '?'])
}

/// The folder a glob's matches all lie under: its segments before the
/// first one with a wildcard (`src` for `src/**/*.ts`, `` for `*.js`).
pub fn glob_base(pattern: &str) -> String {
    let segments: Vec<&str> = pattern
        .split('/')
        .take_while(|s| !is_glob(s))
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    segments.join("/")
}

/// Whether the relative path `path` (segments joined by `/`) matches
/// `pattern`.
pub fn path_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments(&pattern, &path)
}

fn segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        // `**` takes none, one or more segments.
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments(rest, &path[skip..])),
        Some((first, rest)) => path
            .split_first()
            .is_some_and(|(name, tail)| glob_match(first, name) && segments(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_and_across_segments() {
        let cases = [
            ("src/**/*.ts", "src/a.ts", true),
            ("src/**/*.ts", "src/lib/deep/a.ts", true),
            ("src/**/*.ts", "src/a.tsx", false),
            ("src/*.ts", "src/lib/a.ts", false),
            ("apps/*/src/**", "apps/web/src/main.tsx", true),
            ("apps/*/src/**", "apps/web/test/main.tsx", false),
            ("./functions/?.js", "functions/a.js", true),
            ("**/*.vue", "components/x/Y.vue", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(path_match(pattern, path), expected, "{pattern} {path}");
        }
    }

    #[test]
    fn a_glob_is_walked_from_its_literal_folder() {
        assert_eq!(glob_base("src/**/*.ts"), "src");
        assert_eq!(glob_base("apps/*/src"), "apps");
        assert_eq!(glob_base("*.js"), "");
        assert!(is_glob("a/**") && !is_glob("supabase/functions"));
    }
}
