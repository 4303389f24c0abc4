//! Reading one desired-state file: refused before reading when it is not
//! safe to read, then syntax, types and schema in turn.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::PROJECT_FILE;
use crate::config::schema::{self, SchemaKind};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::de::from_node;
use envctl_core::yaml::{self, Pos};

/// Syntax, then types, then schema: a file that fails one pass is not
/// checked by the next, whose messages would only repeat the first.
pub(super) fn read_file<T: DeserializeOwned>(
    root: &Path,
    rel: &Path,
    kind: SchemaKind,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let bytes = match read_limited(root, rel) {
        Ok(bytes) => bytes,
        Err(Refusal::Missing) if kind == SchemaKind::Project => {
            diags.push(Diagnostic::error(rel, None, format!("no {PROJECT_FILE} in {}", root.display())).with_help(
                Some("run envctl in your project's folder, or pass --chdir DIR (see docs/configuration.md)"),
            ));
            return None;
        }
        Err(Refusal::Missing) => {
            diags.push(Diagnostic::error(
                rel,
                None,
                "cannot read the file: it does not exist",
            ));
            return None;
        }
        Err(Refusal::Diagnostic(diag)) => {
            diags.push(*diag);
            return None;
        }
    };
    let node = match yaml::parse_bytes(&bytes) {
        Ok(Some(node)) => node,
        Ok(None) => yaml::Node {
            kind: yaml::Kind::Map(Vec::new()),
            pos: Pos { line: 1, column: 1 },
        },
        Err(e) => {
            diags.push(Diagnostic::error(rel, Some(e.pos), e.message).with_help(e.help));
            return None;
        }
    };
    let value = match from_node::<T>(&node) {
        Ok(value) => value,
        Err(e) => {
            diags.push(
                Diagnostic::error(rel, e.pos.or(Some(node.pos)), e.message).with_help(e.help),
            );
            return None;
        }
    };
    let schema_errors = schema::check(kind, rel, &node);
    if !schema_errors.is_empty() {
        diags.extend(schema_errors);
        return None;
    }
    Some(value)
}

/// Why a desired-state file was not read.
enum Refusal {
    Missing,
    Diagnostic(Box<Diagnostic>),
}

/// A desired-state file's bytes, refusing before reading what a hostile
/// pull request could put there: a symlink out of the project (to
/// `/proc/self/environ`, a CI credential file: envctl's messages would
/// quote it), something that is not a file (`/dev/zero`), or more than
/// [`yaml::limits::FILE_BYTES`].
fn read_limited(root: &Path, rel: &Path) -> Result<Vec<u8>, Refusal> {
    use std::io::Read as _;
    let path = root.join(rel);
    let refuse = |message: String, help: &str| {
        Refusal::Diagnostic(Box::new(
            Diagnostic::error(rel, None, message).with_help(Some(help)),
        ))
    };
    let cannot = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Refusal::Missing
        } else {
            refuse(
                format!("cannot read the file: {e}"),
                "check its permissions",
            )
        }
    };
    let real = std::fs::canonicalize(&path).map_err(cannot)?;
    let real_root = std::fs::canonicalize(root).map_err(cannot)?;
    if !real.starts_with(&real_root) {
        return Err(refuse(
            "the file is a link to a file outside the project".into(),
            "copy the file into the project instead of linking to it; envctl reads only files inside the project",
        ));
    }
    let metadata = std::fs::metadata(&real).map_err(cannot)?;
    let limit = yaml::limits::FILE_BYTES;
    let too_big = |size: String| {
        refuse(
            format!("the file is {size}; envctl reads YAML files of at most 1 MiB ({limit} bytes)"),
            "check that this is the file you meant; split a project that big across environment files",
        )
    };
    if !metadata.is_file() {
        return Err(refuse(
            "not a regular file".into(),
            "the desired state is plain files; remove or replace this one",
        ));
    }
    if metadata.len() > limit {
        return Err(too_big(format!("{} bytes", metadata.len())));
    }
    // The length can change between the look and the read: read one
    // byte past the limit to notice without reading everything.
    let mut bytes = Vec::new();
    std::fs::File::open(&real)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big("more than 1 MiB".into()));
    }
    Ok(bytes)
}
