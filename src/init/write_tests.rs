use std::collections::BTreeMap;

use super::*;
use crate::init::detect::Framework;

fn var(kind: Kind, local: Option<&str>) -> Var {
    Var {
        kind,
        local: local.map(str::to_string),
        functions_only: false,
    }
}

fn app(variables: BTreeMap<String, Var>) -> Detected {
    Detected {
        project: "shop".into(),
        framework: Some(Framework {
            name: "Vite",
            prefix: Some("VITE_"),
            local_file: ".env.local",
            server: false,
        }),
        framework_by_names: false,
        platforms: Vec::new(),
        variables,
        env_files: vec![".env.example".into()],
    }
}

#[test]
fn secrets_are_references_named_per_environment_and_values_stay_local() {
    let files = render(&app(BTreeMap::from([
        ("API_KEY".to_string(), var(Kind::Secret, None)),
        (
            "VITE_URL".to_string(),
            var(Kind::Public, Some("http://localhost:5173")),
        ),
        ("SKIP_AUTH".to_string(), var(Kind::Flag, Some("true"))),
    ])));
    assert!(files.local.contains("API_KEY: { secret: env:API_KEY }"));
    assert!(files.local.contains("VITE_URL: \"http://localhost:5173\""));
    assert!(files.local.contains("SKIP_AUTH: \"true\""));
    assert!(
        files
            .staging
            .contains("API_KEY: { secret: env:STAGING_API_KEY }")
    );
    assert!(
        files
            .production
            .contains("API_KEY: { secret: env:PROD_API_KEY }")
    );
    for deployed in [&files.staging, &files.production] {
        assert!(deployed.contains("VITE_URL: ~ # TODO"), "{deployed}");
        assert!(!deployed.contains("localhost") && !deployed.contains("SKIP_AUTH"));
        assert!(deployed.contains("targets: {}"), "{deployed}");
    }
    assert!(files.project.contains("SKIP_AUTH: \"false\""));
    assert!(files.project.contains("forbidden_flags: [\"SKIP_AUTH\","));
    // No functions target anywhere: no routes (a route must name a target).
    assert!(!files.project.contains("routes:"));
    assert!(files.production.starts_with("# yaml-language-server"));
    assert_eq!(files.todo.len(), 4, "{:?}", files.todo);
}

#[test]
fn an_app_with_nothing_found_still_gets_four_files() {
    let files = render(&app(BTreeMap::new()));
    assert!(files.project.contains("version: 1\nproject: \"shop\""));
    assert!(!files.project.contains("defaults:") && !files.project.contains("rules:"));
    assert!(files.local.contains("path: \".env.local\""));
    assert!(!files.local.contains("variables:"));
}
