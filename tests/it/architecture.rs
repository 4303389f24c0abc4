//! The layering of docs/architecture.md, checked on the source: which
//! top-level module may import which, no cycle among them, a core crate
//! with no I/O crate underneath it, each platform named only in its own
//! folder, printing only in the CLI, and files and functions that stay
//! small. A new import that breaks the layering fails here with the file
//! that made it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The platforms with a folder under `src/provider/`: each name may appear
/// (outside comments) only in its folder and in the registration files.
const PLATFORMS: &[&str] = &["supabase", "vercel", "cloudflare", "github", "netlify"];

/// Words that hold a platform's name but are not the platform: GitHub's
/// annotation output (`--format github`, `render::github`) is how CI shows
/// findings, and the Actions step summary (`GITHUB_STEP_SUMMARY`) where it
/// shows apply's audit entries, whatever platforms a project writes to.
const NOT_A_PLATFORM: &[&str] = &["format::github", "render::github", "github_step_summary"];

/// Where platforms are registered: one line or one arm each (the
/// `TargetSpec` and `Provider` variants, the lists of logins and imports,
/// the dispatch by `type:`).
const REGISTRATION: &[&str] = &[
    "src/provider/mod.rs",
    "src/provider/registry.rs",
    "src/provider/connect.rs",
];

/// The command line's help text: documentation, with examples that name
/// platforms, as docs/ does.
const DOCUMENTATION: &[&str] = &["src/cli/args.rs"];

/// Shell modules (`src/<name>`) and what each must never import. The core
/// (`envctl_core`) is below all of them and imports none.
const FORBIDDEN: &[(&str, &[&str])] = &[
    // The platforms take typed settings and a token (resolved through the
    // secret sources); they know nothing of how the desired state was
    // loaded or what runs them.
    ("provider", &["config", "engine", "cli", "saved", "audit"]),
    // Loading the desired state reads files; it talks to no platform and
    // resolves no secret.
    (
        "config",
        &["engine", "cli", "secret", "keyring", "saved", "audit"],
    ),
    // Code scanning reads the app's source files for `validate`; it talks
    // to no platform, resolves no secret and returns data.
    (
        "code",
        &[
            "provider", "engine", "cli", "secret", "keyring", "saved", "audit",
        ],
    ),
    // Secret sources know the keychain, not the platforms.
    ("secret", &["provider", "config", "engine", "cli"]),
    (
        "keyring",
        &["provider", "config", "engine", "cli", "secret"],
    ),
    ("keyed", &["provider", "config", "engine", "cli", "secret"]),
    // The engine returns data; only the CLI prints and picks exit codes.
    ("engine", &["cli"]),
    ("saved", &["cli"]),
    ("audit", &["cli", "engine"]),
    (
        "settings",
        &["provider", "config", "engine", "cli", "secret"],
    ),
    ("log", &["provider", "config", "engine", "cli", "secret"]),
];

/// Crates that do I/O: none may be in the core's dependency tree.
const IO_CRATES: &[&str] = &[
    "tokio",
    "reqwest",
    "hyper",
    "rustls",
    "tokio-postgres",
    "postgres-protocol",
    "keyring-core",
    "mio",
    "socket2",
];

/// A source file's code: comments dropped, inline test modules cut.
struct Source {
    /// Relative to the repository root, with `/`.
    path: String,
    /// The top-level module (`config` for `src/config/load.rs`).
    module: String,
    code: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Unit tests in their own files (`x_tests.rs`, `tests.rs`, a test
/// fixture) are not product code.
fn is_test_file(path: &str) -> bool {
    path.ends_with("_tests.rs") || path.ends_with("/tests.rs") || path.ends_with("/fixture.rs")
}

/// The code before the first `#[cfg(test)]`, without `//` comments.
fn code_of(text: &str) -> String {
    let product = text.split("\n#[cfg(test)]").next().unwrap_or_default();
    product
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| match l.find(" // ") {
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn sources(dir: &str) -> Vec<Source> {
    let root = Path::new(ROOT);
    let mut files = Vec::new();
    rust_files(&root.join(dir), &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let path = file
                .strip_prefix(root)
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            if is_test_file(&path) {
                return None;
            }
            let inner = path.strip_prefix(&format!("{dir}/"))?;
            let module = inner.split('/').next()?.trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&file).expect("readable source");
            Some(Source {
                path,
                module,
                code: code_of(&text),
            })
        })
        .collect()
}

/// The top-level modules a piece of code names through `crate::`.
fn imports(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with('$') || code[..at].ends_with("_") {
            continue; // `$crate::` in a macro, `envctl_core::`-like names
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                out.insert(name.to_string());
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    // `crate::Error` is the `error` module's.
    out.into_iter()
        .filter(|n| !n.is_empty())
        .map(|n| if n == "Error" { "error".to_string() } else { n })
        .collect()
}

/// Module → modules it imports, with the file that makes each edge.
fn edges(sources: &[Source]) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for s in sources {
        for to in imports(&s.code) {
            if to != s.module && s.module != "lib" && s.module != "main" {
                out.entry((s.module.clone(), to))
                    .or_insert_with(|| s.path.clone());
            }
        }
    }
    out
}

/// A cycle in the graph, if there is one, as the modules along it.
fn cycle(edges: &BTreeSet<(String, String)>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeSet<(String, String)>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for (_, to) in edges.iter().filter(|(from, _)| from == node) {
            if let Some(found) = visit(to, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .iter()
        .find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_check_finds_a_cycle_and_passes_a_chain() {
    let graph = |pairs: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    let found = cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")]));
    assert_eq!(found.expect("a cycle").len(), 4);
    assert_eq!(cycle(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        imports("use crate::{Error, config::X};\nlet y = crate::plan::diff();"),
        ["config", "error", "plan"].map(String::from).into()
    );
}

#[test]
fn the_shell_has_no_import_cycle_among_its_top_level_modules() {
    let edges = edges(&sources("src"));
    let graph: BTreeSet<_> = edges.keys().cloned().collect();
    if let Some(found) = cycle(&graph) {
        let via: Vec<String> = found
            .windows(2)
            .map(|w| {
                format!(
                    "{} → {} ({})",
                    w[0],
                    w[1],
                    edges[&(w[0].clone(), w[1].clone())]
                )
            })
            .collect();
        panic!("import cycle:\n  {}", via.join("\n  "));
    }
}

#[test]
fn no_module_imports_what_the_layering_forbids() {
    let mut broken = Vec::new();
    for ((from, to), file) in edges(&sources("src")) {
        let forbidden = FORBIDDEN
            .iter()
            .find(|(m, _)| *m == from)
            .is_some_and(|(_, never)| never.contains(&to.as_str()));
        if forbidden {
            broken.push(format!("{from} → {to} ({file})"));
        }
    }
    assert!(
        broken.is_empty(),
        "imports the layering forbids (docs/architecture.md):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn the_core_names_nothing_of_the_shell() {
    for s in sources("crates/core/src") {
        assert!(
            !s.code.contains("envctl::"),
            "{} reaches into the shell",
            s.path
        );
    }
}

/// Every package in the core's dependency tree, from Cargo.lock.
fn core_dependency_tree() -> BTreeSet<String> {
    let lock = std::fs::read_to_string(Path::new(ROOT).join("Cargo.lock")).expect("Cargo.lock");
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            package
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        let name = field("name").expect("a package name");
        let list = package
            .split("dependencies = [")
            .nth(1)
            .map(|d| d.split(']').next().unwrap_or_default())
            .unwrap_or_default();
        let names = list
            .split(',')
            .map(|d| d.trim().trim_matches('"'))
            .filter(|d| !d.is_empty())
            .map(|d| d.split(' ').next().unwrap_or(d).to_string());
        deps.entry(name).or_default().extend(names);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec!["envctl-core".to_string()];
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            todo.extend(deps.get(&name).cloned().unwrap_or_default());
        }
    }
    assert!(
        seen.len() > 5,
        "the core's dependencies were found in Cargo.lock: {seen:?}"
    );
    seen
}

#[test]
fn the_core_depends_on_no_crate_that_does_io() {
    let tree = core_dependency_tree();
    let found: Vec<_> = IO_CRATES.iter().filter(|c| tree.contains(**c)).collect();
    assert!(found.is_empty(), "envctl-core pulls in {found:?}");
    // And the shell does use them: the list names real crates.
    let lock = std::fs::read_to_string(Path::new(ROOT).join("Cargo.lock")).expect("Cargo.lock");
    assert!(lock.contains("name = \"tokio\"") && lock.contains("name = \"reqwest\""));
}

#[test]
fn a_platform_is_named_only_in_its_own_folder_and_where_it_is_registered() {
    let mut stray = Vec::new();
    for s in sources("src") {
        for platform in PLATFORMS {
            let own = format!("src/provider/{platform}/");
            let path = s.path.as_str();
            if s.path.starts_with(&own)
                || REGISTRATION.contains(&path)
                || DOCUMENTATION.contains(&path)
            {
                continue;
            }
            let lines: Vec<_> = s
                .code
                .lines()
                .filter(|l| {
                    let line = NOT_A_PLATFORM
                        .iter()
                        .fold(l.to_ascii_lowercase(), |l, word| l.replace(word, ""));
                    line.contains(platform)
                })
                .collect();
            if let Some(first) = lines.first() {
                stray.push(format!(
                    "{} names {platform} ({} lines), e.g. `{}`",
                    s.path,
                    lines.len(),
                    first.trim()
                ));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "platform knowledge outside its folder:\n  {}",
        stray.join("\n  ")
    );
}

#[test]
fn only_the_cli_and_the_log_print() {
    let allowed = ["src/cli/output.rs", "src/cli/mod.rs", "src/log.rs"];
    let mut found = Vec::new();
    for s in sources("src").into_iter().chain(sources("crates/core/src")) {
        let prints = ["println!", "eprintln!", "print!(", "eprint!("]
            .iter()
            .any(|m| s.code.contains(m));
        if prints && !allowed.contains(&s.path.as_str()) {
            found.push(s.path);
        }
    }
    assert!(found.is_empty(), "prints outside the CLI: {found:?}");
}

#[test]
fn no_source_file_is_over_500_lines() {
    let root = Path::new(ROOT);
    let mut long = Vec::new();
    for dir in ["src", "crates/core/src"] {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for file in files {
            let lines = std::fs::read_to_string(&file)
                .expect("readable")
                .lines()
                .count();
            if lines > 500 {
                long.push(format!(
                    "{} ({lines} lines)",
                    file.strip_prefix(root).unwrap_or(&file).display()
                ));
            }
        }
    }
    assert!(long.is_empty(), "split these files: {long:?}");
}
