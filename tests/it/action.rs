//! The GitHub Action's script part (`action/run.sh`, what action.yml's
//! main step runs) on this machine: bash runs it as a runner would, with
//! the `GITHUB_*` environment of a `pull_request` job, the envctl under
//! test on PATH, the example planned against the fake Supabase and
//! Vercel, and GitHub's own CLI `gh` commenting on the fake GitHub (over
//! HTTPS under `/api/v3`, as GitHub Enterprise Server, where the script
//! points `gh` when `GITHUB_SERVER_URL` is not github.com). A dead proxy
//! for anything but loopback keeps every request on this machine.
//!
//! Without `gh` on PATH these tests fail and say how to install it
//! (`.ci/run` does), as the gh oracle tests do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::Workspace;
use crate::common::platforms::{Platforms, assert_no_leak};
use envctl_fakes::Server;
use envctl_fakes::github::{FakeGitHub, IssueComment, Permission};

const REPO: &str = "huddle-app/huddle";
const PULL: u64 = 42;
const TOKEN: &str = "ghs_action_CANARY_workflow_token";
/// Who a workflow's GITHUB_TOKEN comments as.
const BOT: &str = "github-actions[bot]";
const PLAN_PROD: &str = "<!-- envctl: plan production -->";
const PLAN_STAGING: &str = "<!-- envctl: plan staging -->";

fn gh_on_path() {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("gh").is_file()));
    assert!(
        found,
        "\n\nThe action tests comment with GitHub's CLI, and there is no `gh` on PATH.\n\
         Install it (Debian/Ubuntu: `apt-get install -y --no-install-recommends gh`; \
         `.ci/run` does this).\n"
    );
}

fn tls(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fakes/tls")
        .join(name)
}

/// A pull request's job: the example, the fake platforms, the fake
/// GitHub with pull request #42, and the runner's files.
struct Job {
    ws: Workspace,
    platforms: Platforms,
    github: Server<FakeGitHub>,
    runner: tempfile::TempDir,
}

/// What one run of the script left.
struct Step {
    out: Output,
    summary: String,
    outputs: String,
}

impl Step {
    fn code(&self) -> i32 {
        self.out.status.code().unwrap_or(-1)
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn all(&self) -> String {
        format!(
            "{}{}",
            self.stdout(),
            String::from_utf8_lossy(&self.out.stderr)
        )
    }
    #[track_caller]
    fn expect(&self, code: i32) -> &Step {
        assert_eq!(self.code(), code, "exit code\n{}", self.all());
        self
    }
}

impl Job {
    fn new() -> Job {
        gh_on_path();
        let fake = FakeGitHub::new();
        fake.add_repository(REPO);
        fake.add_pull_request(REPO, PULL);
        fake.grant(TOKEN, REPO, &[Permission::PullRequestsWrite]);
        let github = Server::start_tls(
            fake,
            &std::fs::read(tls("server.pem")).unwrap(),
            &std::fs::read(tls("server.key")).unwrap(),
        );
        github.api().set_path_prefix("/api/v3");
        github
            .api()
            .set_base_url(&format!("{}/api/v3", github.url()));
        let runner = tempfile::tempdir().unwrap();
        let bin = runner.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(env!("CARGO_BIN_EXE_envctl"), bin.join("envctl")).unwrap();
        std::fs::create_dir_all(runner.path().join("temp")).unwrap();
        let event = serde_json::json!({
            "action": "synchronize",
            "number": PULL,
            "pull_request": { "number": PULL, "head": { "repo": { "full_name": REPO } } },
            "repository": { "full_name": REPO },
        });
        std::fs::write(runner.path().join("event.json"), event.to_string()).unwrap();
        Job {
            ws: Workspace::example(),
            platforms: Platforms::start(),
            github,
            runner,
        }
    }

    /// Runs `bash action/run.sh` with `inputs` (`("environments", "…")`)
    /// and the job's environment less the variables in `without`.
    fn run(&self, inputs: &[(&str, &str)], without: &[&str]) -> Step {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let r = self.runner.path();
        let summary = r.join("summary.md");
        let outputs = r.join("output");
        std::fs::write(&summary, "").unwrap();
        std::fs::write(&outputs, "").unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg(root.join("action/run.sh"))
            .current_dir(self.ws.dir.path())
            .env_clear()
            .stdin(Stdio::null());
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![r.join("bin")];
        dirs.extend(std::env::split_paths(&path));
        let host = self.github.url().replace("https://", "");
        let mut env: Vec<(String, String)> = self.platforms.env();
        env.extend(
            [
                (
                    "PATH",
                    std::env::join_paths(dirs).unwrap().into_string().unwrap(),
                ),
                ("HOME", r.display().to_string()),
                ("GH_CONFIG_DIR", r.join("gh").display().to_string()),
                ("SSL_CERT_FILE", tls("ca.pem").display().to_string()),
                ("SSL_CERT_DIR", r.join("no-certs").display().to_string()),
                ("HTTPS_PROXY", "http://127.0.0.1:9".into()),
                ("HTTP_PROXY", "http://127.0.0.1:9".into()),
                ("NO_PROXY", "127.0.0.1,localhost".into()),
                (
                    "ENVCTL_TEST_KEYRING",
                    self.ws.keyring_file().display().to_string(),
                ),
                ("GITHUB_ACTIONS", "true".into()),
                ("GITHUB_EVENT_NAME", "pull_request".into()),
                (
                    "GITHUB_EVENT_PATH",
                    r.join("event.json").display().to_string(),
                ),
                ("GITHUB_REPOSITORY", REPO.into()),
                ("GITHUB_SERVER_URL", format!("https://{host}")),
                ("GITHUB_API_URL", format!("https://{host}/api/v3")),
                ("GITHUB_STEP_SUMMARY", summary.display().to_string()),
                ("GITHUB_OUTPUT", outputs.display().to_string()),
                ("RUNNER_TEMP", r.join("temp").display().to_string()),
                // What action.yml maps from the event and the inputs.
                ("ENVCTL_PULL_REQUEST", PULL.to_string()),
                ("ENVCTL_ACTION_TOKEN", TOKEN.into()),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        );
        for (k, v) in inputs {
            let name = format!("INPUT_{}", k.to_ascii_uppercase().replace('-', "_"));
            env.push((name, v.to_string()));
        }
        env.retain(|(k, _)| !without.contains(&k.as_str()));
        cmd.envs(env);
        let out = cmd.output().unwrap();
        let step = Step {
            out,
            summary: std::fs::read_to_string(&summary).unwrap(),
            outputs: std::fs::read_to_string(&outputs).unwrap(),
        };
        for text in [step.all(), step.summary.clone(), step.outputs.clone()] {
            assert_no_leak(&text);
        }
        for c in self.comments() {
            assert_no_leak(&c.body);
        }
        step
    }

    fn comments(&self) -> Vec<IssueComment> {
        self.github.api().issue_comments(REPO, PULL)
    }

    /// The one comment of the workflow's token whose body starts with
    /// `marker`.
    #[track_caller]
    fn comment(&self, marker: &str) -> IssueComment {
        let mine: Vec<IssueComment> = self
            .comments()
            .into_iter()
            .filter(|c| c.body.starts_with(marker) && c.login == BOT)
            .collect();
        assert_eq!(mine.len(), 1, "comments starting with {marker}: {mine:#?}");
        mine.into_iter().next().unwrap()
    }

    fn apply(&self, env: &str) {
        let mut vars = self.platforms.env();
        vars.retain(|(k, _)| !k.starts_with("GITHUB"));
        let vars = crate::common::platforms::pairs(&vars);
        self.ws.run(&["apply", env, "--yes"], &vars).expect(0);
    }
}

#[test]
fn one_comment_per_environment_kept_up_to_date_and_the_plan_in_the_summary() {
    let job = Job::new();
    // Someone else's conversation: more than one page of 100 comments, so
    // the script's own comment is found past the first page on later runs.
    for i in 0..120 {
        let body = format!("review note {i}");
        job.github
            .api()
            .add_issue_comment_by_hand(REPO, PULL, "octocat", &body);
    }

    // Nothing applied yet: production has changes (envctl exits 2), which
    // is a pull request's normal state, not a failure.
    let first = job.run(&[("environments", "production")], &[]);
    first.expect(0);
    let created = job.comment(PLAN_PROD);
    let heading = "### envctl plan: `production` — 📝 changes";
    assert!(created.body.contains(heading), "{}", created.body);
    assert_eq!(
        created.login,
        job.github.api().issue_comments(REPO, PULL)[120].login
    );
    assert!(first.summary.contains(heading), "{}", first.summary);
    assert!(
        first.outputs.contains("exit-code=2\nchanges=true\n"),
        "{}",
        first.outputs
    );
    assert!(
        first
            .stdout()
            .contains("::notice title=envctl plan production::changes to apply"),
        "{}",
        first.stdout()
    );
    assert_eq!(job.comments().len(), 121);

    // Applied: the next push's run edits the same comment, now in sync.
    job.apply("production");
    let second = job.run(&[("environments", "production")], &[]);
    second.expect(0);
    let updated = job.comment(PLAN_PROD);
    assert_eq!(updated.id, created.id, "the same comment, edited");
    assert!(
        updated
            .body
            .contains("### envctl plan: `production` — ✅ in sync"),
        "{}",
        updated.body
    );
    assert!(!updated.body.contains("📝 changes"), "{}", updated.body);
    assert!(
        second.outputs.contains("exit-code=0\nchanges=false\n"),
        "{}",
        second.outputs
    );

    // Two environments: staging gets its own comment, production's is
    // edited again; still exactly one each.
    let third = job.run(&[("environments", "staging, production")], &[]);
    third.expect(0);
    assert_eq!(job.comment(PLAN_PROD).id, created.id);
    let staging = job.comment(PLAN_STAGING);
    assert!(
        staging.body.contains("### envctl plan: `staging`"),
        "{}",
        staging.body
    );
    assert_eq!(job.comments().len(), 122);
    assert!(
        third.summary.contains("### envctl plan: `staging`")
            && third
                .summary
                .contains("### envctl plan: `production` — ✅ in sync"),
        "{}",
        third.summary
    );
    let others = job.comments();
    assert!(
        others[..120]
            .iter()
            .all(|c| c.body.starts_with("review note"))
    );
}

#[test]
fn changes_fail_only_when_asked() {
    let job = Job::new();
    let run = job.run(
        &[("environments", "production"), ("fail-on-changes", "true")],
        &[],
    );
    run.expect(2);
    assert!(
        run.stdout()
            .contains("::error title=envctl plan production::changes to apply"),
        "{}",
        run.stdout()
    );
    assert!(run.outputs.contains("exit-code=2"), "{}", run.outputs);
    // The comment and the summary are written all the same.
    assert!(job.comment(PLAN_PROD).body.contains("📝 changes"));
    assert!(run.summary.contains("📝 changes"));
}

#[test]
fn a_refused_plan_fails_with_annotations_on_the_lines() {
    let job = Job::new();
    job.ws.edit(
        "environments/production.yaml",
        "variables:\n",
        "variables:\n  ALLOW_STRIPE_FALLBACK: \"true\"\n",
    );
    let line = job
        .ws
        .line_of("environments/production.yaml", "ALLOW_STRIPE_FALLBACK");
    let run = job.run(&[("environments", "production")], &[]);
    run.expect(3);
    let out = run.stdout();
    // Paths from the checkout's root, where the runner starts the step.
    assert!(
        out.contains(&format!(
            "::error file=environments/production.yaml,line={line},"
        )) && out.contains("title=envctl forbidden-flag (production)::"),
        "{out}"
    );
    assert!(
        out.contains("::error title=envctl plan production::refused"),
        "{out}"
    );
    let body = job.comment(PLAN_PROD).body;
    assert!(body.contains("— ❌ refused"), "{body}");
    assert!(run.summary.contains("— ❌ refused"), "{}", run.summary);
    assert!(
        run.outputs.contains("exit-code=3\nchanges=false\n"),
        "{}",
        run.outputs
    );
}

#[test]
fn an_error_fails_and_the_comment_says_why() {
    let job = Job::new();
    let run = job.run(&[("environments", "production")], &["VERCEL_TOKEN"]);
    run.expect(1);
    let body = job.comment(PLAN_PROD).body;
    assert!(
        body.contains("### envctl plan: `production` — ⚠️ error (exit 1)"),
        "{body}"
    );
    assert!(body.contains("no Vercel token"), "{body}");
    assert!(run.summary.contains("no Vercel token"), "{}", run.summary);
    assert!(
        run.stdout()
            .contains("::error title=envctl plan production::envctl failed (exit 1)"),
        "{}",
        run.stdout()
    );
    // The most serious result wins: an error in one environment over
    // changes in another.
    let both = job.run(&[("environments", "staging production")], &["VERCEL_TOKEN"]);
    both.expect(1);
    assert!(both.outputs.contains("exit-code=1"), "{}", both.outputs);
    assert_eq!(job.comments().len(), 2);
}

#[test]
fn outside_a_pull_request_or_with_comments_off_nothing_is_commented() {
    let job = Job::new();
    let run = job.run(&[("environments", "production"), ("comment", "false")], &[]);
    run.expect(0);
    assert!(run.summary.contains("📝 changes"), "{}", run.summary);
    let push = job.run(&[("environments", "production")], &["ENVCTL_PULL_REQUEST"]);
    push.expect(0);
    assert!(job.comments().is_empty());

    // Bad inputs are refused before envctl runs.
    let bad = job.run(&[("environments", "prod;rm -rf /")], &[]);
    bad.expect(1);
    assert!(
        bad.stdout().contains("is not an environment name"),
        "{}",
        bad.stdout()
    );
    let none = job.run(&[], &[]);
    none.expect(1);
    assert!(
        none.stdout().contains("environments: name the environment"),
        "{}",
        none.stdout()
    );
    assert!(job.comments().is_empty());
}

#[test]
fn drift_keeps_one_comment_too() {
    let job = Job::new();
    job.apply("staging");
    job.apply("production");
    let run = job.run(&[("command", "drift"), ("environments", "")], &[]);
    run.expect(0);
    let body = job.comment("<!-- envctl: drift -->").body;
    assert!(
        body.contains("production") && body.contains("staging"),
        "{body}"
    );
    assert!(run.outputs.contains("exit-code=0"), "{}", run.outputs);
    job.platforms.supabase.api().set_secret(
        crate::common::platforms::STAGING_REF,
        "FCM_SERVER_KEY",
        "CANARY-by-hand",
    );
    let drifted = job.run(&[("command", "drift")], &[]);
    drifted.expect(0);
    assert!(
        drifted.outputs.contains("exit-code=2\nchanges=true"),
        "{}",
        drifted.outputs
    );
    assert_eq!(job.comments().len(), 1);
    assert!(
        job.comment("<!-- envctl: drift -->")
            .body
            .contains("drift: 1 to change")
    );
}

#[test]
fn a_comment_someone_else_starts_with_the_marker_is_left_alone() {
    let job = Job::new();
    let impostor = format!("{PLAN_PROD}\n### envctl plan: `production` — ✅ no changes");
    let theirs = job
        .github
        .api()
        .add_issue_comment_by_hand(REPO, PULL, "mallory", &impostor);

    let run = job.run(&[("environments", "production")], &[]);
    run.expect(0);
    let ours = job.comment(PLAN_PROD);
    assert_ne!(ours.id, theirs);
    assert!(ours.body.contains("📝 changes"), "{}", ours.body);
    let left = job
        .comments()
        .into_iter()
        .find(|c| c.id == theirs)
        .expect("the other comment is still there");
    assert_eq!(left.body, impostor);
    assert_eq!(left.login, "mallory");

    // The next run updates its own comment, still not the other one.
    job.run(&[("environments", "production")], &[]).expect(0);
    assert_eq!(job.comment(PLAN_PROD).id, ours.id);
    assert_eq!(job.comments().len(), 2);
}
