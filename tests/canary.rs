//! Canary secrets through every command: they must never appear in stdout,
//! stderr, or any file envctl writes other than the target files themselves.

mod common;

use common::{Workspace, local_secrets};

const CANARY: &str = "CANARY";

#[test]
fn canary_secrets_never_leak() {
    let ws = Workspace::example();
    // A literal secret typed into a protected environment must not be echoed either.
    ws.edit(
        "environments/production.yaml",
        "  OPENAI_API_KEY: { secret: env:OPENAI_API_KEY }",
        "  OPENAI_API_KEY: sk-proj-CANARYliteral00000000000000",
    );
    let mut secrets = local_secrets();
    secrets.extend([
        ("PROD_STRIPE_SECRET_KEY", "sk_live_CANARYprod0005"),
        ("PROD_STRIPE_WEBHOOK_SECRET", "whsec_CANARYprod0006"),
        ("PROD_FCM_SERVER_KEY", "CANARYprodfcm0007"),
        ("STAGING_STRIPE_SECRET_KEY", "sk_test_CANARYstaging0008"),
        ("STAGING_STRIPE_WEBHOOK_SECRET", "whsec_CANARYstaging0009"),
        ("STAGING_FCM_SERVER_KEY", "CANARYstagingfcm0010"),
    ]);
    // Something live and secret-looking that the desired state does not declare.
    ws.write(
        ".env.local",
        "# notes\nUNDECLARED_TOKEN=ghp_CANARYundeclared0123456789abcdef\n",
    );

    let commands: &[&[&str]] = &[
        &["validate"],
        &["plan", "local"],
        &["plan", "local", "--format", "json"],
        &["plan", "local", "--format", "markdown"],
        &["apply", "local", "--yes"],
        &["plan", "local", "--detailed-exitcode"],
        &["drift"],
        &["drift", "--format", "json"],
        &["diff", "staging", "production"],
        &["diff", "local", "production"],
        &["plan", "prod"],
        &["plan", "prod", "--format", "json"],
        &["plan", "staging"],
        &["apply", "prod", "--yes"],
        &["schema"],
    ];
    for args in commands {
        let run = ws.run(args, &secrets);
        assert!(
            !run.all().contains(CANARY),
            "{args:?} leaked a canary:\n{}",
            run.all()
        );
        // Every command ran for real: make sure something was said.
        assert!(!run.all().trim().is_empty(), "{args:?} printed nothing");
    }
    let targets = [
        ws.path(".env.local"),
        ws.path("supabase/functions/.env"),
        ws.path("environments/production.yaml"),
    ];
    for (path, bytes) in ws.files() {
        if targets.contains(&path) {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "{} contains a canary",
            path.display()
        );
    }
    // The apply did write the values where they belong.
    assert!(
        ws.read(".env.local")
            .contains("UNDECLARED_TOKEN=ghp_CANARY")
    );
    assert!(
        ws.read("supabase/functions/.env")
            .contains("sk_test_CANARYstripe0001")
    );
}
