//! A throwaway PostgreSQL server for the migration tests: found on this
//! machine (`initdb` on PATH, or Debian's /usr/lib/postgresql/<ver>/bin),
//! initialised in a temporary folder, listening on a free port on
//! 127.0.0.1 (its unix socket in that folder too), and stopped and deleted
//! when the test process ends — however it ends: the server's keeper
//! shell waits on a pipe that closes with this process. Each test gets its
//! own database on it, so tests run in parallel.
//!
//! `ENVCTL_TEST_DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DB` uses
//! that server instead (the user must be allowed to create databases and
//! roles). Without either, the tests fail and say how to install one.
//!
//! As root (CI containers), `initdb` refuses to run: the server then runs
//! as the `postgres` user that Debian's package creates.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The test password: tests check it never shows up in output.
pub const PASSWORD: &str = "CANARY-db-pw-7f3a";

pub struct Server {
    /// The CA that signed the server's certificate (for `localhost` only),
    /// when this harness started the server with TLS on.
    pub tls_ca: Option<PathBuf>,
    /// Connection URL of the maintenance database, without the path.
    base: String,
    admin_db: String,
    /// `?sslmode=…` and the like, kept for every database.
    query: String,
    _keeper: Option<Mutex<(Child, ChildStdin)>>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The shared server; panics with instructions when there is none.
pub fn server() -> &'static Server {
    match SERVER.get_or_init(start) {
        Ok(server) => server,
        Err(why) => panic!(
            "\n\nThe migration tests need a real PostgreSQL server, and none could be started:\n  {why}\n\n\
             Install one (Debian/Ubuntu: `apt-get install -y --no-install-recommends postgresql`; `.ci/run` does this),\n\
             or point the tests at a server: ENVCTL_TEST_DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/postgres\n"
        ),
    }
}

fn start() -> Result<Server, String> {
    if let Ok(url) = std::env::var("ENVCTL_TEST_DATABASE_URL") {
        let (base, admin_db, query) = split_url(&url)?;
        let server = Server {
            tls_ca: None,
            base,
            admin_db,
            query,
            _keeper: None,
        };
        server.prepare()?;
        return Ok(server);
    }
    let bin = find_bin()?;
    let root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("envctl-pg-")
        .tempdir()
        .map_err(|e| format!("temporary folder: {e}"))?
        .keep();
    let pwfile = dir.join("pw");
    std::fs::write(&pwfile, PASSWORD).map_err(|e| e.to_string())?;
    if root {
        let (uid, gid) = postgres_user()?;
        for path in [&dir, &pwfile] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", path.display()))?;
        }
    }
    let data = dir.join("data");
    let out = as_server_user(root, &bin.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let tls_ca = make_certs(root, &dir)?;
    // Ports can be taken between choosing and binding: a few tries.
    let mut last = String::new();
    for _ in 0..5 {
        let port = free_port()?;
        match launch(root, &bin, &dir, &data, port, tls_ca.is_some()) {
            Ok(keeper) => {
                let server = Server {
                    tls_ca: tls_ca.clone(),
                    base: format!("postgresql://postgres:{PASSWORD}@127.0.0.1:{port}"),
                    admin_db: "postgres".into(),
                    query: "?sslmode=disable".into(),
                    _keeper: Some(Mutex::new(keeper)),
                };
                server.prepare()?;
                return Ok(server);
            }
            Err(why) => last = why,
        }
    }
    Err(last)
}

/// Starts `postgres` under a keeper shell that stops it and deletes `dir`
/// once its standard input closes (when this process exits).
fn launch(
    root: bool,
    bin: &Path,
    dir: &Path,
    data: &Path,
    port: u16,
    tls: bool,
) -> Result<(Child, ChildStdin), String> {
    let log = dir.join("server.log");
    let ssl = if tls {
        format!(
            "-c ssl=on -c ssl_cert_file='{dir}/server.crt' -c ssl_key_file='{dir}/server.key'",
            dir = dir.display()
        )
    } else {
        String::new()
    };
    let script = format!(
        "'{postgres}' -D '{data}' -p {port} -h 127.0.0.1 -k '{dir}' {ssl} \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
         >'{log}' 2>&1 & pid=$!; read _; kill -INT $pid; wait $pid; rm -rf '{dir}'",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        log = log.display(),
    );
    let mut child = as_server_user(root, Path::new("sh"))
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let stdin = child.stdin.take().expect("piped");
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = format!("postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres?sslmode=disable");
    loop {
        if block_on(connect(&url)).is_ok() {
            return Ok((child, stdin));
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut text = String::new();
            let _ = std::fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut text));
            return Err(format!("postgres exited ({status}): {text}"));
        }
        if Instant::now() > deadline {
            return Err("postgres did not accept connections within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A test CA and a server certificate it signs for `localhost` (not for
/// 127.0.0.1), made with `openssl` (which Debian's postgresql package
/// brings along); `None` without openssl, and the TLS test says so.
fn make_certs(root: bool, dir: &Path) -> Result<Option<PathBuf>, String> {
    if Command::new("openssl").arg("version").output().is_err() {
        return Ok(None);
    }
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let run = |args: &[&str]| -> Result<(), String> {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "openssl {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    for ca in ["ca", "other-ca"] {
        let (key, crt) = (format!("{ca}.key"), format!("{ca}.crt"));
        let mut args = vec!["req", "-x509"];
        args.extend(ec);
        args.extend([
            "-keyout",
            key.as_str(),
            "-out",
            crt.as_str(),
            "-days",
            "2",
            "-subj",
            if ca == "ca" {
                "/CN=envctl test CA"
            } else {
                "/CN=envctl other CA"
            },
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        run(&args)?;
    }
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    let mut args = vec!["req"];
    args.extend(ec);
    args.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    run(&args)?;
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ])?;
    let key = dir.join("server.key");
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| e.to_string())?;
    if root {
        let (uid, gid) = postgres_user()?;
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
    }
    Ok(Some(dir.join("ca.crt")))
}

fn as_server_user(root: bool, program: &Path) -> Command {
    if root {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn find_bin() -> Result<PathBuf, String> {
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let initdb = dir.join("initdb");
            if initdb.is_file() {
                let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
                return Ok(real.parent().expect("a file has a folder").to_path_buf());
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no `initdb` on PATH and no /usr/lib/postgresql".to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no `initdb` on PATH or in /usr/lib/postgresql/<version>/bin".to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn postgres_user() -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|e| e.to_string())?;
    passwd
        .lines()
        .find_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            (f.first() == Some(&"postgres") && f.len() > 3)
                .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
                .flatten()
        })
        .ok_or_else(|| {
            "running as root, and there is no `postgres` user to run the server as (Debian's postgresql package creates it)".to_string()
        })
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// `scheme://auth@host:port` , the database name, and `?query`.
fn split_url(url: &str) -> Result<(String, String, String), String> {
    let (without_query, query) = match url.split_once('?') {
        Some((u, q)) => (u, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = without_query
        .find("://")
        .ok_or("ENVCTL_TEST_DATABASE_URL is not a postgresql:// URL")?
        + 3;
    match without_query[scheme_end..].find('/') {
        Some(slash) => {
            let at = scheme_end + slash;
            Ok((
                without_query[..at].to_string(),
                without_query[at + 1..].to_string(),
                query,
            ))
        }
        None => Ok((without_query.to_string(), "postgres".into(), query)),
    }
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

pub async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

impl Server {
    fn url(&self, db: &str) -> String {
        format!("{}/{db}{}", self.base, self.query)
    }

    /// What Supabase's image has and migrations expect: its roles.
    fn prepare(&self) -> Result<(), String> {
        block_on(async {
            let client = connect(&self.url(&self.admin_db))
                .await
                .map_err(|e| e.to_string())?;
            client
                .batch_execute(
                    "DO $$ BEGIN
                       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
                       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
                       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN BYPASSRLS; END IF;
                     END $$",
                )
                .await
                .map_err(|e| format!("creating Supabase's roles: {e}"))
        })
    }

    /// A new, empty database for one test, with Supabase's `auth` schema
    /// stubbed (`auth.users`, `auth.uid()`); its URL.
    pub fn database(&self, name: &str) -> String {
        let name = format!("envctl_{name}_{}", std::process::id());
        block_on(async {
            let admin = connect(&self.url(&self.admin_db))
                .await
                .expect("admin connection");
            for sql in [
                format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                format!("CREATE DATABASE \"{name}\""),
            ] {
                admin.batch_execute(&sql).await.expect("create database");
            }
            let db = connect(&self.url(&name)).await.expect("test database");
            db.batch_execute(
                "CREATE SCHEMA auth;
                 CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, raw_user_meta_data jsonb DEFAULT '{}');
                 CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
                   AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;",
            )
            .await
            .expect("auth schema");
        });
        self.url(&name)
    }
}

/// `pg_dump` of a database on the server: its schema, and its data except
/// the migration history's rows (compared on their own). The `\restrict`
/// and `\unrestrict` lines carry a key pg_dump draws at random on each
/// run, so they are left out; nothing else differs between two dumps of
/// the same contents.
pub fn dump(url: &str) -> String {
    let pg_dump = find_bin()
        .map(|bin| bin.join("pg_dump"))
        .ok()
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_dump"));
    let out = Command::new(&pg_dump)
        .arg(format!("--dbname={url}"))
        .args([
            "--exclude-table-data=supabase_migrations.schema_migrations",
            "--no-sync",
        ])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", pg_dump.display()));
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict "))
        .map(|l| format!("{l}\n"))
        .collect()
}
