//! The history store under a random sequence of operations: runs recorded,
//! runs interrupted half way (a connection that dies inside its
//! transaction), a second connection recording at the same time, and bytes
//! of the file damaged. After every step the database passes
//! `PRAGMA integrity_check` (unless it was damaged on purpose, when opening
//! it must fail and leave it untouched), and every run it holds is whole:
//! exactly the files and findings recorded with it, never part of a run.
#![no_main]

use assure_store::{FileRecord, FindingRecord, History, RunRecord, Sqlite as Store};
use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;

fn run_of(files: u8, findings: u8) -> RunRecord {
    RunRecord {
        started_at: "2026-12-01T00:00:00Z".into(),
        tool: "fuzz".into(),
        corpus: "corpus".into(),
        files: (0..files)
            .map(|f| FileRecord {
                path: format!("{f}.proposal"),
                content_hash: "0".into(),
                text: "proposal: P\n".into(),
                findings: (0..findings)
                    .map(|i| FindingRecord {
                        code: format!("CAP{i:03}"),
                        severity: "error".into(),
                        message: "m".into(),
                        fingerprint: format!("{i}"),
                        line: 1,
                        column: 1,
                        ..FindingRecord::default()
                    })
                    .collect(),
                readiness: vec![("s".into(), "blocked".into(), 1)],
            })
            .collect(),
        ..RunRecord::default()
    }
}

/// Every run is whole: as many files and findings as it was recorded with.
fn check_whole(path: &std::path::Path, expected: &[(u8, u8)]) {
    let mut store = Store::open(path).expect("an intact history opens");
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), expected.len(), "a run was lost or half written");
    for (run, (files, findings)) in runs.iter().zip(expected) {
        assert_eq!(run.files, i64::from(*files));
        assert_eq!(run.findings, i64::from(*files) * i64::from(*findings));
    }
    let check = store.query("PRAGMA integrity_check").unwrap();
    assert_eq!(check, [["ok"]]);
}

fuzz_target!(|bytes: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.sqlite");
    let mut expected: Vec<(u8, u8)> = Vec::new();
    for op in bytes.chunks(3).take(12) {
        let [kind, a, b] = [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0)];
        let (files, findings) = (a % 4, b % 4);
        match kind % 4 {
            // A run recorded.
            0 => {
                let mut store = Store::open(&path).unwrap();
                store.record(&run_of(files, findings)).unwrap();
                expected.push((files, findings));
            }
            // A run that dies half way: its transaction is never committed.
            1 => {
                drop(Store::open(&path).unwrap());
                let connection = Connection::open(&path).unwrap();
                connection.execute_batch("BEGIN IMMEDIATE").unwrap();
                connection
                    .execute(
                        "INSERT INTO runs (started_at, tool, packs, corpus) VALUES ('t', 'x', '', 'c')",
                        [],
                    )
                    .unwrap();
                drop(connection);
            }
            // Two writers at once.
            2 => {
                let first = path.clone();
                let writer = std::thread::spawn(move || {
                    Store::open(&first).unwrap().record(&run_of(1, 1)).unwrap();
                });
                Store::open(&path).unwrap().record(&run_of(files, findings)).unwrap();
                writer.join().unwrap();
                expected.push((files, findings));
                expected.push((1, 1));
                // Which of the two came first is not known: compare counts
                // only by sorting both sides.
                let mut store = Store::open(&path).unwrap();
                let mut recorded: Vec<(i64, i64)> =
                    store.runs().unwrap().iter().map(|r| (r.files, r.findings)).collect();
                let mut wanted: Vec<(i64, i64)> = expected
                    .iter()
                    .map(|(f, n)| (i64::from(*f), i64::from(*f) * i64::from(*n)))
                    .collect();
                recorded.sort_unstable();
                wanted.sort_unstable();
                assert_eq!(recorded, wanted);
                // From here on, order by what was recorded.
                expected = store
                    .runs()
                    .unwrap()
                    .iter()
                    .map(|r| {
                        let files = r.files as u8;
                        (files, if files == 0 { 0 } else { (r.findings / r.files) as u8 })
                    })
                    .collect();
                continue;
            }
            // Bytes of the file damaged: opening fails or finds it intact,
            // and never changes it.
            _ => {
                if !path.exists() {
                    continue;
                }
                drop(Store::open(&path).unwrap());
                let mut damaged = std::fs::read(&path).unwrap();
                if damaged.is_empty() {
                    continue;
                }
                let at = (usize::from(a) * 131 + usize::from(b)) % damaged.len();
                damaged[at] ^= 0x5a;
                std::fs::write(&path, &damaged).unwrap();
                let _ = std::fs::remove_file(path.with_extension("sqlite-wal"));
                let _ = std::fs::remove_file(path.with_extension("sqlite-shm"));
                if Store::open(&path).is_err() {
                    assert_eq!(std::fs::read(&path).unwrap(), damaged, "a refused file was changed");
                }
                return;
            }
        }
        check_whole(&path, &expected);
    }
});
