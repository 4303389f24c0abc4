//! The `migrations:` block of an environment file (and of `defaults:`):
//! the head, the database URL, and which runner's table holds the history.

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::files::{SecretRefSpec, secret_schema};
use envctl_core::model::SecretRef;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSpec {
    /// `latest` (the newest file in the migrations folder) or a pinned
    /// version such as `"20240101120000"`. An environment that leaves it
    /// out takes the default's.
    #[serde(default)]
    #[schemars(schema_with = "head_schema")]
    pub head: Option<String>,
    /// The environment's PostgreSQL database, as `{ secret: env:NAME }`
    /// (the URL holds a password, so it is always a secret reference):
    /// `postgresql://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=PATH`.
    /// With it, envctl reads the applied history from
    /// `supabase_migrations.schema_migrations` directly, and
    /// `envctl apply ENV --migrations` applies pending files. Only in an
    /// environment file: each environment has its own database.
    #[serde(default)]
    pub database_url: Option<DatabaseUrl>,
    /// The runner whose own history table records what is applied, when
    /// the migrations are not run by the platform's own tool:
    /// `node-pg-migrate`, `knex`, `prisma`, `drizzle`, `golang-migrate` or
    /// `flyway`. `paths.migrations` is then that runner's folder, and
    /// `head` one of its ids (a file name, a folder name, a version). The
    /// history is read over `database_url`; envctl does not apply such
    /// migrations: the plan names the runner's command.
    #[serde(default)]
    #[schemars(schema_with = "history_schema")]
    pub history: Option<String>,
    /// The runner's history table, when not its default (`pgmigrations`,
    /// `knex_migrations`, `__drizzle_migrations`, `schema_migrations`,
    /// `flyway_schema_history`; Prisma's cannot be renamed). Only with
    /// `history`.
    #[serde(default)]
    pub history_table: Option<String>,
    /// The schema of the runner's history table, when not its default
    /// (`public` for node-pg-migrate and Prisma, `drizzle` for Drizzle,
    /// the connection's current schema for the others). Only with
    /// `history`.
    #[serde(default)]
    pub history_schema: Option<String>,
}

/// A database URL: only ever a secret reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl(pub SecretRef);

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Long {
            secret: SecretRefSpec,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DatabaseUrl;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ secret: <reference> }`")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<DatabaseUrl, E> {
                // Never echoed: it likely holds a password.
                Err(E::custom(
                    "a database URL holds a password: write `{ secret: env:NAME }` (or `file:PATH`, `{ command: [...] }`), not the URL",
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DatabaseUrl, A::Error> {
                let long = Long::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(DatabaseUrl(long.secret.0))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for DatabaseUrl {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DatabaseUrl".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`{ secret: <reference> }`: where the database URL comes from; never the URL itself.",
            "type": "object",
            "properties": { "secret": secret_schema() },
            "required": ["secret"],
            "additionalProperties": false
        })
    }
}

fn head_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [ { "const": "latest" }, { "type": ["string", "integer"] } ] })
}

// A string with the names as examples, not an enum: a misspelt runner gets
// envctl's own error, with the name it was probably meant to be.
fn history_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "examples": ["node-pg-migrate", "knex", "prisma", "drizzle", "golang-migrate", "flyway"] })
}
