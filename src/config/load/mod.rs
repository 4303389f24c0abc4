//! Reading `envctl.yaml` and `environments/*.yaml` from disk, in three
//! passes per file — YAML syntax, typed decode, JSON Schema ([`read`]) —
//! then resolving each environment ([`environment`]) and the checks that
//! need more than one file ([`checks`]: aliases, routes, rules).

mod checks;
mod code;
mod environment;
mod functions;
mod migrations;
mod read;
pub(crate) mod settings;
mod variables;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::config::Workspace;
use crate::config::files::{EnvironmentFile, ProjectFile};
use crate::config::schema::SchemaKind;
use envctl_core::diagnostic::Diagnostic;

pub const PROJECT_FILE: &str = "envctl.yaml";
pub const ENVIRONMENTS_DIR: &str = "environments";

/// What loading found: the workspace, and warnings worth showing.
#[derive(Debug)]
pub struct Loaded {
    pub workspace: Workspace,
    pub warnings: Vec<Diagnostic>,
}

/// An environment file as read: its name, its path relative to the root,
/// and its contents.
type EnvFile = (String, PathBuf, EnvironmentFile);

/// Loads the workspace rooted at `root`. Any error-level diagnostic fails
/// the whole load with every diagnostic found.
pub fn load(root: &Path) -> Result<Loaded, Error> {
    load_with(root, true)
}

/// Loads a workspace whose `environments/` may hold no file yet: `import`
/// writes the first one.
pub fn load_for_import(root: &Path) -> Result<Loaded, Error> {
    load_with(root, false)
}

fn load_with(root: &Path, need_environments: bool) -> Result<Loaded, Error> {
    let mut diags = Vec::new();
    let project_path = PathBuf::from(PROJECT_FILE);
    let project: Option<ProjectFile> =
        read::read_file(root, &project_path, SchemaKind::Project, &mut diags);
    let env_files = read_environments(root, project.is_some(), &mut diags);

    let Some(project) = project else {
        return Err(Error::Invalid(diags));
    };
    if project.version != 1 {
        diags.push(
            Diagnostic::error(
                &project_path,
                None,
                format!("unsupported version {}", project.version),
            )
            .with_help(Some("this envctl reads `version: 1`")),
        );
    }
    if need_environments && env_files.is_empty() && !diags.iter().any(Diagnostic::is_error) {
        diags.push(
            Diagnostic::error(Path::new(ENVIRONMENTS_DIR), None, "no environment files")
                .with_help(Some("create environments/<name>.yaml for each environment, e.g. environments/local.yaml")),
        );
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }

    let migrations = migrations::local_migrations(root, &project, &mut diags);
    let mut environments = BTreeMap::new();
    for (name, file, env) in env_files {
        let resolved =
            environment::resolve(root, &project, &name, &file, env, &migrations, &mut diags);
        environments.insert(name, resolved);
    }
    checks::check_project(&project, &project_path, &environments, &mut diags);
    code::check_project(root, &project, &project_path, &environments, &mut diags);
    let mut project = project;
    checks::canonicalize_environment_names(&mut project);
    // One bad default is one problem, not one per environment.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert(d.to_string()));

    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }
    Ok(Loaded {
        workspace: workspace(root, project, project_path, environments),
        warnings: diags,
    })
}

/// The environment files under `environments/`, in name order, each read
/// and checked on its own. A missing folder is an error only when there is
/// a project file: without one, that is the only problem worth naming.
fn read_environments(root: &Path, has_project: bool, diags: &mut Vec<Diagnostic>) -> Vec<EnvFile> {
    let mut env_files: Vec<EnvFile> = Vec::new();
    let env_dir = root.join(ENVIRONMENTS_DIR);
    let entries = match std::fs::read_dir(&env_dir) {
        Ok(entries) => entries,
        Err(_) if has_project => {
            diags.push(
                Diagnostic::error(Path::new(ENVIRONMENTS_DIR), None, "no environments folder")
                    .with_help(Some("create environments/<name>.yaml for each environment, e.g. environments/local.yaml")),
            );
            return env_files;
        }
        Err(_) => return env_files,
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let ext = path.extension().and_then(|e| e.to_str());
        if !matches!(ext, Some("yaml" | "yml")) {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let rel = Path::new(ENVIRONMENTS_DIR).join(path.file_name().unwrap_or_default());
        if env_files.iter().any(|(n, _, _)| *n == name) {
            diags.push(
                Diagnostic::error(&rel, None, format!("environment `{name}` is defined twice"))
                    .with_help(Some("keep one of the .yaml and .yml files")),
            );
            continue;
        }
        if !valid_name(&name) {
            diags.push(
                Diagnostic::error(
                    &rel,
                    None,
                    format!("`{name}` is not a usable environment name"),
                )
                .with_help(Some(
                    "name the file with letters, digits, `-` and `_`, e.g. `staging.yaml`",
                )),
            );
            continue;
        }
        if let Some(file) =
            read::read_file::<EnvironmentFile>(root, &rel, SchemaKind::Environment, diags)
        {
            env_files.push((name, rel, file));
        }
    }
    env_files
}

/// The loaded project as the rest of envctl sees it.
fn workspace(
    root: &Path,
    project: ProjectFile,
    project_file: PathBuf,
    environments: BTreeMap<String, crate::config::Environment>,
) -> Workspace {
    let aliases = project
        .aliases
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    Workspace {
        root: root.to_path_buf(),
        project: project.project,
        environments,
        aliases,
        rules: project.rules,
        project_file,
        paths: project.paths,
        audit_log: project
            .audit
            .enabled
            .then(|| root.join(&project.audit.path)),
    }
}

/// Environment and target names: letters, digits, `-` and `_`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Names for a help line: `a, b, c`, or `(none)`.
fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}
