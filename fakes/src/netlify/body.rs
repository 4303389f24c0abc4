//! Request bodies of the environment-variable writes, read against the
//! spec's schemas (`createEnvVars`, `updateEnvVar`, `setEnvVarValue`,
//! `envVarValue`), and the rules Netlify applies to a variable as a whole:
//! key names, value contexts, and the Secrets Controller's policy. A body
//! that breaks them is `422` and changes nothing.

use serde_json::{Map, Value};

use super::EnvVar;
use super::state::ALL_SCOPES;
use super::wire::{Error, invalid};
use crate::server::Request;

/// The contexts a value may have (`envVarValue.context`).
pub(crate) const CONTEXTS: [&str; 7] = [
    "all",
    "dev",
    "dev-server",
    "branch-deploy",
    "deploy-preview",
    "production",
    "branch",
];

/// A variable as a write describes it.
#[derive(Debug)]
pub(crate) struct NewVar {
    pub key: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub values: Option<Vec<NewValue>>,
    pub is_secret: Option<bool>,
}

/// One value as a write describes it.
#[derive(Debug, Clone)]
pub(crate) struct NewValue {
    pub context: String,
    pub context_parameter: Option<String>,
    pub value: String,
}

/// The body as JSON (`422` when it is not).
pub(crate) fn json(request: &Request) -> Result<Value, Error> {
    request.json().map_err(invalid)
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| invalid(format!("{what} must be an object")))
}

fn string(map: &Map<String, Value>, field: &str) -> Result<Option<String>, Error> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

/// A scope as the spec spells it. netlify-cli sends (and Netlify is said
/// to answer with) `post_processing`; both spellings are taken, and the
/// fake answers with the spec's `post-processing` (see the module docs).
pub(crate) fn scope(name: &str) -> Result<&'static str, Error> {
    let name = if name == "post_processing" {
        "post-processing"
    } else {
        name
    };
    ALL_SCOPES
        .iter()
        .find(|s| **s == name)
        .copied()
        .ok_or_else(|| {
            invalid(format!(
                "scopes must be among builds, functions, runtime, post-processing (got {name:?})"
            ))
        })
}

/// A variable object of `createEnvVars` or `updateEnvVar`: `key`
/// (string), `scopes` (array of scopes), `values` (array of
/// `envVarValue`), `is_secret` (boolean); other fields are ignored.
pub(crate) fn var(value: &Value) -> Result<NewVar, Error> {
    let map = object(value, "an environment variable")?;
    let scopes = match map.get("scopes") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|s| {
                    let s = s
                        .as_str()
                        .ok_or_else(|| invalid("scopes must be strings"))?;
                    scope(s).map(str::to_string)
                })
                .collect::<Result<Vec<_>, Error>>()?,
        ),
        Some(_) => return Err(invalid("scopes must be an array")),
    };
    let values = match map.get("values") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| new_value(v, false))
                .collect::<Result<Vec<_>, Error>>()?,
        ),
        Some(_) => return Err(invalid("values must be an array")),
    };
    let is_secret = match map.get("is_secret") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(invalid("is_secret must be a boolean")),
    };
    Ok(NewVar {
        key: string(map, "key")?,
        scopes,
        values,
        is_secret,
    })
}

/// One `envVarValue` (in `values`), or the body of `setEnvVarValue`
/// (`value_required`): `context` is required; a value object without
/// `value` stands for an empty value (netlify-cli sends such objects when
/// `env:set` is given no value). `id` is ignored: the fake gives ids.
pub(crate) fn new_value(value: &Value, value_required: bool) -> Result<NewValue, Error> {
    let map = object(value, "a value")?;
    let context = string(map, "context")?.ok_or_else(|| invalid("context is required"))?;
    if !CONTEXTS.contains(&context.as_str()) {
        return Err(invalid(format!(
            "context must be one of {} (got {context:?})",
            CONTEXTS.join(", ")
        )));
    }
    let parameter = string(map, "context_parameter")?.filter(|p| !p.is_empty());
    let value = match string(map, "value")? {
        Some(v) => v,
        None if value_required => return Err(invalid("value is required")),
        None => String::new(),
    };
    Ok(NewValue {
        context,
        context_parameter: parameter,
        value,
    })
}

/// The default scopes of a variable that names none: every scope, but a
/// secret's never include `post-processing` (Secrets Controller policy).
pub(crate) fn default_scopes(secret: bool) -> Vec<String> {
    ALL_SCOPES
        .iter()
        .filter(|s| !(secret && **s == "post-processing"))
        .map(|s| s.to_string())
        .collect()
}

/// A key Netlify takes. Netlify's exact rule is not documented here: the
/// fake takes letters, digits and `_`, not starting with a digit, at most
/// 255 characters (unverified).
pub(crate) fn check_key(key: &str) -> Result<(), Error> {
    let mut chars = key.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let ok =
        first_ok && key.len() <= 255 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "Invalid key {key:?}: keys may contain only letters, numbers and underscores, \
             and may not start with a number"
        )))
    }
}

/// The rules on a variable as a whole, after a write is applied:
/// * `branch` values name their branch in `context_parameter`, and only
///   they have one;
/// * no two values share a context (and branch);
/// * a secret has no `post-processing` scope and no non-empty value for
///   `all` ("Secret values must be set to explicit deploy contexts";
///   netlify-cli refuses both before it asks), per the Secrets
///   Controller docs. A secret may have a `dev` value: that is the one
///   context whose values stay readable (the spec's `is_secret`), and
///   netlify-cli itself tells users to set one
///   (`netlify env:set KEY <value> --context dev`).
///
/// The messages are unverified.
pub(crate) fn check_var(var: &EnvVar) -> Result<(), Error> {
    check_key(&var.key)?;
    let mut seen = Vec::new();
    for v in &var.values {
        match (v.context.as_str(), &v.context_parameter) {
            ("branch", None) => {
                return Err(invalid(
                    "context_parameter (the branch name) is required for the branch context",
                ));
            }
            (c, Some(_)) if c != "branch" => {
                return Err(invalid(
                    "context_parameter may only be set for the branch context",
                ));
            }
            _ => {}
        }
        let slot = (v.context.as_str(), v.context_parameter.as_deref());
        if seen.contains(&slot) {
            return Err(invalid(format!(
                "{} has more than one value for the {} context",
                var.key, v.context
            )));
        }
        seen.push(slot);
    }
    if var.is_secret {
        if var.scopes.iter().any(|s| s == "post-processing") {
            return Err(invalid(
                "Secret values cannot be used within the post-processing scope",
            ));
        }
        if var
            .values
            .iter()
            .any(|v| v.context == "all" && !v.value.is_empty())
        {
            return Err(invalid(
                "Secret values must be set for specific deploy contexts, not all",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_the_rule() {
        for good in ["A", "_x", "API_KEY_2", "a1"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "1A", "A-B", "A B", "ÄB", "A.B"] {
            assert_eq!(check_key(bad).unwrap_err().status, 422, "{bad:?}");
        }
    }

    #[test]
    fn both_spellings_of_post_processing() {
        assert_eq!(scope("post_processing").unwrap(), "post-processing");
        assert_eq!(scope("post-processing").unwrap(), "post-processing");
        assert!(scope("deploys").is_err());
    }

    #[test]
    fn values_need_a_known_context() {
        assert!(new_value(&json!({"value": "x"}), false).is_err());
        assert!(new_value(&json!({"context": "staging", "value": "x"}), false).is_err());
        let v = new_value(&json!({"context": "dev"}), false).unwrap();
        assert_eq!(v.value, "");
        assert!(new_value(&json!({"context": "dev"}), true).is_err());
        assert!(new_value(&json!({"context": "dev", "value": 1}), false).is_err());
    }

    #[test]
    fn secret_defaults_leave_out_post_processing() {
        assert_eq!(default_scopes(false).len(), 4);
        assert!(!default_scopes(true).contains(&"post-processing".to_string()));
    }
}
