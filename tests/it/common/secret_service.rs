//! A real Secret Service for the keychain tests: a private `dbus-daemon`
//! session bus with `gnome-keyring-daemon` on it, unlocked with a test
//! password, in a temporary HOME and XDG folders; `secret-tool` (libsecret)
//! reads back what envctl stores. In CI (`CI` set) missing tools fail the
//! test; locally the test is skipped with the reason printed.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Run, Workspace};

pub const PASSWORD: &str = "envctl-test-password";

/// The tools a test needs; `None` (and a printed reason) when one is
/// missing outside CI.
pub fn tools_present(tools: &[&str]) -> bool {
    let missing: Vec<_> = tools.iter().filter(|t| !on_path(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let why = format!(
        "{missing:?} not installed (Debian: apt-get install gnome-keyring dbus libsecret-tools; .ci/run installs them)"
    );
    assert!(
        std::env::var_os("CI").is_none(),
        "keychain tests need {why}"
    );
    eprintln!("skipped: {why}");
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

pub struct SecretServiceBus {
    pub home: tempfile::TempDir,
    pub address: String,
    dbus: Child,
    keyring: Option<Child>,
}

impl SecretServiceBus {
    /// A session bus with an unlocked GNOME Keyring on it.
    pub fn start() -> Option<SecretServiceBus> {
        if !tools_present(&[
            "dbus-daemon",
            "dbus-send",
            "gnome-keyring-daemon",
            "secret-tool",
        ]) {
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        let run = home.path().join("run");
        std::fs::create_dir_all(&run).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let address = format!("unix:path={}", run.join("bus").display());
        let mut cmd = Command::new("dbus-daemon");
        cmd.args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address={address}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        isolate(&mut cmd, home.path(), None);
        let mut dbus = cmd.spawn().expect("dbus-daemon starts");
        let mut line = String::new();
        BufReader::new(dbus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "dbus-daemon said {line:?}");
        let mut bus = SecretServiceBus {
            home,
            address,
            dbus,
            keyring: None,
        };
        bus.start_keyring(true);
        Some(bus)
    }

    /// Starts GNOME Keyring on the bus: unlocked with [`PASSWORD`] (the
    /// login keyring is created the first time), or with its keyrings
    /// loaded as they are on disk, locked.
    pub fn start_keyring(&mut self, unlocked: bool) {
        let mut cmd = Command::new("gnome-keyring-daemon");
        cmd.args(["--foreground", "--components=secrets"])
            .arg(if unlocked { "--unlock" } else { "--start" })
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        isolate(&mut cmd, self.home.path(), Some(&self.address));
        let mut child = cmd.spawn().expect("gnome-keyring-daemon starts");
        let mut stdin = child.stdin.take().unwrap();
        if unlocked {
            stdin.write_all(PASSWORD.as_bytes()).unwrap();
        }
        drop(stdin);
        self.keyring = Some(child);
        self.wait_for_service();
    }

    /// Stops GNOME Keyring and starts it again without the password: the
    /// login collection is then locked, as after a login without the
    /// keyring's PAM module.
    pub fn lock(&mut self) {
        self.restart(false);
    }

    /// Stops GNOME Keyring and starts it again, unlocked or not.
    pub fn restart(&mut self, unlocked: bool) {
        self.stop_keyring();
        self.start_keyring(unlocked);
    }

    fn stop_keyring(&mut self) {
        if let Some(mut child) = self.keyring.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.service_owned() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not stop"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn service_owned(&self) -> bool {
        let mut cmd = Command::new("dbus-send");
        cmd.args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ]);
        isolate(&mut cmd, self.home.path(), Some(&self.address));
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stdout).contains("boolean true")
    }

    fn wait_for_service(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.service_owned() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not take org.freedesktop.secrets"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `secret-tool` on this bus.
    pub fn secret_tool(&self, args: &[&str], input: Option<&str>) -> std::process::Output {
        let mut cmd = Command::new("secret-tool");
        cmd.args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        isolate(&mut cmd, self.home.path(), Some(&self.address));
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = input {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }

    /// What the Secret Service holds for envctl at `account`, read by
    /// libsecret's own client.
    pub fn lookup(&self, account: &str) -> Option<String> {
        let out = self.secret_tool(&["lookup", "service", "envctl", "username", account], None);
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap())
    }

    /// Stores a value the way another program using libsecret would.
    pub fn store(&self, account: &str, value: &str) {
        let out = self.secret_tool(
            &[
                "store",
                "--label=stored by secret-tool",
                "service",
                "envctl",
                "username",
                account,
            ],
            Some(value),
        );
        assert!(out.status.success(), "{out:?}");
    }

    /// Runs envctl in `ws` on this bus.
    pub fn envctl(
        &self,
        ws: &Workspace,
        args: &[&str],
        env: &[(&str, &str)],
        input: Option<&str>,
    ) -> Run {
        envctl_with(ws, self.home.path(), Some(&self.address), args, env, input)
    }
}

impl Drop for SecretServiceBus {
    fn drop(&mut self) {
        if let Some(mut child) = self.keyring.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.dbus.kill();
        let _ = self.dbus.wait();
    }
}

/// A process's environment for `home`: HOME and the XDG folders inside
/// it, the given bus (or none), and PATH.
fn isolate(cmd: &mut Command, home: &Path, bus: Option<&str>) {
    // Without a bus, the runtime folder is one that has no `bus` socket.
    let runtime = if bus.is_some() {
        "run"
    } else {
        "run-without-bus"
    };
    cmd.env_clear()
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", home.join(runtime))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    if let Some(address) = bus {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", address);
    }
}

/// The file that stands in for the kernel keyring (`ENVCTL_TEST_KEYUTILS`,
/// debug builds), so no test touches the machine's own.
pub fn keyutils_file(home: &Path) -> PathBuf {
    home.join("keyutils.json")
}

/// Runs envctl in `ws` with `home` as HOME, on `bus` (or with no session
/// bus at all), the kernel keyring stood in for by [`keyutils_file`], and
/// no test keyring file: the real store selection runs.
pub fn envctl_with(
    ws: &Workspace,
    home: &Path,
    bus: Option<&str>,
    args: &[&str],
    env: &[(&str, &str)],
    input: Option<&str>,
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_envctl"));
    cmd.arg("--chdir").arg(ws.dir.path()).args(args);
    isolate(&mut cmd, home, bus);
    cmd.env("ENVCTL_TEST_KEYUTILS", keyutils_file(home));
    let mut child = super::spawn(&mut cmd, env, input);
    // Bounded: a run that hangs on the bus fails the test instead.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("envctl {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Run(child.wait_with_output().unwrap())
}
