//! Resolving one environment: its targets, then the defaults laid under its
//! variables, functions and migration head. Each part adds its diagnostics
//! in this order, so one run lists them as the file reads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{code, functions, migrations, settings, valid_name, variables};
use crate::config::files::{EnvironmentFile, ProjectFile, TargetEntry, TargetSpec};
use crate::config::{Environment, Target, VarValue};
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::yaml::Pos;
use envctl_core::yaml::de::Spanned;

/// Lays the environment over the defaults and routes variables to targets.
/// `local_versions` is the migrations folder as read once for all
/// environments.
pub(super) fn resolve(
    root: &Path,
    project: &ProjectFile,
    name: &str,
    file: &Path,
    env: EnvironmentFile,
    local_versions: &Result<Vec<String>, String>,
    diags: &mut Vec<Diagnostic>,
) -> Environment {
    let EnvironmentFile {
        protected,
        local,
        targets,
        variables,
        functions,
        migrations,
        auth,
        buckets,
    } = env;
    let targets = resolve_targets(root, project, file, targets, diags);
    let unset = variables
        .iter()
        .filter(|(_, spec)| spec.value.value == VarValue::Unset)
        .map(|(name, _)| name.clone())
        .collect();
    let variables = variables::resolve(project, name, file, variables, &targets, diags);
    let functions = functions::resolve(root, project, file, &functions, &targets, diags);
    variables::check_platform_names(&targets, &variables, diags);
    let migrations = migrations::resolve(
        root,
        project,
        name,
        file,
        migrations.as_ref(),
        &targets,
        local_versions,
        diags,
    );
    let settings = settings::resolve(
        file,
        &project.defaults.buckets,
        &buckets,
        auth.as_ref(),
        &targets,
        diags,
    );
    Environment {
        name: name.to_string(),
        file: file.to_path_buf(),
        protected,
        local: local.unwrap_or(name == "local"),
        targets,
        variables,
        unset,
        functions,
        migrations,
        settings,
    }
}

/// The environment's targets, each checked against what its platform
/// would refuse, with the migration files of a target that keeps its own
/// history.
fn resolve_targets(
    root: &Path,
    project: &ProjectFile,
    file: &Path,
    specs: BTreeMap<String, Spanned<TargetEntry>>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Target> {
    let mut targets = BTreeMap::new();
    for (name, entry) in specs {
        let pos = Some(entry.pos);
        let location = Location::new(file, entry.pos);
        let TargetEntry { spec, code } = entry.value;
        check_target(&name, &spec, file, pos, diags);
        let (files, missing) = crate::provider::migration_files(&spec, &name, root, file, pos);
        diags.extend(missing);
        // The target's own `code:`, else the project's for its name.
        let code = match code {
            Some(code) => {
                diags.extend(code::check(root, file, &code));
                Some(code)
            }
            None => project.code.get(&name).cloned(),
        };
        let target = Target {
            name: name.clone(),
            settings: Arc::new(spec),
            location,
            migration_files: files,
            code: code.map(|c| c.value),
        };
        targets.insert(name, target);
    }
    targets
}

fn check_target(
    name: &str,
    spec: &TargetSpec,
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
