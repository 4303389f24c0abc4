//! The words around an apply: what `--dry-run` would run, migration
//! progress, the closing report, and what is left to do afterwards.

use super::Output;
use crate::engine::ApplyReport;
use crate::engine::aftercare::Note;
use crate::engine::migrations::{Preview, Progress};

/// `""` for one, `"s"` for any other count.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `--dry-run`: the migration files each database would get, in order.
pub fn dry_run(previews: &[Preview]) -> String {
    let mut text = String::new();
    for job in previews {
        if job.files.is_empty() {
            text.push_str(&format!(
                "No migrations to apply to {} (target {}).\n",
                job.database, job.target
            ));
            continue;
        }
        text.push_str(&format!(
            "Would apply {} migration{} to {} (target {}), in order:\n",
            job.files.len(),
            plural(job.files.len()),
            job.database,
            job.target
        ));
        for (file, statements) in &job.files {
            text.push_str(&format!(
                "  {file}  ({statements} statement{})\n",
                plural(*statements)
            ));
        }
    }
    text
}

/// A line of migration progress.
pub fn progress(progress: &Progress<'_>) -> String {
    match progress {
        Progress::Applied { target, file } => format!(
            "target {target}: applied {} ({} statement{}, {} ms)",
            file.file,
            file.statements,
            plural(file.statements),
            file.elapsed.as_millis()
        ),
        Progress::Done {
            target,
            count,
            database,
            elapsed,
        } => format!(
            "target {target}: {count} migration{} applied and recorded in {database} ({} ms)",
            plural(*count),
            elapsed.as_millis()
        ),
    }
}

/// Each target's writes, then the total, then the records tagged.
pub fn report(report: &ApplyReport, env: &str) -> String {
    let count: usize = report.applied.iter().map(|(_, w)| w.len()).sum();
    let mut lines: Vec<String> = report
        .applied
        .iter()
        .filter(|(_, writes)| !writes.is_empty())
        .map(|(target, writes)| format!("target {target}: {}", writes.join(", ")))
        .collect();
    if count > 0 || report.tagged == 0 {
        lines.push(format!(
            "Apply complete: {count} change{} written to {env}.",
            plural(count)
        ));
    }
    if report.tagged > 0 {
        lines.push(format!(
            "Tagged {} record{} (comment only); later plans read them at list speed.",
            report.tagged,
            plural(report.tagged)
        ));
    }
    lines.join("\n")
}

/// Shows one note of what follows an apply of `env`.
pub fn note(note: &Note, env: &str, out: &Output) {
    match note {
        Note::HistoryDisagrees { target, reason } => out.warn(&format!(
            "target {target}: {reason}; envctl does not repair migration history"
        )),
        Note::MigrationsPending {
            target,
            pending,
            description,
            tool,
            needs_url,
        } => out.note(&format!(
            "target {target}: {} migration{} not applied yet ({}); apply them with `envctl apply {env} --migrations`{}, or `{tool}` against {description}",
            pending.len(),
            plural(pending.len()),
            pending.join(", "),
            if *needs_url {
                " (needs `migrations.database_url`)"
            } else {
                ""
            },
        )),
        Note::MigrationsPendingElsewhere {
            target,
            pending,
            description,
            tool,
        } => out.note(&format!(
            "target {target}: {} migration{} not applied yet ({}); envctl reads this runner's history but does not apply its files: run `{tool}` ({description})",
            pending.len(),
            plural(pending.len()),
            pending.join(", "),
        )),
        Note::Platform { target, text } => out.note(&format!("target {target}: {text}")),
    }
}
