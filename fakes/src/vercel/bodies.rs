//! Request bodies of the env endpoints: schema-checked, then validated as
//! Vercel does.

use super::*;

/// The longest `comment` (the create and edit bodies' `maxLength`).
const MAX_COMMENT: usize = 500;

/// One create item, schema-checked but not yet validated.
pub(super) struct EnvInput {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) kind: String,
    pub(super) target: Vec<String>,
    pub(super) git_branch: Option<String>,
    pub(super) comment: String,
    pub(super) custom_environment_ids: Vec<String>,
}

impl EnvInput {
    pub(super) fn from_json(item: &Value) -> Result<EnvInput, Error> {
        let Some(obj) = item.as_object() else {
            return Err(bad_request("Invalid request: each item must be an object"));
        };
        Ok(EnvInput {
            key: required_str(obj, "key")?,
            value: required_str(obj, "value")?,
            kind: required_str(obj, "type")?,
            target: optional_targets(obj)?.unwrap_or_default(),
            git_branch: optional_branch(obj)?.flatten(),
            comment: optional_str(obj, "comment")?.unwrap_or_default(),
            custom_environment_ids: optional_list(obj, "customEnvironmentIds")?.unwrap_or_default(),
        })
    }

    pub(super) fn into_draft(self) -> Result<Draft, Error> {
        Ok(Draft {
            kind: request_type(&self.kind, &self.key)?,
            key: self.key,
            value: self.value,
            target: self.target,
            git_branch: self.git_branch,
            custom_environment_ids: self.custom_environment_ids,
            comment: self.comment,
        })
    }
}

/// A PATCH body: every field optional; `gitBranch: null` clears the branch.
pub(super) struct EnvPatch {
    pub(super) key: Option<String>,
    pub(super) value: Option<String>,
    pub(super) kind: Option<String>,
    pub(super) target: Option<Vec<String>>,
    pub(super) git_branch: Option<Option<String>>,
    pub(super) comment: Option<String>,
    pub(super) custom_environment_ids: Option<Vec<String>>,
}

impl EnvPatch {
    pub(super) fn from_json(body: &Value) -> Result<EnvPatch, Error> {
        let Some(obj) = body.as_object() else {
            return Err(bad_request("Invalid request: body must be an object"));
        };
        Ok(EnvPatch {
            key: optional_str(obj, "key")?,
            value: optional_str(obj, "value")?,
            kind: optional_str(obj, "type")?,
            target: optional_targets(obj)?,
            git_branch: optional_branch(obj)?,
            comment: optional_str(obj, "comment")?,
            custom_environment_ids: optional_list(obj, "customEnvironmentIds")?,
        })
    }

    /// The record as it would be after the patch.
    pub(super) fn apply(self, current: &Record) -> Result<Draft, Error> {
        let key = self.key.unwrap_or_else(|| current.key.clone());
        let kind = match self.kind {
            Some(kind) => request_type(&kind, &key)?,
            None => current.kind,
        };
        Ok(Draft {
            kind,
            value: self.value.unwrap_or_else(|| current.value.clone()),
            target: self.target.unwrap_or_else(|| current.target.clone()),
            git_branch: self
                .git_branch
                .unwrap_or_else(|| current.git_branch.clone()),
            custom_environment_ids: self
                .custom_environment_ids
                .unwrap_or_else(|| current.custom_environment_ids.clone()),
            comment: self.comment.unwrap_or_else(|| current.comment.clone()),
            key,
        })
    }
}

/// A variable's writable fields, ready to validate and store.
pub(super) struct Draft {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) kind: EnvType,
    pub(super) target: Vec<String>,
    pub(super) git_branch: Option<String>,
    pub(super) custom_environment_ids: Vec<String>,
    pub(super) comment: String,
}

impl Draft {
    pub(super) fn scope(&self) -> BTreeSet<String> {
        scope_of(&self.target, &self.custom_environment_ids)
    }

    /// The per-item rules; failures carry the item's key, target and branch.
    pub(super) fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|e| {
            e.with("key", self.key.clone())
                .with("target", json!(self.target))
                .with("gitBranch", json!(self.git_branch))
        })
    }

    pub(super) fn check(&self) -> Result<(), Error> {
        if !valid_key(&self.key) {
            return Err(Error::new(
                400,
                "invalid_key",
                &format!(
                    "The name `{}` is invalid: letters, digits and underscores only, not starting with a digit",
                    self.key
                ),
            ));
        }
        if RESERVED_KEYS.contains(&self.key.as_str()) {
            return Err(Error::new(
                400,
                "invalid_key",
                &format!("The name `{}` is reserved", self.key),
            ));
        }
        if let Some(bad) = self.target.iter().find(|t| !TARGETS.contains(&t.as_str())) {
            return Err(bad_request(&format!(
                "Invalid target `{bad}`: must be production, preview or development"
            )));
        }
        if self.target.is_empty() && self.custom_environment_ids.is_empty() {
            return Err(bad_request(
                "Invalid request: `target` is required unless `customEnvironmentIds` is given",
            ));
        }
        if self.git_branch.is_some() && self.target != ["preview"] {
            return Err(bad_request(
                "A Git branch can only be set for the Preview target alone",
            ));
        }
        if self.git_branch.as_ref().is_some_and(|b| b.len() > 250) {
            return Err(bad_request("The Git branch must be at most 250 characters"));
        }
        if self.comment.chars().count() > MAX_COMMENT {
            return Err(bad_request(&format!(
                "Invalid request: `comment` should NOT be longer than {MAX_COMMENT} characters"
            )));
        }
        if self.kind == EnvType::Sensitive && self.target.iter().any(|t| t == "development") {
            return Err(bad_request(
                "Sensitive environment variables cannot be created in the Development environment",
            ));
        }
        Ok(())
    }

    pub(super) fn write_into(self, record: &mut Record) {
        record.key = self.key;
        record.value = self.value;
        record.kind = self.kind;
        record.target = self.target;
        record.git_branch = self.git_branch;
        record.custom_environment_ids = self.custom_environment_ids;
        record.comment = self.comment;
    }
}

/// The request `type`: `plain`, `encrypted` or `sensitive`. `system` is
/// in the request enum but reserved for Vercel's own variables, so the fake
/// rejects it; `secret` (retired) and anything else too.
pub(super) fn request_type(kind: &str, key: &str) -> Result<EnvType, Error> {
    match EnvType::parse(kind) {
        Some(t @ (EnvType::Plain | EnvType::Encrypted | EnvType::Sensitive)) => Ok(t),
        _ => Err(bad_request(&format!(
            "Invalid type `{kind}`: must be plain, encrypted or sensitive"
        ))
        .with("key", key.to_string())),
    }
}

pub(super) fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn scope_of(target: &[String], custom: &[String]) -> BTreeSet<String> {
    target
        .iter()
        .cloned()
        .chain(custom.iter().map(|c| format!("custom:{c}")))
        .collect()
}

pub(super) fn schema_error(field: &str, expected: &str) -> Error {
    bad_request(&format!("Invalid request: `{field}` should be {expected}"))
}

pub(super) fn required_str(obj: &Map<String, Value>, field: &str) -> Result<String, Error> {
    optional_str(obj, field)?.ok_or_else(|| {
        bad_request(&format!(
            "Invalid request: missing required property `{field}`"
        ))
    })
}

pub(super) fn optional_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, Error> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(schema_error(field, "a string")),
    }
}

pub(super) fn optional_list(
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<Vec<String>>, Error> {
    match obj.get(field) {
        None => Ok(None),
        value => string_list(value)
            .map(Some)
            .ok_or_else(|| schema_error(field, "an array of strings")),
    }
}

/// `target` as an array, or leniently a single string; duplicates dropped.
pub(super) fn optional_targets(obj: &Map<String, Value>) -> Result<Option<Vec<String>>, Error> {
    let targets = match obj.get("target") {
        None => return Ok(None),
        Some(Value::String(s)) => vec![s.clone()],
        value => string_list(value).ok_or_else(|| schema_error("target", "an array of strings"))?,
    };
    let mut unique = Vec::new();
    for t in targets {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    Ok(Some(unique))
}

/// `gitBranch`: absent → `None`; `null` or `""` → `Some(None)`.
pub(super) fn optional_branch(obj: &Map<String, Value>) -> Result<Option<Option<String>>, Error> {
    match obj.get("gitBranch") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()).filter(|s| !s.is_empty()))),
        Some(_) => Err(schema_error("gitBranch", "a string or null")),
    }
}

pub(super) fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    value?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}
