//! The JSON the fake Netlify sends, in the spec's shapes:
//! `accountMembership`, `site`, `user`, `build` and `envVar`. Fields the
//! spec types as strings are left out rather than sent as `null` where
//! Netlify would have nothing to say (the spec marks none of them
//! `x-nullable`).

use serde_json::{Value, json};

use super::SecretReads;
use super::state::{Account, Record, Site, State, User};
use super::wire::{iso_millis, object_id};

/// An account (team) as `listAccountsForUser` and `getAccount` show it.
pub(crate) fn account(state: &State, a: &Account) -> Value {
    let created = iso_millis(a.created_ms);
    let sites = state
        .sites
        .values()
        .filter(|s| s.account_slug == a.slug)
        .count();
    let members = state
        .tokens
        .values()
        .filter(|t| t.grants.contains_key(&a.slug))
        .count();
    json!({
        "id": a.id,
        "name": a.name,
        "slug": a.slug,
        "type": "team",
        "type_name": "Pro",
        "type_id": object_id("account type pro"),
        "capabilities": {
            "sites": { "included": 500, "used": sites },
            "collaborators": { "included": 25, "used": members },
        },
        "billing_name": a.name,
        "billing_email": format!("billing@{}.example.com", a.slug),
        "billing_details": "",
        "billing_period": "monthly",
        "payment_method_id": "",
        "owner_ids": [],
        "roles_allowed": ["Owner", "Developer", "Reviewer"],
        "created_at": created,
        "updated_at": created,
    })
}

/// A site as `getSite` and the site lists show it, with its account's
/// id, slug and name. `use_envelope` (not in the spec) is what Netlify
/// sends for sites whose variables live in the environment-variables API,
/// which @netlify/config reads.
pub(crate) fn site(site: &Site, account: &Account) -> Value {
    let created = iso_millis(site.created_ms);
    let host = format!("{}.netlify.app", site.name);
    json!({
        "id": site.id,
        "site_id": site.id,
        "state": "current",
        "plan": "nf_team_pro",
        "name": site.name,
        "url": format!("https://{host}"),
        "ssl_url": format!("https://{host}"),
        "admin_url": format!("https://app.netlify.com/projects/{}", site.name),
        "screenshot_url": "",
        "deploy_url": format!("https://main--{host}"),
        "created_at": created,
        "updated_at": created,
        "user_id": object_id(&format!("owner of {}", account.slug)),
        "ssl": true,
        "force_ssl": true,
        "managed_dns": true,
        "account_id": account.id,
        "account_name": account.name,
        "account_slug": account.slug,
        "capabilities": {},
        "processing_settings": { "html": { "pretty_urls": true } },
        "build_settings": {
            "provider": "github",
            "repo_path": format!("{}/{}", account.slug, site.name),
            "repo_branch": "main",
            "cmd": "",
            "dir": "",
            "env": {},
            "stop_builds": false,
        },
        "id_domain": format!("{}.netlify.app", site.id),
        "build_image": "noble",
        "prevent_non_git_prod_deploys": false,
        "use_envelope": true,
    })
}

/// `getCurrentUser`: the token's user.
pub(crate) fn user(user: &User, sites: usize) -> Value {
    json!({
        "id": user.id,
        "uid": user.id,
        "full_name": user.full_name,
        "avatar_url": "",
        "email": user.email,
        "site_count": sites,
        "created_at": "2020-01-01T00:00:00.000Z",
        "last_login": "2020-01-01T00:00:00.000Z",
        "login_providers": ["email"],
    })
}

/// `createSiteBuild`'s answer: a build not yet done.
pub(crate) fn build(id: &str, deploy_id: &str, created_ms: i64) -> Value {
    json!({
        "id": id,
        "deploy_id": deploy_id,
        "done": false,
        "created_at": iso_millis(created_ms),
    })
}

/// `envVarUser`.
fn env_user(user: &User) -> Value {
    json!({
        "id": user.id,
        "full_name": user.full_name,
        "email": user.email,
        "avatar_url": "",
    })
}

/// A variable as every read and write answers it. A secret's values are
/// not readable but in the `dev` context (the spec's `is_secret`: "only
/// the local development context values are readable from the UI, API,
/// and CLI"); how the others come back follows `reads` (see
/// [`SecretReads`]). Each value keeps its `id`, `context` and
/// `context_parameter`.
pub(crate) fn env_var(record: &Record, reads: SecretReads) -> Value {
    let var = &record.var;
    let values: Vec<Value> = var
        .values
        .iter()
        .map(|v| {
            let mut out = json!({ "id": v.id, "context": v.context });
            if let Some(p) = &v.context_parameter {
                out["context_parameter"] = json!(p);
            }
            let hidden = var.is_secret && v.context != "dev";
            match (hidden, reads) {
                (false, _) => out["value"] = json!(v.value),
                (true, SecretReads::Omitted) => {}
                (true, SecretReads::Empty) => out["value"] = json!(""),
            }
            out
        })
        .collect();
    json!({
        "key": var.key,
        "scopes": var.scopes,
        "values": values,
        "is_secret": var.is_secret,
        "updated_at": iso_millis(var.updated_at_ms),
        "updated_by": env_user(&record.updated_by),
    })
}
