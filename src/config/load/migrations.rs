//! An environment's migration head: the environment's `migrations` over
//! the defaults' key by key, checked against the local migrations folder
//! (read once for all environments), with the database URL only an
//! environment file may set.

use std::collections::BTreeMap;
use std::path::Path;

use super::{PROJECT_FILE, list};
use crate::config::files::{MigrationsSpec, ProjectFile};
use crate::config::{Migrations, Target};
use crate::provider::project_files;
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::yaml::de::{Spanned, closest};

/// The migrations of environment `env_name`, whose own `migrations` (in
/// `file`) is `own`; `local` is the migrations folder's versions, or why
/// it could not be read. `None` when no head is set or it is unusable.
pub(super) fn resolve(
    project: &ProjectFile,
    env_name: &str,
    file: &Path,
    own: Option<&Spanned<MigrationsSpec>>,
    targets: &BTreeMap<String, Target>,
    local: &Result<Vec<String>, String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Migrations> {
    let project_file = Path::new(PROJECT_FILE);
    let defaults = project.defaults.migrations.as_ref();
    // Key by key: the environment's head and database URL, else the defaults'.
    let has_head = |m: &&Spanned<MigrationsSpec>| m.value.head.is_some();
    let head = own
        .filter(has_head)
        .map(|m| (m, file))
        .or(defaults.filter(has_head).map(|m| (m, project_file)));
    if let (None, Some(spec)) = (head, own) {
        diags.push(
            Diagnostic::error(
                file,
                Some(spec.pos),
                "`migrations` has no `head`, here or in the defaults",
            )
            .with_help(Some(
                "add `head: latest` (or a pinned version) to `migrations`",
            )),
        );
    }
    if let Some(spec) = defaults.filter(|m| m.value.database_url.is_some()) {
        diags.push(
            Diagnostic::error(project_file, Some(spec.pos), "`database_url` belongs in an environment file, not the defaults")
                .with_help(Some("each environment has its own database: set `migrations.database_url` in environments/<name>.yaml")),
        );
    }
    let database_url = own
        .and_then(|m| m.value.database_url.as_ref())
        .map(|u| u.0.clone());
    // The database is read and migrated for the target that holds the
    // environment's migrations; without one the URL is never used.
    if let (Some(_), Some(spec)) = (&database_url, own)
        && !targets
            .values()
            .any(|t| t.settings.traits().holds_functions)
    {
        diags.push(project_files::database_url_unused(
            env_name,
            file,
            Some(spec.pos),
        ));
    }
    head.and_then(|(spec, origin)| resolve_head(spec, origin, project, local, diags))
        .map(|m| Migrations { database_url, ..m })
}

/// The head `spec` names (at `origin`), with the versions up to it;
/// `None`, with a diagnostic, when the folder or the version is missing.
fn resolve_head(
    spec: &Spanned<MigrationsSpec>,
    origin: &Path,
    project: &ProjectFile,
    local: &Result<Vec<String>, String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Migrations> {
    let location = Location::new(origin, spec.pos);
    let versions = match local {
        Ok(versions) => versions,
        Err(why) => {
            let missing = why.starts_with("no migrations folder");
            let help = missing.then(|| {
                format!(
                    "create {} or set `paths.migrations` in envctl.yaml",
                    project.paths.migrations
                )
            });
            diags.push(Diagnostic::error(origin, Some(spec.pos), why.clone()).with_help(help));
            return None;
        }
    };
    let wanted = spec.value.head.clone().unwrap_or_default();
    let head = if wanted == "latest" {
        match versions.last() {
            Some(last) => last.clone(),
            None => {
                diags.push(Diagnostic::warning(
                    origin,
                    Some(spec.pos),
                    format!(
                        "`head: latest` but {} has no migrations",
                        project.paths.migrations
                    ),
                ));
                return None;
            }
        }
    } else if versions.contains(&wanted) {
        wanted.clone()
    } else {
        let help = match closest(&wanted, versions.iter().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "versions in {}: {}",
                project.paths.migrations,
                list(versions.iter())
            ),
        };
        diags.push(
            Diagnostic::error(
                origin,
                Some(spec.pos),
                format!(
                    "migration head `{}` is not a file in {}",
                    wanted, project.paths.migrations
                ),
            )
            .with_help(Some(help)),
        );
        return None;
    };
    // Versions are in numeric order (shorter first): everything up to the
    // head's place, not a string comparison (`9` < `10`).
    let upto = versions
        .iter()
        .take_while(|v| (v.len(), v.as_str()) <= (head.len(), head.as_str()))
        .cloned()
        .collect();
    Some(Migrations {
        head,
        versions: upto,
        local: versions.clone(),
        location,
        database_url: None,
    })
}

/// Versions of `<version>_<name>.sql` files in `dir`, in order, as the
/// Supabase CLI reads them ([`crate::provider::local_migrations`]); a warning for each
/// other `.sql` file, which can never be the head. Two files with one
/// version are an error.
pub(super) fn local_migrations(
    root: &Path,
    dir: &str,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<String>, String> {
    let path = root.join(dir);
    if !path.is_dir() {
        return Err(format!("no migrations folder {dir}"));
    }
    let (files, ignored) = crate::provider::local_migrations::scan(&path)?;
    for name in ignored {
        diags.push(project_files::not_a_migration(&Path::new(dir).join(&name)));
    }
    Ok(files.into_iter().map(|f| f.version).collect())
}
