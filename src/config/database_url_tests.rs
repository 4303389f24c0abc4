//! Unit tests of `migrations.database_url` and the migration head as
//! environment files declare them.

use crate::config::SecretRef;

type Loaded = (
    crate::config::Workspace,
    Vec<envctl_core::diagnostic::Diagnostic>,
);

fn workspace(project: &str, env: &str) -> Result<Loaded, crate::Error> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("environments")).unwrap();
    std::fs::create_dir_all(root.join("supabase/migrations")).unwrap();
    std::fs::write(root.join("supabase/migrations/1_a.sql"), "select 1;").unwrap();
    std::fs::write(root.join("supabase/migrations/2_b.sql"), "select 2;").unwrap();
    std::fs::write(
        root.join("envctl.yaml"),
        format!("version: 1\nproject: p\n{project}"),
    )
    .unwrap();
    std::fs::write(root.join("environments/staging.yaml"), env).unwrap();
    crate::config::load(root).map(|l| (l.workspace, l.warnings))
}

const TARGET: &str = "targets:\n  db:\n    type: supabase\n    project_ref: abcdefghijklmnopqrst\n";

#[test]
fn database_url_comes_from_the_environment_and_the_head_from_the_defaults() {
    let loaded = workspace(
        "defaults:\n  migrations:\n    head: latest\n",
        &format!("{TARGET}migrations:\n  database_url: {{ secret: env:STAGING_DB }}\n"),
    )
    .unwrap();
    let m = loaded.0.environments["staging"].migrations.clone().unwrap();
    assert_eq!(m.head, "2");
    assert_eq!(m.database_url, Some(SecretRef::Env("STAGING_DB".into())));
    assert!(loaded.1.is_empty(), "{:?}", loaded.1);
}

#[test]
fn database_url_is_refused_in_defaults_as_plain_text_and_without_a_head() {
    let errors = |project: &str, env: &str| match workspace(project, env) {
        Err(crate::Error::Invalid(diags)) => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("expected an error: {other:?}"),
    };
    let e = errors(
        "defaults:\n  migrations:\n    head: latest\n    database_url: { secret: env:DB }\n",
        TARGET,
    );
    assert!(e.contains("belongs in an environment file"), "{e}");
    let e = errors(
        "",
        &format!("{TARGET}migrations:\n  database_url: postgresql://u:CANARYpw@h/db\n"),
    );
    assert!(e.contains("holds a password"), "{e}");
    assert!(!e.contains("CANARY"), "{e}");
    let e = errors(
        "",
        &format!("{TARGET}migrations:\n  database_url: {{ secret: env:DB }}\n"),
    );
    assert!(e.contains("has no `head`"), "{e}");
}

#[test]
fn database_url_without_a_supabase_target_warns() {
    let loaded = workspace(
        "defaults:\n  migrations:\n    head: latest\n",
        "migrations:\n  database_url: { secret: env:DB }\n",
    )
    .unwrap();
    let w: Vec<String> = loaded.1.iter().map(|d| d.to_string()).collect();
    assert!(w.iter().any(|w| w.contains("no supabase target")), "{w:?}");
}
