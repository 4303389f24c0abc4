//! Which records a Vercel target owns. A record is for a set of standard
//! targets (`production`, `preview`, `development`) and a set of custom
//! environments (`customEnvironmentIds`), and optionally one git branch;
//! a target owns the records whose set includes its own scope:
//!
//! * a standard target (with, for `preview`, its branch or none), or
//! * a custom environment, by the id its slug resolved to when the
//!   project's custom environments were read (once per plan).
//!
//! The scope a read used travels to apply in the snapshot's handles, so
//! apply writes exactly where the plan read.

use super::api::Record;

/// What one target reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `production`, `preview` or `development`; a preview's branch.
    Target {
        name: String,
        branch: Option<String>,
    },
    /// A custom environment: its id, and the slug the file names it by.
    Custom { id: String, slug: String },
}

impl Scope {
    /// Whether `r` holds this scope's value of its key.
    pub fn owns(&self, r: &Record) -> bool {
        let branch = r.git_branch.as_deref().filter(|b| !b.is_empty());
        if r.kind == "system" {
            return false;
        }
        match self {
            Scope::Target { name, branch: own } => {
                r.target.contains(name) && branch == own.as_deref()
            }
            Scope::Custom { id, .. } => r.custom_environment_ids.contains(id) && branch.is_none(),
        }
    }

    /// The list query that narrows a project's records to this scope:
    /// `target=…` (and `gitBranch`), or `customEnvironmentId=…`, as the
    /// Vercel CLI asks.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        match self {
            Scope::Target { name, branch } => {
                let mut q = vec![("target", name.clone())];
                if let Some(b) = branch {
                    q.push(("gitBranch", b.clone()));
                }
                q
            }
            Scope::Custom { id, .. } => vec![("customEnvironmentId", id.clone())],
        }
    }

    /// `target` and `customEnvironmentIds` of a record of this scope alone.
    pub fn fields(&self) -> (Vec<&str>, Vec<&str>) {
        match self {
            Scope::Target { name, .. } => (vec![name.as_str()], Vec::new()),
            Scope::Custom { id, .. } => (Vec::new(), vec![id.as_str()]),
        }
    }

    /// The branch a new record of this scope is written with.
    pub fn branch(&self) -> Option<&str> {
        match self {
            Scope::Target { branch, .. } => branch.as_deref(),
            Scope::Custom { .. } => None,
        }
    }

    /// A record's targets and custom environments without this scope: what
    /// a shared record keeps when this target splits from it.
    pub fn without(&self, targets: &[String], custom: &[String]) -> (Vec<String>, Vec<String>) {
        let keep = |list: &[String], own: Option<&String>| {
            list.iter()
                .filter(|t| Some(*t) != own)
                .cloned()
                .collect::<Vec<_>>()
        };
        match self {
            Scope::Target { name, .. } => (keep(targets, Some(name)), custom.to_vec()),
            Scope::Custom { id, .. } => (targets.to_vec(), keep(custom, Some(id))),
        }
    }

    /// How the plan names what a shared record is shared by.
    pub fn describe_set(targets: &[String], custom: &[String]) -> String {
        targets
            .iter()
            .cloned()
            .chain(custom.iter().map(|id| format!("custom environment {id}")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(target: &[&str], custom: &[&str], branch: Option<&str>) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "env_1", "key": "K", "type": "encrypted",
            "target": target, "customEnvironmentIds": custom, "gitBranch": branch,
        }))
        .unwrap()
    }

    #[test]
    fn a_custom_scope_owns_its_records_and_splits_only_itself_off() {
        let custom = Scope::Custom {
            id: "env_qa".into(),
            slug: "qa".into(),
        };
        let preview = Scope::Target {
            name: "preview".into(),
            branch: None,
        };
        let shared = record(&["preview"], &["env_qa", "env_uat"], None);
        assert!(custom.owns(&shared) && preview.owns(&shared));
        assert!(!custom.owns(&record(&["preview"], &["env_uat"], None)));
        assert!(!preview.owns(&record(&["preview"], &[], Some("staging"))));
        let targets = ["preview".to_string()];
        let ids = ["env_qa".to_string(), "env_uat".to_string()];
        assert_eq!(
            custom.without(&targets, &ids),
            (vec!["preview".into()], vec!["env_uat".into()])
        );
        assert_eq!(preview.without(&targets, &ids), (vec![], ids.to_vec()));
        assert_eq!(custom.query(), [("customEnvironmentId", "env_qa".into())]);
        assert_eq!(custom.fields(), (vec![], vec!["env_qa"]));
    }
}
