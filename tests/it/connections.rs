//! Connections: every target of one platform shares one connection pool
//! per run, and over HTTPS the client offers HTTP/2, so one connection
//! carries a whole `drift` to a platform that speaks it.

use crate::common;

use common::Workspace;
use common::platforms::{
    Platforms, VERCEL_PROJECT, VERCEL_TEAM, VERCEL_TOKEN, assert_no_leak, pairs,
};
use envctl_fakes::vercel::FakeVercel;

#[test]
fn a_drift_over_every_environment_opens_one_connection_to_vercel() {
    let tls = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fakes/tls");
    let read = |name: &str| std::fs::read(tls.join(name)).unwrap();
    let vercel = FakeVercel::new(VERCEL_TOKEN);
    vercel.add_project("prj_huddleweb0001", VERCEL_PROJECT, Some(VERCEL_TEAM));
    vercel.grant_team(VERCEL_TOKEN, VERCEL_TEAM);
    let https = envctl_fakes::Server::start_tls(vercel, &read("server.pem"), &read("server.key"));

    let ws = Workspace::example();
    let p = Platforms::start();
    let no_dir = tempfile::tempdir().unwrap();
    let mut env: Vec<(String, String)> = p
        .env()
        .into_iter()
        .filter(|(k, _)| k != "ENVCTL_VERCEL_API_URL")
        .collect();
    env.push(("ENVCTL_VERCEL_API_URL".into(), https.url()));
    env.push((
        "SSL_CERT_FILE".into(),
        tls.join("ca.pem").display().to_string(),
    ));
    env.push(("SSL_CERT_DIR".into(), no_dir.path().display().to_string()));

    let run = ws.run(&["drift"], &pairs(&env));
    assert_no_leak(&run.all());
    let lists = https.count("GET", "/env");
    assert!(
        lists >= 2,
        "both environments were read: {lists} lists\n{}",
        run.all()
    );
    assert_eq!(
        https.h2_connections(),
        https.connections(),
        "HTTP/2 by ALPN"
    );
    assert_eq!(
        https.connections(),
        1,
        "one HTTP/2 connection for {} requests",
        https.requests().len()
    );
}
