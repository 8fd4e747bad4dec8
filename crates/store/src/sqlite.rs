//! The SQLite backend: one file, the embedded default.
//!
//! - An existing file is inspected read-only before anything is written:
//!   its `PRAGMA application_id` (assure's, [`APPLICATION_ID`]), its schema
//!   version and `PRAGMA quick_check`; a damaged, foreign or newer
//!   database is refused and left untouched, byte for byte.
//! - The schema version is `PRAGMA user_version`, created or migrated in
//!   one immediate transaction that a second process waits for.
//! - WAL mode and a busy timeout, so that two runs at once both succeed,
//!   one after the other; one `BEGIN IMMEDIATE` transaction per run.

use crate::{
    FileRecord, FindingCount, History, ReadinessRow, RunRecord, RunSummary, SCHEMA_VERSION,
    StoreError, finding_count_from_row, finding_from_row, readiness_from_row,
    readiness_row_from_row, reading, run_summary_from_row,
};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use std::path::Path;
use std::time::Duration;

/// Each migration takes the schema from its index to the next version.
pub(crate) const MIGRATIONS: [&str; 3] = [
    r#"
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,          -- RFC 3339, UTC
    tool        TEXT NOT NULL,          -- assure's version
    packs       TEXT NOT NULL,          -- "name version" per line
    git_commit  TEXT,                   -- of the corpus, when it is in git
    corpus      TEXT NOT NULL
);
CREATE TABLE files (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES runs(id),
    path         TEXT NOT NULL,
    content_hash TEXT NOT NULL,         -- FNV-1a 64 of the bytes, hex
    text         TEXT NOT NULL
);
CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES files(id),
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,          -- error | warning | info
    stage       TEXT,                   -- NULL for structural findings
    message     TEXT NOT NULL,
    start       INTEGER NOT NULL,       -- byte offsets of the primary span
    end         INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    col         INTEGER NOT NULL,
    entity      TEXT,
    field       TEXT,
    fingerprint TEXT NOT NULL,
    suppressed  TEXT                    -- the reason, when suppressed
);
CREATE TABLE readiness (
    file_id  INTEGER NOT NULL REFERENCES files(id),
    position INTEGER NOT NULL,
    stage    TEXT NOT NULL,
    status   TEXT NOT NULL,             -- approved | ready | blocked
    errors   INTEGER NOT NULL,
    PRIMARY KEY (file_id, position)
);
CREATE INDEX files_by_run ON files(run_id);
CREATE INDEX findings_by_file ON findings(file_id);
CREATE INDEX findings_by_code ON findings(code);
"#,
    // 2: a finding's help and its labelled places (a JSON array).
    r#"
ALTER TABLE findings ADD COLUMN help TEXT;
ALTER TABLE findings ADD COLUMN labels TEXT;
"#,
    // 3: what each run covered; runs compare only within one scope.
    r#"
ALTER TABLE runs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
"#,
];

/// An open SQLite history.
#[derive(Debug)]
pub struct Sqlite {
    connection: Connection,
    /// The path, as shown in messages.
    at: String,
}

impl Sqlite {
    /// Opens (creating if need be) the database at `path`, waiting up to
    /// [`crate::DEFAULT_TIMEOUT`] for another writer.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        Sqlite::open_with_timeout(path, crate::DEFAULT_TIMEOUT)
    }

    /// Opens with a given busy timeout.
    ///
    /// An existing file is first inspected through a read-only connection
    /// (its application id, schema version and `PRAGMA quick_check`), so
    /// that a damaged, foreign or newer database is refused before a byte
    /// of it is written. The schema is then created or migrated in one
    /// immediate transaction, which a second process opening the same new
    /// file waits for rather than racing.
    pub fn open_with_timeout(path: &Path, timeout: Duration) -> Result<Sqlite, StoreError> {
        // SQLite answers some races of opening (a file switching to WAL
        // while another connection reads its header) with "busy" at once,
        // without its busy handler: those are retried until the timeout.
        let started = std::time::Instant::now();
        loop {
            match Sqlite::open_once(path, timeout) {
                Err(StoreError::Locked(_)) if started.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    fn open_once(path: &Path, timeout: Duration) -> Result<Sqlite, StoreError> {
        let at = path.display().to_string();
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            inspect(path, &at, timeout)?;
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let connection = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| classify(&at, &e))?;
        let mut store = Sqlite { connection, at };
        store
            .connection
            .busy_timeout(timeout)
            .map_err(|e| store.error(&e))?;
        if read_only {
            let version = store.schema_version()?;
            if version < SCHEMA_VERSION {
                return Err(StoreError::ReadOnly(store.at, READ_ONLY_FILE.to_owned()));
            }
            return Ok(store);
        }
        store.migrate()?;
        let mode: String = store
            .connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| store.error(&e))?;
        debug_assert!(mode == "wal" || mode == "memory", "journal mode {mode}");
        Ok(store)
    }

    fn error(&self, error: &rusqlite::Error) -> StoreError {
        classify(&self.at, error)
    }

    /// Brings the schema up to [`SCHEMA_VERSION`] in one immediate
    /// transaction: the version is read again inside it, so that of two
    /// processes opening a new file, the second finds the first's schema.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let application_id: i32 = self
            .connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(|e| self.error(&e))?;
        if application_id == APPLICATION_ID && self.schema_version()? == SCHEMA_VERSION {
            // Up to date: no write lock to wait for.
            return Ok(());
        }
        let at = self.at.clone();
        let fail = |e: rusqlite::Error| classify(&at, &e);
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let version: i64 = transaction
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(fail)?;
        let Some(from) = usize::try_from(version)
            .ok()
            .filter(|v| *v <= MIGRATIONS.len())
        else {
            return Err(StoreError::NewerSchema { at, found: version });
        };
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(from) {
            let batch = format!(
                "{sql} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                index + 1
            );
            transaction.execute_batch(&batch).map_err(fail)?;
        }
        if from == MIGRATIONS.len() {
            // A history written before assure set its application id.
            transaction
                .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))
                .map_err(fail)?;
        }
        transaction.commit().map_err(fail)
    }

    /// Every row `sql` gives for `params`, each made by `map`.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        let mut statement = self.connection.prepare(sql).map_err(|e| self.error(&e))?;
        statement
            .query_map(params, map)
            .and_then(Iterator::collect)
            .map_err(|e| self.error(&e))
    }

    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }
}

/// Why a read-only file is refused for writing.
const READ_ONLY_FILE: &str = "read-only file or directory";

impl History for Sqlite {
    fn location(&self) -> &str {
        &self.at
    }

    fn schema_version(&mut self) -> Result<i64, StoreError> {
        self.connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.error(&e))
    }

    fn record(&mut self, run: &RunRecord) -> Result<i64, StoreError> {
        let at = self.at.clone();
        let fail = |e: rusqlite::Error| classify(&at, &e);
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        transaction
            .execute(
                "INSERT INTO runs (started_at, tool, packs, git_commit, corpus, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run.started_at, run.tool, run.packs_text(), run.git_commit, run.corpus, run.scope],
            )
            .map_err(fail)?;
        let run_id = transaction.last_insert_rowid();
        {
            let mut insert_file = transaction
                .prepare(
                    "INSERT INTO files (run_id, path, content_hash, text) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(fail)?;
            let mut insert_finding = transaction
                .prepare(
                    "INSERT INTO findings (file_id, code, severity, stage, message, start, end, line, col, entity, field, fingerprint, suppressed, help, labels)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                )
                .map_err(fail)?;
            let mut insert_readiness = transaction
                .prepare("INSERT INTO readiness (file_id, position, stage, status, errors) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(fail)?;
            for file in &run.files {
                insert_file
                    .execute(params![run_id, file.path, file.content_hash, file.text])
                    .map_err(fail)?;
                let file_id = transaction.last_insert_rowid();
                for f in &file.findings {
                    insert_finding
                        .execute(params![
                            file_id,
                            f.code,
                            f.severity,
                            f.stage,
                            f.message,
                            f.start,
                            f.end,
                            f.line,
                            f.column,
                            f.entity,
                            f.field,
                            f.fingerprint,
                            f.suppressed,
                            f.help,
                            crate::labels_text(&f.labels)
                        ])
                        .map_err(fail)?;
                }
                for (position, (stage, status, errors)) in file.readiness.iter().enumerate() {
                    insert_readiness
                        .execute(params![file_id, position as i64, stage, status, errors])
                        .map_err(fail)?;
                }
            }
        }
        transaction.commit().map_err(fail)?;
        Ok(run_id)
    }

    fn runs(&mut self) -> Result<Vec<RunSummary>, StoreError> {
        self.rows(reading::RUNS, [], |row| Ok(run_summary_from_row!(row.get)))
    }

    fn files(&mut self, run_id: i64) -> Result<Vec<FileRecord>, StoreError> {
        let files = self.rows(reading::FILES, [run_id], |row| {
            Ok((
                row.get(0)?,
                FileRecord {
                    path: row.get(1)?,
                    content_hash: row.get(2)?,
                    text: row.get(3)?,
                    ..FileRecord::default()
                },
            ))
        })?;
        let findings = self.rows(reading::FINDINGS, [run_id], |row| {
            Ok(finding_from_row!(row.get))
        })?;
        let readiness = self.rows(reading::READINESS, [run_id], |row| {
            Ok(readiness_from_row!(row.get))
        })?;
        Ok(crate::assemble(files, findings, readiness))
    }

    fn previous_run(&mut self, run_id: i64) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row(reading::PREVIOUS_RUN, [run_id], |row| row.get(0))
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.error(&e))
    }

    fn finding_counts(&mut self) -> Result<Vec<FindingCount>, StoreError> {
        self.rows(reading::FINDING_COUNTS, [], |row| {
            Ok(finding_count_from_row!(row.get))
        })
    }

    fn readiness_history(&mut self) -> Result<Vec<ReadinessRow>, StoreError> {
        self.rows(reading::READINESS_HISTORY, [], |row| {
            Ok(readiness_row_from_row!(row.get))
        })
    }

    fn query(&mut self, sql: &str) -> Result<Vec<Vec<String>>, StoreError> {
        let mut statement = self.connection.prepare(sql).map_err(|e| self.error(&e))?;
        if !statement.readonly() {
            return Err(StoreError::Database(
                self.at.clone(),
                crate::ONLY_READ_ONLY.to_owned(),
            ));
        }
        let columns = statement.column_count();
        statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        Ok(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Null => "NULL".to_owned(),
                            rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                            rusqlite::types::ValueRef::Real(x) => x.to_string(),
                            rusqlite::types::ValueRef::Text(t) => {
                                String::from_utf8_lossy(t).into_owned()
                            }
                            rusqlite::types::ValueRef::Blob(_) => "<blob>".to_owned(),
                        })
                    })
                    .collect()
            })
            .and_then(Iterator::collect)
            .map_err(|e| classify(&self.at, &e))
    }
}

/// The application id (`PRAGMA application_id`, bytes 68-71 of the
/// header) of assure's databases: "ASUR".
pub const APPLICATION_ID: i32 = 0x4153_5552;

/// The tables of the schema, by name: a database without an application id
/// that holds exactly these is a history written before the id was set.
const TABLES: [&str; 4] = ["files", "findings", "readiness", "runs"];

/// The application id in the header of the SQLite file at `path` (bytes
/// 68-71, big-endian), if it has an SQLite header.
fn header_application_id(path: &Path) -> Option<i32> {
    use std::io::Read as _;
    let mut header = [0; 100];
    std::fs::File::open(path)
        .ok()?
        .read_exact(&mut header)
        .ok()?;
    header
        .starts_with(b"SQLite format 3\0")
        .then(|| i32::from_be_bytes([header[68], header[69], header[70], header[71]]))
}

/// An SQLite URI opening `path` read-only and immutable (no lock, no
/// -shm or -wal file made), every byte but the unreserved ones
/// percent-encoded.
fn immutable_uri(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt as _;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for &byte in absolute.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    uri
}

/// Looks at an existing database without writing to it: refuses one that
/// is damaged, is someone else's, or has a schema this assure does not
/// know.
fn inspect(path: &Path, at: &str, timeout: Duration) -> Result<(), StoreError> {
    let fail = |e: rusqlite::Error| classify(at, &e);
    // A file whose header does not name it assure's is read as immutable:
    // a read-only connection to a database in WAL mode would leave -shm
    // and -wal files beside someone else's database.
    let connection = if header_application_id(path) == Some(APPLICATION_ID) {
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    } else {
        Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
    }
    .map_err(fail)?;
    connection.busy_timeout(timeout).map_err(fail)?;
    let pragma = |name: &str| -> Result<i64, StoreError> {
        connection
            .query_row(&format!("PRAGMA {name}"), [], |row| row.get(0))
            .map_err(fail)
    };
    let texts = |sql: &str| -> Result<Vec<String>, StoreError> {
        let mut statement = connection.prepare(sql).map_err(fail)?;
        statement
            .query_map([], |row| row.get(0))
            .and_then(Iterator::collect)
            .map_err(fail)
    };
    let application_id = pragma("application_id")?;
    let version = pragma("user_version")?;
    let mut tables =
        texts("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?;
    tables.sort();
    let ours = application_id == i64::from(APPLICATION_ID)
        || (application_id == 0 && version == 0 && tables.is_empty())
        || (application_id == 0 && version >= 1 && tables == TABLES);
    if !ours {
        let shown = if tables.is_empty() {
            "no tables".to_owned()
        } else {
            format!("tables {}", tables.join(", "))
        };
        return Err(StoreError::Foreign(
            at.to_owned(),
            format!("application id {application_id:#x}, {shown}"),
        ));
    }
    if version < 0 {
        return Err(StoreError::Corrupt(
            at.to_owned(),
            format!("schema version {version}, which assure never writes"),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            at: at.to_owned(),
            found: version,
        });
    }
    let check = texts("PRAGMA quick_check(5)")?;
    if check != ["ok"] {
        return Err(StoreError::Corrupt(
            at.to_owned(),
            format!("quick_check: {}", check.join("; ")),
        ));
    }
    Ok(())
}

fn classify(at: &str, error: &rusqlite::Error) -> StoreError {
    let at = at.to_owned();
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked(at),
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(at, READ_ONLY_FILE.to_owned()),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt(at, error.to_string())
        }
        Some(ErrorCode::CannotOpen) => StoreError::Database(at, format!("cannot open it: {error}")),
        _ => StoreError::Database(at, error.to_string()),
    }
}
