//! `assure report`: the installed binary records what `lint` finds, under
//! the same configuration, with paths relative to the corpus.

use crate::{assert_status, assure_in, root};
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn report_records_exactly_what_lint_finds_under_the_same_configuration() {
    report_agrees_with_lint("history.sqlite", &[]);
}

#[test]
fn report_up_to_a_stage_records_what_lint_up_to_it_finds() {
    report_agrees_with_lint("history.sqlite", &["--stage", "contract-and-capability"]);
}

#[test]
fn report_into_postgres_records_exactly_what_lint_finds() {
    let Some(cluster) = assure_test_tools::postgres::shared() else {
        return;
    };
    report_agrees_with_lint(&cluster.fresh_database(), &[]);
}

/// Lints and reports the same corpus under the same configuration into
/// the history at `db`, with the same `options`, and compares every finding.
fn report_agrees_with_lint(db: &str, options: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("north")).unwrap();
    for (name, to) in [
        ("dudley-mcp", "dudley-mcp.proposal"),
        ("hampshire-mcp", "north/hampshire-mcp.proposal"),
        ("cambridgeshire-older-people", "cambridgeshire.proposal"),
    ] {
        std::fs::copy(
            root().join(format!("fixtures/{name}.proposal")),
            corpus.join(to),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("assure.toml"),
        "[rules]\nCFC003 = \"off\"\nGATE002 = \"error\"\n",
    )
    .unwrap();
    let lint = assure_in(
        dir.path(),
        &[&["lint", "--format", "json", "corpus"], options].concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&lint.stdout).unwrap();
    let mut linted: Vec<String> = Vec::new();
    for file in json["files"].as_array().unwrap() {
        let path = file["path"]
            .as_str()
            .unwrap()
            .strip_prefix("corpus/")
            .unwrap();
        for f in file["findings"].as_array().unwrap() {
            linted.push(format!(
                "{path}:{} {} {} suppressed={}",
                f["span"]["line"],
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["suppressed"]
            ));
        }
    }
    let run = assure_in(
        dir.path(),
        &[
            &["report", "--corpus", "corpus", "--db", db, "--html", "site"],
            options,
        ]
        .concat(),
    );
    assert_status!(run, 0);
    let target = assure_store::Target::parse(db.as_ref()).unwrap();
    assert!(
        run.stdout
            .starts_with(&format!("recorded run 1 in {}: 3 files, ", target.shown())),
        "{}",
        run.stdout
    );
    assert!(dir.path().join("site/index.html").is_file());
    let target = match target {
        assure_store::Target::Sqlite(path) => assure_store::Target::Sqlite(dir.path().join(path)),
        url => url,
    };
    let mut store = assure_store::open(&target).unwrap();
    let mut reported: Vec<String> = Vec::new();
    for file in store.files(1).unwrap() {
        for f in &file.findings {
            reported.push(format!(
                "{}:{} {} {} suppressed={}",
                file.path,
                f.line,
                f.code,
                f.severity,
                f.suppressed.is_some()
            ));
        }
    }
    linted.sort();
    reported.sort();
    assert!(!linted.is_empty());
    assert_eq!(reported, linted);
    // The configuration was applied: CFC003 off, GATE002 raised (a
    // finding of the last stage, so only when every stage runs).
    assert!(!reported.iter().any(|f| f.contains(" CFC003 ")));
    assert_eq!(
        reported.iter().any(|f| f.contains(" GATE002 error")),
        options.is_empty(),
        "{reported:?}"
    );
}

/// A corpus of three fixtures in a fresh folder.
fn corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for name in ["dudley-mcp", "hampshire-mcp", "cambridgeshire-older-people"] {
        std::fs::copy(
            root().join(format!("fixtures/{name}.proposal")),
            corpus.join(format!("{name}.proposal")),
        )
        .unwrap();
    }
    dir
}

fn report_command(dir: &Path, db: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_assure"));
    command
        .args(["report", "--corpus", "corpus", "--db", db])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn count(url: &str, table: &str) -> i64 {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap()
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .unwrap()
        .get(0)
}

#[test]
fn four_reports_at_once_into_postgres_all_land_in_order() {
    let dir = corpus();
    let Some(cluster) = assure_test_tools::postgres::shared() else {
        return;
    };
    let url = cluster.fresh_database();
    let children: Vec<_> = (0..4)
        .map(|_| report_command(dir.path(), &url).spawn().unwrap())
        .collect();
    let mut recorded: Vec<String> = children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            assert!(
                output.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            );
            stdout.split(" in ").next().unwrap().to_owned()
        })
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            "recorded run 1",
            "recorded run 2",
            "recorded run 3",
            "recorded run 4"
        ]
    );
    let mut store = assure_store::open(&assure_store::Target::Postgres(url)).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert!(
        runs.iter()
            .all(|r| r.files == 3 && r.findings == runs[0].findings)
    );
}

/// Starts a report that will block on its findings (held by `holder`), and
/// waits until it does: its run and files are written, not committed.
fn report_blocked_mid_run(
    dir: &Path,
    url: &str,
    holder: &mut postgres::Client,
) -> std::process::Child {
    holder
        .batch_execute("BEGIN; LOCK TABLE findings IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let child = report_command(dir, url).spawn().unwrap();
    wait_for_blocked_copy(url);
    child
}

fn wait_for_blocked_copy(url: &str) {
    let mut watcher = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let started = std::time::Instant::now();
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                 AND application_name = 'assure' AND wait_event_type = 'Lock' AND query LIKE 'COPY findings%'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the report never reached its findings"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The corpus reported once into a fresh PostgreSQL database, by URL;
/// `None` where PostgreSQL is not here to test.
fn reported_once() -> Option<(tempfile::TempDir, String)> {
    let dir = corpus();
    let url = assure_test_tools::postgres::shared()?.fresh_database();
    assert_status!(
        assure_in(dir.path(), &["report", "--corpus", "corpus", "--db", &url]),
        0
    );
    Some((dir, url))
}

#[test]
fn a_report_killed_mid_run_leaves_nothing_in_postgres() {
    let Some((dir, url)) = reported_once() else {
        return;
    };
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut child = report_blocked_mid_run(dir.path(), &url, &mut holder);
    child.kill().unwrap();
    child.wait().unwrap();
    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(
        [count(&url, "runs"), count(&url, "files")],
        [1, 3],
        "only the first run"
    );
    // The history goes on: the next run lands whole.
    assert_status!(
        assure_in(dir.path(), &["report", "--corpus", "corpus", "--db", &url]),
        0
    );
    assert_eq!([count(&url, "runs"), count(&url, "files")], [2, 6]);
}

#[test]
fn a_connection_dropped_mid_report_is_a_clear_error_and_records_nothing() {
    let Some((dir, url)) = reported_once() else {
        return;
    };
    let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let child = report_blocked_mid_run(dir.path(), &url, &mut holder);
    holder
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'assure'",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    holder.batch_execute("ROLLBACK").unwrap();
    assert_eq!(output.status.code(), Some(2));
    // The server's reason, or the closed socket: whichever the client
    // reads first.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        [
            "terminating connection due to administrator command",
            "connection closed"
        ]
        .iter()
        .any(|why| stderr
            == format!(
                "error: cannot reach the database {url} (the connection was lost: {why}); nothing was recorded\n"
            )),
        "{stderr}"
    );
    assert_eq!([count(&url, "runs"), count(&url, "files")], [1, 3]);
}

#[test]
fn a_refused_connection_is_a_clear_error() {
    let dir = corpus();
    let run = assure_in(
        dir.path(),
        &[
            "report",
            "--corpus",
            "corpus",
            "--db",
            "postgres://assure:hunter2@127.0.0.1:1/history",
        ],
    );
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: cannot reach the database postgres://assure:***@127.0.0.1:1/history (error connecting to server: Connection refused (os error 111)); nothing was recorded\n"
    );
    assert!(!dir.path().join("postgres:").exists());
}

/// `lint` and `report` find and read one tree alike: a link to a proposal
/// inside it, a link to one outside it, a proposal in a hidden folder, and
/// one over `--max-file-size`. The files and findings recorded are those
/// lint gives, path for path.
#[cfg(unix)]
#[test]
fn lint_and_report_find_and_read_one_tree_alike() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join(".drafts")).unwrap();
    std::fs::create_dir_all(dir.path().join("outside")).unwrap();
    let fixture = |name: &str| root().join(format!("fixtures/{name}.proposal"));
    std::fs::copy(fixture("dudley-mcp"), corpus.join("dudley.proposal")).unwrap();
    std::fs::copy(
        fixture("tower-hamlets-community"),
        corpus.join(".drafts/tower.proposal"),
    )
    .unwrap();
    std::fs::copy(
        fixture("hampshire-mcp"),
        dir.path().join("outside/secret.proposal"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        corpus.join("dudley.proposal"),
        corpus.join("again.proposal"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside/secret.proposal"),
        corpus.join("leak.proposal"),
    )
    .unwrap();
    // Over 1 MiB: read by neither.
    let big = format!("proposal: Big\n{}", "Prose that goes on.\n".repeat(60_000));
    std::fs::write(corpus.join("big.proposal"), big).unwrap();
    let limit = ["--max-file-size", "1"];
    let lint = assure_in(
        dir.path(),
        &[&limit[..], &["lint", "--format", "json", "corpus"]].concat(),
    );
    let json: serde_json::Value = serde_json::from_str(&lint.stdout).unwrap();
    let summary = |path: &str, codes: Vec<String>| format!("{path}: {}", codes.join(" "));
    let linted: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            let path = file["path"]
                .as_str()
                .unwrap()
                .strip_prefix("corpus/")
                .unwrap();
            let codes = file["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_owned())
                .collect();
            summary(path, codes)
        })
        .collect();
    assert_eq!(
        linted
            .iter()
            .map(|l| l.split(':').next().unwrap())
            .collect::<Vec<_>>(),
        [
            ".drafts/tower.proposal",
            "again.proposal",
            "big.proposal",
            "dudley.proposal",
            "leak.proposal"
        ]
    );
    assert!(linted[2].starts_with("big.proposal: SYN003"), "{linted:?}");
    assert!(linted[4].starts_with("leak.proposal: SYN003"), "{linted:?}");
    let run = assure_in(
        dir.path(),
        &[
            &limit[..],
            &["report", "--corpus", "corpus", "--db", "h.sqlite"],
        ]
        .concat(),
    );
    assert_status!(run, 0);
    let mut store =
        assure_store::open(&assure_store::Target::Sqlite(dir.path().join("h.sqlite"))).unwrap();
    let reported: Vec<String> = store
        .files(1)
        .unwrap()
        .iter()
        .map(|file| {
            summary(
                &file.path,
                file.findings.iter().map(|f| f.code.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(reported, linted);
}
