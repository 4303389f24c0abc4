//! What a dotenv target may not be: a file outside the project.

use std::path::Path;

use super::Settings;
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// The target's settings, at `pos` in `file`.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let path = &settings.path;
    if path.is_empty()
        || Path::new(path).is_absolute()
        || path.split(['/', '\\']).any(|c| c == "..")
    {
        return vec![
            Diagnostic::error(
                file,
                pos,
                format!("dotenv path `{path}` must stay inside the project"),
            )
            .with_help(Some("use a relative path such as `.env.local`")),
        ];
    }
    Vec::new()
}
