//! The README's first commands, run exactly as printed: the shell block of
//! "Set-up on a fresh machine" on a copy of the repository's tracked files
//! (a fresh clone), `cargo run --quiet -- …` standing for the built binary
//! and `cargo test` skipped (it is this run). And its Install section names
//! the package Cargo.toml publishes.

use std::path::Path;
use std::process::{Command, Stdio};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The first fenced `sh` block after `heading`.
fn sh_block(text: &str, heading: &str) -> String {
    let section = &text[text
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}`"))..];
    let start = section.find("```sh\n").expect("a ```sh block") + "```sh\n".len();
    let end = section[start..].find("```").expect("the block's end");
    section[start..start + end].to_string()
}

/// The repository's tracked files, copied as a clone would have them.
fn fresh_clone() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .expect("git, to list the tracked files");
    assert!(listed.status.success(), "git ls-files failed");
    let dir = tempfile::tempdir().unwrap();
    for rel in listed.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap());
        let from = root.join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree, or a submodule
        }
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    dir
}

/// `cargo run [flags] -- ARGS` runs the built binary with ARGS; `cargo test`
/// is this very run; anything else the README asks of cargo fails.
const CARGO_SHIM: &str = r#"cargo() {
  case "$1" in
    run) while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done; shift; "$ENVCTL_BIN" "$@" ;;
    test) echo "(cargo test: this run)" ;;
    *) echo "README runs an unexpected cargo command: cargo $*" >&2; return 1 ;;
  esac
}
"#;

#[test]
fn the_set_up_commands_work_as_printed_on_a_fresh_clone() {
    let block = sh_block(&readme(), "## Set-up on a fresh machine");
    assert!(block.contains("apply local"), "{block}");
    let clone = fresh_clone();
    let mut cmd = Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", &format!("{CARGO_SHIM}{block}")])
        .current_dir(clone.path())
        .env_clear()
        .env("ENVCTL_BIN", env!("CARGO_BIN_EXE_envctl"))
        .env("ENVCTL_TEST_KEYRING", clone.path().join("../keyring.json"))
        .stdin(Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's block failed\n--- block\n{block}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stderr.contains("valid: local, production, staging"),
        "{stderr}"
    );
    assert!(stdout.contains("envctl plan: huddle / local"), "{stdout}");
    let web = std::fs::read_to_string(clone.path().join(".env.local")).unwrap();
    assert!(
        web.contains("VITE_API_URL=http://localhost:54321/functions/v1"),
        "{web}"
    );
    let functions = std::fs::read_to_string(clone.path().join("supabase/functions/.env")).unwrap();
    for key in [
        "STRIPE_SECRET_KEY=sk_test_",
        "STRIPE_WEBHOOK_SECRET=whsec_",
        "OPENAI_API_KEY=sk-",
        "FCM_SERVER_KEY=",
    ] {
        assert!(functions.contains(key), "no {key} in:\n{functions}");
    }
    // The files apply wrote and its audit log are git-ignored.
    let ignore = std::fs::read_to_string(clone.path().join(".gitignore")).unwrap();
    for entry in [".env.local", "supabase/functions/.env", ".envctl/"] {
        assert!(
            ignore.lines().any(|l| l == entry),
            "{entry} not in .gitignore"
        );
    }
    assert!(clone.path().join(".envctl/audit.jsonl").is_file());
}

#[test]
fn the_install_section_names_the_published_package_and_the_binary() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let package = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("the package name");
    assert_ne!(package, "envctl", "taken on crates.io by another crate");
    let install = sh_block(&readme(), "## Install");
    assert!(
        install.contains(&format!("cargo binstall {package}\n"))
            || install.contains(&format!("cargo binstall {package} ")),
        "{install}"
    );
    assert!(
        install.contains(&format!("cargo install {package} --locked")),
        "{install}"
    );
    assert!(
        manifest.contains("[[bin]]\nname = \"envctl\""),
        "the binary stays envctl"
    );
}

/// `[package.metadata.binstall]` finds the assets the release conventions
/// name: `envctl-vX.Y.Z-<target>.tar.gz`, `.zip` for Windows.
#[test]
fn binstall_urls_name_the_release_assets() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let value = |after: &str, key: &str| -> String {
        let section = &manifest[manifest.find(after).unwrap_or_else(|| panic!("{after}"))..];
        let line = section
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .unwrap_or_else(|| panic!("{key} after {after}"));
        line.strip_suffix('"').unwrap().to_string()
    };
    let repo = value("[package]", "repository");
    let version = value("[package]", "version");
    let windows = "[package.metadata.binstall.overrides.x86_64-pc-windows-msvc]";
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        let (section, suffix) = if target.contains("windows") {
            (windows, "zip")
        } else {
            ("[package.metadata.binstall]", "tar.gz")
        };
        let url = value(section, "pkg-url")
            .replace("{ repo }", &repo)
            .replace("{ version }", &version)
            .replace("{ target }", target);
        assert_eq!(
            url,
            format!("{repo}/releases/download/v{version}/envctl-v{version}-{target}.{suffix}")
        );
    }
    assert_eq!(
        value("[package.metadata.binstall]", "bin-dir"),
        "envctl{ binary-ext }"
    );
    assert_eq!(value(windows, "pkg-fmt"), "zip");
}
