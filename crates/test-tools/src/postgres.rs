//! A throw-away PostgreSQL cluster for the tests and benchmarks of the
//! history store's PostgreSQL backend.
//!
//! [`shared`] gives one cluster per process: the server named by
//! `ASSURE_TEST_POSTGRES` (a URL of a role that may create databases), or
//! else a cluster started here from Debian's packages (found, or installed
//! under `.ci/run`, as the other programs are: see the crate's docs):
//!
//! - `initdb` and `postgres` run as `nobody` when the tests run as root,
//!   because PostgreSQL refuses to run as root;
//! - the server listens on 127.0.0.1 at a free port and on a socket in the
//!   cluster's own folder, never on the machine's usual port;
//! - it is stopped, and its folder removed, when the process that started
//!   it ends, however it ends: a shell beside it waits for the end of the
//!   pipe from this process, then stops the server.
//!
//! Each test asks [`Cluster::fresh_database`] for a database of its own, so
//! that tests run in parallel without seeing each other's runs.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A running cluster, or a server given by `ASSURE_TEST_POSTGRES`.
pub struct Cluster {
    /// `postgres://user@host:port`, without a database.
    base: String,
    /// The shell that stops the server when this process's end closes its
    /// input; `None` for a server this process did not start.
    _keeper: Option<Child>,
}

/// The cluster of this process, started on first use; `None` where
/// PostgreSQL is not installed and `.ci/run` is not driving the tests (the
/// checks that need it are then left to it, and said so).
///
/// # Panics
///
/// When PostgreSQL is installed, or required, and no cluster can be had:
/// the message says why.
pub fn shared() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| match std::env::var("ASSURE_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => Some(Cluster {
                base: url.trim_end_matches('/').to_owned(),
                _keeper: None,
            }),
            _ if newest_binaries().is_none() && !crate::external_required() => {
                crate::left_to_ci("PostgreSQL");
                None
            }
            _ => Some(
                Cluster::start(&[
                    // A test cluster: durability is not what is under test.
                    "fsync=off",
                    "synchronous_commit=off",
                    "full_page_writes=off",
                ])
                .unwrap_or_else(|e| panic!("no PostgreSQL for the tests: {e}")),
            ),
        })
        .as_ref()
}

impl Cluster {
    /// Starts a cluster with the given `name=value` settings.
    pub fn start(settings: &[&str]) -> Result<Cluster, String> {
        let bin = binaries()?;
        let dir = std::env::temp_dir().join(format!(
            "assure-postgres-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let as_root = is_root();
        if as_root {
            std::os::unix::fs::chown(&dir, Some(NOBODY), Some(NOBODY))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let data = dir.join("data");
        let output = unprivileged(as_root, &bin.join("initdb"))
            .args([
                "--auth=trust",
                "--username=assure",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&data)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("initdb: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let port = free_port()?;
        let mut server = format!(
            "{} {} -D {} -k {} -h 127.0.0.1 -p {port}",
            if as_root {
                "setpriv --reuid=nobody --regid=nogroup --clear-groups"
            } else {
                ""
            },
            quoted(&bin.join("postgres")),
            quoted(&data),
            quoted(&dir)
        );
        for setting in settings {
            server.push_str(" -c ");
            server.push_str(setting);
        }
        // The server's pid is the shell's `$!`; when this process ends, `cat`
        // sees the end of its input and the server is stopped (SIGINT: fast
        // shutdown) and its folder removed.
        let script = format!(
            "{server} >{log} 2>&1 & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid; rm -rf {dir}",
            log = quoted(&dir.join("server.log")),
            dir = quoted(&dir)
        );
        let keeper = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("sh: {e}"))?;
        let cluster = Cluster {
            base: format!("postgres://assure@127.0.0.1:{port}"),
            _keeper: Some(keeper),
        };
        let started = Instant::now();
        loop {
            match postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls) {
                Ok(_) => return Ok(cluster),
                Err(_) if started.elapsed() < Duration::from_secs(60) => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => {
                    let mut log = String::new();
                    let _ = std::fs::File::open(dir.join("server.log"))
                        .and_then(|mut f| f.read_to_string(&mut log));
                    return Err(format!("the server did not start: {e}\n{log}"));
                }
            }
        }
    }

    /// The URL of `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("{}/{database}", self.base)
    }

    /// A new, empty database of its own, by URL.
    ///
    /// # Panics
    ///
    /// When the server refuses to create it.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "assure_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to {}: {e}", self.base));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        self.url(&name)
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn unprivileged(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("setpriv");
        command
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// The folder of `initdb` and `postgres`: the newest of Debian's, installed
/// when there is none.
fn binaries() -> Result<PathBuf, String> {
    if let Some(found) = newest_binaries() {
        return Ok(found);
    }
    crate::apt_install("postgresql").map_err(|e| format!("PostgreSQL is needed: {e}"))?;
    newest_binaries()
        .ok_or_else(|| "apt-get installed no /usr/lib/postgresql/*/bin/initdb".to_owned())
}

fn newest_binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}
