//! Shared helpers for end-to-end tests: a copy of the shipped example in a
//! temporary folder, and a way to run the built binary against it.

#![allow(dead_code)]

pub mod netlify;
pub mod netlify_cli;
pub mod platforms;
pub mod secret_service;
pub mod supabase_cli;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Workspace {
    pub dir: tempfile::TempDir,
    /// Outside the workspace: the keyring file every run uses (debug
    /// builds read `ENVCTL_TEST_KEYRING`), so no test touches the real
    /// keychain.
    pub home: tempfile::TempDir,
}

/// A dotenv file envctl may have written (`.env*`, wrangler's `.dev.vars`);
/// `.env.example` is committed, not written by `apply`.
fn is_dotenv(name: &str) -> bool {
    (name.starts_with(".env") && name != ".env.example") || name == ".dev.vars"
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if !is_dotenv(&entry.file_name().to_string_lossy()) {
            // Dotenv files left by someone trying an example by hand stay behind.
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Workspace {
    /// A copy of the repository's own example (envctl.yaml, environments/, supabase/).
    pub fn example() -> Workspace {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(root.join("envctl.yaml"), dir.path().join("envctl.yaml")).unwrap();
        copy_dir(&root.join("environments"), &dir.path().join("environments"));
        copy_dir(&root.join("supabase"), &dir.path().join("supabase"));
        Workspace::at(dir)
    }

    /// A copy of a folder of the repository (`examples/<team>`).
    pub fn copy_of(rel: &str) -> Workspace {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        assert!(from.join("envctl.yaml").is_file(), "{}", from.display());
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&from, dir.path());
        Workspace::at(dir)
    }

    pub fn at(dir: tempfile::TempDir) -> Workspace {
        Workspace {
            dir,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// The test keyring's file (`ENVCTL_TEST_KEYRING`).
    pub fn keyring_file(&self) -> PathBuf {
        self.home.path().join("keyring.json")
    }

    /// What the test keyring holds at `account`.
    pub fn keyring_entry(&self, account: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.keyring_file()).ok()?;
        let all: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
        all.get(account).cloned()
    }

    /// Appends a line to a file and returns its line number.
    pub fn append(&self, rel: &str, line: &str) -> usize {
        let mut text = self.read(rel);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        self.write(rel, &text);
        text.lines().count()
    }

    /// Removes the one line containing `needle`.
    pub fn remove_line(&self, rel: &str, needle: &str) {
        let text = self.read(rel);
        let hits = text.lines().filter(|l| l.contains(needle)).count();
        assert_eq!(hits, 1, "{rel}: `{needle}` on {hits} lines");
        let kept: Vec<&str> = text.lines().filter(|l| !l.contains(needle)).collect();
        self.write(rel, &format!("{}\n", kept.join("\n")));
    }

    /// The 1-based number of the one line containing `needle`.
    pub fn line_of(&self, rel: &str, needle: &str) -> usize {
        let text = self.read(rel);
        let hits: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(hits.len(), 1, "{rel}: `{needle}` on lines {hits:?}");
        hits[0]
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Replaces `from` with `to` in a file, asserting it was there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no `{from}`");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs envctl here with only the given variables in its environment.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.run_with_input(args, env, None)
    }

    /// Runs envctl with `input` on its standard input.
    pub fn run_with_input(&self, args: &[&str], env: &[(&str, &str)], input: Option<&str>) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_envctl"));
        cmd.arg("--chdir")
            .arg(self.dir.path())
            .args(args)
            .env_clear()
            .env("ENVCTL_TEST_KEYRING", self.keyring_file());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        let child = spawn(&mut cmd, env, input);
        Run(child.wait_with_output().unwrap())
    }

    /// Every file under the workspace with its contents, for "nothing was
    /// written" and "no canary leaked" checks.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                if entry.file_type().unwrap().is_dir() {
                    walk(&entry.path(), out);
                } else {
                    out.push((entry.path(), std::fs::read(entry.path()).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out.sort();
        out
    }
}

pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout(), self.stderr())
    }
    #[track_caller]
    pub fn expect_output(&self, needle: &str) -> &Run {
        assert!(
            self.all().contains(needle),
            "no `{needle}` in:\n{}",
            self.all()
        );
        self
    }
    #[track_caller]
    pub fn expect_no_canary(&self, secrets: &[(String, String)]) -> &Run {
        let all = self.all();
        for (name, value) in secrets {
            assert!(
                !all.contains(value.as_str()),
                "{name}'s value leaked:\n{all}"
            );
        }
        self
    }
    #[track_caller]
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Values for every secret the example's local environment references.
pub fn local_secrets() -> Vec<(&'static str, &'static str)> {
    vec![
        ("STRIPE_TEST_SECRET_KEY", "sk_test_CANARYstripe0001"),
        ("STRIPE_TEST_WEBHOOK_SECRET", "whsec_CANARYwebhook0002"),
        (
            "OPENAI_API_KEY",
            "sk-CANARYopenai0003-with $dollar and # hash",
        ),
        ("FCM_SERVER_KEY", "CANARY-fcm-0004\nsecond line"),
    ]
}

/// A live target whose every value is readable plaintext (a dotenv file).
pub fn readable(pairs: &[(&str, &str)]) -> envctl::provider::Snapshot {
    envctl::provider::Snapshot {
        variables: pairs
            .iter()
            .map(|(k, v)| {
                let value = envctl::secret::Secret::new(v.to_string());
                (k.to_string(), envctl::provider::LiveValue::Readable(value))
            })
            .collect(),
        ..Default::default()
    }
}

/// Starts `cmd` with `env` added, its output captured and `input` (if any)
/// written to its standard input, which is closed after it.
pub fn spawn(cmd: &mut Command, env: &[(&str, &str)], input: Option<&str>) -> std::process::Child {
    use std::io::Write;
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = input {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child
}
