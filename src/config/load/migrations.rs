//! An environment's migration head: the environment's `migrations` over
//! the defaults' key by key, checked against the local migrations folder
//! (read once for all environments, or as the environment's `history`
//! runner reads it), with the database URL only an environment file may
//! set.

use std::collections::BTreeMap;
use std::path::Path;

use super::{PROJECT_FILE, list};
use crate::config::files::{MigrationsSpec, ProjectFile};
use crate::config::{Migrations, Target};
use crate::provider::database::history::{self, Runner};
use crate::provider::project_files;
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::model::History;
use envctl_core::yaml::de::{Spanned, closest};

/// The migrations of environment `env_name`, whose own `migrations` (in
/// `file`) is `own`; `local` is the migrations folder's versions, or why
/// it could not be read. `None` when no head is set or it is unusable.
#[allow(clippy::too_many_arguments)]
pub(super) fn resolve(
    root: &Path,
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
    let history = resolve_history(project, file, own, diags);
    if let (Some(_), None, Some(spec)) = (&history, &database_url, own.or(defaults))
        && targets
            .values()
            .any(|t| t.settings.traits().holds_functions)
    {
        diags.push(
            Diagnostic::error(file, Some(spec.pos), format!("`migrations.history` is set but environment {env_name} has no `database_url`"))
                .with_help(Some("the runner's history table is read over the database connection: add `database_url: { secret: env:DATABASE_URL }` under `migrations` in this file")),
        );
    }
    let runner_ids;
    let local = match &history {
        Some((runner, _)) => {
            runner_ids = history::local_ids(*runner, root, &project.paths.migrations);
            &runner_ids
        }
        None => local,
    };
    head.and_then(|(spec, origin)| resolve_head(spec, origin, project, local, diags))
        .map(|m| Migrations {
            database_url,
            history: history.map(|(_, h)| h),
            ..m
        })
}

/// `history`, `history_table` and `history_schema`, key by key over the
/// defaults': the runner, checked.
fn resolve_history(
    project: &ProjectFile,
    file: &Path,
    own: Option<&Spanned<MigrationsSpec>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Runner, History)> {
    let project_file = Path::new(PROJECT_FILE);
    let defaults = project.defaults.migrations.as_ref();
    let pick = |get: fn(&MigrationsSpec) -> Option<&String>| {
        own.and_then(|m| get(&m.value).map(|v| (v.clone(), file, m.pos)))
            .or_else(|| {
                defaults.and_then(|m| get(&m.value).map(|v| (v.clone(), project_file, m.pos)))
            })
    };
    let runner = pick(|m| m.history.as_ref());
    let table = pick(|m| m.history_table.as_ref());
    let schema = pick(|m| m.history_schema.as_ref());
    let Some((name, origin, pos)) = runner else {
        for (key, (_, origin, pos)) in [("history_table", table), ("history_schema", schema)]
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
        {
            diags.push(
                Diagnostic::error(
                    origin,
                    Some(pos),
                    format!("`{key}` is used only with `history`"),
                )
                .with_help(Some(
                    "name the runner that keeps the table (`history: knex`), or remove it",
                )),
            );
        }
        return None;
    };
    let Some(runner) = Runner::parse(&name) else {
        let names = Runner::ALL.map(Runner::name);
        let help = match closest(&name, names.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!("one of: {}", names.join(", ")),
        };
        diags.push(
            Diagnostic::error(
                origin,
                Some(pos),
                format!("unknown migration runner `{name}`"),
            )
            .with_help(Some(help)),
        );
        return None;
    };
    let mut ok = true;
    for (key, value) in [("history_table", &table), ("history_schema", &schema)] {
        let Some((text, origin, pos)) = value else {
            continue;
        };
        if !is_identifier(text) {
            ok = false;
            diags.push(
                Diagnostic::error(origin, Some(*pos), format!("`{key}` `{text}` is not a table or schema name"))
                    .with_help(Some("use letters, digits and `_` (at most 63), as the runner's configuration names it")),
            );
        }
    }
    if let (false, Some((_, origin, pos))) = (runner.table_configurable(), &table) {
        ok = false;
        diags.push(
            Diagnostic::error(origin, Some(*pos), format!("{} always records its history in `{}`", runner.name(), runner.default_table()))
                .with_help(Some("remove `history_table` (`history_schema` names the schema of the database URL's `?schema=`)")),
        );
    }
    ok.then(|| {
        (
            runner,
            History {
                runner: runner.name().to_string(),
                folder: project.paths.migrations.clone(),
                table: table.map(|(t, _, _)| t),
                schema: schema.map(|(s, _, _)| s),
                tool: runner.tool(),
                older_pending_is_drift: runner.older_pending_is_drift(),
            },
        )
    })
}

/// A PostgreSQL identifier envctl can quote: letters, digits, `_`, `$`.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && text.len() <= 63
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
    } else if let Some(id) = by_number(versions, &wanted) {
        // `head: "012"` for `012_add_rls_core_tables` (a runner's ids are
        // names).
        id
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
    // Versions are in the runner's order (the Supabase CLI's: numeric,
    // shorter first): everything up to the head's place.
    let place = versions.iter().position(|v| *v == head).unwrap_or(0);
    let upto = versions[..=place].to_vec();
    Some(Migrations {
        head,
        versions: upto,
        local: versions.clone(),
        location,
        database_url: None,
        history: None,
    })
}

/// The one id whose number (before its first `_`) is `wanted`.
fn by_number(ids: &[String], wanted: &str) -> Option<String> {
    let mut found = ids
        .iter()
        .filter(|id| id.split_once('_').is_some_and(|(n, _)| n == wanted));
    let first = found.next()?;
    found.next().is_none().then(|| first.clone())
}

/// Versions of `<version>_<name>.sql` files in `dir`, in order, as the
/// Supabase CLI reads them ([`crate::provider::local_migrations`]); a warning for each
/// other `.sql` file, which can never be the head. Two files with one
/// version are an error.
/// (Not when the defaults name another runner: its folder is laid out
/// its own way.)
pub(super) fn local_migrations(
    root: &Path,
    project: &ProjectFile,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<String>, String> {
    let dir = &project.paths.migrations;
    let path = root.join(dir);
    if !path.is_dir() {
        return Err(format!("no migrations folder {dir}"));
    }
    let (files, ignored) = crate::provider::local_migrations::scan(&path)?;
    let runner = project
        .defaults
        .migrations
        .as_ref()
        .is_some_and(|m| m.value.history.is_some());
    for name in ignored.iter().filter(|_| !runner) {
        diags.push(project_files::not_a_migration(&Path::new(dir).join(name)));
    }
    Ok(files.into_iter().map(|f| f.version).collect())
}
