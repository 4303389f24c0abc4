//! The canary sweep on Netlify: undeclared secret and plain values on the
//! site, a refusal that echoes the request, every command and format,
//! import, rotate and prune — no canary and no unkeyed digest of one in
//! any output or file.

use crate::canary::{FINGERPRINT_KEY, Sweep};
use crate::common;

use crate::netlify::{value, var};
use common::netlify::{NETLIFY_SITE_ID as SITE, netlify, netlify_env, netlify_workspace};
use common::platforms::pairs;

#[test]
fn undeclared_values_on_netlify_and_echoed_errors_leak_nothing() {
    let ws = netlify_workspace();
    let server = netlify();
    let fake = server.api();
    let all = &["builds", "functions", "runtime"];
    // A secret is write-only; a plain value is readable but looks secret.
    let secret = "CANARY-nf-secret-0701";
    let plain = "ghp_CANARYnfplain0702abcdefghijklmnop";
    fake.put_by_hand(
        SITE,
        var(
            "UNDECLARED_SECRET",
            all,
            true,
            &[("production", secret), ("deploy-preview", secret)],
        ),
    );
    fake.put_by_hand(
        SITE,
        var("UNDECLARED_PLAIN_TOKEN", all, false, &[("all", plain)]),
    );
    let rotated = "CANARYrotatedStripe0703Xk7Lp2Qw";
    let mut s = Sweep::new(&ws, netlify_env(&server), &[secret, plain, rotated]);

    // A refusal quoting the body envctl sent shows none of it.
    server.faults().echo_writes(1);
    let (code, out) = s.run(&["apply", "prod", "--yes"], None);
    assert_eq!(code, 1, "{out}");
    assert!(
        server.requests().iter().any(|l| l.status == Some(422)
            && String::from_utf8_lossy(&l.request.body).contains("CANARY")),
        "netlify echoed no write carrying a canary"
    );
    s.expect(&["apply", "prod", "--yes"], None, &[0]);
    s.expect(&["apply", "staging", "--yes"], None, &[0]);

    let sweep = |s: &mut Sweep, prune: bool| {
        s.every_format(&["staging", "prod"]);
        s.expect(&["drift", "--require-secrets"], None, &[0, 2]);
        s.expect(&["diff", "staging", "production", "--live"], None, &[2]);
        s.saved_prod_plan(prune);
        let sources = [
            ("from-prod", "netlify:huddle-web:production".to_string()),
            (
                "from-previews",
                "netlify:huddle-web:deploy-preview".to_string(),
            ),
        ];
        s.import_each(&sources, &[]);
    };
    sweep(&mut s, false);
    let rotate = ["rotate", "prod", "STRIPE_SECRET_KEY", "--stdin", "--yes"];
    s.expect(&rotate, Some(&format!("{rotated}\n")), &[0]);
    assert_eq!(
        value(&server, "STRIPE_SECRET_KEY", "production").as_deref(),
        Some(rotated)
    );
    assert_ne!(
        value(&server, "STRIPE_SECRET_KEY", "deploy-preview").as_deref(),
        Some(rotated)
    );

    // Prune on, under a key: the undeclared ones are planned as deletes.
    s.set("ENVCTL_FINGERPRINT_KEY", FINGERPRINT_KEY);
    for file in ["environments/staging.yaml", "environments/production.yaml"] {
        ws.edit(
            file,
            "    site: huddle-web",
            "    prune: true\n    site: huddle-web",
        );
    }
    let plan = ws.run(&["plan", "staging"], &pairs(&netlify_env(&server)));
    assert!(
        plan.stdout().contains("- UNDECLARED_SECRET")
            && plan.stdout().contains("- UNDECLARED_PLAIN_TOKEN"),
        "prune is not on:\n{}",
        plan.all()
    );
    sweep(&mut s, true);
    s.expect(&["apply", "staging", "--yes"], None, &[0]);
    let left = fake.env(SITE);
    assert!(
        !left.contains_key("UNDECLARED_SECRET"),
        "both contexts' values are gone"
    );
    assert_eq!(
        value(&server, "UNDECLARED_PLAIN_TOKEN", "dev").as_deref(),
        Some(plain),
        "only the pruned contexts lost the `all` value"
    );
    assert_eq!(value(&server, "UNDECLARED_PLAIN_TOKEN", "production"), None);
}
