//! GitHub's own CLI as the oracle: what envctl writes to a `github`
//! target is read back with `gh`, and what `gh` writes by hand is what
//! `envctl drift` finds. Both talk to the fake GitHub over HTTPS on
//! loopback, `gh` in GitHub Enterprise Server mode: `GH_HOST` is the
//! fake's `127.0.0.1:PORT`, so `gh` sends `https://HOST/api/v3/…` with
//! `GH_ENTERPRISE_TOKEN`, and trusts the test CA through `SSL_CERT_FILE`.
//!
//! The `gh` here is Debian's (2.23), which has `gh secret` but not yet
//! `gh variable` (2.31): variables are read and written with `gh api`,
//! the same REST calls `gh variable list`/`set` make. `gh` cannot read a
//! secret's value; the fake opens what `gh secret set` sealed, which
//! shows `gh` and the fake agree on the sealed box envctl uses too.
//!
//! Without `gh` on PATH these tests fail and say how to install it
//! (`.ci/run` does), as the migration tests do without PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common::Workspace;
use crate::common::platforms::pairs;
use envctl_fakes::Server;
use envctl_fakes::github::{FakeGitHub, Permission};

const REPO: &str = "huddle-app/huddle";
const ENVIRONMENT: &str = "production";
const TOKEN: &str = "ghp_oracle_classic_repo_CANARY";
const API_KEY: &str = "CANARY-api-oracle-7c1e9a0001";
const DEPLOY_KEY: &str = "CANARY-deploy-oracle-0002";

/// `gh` on PATH, or a failure that says how to get it.
fn gh_binary() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("gh"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "\n\nThe gh oracle tests read back what envctl writes to GitHub with GitHub's own CLI, \
             and there is no `gh` on PATH.\n\
             Install it (Debian/Ubuntu: `apt-get install -y --no-install-recommends gh`; \
             `.ci/run` does this).\n"
        )
    })
}

/// The fake GitHub over HTTPS, under `/api/v3` as GitHub Enterprise
/// Server serves it, with one repository, one environment and a classic
/// token.
fn start() -> Server<FakeGitHub> {
    let fake = FakeGitHub::new();
    fake.add_repository(REPO);
    fake.add_environment(REPO, ENVIRONMENT);
    fake.grant(TOKEN, REPO, &[Permission::Repo]);
    let server = Server::start_tls(fake, &tls("server.pem"), &tls("server.key"));
    server.api().set_path_prefix("/api/v3");
    server.api().set_base_url(&api_url(&server));
    server
}

fn tls_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fakes/tls")
}

fn tls(name: &str) -> Vec<u8> {
    std::fs::read(tls_dir().join(name)).unwrap()
}

/// `https://127.0.0.1:PORT/api/v3`.
fn api_url(server: &Server<FakeGitHub>) -> String {
    format!("{}/api/v3", server.url())
}

/// `127.0.0.1:PORT`, the host `gh` is given.
fn host(server: &Server<FakeGitHub>) -> String {
    server.url().strip_prefix("https://").unwrap().to_string()
}

/// `gh` with nothing of this machine's: a fresh config folder and home,
/// no update check or prompt, the fake as its only host, the test CA as
/// its only root, and a dead proxy for anything that is not loopback (Go
/// never proxies loopback), so a request meant for github.com fails here
/// instead of leaving the machine.
struct Gh {
    bin: PathBuf,
    host: String,
    home: tempfile::TempDir,
}

impl Gh {
    fn new(server: &Server<FakeGitHub>) -> Gh {
        Gh {
            bin: gh_binary(),
            host: host(server),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// Runs `gh args…` and returns its output, failing on a non-zero
    /// exit or on any request `gh` logged to a URL outside the fake.
    #[track_caller]
    fn run(&self, args: &[&str]) -> String {
        let home = self.home.path();
        let config = home.join("config");
        let certs = home.join("no-cert-dir");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(&certs).unwrap();
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .current_dir(home)
            .env_clear()
            .env("HOME", home)
            .env("GH_CONFIG_DIR", &config)
            .env("GH_HOST", &self.host)
            .env("GH_ENTERPRISE_TOKEN", TOKEN)
            .env("GH_NO_UPDATE_NOTIFIER", "1")
            .env("GH_PROMPT_DISABLED", "1")
            .env("GH_DEBUG", "api")
            .env("NO_COLOR", "1")
            .env("SSL_CERT_FILE", tls_dir().join("ca.pem"))
            .env("SSL_CERT_DIR", &certs)
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .stdin(Stdio::null());
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        let out: Output = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "gh {args:?} failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
        );
        // GH_DEBUG=api logs each request as `* Request to URL`.
        let requests: Vec<&str> = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("* Request to "))
            .collect();
        assert!(!requests.is_empty(), "gh logged no request:\n{stderr}");
        let fake = format!("https://{}/api/v3/", self.host);
        for url in &requests {
            assert!(url.starts_with(&fake), "gh went outside the fake: {url}");
        }
        stdout
    }

    /// `gh api …/variables`: each variable of the repository or
    /// environment as `NAME=VALUE`, one a line, as GitHub lists them (by
    /// name). `gh variable list`, in later versions, reads this endpoint.
    fn variables(&self, environment: Option<&str>) -> Vec<String> {
        let out = self.run(&[
            "api",
            &format!("{}/variables?per_page=30", scope(environment)),
            "--jq",
            r#".variables[] | "\(.name)=\(.value)""#,
        ]);
        out.lines().map(str::to_string).collect()
    }

    /// `gh api --method PATCH …/variables/NAME -f value=…`: what
    /// `gh variable set`, in later versions, sends for a variable that
    /// exists (after its `POST` is answered `409`).
    fn set_variable(&self, environment: Option<&str>, name: &str, value: &str) {
        let path = format!("{}/variables/{name}", scope(environment));
        let field = format!("value={value}");
        self.run(&["api", "--method", "PATCH", &path, "-f", &field]);
    }

    /// `gh secret set NAME --body …` (with `--env`): gh reads the public
    /// key and seals the value itself.
    fn set_secret(&self, environment: Option<&str>, name: &str, value: &str) {
        let mut args = vec!["secret", "set", name, "--body", value, "--repo", REPO];
        if let Some(e) = environment {
            args.extend(["--env", e]);
        }
        self.run(&args);
    }

    /// `gh secret list` (with `--env`): the names, the first column.
    fn secret_names(&self, environment: Option<&str>) -> Vec<String> {
        let mut args = vec!["secret", "list", "--repo", REPO];
        if let Some(e) = environment {
            args.extend(["--env", e]);
        }
        self.run(&args)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    }
}

/// The path `gh api` is given for the repository's or environment's
/// variables (without `/variables`).
fn scope(environment: Option<&str>) -> String {
    match environment {
        None => format!("repos/{REPO}/actions"),
        Some(e) => format!("repos/{REPO}/environments/{e}"),
    }
}

/// A workspace whose `production` has two GitHub targets, the repository
/// and its `production` environment, each receiving one plain variable
/// and one secret.
fn workspace() -> Workspace {
    let ws = Workspace::at(tempfile::tempdir().unwrap());
    ws.write("envctl.yaml", "version: 1\nproject: oracle\n");
    ws.write(
        "environments/production.yaml",
        &format!(
            "targets:\n\
             \x20 repo:\n\
             \x20   type: github\n\
             \x20   repository: {REPO}\n\
             \x20   receives: [SITE_URL, API_KEY]\n\
             \x20 deploy:\n\
             \x20   type: github\n\
             \x20   repository: {REPO}\n\
             \x20   environment: {ENVIRONMENT}\n\
             \x20   receives: [DEPLOY_REGION, DEPLOY_KEY]\n\
             variables:\n\
             \x20 SITE_URL: https://huddle.app\n\
             \x20 API_KEY: {{ secret: env:ORACLE_API_KEY }}\n\
             \x20 DEPLOY_REGION: eu-west-1\n\
             \x20 DEPLOY_KEY: {{ secret: env:ORACLE_DEPLOY_KEY }}\n"
        ),
    );
    ws
}

/// What envctl needs: the token, the fake's URL, the test CA as the only
/// root, short timeouts and the secrets' values.
fn envctl_env(server: &Server<FakeGitHub>, certs: &Path) -> Vec<(String, String)> {
    [
        ("GITHUB_TOKEN", TOKEN.to_string()),
        ("ENVCTL_GITHUB_API_URL", api_url(server)),
        (
            "SSL_CERT_FILE",
            tls_dir().join("ca.pem").display().to_string(),
        ),
        ("SSL_CERT_DIR", certs.display().to_string()),
        ("ENVCTL_HTTP_TIMEOUT", "5".to_string()),
        ("ENVCTL_HTTP_DEADLINE", "20".to_string()),
        ("ORACLE_API_KEY", API_KEY.to_string()),
        ("ORACLE_DEPLOY_KEY", DEPLOY_KEY.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[test]
fn gh_reads_back_what_envctl_applies_and_envctl_sees_what_gh_changes() {
    let server = start();
    let gh = Gh::new(&server);
    let certs = tempfile::tempdir().unwrap();
    let env = envctl_env(&server, certs.path());
    let env = pairs(&env);
    let ws = workspace();

    let run = ws.run(&["apply", "production", "--yes"], &env);
    run.expect(0);
    assert_no_value(&run.all());
    assert_secrets(&server, API_KEY, DEPLOY_KEY);
    assert_read_back_by_gh(&gh, "https://huddle.app", "eu-west-1");
    ws.run(&["drift", "production"], &env).expect(0);

    // By hand with gh, a minute later (envctl gives its own writes 10
    // seconds): one variable and one secret at each level.
    server.api().advance_clock(Duration::from_secs(60));
    gh.set_variable(None, "SITE_URL", "https://hand.example");
    gh.set_variable(Some(ENVIRONMENT), "DEPLOY_REGION", "us-east-1");
    gh.set_secret(None, "API_KEY", "by-hand-1");
    gh.set_secret(Some(ENVIRONMENT), "DEPLOY_KEY", "by-hand-2");
    // gh sealed them for the same keys envctl used; the fake opened them.
    assert_secrets(&server, "by-hand-1", "by-hand-2");
    assert_read_back_by_gh(&gh, "https://hand.example", "us-east-1");

    // drift counts the changes per target; the plan names them.
    let run = ws.run(&["drift", "production", "--format", "json"], &env);
    run.expect(2);
    assert_no_value(&run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout()).unwrap();
    let statuses: Vec<(&str, &str)> = doc["environments"][0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["target"].as_str().unwrap(), t["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("deploy", "drift: 2 to change"),
            ("repo", "drift: 2 to change")
        ]
    );
    assert_eq!(
        planned(&ws, &env),
        [
            "deploy DEPLOY_KEY rewrite",
            "deploy DEPLOY_REGION us-east-1 -> eu-west-1",
            "repo API_KEY rewrite",
            "repo SITE_URL https://hand.example -> https://huddle.app",
        ]
    );

    // apply puts envctl's values back, as gh then shows.
    ws.run(&["apply", "production", "--yes"], &env).expect(0);
    assert_secrets(&server, API_KEY, DEPLOY_KEY);
    assert_read_back_by_gh(&gh, "https://huddle.app", "eu-west-1");
    ws.run(&["drift", "production"], &env).expect(0);
}

/// The fake's plaintext of the two secrets: what the last writer sealed.
#[track_caller]
fn assert_secrets(server: &Server<FakeGitHub>, api_key: &str, deploy_key: &str) {
    let fake = server.api();
    let opened = |environment, name| fake.secret_plaintext(REPO, environment, name);
    assert_eq!(opened(None, "API_KEY").as_deref(), Some(api_key));
    assert_eq!(
        opened(Some(ENVIRONMENT), "DEPLOY_KEY").as_deref(),
        Some(deploy_key)
    );
}

/// What gh shows at each level: the variable with its value (and, at the
/// repository level, envctl's record of its secrets, which holds no
/// value), and the secret by name only.
#[track_caller]
fn assert_read_back_by_gh(gh: &Gh, site_url: &str, region: &str) {
    let repo = gh.variables(None);
    assert_eq!(repo.len(), 2, "{repo:?}");
    assert_eq!(repo[1], format!("SITE_URL={site_url}"), "{repo:?}");
    assert!(repo[0].starts_with("ENVCTL_SECRET_DIGESTS=envctl-v1 at="));
    let deploy = gh.variables(Some(ENVIRONMENT));
    assert_eq!(deploy.len(), 2, "{deploy:?}");
    assert_eq!(deploy[0], format!("DEPLOY_REGION={region}"), "{deploy:?}");
    assert!(deploy[1].starts_with("ENVCTL_SECRET_DIGESTS=envctl-v1 at="));
    for text in repo.iter().chain(&deploy) {
        assert_no_value(text);
    }
    assert_eq!(gh.secret_names(None), ["API_KEY"]);
    assert_eq!(gh.secret_names(Some(ENVIRONMENT)), ["DEPLOY_KEY"]);
}

/// Each change `plan --format json` shows, as `target NAME rewrite` (a
/// secret) or `target NAME before -> after`, sorted.
fn planned(ws: &Workspace, env: &[(&str, &str)]) -> Vec<String> {
    let run = ws.run(&["plan", "production", "--format", "json"], env);
    assert_no_value(&run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("plan JSON: {e}\n{}", run.all()));
    let mut out = Vec::new();
    for target in doc["plan"]["targets"].as_array().unwrap() {
        for change in target["changes"].as_array().unwrap() {
            assert_eq!(change["action"], "update", "{change}");
            let what = match change["reason"]["kind"].as_str().unwrap() {
                "rewrite" => "rewrite".to_string(),
                _ => format!(
                    "{} -> {}",
                    change["before"]["text"].as_str().unwrap(),
                    change["after"]["text"].as_str().unwrap()
                ),
            };
            out.push(format!(
                "{} {} {what}",
                target["name"].as_str().unwrap(),
                change["subject"]["name"].as_str().unwrap()
            ));
        }
    }
    out.sort();
    out
}

/// Neither envctl's secrets nor the values set by hand show.
#[track_caller]
fn assert_no_value(out: &str) {
    assert!(!out.contains("CANARY") && !out.contains("by-hand"), "{out}");
}
