//! Requests per plan for a GitHub Actions target, as N grows: the fake
//! GitHub holds N names (half secrets, half plain variables) that envctl
//! wrote, and a plan that finds nothing to change is counted from the
//! fake's request log. GitHub lists 100 secrets and 30 variables a page,
//! so the pages grow with N; nothing else should.

use std::path::Path;
use std::process::Command;

use envctl_fakes::Server;
use envctl_fakes::github::{FakeGitHub, Permission};

const TOKEN: &str = "github_pat_bench_0123456789abcdef";
const REPOSITORY: &str = "bench-org/bench-app";

/// What one plan of N names cost in requests.
pub struct Count {
    pub names: usize,
    pub secrets: usize,
    pub variables: usize,
    /// Every request the plan made, and of those the list pages.
    pub requests: usize,
    pub secret_pages: usize,
    pub variable_pages: usize,
}

/// Seeds the fake through `envctl apply`, then counts one `plan`.
pub fn count(envctl: &Path, names: usize) -> Result<Count, String> {
    let fake = FakeGitHub::new();
    fake.add_repository(REPOSITORY);
    fake.grant(TOKEN, REPOSITORY, &[Permission::Repo]);
    fake.set_rate_limit(u64::MAX);
    let server = Server::start(fake);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let secrets = names / 2;
    let variables = names - secrets;
    write_project(dir.path(), secrets, variables)?;
    let mut env: Vec<(String, String)> = vec![
        ("ENVCTL_GITHUB_API_URL".into(), server.url()),
        ("GITHUB_TOKEN".into(), TOKEN.into()),
        (
            "ENVCTL_FINGERPRINT_KEY".into(),
            "bench-fingerprint-key-0123".into(),
        ),
    ];
    env.extend((0..secrets).map(|i| {
        (
            format!("BENCH_SECRET_{i}"),
            format!("s3cr3t-{i}-Qx7vLp2Zk9"),
        )
    }));
    run(envctl, dir.path(), &env, &["apply", "ci", "--yes"], 0)?;
    server.clear_log();
    run(
        envctl,
        dir.path(),
        &env,
        &["plan", "ci", "--detailed-exitcode"],
        0,
    )?;
    let log = server.requests();
    let pages = |kind: &str| {
        log.iter()
            .filter(|l| l.request.method == "GET" && l.request.path.ends_with(kind))
            .count()
    };
    Ok(Count {
        names,
        secrets,
        variables,
        requests: log.len(),
        secret_pages: pages("/actions/secrets"),
        variable_pages: pages("/actions/variables"),
    })
}

fn write_project(root: &Path, secrets: usize, variables: usize) -> Result<(), String> {
    let write = |path: &Path, text: String| std::fs::write(path, text).map_err(|e| e.to_string());
    std::fs::create_dir_all(root.join("environments")).map_err(|e| e.to_string())?;
    write(
        &root.join("envctl.yaml"),
        "version: 1\nproject: bench\n".into(),
    )?;
    let mut text = format!(
        "targets:\n  actions:\n    type: github\n    repository: {REPOSITORY}\nvariables:\n"
    );
    for i in 0..secrets {
        text.push_str(&format!(
            "  BENCH_SECRET_{i}: {{ secret: env:BENCH_SECRET_{i} }}\n"
        ));
    }
    for i in 0..variables {
        text.push_str(&format!("  BENCH_PLAIN_{i}: \"value-{i}\"\n"));
    }
    write(&root.join("environments/ci.yaml"), text)
}

fn run(
    envctl: &Path,
    root: &Path,
    env: &[(String, String)],
    args: &[&str],
    expect: i32,
) -> Result<(), String> {
    let out = Command::new(envctl)
        .args(["--chdir", &root.to_string_lossy()])
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .map_err(|e| format!("{}: {e}", envctl.display()))?;
    if out.status.code() == Some(expect) {
        return Ok(());
    }
    Err(format!(
        "envctl {} exited {:?}, expected {expect}:\n{}",
        args.join(" "),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// The table docs/benchmarks.md shows.
pub fn report(counts: &[Count]) -> String {
    let mut out = String::from(
        "| N names (secrets + variables) | requests per plan | secret list pages | variable list pages | other |\n| ---: | ---: | ---: | ---: | ---: |\n",
    );
    for c in counts {
        out.push_str(&format!(
            "| {} ({} + {}) | {} | {} | {} | {} |\n",
            c.names,
            c.secrets,
            c.variables,
            c.requests,
            c.secret_pages,
            c.variable_pages,
            c.requests - c.secret_pages - c.variable_pages
        ));
    }
    out
}
