//! The local target: a dotenv file (`.env.local` by default) as Vite and
//! Next.js read it. Reading parses the file; applying edits it in place —
//! comments, order and undeclared keys survive — and replaces it atomically
//! (temporary file in the same folder, mode 0600, then rename), so a reader
//! never sees half a file and other users of the machine never see secrets.

pub mod format;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use format::Document;

use super::{ApplyFailure, LiveValue, ProviderError, Snapshot, Write};
use crate::secret::Secret;

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
        ProviderError {
            target: self.target.clone(),
            operation: operation.into(),
            message,
        }
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
                crate::secret::Fingerprint::of(&String::from_utf8_lossy(&bytes)).versioned()
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
        })
    }

    /// The target's name in the environment file.
    pub fn target_name(&self) -> &str {
        &self.target
    }

    pub fn apply(&self, writes: &[Write]) -> Result<(), ApplyFailure> {
        let mut doc = self.load().map_err(ApplyFailure::nothing)?;
        for write in writes {
            match write {
                Write::Set { name, value } => {
                    doc.try_set(name, value.expose()).map_err(|why| {
                        ApplyFailure::nothing(self.error("write", format!("{name}: {why}")))
                    })?;
                }
                Write::Delete { name } => {
                    doc.remove(name);
                }
                Write::SetFunction { .. } | Write::DeleteFunction { .. } => {
                    return Err(ApplyFailure::nothing(
                        self.error("write", "a dotenv file holds no Edge Functions".into()),
                    ));
                }
            }
        }
        // One file, one rename: either every write lands or none does.
        write_atomically(&self.path, &doc.render())
            .map_err(|e| ApplyFailure::nothing(self.error("write", format!("{}: {e}", self.shown))))
    }
}

/// Writes via a temporary sibling file and a rename; the file is created
/// with mode 0600 before any byte is written to it.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("envctl");
    let tmp = dir.join(format!(".{name}.envctl-{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
    fn a_missing_file_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = DotenvProvider::new("local", dir.path().join("nope.env"), "nope.env");
        assert!(p.read().unwrap().variables.is_empty());
    }
}
