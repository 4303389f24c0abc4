//! JSON Schemas of the two file formats, generated from the Rust types and
//! committed under `schemas/` for editors; `validate` checks every file
//! against the same schemas so the editor and the CLI never disagree.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use super::files::{EnvironmentFile, ProjectFile};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::{Node, json};

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// `envctl.yaml`
    Project,
    /// `environments/<name>.yaml`
    Environment,
}

impl SchemaKind {
    pub const ALL: [SchemaKind; 2] = [SchemaKind::Project, SchemaKind::Environment];

    /// The file name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Project => "envctl.schema.json",
            SchemaKind::Environment => "environment.schema.json",
        }
    }
}

/// The schema as pretty JSON with a trailing newline, as committed.
pub fn render(kind: SchemaKind) -> String {
    let schema = match kind {
        SchemaKind::Project => schemars::schema_for!(ProjectFile),
        SchemaKind::Environment => schemars::schema_for!(EnvironmentFile),
    };
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
    text.push('\n');
    text
}

fn validator(kind: SchemaKind) -> &'static jsonschema::Validator {
    static PROJECT: OnceLock<jsonschema::Validator> = OnceLock::new();
    static ENVIRONMENT: OnceLock<jsonschema::Validator> = OnceLock::new();
    let cell = match kind {
        SchemaKind::Project => &PROJECT,
        SchemaKind::Environment => &ENVIRONMENT,
    };
    cell.get_or_init(|| {
        let schema: Value = serde_json::from_str(&render(kind)).expect("generated schema parses");
        jsonschema::validator_for(&schema).expect("generated schema compiles")
    })
}

/// Checks a parsed file against its schema. Messages are masked: they name
/// the place and the constraint, never the value (which may be a secret
/// typed in by mistake).
pub fn check(kind: SchemaKind, file: &Path, root: &Node) -> Vec<Diagnostic> {
    let instance = json::to_json(root);
    let mut found: Vec<Diagnostic> = validator(kind)
        .iter_errors(&instance)
        .map(|error| {
            let pointer = error.instance_path().to_string();
            let pos = root.at_pointer(&pointer).map(|n| n.pos).unwrap_or(root.pos);
            let place = if pointer.is_empty() {
                "the file".to_string()
            } else {
                format!("`{}`", &pointer[1..])
            };
            Diagnostic::error(
                file,
                Some(pos),
                format!("schema: {place}: {}", error.masked()),
            )
        })
        .collect();
    found.sort_by_key(|a| (a.line, a.column));
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use envctl_core::yaml::parse;

    fn schema_errors(kind: SchemaKind, text: &str) -> Vec<Diagnostic> {
        check(kind, Path::new("f.yaml"), &parse(text).unwrap().unwrap())
    }

    #[test]
    fn committed_schemas_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        for kind in SchemaKind::ALL {
            let path = dir.join(kind.file_name());
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == render(kind),
                "{} is stale: run `cargo run -- schema --write schemas` and commit it",
                path.display()
            );
        }
    }

    #[test]
    fn schema_accepts_values_as_an_editor_types_them() {
        let ok = "protected: true\nvariables:\n  PORT: 08080\n  FLAG: no\n  S: { secret: env:S }\n  D: ~\n";
        assert_eq!(schema_errors(SchemaKind::Environment, ok), vec![]);
    }

    #[test]
    fn schema_errors_point_at_the_offending_line_without_the_value() {
        let errors = schema_errors(
            SchemaKind::Environment,
            "variables:\n  A: x\n  S: { secret: vault:sk_live_canary }\n",
        );
        assert!(!errors.is_empty());
        assert_eq!(errors[0].line, Some(3));
        assert!(
            errors.iter().all(|e| !e.message.contains("sk_live_canary")),
            "{errors:?}"
        );
        let errors = schema_errors(SchemaKind::Environment, "protectd: true\n");
        assert_eq!(errors[0].line, Some(1));
    }
}
