//! A fresh history of each kind, and what the tests do to it from outside
//! assure: raw SQL, a lock held by another writer, a snapshot to compare.

use crate::{History, StoreError, Target};
use std::time::Duration;

/// A fresh, empty place for a history, and access to it from outside.
pub trait Backend {
    /// A new, empty place.
    fn fresh() -> Self;
    /// Where it is.
    fn target(&self) -> Target;
    /// Runs SQL on it, as another program would.
    fn execute(&self, sql: &str);
    /// Marks the schema as being at `version`.
    fn set_schema_version(&self, version: i64);
    /// Makes inserting a finding with `code` fail with "interrupted".
    fn fail_on_code(&self, code: &str);
    /// Holds what a run must take to write, until the guard is dropped.
    fn hold_write_lock(&self) -> Box<dyn std::any::Any>;
    /// Everything it holds, to compare before and after.
    fn snapshot(&self) -> Vec<String>;
    /// A history as schema 1 wrote it, with one run of one finding.
    fn make_version_1(&self);

    /// Opens it with assure.
    fn try_open(&self) -> Result<Box<dyn History>, StoreError> {
        crate::open(&self.target())
    }
    /// Opens it with assure, which must succeed.
    fn open(&self) -> Box<dyn History> {
        self.try_open().unwrap_or_else(|e| panic!("{e}"))
    }
    /// Opens it with a given wait for other writers.
    fn open_with_timeout(&self, timeout: Duration) -> Box<dyn History> {
        crate::open_with_timeout(&self.target(), timeout).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// An SQLite file in a temporary folder.
pub struct SqliteFile {
    _dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
}

impl Backend for SqliteFile {
    fn fresh() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.sqlite");
        SqliteFile { _dir: dir, path }
    }

    fn target(&self) -> Target {
        Target::Sqlite(self.path.clone())
    }

    fn execute(&self, sql: &str) {
        rusqlite::Connection::open(&self.path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    fn set_schema_version(&self, version: i64) {
        self.execute(&format!("PRAGMA user_version = {version}"));
    }

    fn fail_on_code(&self, code: &str) {
        self.execute(&format!(
            "CREATE TRIGGER boom BEFORE INSERT ON findings WHEN NEW.code = '{code}' BEGIN SELECT RAISE(ABORT, 'interrupted'); END;"
        ));
    }

    fn hold_write_lock(&self) -> Box<dyn std::any::Any> {
        struct Holder(rusqlite::Connection);
        impl Drop for Holder {
            fn drop(&mut self) {
                let _ = self.0.execute_batch("ROLLBACK");
            }
        }
        let holder = rusqlite::Connection::open(&self.path).unwrap();
        holder.execute_batch("BEGIN IMMEDIATE").unwrap();
        Box::new(Holder(holder))
    }

    fn make_version_1(&self) {
        self.execute(&format!(
            "{} PRAGMA application_id = {}; PRAGMA user_version = 1; {}",
            crate::sqlite::MIGRATIONS[0],
            crate::APPLICATION_ID,
            version_1_run("'proposal: x\n'")
        ));
    }

    /// The file's bytes, and what is in the WAL file beside it.
    fn snapshot(&self) -> Vec<String> {
        let bytes = std::fs::read(&self.path).unwrap_or_default();
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
        });
        vec![
            format!("{} bytes, FNV-1a {hash:016x}", bytes.len()),
            // Reading a WAL database leaves an empty WAL file: only what
            // is in one counts.
            format!(
                "WAL: {} bytes",
                std::fs::metadata(self.path.with_extension("sqlite-wal")).map_or(0, |m| m.len())
            ),
        ]
    }
}

/// A database of its own on the test cluster.
pub struct PgDatabase {
    pub url: String,
}

impl PgDatabase {
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl PgDatabase {
    /// A database of its own on the test cluster, if PostgreSQL is here
    /// (see `assure_test_tools`).
    pub fn try_fresh() -> Option<Self> {
        Some(PgDatabase {
            url: assure_test_tools::postgres::shared()?.fresh_database(),
        })
    }
}

impl Backend for PgDatabase {
    fn fresh() -> Self {
        Self::try_fresh().expect("PostgreSQL for the tests")
    }

    fn target(&self) -> Target {
        Target::Postgres(self.url.clone())
    }

    fn execute(&self, sql: &str) {
        self.client().batch_execute(sql).unwrap();
    }

    fn set_schema_version(&self, version: i64) {
        self.execute(&format!(
            "UPDATE assure_meta SET value = '{version}' WHERE key = 'schema_version'"
        ));
    }

    fn fail_on_code(&self, code: &str) {
        self.execute(&format!(
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                 IF NEW.code = '{code}' THEN RAISE EXCEPTION 'interrupted'; END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER boom BEFORE INSERT ON findings FOR EACH ROW EXECUTE FUNCTION boom();"
        ));
    }

    fn hold_write_lock(&self) -> Box<dyn std::any::Any> {
        struct Holder(postgres::Client);
        impl Drop for Holder {
            fn drop(&mut self) {
                let _ = self.0.batch_execute("ROLLBACK");
            }
        }
        let mut holder = self.client();
        holder
            .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(1095980370)")
            .unwrap();
        Box::new(Holder(holder))
    }

    fn make_version_1(&self) {
        self.execute(&format!(
            "{} UPDATE assure_meta SET value = '1' WHERE key = 'schema_version'; {}",
            crate::pg::MIGRATIONS[0],
            version_1_run("convert_to(E'proposal: x\\n', 'UTF8')")
        ));
    }

    /// Every table of the schema with its rows, as text.
    fn snapshot(&self) -> Vec<String> {
        let mut client = self.client();
        let tables: Vec<String> = client
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        let mut out = tables.clone();
        for table in tables {
            for message in client
                .simple_query(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap()
            {
                if let postgres::SimpleQueryMessage::Row(row) = message {
                    out.push(
                        (0..row.len())
                            .map(|i| row.get(i).unwrap_or("NULL"))
                            .collect::<Vec<_>>()
                            .join("|"),
                    );
                }
            }
        }
        out
    }
}

/// One run of one file with one finding, as schema 1 held it; `text` is
/// the file's text as an SQL expression.
fn version_1_run(text: &str) -> String {
    format!(
        "INSERT INTO runs (started_at, tool, packs, git_commit, corpus) VALUES ('2026-01-01T00:00:00Z', '0.1.0', 'p 1', NULL, 'c');
         INSERT INTO files (run_id, path, content_hash, text) VALUES (1, 'a.proposal', '00', {text});
         INSERT INTO findings (file_id, code, severity, stage, message, start, \"end\", line, col, entity, field, fingerprint, suppressed)
             VALUES (1, 'CAP001', 'error', NULL, 'm', 0, 1, 1, 1, NULL, NULL, 'f', NULL);"
    )
}
