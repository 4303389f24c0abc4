//! Hostile input, end to end: `validate` runs on pull requests from forks
//! and `apply FILE` reads a file someone else may have written, so every
//! input here is one an attacker or a bad merge could produce.
//!
//! Each case runs the built binary under a 512 MiB address-space limit
//! (`ulimit -v`), so a regression that allocates without bound fails the
//! case instead of eating the machine, and asserts: exit code 1 or 3 as
//! expected, a message naming the file and line (where there is one), no
//! panic, nothing written, and a wall time far under a generous bound (the
//! bound is a safety net; the limits in `yaml::limits` are what keep it
//! short).

use crate::common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Workspace;

const LOCAL: &str = "environments/local.yaml";
const PROJECT: &str = "envctl.yaml";
/// Address space for one run of envctl; a normal `validate` needs far less.
const MEMORY_KIB: u64 = 512 * 1024;
/// A case slower than this fails; a hung one is killed at `KILL_AFTER`.
const TIME_BOUND: Duration = Duration::from_secs(5);
const KILL_AFTER: Duration = Duration::from_secs(30);

const BASE_PROJECT: &str = "version: 1\nproject: hostile\n";
/// Lines 1–6; cases that edit it say which line they touch.
const BASE_LOCAL: &str = "\
targets:
  web:
    type: dotenv
    path: .env.local
variables:
  A: x
";

/// A workspace that validates: one environment, one dotenv target.
fn workspace() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write(PROJECT, BASE_PROJECT);
    ws.write(LOCAL, BASE_LOCAL);
    ws
}

fn write_bytes(ws: &Workspace, rel: &str, bytes: &[u8]) {
    let path = ws.path(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

struct Outcome {
    code: Option<i32>,
    all: String,
    elapsed: Duration,
}

/// Runs envctl in `ws` under the memory limit, killing it if it hangs.
fn run_capped(ws: &Workspace, args: &[&str]) -> Outcome {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_envctl"))
        .arg("--chdir")
        .arg(ws.dir.path())
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("ENVCTL_TEST_KEYRING", ws.keyring_file())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        stdout.read_to_end(&mut text).ok();
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = Vec::new();
        stderr.read_to_end(&mut text).ok();
        text
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > KILL_AFTER {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    let mut all = out.join().unwrap();
    all.extend(err.join().unwrap());
    Outcome {
        code: status.and_then(|s| s.code()),
        all: String::from_utf8_lossy(&all).into_owned(),
        elapsed,
    }
}

/// Every entry under `dir` with its contents, links as their targets:
/// "nothing written" without following a link to `/dev/zero`.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((path, target.into_os_string().into_encoded_bytes()));
            } else if kind.is_dir() {
                pending.push(path.clone());
                out.push((path, Vec::new()));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

type Setup = Box<dyn Fn(&Workspace)>;

struct Case {
    name: &'static str,
    setup: Setup,
    args: &'static [&'static str],
    code: i32,
    /// Each must appear in the output; the first names the file and line.
    expect: Vec<String>,
}

/// `validate` with `rel` replaced by `content`.
fn file(
    name: &'static str,
    rel: &'static str,
    content: impl Into<Vec<u8>>,
    expect: &[&str],
) -> Case {
    let content = content.into();
    Case {
        name,
        setup: Box::new(move |ws| write_bytes(ws, rel, &content)),
        args: &["validate"],
        code: 1,
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

/// `validate` with the environment file's variables replaced by `vars`
/// (which start on line 6).
fn vars(name: &'static str, vars: &str, expect: &[&str]) -> Case {
    let text =
        format!("targets:\n  web:\n    type: dotenv\n    path: .env.local\nvariables:\n{vars}");
    file(name, LOCAL, text, expect)
}

/// `validate` with the environment file's target replaced by `target`
/// (whose first line is line 3).
fn target(name: &'static str, target: &str, expect: &[&str]) -> Case {
    let text = format!("targets:\n  web:\n{target}variables:\n  A: x\n");
    file(name, LOCAL, text, expect)
}

/// `apply plan.json` after `tamper` changed a plan saved by `plan local --out`.
fn saved(name: &'static str, tamper: impl Fn(&Path) + 'static, expect: &[&str]) -> Case {
    Case {
        name,
        setup: Box::new(move |ws| {
            let run = ws.run(&["plan", "local", "--out", "plan.json"], &[]);
            assert_eq!(run.code(), 0, "{}", run.all());
            tamper(&ws.path("plan.json"));
        }),
        args: &["apply", "plan.json"],
        code: 1,
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

fn edit_text(path: &Path, f: impl Fn(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

/// Changes a saved plan and writes a checksum that matches again: the
/// checksum is not a signature, so what follows it must still hold.
fn reseal(path: &Path, f: impl Fn(&mut envctl::saved::SavedPlan)) {
    let mut plan: envctl::saved::SavedPlan =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut plan);
    plan.checksum.clear();
    let text = serde_json::to_string(&plan).unwrap();
    plan.checksum = envctl::secret::Fingerprint::of(&text).hex().to_string();
    std::fs::write(path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
}

/// The classic: nine `lol`s, then eight levels of nine aliases each
/// (9^9 ≈ 387 million scalars once expanded) in about 450 bytes.
fn alias_bomb() -> String {
    let mut text = format!("a0: &a0 [{}]\n", ["lol"; 9].join(", "));
    for level in 1..9 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    text
}

// ── wrong types ───────────────────────────────────────────────
fn wrong_types() -> Vec<Case> {
    vec![
        file(
            "bool written as yes",
            LOCAL,
            format!("protected: yes\n{BASE_LOCAL}"),
            &["environments/local.yaml:1:12: error: expected `true` or `false`, found `yes`"],
        ),
        file(
            "variables as a list",
            LOCAL,
            "variables: [a, b]\n",
            &["environments/local.yaml:1:12: error:", "expected a mapping"],
        ),
        file(
            "local as a number",
            LOCAL,
            format!("local: 3\n{BASE_LOCAL}"),
            &["environments/local.yaml:1:8: error:", "`true` or `false`"],
        ),
        file(
            "version is a word",
            PROJECT,
            "version: one\nproject: hostile\n",
            &["envctl.yaml:1:10: error: expected a number"],
        ),
        target(
            "prune is not a boolean",
            "    type: dotenv\n    prune: maybe\n",
            &["environments/local.yaml:3:5: error: expected a boolean, found `maybe`"],
        ),
        vars(
            "a variable is a list",
            "  A: [1, 2]\n",
            &["environments/local.yaml:6:6: error:", "found a list"],
        ),
        file(
            "targets is a scalar",
            LOCAL,
            "targets: web\n",
            &["environments/local.yaml:1:10: error:", "expected a mapping"],
        ),
        file(
            "verify_jwt is a string",
            LOCAL,
            format!("{BASE_LOCAL}functions:\n  f: {{ verify_jwt: \"no\" }}\n"),
            &["environments/local.yaml:8:20: error:", "`true` or `false`"],
        ),
    ]
}

// ── unknown keys ──────────────────────────────────────────────
fn unknown_keys() -> Vec<Case> {
    vec![
        file(
            "misspelt top-level key",
            LOCAL,
            format!("protectd: true\n{BASE_LOCAL}"),
            &[
                "environments/local.yaml:1:1: error: unknown key `protectd`",
                "did you mean `protected`?",
            ],
        ),
        target(
            "unknown key in a target",
            "    type: dotenv\n    pth: .env\n",
            &[
                "environments/local.yaml:3:5: error: unknown key `pth`",
                "did you mean `path`?",
            ],
        ),
        file(
            "unknown key in envctl.yaml",
            PROJECT,
            format!("{BASE_PROJECT}aliasses: {{}}\n"),
            &[
                "envctl.yaml:3:1: error: unknown key `aliasses`",
                "did you mean `aliases`?",
            ],
        ),
        vars(
            "unknown key in a variable's long form",
            "  A: { valu: x }\n",
            &[
                "environments/local.yaml:6:8: error: unknown key `valu`",
                "did you mean `value`?",
            ],
        ),
        file(
            "unknown key in rules",
            PROJECT,
            format!("{BASE_PROJECT}rules:\n  forbiden_flags: [X]\n"),
            &[
                "envctl.yaml:4:3: error: unknown key `forbiden_flags`",
                "did you mean `forbidden_flags`?",
            ],
        ),
    ]
}

// ── bad enum values ───────────────────────────────────────────
fn bad_enum_values() -> Vec<Case> {
    vec![
        target(
            "unknown target type",
            "    type: render\n",
            &[
                "environments/local.yaml:3:11: error: unknown value `render`",
                "help: expected one of: dotenv",
            ],
        ),
        target(
            "cloudflare environment",
            "    type: cloudflare\n    project: p\n    environment: staging\n",
            &[
                "environments/local.yaml:3:5: error: `staging` is not a Cloudflare Pages environment",
                "help:",
            ],
        ),
        target(
            "git_branch outside preview",
            "    type: vercel\n    project: p\n    target: production\n    git_branch: main\n",
            &[
                "environments/local.yaml:3:5: error: `git_branch` applies only to the `preview` target",
            ],
        ),
        file(
            "unknown rule disabled",
            PROJECT,
            format!("{BASE_PROJECT}rules:\n  disable:\n    no-such-rule: all\n"),
            &["envctl.yaml:5:19: error: unknown rule `no-such-rule`"],
        ),
    ]
}

// ── missing required fields ───────────────────────────────────
fn missing_required_fields() -> Vec<Case> {
    vec![
        file(
            "no project name",
            PROJECT,
            "version: 1\n",
            &["envctl.yaml:1:1: error:", "missing field `project`"],
        ),
        file(
            "no version",
            PROJECT,
            "project: hostile\n",
            &["envctl.yaml:1:1: error:", "missing field `version`"],
        ),
        target(
            "supabase without project_ref",
            "    type: supabase\n",
            &[
                "environments/local.yaml:3:5: error:",
                "missing field `project_ref`",
            ],
        ),
        target(
            "vercel without project",
            "    type: vercel\n    target: preview\n",
            &[
                "environments/local.yaml:3:5: error:",
                "missing field `project`",
            ],
        ),
        target(
            "target without type",
            "    path: .env\n",
            &["environments/local.yaml:3:5: error:", "type"],
        ),
        target(
            "cloudflare without environment",
            "    type: cloudflare\n    project: p\n",
            &[
                "environments/local.yaml:3:5: error:",
                "missing field `environment`",
            ],
        ),
    ]
}

// ── duplicate keys ────────────────────────────────────────────
fn duplicate_keys() -> Vec<Case> {
    vec![
        file(
            "duplicate section",
            LOCAL,
            format!("{BASE_LOCAL}variables:\n  B: y\n"),
            &[
                "environments/local.yaml:7:1: error: duplicate key `variables` (first defined on line 5)",
            ],
        ),
        vars(
            "duplicate variable",
            "  A: x\n  A: y\n",
            &["environments/local.yaml:7:3: error: duplicate key `A` (first defined on line 6)"],
        ),
        vars(
            "duplicate in a flow mapping",
            "  A: { value: x, value: y }\n",
            &[
                "environments/local.yaml:6:18: error: duplicate key `value` (first defined on line 6)",
            ],
        ),
        file(
            "duplicate target",
            LOCAL,
            "targets:\n  web: { type: dotenv }\n  web: { type: dotenv }\n",
            &["environments/local.yaml:3:3: error: duplicate key `web` (first defined on line 2)"],
        ),
    ]
}

// ── aliases and merge keys ────────────────────────────────────
fn aliases_and_merge_keys() -> Vec<Case> {
    vec![
        file(
            "alias bomb of lists",
            LOCAL,
            alias_bomb(),
            &[
                "environments/local.yaml:5:10: error: aliases expand this file to more than 10000 values",
                "alias bomb",
            ],
        ),
        file(
            "alias bomb of mappings",
            LOCAL,
            "a: &a {k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x}\n\
             b: &b {k1: *a, k2: *a, k3: *a, k4: *a, k5: *a, k6: *a, k7: *a, k8: *a, k9: *a}\n\
             c: &c {k1: *b, k2: *b, k3: *b, k4: *b, k5: *b, k6: *b, k7: *b, k8: *b, k9: *b}\n\
             d: &d {k1: *c, k2: *c, k3: *c, k4: *c, k5: *c, k6: *c, k7: *c, k8: *c, k9: *c}\n\
             e: &e {k1: *d, k2: *d, k3: *d, k4: *d, k5: *d, k6: *d, k7: *d, k8: *d, k9: *d}\n\
             f: &f {k1: *e, k2: *e, k3: *e, k4: *e, k5: *e, k6: *e, k7: *e, k8: *e, k9: *e}\n",
            &[
                "environments/local.yaml:4:",
                "aliases expand this file to more than 10000 values",
            ],
        ),
        file(
            "twenty thousand aliases of one scalar",
            LOCAL,
            format!("a: &a x\nb: [{}]\n", vec!["*a"; 20_000].join(", ")),
            &[
                "environments/local.yaml:2:",
                "aliases expand this file to more than 10000 values",
            ],
        ),
        vars(
            "alias to an unknown anchor",
            "  A: *nope\n",
            &[
                "environments/local.yaml:6:6: error:",
                "unknown anchor",
                "help:",
            ],
        ),
        file(
            "merge key in a target",
            LOCAL,
            "base: &base { type: dotenv }\ntargets:\n  web:\n    <<: *base\n    path: .env\n",
            &[
                "environments/local.yaml:4:5: error: merge keys (`<<`) are not supported",
                "help: write the keys out in full",
            ],
        ),
        vars(
            "merge key in variables",
            "  <<: { A: x }\n",
            &[
                "environments/local.yaml:6:3: error: merge keys (`<<`) are not supported",
                "help:",
            ],
        ),
    ]
}

// ── deep nesting ──────────────────────────────────────────────
fn deep_nesting() -> Vec<Case> {
    let deep_block: String = (0..100)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    vec![
        file(
            "a hundred levels of block nesting",
            LOCAL,
            deep_block,
            &["environments/local.yaml:65:129: error: mappings and lists nest more than 64 levels"],
        ),
        file(
            "ten thousand open brackets",
            LOCAL,
            format!("variables: {}\n", "[".repeat(10_000)),
            &["environments/local.yaml:1:", "help:"],
        ),
        file(
            "aliases nest past the limit",
            LOCAL,
            format!(
                "a: &a {}x{}\nb: {}*a{}\n",
                "[".repeat(40),
                "]".repeat(40),
                "[".repeat(40),
                "]".repeat(40)
            ),
            &["environments/local.yaml:2:", "nest more than 64 levels"],
        ),
    ]
}

// ── huge files ────────────────────────────────────────────────
fn huge_files() -> Vec<Case> {
    let huge_comment = "# padding padding padding padding padding padding padding\n".repeat(40_000);
    let mut just_over = BASE_LOCAL.as_bytes().to_vec();
    just_over.resize(1024 * 1024 + 1, b'#');
    just_over[BASE_LOCAL.len()] = b'\n';
    vec![
        file(
            "2 MiB of comments in envctl.yaml",
            PROJECT,
            format!("{BASE_PROJECT}{huge_comment}"),
            &[
                "envctl.yaml: error: the file is 2320028 bytes; envctl reads YAML files of at most 1 MiB",
            ],
        ),
        file(
            "one byte over 1 MiB",
            LOCAL,
            just_over,
            &["environments/local.yaml: error: the file is 1048577 bytes"],
        ),
        vars(
            "a 1.5 MiB value",
            &format!("  A: {}\n", "v".repeat(1536 * 1024)),
            &[
                "environments/local.yaml: error: the file is",
                "at most 1 MiB",
            ],
        ),
        Case {
            name: "an environment file linked to /dev/zero",
            setup: Box::new(|ws| {
                std::fs::remove_file(ws.path(LOCAL)).unwrap();
                std::os::unix::fs::symlink("/dev/zero", ws.path(LOCAL)).unwrap();
            }),
            args: &["validate"],
            code: 1,
            expect: vec![
                "environments/local.yaml: error:".into(),
                "outside the project".into(),
            ],
        },
        Case {
            name: "an environment file linked outside the project",
            setup: Box::new(|ws| {
                let outside = ws.home.path().join("credentials");
                std::fs::write(&outside, "aws_secret_access_key: CANARYsecret\n").unwrap();
                std::fs::remove_file(ws.path(LOCAL)).unwrap();
                std::os::unix::fs::symlink(&outside, ws.path(LOCAL)).unwrap();
            }),
            args: &["validate"],
            code: 1,
            expect: vec![
                "environments/local.yaml: error: the file is a link to a file outside the project"
                    .into(),
            ],
        },
        Case {
            name: "an environment file that is a folder",
            setup: Box::new(|ws| {
                std::fs::create_dir_all(ws.path("environments/staging.yaml")).unwrap()
            }),
            args: &["validate"],
            code: 1,
            expect: vec!["environments/staging.yaml: error: not a regular file".into()],
        },
    ]
}

// ── long keys ─────────────────────────────────────────────────
fn long_keys() -> Vec<Case> {
    let long_key = "K".repeat(10_000);
    vec![
        vars(
            "a 10,000-character key",
            &format!("  {long_key}: x\n"),
            &[
                "environments/local.yaml:6:",
                "help: the key on this line is longer than YAML's 1024 characters",
            ],
        ),
        vars(
            "a 300-character key",
            &format!("  {}: x\n", "K".repeat(300)),
            &[
                "environments/local.yaml:6:3: error: a key of 300 characters; envctl reads keys of at most 256",
            ],
        ),
        file(
            "a long quoted key in envctl.yaml",
            PROJECT,
            format!("{BASE_PROJECT}\"{}\": x\n", "p".repeat(5000)),
            &[
                "envctl.yaml:3:",
                "help: the key on this line is longer than YAML's 1024 characters",
            ],
        ),
        file(
            "a 500-character quoted key in envctl.yaml",
            PROJECT,
            format!("{BASE_PROJECT}\"{}\": x\n", "p".repeat(500)),
            &["envctl.yaml:3:1: error: a key of 500 characters"],
        ),
    ]
}

// ── not UTF-8, byte order marks ───────────────────────────────
fn not_utf8_and_byte_order_marks() -> Vec<Case> {
    vec![
        file(
            "0xff in a value",
            LOCAL,
            [BASE_LOCAL.as_bytes(), b"  B: x\xffy\n"].concat(),
            &["environments/local.yaml:7:7: error: the file is not UTF-8 text: byte 0xff"],
        ),
        file(
            "Latin-1 in a comment",
            LOCAL,
            [BASE_LOCAL.as_bytes(), b"# caf\xe9\n"].concat(),
            &["environments/local.yaml:7:6: error: the file is not UTF-8 text: byte 0xe9"],
        ),
        file(
            "UTF-16 with its byte order mark",
            LOCAL,
            [
                &[0xff, 0xfe][..],
                &"targets: {}\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ]
            .concat(),
            &[
                "environments/local.yaml:1:1: error: the file is not UTF-8 text",
                "UTF-16",
            ],
        ),
        file(
            "a multi-byte character cut at the end",
            LOCAL,
            [BASE_LOCAL.as_bytes(), b"  B: \xe2\x82"].concat(),
            &["environments/local.yaml:7:6: error: the file is not UTF-8 text: byte 0xe2"],
        ),
        file(
            "a byte order mark in the middle",
            LOCAL,
            format!("{BASE_LOCAL}  B: x\u{feff}y\n"),
            &[
                "environments/local.yaml:7:7: error: the file contains the invisible character U+FEFF (byte order mark)",
            ],
        ),
    ]
}

// ── control characters ────────────────────────────────────────
fn control_characters() -> Vec<Case> {
    vec![
        vars(
            "raw NUL in a value",
            "  A: x\0y\n",
            &[
                "environments/local.yaml:6:7: error: the file contains the invisible character U+0000 (NUL)",
            ],
        ),
        vars(
            "raw escape in a key",
            "  A\u{1b}[2J: x\n",
            &["environments/local.yaml:6:4: error:", "U+001B (escape)"],
        ),
        vars(
            "escaped escape in a quoted key",
            "  \"A\\e[31mRED\": x\n",
            &["environments/local.yaml:6:3: error: a key contains the character U+001B (escape)"],
        ),
        vars(
            "escaped NUL in a value",
            "  A: \"x\\0y\"\n",
            &[
                "environments/local.yaml:6:6: error: this value contains the character U+0000 (NUL)",
                "cannot hold NUL",
            ],
        ),
        vars(
            "escaped bell in a value",
            "  A: \"ding\\a\"\n",
            &["environments/local.yaml:6:6: error: this value contains the character U+0007"],
        ),
        vars(
            "raw delete in a value",
            "  A: x\u{7f}\n",
            &["environments/local.yaml:6:7: error:", "U+007F (delete)"],
        ),
        file(
            "right-to-left override in a comment",
            LOCAL,
            format!("{BASE_LOCAL}# admin \u{202e} }}{{ \n"),
            &[
                "environments/local.yaml:7:9: error:",
                "U+202E (a bidirectional text control)",
            ],
        ),
        vars(
            "C1 control sequence introducer in a value",
            "  A: \"x\\x9b31m\"\n",
            &["environments/local.yaml:6:6: error: this value contains the character U+009B"],
        ),
        vars(
            "newline in a quoted key",
            "  \"A\\nB\": x\n",
            &["environments/local.yaml:6:3: error: a key contains the character U+000A"],
        ),
        vars(
            "tab in a variable name",
            "  \"A\\tB\": x\n",
            &["environments/local.yaml:6:3: error: a key contains the character U+0009"],
        ),
    ]
}

// ── syntax errors with a hint ─────────────────────────────────
fn syntax_errors_with_a_hint() -> Vec<Case> {
    vec![
        file(
            "tab indentation",
            LOCAL,
            "targets:\n\tweb: { type: dotenv }\n",
            &["environments/local.yaml:2:", "help: indent with spaces"],
        ),
        vars(
            "unclosed double quote",
            "  A: \"open\n  B: x\n",
            &[
                "environments/local.yaml:6:",
                "help: a quoted value is not closed",
            ],
        ),
        vars(
            "unclosed single quote",
            "  A: 'open\n",
            &[
                "environments/local.yaml:6:",
                "help: a quoted value is not closed",
            ],
        ),
        vars(
            "unclosed bracket",
            "  A: [1, 2\n  B: x\n",
            &[
                "environments/local.yaml:7:",
                "help: a `[` or `{` before this is not closed",
            ],
        ),
        vars(
            "unclosed brace",
            "  A: { value: x\n",
            &[
                "environments/local.yaml:7:",
                "help: a `[` or `{` before this is not closed",
            ],
        ),
        vars(
            "colon in an unquoted value",
            "  A: postgres: x\n",
            &[
                "environments/local.yaml:6:14: error:",
                "help: a value containing `: ` must be quoted",
            ],
        ),
        file(
            "two documents",
            LOCAL,
            format!("{BASE_LOCAL}---\nvariables: {{}}\n"),
            &[
                "environments/local.yaml:7:1: error: more than one YAML document",
                "help:",
            ],
        ),
        vars(
            "unknown escape",
            "  A: \"C:\\path\"\n",
            &[
                "environments/local.yaml:6:",
                "help: inside double quotes `\\` starts an escape",
            ],
        ),
        vars(
            "reserved @",
            "  A: @handle\n",
            &[
                "environments/local.yaml:6:6: error:",
                "help: `@` and `` ` `` are reserved",
            ],
        ),
        vars(
            "a line that is not key: value",
            "  A: x\n  loose\n",
            &[
                "environments/local.yaml:8:",
                "help: this line is neither `key: value` nor a list item",
            ],
        ),
    ]
}

// ── bad secret references ─────────────────────────────────────
fn bad_secret_references() -> Vec<Case> {
    vec![
        vars(
            "env: with no name",
            "  A: { secret: \"env:\" }\n",
            &[
                "environments/local.yaml:6:",
                "after `env:` comes an environment variable name",
            ],
        ),
        vars(
            "env: with a bad name",
            "  A: { secret: \"env:1-BAD\" }\n",
            &[
                "environments/local.yaml:6:",
                "after `env:` comes an environment variable name",
            ],
        ),
        vars(
            "file: with no path",
            "  A: { secret: \"file:\" }\n",
            &[
                "environments/local.yaml:6:",
                "write `env:NAME`, `file:PATH`",
            ],
        ),
        vars(
            "unknown secret source",
            "  A: { secret: \"vault:sk_live_CANARYpasted\" }\n",
            &[
                "environments/local.yaml:6:",
                "unknown secret source `vault:`",
            ],
        ),
        vars(
            "empty command",
            "  A: { secret: { command: [] } }\n",
            &[
                "environments/local.yaml:6:",
                "`command` needs at least the program to run",
            ],
        ),
        vars(
            "value and secret",
            "  A: { value: x, secret: keyring }\n",
            &[
                "environments/local.yaml:6:",
                "either `value` or `secret`, not both",
            ],
        ),
    ]
}

// ── bad target specs and names ────────────────────────────────
fn bad_target_specs_and_names() -> Vec<Case> {
    vec![
        target(
            "short supabase ref",
            "    type: supabase\n    project_ref: abc\n",
            &[
                "environments/local.yaml:3:5: error: `abc` is not a Supabase project ref",
                "help:",
            ],
        ),
        target(
            "dotenv path escaping the project",
            "    type: dotenv\n    path: ../../home/.env\n",
            &[
                "environments/local.yaml:3:5: error: dotenv path `../../home/.env` must stay inside the project",
            ],
        ),
        target(
            "absolute dotenv path",
            "    type: dotenv\n    path: /etc/environment\n",
            &[
                "environments/local.yaml:3:5: error: dotenv path `/etc/environment` must stay inside the project",
            ],
        ),
        target(
            "cloudflare account id",
            "    type: cloudflare\n    project: p\n    environment: preview\n    account_id: nothex\n",
            &["environments/local.yaml:3:5: error: `nothex` is not a Cloudflare account id"],
        ),
        target(
            "D1 database by name",
            "    type: cloudflare\n    project: p\n    environment: preview\n    database_id: mydb\n",
            &["environments/local.yaml:3:5: error: `mydb` is not a D1 database id"],
        ),
        file(
            "target name with spaces",
            LOCAL,
            "targets:\n  \"my web\": { type: dotenv }\n",
            &[
                "environments/local.yaml:2:",
                "`my web` is not a usable target name",
            ],
        ),
        vars(
            "variable name starting with a digit",
            "  1BAD: x\n",
            &["environments/local.yaml:6:9: error: `1BAD` is not a valid variable name"],
        ),
        file(
            "vercel reserved name",
            LOCAL,
            "targets:\n  web: { type: vercel, project: p, target: preview }\nvariables:\n  AWS_REGION: x\n",
            &["environments/local.yaml:4:15: error: Vercel refuses the name `AWS_REGION`"],
        ),
    ]
}

// ── tampered saved plans ──────────────────────────────────────
fn tampered_saved_plans() -> Vec<Case> {
    vec![
        saved(
            "a hand-edited change",
            |p| {
                edit_text(p, |t| {
                    t.replacen("\"target\": \"web\"", "\"target\": \"wab\"", 1)
                })
            },
            &["the plan file was changed after it was written"],
        ),
        saved(
            "a truncated plan",
            |p| edit_text(p, |t| t[..t.len() / 2].to_string()),
            &["plan.json:", "not a plan file, or a truncated one"],
        ),
        saved(
            "a future format version",
            |p| {
                edit_text(p, |t| {
                    t.replacen("\"format_version\": 3", "\"format_version\": 99", 1)
                })
            },
            &["plan format version 99"],
        ),
        saved(
            "no format version",
            |p| edit_text(p, |t| t.replacen("\"format_version\": 3,", "", 1)),
            &["not an envctl plan file (no `format_version`)"],
        ),
        saved(
            "an unknown field",
            |p| edit_text(p, |t| t.replacen("{", "{\"extra\": 1,", 1)),
            &["not a valid plan file", "extra"],
        ),
        saved(
            "a wrong type",
            |p| {
                edit_text(p, |t| {
                    t.replace("\"allow_delete\": false", "\"allow_delete\": \"yes\"")
                })
            },
            &["not a valid plan file"],
        ),
        saved(
            "YAML instead of JSON",
            |p| std::fs::write(p, "format_version: 1\n").unwrap(),
            &["plan.json:1:2:", "not a plan file"],
        ),
        saved(
            "a byte that is not UTF-8",
            |p| {
                let mut bytes = std::fs::read(p).unwrap();
                let at = bytes.windows(9).position(|w| w == b"\"hostile\"").unwrap();
                bytes[at + 1] = 0xff;
                std::fs::write(p, bytes).unwrap();
            },
            &["plan.json:4:", "not a plan file"],
        ),
        saved(
            "65 MiB of plan",
            |p| {
                std::fs::File::options()
                    .write(true)
                    .open(p)
                    .unwrap()
                    .set_len(65 << 20)
                    .unwrap()
            },
            &["cannot read the plan file", "64 MiB"],
        ),
        saved(
            "nested ten thousand deep",
            |p| std::fs::write(p, "[".repeat(10_000)).unwrap(),
            &["plan.json:1:", "recursion limit"],
        ),
        saved(
            "a plan linked to /dev/zero",
            |p| {
                std::fs::remove_file(p).unwrap();
                std::os::unix::fs::symlink("/dev/zero", p).unwrap();
            },
            &["cannot read the plan file", "not a regular file"],
        ),
    ]
}

/// Tampered saved plans, continued: resealed so the checksum matches again.
fn resealed_saved_plans() -> Vec<Case> {
    vec![
        saved(
            "resealed for another project",
            |p| reseal(p, |plan| plan.project = "other".into()),
            &["is a plan for project `other`, but this is `hostile`; nothing was written"],
        ),
        saved(
            "resealed for an unknown environment",
            |p| reseal(p, |plan| plan.environment = "../../etc".into()),
            &["../../etc"],
        ),
        saved(
            "resealed with an escape sequence in the project",
            |p| {
                reseal(p, |plan| {
                    plan.project = "\u{1b}]0;owned\u{7}\u{1b}[2J".into()
                })
            },
            &["plan.json: not a valid plan file (a control character"],
        ),
        saved(
            "resealed with different changes",
            |p| {
                reseal(p, |plan| {
                    plan.changes = vec![envctl::saved::SavedChange {
                        target: "web".into(),
                        subject: envctl::plan::Subject::Variable {
                            name: "PATH".into(),
                        },
                        action: envctl::plan::Action::Delete,
                        after: "-".into(),
                    }]
                })
            },
            &["is stale", "nothing was written"],
        ),
    ]
}

/// Every hostile case, section by section, in this order.
fn cases() -> Vec<Case> {
    [
        wrong_types(),
        unknown_keys(),
        bad_enum_values(),
        missing_required_fields(),
        duplicate_keys(),
        aliases_and_merge_keys(),
        deep_nesting(),
        huge_files(),
        long_keys(),
        not_utf8_and_byte_order_marks(),
        control_characters(),
        syntax_errors_with_a_hint(),
        bad_secret_references(),
        bad_target_specs_and_names(),
        tampered_saved_plans(),
        resealed_saved_plans(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn hostile_inputs_are_refused_quickly_with_a_location_and_nothing_written() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, "");
    for case in &cases {
        let ws = workspace();
        (case.setup)(&ws);
        let before = snapshot(ws.dir.path());
        let run = run_capped(&ws, case.args);
        slowest = slowest.max((run.elapsed, case.name));
        if std::env::var_os("HOSTILE_SHOW").is_some() {
            eprintln!(
                "── {} ({:?}, exit {:?})\n{}",
                case.name, run.elapsed, run.code, run.all
            );
        }
        let mut wrong = Vec::new();
        if run.code != Some(case.code) {
            wrong.push(format!("exit code {:?}, expected {}", run.code, case.code));
        }
        for needle in &case.expect {
            if !run.all.contains(needle.as_str()) {
                wrong.push(format!("no `{needle}`"));
            }
        }
        if run.all.contains("panicked") {
            wrong.push("panicked".into());
        }
        if run.all.contains("CANARY") {
            wrong.push("echoed a secret-looking value".into());
        }
        if run.all.contains('\u{1b}') || run.all.contains('\u{202e}') {
            wrong.push("echoed a control character".into());
        }
        if snapshot(ws.dir.path()) != before {
            wrong.push("wrote to the project".into());
        }
        if run.elapsed > TIME_BOUND {
            wrong.push(format!("took {:?}", run.elapsed));
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n{}", case.name, wrong.join("; "), run.all));
        }
    }
    eprintln!(
        "{} hostile cases; slowest {:?} ({})",
        cases.len(),
        slowest.0,
        slowest.1
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The memory limit is what makes the bomb case meaningful: prove that
/// it bites, so a broken `ulimit` cannot pass the suite silently.
#[test]
fn the_memory_limit_is_enforced() {
    let ws = workspace();
    let run = run_capped(&ws, &["--version"]);
    assert_eq!(run.code, Some(0), "{}", run.all);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && ulimit -v"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        MEMORY_KIB.to_string()
    );
}

#[test]
fn what_the_limits_allow_still_validates() {
    let ws = workspace();
    // A byte order mark (Windows editors write one), newlines and tabs in
    // quoted values, modest anchors, and 5,000 variables.
    let mut text = format!(
        "\u{feff}{BASE_LOCAL}  PEM: \"-----BEGIN KEY-----\\nabc\\n-----END KEY-----\"\n  T: \"a\\tb\"\n  M: |\n    two\n    lines\n"
    );
    text.push_str("  S: &shared same\n  S2: *shared\n");
    // A link that stays inside the project is fine.
    ws.write("shared/staging.yaml", BASE_LOCAL);
    std::os::unix::fs::symlink(
        "../shared/staging.yaml",
        ws.path("environments/staging.yaml"),
    )
    .unwrap();
    for i in 0..5000 {
        text.push_str(&format!("  VAR_{i}: value-{i}\n"));
    }
    ws.write(LOCAL, &text);
    let run = run_capped(&ws, &["validate"]);
    assert_eq!(run.code, Some(0), "{}", run.all);
    assert!(run.elapsed < TIME_BOUND, "{:?}", run.elapsed);
}
