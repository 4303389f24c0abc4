//! What Supabase would refuse in a target's settings, caught when the
//! files are loaded so nothing is sent.

use std::path::Path;

use super::Settings;
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// The target's settings, at `pos` in `file`: a project ref is 20
/// lowercase letters.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let project_ref = &settings.project_ref;
    if project_ref.len() != 20 || !project_ref.chars().all(|c| c.is_ascii_lowercase()) {
        return vec![
            Diagnostic::error(
                file,
                pos,
                format!("`{project_ref}` is not a Supabase project ref"),
            )
            .with_help(Some(
                "a ref is 20 lowercase letters, as in https://supabase.com/dashboard/project/<ref>",
            )),
        ];
    }
    Vec::new()
}
