//! Supabase migrations over a direct PostgreSQL connection: the applied
//! history read from `supabase_migrations.schema_migrations`, and pending
//! files applied and recorded exactly as the Supabase CLI's `db push`
//! records them, so both tools agree on what is applied.
//!
//! - [`split`] (the core's): a file into statements (dollar quotes,
//!   comments, strings);
//! - [`files`]: the local `<version>_<name>.sql` files;
//! - [`db`]: the connection (TLS by libpq's `sslmode`), the history, apply
//!   (in [`crate::provider::postgres`]).

pub mod files;

use crate::Error;
use crate::config::Workspace;
use crate::provider::Snapshot;
use envctl_core::plan::DesiredTarget;

pub use crate::provider::postgres::{Applied, ApplyError, Database, Failure, HistoryRow, db};
pub use envctl_core::migration::{same_statements, split};
pub use files::LocalFile;

/// Gives each desired target the statements of its local files whose
/// versions the live history recorded statements for, so the plan can tell
/// a file edited after it was applied. Reads files only when some history
/// carries statements (a direct database connection).
pub fn attach_local(
    ws: &Workspace,
    desired: &mut [DesiredTarget],
    live: &[Snapshot],
) -> Result<(), Error> {
    let mut files: Option<Vec<LocalFile>> = None;
    for (target, snapshot) in desired.iter_mut().zip(live) {
        let (Some(want), Some(applied)) = (target.migrations.as_mut(), &snapshot.migrations) else {
            continue;
        };
        for row in applied.iter().filter(|a| a.statements.is_some()) {
            let list = match &files {
                Some(list) => list,
                None => files.insert(
                    files::list(&ws.root.join(&ws.paths.migrations)).map_err(Error::Usage)?,
                ),
            };
            if let Some(file) = list.iter().find(|f| f.version == row.version) {
                let statements = file.statements().map_err(Error::Usage)?;
                want.statements.insert(
                    row.version.clone(),
                    statements.into_iter().map(|s| s.text).collect(),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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

    const TARGET: &str =
        "targets:\n  db:\n    type: supabase\n    project_ref: abcdefghijklmnopqrst\n";

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
}
