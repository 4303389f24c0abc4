//! An environment's Edge Functions: the defaults' and its own, each with a
//! name and a source folder the platform that deploys them can use. What
//! that platform requires lives in its folder
//! ([`crate::provider::project_files`]); here is only whether the
//! environment has a target that deploys them.

use std::collections::BTreeMap;
use std::path::Path;

use super::PROJECT_FILE;
use crate::config::files::{FunctionSpec, ProjectFile};
use crate::config::{Function, Target};
use crate::provider::project_files;
use envctl_core::diagnostic::{Diagnostic, Location};
use envctl_core::yaml::de::Spanned;

/// The functions the environment must have: the project's defaults, then
/// its own from `file` (added to them; one of the same name wins).
pub(super) fn resolve(
    root: &Path,
    project: &ProjectFile,
    file: &Path,
    own: &BTreeMap<String, Spanned<Option<FunctionSpec>>>,
    targets: &BTreeMap<String, Target>,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Function> {
    let project_file = Path::new(PROJECT_FILE);
    // A missing source folder is an error where a target would deploy the
    // function, a warning elsewhere.
    let deploys = targets
        .values()
        .any(|t| t.settings.traits().holds_functions);
    let specs = project
        .defaults
        .functions
        .iter()
        .map(|(k, v)| (k, v, project_file))
        .chain(own.iter().map(|(k, v)| (k, v, file)));
    let mut functions = BTreeMap::new();
    for (slug, spec, origin) in specs {
        let pos = Some(spec.pos);
        let problem = project_files::function_name(slug, origin, pos).or_else(|| {
            project_files::function_folder(
                root,
                &project.paths.functions,
                slug,
                deploys,
                origin,
                pos,
            )
        });
        diags.extend(problem);
        functions.insert(
            slug.clone(),
            Function {
                slug: slug.clone(),
                verify_jwt: spec.value.unwrap_or_default().verify_jwt,
                location: Location::new(origin, spec.pos),
            },
        );
    }
    functions
}
