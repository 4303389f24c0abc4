//! Files envctl writes that must never be seen half-written or readable by
//! others: dotenv targets, imported environment files, saved plans, the
//! fingerprint key, rotated `file:` secrets.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes via a temporary sibling file and a rename; the file is created
/// with mode 0600 before any byte is written to it.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    Staged::write(path, contents)?.commit()
}

/// A file's new contents, written in full (mode 0600, synced) to a
/// temporary sibling, waiting for the rename. Dropped uncommitted, the
/// temporary file is removed and the target file is as it was.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Staged {
    pub fn write(path: &Path, contents: &str) -> std::io::Result<Staged> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("envctl");
        // Unique per staged file: one apply may stage several at once.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.envctl-{}-{n}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let staged = Staged {
            tmp,
            path: path.to_path_buf(),
            committed: false,
        };
        let mut file = options.open(&staged.tmp)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        Ok(staged)
    }

    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.tmp, &self.path)?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
