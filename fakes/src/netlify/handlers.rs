//! The operations on the user, accounts, sites and builds, and the checks
//! every operation shares: what the caller may see (`404` otherwise) and
//! what its role lets it do (`403`). Environment variables are in
//! [`super::env`].

use serde_json::Value;

use super::Role;
use super::env;
use super::render;
use super::routes::{Call, Needs, Route};
use super::state::State;
use super::wire::{self, Error, invalid, not_found};
use crate::server::Response;

/// Runs the operation `call.op` on `route`.
pub(crate) fn run(state: &mut State, call: &Call<'_>, route: Route) -> Result<Response, Error> {
    match route {
        Route::User => {
            let token = &state.tokens[call.token];
            let sites = state
                .sites
                .values()
                .filter(|s| token.grants.contains_key(&s.account_slug))
                .count();
            Ok(Response::json(200, &render::user(&token.user, sites)))
        }
        Route::Accounts => Ok(list_accounts(state, call)),
        Route::Account(id) => {
            let (slug, _) = account(state, call, &id)?;
            Ok(Response::json(
                200,
                &render::account(state, &state.accounts[&slug]),
            ))
        }
        Route::Sites => list_sites(state, call, None),
        Route::AccountSites(slug) => {
            let (slug, _) = account(state, call, &slug)?;
            list_sites(state, call, Some(&slug))
        }
        Route::Site(id) => {
            let (id, _) = site(state, call, &id)?;
            let s = &state.sites[&id];
            Ok(Response::json(
                200,
                &render::site(s, &state.accounts[&s.account_slug]),
            ))
        }
        Route::Builds(id) => build(state, call, &id),
        Route::Env(_) | Route::SiteEnv(_) | Route::Var(..) | Route::Value(..) => {
            env::run(state, call, route)
        }
    }
}

/// The account `id_or_slug` if the caller is a member (else `404`), its
/// slug and the caller's role there, the role checked against the
/// operation.
pub(crate) fn account(
    state: &State,
    call: &Call<'_>,
    id_or_slug: &str,
) -> Result<(String, Role), Error> {
    let slug = state.account_key(id_or_slug).ok_or_else(not_found)?;
    let role = state.role(call.token, &slug).ok_or_else(not_found)?;
    allowed(call.needs, role)?;
    Ok((slug, role))
}

/// The site `id_or_domain` if the caller is a member of its account (else
/// `404`), and the caller's role there, checked against the operation.
pub(crate) fn site(
    state: &State,
    call: &Call<'_>,
    id_or_domain: &str,
) -> Result<(String, Role), Error> {
    let id = state.site_key(id_or_domain).ok_or_else(not_found)?;
    let role = state
        .role(call.token, &state.sites[&id].account_slug)
        .ok_or_else(not_found)?;
    allowed(call.needs, role)?;
    Ok((id, role))
}

/// Owners and Developers may do everything here; a Reviewer may read the
/// account and its sites but neither read environment variables nor
/// write anything (Netlify's role docs: Reviewers review deploys and
/// cannot change site settings; the exact line, and the `403` wording,
/// are unverified).
fn allowed(needs: Needs, role: Role) -> Result<(), Error> {
    match (needs, role) {
        (Needs::Member, _) | (_, Role::Owner | Role::Developer) => Ok(()),
        (_, Role::Reviewer) => Err(Error::new(403, "Forbidden")),
    }
}

/// The accounts the token belongs to, by slug, a page at a time
/// (unverified: the spec declares no `page` here; Netlify's guide says
/// every list paginates).
fn list_accounts(state: &State, call: &Call<'_>) -> Response {
    let grants = &state.tokens[call.token].grants;
    let items = state
        .accounts
        .values()
        .filter(|a| grants.contains_key(&a.slug))
        .map(|a| render::account(state, a))
        .collect();
    let url = format!("{}/accounts", call.base);
    wire::page(items, call.request, &url, state.per_page_max)
}

/// `listSites` (every account of the token; `filter=owner` keeps the
/// accounts where it is an Owner, `guest` the others) or
/// `listSitesForAccount`; `name` keeps the sites whose name contains it,
/// ignoring case. In name order, a page at a time.
fn list_sites(state: &State, call: &Call<'_>, only: Option<&str>) -> Result<Response, Error> {
    let request = call.request;
    let filter = request.query("filter").unwrap_or("all");
    if !["all", "owner", "guest"].contains(&filter) {
        return Err(invalid(format!(
            "filter must be one of all, owner, guest (got {filter:?})"
        )));
    }
    let name = request.query("name").unwrap_or("").to_lowercase();
    let grants = &state.tokens[call.token].grants;
    let mut sites: Vec<_> = state
        .sites
        .values()
        .filter(|s| only.is_none_or(|slug| s.account_slug == slug))
        .filter(|s| match grants.get(&s.account_slug) {
            None => false,
            Some(role) => match filter {
                "owner" => *role == Role::Owner,
                "guest" => *role != Role::Owner,
                _ => true,
            },
        })
        .filter(|s| s.name.to_lowercase().contains(&name))
        .collect();
    sites.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let items: Vec<Value> = sites
        .into_iter()
        .map(|s| render::site(s, &state.accounts[&s.account_slug]))
        .collect();
    let url = match only {
        Some(slug) => format!(
            "{}/{}/sites",
            call.base,
            crate::server::percent_encode(slug)
        ),
        None => format!("{}/sites", call.base),
    };
    Ok(wire::page(items, request, &url, state.per_page_max))
}

/// `createSiteBuild`: any body (a zip, a multipart form, or none) is
/// taken; the build is recorded and answered `200` as the spec says.
fn build(state: &mut State, call: &Call<'_>, id: &str) -> Result<Response, Error> {
    let (id, _) = site(state, call, id)?;
    let n = state.next_n();
    let build_id = wire::object_id(&format!("build {n}"));
    let deploy_id = wire::object_id(&format!("deploy {n}"));
    let now = state.now_ms();
    state.builds.entry(id).or_default().push(build_id.clone());
    Ok(Response::json(
        200,
        &render::build(&build_id, &deploy_id, now),
    ))
}
