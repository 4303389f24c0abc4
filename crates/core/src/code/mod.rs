//! The app's own code, read for what it asks of its environment: which
//! variables it reads (`import.meta.env.X`, `process.env.X`,
//! `Deno.env.get("X")`, …) and which URLs it hard-codes to this machine.
//!
//! [`scan`] is a pure function of a file's path and text: a real
//! JavaScript/TypeScript parser (oxc) builds the syntax tree, so nothing in
//! a comment or an ordinary string counts as a read. Finding and reading
//! the files is the shell's (`envctl::code`); what the rules see is
//! [`CodeReads`], the scanned files each target of an environment serves.

mod blocks;
pub mod names;
pub mod paths;
mod visit;
mod walk;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::span::Pos;

/// How code reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// `import.meta.env.X`, `import.meta.env["X"]`, or destructured from
    /// `import.meta.env` (Vite, Astro).
    ImportMeta,
    /// `process.env.X`, `process.env["X"]`, or destructured from
    /// `process.env` (Node, Next.js).
    Process,
    /// `Deno.env.get("X")` (Deno, Edge Functions).
    Deno,
    /// `Netlify.env.get("X")` (Netlify Functions).
    Netlify,
    /// `context.env.X` or `env.X` in a Pages Function: a module that
    /// exports an `onRequest…` handler.
    Context,
}

impl Access {
    /// The form as code writes it, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Access::ImportMeta => "import.meta.env",
            Access::Process => "process.env",
            Access::Deno => "Deno.env.get",
            Access::Netlify => "Netlify.env.get",
            Access::Context => "context.env",
        }
    }
}

/// One place where code reads a variable by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub name: String,
    pub access: Access,
    /// Where the name is written.
    pub pos: Pos,
}

/// A string literal holding a URL of this machine (`http://localhost:3001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localhost {
    /// `localhost`, `127.0.0.1`, `0.0.0.0` or `[::1]`; never the rest of
    /// the literal.
    pub host: String,
    pub pos: Pos,
}

/// What one source file reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileScan {
    /// The file, relative to the project root.
    pub path: PathBuf,
    pub reads: Vec<Read>,
    /// Loopback URLs, outside branches that only run in development
    /// (`import.meta.env.DEV ? … : …`).
    pub localhost: Vec<Localhost>,
    /// An environment object is used whole (passed to a function, spread,
    /// indexed by a computed name): any variable may be read through it,
    /// so no variable can be called unused.
    pub opaque: bool,
    /// The parser's first complaint, where the file is not valid
    /// JavaScript or TypeScript. Reads may then be missing, so the file
    /// is also [`opaque`](Self::opaque).
    pub problem: Option<(Pos, String)>,
}

/// The extensions [`scan`] reads (`.vue` and `.svelte`: their `<script>`
/// blocks).
pub const EXTENSIONS: &[&str] = &[
    "js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue", "svelte",
];

/// Whether `path` is a file [`scan`] reads: one of [`EXTENSIONS`], and
/// not a type declaration (`.d.ts`), which reads nothing.
pub fn is_source(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let declaration = [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|d| name.ends_with(d));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !declaration && EXTENSIONS.contains(&ext)
}

/// Scans one file's text. `path` picks the language (by extension) and is
/// kept in the result; nothing is read from it.
pub fn scan(path: &Path, text: &str) -> FileScan {
    Scanner::default().scan(path, text)
}

/// Scans file after file in one memory arena, emptied between files: a
/// caller scanning many files keeps one per thread.
#[derive(Default)]
pub struct Scanner {
    arena: oxc_allocator::Allocator,
}

impl Scanner {
    /// [`scan`], in this scanner's arena.
    pub fn scan(&mut self, path: &Path, text: &str) -> FileScan {
        let mut out = FileScan {
            path: path.to_path_buf(),
            ..FileScan::default()
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let lines = visit::Lines::new(text);
        if matches!(ext, "vue" | "svelte") {
            for block in blocks::scripts(text) {
                self.arena.reset();
                visit::program(&self.arena, &block.text, block.kind, &lines, &mut out);
            }
        } else {
            self.arena.reset();
            visit::program(&self.arena, text, blocks::kind_of(ext), &lines, &mut out);
        }
        out
    }
}

/// The code one target serves: the folders and globs it was scanned
/// from, and the files found there.
#[derive(Debug, Clone, Default)]
pub struct Served {
    /// As `code:` or its defaults name them (`src`, `supabase/functions`).
    pub roots: Vec<String>,
    /// Shared between environments that serve the same files.
    pub files: Vec<Arc<FileScan>>,
}

impl Served {
    /// Every read in these files, in file order.
    pub fn reads(&self) -> impl Iterator<Item = (&FileScan, &Read)> {
        self.files
            .iter()
            .flat_map(|f| f.reads.iter().map(move |r| (&**f, r)))
    }

    /// The roots as a short list for messages: `src, app`.
    pub fn describe(&self) -> String {
        self.roots.join(", ")
    }
}

/// The code each target of one environment serves, by target name. A
/// target that serves no code is not here.
#[derive(Debug, Clone, Default)]
pub struct CodeReads {
    pub targets: BTreeMap<String, Served>,
}

#[cfg(test)]
mod tests;
