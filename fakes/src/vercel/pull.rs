//! `GET /v3/env/pull/{projectId}[/{target}[/{gitBranch}]]`, what `vercel
//! env pull` reads: every value a deployment of one target would get, in
//! one answer, `{env: {KEY: value}, buildEnv: {...}}`.
//!
//! As the Vercel CLI uses it (`pullEnvRecords` in its
//! `util/env/get-env-records.ts`): the target defaults to `development`;
//! it is `production`, `preview`, `development`, or a custom environment's
//! slug or id. With a branch (preview only), a record of that branch wins
//! over one of no branch. `plain` and `encrypted` values come decrypted;
//! `sensitive` ones as `""` (they cannot be read back; `vercel env pull`
//! writes them empty). Vercel's system variables are not modelled.

use super::*;

impl State {
    pub(super) fn pull_envs(
        &self,
        caller: &Caller,
        p: &str,
        target: Option<&str>,
        branch: Option<&str>,
    ) -> Result<Response, Error> {
        let project = &self.projects[self.project_index(caller, p)?];
        let target = target.unwrap_or("development");
        let standard = ["production", "preview", "development"].contains(&target);
        let custom = if standard {
            None
        } else {
            let found = custom_environment_of(project, target).map_err(|_| {
                Error::new(
                    404,
                    "not_found",
                    &format!("Environment \"{target}\" not found"),
                )
            })?;
            Some(found.id.clone())
        };
        if branch.is_some() && target != "preview" {
            return Err(bad_request(
                "Invalid request: `gitBranch` is only allowed for the preview target",
            ));
        }
        let applies = |r: &&Record| match &custom {
            Some(id) => r.custom_environment_ids.contains(id),
            None => r.target.iter().any(|t| t == target),
        } && r.kind != EnvType::System;
        let mut env = Map::new();
        // No branch first, then the branch's records over them.
        for record in project.envs.iter().filter(applies) {
            if record.git_branch.is_none() {
                env.insert(record.key.clone(), json!(pulled(record)));
            }
        }
        for record in project.envs.iter().filter(applies) {
            if branch.is_some() && record.git_branch.as_deref() == branch {
                env.insert(record.key.clone(), json!(pulled(record)));
            }
        }
        Ok(Response::json(
            200,
            &json!({ "env": Value::Object(env.clone()), "buildEnv": Value::Object(env) }),
        ))
    }
}

fn pulled(record: &Record) -> &str {
    match record.kind {
        EnvType::Sensitive => "",
        _ => &record.value,
    }
}
