//! What Cloudflare would refuse or envctl could not use, caught when the
//! files are loaded so nothing is sent: the deployment environment, the
//! account and D1 database ids, the D1 migration settings, and the one
//! variable name envctl keeps for itself ([`record::NAME`]).

use std::path::Path;

use super::settings::{D1_MIGRATIONS_DIR, Settings};
use super::{api, record};
use envctl_core::diagnostic::Diagnostic;
use envctl_core::yaml::Pos;

/// The target's settings, at `pos` in `file`.
pub fn target(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let environment = &settings.environment;
    if !matches!(environment.as_str(), "production" | "preview") {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{environment}` is not a Cloudflare Pages environment"),
            )
            .with_help(Some(
                "Pages projects have two: `environment: production` or `environment: preview`",
            )),
        );
    }
    if let Some(account) = &settings.account_id
        && !is_account_id(account)
    {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{account}` is not a Cloudflare account id"),
            )
            .with_help(Some(
                "an account id is 32 hex digits, as in https://dash.cloudflare.com/<account id>",
            )),
        );
    }
    if let Some(db) = &settings.database_id
        && !is_uuid(db)
    {
        diags.push(
            Diagnostic::error(file, pos, format!("`{db}` is not a D1 database id"))
                .with_help(Some(
                    "a database id is a UUID, as `wrangler d1 list` shows it (not the database's name)",
                )),
        );
    }
    diags.extend(d1_settings(settings, file, pos));
    diags
}

/// The D1 migration settings: a table envctl can query, a folder inside
/// the project, and neither without a database.
fn d1_settings(settings: &Settings, file: &Path, pos: Option<Pos>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let (dir, table) = (
        settings.migrations_dir.as_deref(),
        settings.migrations_table.as_deref(),
    );
    if let Some(table) = table
        && !is_sql_identifier(table)
    {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("`{table}` is not a table name envctl can query"),
            )
            .with_help(Some("letters, digits and `_`, not starting with a digit")),
        );
    }
    if settings.database_id.is_none() && (dir.is_some() || table.is_some()) {
        diags.push(
            Diagnostic::warning(
                file,
                pos,
                "`migrations_dir` and `migrations_table` are used only with `database_id`",
            )
            .with_help(Some("add the D1 database's id, or remove them")),
        );
    }
    if let Some(dir) = dir
        && (dir.is_empty()
            || Path::new(dir).is_absolute()
            || dir.split(['/', '\\']).any(|c| c == ".."))
    {
        diags.push(
            Diagnostic::error(
                file,
                pos,
                format!("migrations folder `{dir}` must stay inside the project"),
            )
            .with_help(Some("use a relative path such as `migrations`")),
        );
    }
    diags
}

/// Why envctl would refuse a variable named `name` sent to `target`: it
/// keeps its record of secrets under one name of its own. The message and
/// the help.
pub fn name(target: &str, name: &str) -> Option<(String, &'static str)> {
    (name == record::NAME).then(|| {
        (
            format!(
                "`{name}` is where envctl records the secrets it wrote to Cloudflare (target `{target}`); a variable of that name would be overwritten"
            ),
            "rename the variable",
        )
    })
}

pub fn is_account_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The table name goes into the query as is: only a plain identifier.
fn is_sql_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `.sql` file names of the D1 migrations folder, sorted: what
/// wrangler compares with the `name` column of its history table. `None`
/// without a database, or (with an error at `pos`) without the folder.
pub fn d1_migration_files(
    settings: &Settings,
    target: &str,
    root: &Path,
    file: &Path,
    pos: Option<Pos>,
) -> (Option<Vec<String>>, Option<Diagnostic>) {
    if settings.database_id.is_none() {
        return (None, None);
    }
    let dir = settings
        .migrations_dir
        .as_deref()
        .unwrap_or(D1_MIGRATIONS_DIR);
    match std::fs::read_dir(root.join(dir)) {
        Ok(entries) => {
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            names.sort();
            (Some(names), None)
        }
        Err(_) => (
            None,
            Some(
                Diagnostic::error(
                    file,
                    pos,
                    format!("target `{target}` has a D1 database but no migrations folder {dir}"),
                )
                .with_help(Some(
                    "create it (`wrangler d1 migrations create` does), or set `migrations_dir`",
                )),
            ),
        ),
    }
}

/// The account a target works in: its `account_id`, else `from_env` (the
/// value of [`api::ACCOUNT_VAR`], as wrangler reads it), which must be
/// there and be an account id.
pub fn account(configured: Option<&str>, from_env: Option<String>) -> Result<String, String> {
    if let Some(account) = configured {
        return Ok(account.to_string());
    }
    let Some(from_env) = from_env else {
        return Err(format!(
            "no Cloudflare account: set `account_id` on the target, or {} (the 32 hex digits in https://dash.cloudflare.com/<account id>)",
            api::ACCOUNT_VAR
        ));
    };
    if !is_account_id(&from_env) {
        return Err(format!(
            "{} is not a Cloudflare account id: expected 32 hex digits",
            api::ACCOUNT_VAR
        ));
    }
    Ok(from_env)
}
