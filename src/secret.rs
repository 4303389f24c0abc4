//! Resolving a secret reference (`env:`, `file:`, `keyring`, `command`) to
//! its value. The value types, [`Secret`] and [`Fingerprint`], are the
//! core's (`envctl_core::secret`).

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use envctl_core::model::SecretRef;

pub use envctl_core::secret::{Fingerprint, Secret};

/// How long a `command` source may take before envctl gives up on it,
/// unless `ENVCTL_COMMAND_TIMEOUT` (seconds) says otherwise.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

fn command_timeout() -> Result<Duration, Unresolved> {
    crate::settings::seconds("ENVCTL_COMMAND_TIMEOUT")
        .map(|t| t.unwrap_or(COMMAND_TIMEOUT))
        .map_err(|e| Unresolved(e.to_string()))
}

/// The largest `file:` source envctl reads: a secret is short, and a file
/// much larger than one is a wrong path (a log, an image), not a key.
pub const FILE_LIMIT: u64 = 1024 * 1024;

/// How long reading a `file:` source may take (a hung network mount).
pub const FILE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a reference could not be resolved. Never holds the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(pub String);

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads environment variables; injected so tests and the engine never
/// depend on the real process environment.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment, as it was at the first lookup.
///
/// `std::env::var` scans the whole environment on each call, so resolving
/// thousands of `env:` references in a CI job with thousands of variables
/// would be quadratic; one snapshot makes each lookup a hash probe. envctl
/// never changes its own environment. The copy holds nothing the process's
/// own environment block does not already hold for its whole life.
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        static SNAPSHOT: std::sync::OnceLock<std::collections::HashMap<String, String>> =
            std::sync::OnceLock::new();
        SNAPSHOT
            .get_or_init(|| {
                std::env::vars_os()
                    .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                    .collect()
            })
            .get(name)
            .cloned()
    }
}

impl EnvSource for std::collections::BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Resolves a reference. `root` anchors relative `file:` paths; `account`
/// is where a `keyring` reference looks (see [`crate::keyring`]).
pub fn resolve(
    reference: &SecretRef,
    root: &Path,
    env: &dyn EnvSource,
    account: &str,
) -> Result<Secret, Unresolved> {
    match reference {
        SecretRef::Env(name) => env
            .var(name)
            .map(Secret::new)
            .ok_or_else(|| Unresolved(format!("environment variable {name} is not set"))),
        SecretRef::File(path) => read_file(&root.join(path)),
        SecretRef::Keyring => crate::keyring::get(account).map_err(|e| match e {
            crate::keyring::KeyringError::Missing { .. } => {
                Unresolved(format!("{e}; store it with `envctl secret set`"))
            }
            other => Unresolved(other.to_string()),
        }),
        SecretRef::Command(argv) => run_command(argv, root),
    }
}

/// Why a resolved value cannot be meant, unless the variable says
/// `allow_empty: true`: empty, or only whitespace. In GitHub Actions an
/// unset secret arrives as "", and writing that would break the app
/// silently.
pub fn blank(value: &Secret) -> Option<&'static str> {
    if value.expose().is_empty() {
        Some("is empty")
    } else if value.expose().trim().is_empty() {
        Some("is only whitespace")
    } else {
        None
    }
}

/// A warning for a `file:` source that other users can read (Unix).
pub fn file_warning(reference: &SecretRef, root: &Path) -> Option<String> {
    let SecretRef::File(path) = reference else {
        return None;
    };
    let full = root.join(path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&full).ok()?.permissions().mode();
        (mode & 0o077 != 0).then(|| {
            format!(
                "{} can be read by other users (mode {:o}); run `chmod 600 {}`",
                full.display(),
                mode & 0o777,
                full.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = full;
        None
    }
}

/// What a path is when it is not a regular file, for the message.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        } else if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        } else if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads a `file:` source: a regular file (checked before it is opened, so
/// a named pipe cannot block envctl) of at most [`FILE_LIMIT`] bytes, read
/// within [`FILE_TIMEOUT`].
fn read_file(full: &Path) -> Result<Secret, Unresolved> {
    let shown = full.display().to_string();
    let cannot = |e: std::io::Error| Unresolved(format!("cannot read {shown}: {}", e.kind()));
    let meta = std::fs::metadata(full).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Unresolved(format!(
            "{shown} is {}; a file: source must be a regular file",
            kind_of(&meta)
        )));
    }
    let too_big = || {
        Unresolved(format!(
            "{shown} is larger than 1 MiB, the limit for a file: source; is the path right?"
        ))
    };
    if meta.len() > FILE_LIMIT {
        return Err(too_big());
    }
    // Opened and read on a thread of its own, so a file that stops answering
    // (a hung network mount, or a pipe swapped in after the check) costs
    // FILE_TIMEOUT, not the whole run; the stuck thread ends with envctl.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = full.to_path_buf();
    std::thread::spawn(move || {
        let read = || -> std::io::Result<Vec<u8>> {
            let file = std::fs::File::open(&path)?;
            if !file.metadata()?.is_file() {
                return Err(std::io::Error::other("not a regular file"));
            }
            let mut bytes = Vec::new();
            file.take(FILE_LIMIT + 1).read_to_end(&mut bytes)?;
            Ok(bytes)
        };
        let _ = tx.send(read());
    });
    let bytes = rx
        .recv_timeout(FILE_TIMEOUT)
        .map_err(|_| {
            Unresolved(format!(
                "reading {shown} took longer than {}s",
                FILE_TIMEOUT.as_secs()
            ))
        })?
        .map_err(cannot)?;
    if bytes.len() as u64 > FILE_LIMIT {
        return Err(too_big());
    }
    let text =
        String::from_utf8(bytes).map_err(|_| Unresolved(format!("{shown} is not UTF-8 text")))?;
    Ok(Secret::new(trim_newline(text)))
}

/// Drops one trailing newline (`\n` or `\r\n`), as a file or a
/// password manager's output ends.
pub fn trim_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// Runs a password-manager style command without a shell. Its stderr is
/// not captured into any message: it might echo the secret.
fn run_command(argv: &[String], root: &Path) -> Result<Secret, Unresolved> {
    let timeout = command_timeout()?;
    let program = argv
        .first()
        .ok_or_else(|| Unresolved("empty command".into()))?;
    let mut child = Command::new(program)
        .args(&argv[1..])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Unresolved(format!("cannot run `{program}`: {e}")))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Unresolved(format!(
                    "`{program}` did not finish within {}s (ENVCTL_COMMAND_TIMEOUT sets the limit)",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Unresolved(format!("waiting for `{program}`: {e}"))),
        }
    };
    let out = reader
        .join()
        .map_err(|_| Unresolved(format!("reading `{program}`'s output failed")))?
        .map_err(|e| Unresolved(format!("reading `{program}`'s output: {e}")))?;
    if !status.success() {
        return Err(Unresolved(format!("`{program}` failed ({status})")));
    }
    let text = String::from_utf8(out)
        .map_err(|_| Unresolved(format!("`{program}` printed something that is not UTF-8")))?;
    Ok(Secret::new(trim_newline(text)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_fingerprint_debugs_without_its_digest() {
        let f = Fingerprint::of("abc");
        assert!(!format!("{f:?}").contains(&f.hex()[..8]), "{f:?}");
    }

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("sk_live_canary".into());
        assert!(!format!("{s:?} {s}").contains("canary"));
        assert_eq!(s.expose(), "sk_live_canary");
    }

    #[test]
    fn fingerprint_is_hex_sha256() {
        // sha256("abc"), a published test vector.
        let f = Fingerprint::of("abc");
        assert_eq!(
            f.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Fingerprint::from_hex(&f.hex().to_uppercase()), Some(f));
        assert_eq!(Fingerprint::from_hex("xyz"), None);
    }

    #[test]
    fn env_and_file_sources_resolve() {
        let env = BTreeMap::from([("K".to_string(), "v1".to_string())]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.txt"), "from-file\n").unwrap();
        assert_eq!(
            resolve(&SecretRef::Env("K".into()), dir.path(), &env, "p/e/K")
                .unwrap()
                .expose(),
            "v1"
        );
        assert_eq!(
            resolve(&SecretRef::File("s.txt".into()), dir.path(), &env, "p/e/K")
                .unwrap()
                .expose(),
            "from-file"
        );
        let missing =
            resolve(&SecretRef::Env("NOPE".into()), dir.path(), &env, "p/e/K").unwrap_err();
        assert_eq!(missing.0, "environment variable NOPE is not set");
        assert!(resolve(&SecretRef::File("none".into()), dir.path(), &env, "p/e/K").is_err());
    }

    #[test]
    fn a_file_source_is_a_regular_file_of_at_most_one_mebibyte() {
        let dir = tempfile::tempdir().unwrap();
        let env = BTreeMap::new();
        let read = |name: &str| resolve(&SecretRef::File(name.into()), dir.path(), &env, "p/e/K");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(
            read("sub")
                .unwrap_err()
                .0
                .ends_with("sub is a directory; a file: source must be a regular file")
        );
        let limit = usize::try_from(FILE_LIMIT).unwrap();
        std::fs::write(dir.path().join("big"), vec![b'x'; limit + 1]).unwrap();
        assert!(read("big").unwrap_err().0.contains("larger than 1 MiB"));
        std::fs::write(dir.path().join("max"), vec![b'x'; limit]).unwrap();
        assert_eq!(read("max").unwrap().expose().len(), limit);
        std::fs::write(dir.path().join("bin"), [0xff, 0xfe]).unwrap();
        assert!(
            read("bin")
                .unwrap_err()
                .0
                .ends_with("bin is not UTF-8 text")
        );
    }

    #[test]
    fn blank_values_are_named_and_others_pass() {
        assert_eq!(blank(&Secret::new(String::new())), Some("is empty"));
        assert_eq!(
            blank(&Secret::new(" \t\n ".into())),
            Some("is only whitespace")
        );
        assert_eq!(blank(&Secret::new(" x ".into())), None);
    }

    #[test]
    fn command_source_runs_without_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        let argv = vec![
            "printf".to_string(),
            "%s\n".to_string(),
            "$HOME;x".to_string(),
        ];
        let s = resolve(&SecretRef::Command(argv), dir.path(), &ProcessEnv, "p/e/K").unwrap();
        assert_eq!(s.expose(), "$HOME;x");
        let failing = vec!["false".to_string()];
        assert!(
            resolve(
                &SecretRef::Command(failing),
                dir.path(),
                &ProcessEnv,
                "p/e/K"
            )
            .unwrap_err()
            .0
            .contains("failed")
        );
    }
}
