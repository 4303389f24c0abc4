//! The environment-variable operations (the spec's
//! `environmentVariables` tag): list, create, read, replace, set one
//! value, delete a variable or one value. Variables live on a site
//! (`?site_id=`) or, without it, on the account itself (team-wide).

use serde_json::Value;

use super::body::{self, NewValue};
use super::handlers;
use super::render;
use super::routes::{Call, Route};
use super::state::{Level, State};
use super::wire::{Error, invalid, not_found};
use super::{EnvValue, EnvVar};
use crate::server::Response;

/// The contexts `context_name` may filter by (the spec's enum: not
/// `branch`).
const FILTER_CONTEXTS: [&str; 6] = [
    "all",
    "dev",
    "dev-server",
    "branch-deploy",
    "deploy-preview",
    "production",
];

pub(crate) fn run(state: &mut State, call: &Call<'_>, route: Route) -> Result<Response, Error> {
    let method = call.request.method.as_str();
    match route {
        Route::SiteEnv(site) => {
            let (id, _) = handlers::site(state, call, &site)?;
            list(state, call, &Level::Site(id))
        }
        Route::Env(account) => {
            let level = level(state, call, &account)?;
            if method == "POST" {
                create(state, call, &level)
            } else {
                list(state, call, &level)
            }
        }
        Route::Var(account, key) => {
            let level = level(state, call, &account)?;
            let existing = state
                .env
                .get(&level)
                .and_then(|m| m.get(&key))
                .cloned()
                .ok_or_else(not_found)?;
            match method {
                "PUT" => replace(state, call, &level, existing.var),
                "PATCH" => set_value(state, call, &level, existing.var),
                "DELETE" => {
                    state.vars(&level).remove(&key);
                    Ok(Response::empty(204))
                }
                _ => Ok(Response::json(
                    200,
                    &render::env_var(&existing, state.secret_reads),
                )),
            }
        }
        Route::Value(account, key, id) => {
            let level = level(state, call, &account)?;
            let mut var = state
                .env
                .get(&level)
                .and_then(|m| m.get(&key))
                .map(|r| r.var.clone())
                .ok_or_else(not_found)?;
            let before = var.values.len();
            var.values.retain(|v| v.id != id);
            if var.values.len() == before {
                return Err(not_found());
            }
            let by = state.tokens[call.token].user.clone();
            state.put(&level, var, by);
            Ok(Response::empty(204))
        }
        _ => Err(not_found()),
    }
}

/// Where `account_id` (an id or slug) and `?site_id=` point: the site,
/// which must belong to that account, or without `site_id` the account
/// itself. Anything the caller cannot see is `404`; a Reviewer is `403`.
fn level(state: &State, call: &Call<'_>, account: &str) -> Result<Level, Error> {
    let (slug, _) = handlers::account(state, call, account)?;
    match call.request.query("site_id").filter(|s| !s.is_empty()) {
        None => Ok(Level::Account(slug)),
        Some(site) => {
            let (id, _) = handlers::site(state, call, site)?;
            if state.sites[&id].account_slug == slug {
                Ok(Level::Site(id))
            } else {
                Err(not_found())
            }
        }
    }
}

/// Every variable at `level`, by key, filtered by `context_name` (a
/// variable with a value for that context or for `all`) and `scope`.
/// Not paginated: the spec gives these operations no `page`. All values
/// are shown, not only the filtered context's (unverified).
fn list(state: &State, call: &Call<'_>, level: &Level) -> Result<Response, Error> {
    let request = call.request;
    let context = request.query("context_name").filter(|c| !c.is_empty());
    if let Some(c) = context
        && !FILTER_CONTEXTS.contains(&c)
    {
        return Err(invalid(format!(
            "context_name must be one of {} (got {c:?})",
            FILTER_CONTEXTS.join(", ")
        )));
    }
    let scope = match request.query("scope").filter(|s| !s.is_empty()) {
        Some(s) => Some(body::scope(s)?),
        None => None,
    };
    let items: Vec<Value> = state
        .env
        .get(level)
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|r| {
            context.is_none_or(|c| {
                r.var
                    .values
                    .iter()
                    .any(|v| v.context == c || v.context == "all")
            })
        })
        .filter(|r| scope.is_none_or(|s| r.var.scopes.iter().any(|x| x == s)))
        .map(|r| render::env_var(r, state.secret_reads))
        .collect();
    Ok(Response::json(200, &Value::Array(items)))
}

/// New values with new ids.
fn with_ids(state: &mut State, values: Vec<NewValue>) -> Vec<EnvValue> {
    values
        .into_iter()
        .map(|v| EnvValue {
            id: state.value_id(),
            context: v.context,
            context_parameter: v.context_parameter,
            value: v.value,
        })
        .collect()
}

/// `createEnvVars`: an array of variables, all new; `201` with them. A
/// key that exists (or repeats in the body) refuses the whole request
/// with `422` (unverified: Netlify's status and wording for it are not
/// documented; netlify-cli never creates a key it has seen).
fn create(state: &mut State, call: &Call<'_>, level: &Level) -> Result<Response, Error> {
    let body = body::json(call.request)?;
    let items = body
        .as_array()
        .ok_or_else(|| invalid("the body must be an array of environment variables"))?;
    let mut vars = Vec::new();
    for item in items {
        let new = body::var(item)?;
        let key = new.key.ok_or_else(|| invalid("key is required"))?;
        let values = new.values.ok_or_else(|| invalid("values is required"))?;
        let secret = new.is_secret.unwrap_or(false);
        let exists = state.env.get(level).is_some_and(|m| m.contains_key(&key))
            || vars.iter().any(|v: &EnvVar| v.key == key);
        if exists {
            return Err(invalid(format!(
                "Environment variable {key} already exists"
            )));
        }
        let var = EnvVar {
            key,
            scopes: new.scopes.unwrap_or_else(|| body::default_scopes(secret)),
            is_secret: secret,
            values: with_ids(state, values),
            updated_at_ms: 0,
        };
        body::check_var(&var)?;
        vars.push(var);
    }
    let by = state.tokens[call.token].user.clone();
    let mut created = Vec::new();
    for var in vars {
        let key = var.key.clone();
        state.put(level, var, by.clone());
        created.push(render::env_var(&state.env[level][&key], state.secret_reads));
    }
    Ok(Response::json(201, &Value::Array(created)))
}

/// `updateEnvVar`: replaces the variable and all its values (new ids);
/// `200`. `values` is required (an empty list empties the variable); a
/// `key` in the body renames it (`422` if that key is taken).
/// Omitted `scopes` are every scope (a secret's: all but
/// post-processing); omitted `is_secret` keeps the flag, and a secret
/// cannot be made plain again (Secrets Controller policy; `422`).
fn replace(
    state: &mut State,
    call: &Call<'_>,
    level: &Level,
    old: EnvVar,
) -> Result<Response, Error> {
    let new = body::var(&body::json(call.request)?)?;
    let secret = new.is_secret.unwrap_or(old.is_secret);
    if old.is_secret && !secret {
        return Err(invalid(
            "A secret environment variable cannot be made non-secret",
        ));
    }
    let key = new.key.unwrap_or_else(|| old.key.clone());
    if key != old.key && state.env.get(level).is_some_and(|m| m.contains_key(&key)) {
        return Err(invalid(format!(
            "Environment variable {key} already exists"
        )));
    }
    let values = new.values.ok_or_else(|| invalid("values is required"))?;
    let var = EnvVar {
        key: key.clone(),
        scopes: new.scopes.unwrap_or_else(|| body::default_scopes(secret)),
        is_secret: secret,
        values: with_ids(state, values),
        updated_at_ms: old.updated_at_ms,
    };
    body::check_var(&var)?;
    let vars = state.vars(level);
    if key != old.key
        && let Some(mut moved) = vars.remove(&old.key)
    {
        moved.var.key = key.clone();
        vars.insert(key.clone(), moved);
    }
    let by = state.tokens[call.token].user.clone();
    state.put(level, var, by);
    Ok(Response::json(
        200,
        &render::env_var(&state.env[level][&key], state.secret_reads),
    ))
}

/// `setEnvVarValue`: `{context, context_parameter?, value}` replaces the
/// value with that context (and branch), keeping its id, or adds one;
/// the other values are untouched. `201` with the variable.
fn set_value(
    state: &mut State,
    call: &Call<'_>,
    level: &Level,
    mut var: EnvVar,
) -> Result<Response, Error> {
    let new = body::new_value(&body::json(call.request)?, true)?;
    let id = state.value_id();
    match var
        .values
        .iter_mut()
        .find(|v| v.context == new.context && v.context_parameter == new.context_parameter)
    {
        Some(existing) => existing.value = new.value,
        None => var.values.push(EnvValue {
            id,
            context: new.context,
            context_parameter: new.context_parameter,
            value: new.value,
        }),
    }
    body::check_var(&var)?;
    let key = var.key.clone();
    let by = state.tokens[call.token].user.clone();
    state.put(level, var, by);
    Ok(Response::json(
        201,
        &render::env_var(&state.env[level][&key], state.secret_reads),
    ))
}
