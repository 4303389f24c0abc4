//! Reading `envctl.yaml` and `environments/*.yaml` from disk, in three
//! passes per file — YAML syntax, typed decode, JSON Schema — and then the
//! checks that need more than one file (aliases, routes, migrations).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::files::{
    Defaults, EnvironmentFile, MigrationsSpec, ProjectFile, VarSpec, VarValue, is_env_name,
};
use super::schema::{self, SchemaKind};
use super::{Environment, Function, Migrations, SpecOf, Target, Variable, Workspace, glob_match};
use crate::Error;
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::yaml::de::{Spanned, closest, from_node};
use envctl_core::yaml::{self, Pos};

pub const PROJECT_FILE: &str = "envctl.yaml";
pub const ENVIRONMENTS_DIR: &str = "environments";

/// What loading found: the workspace, and warnings worth showing.
#[derive(Debug)]
pub struct Loaded {
    pub workspace: Workspace,
    pub warnings: Vec<Diagnostic>,
}

/// Loads the workspace rooted at `root`. Any error-level diagnostic fails
/// the whole load with every diagnostic found.
pub fn load(root: &Path) -> Result<Loaded, Error> {
    let mut diags = Vec::new();
    let project_path = PathBuf::from(PROJECT_FILE);
    let project: Option<ProjectFile> =
        read_file(root, &project_path, SchemaKind::Project, &mut diags);

    let mut env_files = Vec::new();
    let env_dir = root.join(ENVIRONMENTS_DIR);
    match std::fs::read_dir(&env_dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                let ext = path.extension().and_then(|e| e.to_str());
                if !matches!(ext, Some("yaml" | "yml")) {
                    continue;
                }
                let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
                let rel = Path::new(ENVIRONMENTS_DIR).join(path.file_name().unwrap_or_default());
                if env_files.iter().any(|(n, _, _): &(String, PathBuf, EnvironmentFile)| *n == name) {
                    diags.push(
                        Diagnostic::error(&rel, None, format!("environment `{name}` is defined twice"))
                            .with_help(Some("keep one of the .yaml and .yml files")),
                    );
                    continue;
                }
                if !valid_name(&name) {
                    diags.push(
                        Diagnostic::error(&rel, None, format!("`{name}` is not a usable environment name"))
                            .with_help(Some("name the file with letters, digits, `-` and `_`, e.g. `staging.yaml`")),
                    );
                    continue;
                }
                if let Some(file) = read_file::<EnvironmentFile>(root, &rel, SchemaKind::Environment, &mut diags) {
                    env_files.push((name, rel, file));
                }
            }
        }
        Err(_) if project.is_some() => diags.push(
            Diagnostic::error(Path::new(ENVIRONMENTS_DIR), None, "no environments folder")
                .with_help(Some("create environments/<name>.yaml for each environment, e.g. environments/local.yaml")),
        ),
        Err(_) => {}
    }

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
    if env_files.is_empty() && !diags.iter().any(Diagnostic::is_error) {
        diags.push(
            Diagnostic::error(Path::new(ENVIRONMENTS_DIR), None, "no environment files")
                .with_help(Some("create environments/<name>.yaml for each environment, e.g. environments/local.yaml")),
        );
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }

    let migrations = local_migrations(root, &project.paths.migrations, &mut diags);
    let mut environments = BTreeMap::new();
    for (name, file, env) in env_files {
        let resolved = resolve(root, &project, &name, &file, env, &migrations, &mut diags);
        environments.insert(name, resolved);
    }
    check_project(&project, &project_path, &environments, &mut diags);
    let mut project = project;
    canonicalize_environment_names(&mut project);
    // One bad default is one problem, not one per environment.
    let mut seen = std::collections::HashSet::new();
    diags.retain(|d| seen.insert(d.to_string()));

    if diags.iter().any(Diagnostic::is_error) {
        return Err(Error::Invalid(diags));
    }
    let aliases = project
        .aliases
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    Ok(Loaded {
        workspace: Workspace {
            root: root.to_path_buf(),
            project: project.project,
            environments,
            aliases,
            rules: project.rules,
            project_file: project_path,
            paths: project.paths,
            audit_log: project
                .audit
                .enabled
                .then(|| root.join(&project.audit.path)),
        },
        warnings: diags,
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Syntax, then types, then schema: a file that fails one pass is not
/// checked by the next, whose messages would only repeat the first.
fn read_file<T: DeserializeOwned>(
    root: &Path,
    rel: &Path,
    kind: SchemaKind,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    let bytes = match read_limited(root, rel) {
        Ok(bytes) => bytes,
        Err(Refusal::Missing) if kind == SchemaKind::Project => {
            diags.push(Diagnostic::error(rel, None, format!("no {PROJECT_FILE} in {}", root.display())).with_help(
                Some("run envctl in your project's folder, or pass --chdir DIR (see docs/configuration.md)"),
            ));
            return None;
        }
        Err(Refusal::Missing) => {
            diags.push(Diagnostic::error(
                rel,
                None,
                "cannot read the file: it does not exist",
            ));
            return None;
        }
        Err(Refusal::Diagnostic(diag)) => {
            diags.push(*diag);
            return None;
        }
    };
    let node = match yaml::parse_bytes(&bytes) {
        Ok(Some(node)) => node,
        Ok(None) => yaml::Node {
            kind: yaml::Kind::Map(Vec::new()),
            pos: Pos { line: 1, column: 1 },
        },
        Err(e) => {
            diags.push(Diagnostic::error(rel, Some(e.pos), e.message).with_help(e.help));
            return None;
        }
    };
    let value = match from_node::<T>(&node) {
        Ok(value) => value,
        Err(e) => {
            diags.push(
                Diagnostic::error(rel, e.pos.or(Some(node.pos)), e.message).with_help(e.help),
            );
            return None;
        }
    };
    let schema_errors = schema::check(kind, rel, &node);
    if !schema_errors.is_empty() {
        diags.extend(schema_errors);
        return None;
    }
    Some(value)
}

/// Why a desired-state file was not read.
enum Refusal {
    Missing,
    Diagnostic(Box<Diagnostic>),
}

/// A desired-state file's bytes, refusing before reading what a hostile
/// pull request could put there: a symlink out of the project (to
/// `/proc/self/environ`, a CI credential file: envctl's messages would
/// quote it), something that is not a file (`/dev/zero`), or more than
/// [`yaml::limits::FILE_BYTES`].
fn read_limited(root: &Path, rel: &Path) -> Result<Vec<u8>, Refusal> {
    use std::io::Read as _;
    let path = root.join(rel);
    let refuse = |message: String, help: &str| {
        Refusal::Diagnostic(Box::new(
            Diagnostic::error(rel, None, message).with_help(Some(help)),
        ))
    };
    let cannot = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Refusal::Missing
        } else {
            refuse(
                format!("cannot read the file: {e}"),
                "check its permissions",
            )
        }
    };
    let real = std::fs::canonicalize(&path).map_err(cannot)?;
    let real_root = std::fs::canonicalize(root).map_err(cannot)?;
    if !real.starts_with(&real_root) {
        return Err(refuse(
            "the file is a link to a file outside the project".into(),
            "copy the file into the project instead of linking to it; envctl reads only files inside the project",
        ));
    }
    let metadata = std::fs::metadata(&real).map_err(cannot)?;
    let limit = yaml::limits::FILE_BYTES;
    let too_big = |size: String| {
        refuse(
            format!("the file is {size}; envctl reads YAML files of at most 1 MiB ({limit} bytes)"),
            "check that this is the file you meant; split a project that big across environment files",
        )
    };
    if !metadata.is_file() {
        return Err(refuse(
            "not a regular file".into(),
            "the desired state is plain files; remove or replace this one",
        ));
    }
    if metadata.len() > limit {
        return Err(too_big(format!("{} bytes", metadata.len())));
    }
    // The length can change between the look and the read: read one
    // byte past the limit to notice without reading everything.
    let mut bytes = Vec::new();
    std::fs::File::open(&real)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big("more than 1 MiB".into()));
    }
    Ok(bytes)
}

/// Lays the environment over the defaults and routes variables to targets.
fn resolve(
    root: &Path,
    project: &ProjectFile,
    name: &str,
    file: &Path,
    env: EnvironmentFile,
    migrations: &Result<Vec<String>, String>,
    diags: &mut Vec<Diagnostic>,
) -> Environment {
    let project_file = Path::new(PROJECT_FILE);
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for (name, spec) in env.targets {
        let pos = Some(spec.pos);
        let (location, spec) = (Location::new(file, spec.pos), spec.value);
        check_target(&name, &spec, file, pos, diags);
        let (files, missing) = crate::provider::migration_files(&spec, &name, root, file, pos);
        diags.extend(missing);
        let target = Target {
            name: name.clone(),
            settings: std::sync::Arc::new(spec),
            location,
            migration_files: files,
        };
        targets.insert(name, target);
    }

    let Defaults {
        variables: default_vars,
        functions: default_functions,
        migrations: default_migrations,
    } = &project.defaults;
    let mut specs: BTreeMap<String, (Spanned<VarSpec>, &Path)> = default_vars
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), project_file)))
        .collect();
    for (key, spec) in env.variables {
        specs.insert(key, (spec, file));
    }

    let mut variables = BTreeMap::new();
    for (key, (spec, origin)) in specs {
        let location = Location::new(origin, spec.pos);
        if !is_env_name(&key) {
            diags.push(
                Diagnostic::error(
                    origin,
                    Some(spec.pos),
                    format!("`{key}` is not a valid variable name"),
                )
                .with_help(Some(
                    "use letters, digits and `_`, not starting with a digit",
                )),
            );
            continue;
        }
        let VarSpec {
            value,
            targets: explicit,
            environment_specific,
            allow_empty,
        } = spec.value;
        if value == VarValue::Unset {
            continue;
        }
        let routed = match explicit {
            Some(names) => {
                for tname in &names {
                    if !targets.contains_key(tname) {
                        let help = match closest(tname, targets.keys().map(String::as_str)) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("targets in {name}: {}", list(targets.keys())),
                        };
                        diags.push(
                            Diagnostic::error(
                                origin,
                                Some(spec.pos),
                                format!("`{key}` is routed to `{tname}`, which is not a target of environment {name}"),
                            )
                            .with_help(Some(help)),
                        );
                    }
                }
                names
                    .into_iter()
                    .filter(|t| targets.contains_key(t))
                    .collect()
            }
            None => targets
                .values()
                .filter(|t| receives(project, t).iter().any(|p| glob_match(p, &key)))
                .map(|t| t.name.clone())
                .collect::<Vec<_>>(),
        };
        if routed.is_empty() && !targets.is_empty() {
            diags.push(
                Diagnostic::warning(
                    origin,
                    Some(spec.pos),
                    format!("`{key}` goes to no target in environment {name}"),
                )
                .with_help(Some(
                    "add it to a target's `receives` or to `routes` in envctl.yaml",
                )),
            );
        }
        let variable = Variable {
            name: key.clone(),
            value,
            targets: routed,
            environment_specific,
            allow_empty,
            location,
        };
        if let VarValue::Plain(text) = &variable.value {
            diags.extend(crate::provider::dotenv::unrepresentable(
                &targets, &variable, text,
            ));
        }
        variables.insert(key, variable);
    }

    let mut functions = BTreeMap::new();
    let function_specs = default_functions
        .iter()
        .map(|(k, v)| (k, v, project_file))
        .chain(env.functions.iter().map(|(k, v)| (k, v, file)));
    for (slug, spec, origin) in function_specs {
        let verify_jwt = spec.value.unwrap_or_default().verify_jwt;
        if !valid_slug(slug) {
            diags.push(
                Diagnostic::error(
                    origin,
                    Some(spec.pos),
                    format!("`{slug}` is not a valid Edge Function name"),
                )
                .with_help(Some(
                    "a name starts with a letter, then letters, digits, `-` or `_` (as Supabase requires)",
                )),
            );
        } else if !root.join(&project.paths.functions).join(slug).is_dir() {
            // Deploying needs the source: an error where a Supabase target
            // would deploy it, a warning elsewhere.
            let deploys = targets
                .values()
                .any(|t| matches!(t.spec(), Some(super::TargetSpec::Supabase { .. })));
            let message = format!(
                "Edge Function `{slug}` has no folder {}/{slug}",
                project.paths.functions
            );
            let diag = if deploys {
                Diagnostic::error(origin, Some(spec.pos), message)
            } else {
                Diagnostic::warning(origin, Some(spec.pos), message)
            };
            diags.push(diag.with_help(Some(
                "deploying needs its source: create the folder with an index.ts, or fix the name",
            )));
        }
        functions.insert(
            slug.clone(),
            Function {
                slug: slug.clone(),
                verify_jwt,
                location: Location::new(origin, spec.pos),
            },
        );
    }

    check_platform_names(&targets, &variables, diags);

    // Key by key: the environment's head and database URL, else the defaults'.
    let has_head = |m: &&Spanned<MigrationsSpec>| m.value.head.is_some();
    let head = env
        .migrations
        .as_ref()
        .filter(has_head)
        .map(|m| (m, file))
        .or(default_migrations
            .as_ref()
            .filter(has_head)
            .map(|m| (m, project_file)));
    if let (None, Some(spec)) = (head, &env.migrations) {
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
    if let Some(spec) = default_migrations
        .as_ref()
        .filter(|m| m.value.database_url.is_some())
    {
        diags.push(
            Diagnostic::error(project_file, Some(spec.pos), "`database_url` belongs in an environment file, not the defaults")
                .with_help(Some("each environment has its own database: set `migrations.database_url` in environments/<name>.yaml")),
        );
    }
    let database_url = env
        .migrations
        .as_ref()
        .and_then(|m| m.value.database_url.as_ref())
        .map(|u| u.0.clone());
    if let (Some(_), Some(spec)) = (&database_url, &env.migrations)
        && !targets
            .values()
            .any(|t| matches!(t.spec(), Some(super::TargetSpec::Supabase { .. })))
    {
        diags.push(
            Diagnostic::warning(
                file,
                Some(spec.pos),
                format!(
                    "`migrations.database_url` is set but environment {name} has no supabase target"
                ),
            )
            .with_help(Some(
                "the history is read and migrations applied for its supabase target",
            )),
        );
    }
    let migrations = head
        .and_then(|(spec, origin)| resolve_head(spec, origin, project, migrations, diags))
        .map(|m| Migrations { database_url, ..m });

    Environment {
        name: name.to_string(),
        file: file.to_path_buf(),
        protected: env.protected,
        local: env.local.unwrap_or(name == "local"),
        targets,
        variables,
        functions,
        migrations,
    }
}

/// Names a platform would refuse, caught here so nothing is sent: each
/// variable against the first of its targets on each platform.
fn check_platform_names(
    targets: &BTreeMap<String, Target>,
    variables: &BTreeMap<String, Variable>,
    diags: &mut Vec<Diagnostic>,
) {
    for var in variables.values() {
        let mut platforms = std::collections::BTreeSet::new();
        for target in var.targets.iter().filter_map(|t| targets.get(t)) {
            let Some(spec) = target.spec() else {
                continue;
            };
            if !platforms.insert(target.settings.kind()) {
                continue;
            }
            let Some((message, help)) = crate::provider::check_name(spec, &target.name, &var.name)
            else {
                continue;
            };
            let loc = &var.location;
            let pos = Pos {
                line: loc.line,
                column: loc.column,
            };
            diags.push(Diagnostic::error(&loc.file, Some(pos), message).with_help(Some(help)));
        }
    }
}

/// The patterns a target receives: its own list, else the project's route
/// for its name, else everything.
fn receives(project: &ProjectFile, target: &Target) -> Vec<String> {
    target
        .spec()
        .and_then(super::TargetSpec::receives)
        .map(<[String]>::to_vec)
        .or_else(|| project.routes.get(&target.name).map(|r| r.value.clone()))
        .unwrap_or_else(|| vec!["*".to_string()])
}

fn check_target(
    name: &str,
    spec: &super::TargetSpec,
    file: &Path,
    pos: Option<Pos>,
    diags: &mut Vec<Diagnostic>,
) {
    if !valid_name(name) {
        diags.push(Diagnostic::error(
            file,
            pos,
            format!("`{name}` is not a usable target name"),
        ));
    }
    diags.extend(crate::provider::check_target(spec, file, pos));
}

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

/// Supabase's rule for function slugs: `^[A-Za-z][A-Za-z0-9_-]*$`.
pub fn valid_slug(slug: &str) -> bool {
    let mut chars = slug.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Versions of `<version>_<name>.sql` files, in order, as the Supabase
/// CLI reads them ([`crate::migrate::files`]); a warning for each other
/// `.sql` file, which can never be the head. Two files with one version are
/// an error.
pub fn local_migrations(
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
        diags.push(
            Diagnostic::warning(
                &Path::new(dir).join(&name),
                None,
                "not a migration: the Supabase CLI reads only `<digits>_<name>.sql`, so `supabase db push` never applies this file and envctl never plans it as the head",
            )
            .with_help(Some(
                "rename it to <version>_<name>.sql (e.g. 20250301000000_add_bookings.sql), or move it out of the folder",
            )),
        );
    }
    Ok(files.into_iter().map(|f| f.version).collect())
}

fn check_project(
    project: &ProjectFile,
    file: &Path,
    environments: &BTreeMap<String, Environment>,
    diags: &mut Vec<Diagnostic>,
) {
    for (alias, target) in &project.aliases {
        if environments.contains_key(alias) {
            diags.push(Diagnostic::error(
                file,
                Some(target.pos),
                format!("alias `{alias}` is also an environment's name"),
            ));
        }
        if !environments.contains_key(&target.value) {
            let help = closest(&target.value, environments.keys().map(String::as_str))
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| format!("environments: {}", list(environments.keys())));
            diags.push(
                Diagnostic::error(
                    file,
                    Some(target.pos),
                    format!(
                        "alias `{alias}` points to `{}`, which is not an environment",
                        target.value
                    ),
                )
                .with_help(Some(help)),
            );
        }
    }
    let all_targets: Vec<&str> = environments
        .values()
        .flat_map(|e| e.targets.keys().map(String::as_str))
        .collect();
    for (tname, route) in &project.routes {
        if !all_targets.contains(&tname.as_str()) {
            let help = closest(tname, all_targets.iter().copied())
                .map(|best| format!("did you mean `{best}`?"))
                .unwrap_or_else(|| "name a target defined in an environment file".to_string());
            diags.push(
                Diagnostic::error(
                    file,
                    Some(route.pos),
                    format!("route for `{tname}`, which no environment defines as a target"),
                )
                .with_help(Some(help)),
            );
        }
    }
    let env_names: Vec<&str> = environments.keys().map(String::as_str).collect();
    let mut env_lists: Vec<(&Vec<String>, Pos)> = Vec::new();
    for disable in project.rules.disable.values() {
        if let super::files::Disable::In(names) = &disable.value {
            env_lists.push((names, disable.pos));
        }
    }
    for rule in &project.rules.required {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    for rule in &project.rules.forbid {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    for rule in &project.rules.patterns {
        if let Some(names) = &rule.value.environments {
            env_lists.push((names, rule.pos));
        }
    }
    if let Some(parity) = &project.rules.parity {
        env_lists.push((&parity.environments.value, parity.environments.pos));
    }
    for (names, pos) in env_lists {
        for name in names {
            if !env_names.contains(&name.as_str()) && !project.aliases.contains_key(name) {
                diags.push(
                    Diagnostic::error(file, Some(pos), format!("`{name}` is not an environment"))
                        .with_help(
                            closest(name, env_names.iter().copied())
                                .map(|b| format!("did you mean `{b}`?")),
                        ),
                );
            }
        }
    }
    for (id, disable) in &project.rules.disable {
        if !envctl_core::rules::RuleId::ALL
            .iter()
            .any(|r| r.as_str() == id)
        {
            let ids: Vec<&str> = envctl_core::rules::RuleId::ALL
                .iter()
                .map(|r| r.as_str())
                .collect();
            diags.push(
                Diagnostic::error(file, Some(disable.pos), format!("unknown rule `{id}`"))
                    .with_help(Some(envctl_core::yaml::de::suggest(id, &ids))),
            );
        }
    }
    for (kind, entries) in [
        (
            "forbid",
            project
                .rules
                .forbid
                .iter()
                .map(|f| (f.value.value.as_deref(), f.pos))
                .collect::<Vec<_>>(),
        ),
        (
            "patterns",
            project
                .rules
                .patterns
                .iter()
                .map(|p| (Some(p.value.regex.as_str()), p.pos))
                .collect(),
        ),
    ] {
        for (regex, pos) in entries {
            if let Some(Err(e)) = regex.map(regex::Regex::new) {
                diags.push(Diagnostic::error(
                    file,
                    Some(pos),
                    format!("rules.{kind}: invalid regex: {e}"),
                ));
            }
        }
    }
}

/// Rules compare environment names; an alias in a rule's list means the
/// environment it names.
fn canonicalize_environment_names(project: &mut ProjectFile) {
    let aliases: BTreeMap<String, String> = project
        .aliases
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    let fix = |names: &mut Vec<String>| {
        for name in names.iter_mut() {
            if let Some(canonical) = aliases.get(name) {
                *name = canonical.clone();
            }
        }
    };
    let rules = &mut project.rules;
    for disable in rules.disable.values_mut() {
        if let super::files::Disable::In(names) = &mut disable.value {
            fix(names);
        }
    }
    rules
        .required
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    rules
        .forbid
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    rules
        .patterns
        .iter_mut()
        .filter_map(|r| r.value.environments.as_mut())
        .for_each(fix);
    if let Some(parity) = rules.parity.as_mut() {
        fix(&mut parity.environments.value);
    }
}

fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}
