//! Wall time, CPU time and peak memory of one command, measured from a
//! small wrapper process.
//!
//! Why a wrapper: on Linux a child's peak RSS (`ru_maxrss`) is carried over
//! from the memory it was forked from. The harness holds the fake
//! platforms' state (hundreds of megabytes at 5,000 variables × 10
//! environments), so a child spawned straight from it would report the
//! harness's peak, not its own. The harness re-runs its own binary as
//! `envctl-bench --measure OUT -- PROGRAM ARGS…`; that fresh process is a
//! few megabytes, spawns PROGRAM, waits for it with `wait4(2)` and writes
//! the numbers to OUT.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one run of a command cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    pub wall: Duration,
    /// User + system CPU time.
    pub cpu: Duration,
    /// Peak resident set size, bytes.
    pub peak_rss: u64,
    /// Exit code; -1 when killed by a signal.
    pub code: i32,
}

impl Cost {
    fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "wall_ns": self.wall.as_nanos() as u64,
            "cpu_ns": self.cpu.as_nanos() as u64,
            "peak_rss": self.peak_rss,
            "code": self.code,
        })
    }

    fn from_json(v: &serde_json::Value) -> Option<Cost> {
        Some(Cost {
            wall: Duration::from_nanos(v["wall_ns"].as_u64()?),
            cpu: Duration::from_nanos(v["cpu_ns"].as_u64()?),
            peak_rss: v["peak_rss"].as_u64()?,
            code: i32::try_from(v["code"].as_i64()?).ok()?,
        })
    }
}

/// The wrapper's side: runs `program args…` with the inherited stdio and
/// environment, and writes its [`Cost`] as JSON to `out`.
pub fn wrapper(out: &Path, program: &str, args: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let child = Command::new(program)
        .args(args)
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let (code, usage) = wait4(child.id())?;
    let wall = start.elapsed();
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let cost = Cost {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        // Linux reports kilobytes.
        peak_rss: usage.ru_maxrss as u64 * 1024,
        code,
    };
    std::fs::write(out, cost.to_json().to_string())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// Waits for `pid` and returns its exit code and resource usage.
#[allow(unsafe_code)]
fn wait4(pid: u32) -> Result<(i32, libc::rusage), String> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| "pid out of range".to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, so all-zero is a valid value;
    // wait4 writes only into the two locals it is given, which outlive
    // the call. The child was spawned by this process and has not been
    // waited for (its `Child` handle is never waited on).
    let (reaped, usage) = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let reaped = libc::wait4(pid, &mut status, 0, &mut usage);
        (reaped, usage)
    };
    if reaped != pid {
        return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((code, usage))
}

/// The harness's side: runs `program args…` in `dir` with `env` added,
/// through the wrapper, with stdout and stderr kept in `log` (so a failed
/// run can be shown), and returns its cost.
pub fn run(
    dir: &Path,
    env: &[(String, String)],
    program: &Path,
    args: &[String],
    log: &Path,
) -> Result<Cost, String> {
    let out = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let log_file = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let status = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("--measure")
        .arg(out.path())
        .arg("--")
        .arg(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .status()
        .map_err(|e| format!("cannot start the wrapper: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the wrapper failed ({status}); see {}",
            log.display()
        ));
    }
    let text = std::fs::read_to_string(out.path()).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Cost::from_json(&value).ok_or_else(|| format!("bad measurement: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrapper_reports_the_exit_code_and_the_childs_own_usage() {
        let out = tempfile::NamedTempFile::new().unwrap();
        // Busy for a moment, then exit 3.
        let script = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3";
        wrapper(out.path(), "sh", &["-c".to_string(), script.to_string()]).unwrap();
        let text = std::fs::read_to_string(out.path()).unwrap();
        let cost = Cost::from_json(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(cost.code, 3);
        assert!(cost.cpu > Duration::ZERO, "{cost:?}");
        assert!(cost.wall >= cost.cpu / 2, "{cost:?}");
        // A shell is a few megabytes; this test binary's own peak is not counted.
        assert!(cost.peak_rss > 0 && cost.peak_rss < 64 << 20, "{cost:?}");
    }

    #[test]
    fn a_program_that_cannot_start_is_an_error() {
        let out = tempfile::NamedTempFile::new().unwrap();
        let err = wrapper(out.path(), "/nonexistent/envctl", &[]).unwrap_err();
        assert!(err.contains("cannot start /nonexistent/envctl"), "{err}");
    }
}
