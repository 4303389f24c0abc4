//! Where an apply's audit entries go (`--audit`, `CI`, envctl.yaml's
//! `audit:`), and showing them when they do not go to the log file.

use crate::audit::{self, Sink, Wanted};
use crate::cli::Output;
use crate::config::Workspace;
use crate::engine::{self, Planned};
use envctl_core::plan::Subject;

/// The sink for this run: `--audit`, else stdout on CI, else the log file.
pub(super) fn sink(ws: &Workspace, wanted: Option<Wanted>, out: &Output) -> Sink {
    let ci = std::env::var("CI").ok();
    let sink = Sink::choose(wanted, ci.as_deref(), ws.audit_log.as_deref());
    if wanted == Some(Wanted::File) && sink == Sink::Off {
        out.warn(
            "--audit file: envctl.yaml has `audit: { enabled: false }`, so no audit log is kept",
        );
    }
    sink
}

/// Records what was written: appended to the log, or printed as JSON lines
/// on stdout (and, under GitHub Actions, added to the step summary). A log
/// that cannot be written is a warning, since the changes are live either way.
pub(super) fn record(
    planned: &Planned,
    written: &[(String, Subject)],
    command: &str,
    sink: &Sink,
    out: &Output,
) {
    let entries = match engine::apply::audit(planned, written, command, sink) {
        Ok(entries) => entries,
        Err(failure) => {
            out.warn(&format!(
                "the changes were written, but the audit log {} was not: {}",
                failure.log.display(),
                failure.error
            ));
            return;
        }
    };
    if *sink != Sink::Stdout || entries.is_empty() {
        return;
    }
    out.print(&audit::lines(&entries));
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let path = std::path::PathBuf::from(path);
        if let Err(e) = audit::append_text(&path, &audit::summary(&entries)) {
            out.warn(&format!(
                "the audit entries were printed, but the step summary {} was not written: {e}",
                path.display()
            ));
        }
    }
}
