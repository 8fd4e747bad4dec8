//! The store's behaviour, including every failure mode: each test checks
//! what the caller sees and that the database is left as it was.

use super::*;

fn run(files: &[(&str, &[&str])]) -> RunRecord {
    RunRecord {
        started_at: "2026-11-23T09:00:00Z".to_owned(),
        tool: "0.1.0".to_owned(),
        packs: vec![("nhs-new-care-models".to_owned(), "1.0.0".to_owned())],
        git_commit: Some("abc123".to_owned()),
        corpus: "fixtures".to_owned(),
        files: files
            .iter()
            .map(|(path, codes)| FileRecord {
                path: (*path).to_owned(),
                content_hash: "00ff".to_owned(),
                text: "proposal: x\n".to_owned(),
                findings: codes
                    .iter()
                    .map(|code| FindingRecord {
                        code: (*code).to_owned(),
                        severity: "error".to_owned(),
                        stage: Some("contract-and-capability".to_owned()),
                        message: format!("{code} message"),
                        start: 0,
                        end: 8,
                        line: 1,
                        column: 1,
                        entity: None,
                        field: Some("proposal".to_owned()),
                        fingerprint: "f1".to_owned(),
                        suppressed: None,
                    })
                    .collect(),
                readiness: vec![
                    ("case-for-change".to_owned(), "approved".to_owned(), 0),
                    (
                        "contract-and-capability".to_owned(),
                        if codes.is_empty() { "ready" } else { "blocked" }.to_owned(),
                        codes.len() as i64,
                    ),
                ],
            })
            .collect(),
    }
}

fn database() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite");
    (dir, path)
}

#[test]
fn records_and_reads_back_runs() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let first = store
        .record(&run(&[
            ("a.proposal", &["CAP001", "PFI001"]),
            ("b.proposal", &[]),
        ]))
        .unwrap();
    let second = store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(
        runs.iter()
            .map(|r| (r.id, r.files, r.findings))
            .collect::<Vec<_>>(),
        [(first, 2, 2), (second, 1, 1)]
    );
    assert_eq!(store.previous_run(second).unwrap(), Some(first));
    assert_eq!(store.previous_run(first).unwrap(), None);
    let files = store.files(first).unwrap();
    assert_eq!(files[0].path, "a.proposal");
    assert_eq!(
        files[0]
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>(),
        ["CAP001", "PFI001"]
    );
    assert_eq!(
        files[0].readiness[1],
        (
            "contract-and-capability".to_owned(),
            "blocked".to_owned(),
            2
        )
    );
    assert_eq!(
        files,
        run(&[("a.proposal", &["CAP001", "PFI001"]), ("b.proposal", &[])]).files
    );
}

#[test]
fn a_newer_schema_is_refused_and_untouched() {
    let (_dir, path) = database();
    drop(Store::open(&path).unwrap());
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    drop(connection);
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found: 99, .. }),
        "{error}"
    );
    assert!(error.to_string().ends_with(
        "has schema version 99, newer than this assure understands (1); upgrade assure"
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_corrupt_file_is_refused_and_untouched() {
    let (_dir, path) = database();
    let garbage = b"this is a spreadsheet, not a database".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(..)), "{error}");
    assert!(
        error
            .to_string()
            .contains("is not a usable assure database"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_read_only_database_records_nothing() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    drop(store);
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let mut store = Store::open(&path).unwrap();
    let error = store.record(&run(&[("b.proposal", &[])])).unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly(_)), "{error}");
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn a_locked_database_says_so_and_a_later_run_succeeds() {
    let (_dir, path) = database();
    drop(Store::open(&path).unwrap());
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut store = Store::open_with_timeout(&path, Duration::from_millis(100)).unwrap();
    let error = store.record(&run(&[("a.proposal", &[])])).unwrap_err();
    assert!(matches!(error, StoreError::Locked(_)), "{error}");
    holder.execute_batch("ROLLBACK").unwrap();
    store.record(&run(&[("a.proposal", &[])])).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn a_run_interrupted_half_way_leaves_nothing() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    // A failure on the third finding, after the run and a file were written.
    store
        .connection
        .execute_batch("CREATE TRIGGER boom BEFORE INSERT ON findings WHEN NEW.code = 'BOOM' BEGIN SELECT RAISE(ABORT, 'interrupted'); END;")
        .unwrap();
    let error = store
        .record(&run(&[
            ("a.proposal", &["CAP001", "PFI001"]),
            ("b.proposal", &["BOOM"]),
        ]))
        .unwrap_err();
    assert!(error.to_string().contains("interrupted"), "{error}");
    assert_eq!(store.runs().unwrap(), []);
    assert_eq!(store.query("SELECT count(*) FROM files").unwrap(), [["0"]]);
    assert_eq!(
        store.query("SELECT count(*) FROM findings").unwrap(),
        [["0"]]
    );
}

#[test]
fn two_runs_at_once_both_succeed() {
    let (_dir, path) = database();
    drop(Store::open(&path).unwrap());
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for _ in 0..20 {
                    store
                        .record(&run(&[
                            ("a.proposal", &["CAP001"]),
                            ("b.proposal", &["PFI001"]),
                        ]))
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    assert_eq!(Store::open(&path).unwrap().runs().unwrap().len(), 40);
}

#[test]
fn only_read_only_queries_run() {
    let (_dir, path) = database();
    let store = Store::open(&path).unwrap();
    let error = store.query("DELETE FROM runs").unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("only read-only queries may be run")
    );
}

/// The SQL in README.md's "Queries" section, run on a stored history.
#[test]
fn the_readme_queries_work() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let queries: Vec<&str> = readme
        .split("```sql\n")
        .skip(1)
        .map(|block| block.split("```").next().unwrap_or(""))
        .collect();
    assert!(
        queries.len() >= 3,
        "README.md should show at least three queries"
    );
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    store
        .record(&run(&[
            ("a.proposal", &["CAP001", "PFI001"]),
            ("b.proposal", &[]),
        ]))
        .unwrap();
    store
        .record(&run(&[("a.proposal", &["CAP001"]), ("b.proposal", &[])]))
        .unwrap();
    for query in queries {
        let rows = store
            .query(query)
            .unwrap_or_else(|e| panic!("{query}\n{e}"));
        assert!(!rows.is_empty(), "no rows from:\n{query}");
    }
}

#[test]
fn a_negative_schema_version_is_refused_and_untouched() {
    let (_dir, path) = database();
    drop(Store::open(&path).unwrap());
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch("PRAGMA user_version = -1")
        .unwrap();
    drop(connection);
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        error
            .to_string()
            .ends_with("is not a usable assure database (schema version -1, which assure never writes); move it aside to start a new history"),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_database_with_a_damaged_page_is_refused_and_untouched() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    let long: Vec<(String, Vec<&str>)> = (0..40)
        .map(|i| {
            (
                format!("{i:03}-{}.proposal", "x".repeat(200)),
                vec!["CAP001"; 20],
            )
        })
        .collect();
    let files: Vec<(&str, &[&str])> = long.iter().map(|(p, c)| (p.as_str(), &c[..])).collect();
    store.record(&run(&files)).unwrap();
    drop(store);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 6 * 4096, "{} bytes", bytes.len());
    // Page 4 (an interior page of a table), the header left as it was.
    bytes[3 * 4096..4 * 4096].fill(0xA5);
    std::fs::write(&path, &bytes).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(..)), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn someone_elses_database_is_refused_by_name_and_untouched() {
    let (_dir, path) = database();
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER); INSERT INTO invoices VALUES (1, 500);")
        .unwrap();
    drop(connection);
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(
        error.to_string().ends_with(
            "is an SQLite database, but not one of assure's (application id 0x0, tables invoices); it was left untouched: give another path"
        ),
        "{error}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!path.with_extension("sqlite-wal").exists());
}

#[test]
fn a_new_database_is_marked_as_assures_own() {
    let (_dir, path) = database();
    drop(Store::open(&path).unwrap());
    let connection = Connection::open(&path).unwrap();
    let id: i32 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
}

#[test]
fn a_history_written_before_the_application_id_is_still_opened() {
    let (_dir, path) = database();
    let mut store = Store::open(&path).unwrap();
    store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    drop(store);
    let connection = Connection::open(&path).unwrap();
    connection
        .execute_batch("PRAGMA application_id = 0")
        .unwrap();
    drop(connection);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    let id: i32 = store
        .connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
}

#[test]
fn runs_starting_at_once_on_a_new_database_all_succeed() {
    for _ in 0..5 {
        let (_dir, path) = database();
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path)?;
                    store.record(&run(&[("a.proposal", &["CAP001"])]))
                })
            })
            .collect();
        for writer in writers {
            if let Err(error) = writer.join().unwrap() {
                panic!("{error}");
            }
        }
        assert_eq!(Store::open(&path).unwrap().runs().unwrap().len(), 4);
    }
}
