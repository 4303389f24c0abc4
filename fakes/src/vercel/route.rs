//! Routing on the path shape, whatever its `/vN/` prefix.

/// A path shape, whatever its `/vN/` prefix.
#[derive(Clone, Copy)]
pub(super) enum Route<'a> {
    /// `/vN/projects/{idOrName}/env`
    Envs(&'a str),
    /// `/vN/projects/{idOrName}/env/{id}`
    Env(&'a str, &'a str),
    /// `/vN/deployments`
    Deployments,
    /// `/vN/projects/{idOrName}/custom-environments`
    CustomEnvironments(&'a str),
    /// `/vN/projects/{idOrName}/custom-environments/{slugOrId}`
    CustomEnvironment(&'a str, &'a str),
    /// `/vN/env/pull/{projectId}[/{target}[/{gitBranch}]]`, what `vercel
    /// env pull` reads: a target's decrypted values in one answer.
    Pull(&'a str, Option<&'a str>, Option<&'a str>),
}

impl<'a> Route<'a> {
    pub(super) fn parse(path: &'a str) -> Option<Route<'a>> {
        let trimmed = path.trim_matches('/');
        // A branch may hold `/` (`feature/x`): everything after the target.
        if let [version, "env", "pull", p, t, branch] =
            trimmed.splitn(6, '/').collect::<Vec<_>>()[..]
            && is_version(version)
            && ![p, t, branch].iter().any(|s| s.is_empty())
        {
            return Some(Route::Pull(p, Some(t), Some(branch)));
        }
        let segments: Vec<&str> = trimmed.split('/').collect();
        let (version, rest) = segments.split_first()?;
        if !is_version(version) || rest.iter().any(|s| s.is_empty()) {
            return None;
        }
        match rest {
            ["projects", p, "env"] => Some(Route::Envs(p)),
            ["projects", p, "env", id] => Some(Route::Env(p, id)),
            ["deployments"] => Some(Route::Deployments),
            ["projects", p, "custom-environments"] => Some(Route::CustomEnvironments(p)),
            ["projects", p, "custom-environments", e] => Some(Route::CustomEnvironment(p, e)),
            ["env", "pull", p] => Some(Route::Pull(p, None, None)),
            ["env", "pull", p, t] => Some(Route::Pull(p, Some(t), None)),
            _ => None,
        }
    }

    pub(super) fn methods(self) -> &'static [&'static str] {
        match self {
            Route::Envs(_) => &["GET", "POST", "DELETE"],
            Route::Env(..) => &["GET", "PATCH", "DELETE"],
            Route::Deployments => &["GET", "POST"],
            // Only reads: envctl creates no custom environment.
            Route::CustomEnvironments(_) | Route::CustomEnvironment(..) | Route::Pull(..) => {
                &["GET"]
            }
        }
    }

    /// The endpoint's name for rate limiting.
    pub(super) fn shape(self) -> &'static str {
        match self {
            Route::Envs(_) => "/projects/:idOrName/env",
            Route::Env(..) => "/projects/:idOrName/env/:id",
            Route::Deployments => "/deployments",
            Route::CustomEnvironments(_) => "/projects/:idOrName/custom-environments",
            Route::CustomEnvironment(..) => "/projects/:idOrName/custom-environments/:slugOrId",
            Route::Pull(..) => "/env/pull/:projectId",
        }
    }
}

pub(super) fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
