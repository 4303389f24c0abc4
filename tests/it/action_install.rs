//! The action's installer (`action/install.sh`, action.yml's first and
//! third steps) against releases on the fake GitHub, downloaded with
//! GitHub's CLI `gh` as on a runner: which release it picks, the archive
//! for the runner, the SHA-256 check, and a cache hit that downloads
//! nothing. The "binary" in the archives is a shell script that prints
//! its version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use envctl_fakes::Server;
use envctl_fakes::github::{FakeGitHub, Permission};
use sha2::{Digest, Sha256};

const REPO: &str = "envctl-dev/envctl";
const TOKEN: &str = "ghs_install_CANARY_token";
const TARGET: &str = "x86_64-unknown-linux-musl";

fn tls(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fakes/tls")
        .join(name)
}

/// `envctl-TAG-TARGET.tar.gz` holding an `envctl` that prints `envctl TAG`.
fn archive(dir: &Path, tag: &str) -> Vec<u8> {
    let stage = dir.join(format!("stage-{tag}"));
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::write(
        stage.join("envctl"),
        format!("#!/bin/sh\necho 'envctl {tag}'\n"),
    )
    .unwrap();
    std::fs::write(stage.join("README.md"), "read me\n").unwrap();
    let out = dir.join(format!("{tag}.tar.gz"));
    let status = Command::new("tar")
        .arg("-C")
        .arg(&stage)
        .arg("-czf")
        .arg(&out)
        .args(["envctl", "README.md"])
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(out).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Releases {
    github: Server<FakeGitHub>,
    runner: tempfile::TempDir,
}

impl Releases {
    /// v0.2.0, v0.3.0, v0.4.0-rc.1 (a prerelease) and v1.0.0; `bad` gets
    /// a `.sha256` that is not its archive's.
    fn start(bad: Option<&str>) -> Releases {
        let runner = tempfile::tempdir().unwrap();
        let fake = FakeGitHub::new();
        fake.add_repository(REPO);
        fake.grant(TOKEN, REPO, &[Permission::Repo]);
        for tag in ["v0.2.0", "v0.3.0", "v0.4.0-rc.1", "v1.0.0"] {
            let bytes = archive(runner.path(), tag);
            let name = format!("envctl-{tag}-{TARGET}.tar.gz");
            let sum = if bad == Some(tag) {
                hex(b"something else")
            } else {
                hex(&bytes)
            };
            let line = format!("{sum}  {name}\n");
            let sha_name = format!("{name}.sha256");
            let assets: [(&str, &[u8]); 2] = [(&name, &bytes), (&sha_name, line.as_bytes())];
            fake.add_release(REPO, tag, tag.contains("-rc"), &assets);
        }
        let github = Server::start_tls(
            fake,
            &std::fs::read(tls("server.pem")).unwrap(),
            &std::fs::read(tls("server.key")).unwrap(),
        );
        github.api().set_path_prefix("/api/v3");
        github
            .api()
            .set_base_url(&format!("{}/api/v3", github.url()));
        Releases { github, runner }
    }

    /// `bash action/install.sh STEP` with the runner's environment.
    fn step(&self, step: &str, env: &[(&str, &str)]) -> (Output, String) {
        let r = self.runner.path();
        let outputs = r.join(format!("{step}-output"));
        std::fs::write(&outputs, "").unwrap();
        let host = self.github.url().replace("https://", "");
        let mut cmd = Command::new("bash");
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("action/install.sh"))
            .arg(step)
            .current_dir(r)
            .env_clear()
            .stdin(Stdio::null())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", r)
            .env("GH_CONFIG_DIR", r.join("gh"))
            .env("SSL_CERT_FILE", tls("ca.pem"))
            .env("SSL_CERT_DIR", r.join("no-certs"))
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("GITHUB_SERVER_URL", format!("https://{host}"))
            .env("GITHUB_OUTPUT", &outputs)
            .env("GITHUB_PATH", r.join("path"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", r.join("tool-cache"))
            .env("RUNNER_TEMP", r)
            .env("ENVCTL_ACTION_REPOSITORY", REPO)
            .env("ENVCTL_ACTION_TOKEN", TOKEN)
            .envs(env.iter().copied());
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("CANARY"), "the token leaked:\n{all}");
        (out, std::fs::read_to_string(outputs).unwrap())
    }

    /// Both steps, as action.yml runs them; the resolve step's outputs.
    fn install(&self, version: &str, action_ref: &str) -> (Output, BTreeMap<String, String>) {
        let (resolved, text) = self.step(
            "resolve",
            &[
                ("ENVCTL_VERSION", version),
                ("ENVCTL_ACTION_REF", action_ref),
            ],
        );
        assert!(resolved.status.success(), "{resolved:?}");
        let outputs: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (out, _) = self.step(
            "install",
            &[
                ("ENVCTL_VERSION", &outputs["version"]),
                ("ENVCTL_TARGET", &outputs["target"]),
                ("ENVCTL_DIR", &outputs["dir"]),
            ],
        );
        (out, outputs)
    }

    fn downloads(&self) -> usize {
        self.github.count("GET", "/releases/assets/")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn installs_the_asked_release_checked_and_on_path_then_from_the_cache() {
    let releases = Releases::start(None);
    let (out, outputs) = releases.install("0.2.0", "main");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(outputs["version"], "v0.2.0");
    assert_eq!(outputs["target"], TARGET);
    let dir = PathBuf::from(&outputs["dir"]);
    assert!(dir.ends_with(format!("envctl/v0.2.0/{TARGET}")), "{dir:?}");
    assert!(stdout(&out).contains("envctl v0.2.0"), "{}", stdout(&out));
    assert!(dir.join("README.md").is_file());
    let path = std::fs::read_to_string(releases.runner.path().join("path")).unwrap();
    assert_eq!(path.trim(), dir.display().to_string());
    assert_eq!(releases.downloads(), 2, "the archive and its .sha256");

    // actions/cache restored the folder: nothing is downloaded again.
    let (again, _) = releases.install("v0.2.0", "main");
    assert!(again.status.success(), "{again:?}");
    assert!(
        stdout(&again).contains("from the cache"),
        "{}",
        stdout(&again)
    );
    assert_eq!(releases.downloads(), 2);
}

#[test]
fn picks_the_release_from_the_actions_ref() {
    let releases = Releases::start(None);
    // @v0: the newest v0 release that is not a prerelease.
    let (_, outputs) = releases.install("", "v0");
    assert_eq!(outputs["version"], "v0.3.0");
    // @v0.2.0: that release; a branch or `latest`: the latest release.
    assert_eq!(releases.install("", "v0.2.0").1["version"], "v0.2.0");
    assert_eq!(releases.install("", "main").1["version"], "v1.0.0");
    assert_eq!(releases.install("latest", "v0").1["version"], "v1.0.0");
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    let releases = Releases::start(Some("v0.3.0"));
    let (out, outputs) = releases.install("v0.3.0", "main");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stdout(&out).contains("does not match") && stdout(&out).contains("not installed"),
        "{}",
        stdout(&out)
    );
    assert!(!PathBuf::from(&outputs["dir"]).join("envctl").exists());
    assert!(!releases.runner.path().join("path").exists());
}
