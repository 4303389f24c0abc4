//! The audit log: one JSON line per change an apply made — when, who,
//! where, what — with fingerprints of the values before and after, never
//! the values. Default `.envctl/audit.jsonl`; `audit.enabled: false` in
//! envctl.yaml switches it off. On a CI runner, whose files die with the
//! job, the lines go to standard output instead (and to the GitHub Actions
//! step summary): see [`Sink::choose`].

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::clock::now_ms;
use envctl_core::plan::{Action, Plan, Subject, Value};
use envctl_core::secret::Fingerprint;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    pub user: String,
    /// `apply`, `apply <plan file>` or `rotate`.
    pub command: String,
    pub environment: String,
    pub target: String,
    pub key: String,
    pub action: Action,
    /// Keyed fingerprint (or function setting) before and after; no
    /// fingerprint without a fingerprint key.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The keyed fingerprint ([`crate::keyed`]); nothing without a key.
fn keyed(f: &Fingerprint) -> Option<String> {
    f.token().map(|t| format!("hmac:{t}"))
}

/// What identifies a value without showing it.
fn token(value: &Value) -> Option<String> {
    match value {
        Value::Text { text } => keyed(&Fingerprint::of(text)),
        Value::Secret {
            fingerprint: Some(f),
            ..
        } => keyed(f),
        Value::Secret { .. } | Value::Hidden => None,
        Value::Function { verify_jwt } => Some(format!("verify_jwt={verify_jwt}")),
        Value::Migrations { head, .. } => Some(format!("head {head}")),
        Value::Bucket { public } => Some(format!("public={public}")),
    }
}

/// One entry per change of the plan that was written: `written` names
/// each by target and subject, so an apply that failed or was interrupted
/// partway logs exactly what it did.
pub fn entries(
    plan: &Plan,
    written: &[(String, Subject)],
    command: &str,
    user: &str,
) -> Vec<Entry> {
    let time = rfc3339(now_ms());
    plan.targets
        .iter()
        .flat_map(|t| {
            t.changes
                .iter()
                .filter(|c| matches!(c.action, Action::Create | Action::Update | Action::Delete))
                .filter(|c| !matches!(c.subject, Subject::MigrationHead))
                .filter(|c| {
                    written
                        .iter()
                        .any(|(target, subject)| *target == t.name && *subject == c.subject)
                })
                .map(|c| Entry {
                    time: time.clone(),
                    user: user.to_string(),
                    command: command.to_string(),
                    environment: plan.environment.clone(),
                    target: t.name.clone(),
                    key: c.subject.to_string(),
                    action: c.action,
                    before: c.before.as_ref().and_then(token),
                    after: match c.action {
                        Action::Delete => None,
                        _ => c.after.as_ref().and_then(token),
                    },
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Where an apply's audit entries go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sink {
    /// Appended to the log file (`audit.path`).
    File(PathBuf),
    /// JSON lines on standard output, after the apply's own output.
    Stdout,
    Off,
}

/// What `--audit` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Wanted {
    /// JSON lines on standard output (and the GitHub Actions step summary).
    Stdout,
    /// Append to the log file (`audit.path` in envctl.yaml).
    File,
    /// Record nothing.
    Off,
}

impl Sink {
    /// `wanted` when given, else stdout when `ci` (the `CI` variable) is
    /// `true` or `1` — a runner's files are lost with the job — else the
    /// file. `log` is the configured file, `None` with `audit.enabled:
    /// false`, which switches the default off: then only an explicit
    /// `--audit stdout` shows entries, and `--audit file` has no file.
    pub fn choose(wanted: Option<Wanted>, ci: Option<&str>, log: Option<&Path>) -> Sink {
        let on_ci = ci.is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("true") || v == "1"
        });
        let file = || log.map_or(Sink::Off, |p| Sink::File(p.to_path_buf()));
        match wanted {
            Some(Wanted::Stdout) => Sink::Stdout,
            Some(Wanted::File) => file(),
            Some(Wanted::Off) => Sink::Off,
            None if log.is_none() => Sink::Off,
            None if on_ci => Sink::Stdout,
            None => file(),
        }
    }
}

/// The entries as JSON lines, one per entry.
pub fn lines(entries: &[Entry]) -> String {
    let mut text = String::new();
    for e in entries {
        text.push_str(&serde_json::to_string(e).expect("entries serialize"));
        text.push('\n');
    }
    text
}

/// A collapsible Markdown section of the entries, for the GitHub Actions
/// step summary (`GITHUB_STEP_SUMMARY`).
pub fn summary(entries: &[Entry]) -> String {
    let (command, environment) = entries.first().map_or(("apply", ""), |e| {
        (e.command.as_str(), e.environment.as_str())
    });
    format!(
        "<details><summary>envctl audit: {} change{} by <code>{}</code> in {}</summary>\n\n```json\n{}```\n\n</details>\n\n",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        command.replace(['<', '>', '&'], "_"),
        environment,
        lines(entries)
    )
}

/// Appends `text` to a file that exists or is created (the step summary).
pub fn append_text(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// Appends entries to the log, creating it (mode 0600) and its folder (a
/// `.envctl` folder with a `.gitignore` of `*`).
pub fn append(path: &Path, entries: &[Entry]) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
        // In envctl's own folder, keep the log out of commits even where
        // the repository's .gitignore does not list `.envctl/`.
        let ignore = dir.join(".gitignore");
        if dir.file_name().is_some_and(|n| n == ".envctl") && !ignore.exists() {
            std::fs::write(
                &ignore,
                "# written by envctl: nothing here belongs in git\n*\n",
            )?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let text = lines(entries);
    // One write call per apply, so concurrent appends do not interleave
    // within a line.
    options.open(path)?.write_all(text.as_bytes())
}

/// Who applied: git's `user.email` (or `user.name`), else the OS user.
pub fn user() -> String {
    for key in ["user.email", "user.name"] {
        let out = std::process::Command::new("git")
            .args(["config", "--get", key])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output();
        if let Ok(out) = out
            && out.status.success()
        {
            let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !text.is_empty() {
                return text;
            }
        }
    }
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// `YYYY-MM-DDThh:mm:ss.mmmZ` for ms since the epoch (H. Hinnant's
/// `civil_from_days`).
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_ci_then_the_file_and_a_switched_off_log_stays_off() {
        let log = Path::new("/repo/.envctl/audit.jsonl");
        let file = Sink::File(log.to_path_buf());
        assert_eq!(Sink::choose(None, None, Some(log)), file);
        assert_eq!(Sink::choose(None, Some("false"), Some(log)), file);
        assert_eq!(Sink::choose(None, Some(""), Some(log)), file);
        for ci in ["true", "TRUE", "1"] {
            assert_eq!(
                Sink::choose(None, Some(ci), Some(log)),
                Sink::Stdout,
                "{ci}"
            );
        }
        assert_eq!(
            Sink::choose(Some(Wanted::File), Some("true"), Some(log)),
            file
        );
        assert_eq!(Sink::choose(Some(Wanted::Off), None, Some(log)), Sink::Off);
        assert_eq!(
            Sink::choose(Some(Wanted::Stdout), None, Some(log)),
            Sink::Stdout
        );
        // `audit.enabled: false`: no default, no file; stdout when asked.
        assert_eq!(Sink::choose(None, Some("true"), None), Sink::Off);
        assert_eq!(Sink::choose(None, None, None), Sink::Off);
        assert_eq!(Sink::choose(Some(Wanted::File), None, None), Sink::Off);
        assert_eq!(Sink::choose(Some(Wanted::Stdout), None, None), Sink::Stdout);
    }

    #[test]
    fn times_round_trip_through_the_rfc3339_parser() {
        for ms in [0, 784_111_777_250, 951_782_400_000, 4_102_444_800_999] {
            let text = rfc3339(ms);
            assert_eq!(crate::http::parse_rfc3339(&text), Some(ms), "{text}");
        }
        assert_eq!(rfc3339(784_111_777_250), "1994-11-06T08:49:37.250Z");
    }
}
