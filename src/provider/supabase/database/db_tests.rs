//! Tests of the database URL: parsed, shown and scrubbed without the
//! password.

use super::*;

fn parse(url: &str) -> Result<Database, String> {
    Database::parse(&Secret::new(url.to_string()), Path::new("/project"))
}

#[test]
fn urls_are_shown_without_the_password() {
    let db = parse("postgresql://postgres.abc:S3cr%40t-pw@aws-0-eu.pooler.supabase.com:5432/postgres?sslmode=require").unwrap();
    assert_eq!(
        db.describe(),
        "postgres.abc@aws-0-eu.pooler.supabase.com:5432/postgres"
    );
    assert!(!format!("{db:?}").contains("S3cr"));
    assert_eq!(db.scrub("auth for S3cr@t-pw failed"), "auth for *** failed");
    assert_eq!(
        db.scrub("auth for S3cr%40t-pw failed"),
        "auth for *** failed"
    );
    let db = parse("postgres://u@localhost/app").unwrap();
    assert_eq!(db.describe(), "u@localhost:5432/app");
}

#[test]
fn bad_urls_never_echo_the_url() {
    for (url, want) in [
        (
            "mysql://root:CANARYpw@h/db",
            "does not start with postgresql://",
        ),
        ("postgresql://u:CANARYpw@h/db?sslmode=always", "sslmode"),
        ("postgresql://u:CANARYpw@h:notaport/db", "not valid"),
        ("postgresql://u:CANARYpw@h/db?bogus=1", "not valid"),
    ] {
        let err = parse(url).unwrap_err();
        assert!(err.contains(want), "{url}: {err}");
        assert!(!err.contains("CANARY"), "{err}");
    }
}

#[test]
fn sslrootcert_must_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ca.crt"), "not a certificate").unwrap();
    let err = Database::parse(
        &Secret::new("postgresql://u:p@h/db?sslmode=verify-full&sslrootcert=ca.crt".into()),
        dir.path(),
    )
    .unwrap_err();
    assert!(err.contains("ca.crt"), "{err}");
}

#[test]
fn percent_decoding() {
    assert_eq!(decode("a%2Fb%20c"), "a/b c");
    assert_eq!(decode("100%"), "100%");
    assert_eq!(decode("%zz"), "%zz");
}
