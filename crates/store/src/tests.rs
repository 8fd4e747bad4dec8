//! The store's behaviour, including every failure mode: each test checks
//! what the caller sees and that the database is left as it was.
//!
//! The tests in this file run unchanged on both backends (a module per
//! test, with a `sqlite` and a `postgres` case); what only one backend can
//! meet (a damaged file, a dropped connection) is in its own module.

use super::*;
use std::path::Path;

mod backend;
mod postgres_only;
mod sqlite_only;

use backend::{Backend, PgDatabase, SqliteFile};

/// Each `fn name(backend) { … }` becomes a module `name` with the test
/// `sqlite` and the test `postgres`, the same body on each.
macro_rules! on_both_backends {
    ($($(#[$doc:meta])* fn $name:ident($backend:ident) $body:block)*) => {$(
        $(#[$doc])*
        mod $name {
            use super::*;
            fn body<B: Backend>($backend: B) $body
            #[test]
            fn sqlite() {
                body(SqliteFile::fresh());
            }
            #[test]
            fn postgres() {
                if let Some(database) = PgDatabase::try_fresh() {
                    body(database);
                }
            }
        }
    )*};
}

fn run(files: &[(&str, &[&str])]) -> RunRecord {
    RunRecord {
        started_at: "2026-11-23T09:00:00Z".to_owned(),
        tool: "0.1.0".to_owned(),
        packs: vec![("nhs-new-care-models".to_owned(), "1.0.0".to_owned())],
        git_commit: Some("abc123".to_owned()),
        corpus: "fixtures".to_owned(),
        scope: "packs: nhs-new-care-models\nstages: all\nrules not run: none\nas of: the clock"
            .to_owned(),
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
                        help: Some(format!("mend {code}")),
                        labels: vec![LabelRecord {
                            start: 9,
                            end: 12,
                            line: 2,
                            column: 1,
                            message: "the holder's \"turnover\"".to_owned(),
                        }],
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

fn codes(file: &FileRecord) -> Vec<&str> {
    file.findings.iter().map(|f| f.code.as_str()).collect()
}

on_both_backends! {
    fn records_and_reads_back_runs(backend) {
        let mut store = backend.open();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let first = store
            .record(&run(&[
                ("b.proposal", &[]),
                ("a.proposal", &["CAP001", "PFI001"]),
            ]))
            .unwrap();
        let second = store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        drop(store);
        let mut store = backend.open();
        let runs = store.runs().unwrap();
        assert_eq!(
            runs.iter()
                .map(|r| (r.id, r.files, r.findings))
                .collect::<Vec<_>>(),
            [(first, 2, 2), (second, 1, 1)]
        );
        assert_eq!(runs[0].git_commit.as_deref(), Some("abc123"));
        assert_eq!(store.previous_run(second).unwrap(), Some(first));
        assert_eq!(store.previous_run(first).unwrap(), None);
        let files = store.files(first).unwrap();
        assert_eq!(codes(&files[0]), ["CAP001", "PFI001"]);
        assert_eq!(
            files[0].readiness[1],
            ("contract-and-capability".to_owned(), "blocked".to_owned(), 2)
        );
        // By path, whatever order they were recorded in.
        assert_eq!(
            files,
            run(&[("a.proposal", &["CAP001", "PFI001"]), ("b.proposal", &[])]).files
        );
    }

    fn text_is_kept_byte_for_byte(backend) {
        let mut store = backend.open();
        let mut record = run(&[("ünïcode/ä.proposal", &["CAP001"])]);
        let text = "proposal: Zoë's \u{1F3E5} plan\n\tname: \u{1b}[31m\n".repeat(3);
        record.files[0].text.clone_from(&text);
        record.files[0].findings[0].message = "“quoted” — 12% of £1,000".to_owned();
        let id = store.record(&record).unwrap();
        assert_eq!(store.files(id).unwrap(), record.files);
    }

    fn the_counts_the_site_charts(backend) {
        let mut store = backend.open();
        let first = store
            .record(&run(&[("a.proposal", &["CAP001", "PFI001", "CAP001"]), ("b.proposal", &[])]))
            .unwrap();
        let mut second = run(&[("a.proposal", &["CAP001"])]);
        second.files[0].findings[0].suppressed = Some("accepted by the board".to_owned());
        let second = store.record(&second).unwrap();
        assert_eq!(
            store
                .finding_counts()
                .unwrap()
                .iter()
                .map(|c| (c.run_id, c.code.as_str(), c.severity.as_str(), c.count))
                .collect::<Vec<_>>(),
            [(first, "CAP001", "error", 2), (first, "PFI001", "error", 1)]
        );
        assert_eq!(
            store
                .readiness_history()
                .unwrap()
                .iter()
                .map(|r| (r.run_id, r.path.as_str(), r.stage.as_str(), r.status.as_str()))
                .collect::<Vec<_>>(),
            [
                (first, "a.proposal", "case-for-change", "approved"),
                (first, "a.proposal", "contract-and-capability", "blocked"),
                (first, "b.proposal", "case-for-change", "approved"),
                (first, "b.proposal", "contract-and-capability", "ready"),
                (second, "a.proposal", "case-for-change", "approved"),
                (second, "a.proposal", "contract-and-capability", "blocked"),
            ]
        );
    }

    fn a_history_of_schema_1_is_migrated_and_its_runs_kept(backend) {
        backend.make_version_1();
        let mut store = backend.open();
        assert_eq!(store.schema_version().unwrap(), 3);
        let old = store.files(1).unwrap();
        assert_eq!(old[0].path, "a.proposal");
        assert_eq!(old[0].text, "proposal: x\n");
        assert_eq!(old[0].findings[0].code, "CAP001");
        assert_eq!(old[0].findings[0].help, None);
        assert_eq!(old[0].findings[0].labels, []);
        let new = store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        assert_eq!(store.files(new).unwrap(), run(&[("a.proposal", &["CAP001"])]).files);
        // A run of a known scope is never compared with one of unknown scope.
        let scopes: Vec<String> = store.runs().unwrap().into_iter().map(|r| r.scope).collect();
        assert_eq!(scopes, ["".to_owned(), run(&[]).scope]);
        assert_eq!(store.previous_run(new).unwrap(), None);
    }

    fn a_run_is_compared_only_with_the_last_of_its_scope(backend) {
        let mut store = backend.open();
        let whole = store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        let mut partial = run(&[("a.proposal", &[])]);
        partial.scope = partial.scope.replace("rules not run: none", "rules not run: CAP001");
        let partial = store.record(&partial).unwrap();
        let whole_again = store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        assert_eq!(store.previous_run(whole_again).unwrap(), Some(whole));
        assert_eq!(store.previous_run(partial).unwrap(), None);
        let runs = store.runs().unwrap();
        assert_eq!(runs[1].scope, "packs: nhs-new-care-models\nstages: all\nrules not run: CAP001\nas of: the clock");
    }

    fn a_newer_schema_is_refused_and_untouched(backend) {
        drop(backend.open());
        backend.set_schema_version(99);
        let before = backend.snapshot();
        let error = backend.try_open().unwrap_err();
        assert!(matches!(error, StoreError::NewerSchema { found: 99, .. }), "{error}");
        assert!(error.to_string().ends_with(
            "has schema version 99, newer than this assure understands (3); upgrade assure"
        ));
        assert_eq!(backend.snapshot(), before);
    }

    fn a_negative_schema_version_is_refused_and_untouched(backend) {
        drop(backend.open());
        backend.set_schema_version(-1);
        let before = backend.snapshot();
        let error = backend.try_open().unwrap_err();
        assert!(
            error.to_string().ends_with(
                "is not a usable assure database (schema version -1, which assure never writes); move it aside to start a new history"
            ),
            "{error}"
        );
        assert_eq!(backend.snapshot(), before);
    }

    fn someone_elses_database_is_refused_by_name_and_untouched(backend) {
        backend.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER); INSERT INTO invoices VALUES (1, 500);");
        let before = backend.snapshot();
        let error = backend.try_open().unwrap_err();
        assert!(matches!(error, StoreError::Foreign(..)), "{error}");
        assert!(
            error.to_string().ends_with("tables invoices); it was left untouched: give another one"),
            "{error}"
        );
        assert_eq!(backend.snapshot(), before);
    }

    fn a_run_interrupted_half_way_leaves_nothing(backend) {
        let mut store = backend.open();
        // A failure on the third finding, after the run and a file were written.
        backend.fail_on_code("BOOM");
        let error = store
            .record(&run(&[
                ("a.proposal", &["CAP001", "PFI001"]),
                ("b.proposal", &["BOOM"]),
            ]))
            .unwrap_err();
        assert!(error.to_string().contains("interrupted"), "{error}");
        assert_eq!(store.runs().unwrap(), []);
        assert_eq!(store.query("SELECT count(*) FROM files").unwrap(), [["0"]]);
        assert_eq!(store.query("SELECT count(*) FROM findings").unwrap(), [["0"]]);
        // The history goes on.
        store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        assert_eq!(store.runs().unwrap().len(), 1);
    }

    fn a_locked_history_says_so_and_a_later_run_succeeds(backend) {
        drop(backend.open());
        let holder = backend.hold_write_lock();
        let mut store = backend.open_with_timeout(Duration::from_millis(200));
        let error = store.record(&run(&[("a.proposal", &[])])).unwrap_err();
        assert!(matches!(error, StoreError::Locked(_)), "{error}");
        assert!(
            error.to_string().ends_with("is locked by another process; try again when it finishes"),
            "{error}"
        );
        drop(holder);
        store.record(&run(&[("a.proposal", &[])])).unwrap();
        assert_eq!(store.runs().unwrap().len(), 1);
    }

    fn two_writers_at_once_both_land(backend) {
        drop(backend.open());
        let target = backend.target();
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let target = target.clone();
                std::thread::spawn(move || {
                    let mut store = open(&target)?;
                    for _ in 0..20 {
                        store.record(&run(&[
                            ("a.proposal", &["CAP001"]),
                            ("b.proposal", &["PFI001"]),
                        ]))?;
                    }
                    Ok::<_, StoreError>(())
                })
            })
            .collect();
        for writer in writers {
            if let Err(error) = writer.join().unwrap() {
                panic!("{error}");
            }
        }
        let runs = backend.open().runs().unwrap();
        assert_eq!(runs.len(), 40);
        assert!(runs.iter().all(|r| r.files == 2 && r.findings == 2));
    }

    fn runs_starting_at_once_on_a_new_history_all_succeed(backend) {
        let target = backend.target();
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let target = target.clone();
                std::thread::spawn(move || {
                    let mut store = open(&target)?;
                    store.record(&run(&[("a.proposal", &["CAP001"])]))
                })
            })
            .collect();
        for writer in writers {
            if let Err(error) = writer.join().unwrap() {
                panic!("{error}");
            }
        }
        assert_eq!(backend.open().runs().unwrap().len(), 4);
    }

    fn only_read_only_queries_run(backend) {
        let mut store = backend.open();
        store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
        for sql in ["DELETE FROM runs", "UPDATE files SET path = 'x'"] {
            let error = store.query(sql).unwrap_err();
            assert!(
                error.to_string().ends_with("only read-only queries may be run"),
                "{sql}: {error}"
            );
        }
        assert!(store.query("SELECT 1; DELETE FROM runs").is_err());
        assert_eq!(store.query("SELECT count(*), max(path), NULL FROM files").unwrap(), [["1", "a.proposal", "NULL"]]);
        assert_eq!(store.runs().unwrap().len(), 1);
    }

    /// The SQL in README.md's "Queries" section, run on a stored history.
    fn the_readme_queries_work(backend) {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
        let queries: Vec<&str> = readme
            .split("```sql\n")
            .skip(1)
            .map(|block| block.split("```").next().unwrap_or(""))
            .collect();
        assert!(queries.len() >= 3, "README.md should show at least three queries");
        let mut store = backend.open();
        store
            .record(&run(&[("a.proposal", &["CAP001", "PFI001"]), ("b.proposal", &[])]))
            .unwrap();
        store
            .record(&run(&[("a.proposal", &["CAP001"]), ("b.proposal", &[])]))
            .unwrap();
        for query in queries {
            let rows = store.query(query).unwrap_or_else(|e| panic!("{query}\n{e}"));
            assert!(!rows.is_empty(), "no rows from:\n{query}");
        }
    }
}
