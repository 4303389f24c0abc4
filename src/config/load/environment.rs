//! Resolving one environment: its targets, then the defaults laid under its
//! variables, functions and migration head. Each part adds its diagnostics
//! in this order, so one run lists them as the file reads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{functions, migrations, valid_name, variables};
use crate::config::files::{EnvironmentFile, ProjectFile, TargetSpec};
use crate::config::{Environment, Target};
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
    } = env;
    let targets = resolve_targets(root, file, targets, diags);
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
    Environment {
        name: name.to_string(),
        file: file.to_path_buf(),
        protected,
        local: local.unwrap_or(name == "local"),
        targets,
        variables,
        functions,
        migrations,
    }
}

/// The environment's targets, each checked against what its platform
/// would refuse, with the migration files of a target that keeps its own
/// history.
fn resolve_targets(
    root: &Path,
    file: &Path,
    specs: BTreeMap<String, Spanned<TargetSpec>>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Target> {
    let mut targets = BTreeMap::new();
    for (name, spec) in specs {
        let pos = Some(spec.pos);
        let (location, spec) = (Location::new(file, spec.pos), spec.value);
        check_target(&name, &spec, file, pos, diags);
        let (files, missing) = crate::provider::migration_files(&spec, &name, root, file, pos);
        diags.extend(missing);
        let target = Target {
            name: name.clone(),
            settings: Arc::new(spec),
            location,
            migration_files: files,
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
