//! Project settings: the declared Auth URLs and Storage buckets against
//! what the project has. Only declared fields are compared; a bucket the
//! environment does not declare is left alone, prune or not (it holds
//! data).

use std::collections::BTreeSet;

use super::diff::undeclared;
use super::{Action, Change, Reason, Subject, Value};
use crate::model::{LiveSettings, ProjectSettings, join_urls};

pub(super) const SITE_URL: &str = "auth.site_url";
pub(super) const REDIRECT_URLS: &str = "auth.redirect_urls";

pub(super) fn diff_settings(
    want: &ProjectSettings,
    live: &LiveSettings,
    changes: &mut Vec<Change>,
) {
    if let Some(auth) = &want.auth {
        let location = Some(auth.location.clone());
        let have = live.auth.as_ref();
        if let Some(site_url) = &auth.site_url {
            let before = have.map(|a| a.site_url.clone().unwrap_or_default());
            changes.push(setting(
                SITE_URL,
                site_url,
                before.as_deref(),
                before.as_deref() == Some(site_url.as_str()),
                location.clone(),
            ));
        }
        if let Some(urls) = &auth.redirect_urls {
            let before = have.map(|a| join_urls(&a.redirect_urls));
            // The order of the list means nothing to Auth.
            let same = have.is_some_and(|a| {
                a.redirect_urls.iter().collect::<BTreeSet<_>>() == urls.iter().collect()
            });
            changes.push(setting(
                REDIRECT_URLS,
                &join_urls(urls),
                before.as_deref(),
                same,
                location,
            ));
        }
    }
    diff_buckets(want, live, changes);
}

/// One setting; `before` is `None` when it could not be read.
fn setting(
    name: &str,
    want: &str,
    before: Option<&str>,
    same: bool,
    location: Option<crate::diagnostic::Location>,
) -> Change {
    let text = |t: &str| Value::Text {
        text: t.to_string(),
    };
    let (action, reason) = match before {
        None => (
            Action::Unknown,
            Reason::LiveUnavailable {
                why: "this target does not report its Auth settings".into(),
            },
        ),
        Some(_) if same => (Action::Unchanged, Reason::Matches),
        Some(_) => (Action::Update, Reason::Differs),
    };
    Change {
        subject: Subject::Setting {
            name: name.to_string(),
        },
        action,
        before: before.map(text),
        after: Some(text(want)),
        reason,
        location,
    }
}

fn diff_buckets(want: &ProjectSettings, live: &LiveSettings, changes: &mut Vec<Change>) {
    if want.buckets.is_empty() {
        return;
    }
    for (name, bucket) in &want.buckets {
        let after = Some(Value::Bucket {
            public: bucket.public,
        });
        let (action, reason, before) = match live.buckets.as_ref().map(|b| b.get(name)) {
            None => (
                Action::Unknown,
                Reason::LiveUnavailable {
                    why: "this target does not report its Storage buckets".into(),
                },
                None,
            ),
            Some(None) => (Action::Create, Reason::NotLive, None),
            Some(Some(public)) if *public == bucket.public => {
                (Action::Unchanged, Reason::Matches, after.clone())
            }
            Some(Some(public)) => (
                Action::Update,
                Reason::Differs,
                Some(Value::Bucket { public: *public }),
            ),
        };
        changes.push(Change {
            subject: Subject::Bucket { name: name.clone() },
            action,
            before,
            after,
            reason,
            location: Some(bucket.location.clone()),
        });
    }
    for (name, public) in live.buckets.iter().flatten() {
        if !want.buckets.contains_key(name) {
            // Never pruned: a bucket holds data.
            changes.push(undeclared(
                Subject::Bucket { name: name.clone() },
                Value::Bucket { public: *public },
                false,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::model::{Auth, Bucket, LiveAuth};
    use std::collections::BTreeMap;

    fn want() -> ProjectSettings {
        let location = Location::new(
            std::path::Path::new("environments/production.yaml"),
            crate::span::Pos { line: 3, column: 1 },
        );
        ProjectSettings {
            auth: Some(Auth {
                site_url: Some("https://app.example.com".into()),
                redirect_urls: Some(vec![
                    "https://a.example.com".into(),
                    "https://b.example.com".into(),
                ]),
                location: location.clone(),
                url_locations: Vec::new(),
            }),
            buckets: BTreeMap::from([(
                "content".to_string(),
                Bucket {
                    name: "content".into(),
                    public: false,
                    location,
                },
            )]),
        }
    }

    fn actions(live: &LiveSettings) -> Vec<(String, Action)> {
        let mut changes = Vec::new();
        diff_settings(&want(), live, &mut changes);
        changes
            .iter()
            .map(|c| (c.subject.to_string(), c.action))
            .collect()
    }

    #[test]
    fn a_site_url_that_differs_is_updated_and_a_missing_bucket_created() {
        let live = LiveSettings {
            auth: Some(LiveAuth {
                site_url: Some("http://localhost:3000".into()),
                redirect_urls: vec![
                    "https://b.example.com".into(),
                    "https://a.example.com".into(),
                ],
            }),
            buckets: Some(BTreeMap::from([("old".to_string(), true)])),
        };
        assert_eq!(
            actions(&live),
            [
                ("auth.site_url".to_string(), Action::Update),
                ("auth.redirect_urls".to_string(), Action::Unchanged),
                ("bucket content".to_string(), Action::Create),
                ("bucket old".to_string(), Action::Unchanged),
            ]
        );
    }

    #[test]
    fn settings_not_read_cannot_be_verified() {
        let all = actions(&LiveSettings::default());
        assert!(all.iter().all(|(_, a)| *a == Action::Unknown), "{all:?}");
    }

    #[test]
    fn a_bucket_whose_flag_differs_is_updated_never_deleted() {
        let live = LiveSettings {
            auth: None,
            buckets: Some(BTreeMap::from([("content".to_string(), true)])),
        };
        let got = actions(&live);
        assert!(
            got.contains(&("bucket content".to_string(), Action::Update)),
            "{got:?}"
        );
        assert!(got.iter().all(|(_, a)| *a != Action::Delete));
    }
}
