//! The local target: a dotenv file (`.env.local` by default) as Vite and
//! Next.js read it. Reading parses the file; applying edits it in place —
//! comments, order and undeclared keys survive — and replaces it atomically
//! (temporary file in the same folder, mode 0600, then rename), so a reader
//! never sees half a file and other users of the machine never see secrets.
//! An apply stages every dotenv file of the environment ([`crate::fs::Staged`]) before
//! its first write, so a file that cannot be edited or written stops the
//! apply with no file changed.

pub mod checks;
mod encode;
pub mod example;
pub mod format;
pub mod settings;

use std::collections::BTreeMap;
use std::path::PathBuf;

use format::Document;

use crate::provider::Project;

use super::{ApplyFailure, LiveValue, ProviderError, Snapshot, Write};
use crate::provider::TargetSpec;
use envctl_core::diagnostic::Diagnostic;
use envctl_core::model::{Target, Variable};
use envctl_core::secret::Secret;
use envctl_core::yaml::Pos;
pub use settings::Settings;

#[derive(Debug, Clone)]
pub struct DotenvProvider {
    target: String,
    path: PathBuf,
    /// The path as configured, for messages.
    shown: String,
}

impl DotenvProvider {
    pub fn new(target: &str, path: PathBuf, shown: &str) -> DotenvProvider {
        DotenvProvider {
            target: target.to_string(),
            path,
            shown: shown.to_string(),
        }
    }

    fn error(&self, operation: &'static str, message: String) -> ProviderError {
        ProviderError::local(&self.target, operation, message)
    }

    fn load(&self) -> Result<Document, ProviderError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(self.error("read", format!("cannot read {}: {e}", self.shown))),
        };
        Document::parse(&text).map_err(|e| {
            self.error(
                "read",
                format!("{}:{}:{}: {}", self.shown, e.line, e.column, e.message),
            )
        })
    }

    pub fn read(&self) -> Result<Snapshot, ProviderError> {
        let doc = self.load()?;
        let file = match std::fs::read(&self.path) {
            Ok(bytes) => {
                envctl_core::secret::Fingerprint::of(&String::from_utf8_lossy(&bytes)).versioned()
            }
            Err(_) => "absent".to_string(),
        };
        let variables = doc
            .entries()
            .into_iter()
            .map(|(k, v)| {
                // A value that expands `$OTHER` depends on the reader's
                // environment: its effective value cannot be known here.
                let live = if doc.has_expansion(k) {
                    LiveValue::Unreadable
                } else {
                    LiveValue::Readable(Secret::new(v.to_string()))
                };
                (k.to_string(), live)
            })
            .collect();
        Ok(Snapshot {
            variables,
            functions: None,
            migrations: None,
            warnings: Vec::new(),
            versions: BTreeMap::from([("file".to_string(), file)]),
            updated_ms: BTreeMap::new(),
            handles: super::Handles::none(),
            ..Snapshot::default()
        })
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    /// The file's new text after `writes`; nothing is written.
    pub fn render(&self, writes: &[Write]) -> Result<String, ProviderError> {
        let mut doc = self.load()?;
        let mut edits = Vec::with_capacity(writes.len());
        for write in writes {
            match write {
                Write::Set { name, value } => edits.push((name.as_str(), Some(value.expose()))),
                Write::Delete { name } => edits.push((name.as_str(), None)),
                // A file keeps no tags: its values are always read.
                Write::Tag { .. } => {}
                Write::SetFunction { .. } | Write::DeleteFunction { .. } => {
                    return Err(self.error("write", "a dotenv file holds no Edge Functions".into()));
                }
                Write::SetSetting { .. } | Write::SetBucket { .. } => {
                    return Err(
                        self.error("write", "a dotenv file holds no project settings".into())
                    );
                }
            }
        }
        // One pass for the whole file; edit by edit only where that pass
        // cannot be sure to match, which also names a refused edit.
        if doc.edit_all(&edits) {
            return Ok(doc.render());
        }
        for (name, value) in edits {
            match value {
                Some(value) => doc
                    .try_set(name, value)
                    .map_err(|why| self.error("write", format!("{name}: {why}")))?,
                None => _ = doc.remove(name),
            }
        }
        Ok(doc.render())
    }

    /// Writes the new text to a temporary file beside the target file;
    /// [`crate::fs::Staged::commit`] renames it into place.
    pub fn stage(&self, writes: &[Write]) -> Result<crate::fs::Staged, ProviderError> {
        let text = self.render(writes)?;
        crate::fs::Staged::write(&self.path, &text)
            .map_err(|e| self.error("write", format!("{}: {e}", self.shown)))
    }

    pub fn apply(&self, writes: &[Write]) -> Result<(), ApplyFailure> {
        // One file, one rename: either every write lands or none does.
        self.stage(writes)
            .and_then(|staged| self.commit(staged))
            .map_err(ApplyFailure::nothing)
    }

    /// Renames a file [`DotenvProvider::stage`] wrote into place.
    pub fn commit(&self, staged: crate::fs::Staged) -> Result<(), ProviderError> {
        staged
            .commit()
            .map_err(|e| self.error("write", format!("{}: {e}", self.shown)))
    }
}

/// A value that a dotenv target the variable goes to cannot hold (see
/// [`format::try_encode_value`]): an error at the variable's place in the
/// YAML, so `validate` and `plan` refuse it before anything is written.
/// The message never shows the value.
pub fn unrepresentable(
    targets: &BTreeMap<String, Target>,
    var: &Variable,
    value: &str,
) -> Option<Diagnostic> {
    let (target, path) = var.targets.iter().find_map(|name| {
        match targets.get(name)?.settings_as::<TargetSpec>() {
            Some(TargetSpec::Dotenv(Settings { path, .. })) => Some((name, path)),
            _ => None,
        }
    })?;
    let why = format::try_encode_value(value).err()?;
    let pos = Pos {
        line: var.location.line,
        column: var.location.column,
    };
    let message = format!("{} cannot go to target {target} ({path}): {why}", var.name);
    Some(Diagnostic::error(&var.location.file, Some(pos), message).with_help(Some(
        "change the value (drop a trailing \\, a NUL, or one kind of quote), or route it away from dotenv targets with `targets: [...]`",
    )))
}

/// A dotenv target's provider: the file, relative to the project.
pub fn connect(project: &Project<'_>, target: &Target, settings: &Settings) -> DotenvProvider {
    DotenvProvider::new(
        &target.name,
        project.root.join(&settings.path),
        &settings.path,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_keeps_comments_and_undeclared_keys_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env.local");
        std::fs::write(&path, "# team settings\nKEEP=1\nexport A=old # note\n").unwrap();
        let p = DotenvProvider::new("local", path.clone(), ".env.local");
        let writes = vec![
            Write::Set {
                name: "A".into(),
                value: Secret::new("new value #1".into()),
            },
            Write::Set {
                name: "B".into(),
                value: Secret::new("line1\nline2".into()),
            },
        ];
        p.apply(&writes).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# team settings\nKEEP=1\nexport A="),
            "{text}"
        );
        let snap = p.read().unwrap();
        let value = |k: &str| match &snap.variables[k] {
            LiveValue::Readable(s) => s.expose().to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(value("A"), "new value #1");
        assert_eq!(value("B"), "line1\nline2");
        assert_eq!(value("KEEP"), "1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn a_staged_file_changes_nothing_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let p = DotenvProvider::new("local", path.clone(), ".env");
        let set = |v: &str| Write::Set {
            name: "A".into(),
            value: Secret::new(v.into()),
        };
        let staged = p.stage(&[set("2")]).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=1\n");
        drop(staged);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "temp file removed"
        );
        p.commit(p.stage(&[set("3")]).unwrap()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=3\n");
        let nul = p.stage(&[set("a\0b")]).unwrap_err();
        assert!(nul.message.contains("NUL"), "{}", nul.message);
        assert!(!nul.message.contains("a\0b"));
    }

    #[test]
    fn a_refused_value_among_many_names_its_key_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "A=1\n").unwrap();
        let p = DotenvProvider::new("local", path.clone(), ".env");
        let set = |k: &str, v: &str| Write::Set {
            name: k.into(),
            value: Secret::new(v.into()),
        };
        let err = p.apply(&[set("B", "2"), set("C", "x\0y")]).unwrap_err();
        assert!(
            err.error.message.starts_with("C: "),
            "{}",
            err.error.message
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "A=1\n");
        let writes = [set("B", "2"), Write::Delete { name: "A".into() }];
        p.apply(&writes).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "B=2\n");
    }

    #[test]
    fn a_missing_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = DotenvProvider::new("local", dir.path().join("nope.env"), "nope.env");
        assert!(p.read().unwrap().variables.is_empty());
    }
}
