//! The history of runs: SQLite on one machine, PostgreSQL for a team.
//!
//! `assure report` records each run over a corpus here: the run (time, tool
//! version, packs, git commit), each file (path, content hash, text), each
//! finding and each readiness row. Two backends sit behind one trait,
//! [`History`], and give the same guarantees:
//!
//! | guarantee | SQLite ([`Sqlite`], the default) | PostgreSQL ([`Postgres`], `postgres://…`) |
//! |---|---|---|
//! | a foreign, damaged or newer database refused, untouched | read-only inspection first: application id, `user_version`, `quick_check` | the `assure_meta` table read before anything is created; a schema holding other tables is not assure's |
//! | schema created or migrated once, even by racing processes | one `BEGIN IMMEDIATE` transaction | one transaction under an advisory lock |
//! | one transaction per run; nothing half-written when killed | `BEGIN IMMEDIATE` … `COMMIT` | one transaction; the server drops it with the connection |
//! | concurrent runs serialised, ids in commit order | WAL, the busy timeout | an advisory lock taken first in each run's transaction, `lock_timeout` |
//! | every failure a [`StoreError`] that says which and what to do | locked, read-only, corrupt, foreign, newer | the same, and unreachable (refused or dropped connection) |
//!
//! The reading side ([`History::runs`], [`History::files`] and the counts
//! the site charts) is written once in SQL both understand; what a backend
//! adds is how it connects, writes and classifies its errors.
//!
//! This crate knows nothing of proposals or rules: it stores what it is
//! given ([`RunRecord`]), and nothing in the checking pipeline depends on it.

mod pg;
mod sqlite;

pub use crate::pg::Postgres;
pub use crate::sqlite::{APPLICATION_ID, Sqlite};

use std::ffi::OsStr;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The schema this version writes and reads.
pub const SCHEMA_VERSION: i64 = 3;

/// How long a run waits for another one writing to the same history.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What a statement that would write is told by [`History::query`].
const ONLY_READ_ONLY: &str = "only read-only queries may be run";

/// Where a history is kept: a file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite file, created when missing.
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Target {
    /// A URL starting `postgres://` or `postgresql://` (in any case) is
    /// PostgreSQL; a path is an SQLite file. Refused: nothing, a URL of
    /// any other scheme (`mysql://`, `sqlite://`), an SQLite URI
    /// (`file:...`, which SQLite would open wherever it says, past the
    /// checks made on the path) and an in-memory database (`:memory:`),
    /// which would keep nothing while the run says it was recorded.
    pub fn parse(given: &OsStr) -> Result<Target, String> {
        let text = given.to_string_lossy();
        if text.is_empty() {
            return Err("the history must be a file or a postgres:// URL, not nothing".to_owned());
        }
        if let Some((scheme, rest)) = text.split_once("://")
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            let scheme = scheme.to_ascii_lowercase();
            return match scheme.as_str() {
                "postgres" | "postgresql" => Ok(Target::Postgres(format!("{scheme}://{rest}"))),
                _ => Err(format!(
                    "`{scheme}://` is not a history assure keeps: give a file path, or a postgres:// URL"
                )),
            };
        }
        if text == ":memory:" || text.starts_with("file:") {
            return Err(format!(
                "`{text}` would be read by SQLite as a special name, not a file: give the path of a file (`./{text}` for a file of that name)"
            ));
        }
        Ok(Target::Sqlite(PathBuf::from(given)))
    }

    /// How the target is shown in messages: a path, or a URL with its
    /// password hidden.
    pub fn shown(&self) -> String {
        match self {
            Target::Sqlite(path) => path.display().to_string(),
            Target::Postgres(url) => pg::without_password(url),
        }
    }
}

/// Opens the history at `target`, creating or migrating its schema, and
/// waiting up to [`DEFAULT_TIMEOUT`] for another writer.
pub fn open(target: &Target) -> Result<Box<dyn History>, StoreError> {
    open_with_timeout(target, DEFAULT_TIMEOUT)
}

/// [`open`] with a given wait for other writers.
pub fn open_with_timeout(
    target: &Target,
    timeout: Duration,
) -> Result<Box<dyn History>, StoreError> {
    Ok(match target {
        Target::Sqlite(path) => Box::new(Sqlite::open_with_timeout(path, timeout)?),
        Target::Postgres(url) => Box::new(Postgres::open_with_timeout(url, timeout)?),
    })
}

/// A history of runs, whichever database keeps it.
pub trait History: fmt::Debug {
    /// Where it is, as shown in messages (no password).
    fn location(&self) -> &str;
    /// The schema version it holds.
    fn schema_version(&mut self) -> Result<i64, StoreError>;
    /// Records a run in one transaction, returning its id; a failure
    /// leaves nothing of it.
    fn record(&mut self, run: &RunRecord) -> Result<i64, StoreError>;
    /// Every run, oldest first.
    fn runs(&mut self) -> Result<Vec<RunSummary>, StoreError>;
    /// The files of a run, with their findings and readiness, by path.
    fn files(&mut self, run_id: i64) -> Result<Vec<FileRecord>, StoreError>;
    /// The last run before `run_id` of the same scope, if any.
    fn previous_run(&mut self, run_id: i64) -> Result<Option<i64>, StoreError>;
    /// Unsuppressed findings per run, code and severity.
    fn finding_counts(&mut self) -> Result<Vec<FindingCount>, StoreError>;
    /// Every readiness row of every run, by run, path and stage order.
    fn readiness_history(&mut self) -> Result<Vec<ReadinessRow>, StoreError>;
    /// Runs one read-only statement an analyst might, rows as text
    /// (`NULL` for null).
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<String>>, StoreError>;
}

/// Why the store could not do what was asked. Each names the history as
/// shown by [`Target::shown`].
#[derive(Debug)]
pub enum StoreError {
    /// Another process holds the history for longer than the timeout.
    Locked(String),
    /// The history cannot be written: where, and why.
    ReadOnly(String, String),
    /// The file is not an SQLite database, or is damaged.
    Corrupt(String, String),
    /// The history was written by a newer assure.
    NewerSchema {
        /// The history.
        at: String,
        /// Its schema version.
        found: i64,
    },
    /// A database that is not one of assure's: what it holds.
    Foreign(String, String),
    /// The server cannot be reached, or the connection was lost.
    Unreachable(String, String),
    /// Anything else the database reported.
    Database(String, String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Locked(at) => write!(
                f,
                "the database {at} is locked by another process; try again when it finishes"
            ),
            StoreError::ReadOnly(at, why) => write!(
                f,
                "the database {at} cannot be written ({why}); nothing was recorded"
            ),
            StoreError::Corrupt(at, detail) => write!(
                f,
                "{at} is not a usable assure database ({detail}); move it aside to start a new history"
            ),
            StoreError::NewerSchema { at, found } => write!(
                f,
                "the database {at} has schema version {found}, newer than this assure understands ({SCHEMA_VERSION}); upgrade assure"
            ),
            StoreError::Foreign(at, detail) => write!(
                f,
                "{at} is a database, but not one of assure's ({detail}); it was left untouched: give another one"
            ),
            StoreError::Unreachable(at, detail) => write!(
                f,
                "cannot reach the database {at} ({detail}); nothing was recorded"
            ),
            StoreError::Database(at, detail) => write!(f, "database {at}: {detail}"),
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
    /// What the run covered (packs, stages, rules left out, the date
    /// judged by), as text: a run is compared only with the last run of
    /// the same scope (schema 3; empty for runs recorded before).
    pub scope: String,
    /// The files.
    pub files: Vec<FileRecord>,
}

impl RunRecord {
    /// The packs as stored: "name version", one per line.
    fn packs_text(&self) -> String {
        let packs: Vec<String> = self
            .packs
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        packs.join("\n")
    }
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
    /// What to do about it, when the finding says (schema 2; `None` in
    /// runs recorded before).
    pub help: Option<String>,
    /// The other places it points at, each with why (schema 2).
    pub labels: Vec<LabelRecord>,
}

/// A secondary place of a finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelRecord {
    /// Byte offsets of the place.
    pub start: i64,
    /// End of the place.
    pub end: i64,
    /// 1-based line.
    pub line: i64,
    /// 1-based column.
    pub column: i64,
    /// Why the place matters.
    pub message: String,
}

/// Labels as stored: a JSON array of `[start, end, line, column, message]`,
/// or NULL for none, the same text in both backends.
fn labels_text(labels: &[LabelRecord]) -> Option<String> {
    (!labels.is_empty()).then(|| {
        serde_json::Value::Array(
            labels
                .iter()
                .map(|l| serde_json::json!([l.start, l.end, l.line, l.column, l.message]))
                .collect(),
        )
        .to_string()
    })
}

/// Labels read back; text that is not what [`labels_text`] writes (a row
/// edited by hand) reads as no labels, never as an error.
fn labels_from(text: Option<String>) -> Vec<LabelRecord> {
    let Some(serde_json::Value::Array(items)) =
        text.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let number = |i: usize| item.get(i)?.as_i64();
            Some(LabelRecord {
                start: number(0)?,
                end: number(1)?,
                line: number(2)?,
                column: number(3)?,
                message: item.get(4)?.as_str()?.to_owned(),
            })
        })
        .collect()
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
    /// What it covered ([`RunRecord::scope`]).
    pub scope: String,
}

/// How many unsuppressed findings of one code and severity a run had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingCount {
    /// The run.
    pub run_id: i64,
    /// The code.
    pub code: String,
    /// Its severity.
    pub severity: String,
    /// How many.
    pub count: i64,
}

/// One stage's readiness for one file in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessRow {
    /// The run.
    pub run_id: i64,
    /// The file's path.
    pub path: String,
    /// The stage.
    pub stage: String,
    /// `approved`, `ready`, `partial`, `incomplete` or `blocked`.
    pub status: String,
}

/// The SQL of the reading side, which both backends run as written:
/// placeholders are `$1`, which SQLite also takes.
mod reading {
    /// Every run with its number of files and findings.
    pub const RUNS: &str = "SELECT r.id, r.started_at, r.tool, r.git_commit,
            (SELECT count(*) FROM files WHERE run_id = r.id),
            (SELECT count(*) FROM findings JOIN files ON files.id = findings.file_id WHERE files.run_id = r.id),
            r.scope
        FROM runs r ORDER BY r.id";
    /// The last run before `$1` of the same scope.
    pub const PREVIOUS_RUN: &str = "SELECT max(id) FROM runs
        WHERE id < $1 AND scope = (SELECT scope FROM runs WHERE id = $1)";
    /// The findings of run `$1`, by file: the file's id first.
    pub const FINDINGS: &str =
        "SELECT fi.file_id, fi.code, fi.severity, fi.stage, fi.message, fi.start, fi.\"end\",
            fi.line, fi.col, fi.entity, fi.field, fi.fingerprint, fi.suppressed, fi.help, fi.labels
        FROM findings fi JOIN files f ON f.id = fi.file_id WHERE f.run_id = $1
        ORDER BY fi.file_id, fi.start, fi.id";
    /// The readiness rows of run `$1`, by file.
    pub const READINESS: &str = "SELECT r.file_id, r.stage, r.status, r.errors
        FROM readiness r JOIN files f ON f.id = r.file_id WHERE f.run_id = $1
        ORDER BY r.file_id, r.position";
    /// Unsuppressed findings per run, code and severity.
    pub const FINDING_COUNTS: &str = "SELECT f.run_id, fi.code, fi.severity, count(*)
        FROM findings fi JOIN files f ON f.id = fi.file_id WHERE fi.suppressed IS NULL
        GROUP BY f.run_id, fi.code, fi.severity ORDER BY f.run_id, fi.code, fi.severity";
    /// The files of run `$1`: id, path, content hash, text (`text` in
    /// SQLite, `bytea` in PostgreSQL; each backend reads it its way).
    pub const FILES: &str = "SELECT id, path, content_hash, text FROM files WHERE run_id = $1";
    /// Every readiness row of every run.
    pub const READINESS_HISTORY: &str = "SELECT f.run_id, f.path, r.stage, r.status
        FROM readiness r JOIN files f ON f.id = r.file_id
        ORDER BY f.run_id, f.id, r.position";
}

/// A file's findings and readiness rows put with it: `files` are keyed by
/// id, the rows by their file's id, all in the order the file's own
/// queries give. The files come back sorted by path, byte by byte, as
/// SQLite's default collation sorts (PostgreSQL's depends on the locale).
fn assemble(
    files: Vec<(i64, FileRecord)>,
    findings: Vec<(i64, FindingRecord)>,
    readiness: Vec<(i64, (String, String, i64))>,
) -> Vec<FileRecord> {
    let mut by_id: std::collections::HashMap<i64, FileRecord> = files.into_iter().collect();
    for (id, finding) in findings {
        if let Some(file) = by_id.get_mut(&id) {
            file.findings.push(finding);
        }
    }
    for (id, row) in readiness {
        if let Some(file) = by_id.get_mut(&id) {
            file.readiness.push(row);
        }
    }
    let mut out: Vec<FileRecord> = by_id.into_values().collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// A finding from a row of [`reading::FINDINGS`], column 0 being its file's
/// id; `$get` is the row's fallible typed getter (`get` in rusqlite,
/// `try_get` in postgres).
macro_rules! finding_from_row {
    ($row:ident . $get:ident) => {
        (
            $row.$get(0)?,
            $crate::FindingRecord {
                code: $row.$get(1)?,
                severity: $row.$get(2)?,
                stage: $row.$get(3)?,
                message: $row.$get(4)?,
                start: $row.$get(5)?,
                end: $row.$get(6)?,
                line: $row.$get(7)?,
                column: $row.$get(8)?,
                entity: $row.$get(9)?,
                field: $row.$get(10)?,
                fingerprint: $row.$get(11)?,
                suppressed: $row.$get(12)?,
                help: $row.$get(13)?,
                labels: $crate::labels_from($row.$get::<_, Option<String>>(14)?),
            },
        )
    };
}
use finding_from_row;

/// A [`RunSummary`] from a row of [`reading::RUNS`]; `$get` as for
/// [`finding_from_row`].
macro_rules! run_summary_from_row {
    ($row:ident . $get:ident) => {
        $crate::RunSummary {
            id: $row.$get(0)?,
            started_at: $row.$get(1)?,
            tool: $row.$get(2)?,
            git_commit: $row.$get(3)?,
            files: $row.$get(4)?,
            findings: $row.$get(5)?,
            scope: $row.$get(6)?,
        }
    };
}
use run_summary_from_row;

/// A file's id and readiness row from a row of [`reading::READINESS`].
macro_rules! readiness_from_row {
    ($row:ident . $get:ident) => {
        ($row.$get(0)?, ($row.$get(1)?, $row.$get(2)?, $row.$get(3)?))
    };
}
use readiness_from_row;

/// A [`FindingCount`] from a row of [`reading::FINDING_COUNTS`].
macro_rules! finding_count_from_row {
    ($row:ident . $get:ident) => {
        $crate::FindingCount {
            run_id: $row.$get(0)?,
            code: $row.$get(1)?,
            severity: $row.$get(2)?,
            count: $row.$get(3)?,
        }
    };
}
use finding_count_from_row;

/// A [`ReadinessRow`] from a row of [`reading::READINESS_HISTORY`].
macro_rules! readiness_row_from_row {
    ($row:ident . $get:ident) => {
        $crate::ReadinessRow {
            run_id: $row.$get(0)?,
            path: $row.$get(1)?,
            stage: $row.$get(2)?,
            status: $row.$get(3)?,
        }
    };
}
use readiness_row_from_row;

#[cfg(test)]
mod tests;
