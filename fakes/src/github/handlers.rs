//! The operations on a repository: its environments, and the secrets,
//! variables and public key of the repository or one environment.
//! Documented at <https://docs.github.com/rest/actions/secrets>,
//! <https://docs.github.com/rest/actions/variables> and
//! <https://docs.github.com/rest/deployments/environments>.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::Permission;
use super::render;
use super::routes::{Call, Kind, Path};
use super::state::{Scope, State};
use super::wire::{self, Error, MAX_VALUE_BYTES, not_found};
use crate::server::Response;

/// Secrets and environments: `per_page` defaults to 30, at most 100.
const PAGE: (usize, usize) = (30, 100);
/// Variables: `per_page` defaults to 10, at most 30 (the spec's
/// `variables-per-page`).
const VARIABLES_PAGE: (usize, usize) = (10, 30);

/// The body of a sealed box GitHub could not open, as GitHub words it; the
/// fake also answers so for a `key_id` that is not the current key's
/// (unverified: GitHub's answer to a stale `key_id` is not documented).
const IMPROPERLY_ENCRYPTED: &str =
    "Bad request - validation failed due to an improperly encrypted secret";

/// Runs the operation `call.op` on repository `key`, which the caller may
/// see with `granted`.
pub(crate) fn run(
    state: &mut State,
    call: &Call<'_>,
    kind: Kind,
    key: &str,
    path: Path,
    granted: &BTreeSet<Permission>,
) -> Result<Response, Error> {
    let doc = call.op.doc();
    let now = state.now_iso();
    let method = call.request.method.as_str();
    let environment = path.environment.as_deref();
    let name = path.name.as_deref().unwrap_or_default();
    match kind {
        Kind::Repository => {
            let body = render::repository(&state.repos[key], call, granted);
            return Ok(Response::json(200, &body));
        }
        Kind::Environments => return Ok(list_environments(state, call, key)),
        Kind::Environment => {
            return environment_op(state, call, key, environment.unwrap_or_default(), &now);
        }
        _ => {}
    }
    let scope = scope(state, key, environment, &doc)?;
    match (kind, method) {
        (Kind::PublicKey, _) => Ok(Response::json(
            200,
            &json!({ "key_id": scope.key.id, "key": scope.key.public_base64() }),
        )),
        (Kind::Secrets, _) => {
            let items = scope.secrets.iter().map(render::secret).collect();
            Ok(page(items, call, PAGE, "secrets"))
        }
        (Kind::Secret, "GET") => scope
            .secrets
            .get_key_value(&name.to_ascii_uppercase())
            .map(|item| Response::json(200, &render::secret(item)))
            .ok_or_else(|| not_found(&doc)),
        (Kind::Secret, "PUT") => put_secret(scope, call, name, &now),
        (Kind::Secret, _) => scope
            .secrets
            .remove(&name.to_ascii_uppercase())
            .map(|_| Response::empty(204))
            .ok_or_else(|| not_found(&doc)),
        (Kind::Variables, "GET") => {
            let items = scope.variables.iter().map(render::variable).collect();
            Ok(page(items, call, VARIABLES_PAGE, "variables"))
        }
        (Kind::Variables, _) => create_variable(scope, call, &now),
        (Kind::Variable, "GET") => scope
            .variables
            .get_key_value(&name.to_ascii_uppercase())
            .map(|item| Response::json(200, &render::variable(item)))
            .ok_or_else(|| not_found(&doc)),
        (Kind::Variable, "PATCH") => update_variable(scope, call, name, &now),
        (Kind::Variable, _) => scope
            .variables
            .remove(&name.to_ascii_uppercase())
            .map(|_| Response::empty(204))
            .ok_or_else(|| not_found(&doc)),
        _ => Err(not_found(&doc)),
    }
}

/// The repository's scope or an environment's; an unknown environment is
/// `404`.
fn scope<'a>(
    state: &'a mut State,
    key: &str,
    environment: Option<&str>,
    doc: &str,
) -> Result<&'a mut Scope, Error> {
    let repo = state.repos.get_mut(key).ok_or_else(|| not_found(doc))?;
    match environment {
        None => Ok(&mut repo.scope),
        Some(env) => repo
            .environments
            .get_mut(&env.to_ascii_lowercase())
            .map(|e| &mut e.scope)
            .ok_or_else(|| not_found(doc)),
    }
}

/// One page of `items` as `{total_count, <key>: [...]}`, with GitHub's
/// `Link` header when there are more pages. A page past the end is empty.
fn page(items: Vec<Value>, call: &Call<'_>, (default, max): (usize, usize), key: &str) -> Response {
    let total = items.len();
    let (per_page, page) = wire::paging(call.request, default, max);
    let last = total.div_ceil(per_page).max(1);
    let shown: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let response = Response::json(200, &json!({ "total_count": total, key: shown }));
    match crate::server::link(call.request, &call.link_url, page, last) {
        Some(link) => response.with_header("link", link),
        None => response,
    }
}

/// `PUT …/secrets/{name}`: `{encrypted_value, key_id}`, the value sealed
/// for the scope's current key; `201 {}` when created, `204` when updated.
fn put_secret(
    scope: &mut Scope,
    call: &Call<'_>,
    name: &str,
    now: &str,
) -> Result<Response, Error> {
    let doc = call.op.doc();
    let name = wire::name(wire::Kind::Secret, name, &doc)?;
    let body = wire::object(call.request, false, &doc)?;
    let encrypted = wire::string(&body, "encrypted_value", true, &doc)?.unwrap_or_default();
    let key_id = wire::string(&body, "key_id", true, &doc)?.unwrap_or_default();
    let sealed = wire::base64_value(&encrypted, &doc)?;
    let improper = || Error::new(422, IMPROPERLY_ENCRYPTED, &doc);
    if key_id != scope.key.id {
        return Err(improper());
    }
    let plaintext = scope.key.open(&sealed).ok_or_else(improper)?;
    if plaintext.len() > MAX_VALUE_BYTES {
        return Err(wire::too_large("Secret", "encrypted_value", &doc));
    }
    let created = scope.put_secret(&name, &String::from_utf8_lossy(&plaintext), now);
    Ok(if created {
        Response::json(201, &json!({}))
    } else {
        Response::empty(204)
    })
}

/// `POST …/variables`: `{name, value}`; `201 {}`, or `409` if the name is
/// taken (GitHub's words: "Already exists - Variable already exists").
fn create_variable(scope: &mut Scope, call: &Call<'_>, now: &str) -> Result<Response, Error> {
    let doc = call.op.doc();
    let body = wire::object(call.request, false, &doc)?;
    let name = wire::string(&body, "name", true, &doc)?.unwrap_or_default();
    let value = wire::string(&body, "value", true, &doc)?.unwrap_or_default();
    let name = wire::name(wire::Kind::Variable, &name, &doc)?;
    if scope.variables.contains_key(&name) {
        return Err(already_exists(&doc));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(wire::too_large("Variable", "value", &doc));
    }
    scope.put_variable(&name, &value, now);
    Ok(Response::json(201, &json!({})))
}

/// `PATCH …/variables/{name}`: `{name?, value?}`; a new `name` renames
/// (`409` if taken). `204`.
fn update_variable(
    scope: &mut Scope,
    call: &Call<'_>,
    name: &str,
    now: &str,
) -> Result<Response, Error> {
    let doc = call.op.doc();
    let old = name.to_ascii_uppercase();
    if !scope.variables.contains_key(&old) {
        return Err(not_found(&doc));
    }
    let body = wire::object(call.request, false, &doc)?;
    let new_name = match wire::string(&body, "name", false, &doc)? {
        Some(n) => wire::name(wire::Kind::Variable, &n, &doc)?,
        None => old.clone(),
    };
    let value = wire::string(&body, "value", false, &doc)?;
    if new_name != old && scope.variables.contains_key(&new_name) {
        return Err(already_exists(&doc));
    }
    if value.as_ref().is_some_and(|v| v.len() > MAX_VALUE_BYTES) {
        return Err(wire::too_large("Variable", "value", &doc));
    }
    let mut variable = scope.variables.remove(&old).expect("checked above");
    if let Some(value) = value {
        variable.value = value;
    }
    variable.updated_at = now.to_string();
    scope.variables.insert(new_name, variable);
    Ok(Response::empty(204))
}

fn already_exists(doc: &str) -> Error {
    Error::new(409, "Already exists - Variable already exists", doc)
}

fn list_environments(state: &State, call: &Call<'_>, key: &str) -> Response {
    let repo = &state.repos[key];
    let items = repo
        .environments
        .values()
        .map(|e| render::environment(repo, e, call))
        .collect();
    page(items, call, PAGE, "environments")
}

/// The keys `PUT …/environments/{name}` takes (its schema allows no
/// others).
const ENVIRONMENT_KEYS: [&str; 4] = [
    "wait_timer",
    "prevent_self_review",
    "reviewers",
    "deployment_branch_policy",
];

/// `GET`, `PUT` (create or update; `200` with the environment either way)
/// and `DELETE` (`204`, taking its secrets and variables with it) of one
/// environment. Protection rules are accepted and not kept.
fn environment_op(
    state: &mut State,
    call: &Call<'_>,
    key: &str,
    name: &str,
    now: &str,
) -> Result<Response, Error> {
    let doc = call.op.doc();
    let lower = name.to_ascii_lowercase();
    match call.request.method.as_str() {
        "PUT" => {
            let body = wire::object(call.request, true, &doc)?;
            if let Some(k) = body
                .keys()
                .find(|k| !ENVIRONMENT_KEYS.contains(&k.as_str()))
            {
                return Err(wire::invalid(
                    &format!("\"{k}\" is not a permitted key."),
                    &doc,
                ));
            }
            if name.chars().count() > 255 {
                // The wording is unverified; the limit is documented.
                return Err(Error::new(422, "Environment name is too long", &doc));
            }
            let repo_name = {
                let repo = &state.repos[key];
                format!("{}/{}", repo.owner, repo.name)
            };
            state.add_environment(&repo_name, name);
            let repo = state.repos.get_mut(key).expect("the caller checked");
            let env = repo.environments.get_mut(&lower).expect("just added");
            env.updated_at = now.to_string();
            let repo = &state.repos[key];
            Ok(Response::json(
                200,
                &render::environment(repo, &repo.environments[&lower], call),
            ))
        }
        "DELETE" => {
            let repo = state.repos.get_mut(key).expect("the caller checked");
            repo.environments
                .remove(&lower)
                .map(|_| Response::empty(204))
                .ok_or_else(|| not_found(&doc))
        }
        _ => {
            let repo = &state.repos[key];
            repo.environments
                .get(&lower)
                .map(|e| Response::json(200, &render::environment(repo, e, call)))
                .ok_or_else(|| not_found(&doc))
        }
    }
}
