//! What to do about a failed Cloudflare call. Cloudflare answers a token
//! it does not accept, a token without the permission, and an account the
//! token was not made for alike (403, code 10000), so the hints name all
//! three; the codes are the v4 API's (`8000007` no such Pages project,
//! `7003`/`7000` a route that does not resolve, `7404` no D1 database).

use super::{D1, api};
use crate::provider::ProviderError;
use crate::provider::http::{Failure, HttpError};

/// A Pages failure in the user's terms.
pub fn pages_error(target: &str, project: &str, account: &str, e: HttpError) -> ProviderError {
    let hint = match (e.code.as_deref(), e.failure) {
        (Some("8000007"), _) | (None, Failure::NotFound) => format!(
            "account {account} has no Pages project `{project}`: check `project` (the name in <name>.pages.dev) and the account id"
        ),
        (Some("10000" | "10001" | "9109" | "1000" | "6003" | "6111"), _)
        | (_, Failure::Unauthorized | Failure::Forbidden) => format!(
            "Cloudflare refused the token in {} for account {account}: it must be valid and active, be made for this account (check `account_id` or {}), and hold Account › Cloudflare Pages › Edit",
            api::TOKEN_VAR,
            api::ACCOUNT_VAR
        ),
        (Some("7003" | "7000"), _) => format!(
            "Cloudflare could not route the request: check the account id `{account}` (32 hex digits) and the project name"
        ),
        (_, failure) => generic(failure),
    };
    let hint = (!hint.is_empty()).then_some(hint);
    ProviderError::http(target, format!("project {project}"), e, hint)
}

/// A D1 failure in the user's terms.
pub fn d1_error(target: &str, d1: &D1, account: &str, e: HttpError) -> ProviderError {
    let db = &d1.database_id;
    let hint = match (e.code.as_deref(), e.failure) {
        (Some("10000" | "10001" | "9109" | "1000" | "6003" | "6111"), _)
        | (_, Failure::Unauthorized | Failure::Forbidden) => format!(
            "Cloudflare refused the token in {} for D1 in account {account}: it needs Account › D1 › Edit (the query endpoint's permission) as well as Cloudflare Pages › Edit",
            api::TOKEN_VAR
        ),
        (Some("7003" | "7000" | "7404"), _) | (None, Failure::NotFound) => format!(
            "account {account} has no D1 database {db}: check `database_id` (`wrangler d1 list` shows it)"
        ),
        (_, failure) => generic(failure),
    };
    let hint = (!hint.is_empty()).then_some(hint);
    ProviderError::http(target, format!("d1 database {db}"), e, hint)
}

fn generic(failure: Failure) -> String {
    match failure {
        Failure::RateLimited => {
            "Cloudflare kept rate limiting (1,200 requests per 5 minutes per user); wait and run again".to_string()
        }
        Failure::Server => {
            "Cloudflare had a server error; try again later, or check https://www.cloudflarestatus.com".to_string()
        }
        Failure::Network => format!(
            "could not reach the Cloudflare API (set {} only to point at a different API)",
            api::URL_VAR
        ),
        _ => String::new(),
    }
}
