//! The project's settings envctl manages — Auth URLs and Storage buckets —
//! read when the environment declares them (or for `import`, always), and
//! applied after the secrets: one `PATCH` for the Auth URLs, one query per
//! bucket to create or change.

use envctl_core::model::{LiveSettings, ProjectSettings, Write};

use super::SupabaseProvider;
use crate::provider::{ApplyFailure, ProviderError, Stop};

/// Which settings a read asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Reads {
    pub auth: bool,
    pub buckets: bool,
}

impl Reads {
    pub fn of(settings: &ProjectSettings) -> Reads {
        Reads {
            auth: settings.auth.is_some(),
            buckets: !settings.buckets.is_empty(),
        }
    }
}

impl SupabaseProvider {
    /// Reads the settings the environment declares, and only those.
    pub fn with_settings(self, settings: &ProjectSettings) -> SupabaseProvider {
        SupabaseProvider {
            reads: Reads::of(settings),
            ..self
        }
    }

    /// Reads everything the target holds, declared or not: for `import`.
    pub fn reading_everything(self) -> SupabaseProvider {
        SupabaseProvider {
            read_migrations: true,
            reads: Reads {
                auth: true,
                buckets: true,
            },
            ..self
        }
    }

    pub(super) async fn live_settings(&self) -> Result<LiveSettings, ProviderError> {
        let project = self.project_ref.as_str();
        let (auth, buckets) = tokio::join!(
            async {
                match self.reads.auth {
                    true => self.api.auth_urls(project).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match self.reads.buckets {
                    true => self.api.list_buckets(project).await.map(Some),
                    false => Ok(None),
                }
            }
        );
        Ok(LiveSettings {
            auth: auth.map_err(|e| self.error(e, "auth:read"))?,
            buckets: buckets.map_err(|e| self.error(e, "storage:read"))?,
        })
    }

    /// The Auth URLs in one `PATCH`, then each bucket.
    pub(super) async fn apply_settings(
        &self,
        writes: &[Write],
        stop: &Stop,
        done: &mut Vec<usize>,
    ) -> Result<(), ApplyFailure> {
        let project = self.project_ref.as_str();
        let auth: Vec<(usize, &Write)> = writes
            .iter()
            .enumerate()
            .filter(|(_, w)| matches!(w, Write::SetSetting { .. }))
            .collect();
        if !auth.is_empty() {
            if stop.requested() {
                return Err(ApplyFailure::stopped(&self.target, done));
            }
            let only: Vec<&Write> = auth.iter().map(|(_, w)| *w).collect();
            self.api
                .update_auth_urls(project, &only)
                .await
                .map_err(|e| ApplyFailure::after(done, self.error(e, "auth:write")))?;
            done.extend(auth.iter().map(|(i, _)| *i));
        }
        for (i, write) in writes.iter().enumerate() {
            if let Write::SetBucket {
                name,
                public,
                create,
            } = write
            {
                if stop.requested() {
                    return Err(ApplyFailure::stopped(&self.target, done));
                }
                self.api
                    .set_bucket(project, name, *public, *create)
                    .await
                    .map_err(|e| ApplyFailure::after(done, self.error(e, "database:write")))?;
                done.push(i);
            }
        }
        Ok(())
    }
}
