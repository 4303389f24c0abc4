//! Checks JSON bodies against the platforms' own OpenAPI descriptions, so
//! neither a fake nor a client can drift from the documented shapes
//! without a test noticing:
//!
//! * [`SUPABASE`]: the Management API (`fakes/openapi/supabase-management-api.json`,
//!   vendored from `supabase/cli`); the free functions below check against it.
//! * [`GITHUB`]: the slice of GitHub's REST API envctl uses, Actions secrets
//!   and variables, environments, `/user` and `/rate_limit`
//!   (`fakes/openapi/github-actions.json`, from `github/rest-api-description`
//!   as republished in `@octokit/openapi`; its `x-provenance` says how).
//!
//! * [`CLOUDFLARE`]: Pages projects and D1 databases
//!   (`fakes/openapi/cloudflare-pages-d1.json`, from `cloudflare/api-schemas`;
//!   its `x-provenance` says how). Its deployment operations are not in
//!   the slice: deployments are checked against the `pages_deployments`
//!   schema the project's `latest_deployment` uses, inside the common
//!   envelope.
//! * [`NETLIFY`]: the slice of Netlify's API envctl uses, accounts, sites,
//!   environment variables and build triggers
//!   (`fakes/openapi/netlify-env.json`, from `netlify/open-api`'s
//!   `swagger.yml`; its `x-provenance` says how).
//!
//! Supabase's, GitHub's and Cloudflare's are OpenAPI 3.0, whose schema
//! dialect is close to JSON Schema draft 4 (boolean `exclusiveMinimum`,
//! `$ref` siblings ignored) plus `nullable`. Netlify's is Swagger 2.0: the same schema dialect with
//! `x-nullable`, schemas under `definitions` (`#/definitions/X`), request
//! bodies as `in: body` parameters with a `schema`, and responses'
//! schemas at `responses.<status>.schema` (shared ones under `responses`,
//! `#/responses/error`). Schemas are validated as draft 4 after rewriting
//! `nullable` (and `x-nullable`) into a `"null"` type. References resolve
//! because every schema is validated inside a document that also carries
//! the spec's `components` (or `definitions`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// One vendored OpenAPI description, parsed on first use.
pub struct Spec {
    name: &'static str,
    text: &'static str,
    dialect: Dialect,
    parsed: OnceLock<Value>,
}

/// Which version of the OpenAPI format a spec is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    OpenApi3,
    /// Swagger 2.0.
    Swagger2,
}

/// Supabase's Management API, as published by Supabase.
pub static SUPABASE: Spec = Spec::new(
    "Supabase",
    include_str!("../openapi/supabase-management-api.json"),
);

/// GitHub's REST API: the operations of the Actions secrets and variables,
/// environments, `/user` and `/rate_limit`, with the components they reach.
pub static GITHUB: Spec = Spec::new("GitHub", include_str!("../openapi/github-actions.json"));

/// Cloudflare's API: Pages projects (get, patch) and D1 databases, with
/// the component schemas they reach.
pub static CLOUDFLARE: Spec = Spec::new(
    "Cloudflare",
    include_str!("../openapi/cloudflare-pages-d1.json"),
);

/// Netlify's API (Swagger 2.0): the operations on accounts, sites,
/// environment variables and builds, with the definitions they reach.
pub static NETLIFY: Spec = Spec::swagger("Netlify", include_str!("../openapi/netlify-env.json"));

/// The operation whose multipart body carries the `metadata` part.
const DEPLOY_OPERATION: &str = "v1-deploy-a-function";

/// Validates `body`, returned with `status` by `operation_id`, against the
/// response schema Supabase's spec documents for it ([`Spec::validate_response`]).
pub fn validate_response(operation_id: &str, status: u16, body: &Value) -> Result<(), String> {
    SUPABASE.validate_response(operation_id, status, body)
}

/// Validates a JSON request body against the operation's
/// `application/json` request schema in Supabase's spec.
pub fn validate_request(operation_id: &str, body: &Value) -> Result<(), String> {
    SUPABASE.validate_request(operation_id, body)
}

/// Validates the JSON of the `metadata` part of a function deploy
/// (`FunctionDeployBody.metadata` in the multipart/form-data request body).
pub fn validate_multipart_metadata(metadata: &Value) -> Result<(), String> {
    let spec = &SUPABASE;
    let body = spec
        .operation(DEPLOY_OPERATION)?
        .pointer("/requestBody/content/multipart~1form-data/schema")
        .ok_or_else(|| format!("{DEPLOY_OPERATION} takes no multipart/form-data body"))?;
    let schema = spec
        .resolve(body)?
        .pointer("/properties/metadata")
        .ok_or_else(|| "FunctionDeployBody has no metadata property".to_string())?;
    spec.check(&format!("{DEPLOY_OPERATION} metadata"), schema, metadata)
}

impl Spec {
    const fn new(name: &'static str, text: &'static str) -> Spec {
        Spec {
            name,
            text,
            dialect: Dialect::OpenApi3,
            parsed: OnceLock::new(),
        }
    }

    const fn swagger(name: &'static str, text: &'static str) -> Spec {
        Spec {
            name,
            text,
            dialect: Dialect::Swagger2,
            parsed: OnceLock::new(),
        }
    }

    /// Validates `body`, returned with `status` by `operation_id`, against
    /// the response schema the spec documents for it (`application/json`;
    /// Swagger 2.0: the response's `schema`), following a `$ref` to a
    /// shared response (GitHub's `not_found`, Netlify's `error`, …).
    ///
    /// Errors when the operation is unknown, when the spec declares no such
    /// status for it, or when the body does not match. A declared status
    /// that documents no body (e.g. `201` of `v1-bulk-create-secrets`, `204`
    /// of GitHub's deletes) accepts any body: there is nothing to check it
    /// against.
    pub fn validate_response(
        &'static self,
        operation_id: &str,
        status: u16,
        body: &Value,
    ) -> Result<(), String> {
        let response = self.response(operation_id, status)?;
        let pointer = match self.dialect {
            Dialect::OpenApi3 => "/content/application~1json/schema",
            Dialect::Swagger2 => "/schema",
        };
        match response.pointer(pointer) {
            Some(schema) => self.check(&format!("{operation_id} {status}"), schema, body),
            None => Ok(()),
        }
    }

    /// Validates a JSON request body against the operation's
    /// `application/json` request schema (Swagger 2.0: the schema of its
    /// `in: body` parameter).
    pub fn validate_request(&'static self, operation_id: &str, body: &Value) -> Result<(), String> {
        let operation = self.operation(operation_id)?;
        let schema = match self.dialect {
            Dialect::OpenApi3 => operation.pointer("/requestBody/content/application~1json/schema"),
            Dialect::Swagger2 => operation
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))
                .and_then(|p| p.get("schema")),
        }
        .ok_or_else(|| format!("{operation_id} takes no application/json request body"))?;
        self.check(&format!("{operation_id} request"), schema, body)
    }

    /// Validates `body` against the component schema `name`
    /// (`#/components/schemas/<name>`; Swagger 2.0: `#/definitions/<name>`):
    /// for error bodies an operation does not declare, such as GitHub's
    /// `basic-error` and `validation-error`, or Netlify's `error`.
    pub fn validate_schema(&'static self, name: &str, body: &Value) -> Result<(), String> {
        let pointer = match self.dialect {
            Dialect::OpenApi3 => format!("/components/schemas/{name}"),
            Dialect::Swagger2 => format!("/definitions/{name}"),
        };
        let schema = self
            .spec()
            .pointer(&pointer)
            .ok_or_else(|| format!("no schema {name:?} in the {} OpenAPI spec", self.name))?;
        self.check(&format!("schema {name}"), schema, body)
    }

    /// The response headers the spec documents for `operation_id`'s
    /// `status`, lower-cased (`link`, `x-ratelimit-limit`, …).
    pub fn response_headers(
        &'static self,
        operation_id: &str,
        status: u16,
    ) -> Result<Vec<String>, String> {
        let response = self.response(operation_id, status)?;
        Ok(response
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| h.keys().map(|k| k.to_ascii_lowercase()).collect())
            .unwrap_or_default())
    }

    /// The response object for `status`, its `$ref` followed.
    fn response(&'static self, operation_id: &str, status: u16) -> Result<&'static Value, String> {
        let response = self
            .operation(operation_id)?
            .get("responses")
            .and_then(|r| r.get(status.to_string()))
            .ok_or_else(|| format!("{operation_id} declares no {status} response"))?;
        self.resolve(response)
    }

    /// The component schema `name` (`#/components/schemas/<name>`), as
    /// parsed: for a fake that answers with every documented field.
    pub fn component(&'static self, name: &str) -> Option<&'static Value> {
        self.spec().pointer(&format!("/components/schemas/{name}"))
    }

    /// The spec, parsed once, with its schemas rewritten to draft 4.
    fn spec(&'static self) -> &'static Value {
        self.parsed.get_or_init(|| {
            let mut spec: Value = serde_json::from_str(self.text)
                .unwrap_or_else(|e| panic!("the vendored {} OpenAPI file: {e}", self.name));
            rewrite_nullable(&mut spec);
            spec
        })
    }

    /// The operation object whose `operationId` is `id`.
    fn operation(&'static self, id: &str) -> Result<&'static Value, String> {
        self.spec()
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))
            .ok_or_else(|| format!("no operation {id:?} in the {} OpenAPI spec", self.name))
    }

    /// Follows a local `$ref` (one level is all the specs use).
    fn resolve(&'static self, schema: &'static Value) -> Result<&'static Value, String> {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference
                    .strip_prefix('#')
                    .ok_or_else(|| format!("non-local $ref {reference}"))?;
                self.spec()
                    .pointer(pointer)
                    .ok_or_else(|| format!("dangling $ref {reference}"))
            }
            None => Ok(schema),
        }
    }

    /// Validates `instance` against `schema`; `what` names it in errors.
    fn check(&'static self, what: &str, schema: &Value, instance: &Value) -> Result<(), String> {
        let validator = self.validator(what, schema)?;
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}: {}", errors.join("; ")))
        }
    }

    /// Compiled validators are cached by spec and `what`, which is unique
    /// per schema within a spec.
    fn validator(&'static self, what: &str, schema: &Value) -> Result<Arc<Validator>, String> {
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = format!("{}: {what}", self.name);
        if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(v.clone());
        }
        let document = match self.dialect {
            Dialect::OpenApi3 => json!({
                "allOf": [schema],
                "components": self.spec().get("components").cloned().unwrap_or(Value::Null),
            }),
            Dialect::Swagger2 => json!({
                "allOf": [schema],
                "definitions": self.spec().get("definitions").cloned().unwrap_or(json!({})),
            }),
        };
        let compiled = jsonschema::options()
            .with_draft(Draft::Draft4)
            .build(&document)
            .map_err(|e| format!("{what}: the spec's schema does not compile: {e}"))?;
        let compiled = Arc::new(compiled);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, compiled.clone());
        Ok(compiled)
    }
}

/// Rewrites OpenAPI 3.0 `nullable: true` (Swagger 2.0: `x-nullable:
/// true`) into JSON Schema: `null` joins the `type` (and the `enum`, if
/// any); a schema with no `type` (a `$ref`, an `allOf`, …) becomes
/// `anyOf: [itself, {type: null}]`. `x-nullable: false` is Swagger's
/// default and is dropped.
fn rewrite_nullable(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for child in map.values_mut() {
                rewrite_nullable(child);
            }
            let swagger = map.remove("x-nullable") == Some(Value::Bool(true));
            if map.remove("nullable") != Some(Value::Bool(true)) && !swagger {
                return;
            }
            if let Some(Value::Array(options)) = map.get_mut("enum") {
                options.push(Value::Null);
            }
            match map.get("type").cloned() {
                Some(Value::String(t)) => {
                    map.insert("type".into(), json!([t, "null"]));
                }
                Some(_) => {}
                None if map.keys().all(|k| k == "description" || k == "example") => {}
                None => {
                    let inner = Value::Object(std::mem::take(map));
                    map.insert("anyOf".into(), json!([inner, {"type": "null"}]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_nullable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_admits_null_and_keeps_the_type() {
        let mut schema = json!({"type": "string", "nullable": true});
        rewrite_nullable(&mut schema);
        assert_eq!(schema, json!({"type": ["string", "null"]}));

        let mut schema = json!({"$ref": "#/x", "nullable": true});
        rewrite_nullable(&mut schema);
        assert_eq!(
            schema,
            json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]})
        );

        let mut schema = json!({"type": "string", "enum": ["a"], "nullable": true});
        rewrite_nullable(&mut schema);
        assert_eq!(
            schema,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn swagger_x_nullable_admits_null_and_false_is_dropped() {
        let mut schema = json!({"type": "string", "x-nullable": true});
        rewrite_nullable(&mut schema);
        assert_eq!(schema, json!({"type": ["string", "null"]}));
        let mut schema = json!({"type": "string", "x-nullable": false});
        rewrite_nullable(&mut schema);
        assert_eq!(schema, json!({"type": "string"}));
    }

    #[test]
    fn swagger_bodies_responses_and_definitions() {
        let var =
            json!({"key": "A", "scopes": ["builds"], "values": [{"context": "dev", "value": "x"}]});
        NETLIFY
            .validate_request("createEnvVars", &json!([var]))
            .unwrap();
        assert!(NETLIFY.validate_request("createEnvVars", &var).is_err());
        let patch = json!({"context": "staging", "value": "x"});
        assert!(NETLIFY.validate_request("setEnvVarValue", &patch).is_err());
        NETLIFY.validate_response("getEnvVar", 200, &var).unwrap();
        assert!(
            NETLIFY
                .validate_response("getEnvVar", 200, &json!({"key": 1}))
                .is_err()
        );
        NETLIFY
            .validate_response("deleteEnvVar", 204, &Value::Null)
            .unwrap();
        assert!(NETLIFY.validate_response("getEnvVar", 418, &var).is_err());
        NETLIFY
            .validate_schema("error", &json!({"code": 404, "message": "Not Found"}))
            .unwrap();
        assert!(
            NETLIFY
                .validate_schema("error", &json!({"code": 404}))
                .is_err()
        );
        assert!(
            NETLIFY
                .validate_schema("error", &json!({"message": null}))
                .is_err()
        );
        assert!(NETLIFY.validate_request("getSite", &Value::Null).is_err());
    }

    #[test]
    fn unknown_operations_and_statuses_are_errors() {
        assert!(validate_response("no-such-op", 200, &Value::Null).is_err());
        assert!(validate_response("v1-list-all-secrets", 418, &Value::Null).is_err());
        assert!(validate_request("v1-list-all-secrets", &Value::Null).is_err());
    }
}
