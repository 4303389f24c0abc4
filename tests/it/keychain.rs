//! The Linux keychain against a real Secret Service: GNOME Keyring on a
//! private session bus (tests/it/common/secret_service.rs), read back with
//! `secret-tool`, libsecret's own client. The kernel keyring is stood in
//! for by a file (`ENVCTL_TEST_KEYUTILS`), so "look in both, write to one"
//! is checked without touching the machine's keyring. Runs without a bus,
//! with a locked collection and with a bus that never answers end in a
//! clear error, in bounded time, with nothing written.
#![cfg(target_os = "linux")]

use std::os::unix::net::UnixListener;

use crate::common;

use common::Workspace;
use common::platforms::{Platforms, assert_no_leak, pairs};
use common::secret_service::{SecretServiceBus, envctl_with, keyutils_file};

const STAGING: &str = "environments/staging.yaml";
const ACCOUNT: &str = "huddle/staging/FCM_SERVER_KEY";
const FIRST: &str = "CANARY-secret-service-0701";
const OUTSIDE: &str = "CANARY-secret-tool-0702";
const ROTATED: &str = "CANARY-rotated-0703";
const KERNEL: &str = "CANARY-keyutils-0704";

fn workspace() -> Workspace {
    let ws = Workspace::example();
    ws.edit(
        STAGING,
        "FCM_SERVER_KEY: { secret: env:STAGING_FCM_SERVER_KEY }",
        "FCM_SERVER_KEY: { secret: keyring }",
    );
    ws
}

fn no_canary(run: &common::Run) {
    let all = run.all();
    for canary in [FIRST, OUTSIDE, ROTATED, KERNEL] {
        assert!(!all.contains(canary), "{canary} leaked:\n{all}");
    }
}

/// What the kernel keyring's stand-in holds at `account`.
fn in_kernel(home: &std::path::Path, account: &str) -> Option<String> {
    let text = std::fs::read_to_string(keyutils_file(home)).ok()?;
    let all: std::collections::BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
    all.get(account).cloned()
}

#[test]
fn set_get_rotate_list_rm_go_to_the_secret_service_and_secret_tool_reads_them() {
    let Some(bus) = SecretServiceBus::start() else {
        return;
    };
    let ws = workspace();
    let set = bus.envctl(
        &ws,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some(&format!("{FIRST}\n")),
    );
    set.expect(0).expect_output(
        "in the Secret Service (service `envctl`, account `huddle/staging/FCM_SERVER_KEY`",
    );
    no_canary(&set);
    assert!(!set.stderr().contains("reboot"), "{}", set.stderr());
    assert_eq!(bus.lookup(ACCOUNT).as_deref(), Some(FIRST));
    assert_eq!(
        in_kernel(bus.home.path(), ACCOUNT),
        None,
        "written to one store only"
    );

    let get = bus.envctl(
        &ws,
        &["secret", "get", "staging", "FCM_SERVER_KEY"],
        &[],
        None,
    );
    get.expect(0)
        .expect_output("FCM_SERVER_KEY for staging: stored; in the Secret Service");
    no_canary(&get);

    // A value another program put there is what envctl reads.
    bus.store(ACCOUNT, OUTSIDE);
    let reveal = bus.envctl(
        &ws,
        &[
            "-v",
            "secret",
            "get",
            "staging",
            "FCM_SERVER_KEY",
            "--reveal",
        ],
        &[],
        None,
    );
    assert_eq!(reveal.expect(0).stdout(), format!("{OUTSIDE}\n"));
    assert!(
        reveal.stderr().contains("read from the Secret Service")
            && reveal
                .stderr()
                .contains("keychain: writing to the Secret Service"),
        "{}",
        reveal.stderr()
    );
    assert!(!reveal.stderr().contains(OUTSIDE));

    let p = Platforms::start();
    let env = p.env();
    let mut env = pairs(&env);
    env.retain(|(k, _)| *k != "STAGING_FCM_SERVER_KEY");
    let rotate = bus.envctl(
        &ws,
        &["rotate", "staging", "FCM_SERVER_KEY", "--stdin", "--yes"],
        &env,
        Some(ROTATED),
    );
    rotate.expect(0);
    assert_no_leak(&rotate.all());
    no_canary(&rotate);
    assert_eq!(bus.lookup(ACCOUNT).as_deref(), Some(ROTATED));
    let plan = bus.envctl(&ws, &["plan", "staging", "--require-secrets"], &env, None);
    plan.expect(0);
    no_canary(&plan);

    bus.store("huddle/production/OTHER_ENV", OUTSIDE);
    let list = bus.envctl(&ws, &["secret", "list", "staging"], &[], None);
    list.expect(0);
    assert_eq!(list.stdout(), "FCM_SERVER_KEY  secret-service\n");
    no_canary(&list);

    bus.envctl(
        &ws,
        &["secret", "rm", "staging", "FCM_SERVER_KEY"],
        &[],
        None,
    )
    .expect(0)
    .expect_output("Removed FCM_SERVER_KEY for staging from the Secret Service.");
    assert_eq!(bus.lookup(ACCOUNT), None);
    assert_eq!(
        bus.lookup("huddle/production/OTHER_ENV").as_deref(),
        Some(OUTSIDE)
    );
    assert!(!keyutils_file(bus.home.path()).exists());
}

#[test]
fn an_entry_in_the_kernel_keyring_is_found_updated_in_place_and_moved_on_request() {
    let Some(bus) = SecretServiceBus::start() else {
        return;
    };
    let ws = workspace();
    let home = bus.home.path();
    // Stored in a run without a session bus (a server, an SSH login).
    envctl_with(
        &ws,
        home,
        None,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some(KERNEL),
    )
    .expect(0)
    .expect_output("in the kernel keyring (keyutils)")
    .expect_output("drops its entries at reboot");
    assert_eq!(in_kernel(home, ACCOUNT).as_deref(), Some(KERNEL));

    // With the Secret Service preferred, the entry is still found.
    let get = bus.envctl(
        &ws,
        &["secret", "get", "staging", "FCM_SERVER_KEY", "--reveal"],
        &[],
        None,
    );
    assert_eq!(get.expect(0).stdout(), format!("{KERNEL}\n"));
    get.expect_output("read from the kernel keyring (keyutils)")
        .expect_output("drops its entries at reboot");
    let list = bus.envctl(&ws, &["secret", "list", "staging"], &[], None);
    assert_eq!(list.expect(0).stdout(), "FCM_SERVER_KEY  keyutils\n");

    // A new value replaces the entry where it is: never a second copy.
    bus.envctl(
        &ws,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some(FIRST),
    )
    .expect(0)
    .expect_output("in the kernel keyring (keyutils)");
    assert_eq!(in_kernel(home, ACCOUNT).as_deref(), Some(FIRST));
    assert_eq!(bus.lookup(ACCOUNT), None);

    // Moving it: into the Secret Service on request, then out of keyutils.
    let moved = bus.envctl(
        &ws,
        &[
            "secret",
            "set",
            "staging",
            "FCM_SERVER_KEY",
            "--stdin",
            "--store",
            "secret-service",
        ],
        &[],
        Some(FIRST),
    );
    moved
        .expect(0)
        .expect_output("in the Secret Service")
        .expect_output("also stored in the kernel keyring (keyutils)")
        .expect_output("--store keyutils");
    no_canary(&moved);
    assert_eq!(bus.lookup(ACCOUNT).as_deref(), Some(FIRST));
    bus.envctl(
        &ws,
        &[
            "secret",
            "rm",
            "staging",
            "FCM_SERVER_KEY",
            "--store",
            "keyutils",
        ],
        &[],
        None,
    )
    .expect(0)
    .expect_output("from the kernel keyring (keyutils).");
    assert_eq!(in_kernel(home, ACCOUNT), None);
    assert_eq!(bus.lookup(ACCOUNT).as_deref(), Some(FIRST));

    // In both stores, rm removes both and says so.
    envctl_with(
        &ws,
        home,
        None,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some(KERNEL),
    )
    .expect(0);
    bus.envctl(
        &ws,
        &["secret", "rm", "staging", "FCM_SERVER_KEY"],
        &[],
        None,
    )
    .expect(0)
    .expect_output("from the Secret Service and the kernel keyring (keyutils).");
    assert_eq!(bus.lookup(ACCOUNT), None);
    assert_eq!(in_kernel(home, ACCOUNT), None);
}

#[test]
fn a_locked_collection_without_a_terminal_is_an_error_and_nothing_is_written() {
    let Some(mut bus) = SecretServiceBus::start() else {
        return;
    };
    let ws = workspace();
    bus.store(ACCOUNT, FIRST);
    bus.lock();
    for args in [
        &["secret", "get", "staging", "FCM_SERVER_KEY", "--reveal"][..],
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &["secret", "rm", "staging", "FCM_SERVER_KEY"],
        &["secret", "list", "staging"],
    ] {
        let run = bus.envctl(&ws, args, &[], Some(OUTSIDE));
        run.expect(1)
            .expect_output(
                "the Secret Service: the collection that holds envctl's entries is locked",
            )
            .expect_output("gnome-keyring-daemon --unlock");
        no_canary(&run);
        assert!(run.stdout().is_empty(), "{args:?}: {}", run.stdout());
    }
    assert!(
        !keyutils_file(bus.home.path()).exists(),
        "no fallback write"
    );
    // Unlocked again: the old value, untouched.
    bus.restart(true);
    assert_eq!(bus.lookup(ACCOUNT).as_deref(), Some(FIRST));
}

#[test]
fn without_a_session_bus_the_kernel_keyring_is_used_unless_the_secret_service_is_required() {
    let ws = workspace();
    let home = tempfile::tempdir().unwrap();
    let required = envctl_with(
        &ws,
        home.path(),
        None,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[("ENVCTL_KEYCHAIN", "secret-service")],
        Some(FIRST),
    );
    required
        .expect(1)
        .expect_output(
            "the Secret Service: ENVCTL_KEYCHAIN=secret-service, but there is no D-Bus session bus",
        )
        .expect_output("dbus-run-session");
    no_canary(&required);
    assert!(!keyutils_file(home.path()).exists(), "no fallback write");

    let bad = envctl_with(
        &ws,
        home.path(),
        None,
        &["secret", "get", "staging", "FCM_SERVER_KEY"],
        &[("ENVCTL_KEYCHAIN", "kwallet")],
        None,
    );
    bad.expect(1)
        .expect_output("ENVCTL_KEYCHAIN=\"kwallet\" is not a store of this system: expected secret-service or keyutils");

    let set = envctl_with(
        &ws,
        home.path(),
        None,
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"],
        &[],
        Some(KERNEL),
    );
    set.expect(0)
        .expect_output("in the kernel keyring (keyutils)")
        .expect_output("drops its entries at reboot");
    no_canary(&set);
    assert_eq!(set.all().matches("drops its entries at reboot").count(), 1);
    assert_eq!(in_kernel(home.path(), ACCOUNT).as_deref(), Some(KERNEL));
}

#[test]
fn a_bus_that_never_answers_is_a_bounded_error_and_nothing_is_written() {
    let ws = workspace();
    let home = tempfile::tempdir().unwrap();
    let socket = home.path().join("silent-bus");
    let listener = UnixListener::bind(&socket).unwrap();
    // Accepts every connection and never says a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let address = format!("unix:path={}", socket.display());
    for args in [
        &["secret", "set", "staging", "FCM_SERVER_KEY", "--stdin"][..],
        &["secret", "get", "staging", "FCM_SERVER_KEY"],
    ] {
        let run = envctl_with(
            &ws,
            home.path(),
            Some(&address),
            args,
            &[("ENVCTL_KEYCHAIN_TIMEOUT", "1")],
            Some(FIRST),
        );
        run.expect(1)
            .expect_output("the Secret Service: no answer on the D-Bus session bus within 1 s")
            .expect_output("ENVCTL_KEYCHAIN=keyutils");
        no_canary(&run);
    }
    assert!(!keyutils_file(home.path()).exists(), "no fallback write");
}
