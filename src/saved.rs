//! Saved plans: what `plan --out FILE` writes and `apply FILE` checks.
//!
//! A plan file holds the reviewed changes (masked, as the JSON plan shows
//! them), a version token of every live object the plan read, and each
//! secret's reference with the short fingerprint of the value planned —
//! never a value. `apply FILE` plans again and refuses unless live state,
//! the secrets and the changes are what the file says. A checksum over the
//! content catches truncation and hand edits (it is not a signature:
//! whoever can write the file can recompute it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::clock::now_ms;
use crate::config::{Environment, VarValue, Workspace};
use crate::engine::Planned;
use envctl_core::plan::{Action, Plan, Subject};
use envctl_core::secret::Fingerprint;

/// Bumped whenever a field's meaning changes; other versions are refused.
/// Version 2: fingerprints keyed ([`crate::keyed`]), `fingerprint_key`.
/// Version 3: `changes` are typed ([`SavedChange`]), not rendered lines.
pub const FORMAT_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    pub format_version: u32,
    pub envctl_version: String,
    pub project: String,
    pub environment: String,
    pub created_at_ms: i64,
    /// Planned with `--allow-delete`.
    pub allow_delete: bool,
    /// Planned with `--adopt`.
    pub adopt: bool,
    /// The id of the fingerprint key every token below is keyed with.
    pub fingerprint_key: String,
    /// Every change `apply` will make, in plan order.
    pub changes: Vec<SavedChange>,
    /// target → object → version token, as read when planning.
    pub live: BTreeMap<String, BTreeMap<String, String>>,
    /// Each resolved secret: its reference and the short fingerprint of
    /// the value planned.
    pub secrets: BTreeMap<String, PlannedSecret>,
    /// The plan as `plan --format json` shows it, for reading.
    pub plan: serde_json::Value,
    /// hex(sha256) of the file with this field empty.
    pub checksum: String,
}

/// Whether text is a plan file envctl wrote, of any format version: a JSON
/// object with the fields every version has had.
fn is_saved_plan(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).is_ok_and(|doc| {
        [
            "format_version",
            "envctl_version",
            "project",
            "environment",
            "checksum",
        ]
        .iter()
        .all(|key| doc.get(key).is_some())
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedSecret {
    pub source: String,
    pub fingerprint: String,
}

/// One change apply will make: where, to what, and the value it leaves as
/// the plan shows it (masked; `-` for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedChange {
    pub target: String,
    pub subject: Subject,
    pub action: Action,
    pub after: String,
}

impl std::fmt::Display for SavedChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let SavedChange {
            target,
            subject,
            action,
            after,
        } = self;
        write!(f, "{target}: {action:?} {subject} = {after}")
    }
}

/// Every change that apply will make, in plan order.
pub fn changes(plan: &Plan) -> Vec<SavedChange> {
    plan.targets
        .iter()
        .flat_map(|t| {
            t.changes
                .iter()
                .filter(|c| !matches!(c.action, Action::Unchanged))
                .map(move |c| SavedChange {
                    target: t.name.clone(),
                    subject: c.subject.clone(),
                    action: c.action,
                    after: c
                        .after
                        .as_ref()
                        .map(envctl_core::render::value)
                        .unwrap_or_else(|| "-".into()),
                })
        })
        .collect()
}

/// target → object → version token, of what the plan read.
fn live_tokens(planned: &Planned) -> Result<BTreeMap<String, BTreeMap<String, String>>, Error> {
    Ok(planned
        .runs()?
        .iter()
        .map(|run| (run.plan.name.clone(), run.live.fingerprints()))
        .collect())
}

fn planned_secrets(env: &Environment, planned: &Planned) -> BTreeMap<String, PlannedSecret> {
    env.variables
        .values()
        .filter_map(|v| match &v.value {
            VarValue::Secret(reference) => planned.secrets.values.get(&v.name).map(|value| {
                (
                    v.name.clone(),
                    PlannedSecret {
                        source: reference.to_string(),
                        fingerprint: value.fingerprint().versioned(),
                    },
                )
            }),
            _ => None,
        })
        .collect()
}

/// The largest plan file `apply` reads (64 MiB): a plan of 5,000 changes
/// is a few MiB, and a plan file is input like any other (it may come from
/// a CI artifact).
pub const MAX_PLAN_BYTES: u64 = 64 << 20;

/// The file's bytes, refusing what is not a file (`/dev/zero`) or is
/// larger than [`MAX_PLAN_BYTES`] without reading it all.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read as _};
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_PLAN_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        return Err(Error::other("larger than the 64 MiB a plan file may be"));
    }
    Ok(bytes)
}

impl SavedPlan {
    pub fn new(
        ws: &Workspace,
        env: &Environment,
        planned: &Planned,
        allow_delete: bool,
        adopt: bool,
    ) -> Result<Self, Error> {
        let plan_json =
            serde_json::from_str(&envctl_core::render::json(&planned.plan, &planned.verdict))
                .map_err(|e| {
                    Error::Usage(format!("internal error: the JSON plan does not parse: {e}"))
                })?;
        let mut saved = SavedPlan {
            format_version: FORMAT_VERSION,
            envctl_version: env!("CARGO_PKG_VERSION").to_string(),
            project: ws.project.clone(),
            environment: env.name.clone(),
            created_at_ms: now_ms(),
            allow_delete,
            adopt,
            fingerprint_key: crate::keyed::key().map(|k| k.id()).unwrap_or_default(),
            changes: changes(&planned.plan),
            live: live_tokens(planned)?,
            secrets: planned_secrets(env, planned),
            plan: plan_json,
            checksum: String::new(),
        };
        saved.checksum = saved.digest();
        Ok(saved)
    }

    fn digest(&self) -> String {
        let mut copy = self.clone();
        copy.checksum.clear();
        let text = serde_json::to_string(&copy).expect("plans serialize");
        Fingerprint::of(&text).hex().to_string()
    }

    /// Writes the file with mode 0600, atomically.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).expect("plans serialize");
        text.push('\n');
        crate::fs::write_atomically(path, &text)
    }

    /// Reads and checks a plan file: JSON, this format version, intact.
    pub fn read(path: &Path) -> Result<SavedPlan, String> {
        let shown = path.display();
        let bytes =
            read_bounded(path).map_err(|e| format!("cannot read the plan file {shown}: {e}"))?;
        // From bytes, so a byte that is not UTF-8 is reported with its line.
        let doc: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{shown}:{}:{}: not a plan file, or a truncated one ({e}); make a new one with `envctl plan ENV --out {shown}`",
                e.line(),
                e.column()
            )
        })?;
        match doc.get("format_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "{shown}: plan format version {v}, but this envctl reads version {FORMAT_VERSION}; plan again with this envctl"
                ));
            }
            None => {
                return Err(format!(
                    "{shown}: not an envctl plan file (no `format_version`); make one with `envctl plan ENV --out {shown}`"
                ));
            }
        }
        let saved: SavedPlan = serde_json::from_value(doc).map_err(|e| {
            format!("{shown}: not a valid plan file ({e}); plan again to make a new one")
        })?;
        // Named back in messages: a hand-made plan must not smuggle
        // terminal escapes into them.
        if [&saved.project, &saved.environment]
            .iter()
            .any(|s| s.chars().any(char::is_control))
        {
            return Err(format!(
                "{shown}: not a valid plan file (a control character in its project or environment name); plan again to make a new one"
            ));
        }
        if saved.digest() != saved.checksum {
            return Err(format!(
                "{shown}: the plan file was changed after it was written (its checksum does not match); plan again instead of editing it"
            ));
        }
        Ok(saved)
    }

    /// Whether `plan --out` may replace what is at `path`: nothing, or a
    /// file envctl saved (even a stale, edited or older-format one — the
    /// fix for those is to plan again). Anything else — the project file,
    /// an environment file, a script — is refused without `--force`.
    pub fn may_replace(path: &Path) -> Result<(), String> {
        let shown = path.display();
        let meta = match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("cannot check {shown} before writing the plan: {e}")),
            Ok(meta) => meta,
        };
        // Not opened unless it is a regular file: a pipe would block.
        let text = meta
            .is_file()
            .then(|| std::fs::read_to_string(path).ok())
            .flatten();
        if text.as_deref().is_some_and(is_saved_plan) {
            Ok(())
        } else {
            Err(format!(
                "{shown} exists and is not an envctl saved plan, so `plan --out` will not overwrite it; choose another file, or pass --force to replace it"
            ))
        }
    }

    /// Why the fresh plan is not the one saved: live objects changed, a
    /// secret's value differs, or the changes differ. Empty when it is the
    /// same plan.
    pub fn staleness(&self, env: &Environment, fresh: &Planned) -> Result<Vec<String>, Error> {
        let mut why = Vec::new();
        let key = crate::keyed::key();
        if key.map(crate::keyed::Key::id).as_ref() != Some(&self.fingerprint_key) {
            why.push(format!(
                "the plan's fingerprints were made with another fingerprint key than {} here; plan and apply with the same {} (or {})",
                key.map_or("none", |k| k.source.as_str()),
                crate::keyed::KEY_VAR,
                crate::keyed::KEY_FILE,
            ));
            return Ok(why);
        }
        let now = live_tokens(fresh)?;
        for (target, then) in &self.live {
            let Some(current) = now.get(target) else {
                why.push(format!("target {target} is no longer declared"));
                continue;
            };
            for (key, token) in then {
                match current.get(key) {
                    None => why.push(format!("{target}: {key} was removed ({token})")),
                    Some(now) if now != token => {
                        why.push(format!("{target}: {key} changed ({token} → {now})"))
                    }
                    Some(_) => {}
                }
            }
            for (key, token) in current {
                if !then.contains_key(key) {
                    why.push(format!("{target}: {key} was added ({token})"));
                }
            }
        }
        for target in now.keys().filter(|t| !self.live.contains_key(*t)) {
            why.push(format!("target {target} was added to the environment"));
        }
        let secrets = planned_secrets(env, fresh);
        for (name, then) in &self.secrets {
            match secrets.get(name) {
                None => why.push(format!(
                    "secret {name} ({}) no longer resolves",
                    then.source
                )),
                Some(now) if now.source != then.source => why.push(format!(
                    "secret {name} now comes from {} (planned from {})",
                    now.source, then.source
                )),
                Some(now) if now.fingerprint != then.fingerprint => why.push(format!(
                    "secret {name} from {} has a different value than the one planned (fingerprint {} → {})",
                    then.source, then.fingerprint, now.fingerprint
                )),
                Some(_) => {}
            }
        }
        let changes = changes(&fresh.plan);
        if changes != self.changes {
            for change in self.changes.iter().filter(|c| !changes.contains(c)) {
                why.push(format!("planned change no longer planned: {change}"));
            }
            for change in changes.iter().filter(|c| !self.changes.contains(c)) {
                why.push(format!("change not in the saved plan: {change}"));
            }
        }
        Ok(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_saved_plans_are_recognised() {
        let plan = r#"{"format_version": 9, "envctl_version": "0.1.0", "project": "p",
            "environment": "e", "checksum": "x", "changes": []}"#;
        assert!(is_saved_plan(plan));
        for other in [
            "version: 1\nproject: huddle\n",
            r#"{"format_version": 1}"#,
            "[]",
            "",
        ] {
            assert!(!is_saved_plan(other), "{other}");
        }
    }
}
