//! The history of runs, in SQLite.
//!
//! `cargo xtask report` records each run over a corpus here: the run (time,
//! tool version, packs, git commit), each file (path, content hash, text),
//! each finding and each readiness row. The design:
//!
//! - an existing file inspected read-only before anything is written: its
//!   `PRAGMA application_id` (assure's, [`APPLICATION_ID`]), its schema
//!   version and `PRAGMA quick_check`; a damaged, foreign or newer
//!   database is refused and left untouched, byte for byte;
//! - a schema version in `PRAGMA user_version`, created or migrated in one
//!   immediate transaction that a second process waits for;
//! - WAL mode and a busy timeout, so that two report runs at once both
//!   succeed, one after the other;
//! - one `BEGIN IMMEDIATE` transaction per run, so that a run interrupted
//!   half way leaves nothing behind;
//! - every failure (locked, read-only, corrupt, newer) a [`StoreError`] that
//!   says which and what to do.
//!
//! This crate knows nothing of proposals or rules: it stores what it is
//! given ([`RunRecord`]), and nothing in the checking pipeline depends on it.

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The schema this version writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Each migration takes the schema from its index to the next version.
const MIGRATIONS: [&str; 1] = [r#"
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
"#];

/// Why the store could not do what was asked.
#[derive(Debug)]
pub enum StoreError {
    /// Another process holds the database for longer than the busy timeout.
    Locked(PathBuf),
    /// The database or its directory cannot be written.
    ReadOnly(PathBuf),
    /// The file is not an SQLite database, or is damaged.
    Corrupt(PathBuf, String),
    /// The database was written by a newer assure.
    NewerSchema {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
    },
    /// An SQLite database that is not one of assure's: what it holds.
    Foreign(PathBuf, String),
    /// Anything else SQLite reported.
    Sqlite(PathBuf, String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Locked(path) => write!(
                f,
                "the database {} is locked by another process; try again when it finishes",
                path.display()
            ),
            StoreError::ReadOnly(path) => write!(
                f,
                "the database {} cannot be written (read-only file or directory); nothing was recorded",
                path.display()
            ),
            StoreError::Corrupt(path, detail) => write!(
                f,
                "{} is not a usable assure database ({detail}); move it aside to start a new history",
                path.display()
            ),
            StoreError::NewerSchema { path, found } => write!(
                f,
                "the database {} has schema version {found}, newer than this assure understands ({SCHEMA_VERSION}); upgrade assure",
                path.display()
            ),
            StoreError::Foreign(path, detail) => write!(
                f,
                "{} is an SQLite database, but not one of assure's ({detail}); it was left untouched: give another path",
                path.display()
            ),
            StoreError::Sqlite(path, detail) => write!(f, "database {}: {detail}", path.display()),
        }
    }
}

impl std::error::Error for StoreError {}

/// A run to record.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// When it started, RFC 3339 UTC.
    pub started_at: String,
    /// assure's version.
    pub tool: String,
    /// The packs, name and version.
    pub packs: Vec<(String, String)>,
    /// The corpus's git commit, if any.
    pub git_commit: Option<String>,
    /// The corpus directory.
    pub corpus: String,
    /// The files.
    pub files: Vec<FileRecord>,
}

/// A file of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileRecord {
    /// Its path.
    pub path: String,
    /// A hash of its bytes.
    pub content_hash: String,
    /// Its text.
    pub text: String,
    /// Its findings.
    pub findings: Vec<FindingRecord>,
    /// Its readiness rows: stage, status, errors.
    pub readiness: Vec<(String, String, i64)>,
}

/// A finding of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingRecord {
    /// The code.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// The stage, for rule findings.
    pub stage: Option<String>,
    /// The message.
    pub message: String,
    /// Byte offsets of the primary span.
    pub start: i64,
    /// End of the primary span.
    pub end: i64,
    /// 1-based line.
    pub line: i64,
    /// 1-based column.
    pub column: i64,
    /// The entity involved.
    pub entity: Option<String>,
    /// The field involved.
    pub field: Option<String>,
    /// The fingerprint.
    pub fingerprint: String,
    /// The suppression's reason, if suppressed.
    pub suppressed: Option<String>,
}

/// A recorded run, without its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// Its id.
    pub id: i64,
    /// When it started.
    pub started_at: String,
    /// assure's version.
    pub tool: String,
    /// The corpus's git commit.
    pub git_commit: Option<String>,
    /// How many files.
    pub files: i64,
    /// How many findings.
    pub findings: i64,
}

/// An open history database.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if need be) the database at `path`, waiting up to
    /// five seconds for another writer.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with_timeout(path, Duration::from_secs(5))
    }

    /// Opens with a given busy timeout.
    ///
    /// An existing file is first inspected through a read-only connection
    /// (its application id, schema version and `PRAGMA quick_check`), so
    /// that a damaged, foreign or newer database is refused before a byte
    /// of it is written. The schema is then created or migrated in one
    /// immediate transaction, which a second process opening the same new
    /// file waits for rather than racing.
    pub fn open_with_timeout(path: &Path, timeout: Duration) -> Result<Store, StoreError> {
        // SQLite answers some races of opening (a file switching to WAL
        // while another connection reads its header) with "busy" at once,
        // without its busy handler: those are retried until the timeout.
        let started = std::time::Instant::now();
        loop {
            match Store::open_once(path, timeout) {
                Err(StoreError::Locked(_)) if started.elapsed() < timeout => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                result => return result,
            }
        }
    }

    fn open_once(path: &Path, timeout: Duration) -> Result<Store, StoreError> {
        let read_only = std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly());
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            inspect(path, timeout)?;
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        let connection = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| classify(path, &e))?;
        let store = Store {
            connection,
            path: path.to_path_buf(),
        };
        store
            .connection
            .busy_timeout(timeout)
            .map_err(|e| store.error(&e))?;
        if read_only {
            let version = store.schema_version()?;
            if version < SCHEMA_VERSION {
                return Err(StoreError::ReadOnly(store.path));
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
        classify(&self.path, error)
    }

    /// The schema version of the file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| self.error(&e))
    }

    /// Brings the schema up to [`SCHEMA_VERSION`] in one immediate
    /// transaction: the version is read again inside it, so that of two
    /// processes opening a new file, the second finds the first's schema.
    fn migrate(&self) -> Result<(), StoreError> {
        let fail = |e: rusqlite::Error| self.error(&e);
        let application_id: i32 = self
            .connection
            .query_row("PRAGMA application_id", [], |row| row.get(0))
            .map_err(fail)?;
        if application_id == APPLICATION_ID && self.schema_version()? == SCHEMA_VERSION {
            // Up to date: no write lock to wait for.
            return Ok(());
        }
        self.connection
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(fail)?;
        let result = (|| {
            let version = self.schema_version()?;
            let Some(from) = usize::try_from(version)
                .ok()
                .filter(|v| *v <= MIGRATIONS.len())
            else {
                return Err(StoreError::NewerSchema {
                    path: self.path.clone(),
                    found: version,
                });
            };
            for (index, sql) in MIGRATIONS.iter().enumerate().skip(from) {
                let batch = format!(
                    "{sql} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
                    index + 1
                );
                self.connection.execute_batch(&batch).map_err(fail)?;
            }
            if from == MIGRATIONS.len() {
                // A history written before assure set its application id.
                self.connection
                    .execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID};"))
                    .map_err(fail)?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.connection.execute_batch("COMMIT").map_err(fail),
            Err(error) => {
                let _ = self.connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Records a run in one transaction, returning its id.
    pub fn record(&mut self, run: &RunRecord) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| classify(&path, &e);
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(fail)?;
        let packs: Vec<String> = run
            .packs
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        transaction
            .execute(
                "INSERT INTO runs (started_at, tool, packs, git_commit, corpus) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![run.started_at, run.tool, packs.join("\n"), run.git_commit, run.corpus],
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
                    "INSERT INTO findings (file_id, code, severity, stage, message, start, end, line, col, entity, field, fingerprint, suppressed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
                            f.suppressed
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

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT r.id, r.started_at, r.tool, r.git_commit,
                        (SELECT count(*) FROM files WHERE run_id = r.id),
                        (SELECT count(*) FROM findings JOIN files ON files.id = findings.file_id WHERE files.run_id = r.id)
                 FROM runs r ORDER BY r.id",
            )
            .map_err(|e| self.error(&e))?;
        self.rows(&mut statement, [], |row| {
            Ok(RunSummary {
                id: row.get(0)?,
                started_at: row.get(1)?,
                tool: row.get(2)?,
                git_commit: row.get(3)?,
                files: row.get(4)?,
                findings: row.get(5)?,
            })
        })
    }

    /// Every row `statement` gives for `params`, each made by `map`.
    fn rows<T>(
        &self,
        statement: &mut rusqlite::Statement<'_>,
        params: impl rusqlite::Params,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, StoreError> {
        statement
            .query_map(params, map)
            .and_then(Iterator::collect)
            .map_err(|e| self.error(&e))
    }

    /// The files of a run, with their findings and readiness, by path.
    pub fn files(&self, run_id: i64) -> Result<Vec<FileRecord>, StoreError> {
        let fail = |e: rusqlite::Error| classify(&self.path, &e);
        let mut files_statement = self
            .connection
            .prepare(
                "SELECT id, path, content_hash, text FROM files WHERE run_id = ?1 ORDER BY path",
            )
            .map_err(fail)?;
        let files: Vec<(i64, FileRecord)> = self.rows(&mut files_statement, [run_id], |row| {
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
        let mut findings_statement = self
            .connection
            .prepare(
                "SELECT code, severity, stage, message, start, end, line, col, entity, field, fingerprint, suppressed
                 FROM findings WHERE file_id = ?1 ORDER BY start, id",
            )
            .map_err(fail)?;
        let mut readiness_statement = self
            .connection
            .prepare(
                "SELECT stage, status, errors FROM readiness WHERE file_id = ?1 ORDER BY position",
            )
            .map_err(fail)?;
        let mut out = Vec::with_capacity(files.len());
        for (id, mut file) in files {
            file.findings = self.rows(&mut findings_statement, [id], |row| {
                Ok(FindingRecord {
                    code: row.get(0)?,
                    severity: row.get(1)?,
                    stage: row.get(2)?,
                    message: row.get(3)?,
                    start: row.get(4)?,
                    end: row.get(5)?,
                    line: row.get(6)?,
                    column: row.get(7)?,
                    entity: row.get(8)?,
                    field: row.get(9)?,
                    fingerprint: row.get(10)?,
                    suppressed: row.get(11)?,
                })
            })?;
            file.readiness = self.rows(&mut readiness_statement, [id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
            out.push(file);
        }
        Ok(out)
    }

    /// The run before `run_id`, if any.
    pub fn previous_run(&self, run_id: i64) -> Result<Option<i64>, StoreError> {
        self.connection
            .query_row("SELECT max(id) FROM runs WHERE id < ?1", [run_id], |row| {
                row.get(0)
            })
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.error(&e))
    }

    /// Runs a read-only query an analyst might, returning rows as text.
    pub fn query(&self, sql: &str) -> Result<Vec<Vec<String>>, StoreError> {
        let fail = |e: rusqlite::Error| classify(&self.path, &e);
        let mut statement = self.connection.prepare(sql).map_err(fail)?;
        if !statement.readonly() {
            return Err(StoreError::Sqlite(
                self.path.clone(),
                "only read-only queries may be run".to_owned(),
            ));
        }
        let columns = statement.column_count();
        self.rows(&mut statement, [], |row| {
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
    }
}

/// The application id (`PRAGMA application_id`, bytes 68-71 of the
/// header) of assure's databases: "ASUR".
pub const APPLICATION_ID: i32 = 0x4153_5552;

/// The tables of the schema, by name: a database without an application id
/// that holds exactly these is a history written before the id was set.
const TABLES: [&str; 4] = ["files", "findings", "readiness", "runs"];

/// Looks at an existing database without writing to it: refuses one that
/// is damaged, is someone else's, or has a schema this assure does not
/// know.
fn inspect(path: &Path, timeout: Duration) -> Result<(), StoreError> {
    let fail = |e: rusqlite::Error| classify(path, &e);
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
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
            path.to_path_buf(),
            format!("application id {application_id:#x}, {shown}"),
        ));
    }
    if version < 0 {
        return Err(StoreError::Corrupt(
            path.to_path_buf(),
            format!("schema version {version}, which assure never writes"),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
        });
    }
    let check = texts("PRAGMA quick_check(5)")?;
    if check != ["ok"] {
        return Err(StoreError::Corrupt(
            path.to_path_buf(),
            format!("quick_check: {}", check.join("; ")),
        ));
    }
    Ok(())
}

fn classify(path: &Path, error: &rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked(path),
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(path),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt(path, error.to_string())
        }
        Some(ErrorCode::CannotOpen) => StoreError::Sqlite(path, format!("cannot open it: {error}")),
        _ => StoreError::Sqlite(path, error.to_string()),
    }
}

#[cfg(test)]
mod tests;
