//! Storage buckets: listed with `GET …/storage/buckets`
//! (`v1-list-all-buckets`). The Management API has no endpoint that
//! creates a bucket or changes one, so envctl does both as the SQL the
//! Supabase docs give for it, through the project's query endpoint
//! (`v1-run-a-query`): a row in `storage.buckets`. A bucket is never
//! deleted: it holds data.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;

use super::api::{Api, URL_VAR};
use crate::provider::http::{Call, HttpError};

impl Api {
    /// Bucket name → public.
    pub async fn list_buckets(&self, project: &str) -> Result<BTreeMap<String, bool>, HttpError> {
        #[derive(Deserialize)]
        struct Item {
            name: String,
            #[serde(default)]
            public: bool,
        }
        let call = Call::new(
            "list Storage buckets",
            Method::GET,
            "GET storage/buckets",
            Self::path(project, "/storage/buckets"),
        );
        let items: Vec<Item> = self.http.send(&call).await?.parse(&call, URL_VAR)?;
        Ok(items.into_iter().map(|i| (i.name, i.public)).collect())
    }

    /// Creates the bucket, or sets its public flag.
    pub async fn set_bucket(
        &self,
        project: &str,
        name: &str,
        public: bool,
        create: bool,
    ) -> Result<(), HttpError> {
        let call = Call::new(
            format!("{} bucket {name}", if create { "create" } else { "update" }),
            Method::POST,
            "POST query",
            Self::path(project, "/database/query"),
        )
        .json(&serde_json::json!({ "query": statement(name, public, create) }));
        self.http.send(&call).await.map(drop)
    }
}

/// The SQL that creates or updates a bucket. Names are checked when the
/// environment is loaded (letters, digits, `-`, `_`, `.`); quotes are
/// doubled all the same.
pub fn statement(name: &str, public: bool, create: bool) -> String {
    let name = name.replace('\'', "''");
    if create {
        format!(
            "INSERT INTO storage.buckets (id, name, public) VALUES ('{name}', '{name}', {public})"
        )
    } else {
        format!("UPDATE storage.buckets SET public = {public} WHERE id = '{name}'")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bucket_is_created_as_the_supabase_docs_write_it() {
        assert_eq!(
            super::statement("content", false, true),
            "INSERT INTO storage.buckets (id, name, public) VALUES ('content', 'content', false)"
        );
        assert_eq!(
            super::statement("o'k", true, false),
            "UPDATE storage.buckets SET public = true WHERE id = 'o''k'"
        );
    }
}
