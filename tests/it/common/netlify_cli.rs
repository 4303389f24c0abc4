//! netlify-cli (26.2.0, Netlify's own CLI) as an oracle: runs it against a
//! fake Netlify on loopback with nothing of this machine's — a fresh home
//! and config folder, telemetry and update checks off — and a guard that
//! keeps every connection on loopback.
//!
//! What netlify-cli needs to talk only to the fake:
//! * `NETLIFY_API_URL=http://127.0.0.1:PORT/api/v1` (scheme, host and
//!   path prefix of every API call), `NETLIFY_AUTH_TOKEN`,
//!   `NETLIFY_SITE_ID`;
//! * `CI=1`: with it netlify-cli sends no telemetry, identify or error
//!   report at all (`isCI` from ci-info in `src/utils/telemetry/`), and
//!   update-notifier stays quiet; `NO_UPDATE_NOTIFIER=1` says so again;
//!   a config file with `telemetryDisabled: true` under a temporary
//!   `XDG_CONFIG_HOME` (where `netlify --telemetry-disable` writes it),
//!   and `NETLIFY_TEST_{TRACK,IDENTIFY,ERROR_REPORT}_URL` on a dead
//!   loopback port, for the day one of those checks changes;
//! * no proxy variables (netlify-cli would route through them).
//!
//! One request does not go to the API host: @netlify/config (inside
//! netlify-cli) asks Netlify's extensions service,
//! `https://api.netlifysdk.com/team/{account}/integrations/installations/meta/{site}`,
//! which no setting moves off the internet (it is derived from the API
//! host only for Netlify's own staging host). The guard, preloaded with
//! `NODE_OPTIONS=--require`, answers that one lookup in-process with `[]`
//! — what netlify-cli's own test server answers
//! (`tests/integration/utils/mock-api.ts`) — and refuses every other
//! connection that is not to loopback, logging both, so a test fails if
//! anything tried to leave the machine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Refuses non-loopback connections (TCP and TLS go through
/// `net.Socket#connect`) and answers the extensions lookup; logs each to
/// `$ENVCTL_NETLIFY_GUARD_LOG` as `refused HOST` or `answered URL`.
const GUARD: &str = r#"'use strict';
const net = require('net');
const fs = require('fs');
const log = process.env.ENVCTL_NETLIFY_GUARD_LOG;
const note = (line) => { if (log) fs.appendFileSync(log, line + '\n'); };
const loopback = (host) =>
  host === undefined || host === null || host === '' || host === 'localhost' ||
  host === '::1' || host === '[::1]' || /^127\./.test(host);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let opts = args[0];
  if (Array.isArray(opts)) opts = opts[0];
  let host;
  if (opts !== null && typeof opts === 'object') host = opts.path ? 'localhost' : opts.host;
  else host = typeof args[1] === 'string' ? args[1] : 'localhost';
  if (!loopback(host)) {
    note('refused ' + host);
    const err = new Error('connect ECONNREFUSED ' + host + ' (the test guard allows loopback only)');
    err.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};
if (typeof globalThis.fetch === 'function') {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async function (input, init) {
    const raw = typeof input === 'string' ? input : (input && input.url) || String(input);
    const url = new URL(raw);
    const extensions = /\/integrations\/(installations\/meta\/[^/]+|safe)$/.test(url.pathname);
    if (!loopback(url.hostname) && extensions) {
      note('answered ' + url.origin + url.pathname);
      return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return realFetch.call(this, input, init);
  };
}
"#;

/// A netlify-cli found on this machine.
pub struct NetlifyCli {
    bin: PathBuf,
}

/// One run's output and what the guard saw.
pub struct Run {
    pub output: Output,
    /// `refused HOST` or `answered URL`, one per attempt off loopback.
    pub guard: Vec<String>,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Connections the guard refused: none, or the CLI tried to leave
    /// loopback.
    pub fn refused(&self) -> Vec<&str> {
        self.guard
            .iter()
            .filter_map(|l| l.strip_prefix("refused "))
            .collect()
    }
}

impl NetlifyCli {
    /// `$ENVCTL_NETLIFY_CLI` (the path of the `netlify` executable), then
    /// `netlify` on `PATH`.
    pub fn find() -> Option<NetlifyCli> {
        if let Some(path) = std::env::var_os("ENVCTL_NETLIFY_CLI").filter(|p| !p.is_empty()) {
            // Absolute: the CLI runs in a folder of its own.
            let bin = std::fs::canonicalize(PathBuf::from(path)).ok()?;
            return bin.is_file().then_some(NetlifyCli { bin });
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join("netlify"))
            .find(|p| p.is_file())
            .map(|bin| NetlifyCli { bin })
    }

    /// [`NetlifyCli::find`], or — where it finds none — a failure in CI
    /// (`CI` set, as `.ci/run` runs) and a notice and `None` elsewhere, so
    /// a developer without Node can still run the suite.
    pub fn require() -> Option<NetlifyCli> {
        if let Some(cli) = NetlifyCli::find() {
            return Some(cli);
        }
        let how = "Install it outside the checkout: `npm install --prefix target/oracles/netlify \
                   netlify-cli@26.2.0` (.ci/run does), then point ENVCTL_NETLIFY_CLI at \
                   target/oracles/netlify/node_modules/.bin/netlify.";
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!(
                "\n\nThe netlify-cli oracle test needs netlify-cli: there is none at \
                 $ENVCTL_NETLIFY_CLI or on PATH.\n{how}\n"
            );
        }
        eprintln!("SKIPPED: netlify-cli not found ($ENVCTL_NETLIFY_CLI or PATH). {how}");
        None
    }

    /// Runs `netlify args…` against the fake at `fake_base_url`
    /// (`http://127.0.0.1:PORT`), as `token`, on `site_id`, in an empty
    /// project folder of a fresh home.
    pub fn run(&self, fake_base_url: &str, token: &str, site_id: &str, args: &[&str]) -> Output {
        self.run_guarded(fake_base_url, token, site_id, args).output
    }

    /// [`NetlifyCli::run`], with what the guard saw.
    pub fn run_guarded(
        &self,
        fake_base_url: &str,
        token: &str,
        site_id: &str,
        args: &[&str],
    ) -> Run {
        let home = tempfile::tempdir().expect("a temporary home");
        let root = home.path();
        let config = root.join("config");
        let project = root.join("project");
        for dir in [&config.join("netlify"), &project] {
            std::fs::create_dir_all(dir).expect("folders in the temporary home");
        }
        std::fs::write(
            config.join("netlify/config.json"),
            r#"{"telemetryDisabled": true, "cliId": "envctl-oracle"}"#,
        )
        .expect("netlify-cli's config");
        let guard = root.join("guard.cjs");
        std::fs::write(&guard, GUARD).expect("the guard script");
        let guard_log = root.join("guard.log");
        let dead = "http://127.0.0.1:9/";
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .current_dir(&project)
            .env_clear()
            .env("HOME", root)
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_CACHE_HOME", root.join("cache"))
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_STATE_HOME", root.join("state"))
            .env("NETLIFY_API_URL", format!("{fake_base_url}/api/v1"))
            .env("NETLIFY_AUTH_TOKEN", token)
            .env("NETLIFY_SITE_ID", site_id)
            .env("CI", "1")
            .env("NO_UPDATE_NOTIFIER", "1")
            .env("NETLIFY_TEST_TRACK_URL", dead)
            .env("NETLIFY_TEST_IDENTIFY_URL", dead)
            .env("NETLIFY_TEST_ERROR_REPORT_URL", dead)
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .env("NODE_OPTIONS", format!("--require {}", guard.display()))
            .env("ENVCTL_NETLIFY_GUARD_LOG", &guard_log)
            .stdin(Stdio::null());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        let output = cmd.output().expect("netlify-cli runs");
        let guard = read_lines(&guard_log);
        Run { output, guard }
    }

    /// `netlify env:list --json --context CONTEXT`: the variables the CLI
    /// resolves for that context, as `{KEY: value}`.
    ///
    /// # Panics
    /// If the CLI fails, prints no JSON, or tried to leave loopback.
    pub fn env_list(
        &self,
        fake_base_url: &str,
        token: &str,
        site_id: &str,
        context: &str,
    ) -> serde_json::Value {
        let run = self.run_guarded(
            fake_base_url,
            token,
            site_id,
            &["env:list", "--json", "--context", context],
        );
        let stdout = run.stdout();
        assert!(
            run.output.status.success() && run.refused().is_empty(),
            "netlify env:list failed or left loopback ({:?})\n--- stdout\n{stdout}\n--- stderr\n{}",
            run.refused(),
            run.stderr()
        );
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("env:list printed no JSON ({e}):\n{stdout}"))
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}
