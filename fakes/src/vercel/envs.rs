//! `…/projects/{p}/env`: list, read one decrypted, create (batch, upsert),
//! edit, delete one or many; and the conflict rules between records.

use super::*;

impl State {
    // --- environment variables ---------------------------------------------

    /// `GET /vN/projects/{p}/env`: newest first, every record in one
    /// answer. The v10 endpoint documents no `limit` or `until`, and the
    /// Vercel CLI reads `envs` alone, never a cursor; the Terraform
    /// provider sends `limit` and `until` (to v8), so a request with
    /// either is paged by `createdAt` as other list endpoints are.
    /// `target` keeps records that include it; `gitBranch` keeps records of
    /// that branch *and* those without a branch (the ones that apply to it —
    /// undocumented, chosen to match what `vercel env pull` needs);
    /// `customEnvironmentId` (an id, or a slug as `vercel env ls <slug>`
    /// sends it) and `customEnvironmentSlug` keep records of that custom
    /// environment.
    /// `decrypt` and `source` are accepted and ignored (see the module doc).
    pub(super) fn list_envs(
        &self,
        request: &Request,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let paged = request.query("limit").is_some() || request.query("until").is_some();
        let page = if paged {
            PageQuery::parse(request, self.page_size)?
        } else {
            PageQuery::everything()
        };
        let target = request.query("target");
        let branch = request.query("gitBranch").filter(|b| !b.is_empty());
        let project = &self.projects[self.project_index(caller, p)?];
        let custom = request
            .query("customEnvironmentId")
            .or(request.query("customEnvironmentSlug"))
            .map(|c| custom_environment_of(project, c).map_or(c, |found| found.id.as_str()));
        let mut matching: Vec<&Record> = project
            .envs
            .iter()
            .filter(|r| target.is_none_or(|t| r.target.iter().any(|x| x == t)))
            .filter(|r| branch.is_none_or(|b| r.git_branch.as_deref().is_none_or(|x| x == b)))
            .filter(|r| custom.is_none_or(|c| r.custom_environment_ids.iter().any(|x| x == c)))
            .collect();
        matching.sort_by_key(|r| Reverse(r.created_at));
        let (items, pagination) = page.apply(matching, |r| r.created_at);
        let envs: Vec<Value> = items
            .into_iter()
            .map(|r| render(r, View::Listed, self.string_targets))
            .collect();
        Ok(Response::json(
            200,
            &json!({ "envs": envs, "pagination": pagination }),
        ))
    }

    /// `GET /vN/projects/{p}/env/{id}`: the one endpoint that decrypts.
    pub(super) fn get_env(&self, caller: &Caller, p: &str, id: &str) -> Result<Response, Error> {
        let project = &self.projects[self.project_index(caller, p)?];
        let record = &project.envs[env_index(&project.envs, id)?];
        Ok(Response::json(
            200,
            &render(record, View::Decrypted, self.string_targets),
        ))
    }

    /// `POST /vN/projects/{p}/env[?upsert=true]`, a single object or an
    /// array. Items are applied in order, so later items see earlier ones.
    ///
    /// An array answers `201 {created: [...], failed: [...]}` whatever
    /// failed. A single object answers `201 {created: {...}, failed: []}`,
    /// or `400` with its failure as `error` (and in `failed`). A body that
    /// is not JSON, or items missing `key`/`value`/`type` or with fields of
    /// the wrong JSON type, are `400 bad_request` and nothing is written.
    pub(super) fn create_envs(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let upsert = request
            .query("upsert")
            .is_some_and(|v| !matches!(v, "" | "false" | "0"));
        let body = request.json()?;
        let (inputs, single) = match &body {
            Value::Array(items) if items.is_empty() => {
                return Err(bad_request("Invalid request: body must not be empty"));
            }
            Value::Array(items) => (items.iter().collect::<Vec<_>>(), false),
            Value::Object(_) => (vec![&body], true),
            _ => {
                return Err(bad_request(
                    "Invalid request: body must be an object or an array",
                ));
            }
        };
        let inputs = inputs
            .into_iter()
            .map(EnvInput::from_json)
            .collect::<Result<Vec<_>, _>>()?;
        let index = self.project_index(caller, p)?;
        let string_targets = self.string_targets;
        let State {
            projects, clock, ..
        } = self;
        let project = &mut projects[index];
        let mut created = Vec::new();
        let mut failed = Vec::new();
        for input in inputs {
            match create_one(project, clock, input, upsert, &caller.user_id) {
                Ok(record) => created.push(render(&record, View::Written, string_targets)),
                Err(e) => failed.push(e.envelope()),
            }
        }
        if single {
            if let Some(failure) = failed.first() {
                let mut body = failure.clone();
                body["failed"] = Value::Array(failed);
                return Ok(Response::json(400, &body));
            }
            let created = created.pop().unwrap_or(Value::Null);
            return Ok(Response::json(
                201,
                &json!({ "created": created, "failed": [] }),
            ));
        }
        Ok(Response::json(
            201,
            &json!({ "created": created, "failed": failed }),
        ))
    }

    /// `PATCH /vN/projects/{p}/env/{id}`: same rules as create; a conflict
    /// is `400 ENV_CONFLICT`, and `sensitive` can never change type.
    pub(super) fn edit_env(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
        id: &str,
    ) -> Result<Response, Error> {
        let body = request.json()?;
        let patch = EnvPatch::from_json(&body)?;
        let index = self.project_index(caller, p)?;
        let string_targets = self.string_targets;
        let State {
            projects, clock, ..
        } = self;
        let project = &mut projects[index];
        let at = env_index(&project.envs, id)?;
        let current = &project.envs[at];
        let draft = patch.apply(current)?;
        if current.kind == EnvType::Sensitive && draft.kind != EnvType::Sensitive {
            return Err(bad_request(
                "Sensitive environment variables cannot be changed to another type",
            ));
        }
        draft.validate()?;
        check_custom_ids(project, &draft.custom_environment_ids)?;
        if let Some(other) = conflicts(&project.envs, &draft, Some(id)).first() {
            return Err(conflict(&project.envs[*other], &draft));
        }
        let record = &mut project.envs[at];
        draft.write_into(record);
        record.updated_at = clock.bump(record.updated_at);
        record.updated_by = caller.user_id.clone();
        Ok(Response::json(
            200,
            &render(record, View::Written, string_targets),
        ))
    }

    /// `DELETE /vN/projects/{p}/env/{id}`: the removed record.
    pub(super) fn delete_env(
        &mut self,
        caller: &Caller,
        p: &str,
        id: &str,
    ) -> Result<Response, Error> {
        let index = self.project_index(caller, p)?;
        let envs = &mut self.projects[index].envs;
        let at = env_index(envs, id)?;
        let record = envs.remove(at);
        Ok(Response::json(
            200,
            &render(&record, View::Written, self.string_targets),
        ))
    }

    /// `DELETE /vN/projects/{p}/env` with `{"ids": [...]}`. All or nothing:
    /// any unknown id is `400 bad_request` naming them, and nothing is
    /// deleted. Repeated ids count once.
    pub(super) fn delete_envs(
        &mut self,
        request: &Request,
        caller: &Caller,
        p: &str,
    ) -> Result<Response, Error> {
        let body = request.json()?;
        let ids = string_list(body.get("ids"))
            .filter(|ids| !ids.is_empty())
            .ok_or_else(|| {
                bad_request("Invalid request: `ids` must be a non-empty array of strings")
            })?;
        let ids: Vec<String> = ids.into_iter().fold(Vec::new(), |mut acc, id| {
            if !acc.contains(&id) {
                acc.push(id);
            }
            acc
        });
        let index = self.project_index(caller, p)?;
        let envs = &mut self.projects[index].envs;
        let unknown: Vec<&String> = ids
            .iter()
            .filter(|id| !envs.iter().any(|r| &r.id == *id))
            .collect();
        if !unknown.is_empty() {
            let list = unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(
                bad_request(&format!("Environment variables not found: {list}"))
                    .with("ids", json!(unknown)),
            );
        }
        envs.retain(|r| !ids.contains(&r.id));
        Ok(Response::json(
            200,
            &json!({ "deleted": ids.len(), "ids": ids }),
        ))
    }
}

pub(super) fn find_project<'a>(projects: &'a mut [Project], id_or_name: &str) -> &'a mut Project {
    projects
        .iter_mut()
        .find(|p| p.id == id_or_name || p.name == id_or_name)
        .unwrap_or_else(|| panic!("fake Vercel: no project {id_or_name}"))
}

pub(super) fn env_index(envs: &[Record], id: &str) -> Result<usize, Error> {
    envs.iter()
        .position(|r| r.id == id)
        .ok_or_else(|| Error::new(404, "not_found", "Environment variable not found"))
}

/// Creates one item, or with `upsert` updates the record that has exactly
/// the same targets and branch. A record whose targets merely overlap is
/// never touched: that is `ENV_CONFLICT`, upsert or not.
pub(super) fn create_one(
    project: &mut Project,
    clock: &mut Clock,
    input: EnvInput,
    upsert: bool,
    user: &str,
) -> Result<Record, Error> {
    let draft = input.into_draft()?;
    draft.validate()?;
    check_custom_ids(project, &draft.custom_environment_ids)
        .map_err(|e| e.with("key", draft.key.clone()))?;
    let clashes = conflicts(&project.envs, &draft, None);
    let Some(&first) = clashes.first() else {
        let record = clock.new_record(draft, user);
        project.envs.push(record.clone());
        return Ok(record);
    };
    let existing = &project.envs[first];
    if !upsert || clashes.len() > 1 || existing.scope() != draft.scope() {
        return Err(conflict(existing, &draft));
    }
    if existing.kind == EnvType::Sensitive && draft.kind != EnvType::Sensitive {
        return Err(bad_request(
            "Sensitive environment variables cannot be changed to another type",
        )
        .with("key", draft.key.clone()));
    }
    let record = &mut project.envs[first];
    record.value = draft.value;
    record.kind = draft.kind;
    record.comment = draft.comment;
    record.updated_at = clock.bump(record.updated_at);
    record.updated_by = user.to_string();
    Ok(record.clone())
}

/// Indices of records that clash with `draft`: same key, same branch
/// (`None` equals `None`), overlapping targets or custom environments.
pub(super) fn conflicts(envs: &[Record], draft: &Draft, except: Option<&str>) -> Vec<usize> {
    let scope = draft.scope();
    envs.iter()
        .enumerate()
        .filter(|(_, r)| Some(r.id.as_str()) != except)
        .filter(|(_, r)| r.key == draft.key && r.git_branch == draft.git_branch)
        .filter(|(_, r)| !r.scope().is_disjoint(&scope))
        .map(|(i, _)| i)
        .collect()
}

/// `400 ENV_CONFLICT`, with the fields the Terraform provider reads.
pub(super) fn conflict(existing: &Record, draft: &Draft) -> Error {
    let targets = draft.target.join(", ");
    let branch = draft
        .git_branch
        .as_deref()
        .map(|b| format!(" and Git branch {b}"))
        .unwrap_or_default();
    Error::new(
        400,
        "ENV_CONFLICT",
        &format!(
            "A variable with the name `{}` already exists for the target {targets}{branch}",
            draft.key
        ),
    )
    .with("key", draft.key.clone())
    .with("envVarKey", draft.key.clone())
    .with("envVarId", existing.id.clone())
    .with("target", json!(draft.target))
    .with("gitBranch", json!(draft.git_branch))
}
