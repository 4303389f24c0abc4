//! Project settings in the fake Supabase API: the Auth config
//! (`GET/PATCH …/config/auth`, of which the fake keeps `site_url` and
//! `uri_allow_list` and answers every other field with its empty value),
//! Storage buckets (`GET …/storage/buckets`), and the two statements on
//! `storage.buckets` the query endpoint accepts for them: an `INSERT` of a
//! new bucket and an `UPDATE` of its `public` flag (the Management API has
//! no endpoint that creates a bucket).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Reply, error, json_body};
use crate::openapi;
use crate::server::{Request, Response};

/// What a project keeps of its settings.
#[derive(Debug, Default, Clone)]
pub(super) struct Settings {
    pub site_url: Option<String>,
    pub uri_allow_list: Option<String>,
    pub buckets: BTreeMap<String, Bucket>,
    /// Every PATCH body received, for tests that check only declared
    /// fields are sent.
    pub patches: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub public: bool,
    pub created_at: String,
}

const NOW: &str = "2025-01-01T00:00:00.000Z";

/// `GET …/config/auth`: every field of `AuthConfigResponse`, empty but for
/// the two the fake keeps.
pub(super) fn get_auth(settings: &Settings) -> Response {
    Response::json(200, &auth_body(settings))
}

fn auth_body(settings: &Settings) -> Value {
    let mut body = empty_auth_config();
    body["site_url"] = json!(settings.site_url);
    body["uri_allow_list"] = json!(settings.uri_allow_list);
    body
}

/// Each property of `AuthConfigResponse` at its empty value: `null` where
/// nullable, else `false`, `0` or the first allowed string.
fn empty_auth_config() -> Value {
    let schema = openapi::SUPABASE
        .component("AuthConfigResponse")
        .expect("AuthConfigResponse in the vendored spec");
    let mut body = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, property) in properties.into_iter().flatten() {
        body.insert(name.clone(), empty_value(property));
    }
    Value::Object(body)
}

fn empty_value(property: &Value) -> Value {
    let types: Vec<&str> = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let nullable = property.get("nullable") == Some(&Value::Bool(true)) || types.contains(&"null");
    if nullable {
        return Value::Null;
    }
    match types.first().copied() {
        Some("boolean") => json!(false),
        Some("integer" | "number") => json!(property.get("minimum").cloned().unwrap_or(json!(0))),
        Some("string") => property
            .get("enum")
            .and_then(|e| e.get(0))
            .cloned()
            .unwrap_or(json!("")),
        _ => Value::Null,
    }
}

/// `PATCH …/config/auth`: validated against `UpdateAuthConfigBody`; the
/// fields the fake keeps are updated, the others accepted and forgotten.
pub(super) fn update_auth(settings: &mut Settings, request: &Request) -> Reply {
    let body = json_body(request)?;
    openapi::validate_request("v1-update-auth-service-config", &body)
        .map_err(|e| error(400, &e))?;
    if let Some(url) = body.get("site_url") {
        settings.site_url = url.as_str().map(str::to_string);
    }
    if let Some(list) = body.get("uri_allow_list") {
        settings.uri_allow_list = list.as_str().map(str::to_string);
    }
    settings.patches.push(body);
    Ok(Response::json(200, &auth_body(settings)))
}

/// `GET …/storage/buckets`: `V1StorageBucketResponse` items.
pub(super) fn list_buckets(settings: &Settings) -> Response {
    let list: Vec<Value> = settings
        .buckets
        .iter()
        .map(|(name, b)| {
            json!({
                "id": name,
                "name": name,
                "owner": "",
                "created_at": b.created_at,
                "updated_at": b.created_at,
                "public": b.public,
            })
        })
        .collect();
    Response::json(200, &Value::Array(list))
}

/// A statement on `storage.buckets` (keywords in any case, any spacing):
/// `INSERT INTO storage.buckets (id, name, public) VALUES ('x', 'x',
/// true)` or `UPDATE storage.buckets SET public = true WHERE id = 'x'`.
/// `None` when the query is neither.
pub(super) fn bucket_query(settings: &mut Settings, query: &str) -> Option<Reply> {
    let normalized = normalize(query);
    let normalized = normalized.as_str();
    if let Some(rest) =
        normalized.strip_prefix("insert into storage.buckets (id, name, public) values (")
    {
        let rest = rest.strip_suffix(')')?;
        let parts: Vec<&str> = rest.split(", ").collect();
        let [id, name, public] = parts.as_slice() else {
            return None;
        };
        let (id, name, public) = (literal(id)?, literal(name)?, boolean(public)?);
        if id != name {
            return Some(Err(error(400, "fake: id and name must be equal")));
        }
        if settings.buckets.contains_key(&id) {
            return Some(Err(error(
                400,
                &format!(
                    "Failed to run sql query: ERROR:  23505: duplicate key value violates unique constraint \"buckets_pkey\"\nDETAIL:  Key (id)=({id}) already exists."
                ),
            )));
        }
        settings.buckets.insert(
            id,
            Bucket {
                public,
                created_at: NOW.into(),
            },
        );
        return Some(Ok(Response::json(201, &json!([]))));
    }
    let rest = normalized.strip_prefix("update storage.buckets set public = ")?;
    let (public, id) = rest.split_once(" where id = ")?;
    let (public, id) = (boolean(public)?, literal(id)?);
    if let Some(bucket) = settings.buckets.get_mut(&id) {
        bucket.public = public;
    }
    Some(Ok(Response::json(201, &json!([]))))
}

/// Whitespace runs collapsed, `, ` after every comma, no trailing `;`,
/// lower case outside single-quoted literals.
fn normalize(query: &str) -> String {
    let collapsed = query
        .trim()
        .trim_end_matches(';')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
        .replace(", ", ",")
        .replace(',', ", ");
    let mut quoted = false;
    collapsed
        .chars()
        .map(|c| {
            if c == '\'' {
                quoted = !quoted;
            }
            if quoted { c } else { c.to_ascii_lowercase() }
        })
        .collect()
}

/// A single-quoted SQL literal with no quote inside.
fn literal(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    (!inner.contains('\'')).then(|| inner.to_string())
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Test helpers: what a project's settings are, set and read directly.
impl super::FakeSupabase {
    /// Sets the Auth URL settings as the dashboard would.
    pub fn set_auth_urls(&self, project_ref: &str, site_url: &str, uri_allow_list: &str) {
        let mut state = self.lock();
        let settings = &mut super::project_mut(&mut state, project_ref).settings;
        settings.site_url = Some(site_url.to_string());
        settings.uri_allow_list = Some(uri_allow_list.to_string());
    }

    /// `(site_url, uri_allow_list)` as the project has them.
    pub fn auth_urls(&self, project_ref: &str) -> (Option<String>, Option<String>) {
        let mut state = self.lock();
        let settings = &super::project_mut(&mut state, project_ref).settings;
        (settings.site_url.clone(), settings.uri_allow_list.clone())
    }

    /// Every `PATCH …/config/auth` body received, in order.
    pub fn auth_patches(&self, project_ref: &str) -> Vec<Value> {
        let mut state = self.lock();
        super::project_mut(&mut state, project_ref)
            .settings
            .patches
            .clone()
    }

    /// Adds (or replaces) a Storage bucket.
    pub fn add_bucket(&self, project_ref: &str, name: &str, public: bool) {
        let mut state = self.lock();
        let bucket = Bucket {
            public,
            created_at: NOW.into(),
        };
        super::project_mut(&mut state, project_ref)
            .settings
            .buckets
            .insert(name.to_string(), bucket);
    }

    /// The project's buckets, by name.
    pub fn buckets(&self, project_ref: &str) -> BTreeMap<String, Bucket> {
        let mut state = self.lock();
        super::project_mut(&mut state, project_ref)
            .settings
            .buckets
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_config_and_bucket_list_match_the_spec() {
        let mut settings = Settings {
            site_url: Some("https://app.example.com".into()),
            ..Settings::default()
        };
        openapi::validate_response("v1-get-auth-service-config", 200, &auth_body(&settings))
            .unwrap();
        let insert =
            "INSERT INTO storage.buckets (id, name, public) VALUES ('content','content', false);";
        assert!(bucket_query(&mut settings, insert).unwrap().is_ok());
        assert!(bucket_query(&mut settings, insert).unwrap().is_err());
        let update = "update storage.buckets set public = true where id = 'content'";
        assert!(bucket_query(&mut settings, update).unwrap().is_ok());
        assert!(settings.buckets["content"].public);
        let list = list_buckets(&settings);
        let body: Value = serde_json::from_slice(list.body.as_deref().unwrap()).unwrap();
        openapi::validate_response("v1-list-all-buckets", 200, &body).unwrap();
    }
}
