use super::*;

fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_browser_prefix_makes_a_name_public_whatever_it_is_called() {
    assert_eq!(
        kind("VITE_SUPABASE_ANON_KEY", &values(&["x"])),
        Kind::Public
    );
    assert_eq!(kind("NEXT_PUBLIC_TOKEN_URL", &[]), Kind::Public);
    assert_eq!(kind("PUBLIC_API_BASE", &[]), Kind::Public);
}

#[test]
fn flags_are_flag_names_with_yes_no_values() {
    assert_eq!(
        kind("ALLOW_STRIPE_FALLBACK", &values(&["false", "true"])),
        Kind::Flag
    );
    assert_eq!(kind("PAYMENTS_BYPASS", &values(&["0"])), Kind::Flag);
    assert_eq!(kind("SKIP_CAPTCHA", &[]), Kind::Flag);
    // A list of origins is not a flag, whatever its name.
    assert_eq!(
        kind("ALLOW_ORIGINS", &values(&["https://a.example"])),
        Kind::Plain
    );
}

#[test]
fn secrets_by_name_or_by_looks() {
    for name in [
        "STRIPE_SECRET_KEY",
        "GITHUB_TOKEN",
        "DB_PASSWORD",
        "OPENAI_API_KEY",
        "DATABASE_URL",
        "KEY",
        "SMTP_PASS",
        "JWT_PRIVATE_PEM",
    ] {
        assert_eq!(kind(name, &values(&["changeme"])), Kind::Secret, "{name}");
    }
    assert_eq!(
        kind(
            "SESSION_SALT",
            &values(&["Zq8r2XkP0vLm4NcB7tYw1HsD9fGj3QeA"])
        ),
        Kind::Secret
    );
    for name in ["PORT", "LOG_LEVEL", "KEYBOARD_LAYOUT", "MONKEY"] {
        assert_eq!(kind(name, &values(&["8080"])), Kind::Plain, "{name}");
    }
}

#[test]
fn only_values_a_dotenv_file_reads_back_and_that_look_ordinary_are_copied() {
    assert!(copyable("http://localhost:54321"));
    assert!(copyable(""));
    assert!(!copyable("Zq8r2XkP0vLm4NcB7tYw1HsD9fGj3QeA"));
    assert!(!copyable("line\nbreak"));
    assert!(!copyable("ends in \\"));
    assert!(!copyable("'\"`"));
}

#[test]
fn the_framework_comes_from_package_json_frameworks_on_vite_first() {
    let dir = tempfile::tempdir().unwrap();
    let write = |deps: &str| {
        std::fs::write(
            dir.path().join("package.json"),
            format!("{{\"devDependencies\": {{{deps}}}}}"),
        )
        .unwrap();
        framework(dir.path()).map(|f| f.name)
    };
    assert_eq!(
        write("\"vite\": \"5\", \"@sveltejs/kit\": \"2\""),
        Some("SvelteKit")
    );
    assert_eq!(
        write("\"@remix-run/node\": \"2\", \"vite\": \"5\""),
        Some("Remix")
    );
    assert_eq!(write("\"vite\": \"5\""), Some("Vite"));
    assert_eq!(write("\"left-pad\": \"1\""), None);
}

#[test]
fn without_package_json_the_names_tell_the_bundler() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env.example"),
        "VITE_API_URL=http://localhost:3000\nAPI_SECRET=\nPUBLIC_X=1\n",
    )
    .unwrap();
    let found = detect(dir.path());
    assert_eq!(found.framework.map(|f| f.name), Some("Vite"));
    assert!(found.framework_by_names);
    assert_eq!(found.variables["API_SECRET"].kind, Kind::Secret);
    assert_eq!(
        found.variables["VITE_API_URL"].local.as_deref(),
        Some("http://localhost:3000")
    );
    std::fs::write(dir.path().join(".env.example"), "PORT=1\n").unwrap();
    assert_eq!(detect(dir.path()).framework, None);
}

#[test]
fn a_url_with_a_user_or_password_is_a_secret_whatever_its_name() {
    for url in [
        "postgres://app:pw@db.example.com:5432/app",
        "rediss://default:pw@eu1-kv.example.io:6379",
        "https://token@git.example.com/repo.git",
    ] {
        assert!(credentials_in_url(url), "{url}");
        assert_eq!(kind("POSTGRES_URL", &values(&[url])), Kind::Secret, "{url}");
    }
    for url in [
        "https://api.example.com/v1",
        "http://localhost:54321/functions/v1?x=a@b",
        "mailto:someone@example.com",
        "team@example.com",
    ] {
        assert!(!credentials_in_url(url), "{url}");
    }
    assert_eq!(
        kind("API_URL", &values(&["https://api.example.com"])),
        Kind::Plain
    );
}
