//! The GitHub provider read and applied over HTTP against the stub of
//! `stub_tests.rs`: the shared conformance scenario, paging, moves between
//! secrets and variables (one change each), secrets changed by hand, and
//! the record that is never planned.

use std::collections::BTreeSet;

use super::stub_tests::{self, SCOPE, Stub, now_s};
use super::{GithubProvider, Settings, api, record};
use crate::provider::http::Policy;
use crate::provider::{LiveValue, Provider, Write};
use envctl_core::secret::{Fingerprint, Secret};

fn provider(stub: &Stub, secrets: &[&str], plain: &[&str]) -> GithubProvider {
    let settings = Settings {
        repository: "huddle-app/huddle".into(),
        environment: None,
        receives: None,
        prune: false,
    };
    let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<BTreeSet<_>>();
    let api = api::Api::new(
        &stub.base,
        Secret::new("test-token".into()),
        &settings.repository,
        None,
        Policy::default(),
    )
    .unwrap();
    GithubProvider::new("ci", &settings, names(secrets), names(plain), api)
}

fn set(name: &str, value: &str) -> Write {
    Write::Set {
        name: name.into(),
        value: Secret::new(value.into()),
    }
}

#[tokio::test]
async fn the_conformance_scenario_passes_with_github_headers() {
    let stub = stub_tests::start().await;
    let github = Provider::Github(provider(&stub, &["TOKEN"], &["PLAIN"]));
    crate::provider::conformance::run(&github).await.unwrap();
    let state = stub.state.lock().unwrap();
    assert_eq!(state.bad_headers, Vec::<String>::new());
    assert_eq!(state.secrets["TOKEN"].0, "rotated", "opened by the stub");
    // The record is GitHub's variable, never a planned one.
    assert!(state.variables.contains_key(record::NAME));
    assert!(!state.variables[record::NAME].0.contains("rotated"));
}

#[tokio::test]
async fn lists_follow_every_page() {
    let stub = stub_tests::start().await;
    {
        let mut state = stub.state.lock().unwrap();
        for i in 0..75 {
            state
                .variables
                .insert(format!("VAR_{i:03}"), ("v".into(), 0));
        }
        for i in 0..150 {
            state
                .secrets
                .insert(format!("SECRET_{i:03}"), ("s".into(), 0));
        }
    }
    let live = provider(&stub, &[], &[]).read().await.unwrap();
    assert_eq!(live.variables.len(), 225);
    let requests = stub.state.lock().unwrap().requests.clone();
    let pages = |kind: &str| {
        requests
            .iter()
            .filter(|r| r.starts_with(&format!("GET {SCOPE}/{kind}?")))
            .count()
    };
    assert_eq!((pages("variables"), pages("secrets")), (3, 2));
    assert!(
        requests
            .iter()
            .any(|r| r.contains("variables?per_page=30&page=3"))
    );
    assert!(
        requests
            .iter()
            .any(|r| r.contains("secrets?per_page=100&page=2"))
    );
}

#[tokio::test]
async fn a_value_of_the_wrong_kind_is_one_change_and_moves() {
    let stub = stub_tests::start().await;
    {
        let mut state = stub.state.lock().unwrap();
        state
            .variables
            .insert("API_KEY".into(), ("leaked".into(), 0));
        state
            .secrets
            .insert("SITE_URL".into(), ("https://x".into(), 0));
    }
    let github = provider(&stub, &["API_KEY"], &["SITE_URL"]);
    let live = github.read().await.unwrap();
    assert_eq!(live.variables.len(), 2, "one value per name");
    for name in ["API_KEY", "SITE_URL"] {
        assert!(
            matches!(live.variables[name], LiveValue::Stale { .. }),
            "{name}"
        );
    }
    let writes = [set("API_KEY", "sk_live_1"), set("SITE_URL", "https://x")];
    github
        .apply(&live, &writes, &crate::provider::Stop::new())
        .await
        .unwrap();
    {
        let state = stub.state.lock().unwrap();
        assert_eq!(state.secrets.keys().collect::<Vec<_>>(), ["API_KEY"]);
        let vars: Vec<_> = state.variables.keys().collect();
        assert_eq!(vars, [record::NAME, "SITE_URL"]);
    }
    let again = github.read().await.unwrap();
    assert!(
        matches!(&again.variables["API_KEY"], LiveValue::Digest(d) if *d == Fingerprint::of("sk_live_1"))
    );
    assert!(
        matches!(&again.variables["SITE_URL"], LiveValue::Plain(v) if v.expose() == "https://x")
    );
}

#[tokio::test]
async fn a_secret_changed_after_the_record_is_stale_and_unrecorded_is_unknown() {
    let stub = stub_tests::start().await;
    let github = provider(&stub, &["A", "B", "C"], &[]);
    let live = github.read().await.unwrap();
    let writes = [set("A", "a1"), set("B", "b1")];
    let stop = crate::provider::Stop::new();
    github.apply(&live, &writes, &stop).await.unwrap();
    {
        let mut state = stub.state.lock().unwrap();
        // B rewritten by hand an hour later; C made by hand.
        state
            .secrets
            .insert("B".into(), ("b2".into(), now_s() + 3600));
        state.secrets.insert("C".into(), ("c".into(), now_s()));
    }
    let live = github.read().await.unwrap();
    assert!(matches!(&live.variables["A"], LiveValue::Digest(d) if *d == Fingerprint::of("a1")));
    assert!(
        matches!(&live.variables["B"], LiveValue::Stale { why } if why.contains("after envctl last recorded it"))
    );
    assert!(matches!(live.variables["C"], LiveValue::Unreadable));
    assert!(!live.variables.contains_key(record::NAME));
    assert!(live.updated_ms.contains_key("B"));
    // Deleting A and rewriting B keeps the record true.
    let writes = [Write::Delete { name: "A".into() }, set("B", "b3")];
    github.apply(&live, &writes, &stop).await.unwrap();
    let live = github.read().await.unwrap();
    assert!(!live.variables.contains_key("A"));
    assert!(matches!(&live.variables["B"], LiveValue::Digest(d) if *d == Fingerprint::of("b3")));
}

#[tokio::test]
async fn a_stop_sends_nothing_more() {
    let stub = stub_tests::start().await;
    let github = provider(&stub, &["A"], &[]);
    let live = github.read().await.unwrap();
    let stop = crate::provider::Stop::new();
    stop.request();
    let failure = github
        .apply(&live, &[set("A", "a")], &stop)
        .await
        .unwrap_err();
    assert!(failure.interrupted && failure.done.is_empty());
    assert!(stub.state.lock().unwrap().secrets.is_empty());
}

#[tokio::test]
async fn a_missing_repository_names_what_to_check_and_no_value() {
    let stub = stub_tests::start().await;
    let settings = Settings {
        repository: "someone/else".into(),
        environment: Some("production".into()),
        receives: None,
        prune: false,
    };
    let api = api::Api::new(
        &stub.base,
        Secret::new("test-token".into()),
        &settings.repository,
        settings.environment.as_deref(),
        Policy::default(),
    )
    .unwrap();
    let github = GithubProvider::new("ci", &settings, BTreeSet::new(), BTreeSet::new(), api);
    let error = github.read().await.unwrap_err();
    assert!(
        error.hint().unwrap().contains("environment `production`"),
        "{error}"
    );
}

#[tokio::test]
async fn a_403_that_is_a_rate_limit_is_waited_out_and_one_that_is_not_names_the_permission() {
    let stub = stub_tests::start().await;
    let reset = format!("x-ratelimit-reset: {}", now_s());
    {
        let mut state = stub.state.lock().unwrap();
        let spent = format!("x-ratelimit-remaining: 0\r\n{reset}");
        let body = r#"{"message":"API rate limit exceeded","documentation_url":"x"}"#;
        state.faults.push_back((403, spent, body.into()));
        let secondary = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        state
            .faults
            .push_back((403, "retry-after: 0".into(), secondary.into()));
    }
    let github = provider(&stub, &[], &[]);
    github.read().await.unwrap();
    assert_eq!(stub.state.lock().unwrap().requests.len(), 4, "two retried");
    let refused =
        r#"{"message":"Resource not accessible by personal access token","documentation_url":"x"}"#;
    stub.state
        .lock()
        .unwrap()
        .faults
        .extend(std::iter::repeat_n(
            (403, String::new(), refused.to_string()),
            2,
        ));
    let error = github.read().await.unwrap_err();
    assert!(
        error
            .hint()
            .unwrap()
            .contains("Secrets: read and Variables: read"),
        "{error}"
    );
    assert!(
        error.to_string().contains("Resource not accessible"),
        "{error}"
    );
}

#[tokio::test]
async fn a_refusal_that_quotes_the_request_shows_no_value() {
    let stub = stub_tests::start().await;
    let github = provider(&stub, &[], &["PLAIN"]);
    let live = github.read().await.unwrap();
    let canary = "canary-value-0042";
    let body = format!(
        r#"{{"message":"Invalid value {canary}","errors":[{{"code":"invalid","value":"{canary}"}}]}}"#
    );
    stub.state
        .lock()
        .unwrap()
        .faults
        .push_back((422, String::new(), body));
    let failure = github
        .apply(
            &live,
            &[set("PLAIN", canary)],
            &crate::provider::Stop::new(),
        )
        .await
        .unwrap_err();
    let shown = format!("{} {:?}", failure.error, failure.error.hint());
    assert!(!shown.contains("canary"), "{shown}");
    assert!(shown.contains("invalid"), "{shown}");
    assert!(failure.done.is_empty());
}
