//! The official Supabase CLI as an oracle: `supabase db push --db-url`
//! run against a database on the loopback throwaway server, to compare
//! what it applies and records with what envctl does.
//!
//! The CLI is the npm package `supabase`, pinned at [`VERSION`]
//! (`.ci/run` installs it into `target/oracles/supabase` and exports
//! `ENVCTL_SUPABASE_CLI`). It is found through `ENVCTL_SUPABASE_CLI`, then
//! as `supabase` on PATH. Without it the tests fail when `CI` is set, and
//! otherwise print a notice and skip.
//!
//! Each run gets a fresh project folder and home, with telemetry off, the
//! CLI's release check already answered (`supabase/.temp/cli-latest`), and
//! a dead proxy for anything that is not loopback, so nothing leaves the
//! machine: the database connection itself is plain TCP to 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The CLI release the suite is pinned to.
pub const VERSION: &str = "2.117.0";

pub struct SupabaseCli {
    bin: PathBuf,
}

/// What one `supabase db push` did.
pub struct Pushed {
    pub success: bool,
    pub output: String,
}

/// The pinned CLI; `None` (after a notice) when it is missing outside CI.
/// Panics when it is missing under CI, or when it is another release.
pub fn require(suite: &str) -> Option<SupabaseCli> {
    // Found and checked once per test process.
    static FOUND: OnceLock<Result<Option<PathBuf>, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let Some(bin) = find() else {
            return Ok(None);
        };
        let version = SupabaseCli { bin: bin.clone() }.version();
        if version == VERSION {
            Ok(Some(bin))
        } else {
            Err(format!(
                "{} is the Supabase CLI {version}, and these tests are pinned to {VERSION} \
                 (set ENVCTL_SUPABASE_CLI to that release's `supabase`)",
                bin.display()
            ))
        }
    });
    match found {
        Ok(Some(bin)) => Some(SupabaseCli { bin: bin.clone() }),
        Err(why) => panic!("the {suite} tests: {why}"),
        Ok(None) => {
            let how = format!(
                "The {suite} tests compare envctl with the official Supabase CLI {VERSION}, and there is none: \
                 set ENVCTL_SUPABASE_CLI to its `supabase` (`npm install supabase@{VERSION}` puts one in \
                 node_modules/.bin; `.ci/run` does this), or put `supabase` on PATH."
            );
            if std::env::var_os("CI").is_some() {
                panic!("\n\n{how}\n");
            }
            eprintln!("skipped: {how}");
            None
        }
    }
}

fn find() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("ENVCTL_SUPABASE_CLI").filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        assert!(
            bin.is_file(),
            "ENVCTL_SUPABASE_CLI={} is not a file",
            bin.display()
        );
        return Some(bin);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("supabase"))
        .find(|p| p.is_file())
}

impl SupabaseCli {
    /// `supabase --version`, trimmed.
    pub fn version(&self) -> String {
        // In a folder of its own: the CLI keeps its release check in
        // `supabase/.temp` under the current folder.
        let home = tempfile::tempdir().unwrap();
        let out = self
            .command(home.path())
            .current_dir(home.path())
            .arg("--version")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    }

    /// `supabase db push --db-url URL --include-all --yes` from a fresh
    /// project whose `supabase/migrations` holds `files` (name, text).
    pub fn db_push(&self, files: &[(String, String)], url: &str) -> Pushed {
        assert_loopback(url);
        let project = tempfile::tempdir().unwrap();
        let dir = project.path();
        std::fs::create_dir_all(dir.join("supabase/migrations")).unwrap();
        std::fs::create_dir_all(dir.join("supabase/.temp")).unwrap();
        std::fs::create_dir_all(dir.join("home")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join("supabase/migrations").join(name), text).unwrap();
        }
        // Checked less than 10 hours ago: no request for the latest release.
        std::fs::write(dir.join("supabase/.temp/cli-latest"), format!("v{VERSION}")).unwrap();
        let out = self
            .command(&dir.join("home"))
            .current_dir(dir)
            .args(["db", "push", "--db-url", url, "--include-all", "--yes"])
            .output()
            .unwrap();
        Pushed {
            success: out.status.success(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    fn command(&self, home: &Path) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env_clear()
            .env("HOME", home)
            .env("SUPABASE_HOME", home.join(".supabase"))
            .env("SUPABASE_TELEMETRY_DISABLED", "1")
            .env("DO_NOT_TRACK", "1")
            .env("SUPABASE_NO_KEYRING", "1")
            .env("NO_COLOR", "1")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("https_proxy", "http://127.0.0.1:9")
            .env("http_proxy", "http://127.0.0.1:9")
            .stdin(Stdio::null());
        // The npm shim runs under node, found on PATH.
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd
    }
}

/// The oracle talks to the throwaway server only.
fn assert_loopback(url: &str) {
    let host = url
        .split_once('@')
        .map_or(url, |(_, rest)| rest)
        .split(['/', ':', '?'])
        .next()
        .unwrap_or("");
    assert!(
        matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        "the Supabase CLI oracle runs against loopback only, not {host}"
    );
}
