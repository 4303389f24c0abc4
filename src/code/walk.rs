//! Finding the source files under a `code:` entry and reading them. The
//! walk stays inside the project: it follows no symbolic link, and skips
//! `node_modules` and hidden folders (`.git`, `.next`, `.vercel`). Files
//! are scanned on every core at once, each read once.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use envctl_core::code::paths::{glob_base, is_glob, path_match};
use envctl_core::code::{FileScan, Scanner, is_source};
use envctl_core::diagnostic::Diagnostic;

/// Larger source files are generated (bundles, vendored libraries), not
/// the app's own code; the bound also caps what a hostile file can make
/// the parser use (about 650 MiB for 1 MiB of `[[[…]]]`).
const MAX_BYTES: u64 = 1024 * 1024;

/// Files up to this size are scanned on a pool of threads with
/// [`POOL_STACK`] each; a larger one gets a thread of its own.
const POOLED_BYTES: u64 = 64 * 1024;

/// The parser and the walk recurse once per level of nesting, a little
/// over 1 KiB of stack a level at worst (`[[[…]]]`, two bytes a level), and
/// a hostile file nests as deep as its size allows. So a pooled thread
/// has room for any file up to [`POOLED_BYTES`], and a larger file's own
/// thread gets [`STACK_PER_BYTE`] per byte besides. The memory is only
/// reserved, and used as deep as a file goes.
const POOL_STACK: usize = 64 * 1024 * 1024;
const STACK_PER_BYTE: usize = 1024;

/// The source files a `code:` entry names, relative to `root`, sorted.
pub(super) fn files(root: &Path, entry: &str, warnings: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let start: PathBuf = if is_glob(entry) {
        PathBuf::from(glob_base(entry))
    } else {
        Path::new(entry)
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect()
    };
    if !inside(root, &start) {
        warnings.push(Diagnostic::warning(
            &start,
            None,
            format!(
                "`code:` entry `{entry}` leads outside the project through a link; not scanned"
            ),
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    match std::fs::symlink_metadata(root.join(&start)) {
        Ok(m) if m.is_dir() => walk(root, &start, &mut out),
        Ok(m) if m.is_file() && is_source(&start) => out.push(start),
        _ => {}
    }
    if is_glob(entry) {
        out.retain(|p| path_match(entry, &slashed(p)));
    }
    out
}

/// Whether `rel` resolves to a place inside `root`, links followed.
fn inside(root: &Path, rel: &Path) -> bool {
    let real = |p: &Path| std::fs::canonicalize(p).ok();
    match (real(root), real(&root.join(rel))) {
        (Some(root), Some(path)) => path.starts_with(root),
        // Missing: nothing will be read there.
        _ => true,
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with('.') || text == "node_modules" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = dir.join(&name);
        if kind.is_dir() {
            walk(root, &path, out);
        } else if kind.is_file() && is_source(&path) {
            out.push(path);
        }
    }
}

/// A relative path with `/` between segments, as globs are written.
fn slashed(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Reads and scans every file, the small ones on every core at once; a
/// file that cannot be read is left out with a warning.
pub(super) fn scan_all(
    root: &Path,
    paths: Vec<PathBuf>,
    warnings: &mut Vec<Diagnostic>,
) -> BTreeMap<PathBuf, Arc<FileScan>> {
    let (small, big): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| std::fs::metadata(root.join(p)).map_or(0, |m| m.len()) <= POOLED_BYTES);
    let mut results = pooled(root, &small);
    results.extend(big.iter().map(|p| alone(root, p)));
    let mut out = BTreeMap::new();
    for result in results {
        match result {
            Ok(scan) => {
                if let Some((pos, message)) = &scan.problem {
                    warnings.push(
                        Diagnostic::warning(&scan.path, Some(*pos), format!("cannot parse this file: {message}"))
                            .with_help(Some("code scanning may miss reads in this file; fix the syntax, or leave the file out of the target's `code:`")),
                    );
                }
                out.insert(scan.path.clone(), Arc::new(scan));
            }
            Err(warning) => warnings.push(warning),
        }
    }
    warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    out
}

/// Small files, on up to eight threads that take the next file as they go.
fn pooled(root: &Path, paths: &[PathBuf]) -> Vec<Result<FileScan, Diagnostic>> {
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(paths.len());
    let work = || {
        let mut scanner = Scanner::default();
        let mut done = Vec::new();
        while let Some(path) = paths.get(next.fetch_add(1, Ordering::Relaxed)) {
            done.push(read(root, path).map(|text| scanner.scan(path, &text)));
        }
        done
    };
    let mut done: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .filter_map(|_| {
                let thread = std::thread::Builder::new().stack_size(POOL_STACK);
                thread.spawn_scoped(s, work).ok()
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // Files no thread took (none could start, or one stopped): named, not
    // silently dropped.
    let taken: std::collections::BTreeSet<&PathBuf> = done
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|s| &s.path))
        .collect();
    let missed: Vec<_> = paths
        .iter()
        .filter(|p| !taken.contains(p))
        .filter(|p| {
            !done
                .iter()
                .any(|r| r.as_ref().is_err_and(|d| &d.file == *p))
        })
        .map(|p| Err(unscanned(p, "no thread could scan it")))
        .collect();
    done.extend(missed);
    done
}

/// One large file, on a thread with room for its deepest possible nesting.
fn alone(root: &Path, path: &Path) -> Result<FileScan, Diagnostic> {
    let text = read(root, path)?;
    let stack = POOL_STACK + text.len().saturating_mul(STACK_PER_BYTE);
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new().stack_size(stack);
        let handle = thread
            .spawn_scoped(s, || Scanner::default().scan(path, &text))
            .map_err(|_| unscanned(path, "not enough memory to parse a file this large"))?;
        handle
            .join()
            .map_err(|_| unscanned(path, "the parser stopped on it"))
    })
}

fn unscanned(path: &Path, why: &str) -> Diagnostic {
    Diagnostic::warning(path, None, format!("not scanned: {why}"))
        .with_help(Some("leave generated files out of the target's `code:`"))
}

/// One source file's text, refused when it is too big or not UTF-8.
fn read(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let skip = |why: String| unscanned(rel, &why);
    let mut bytes = Vec::new();
    std::fs::File::open(root.join(rel))
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| skip(format!("cannot read it: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(skip("larger than 1 MiB".into()));
    }
    String::from_utf8(bytes).map_err(|_| skip("not UTF-8 text".into()))
}
