//! A Supabase target's provider: the token, the API, and the database of
//! `migrations.database_url` when the environment names one.

use super::database::{Database, history};
use super::{Settings, SupabaseProvider, api};
use crate::provider::connect::{ConnectError, Project, login, url_error};
use crate::provider::credentials;
use crate::provider::http::Policy;
use envctl_core::model::{Environment, Target};

pub fn connect(
    project: &Project<'_>,
    env: &Environment,
    target: &Target,
    settings: &Settings,
) -> Result<SupabaseProvider, ConnectError> {
    let auth = |message| ConnectError::failed(target, "authenticate", message);
    let (token, base) = login(&api::LOGIN).map_err(auth)?;
    let client = api::Api::new(&base, token, Policy::from_env())
        .map_err(|e| auth(url_error(&api::LOGIN, e)))?;
    let provider = SupabaseProvider::new(
        &target.name,
        &settings.project_ref,
        client,
        project.root.to_path_buf(),
        project.functions,
        env.migrations.is_some(),
    )
    .with_settings(&env.settings);
    let Some(reference) = env
        .migrations
        .as_ref()
        .and_then(|m| m.database_url.as_ref())
    else {
        return Ok(provider);
    };
    let database = credentials::database_url(reference, project.root, project.name, &env.name)
        .and_then(|url| {
            Database::parse(&url, project.root).map_err(|why| format!("{reference}: {why}"))
        })
        .map_err(|message| ConnectError::failed(target, "migrations.database_url", message))?;
    let history = env
        .migrations
        .as_ref()
        .and_then(|m| m.history.as_ref())
        .and_then(|h| {
            Some(history::Source {
                runner: history::Runner::parse(&h.runner)?,
                table: h.table.clone(),
                schema: h.schema.clone(),
                folder: project.root.join(&h.folder),
            })
        });
    Ok(provider.with_database(database, history))
}
