//! A Pages project's deployments: `GET …/deployments` (`env=production`
//! or `preview`, newest first, paged by `page`/`per_page`) and
//! `POST …/deployments/{id}/retry`, which makes a new deployment of the
//! same environment and branch, bound to the environment's variables as
//! they are when it is made (that is what a retry is for after a variable
//! changed). Shapes follow the `pages_deployments` schema of Cloudflare's
//! OpenAPI description. Unverified: the error code of an unknown
//! deployment (8000009 here) and whether a project made by direct upload
//! can be retried (the fake retries any).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{
    EnvVar, Error, FakeCloudflare, Project, Request, Response, VarType, account, invalid, iso, ok,
};

/// The newest first page size when `per_page` is not given.
const PER_PAGE: usize = 25;

/// One deployment, with the variables it was made with (plaintext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// A UUID.
    pub id: String,
    /// Its first 8 characters, as the dashboard shows it.
    pub short_id: String,
    /// `production` or `preview`.
    pub environment: String,
    /// The git branch it was built from.
    pub branch: String,
    pub created_on: String,
    /// The environment's variables when it was made.
    pub env_vars: BTreeMap<String, EnvVar>,
    /// The deployment this one retried.
    pub retry_of: Option<String>,
}

impl FakeCloudflare {
    /// Adds a successful deployment of `environment` built from `branch`,
    /// with the environment's variables as they are now; returns its id.
    ///
    /// # Panics
    /// If the account or project does not exist, or `environment` is not
    /// one of the two.
    pub fn add_deployment(
        &self,
        account_id: &str,
        project: &str,
        environment: &str,
        branch: &str,
    ) -> String {
        let mut state = self.lock();
        state.next_id += 1;
        let (seq, now) = (state.next_id, super::now_ms() + state.clock_offset_ms);
        let project = account(&mut state, account_id)
            .projects
            .get_mut(project)
            .unwrap_or_else(|| panic!("fake Cloudflare: no project {project}"));
        let deployment = new_deployment(project, environment, branch, seq, now, None);
        let id = deployment.id.clone();
        project.deployments.push(deployment);
        id
    }

    /// The project's deployments, oldest first.
    ///
    /// # Panics
    /// If the account or project does not exist.
    pub fn deployments(&self, account_id: &str, project: &str) -> Vec<Deployment> {
        let mut state = self.lock();
        account(&mut state, account_id)
            .projects
            .get(project)
            .unwrap_or_else(|| panic!("fake Cloudflare: no project {project}"))
            .deployments
            .clone()
    }
}

fn new_deployment(
    project: &Project,
    environment: &str,
    branch: &str,
    seq: u64,
    now_ms: u64,
    retry_of: Option<String>,
) -> Deployment {
    let env_vars = project
        .configs
        .get(environment)
        .unwrap_or_else(|| panic!("fake Cloudflare: no environment {environment}"))
        .env_vars
        .clone();
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        0x5eed_0000_u64 + seq,
        seq & 0xffff,
        seq & 0xfff,
        seq & 0xfff,
        seq
    );
    Deployment {
        short_id: id[..8].to_string(),
        id,
        environment: environment.to_string(),
        branch: branch.to_string(),
        created_on: iso(now_ms),
        env_vars,
        retry_of,
    }
}

/// `GET …/deployments[?env=…][&page=…&per_page=…]`: newest first.
pub(super) fn list(project: &Project, request: &Request) -> Result<Response, Error> {
    let env = request.query("env");
    if let Some(e) = env.filter(|e| !super::ENVIRONMENTS.contains(e)) {
        return Err(invalid(&format!(
            "env must be production or preview, not `{e}`"
        )));
    }
    let number = |name: &str, default: usize| match request.query(name) {
        None => Ok(default),
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| invalid(&format!("{name} must be a positive number"))),
    };
    let (page, per_page) = (number("page", 1)?, number("per_page", PER_PAGE)?);
    let matching: Vec<&Deployment> = project
        .deployments
        .iter()
        .rev()
        .filter(|d| env.is_none_or(|e| d.environment == e))
        .collect();
    let total = matching.len();
    let result: Vec<Value> = matching
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|d| render(project, d))
        .collect();
    let mut reply = super::envelope(json!(result));
    reply["result_info"] = json!({
        "page": page,
        "per_page": per_page,
        "count": result.len(),
        "total_count": total,
        "total_pages": total.div_ceil(per_page),
    });
    Ok(Response::json(200, &reply))
}

/// `POST …/deployments/{id}/retry`: the body is JSON (the spec declares
/// an `application/json` body without a schema; `{}` will do).
pub(super) fn retry(
    project: &mut Project,
    id: &str,
    request: &Request,
    seq: u64,
    now_ms: u64,
) -> Result<Response, Error> {
    request
        .json()
        .map_err(|e| Error::new(400, 8_000_000, &format!("Invalid request body: {e}")))?;
    let Some(source) = project.deployments.iter().find(|d| d.id == id) else {
        return Err(Error::new(
            404,
            8_000_009,
            "The deployment ID you have specified does not exist. Update the deployment ID and try again.",
        ));
    };
    let (environment, branch) = (source.environment.clone(), source.branch.clone());
    let deployment = new_deployment(
        project,
        &environment,
        &branch,
        seq,
        now_ms,
        Some(id.to_string()),
    );
    let answer = render(project, &deployment);
    project.deployments.push(deployment);
    Ok(ok(answer))
}

/// A deployment as the API shows it: `secret_text` values blank, as in a
/// project's `deployment_configs`.
pub(super) fn render(p: &Project, d: &Deployment) -> Value {
    let env_vars: serde_json::Map<String, Value> = d
        .env_vars
        .iter()
        .map(|(k, v)| {
            let value = match v.kind {
                VarType::PlainText => v.value.clone(),
                VarType::SecretText => String::new(),
            };
            (
                k.clone(),
                json!({ "type": v.kind.as_str(), "value": value }),
            )
        })
        .collect();
    let url = format!("https://{}.{}.pages.dev", d.short_id, p.name);
    let aliases = if d.environment == "production" {
        Value::Null
    } else {
        json!([format!("https://{}.{}.pages.dev", d.branch, p.name)])
    };
    let stage = |name: &str| json!({ "name": name, "status": "success", "started_on": d.created_on, "ended_on": d.created_on });
    let stages: Vec<Value> = ["queued", "initialize", "clone_repo", "build", "deploy"]
        .into_iter()
        .map(stage)
        .collect();
    json!({
        "id": d.id,
        "short_id": d.short_id,
        "project_id": p.id,
        "project_name": p.name,
        "environment": d.environment,
        "url": url,
        "aliases": aliases,
        "created_on": d.created_on,
        "modified_on": d.created_on,
        "is_skipped": false,
        "env_vars": env_vars,
        "deployment_trigger": {
            "type": "ad_hoc",
            "metadata": { "branch": d.branch, "commit_hash": "0000000000000000000000000000000000000000", "commit_message": "deployed" },
        },
        "latest_stage": stage("deploy"),
        "stages": stages,
        "build_config": { "build_command": null, "destination_dir": null, "root_dir": null, "web_analytics_tag": null, "web_analytics_token": null },
        "source": null,
    })
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::openapi::CLOUDFLARE;

    const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

    fn fake() -> FakeCloudflare {
        let fake = FakeCloudflare::new();
        fake.add_account(ACCOUNT);
        fake.grant("tok", ACCOUNT, &[Permission::PagesEdit]);
        fake.add_project(ACCOUNT, "web");
        fake.set_by_hand(
            ACCOUNT,
            "web",
            "production",
            "API",
            VarType::PlainText,
            "v1",
        );
        fake.set_by_hand(
            ACCOUNT,
            "web",
            "production",
            "KEY",
            VarType::SecretText,
            "s1",
        );
        fake
    }

    fn call(fake: &FakeCloudflare, method: &str, path: &str, body: &str) -> (u16, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let path = format!("/client/v4/accounts/{ACCOUNT}/pages/projects/web{path}");
        let request = Request {
            method: method.into(),
            raw_path: path.clone(),
            path,
            query: query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: vec![("authorization".into(), "Bearer tok".into())],
            body: body.as_bytes().to_vec(),
        };
        let response = fake.handle(&request);
        let body = response.body.unwrap_or_default();
        (response.status, serde_json::from_slice(&body).unwrap())
    }

    /// The envelope and every deployment in it match Cloudflare's schemas.
    fn valid(reply: &Value) {
        CLOUDFLARE
            .validate_schema("pages_api-response-common", reply)
            .unwrap();
        let result = &reply["result"];
        for d in result
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![result.clone()])
        {
            CLOUDFLARE.validate_schema("pages_deployments", &d).unwrap();
        }
    }

    #[test]
    fn the_schema_check_can_fail() {
        let wrong = json!({ "environment": "staging", "stages": [{ "status": "done" }] });
        assert!(
            CLOUDFLARE
                .validate_schema("pages_deployments", &wrong)
                .is_err()
        );
    }

    #[test]
    fn a_retry_is_a_new_deployment_with_the_variables_of_now() {
        let fake = fake();
        let first = fake.add_deployment(ACCOUNT, "web", "production", "main");
        fake.add_deployment(ACCOUNT, "web", "preview", "feature");
        fake.set_by_hand(
            ACCOUNT,
            "web",
            "production",
            "API",
            VarType::PlainText,
            "v2",
        );
        let (status, list) = call(&fake, "GET", "/deployments?env=production", "");
        assert_eq!(status, 200);
        valid(&list);
        assert_eq!(list["result"].as_array().unwrap().len(), 1);
        assert_eq!(list["result"][0]["id"], json!(first));
        assert_eq!(list["result"][0]["env_vars"]["API"]["value"], "v1");
        assert_eq!(
            list["result"][0]["env_vars"]["KEY"]["value"], "",
            "secrets stay blank"
        );
        let (status, retried) = call(&fake, "POST", &format!("/deployments/{first}/retry"), "{}");
        assert_eq!(status, 200);
        valid(&retried);
        assert_eq!(retried["result"]["environment"], "production");
        assert_eq!(retried["result"]["env_vars"]["API"]["value"], "v2");
        let all = fake.deployments(ACCOUNT, "web");
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].retry_of.as_deref(), Some(first.as_str()));
        assert_eq!(all[2].env_vars["KEY"].value, "s1");
        // Newest first, across both environments without `env`.
        let (_, both) = call(&fake, "GET", "/deployments?per_page=2", "");
        assert_eq!(both["result"][0]["id"], json!(all[2].id));
        assert_eq!(both["result_info"]["total_count"], 3);
        // The project names its latest and canonical deployments.
        let (_, project) = call(&fake, "GET", "", "");
        CLOUDFLARE
            .validate_response("pages-project-get-project", 200, &project)
            .unwrap();
        assert_eq!(
            project["result"]["canonical_deployment"]["id"],
            json!(all[2].id)
        );
    }

    #[test]
    fn unknown_deployments_and_environments_are_refused() {
        let fake = fake();
        let (status, reply) = call(&fake, "POST", "/deployments/nope/retry", "{}");
        assert_eq!(
            (status, reply["errors"][0]["code"].clone()),
            (404, json!(8_000_009))
        );
        let (status, _) = call(&fake, "GET", "/deployments?env=staging", "");
        assert_eq!(status, 400);
        let (status, _) = call(&fake, "DELETE", "/deployments", "");
        assert_eq!(status, 405);
    }
}
