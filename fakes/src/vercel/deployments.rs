//! Deployments: list (`GET /vN/deployments`) and redeploy (`POST
//! /vN/deployments` with a `deploymentId`), as `vercel ls` and `vercel
//! redeploy` use them, with a deployment's branch (`meta.githubCommitRef`)
//! and custom environment.

use super::*;

impl FakeVercel {
    /// Adds a READY deployment. `target` is `"production"` or `None` for a
    /// preview (a plain `&str` works too).
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn add_deployment<'a>(&self, project: &str, uid: &str, target: impl Into<Option<&'a str>>) {
        let target = target.into().filter(|t| *t != "preview");
        self.push_deployment(project, uid, target, None, None);
    }

    /// Adds a READY preview deployment built from git branch `branch`.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn add_branch_deployment(&self, project: &str, uid: &str, branch: &str) {
        self.push_deployment(project, uid, None, Some(branch), None);
    }

    /// Adds a READY deployment of the custom environment `slug`.
    ///
    /// # Panics
    /// If the project or the custom environment does not exist.
    pub fn add_custom_deployment(&self, project: &str, uid: &str, slug: &str) {
        self.push_deployment(project, uid, None, None, Some(slug));
    }

    fn push_deployment(
        &self,
        project: &str,
        uid: &str,
        target: Option<&str>,
        branch: Option<&str>,
        custom: Option<&str>,
    ) {
        let mut state = self.lock();
        let State {
            projects, clock, ..
        } = &mut *state;
        let project = find_project(projects, project);
        let custom_environment = custom.map(|slug| {
            custom_environment_of(project, slug)
                .unwrap_or_else(|_| panic!("fake Vercel: no custom environment {slug}"))
                .id
                .clone()
        });
        let deployment = Deployment {
            uid: uid.to_string(),
            name: project.name.clone(),
            url: format!("{}-{}.vercel.app", project.name, url_suffix(uid)),
            target: target.map(str::to_string),
            state: "READY".to_string(),
            created_at: clock.stamp(),
            redeploy_of: None,
            branch: branch.map(str::to_string),
            custom_environment,
        };
        project.deployments.push(deployment);
    }

    /// Adds a custom environment (as made in the project's Settings ›
    /// Environments) of `kind` (`preview` for a staging-like one);
    /// returns its id.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn add_custom_environment(&self, project: &str, slug: &str, kind: &str) -> String {
        let mut state = self.lock();
        let State {
            projects, clock, ..
        } = &mut *state;
        let project = find_project(projects, project);
        let id = format!("env_{}", clock.id());
        project.custom_environments.push(CustomEnvironment {
            id: id.clone(),
            slug: slug.to_string(),
            kind: kind.to_string(),
            description: String::new(),
            branch_prefix: None,
            created_at: clock.stamp(),
        });
        id
    }

    /// The project's deployments, oldest first.
    ///
    /// # Panics
    /// If no project has that id or name.
    pub fn deployments(&self, project: &str) -> Vec<Deployment> {
        self.lock().project_any(project).deployments.clone()
    }
}

impl State {
    /// `GET /vN/deployments`: filters `projectId` (id or name), `target`
    /// (`production`, or `preview` for deployments with neither a target
    /// nor a custom environment — unverified for the latter), `branch`
    /// (the git branch it was built from) and `state` (comma-separated);
    /// newest first, paged like env lists.
    pub(super) fn list_deployments(
        &self,
        request: &Request,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let page = PageQuery::parse(request, self.page_size)?;
        let projects: Vec<&Project> = match request.query("projectId") {
            Some(p) => vec![&self.projects[self.project_index(caller, p)?]],
            None => self
                .projects
                .iter()
                .filter(|p| p.team_id == caller.team)
                .collect(),
        };
        let target = request.query("target");
        let branch = request.query("branch");
        let states: Option<Vec<String>> = request.query("state").map(|s| {
            s.split(',')
                .map(|x| x.trim().to_ascii_uppercase())
                .collect()
        });
        let mut matching: Vec<(&Project, &Deployment)> = projects
            .into_iter()
            .flat_map(|p| p.deployments.iter().map(move |d| (p, d)))
            .filter(|(_, d)| target.is_none_or(|t| d.target_name() == Some(t)))
            .filter(|(_, d)| branch.is_none_or(|b| d.branch.as_deref() == Some(b)))
            .filter(|(_, d)| states.as_ref().is_none_or(|s| s.contains(&d.state)))
            .collect();
        matching.sort_by_key(|(_, d)| Reverse(d.created_at));
        let (items, pagination) = page.apply(matching, |(_, d)| d.created_at);
        let deployments: Vec<Value> = items
            .into_iter()
            .map(|(p, d)| render_deployment(p, d))
            .collect();
        Ok(Response::json(
            200,
            &json!({ "deployments": deployments, "pagination": pagination }),
        ))
    }

    /// `POST /vN/deployments` with `{name, deploymentId, target?,
    /// customEnvironmentSlugOrId?}`: a redeploy (the only kind the fake
    /// does), of the same branch, into the source's target or custom
    /// environment unless the body names another. The build is instant:
    /// the answer says `QUEUED`, the stored deployment is `READY`.
    pub(super) fn redeploy(
        &mut self,
        request: &Request,
        caller: &Caller,
    ) -> Result<Response, Error> {
        let body = request.json()?;
        let Some(body) = body.as_object() else {
            return Err(bad_request("Invalid request: body must be an object"));
        };
        let name = body.get("name").and_then(Value::as_str);
        let source = body.get("deploymentId").and_then(Value::as_str);
        let (Some(_), Some(source)) = (name, source) else {
            return Err(bad_request(
                "Invalid request: `name` and `deploymentId` are required (the fake only redeploys)",
            ));
        };
        let target = match body.get("target") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t == "production" || t == "preview" => Some(t.clone()),
            Some(_) => {
                return Err(bad_request(
                    "Invalid request: `target` must be production or preview",
                ));
            }
        };
        let custom = optional_str(body, "customEnvironmentSlugOrId")?;
        let State {
            projects, clock, ..
        } = self;
        let project = projects
            .iter_mut()
            .filter(|p| p.team_id == caller.team)
            .find(|p| p.deployments.iter().any(|d| d.uid == source))
            .ok_or_else(|| Error::new(404, "not_found", "Deployment not found"))?;
        let previous = project
            .deployments
            .iter()
            .find(|d| d.uid == source)
            .cloned()
            .expect("found above");
        let custom_environment = match (&custom, &target) {
            (Some(_), Some(_)) => {
                return Err(bad_request(
                    "Invalid request: `target` and `customEnvironmentSlugOrId` cannot both be set",
                ));
            }
            (Some(c), None) => Some(custom_environment_of(project, c)?.id.clone()),
            (None, Some(_)) => None,
            (None, None) => previous.custom_environment.clone(),
        };
        let target = target
            .or(previous.target.clone())
            .filter(|t| t != "preview" && custom_environment.is_none());
        let uid = format!("dpl_{}", clock.id());
        let deployment = Deployment {
            url: format!("{}-{}.vercel.app", project.name, url_suffix(&uid)),
            uid,
            name: project.name.clone(),
            target,
            state: "READY".to_string(),
            created_at: clock.stamp(),
            redeploy_of: Some(source.to_string()),
            branch: previous.branch.clone(),
            custom_environment,
        };
        let mut answer = render_deployment(project, &deployment);
        answer["id"] = json!(deployment.uid);
        answer["readyState"] = json!("QUEUED");
        project.deployments.push(deployment);
        Ok(Response::json(200, &answer))
    }
}

pub(super) fn render_deployment(p: &Project, d: &Deployment) -> Value {
    let mut out = json!({
        "uid": d.uid,
        "name": d.name,
        "url": d.url,
        "projectId": p.id,
        "target": d.target,
        "createdAt": d.created_at,
        "created": d.created_at,
        "state": d.state,
        "readyState": d.state,
        "type": "LAMBDAS",
        "creator": { "uid": DASHBOARD_USER },
        "inspectorUrl": null,
        "meta": {},
    });
    if let Some(branch) = &d.branch {
        out["meta"] = json!({ "githubCommitRef": branch });
    }
    if let Some(id) = &d.custom_environment {
        let slug = p
            .custom_environments
            .iter()
            .find(|c| c.id == *id)
            .map(|c| c.slug.clone());
        out["customEnvironment"] = json!({ "id": id, "slug": slug });
    }
    out
}

impl Deployment {
    /// What `target=` matches: `production`, or `preview` for a
    /// deployment with neither a target nor a custom environment.
    fn target_name(&self) -> Option<&str> {
        match (&self.target, &self.custom_environment) {
            (Some(t), _) => Some(t),
            (None, None) => Some("preview"),
            (None, Some(_)) => None,
        }
    }
}

/// Nine lowercase characters for a deployment URL, derived from its uid.
pub(super) fn url_suffix(uid: &str) -> String {
    hex(&Sha256::digest(uid.as_bytes()))[..9].to_string()
}
