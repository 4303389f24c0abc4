//! The Supabase project's files as `envctl.yaml`'s `paths` name them: where
//! they are by default, and what Supabase would refuse in the Edge
//! Functions and migrations an environment declares, caught when the files
//! are loaded so nothing is sent.
//!
//! Loading the desired state calls these without naming the platform
//! (`crate::provider::project_files`): it only knows whether an
//! environment has a target that holds its functions and migrations.

use std::path::Path;

use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// The default migrations folder, as `supabase init` lays it out.
pub const MIGRATIONS_DIR: &str = "supabase/migrations";

/// The default Edge Functions folder (one folder per function).
pub const FUNCTIONS_DIR: &str = "supabase/functions";

/// Supabase's rule for function slugs: `^[A-Za-z][A-Za-z0-9_-]*$`.
pub fn valid_slug(slug: &str) -> bool {
    let mut chars = slug.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The error for a function `slug`, at `pos` in `file`, that Supabase would
/// not deploy under that name; `None` for a valid slug.
pub fn function_name(slug: &str, file: &Path, pos: Option<Pos>) -> Option<Diagnostic> {
    if valid_slug(slug) {
        return None;
    }
    Some(
        Diagnostic::error(
            file,
            pos,
            format!("`{slug}` is not a valid Edge Function name"),
        )
        .with_help(Some(
            "a name starts with a letter, then letters, digits, `-` or `_` (as Supabase requires)",
        )),
    )
}

/// The function `slug`'s source folder under `functions_dir` (relative to
/// `root`), when it is missing. Deploying needs the source: an error when
/// one of the environment's targets would deploy it (`deploys`), a warning
/// otherwise.
pub fn function_folder(
    root: &Path,
    functions_dir: &str,
    slug: &str,
    deploys: bool,
    file: &Path,
    pos: Option<Pos>,
) -> Option<Diagnostic> {
    if root.join(functions_dir).join(slug).is_dir() {
        return None;
    }
    let message = format!("Edge Function `{slug}` has no folder {functions_dir}/{slug}");
    let diag = if deploys {
        Diagnostic::error(file, pos, message)
    } else {
        Diagnostic::warning(file, pos, message)
    };
    Some(diag.with_help(Some(
        "deploying needs its source: create the folder with an index.ts, or fix the name",
    )))
}

/// The warning for a `.sql` file (at `path`) in the migrations folder that
/// the Supabase CLI would skip, so it can never be the head.
pub fn not_a_migration(path: &Path) -> Diagnostic {
    Diagnostic::warning(
        path,
        None,
        "not a migration: the Supabase CLI reads only `<digits>_<name>.sql`, so `supabase db push` never applies this file and envctl never plans it as the head",
    )
    .with_help(Some(
        "rename it to <version>_<name>.sql (e.g. 20250301000000_add_bookings.sql), or move it out of the folder",
    ))
}

/// The warning for `migrations.database_url` (at `pos` in `file`) in
/// environment `env`, none of whose targets reads or migrates that
/// database.
pub fn database_url_unused(env: &str, file: &Path, pos: Option<Pos>) -> Diagnostic {
    Diagnostic::warning(
        file,
        pos,
        format!("`migrations.database_url` is set but environment {env} has no supabase target"),
    )
    .with_help(Some(
        "the history is read and migrations applied for its supabase target",
    ))
}

#[cfg(test)]
#[path = "project_tests.rs"]
mod tests;
