//! A project's custom environments (`GET
//! /vN/projects/{p}/custom-environments`, and one by slug or id), as
//! `vercel env` and `vercel redeploy` read them, and the check that a
//! record's `customEnvironmentIds` name some of them.

use super::*;

/// The most custom environments a team's plan allows, as the list's
/// `accountLimit.total` says (12 on Pro; the fake's number).
const ACCOUNT_LIMIT: u32 = 12;

impl State {
    /// `{accountLimit: {total}, environments: [...]}`, oldest first.
    pub(super) fn list_custom_environments(
        &self,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let project = &self.projects[self.project_index(caller, p)?];
        let environments: Vec<Value> = project
            .custom_environments
            .iter()
            .map(render_custom_environment)
            .collect();
        Ok(Response::json(
            200,
            &json!({ "accountLimit": { "total": ACCOUNT_LIMIT }, "environments": environments }),
        ))
    }

    /// One custom environment by slug or id; `404 not_found` otherwise.
    pub(super) fn get_custom_environment(
        &self,
        caller: &Caller,
        p: &str,
        slug_or_id: &str,
    ) -> Result<Response, Error> {
        let project = &self.projects[self.project_index(caller, p)?];
        let found = custom_environment_of(project, slug_or_id)
            .map_err(|_| Error::new(404, "not_found", "Custom environment not found"))?;
        Ok(Response::json(200, &render_custom_environment(found)))
    }
}

/// The project's custom environment named by `slug_or_id`; a `400` naming
/// it otherwise (the code for a write that names an unknown one is
/// unverified).
pub(super) fn custom_environment_of<'a>(
    project: &'a Project,
    slug_or_id: &str,
) -> Result<&'a CustomEnvironment, Error> {
    project
        .custom_environments
        .iter()
        .find(|c| c.id == slug_or_id || c.slug == slug_or_id)
        .ok_or_else(|| {
            bad_request(&format!(
                "The custom environment `{slug_or_id}` does not exist in this project"
            ))
        })
}

/// Every id in `ids` is one of the project's custom environments.
pub(super) fn check_custom_ids(project: &Project, ids: &[String]) -> Result<(), Error> {
    for id in ids {
        if !project.custom_environments.iter().any(|c| c.id == *id) {
            return Err(bad_request(&format!(
                "Invalid customEnvironmentIds: `{id}` is not a custom environment of this project"
            )));
        }
    }
    Ok(())
}

fn render_custom_environment(c: &CustomEnvironment) -> Value {
    json!({
        "id": c.id,
        "slug": c.slug,
        "type": c.kind,
        "description": c.description,
        "branchMatcher": c.branch_prefix.as_ref().map(|p| json!({ "type": "startsWith", "pattern": p })),
        "createdAt": c.created_at,
        "updatedAt": c.created_at,
        "domains": [],
    })
}
