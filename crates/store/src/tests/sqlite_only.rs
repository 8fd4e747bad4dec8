//! What only an SQLite file can meet: damage to its bytes, a read-only
//! file, the application id in its header.

use super::*;
use rusqlite::Connection;

fn database() -> SqliteFile {
    SqliteFile::fresh()
}

#[test]
fn a_corrupt_file_is_refused_and_untouched() {
    let file = database();
    let garbage = b"this is a spreadsheet, not a database".repeat(200);
    std::fs::write(&file.path, &garbage).unwrap();
    let error = Sqlite::open(&file.path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(..)), "{error}");
    assert!(
        error
            .to_string()
            .contains("is not a usable assure database"),
        "{error}"
    );
    assert_eq!(std::fs::read(&file.path).unwrap(), garbage);
}

#[test]
fn a_read_only_database_records_nothing() {
    let file = database();
    let mut store = Sqlite::open(&file.path).unwrap();
    store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    drop(store);
    let mut permissions = std::fs::metadata(&file.path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&file.path, permissions).unwrap();
    let mut store = Sqlite::open(&file.path).unwrap();
    let error = store.record(&run(&[("b.proposal", &[])])).unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly(..)), "{error}");
    assert!(
        error
            .to_string()
            .ends_with("cannot be written (read-only file or directory); nothing was recorded"),
        "{error}"
    );
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn a_database_with_a_damaged_page_is_refused_and_untouched() {
    let file = database();
    let mut store = Sqlite::open(&file.path).unwrap();
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
    let mut bytes = std::fs::read(&file.path).unwrap();
    assert!(bytes.len() > 6 * 4096, "{} bytes", bytes.len());
    // Page 4 (an interior page of a table), the header left as it was.
    bytes[3 * 4096..4 * 4096].fill(0xA5);
    std::fs::write(&file.path, &bytes).unwrap();
    let error = Sqlite::open(&file.path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(..)), "{error}");
    assert_eq!(std::fs::read(&file.path).unwrap(), bytes);
}

#[test]
fn someone_elses_file_is_named_by_what_it_holds() {
    let file = database();
    file.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY); PRAGMA application_id = 7;");
    let error = Sqlite::open(&file.path).unwrap_err();
    assert!(
        error.to_string().ends_with(
            "runs.sqlite is a database, but not one of assure's (application id 0x7, tables invoices); it was left untouched: give another one"
        ),
        "{error}"
    );
    assert!(!file.path.with_extension("sqlite-wal").exists());
}

#[test]
fn someone_elses_database_in_wal_mode_is_left_without_files_beside_it() {
    for id in [0, 7] {
        let file = database();
        file.execute(&format!(
            "PRAGMA journal_mode = WAL; CREATE TABLE invoices (id INTEGER PRIMARY KEY); PRAGMA application_id = {id};"
        ));
        let before = std::fs::read(&file.path).unwrap();
        let beside = |suffix: &str| {
            let mut name = file.path.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        };
        assert!(!beside("-wal").exists() && !beside("-shm").exists());
        let error = Sqlite::open(&file.path).unwrap_err();
        assert!(matches!(error, StoreError::Foreign(..)), "{error}");
        assert!(!beside("-wal").exists(), "{id}");
        assert!(!beside("-shm").exists(), "{id}");
        assert_eq!(std::fs::read(&file.path).unwrap(), before);
    }
}

#[test]
fn a_new_database_is_marked_as_assures_own() {
    let file = database();
    drop(Sqlite::open(&file.path).unwrap());
    let connection = Connection::open(&file.path).unwrap();
    let id: i32 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
}

#[test]
fn a_history_written_before_the_application_id_is_still_opened() {
    let file = database();
    let mut store = Sqlite::open(&file.path).unwrap();
    store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    drop(store);
    file.execute("PRAGMA application_id = 0");
    let mut store = Sqlite::open(&file.path).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    let id: i32 = store
        .connection()
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .unwrap();
    assert_eq!(id, APPLICATION_ID);
}

#[test]
fn a_path_is_a_file_and_a_url_is_a_server() {
    use std::ffi::OsStr;
    let parse = |given: &str| Target::parse(OsStr::new(given));
    assert_eq!(
        parse("target/h.sqlite"),
        Ok(Target::Sqlite("target/h.sqlite".into()))
    );
    assert_eq!(
        parse("postgresql://u@h/db"),
        Ok(Target::Postgres("postgresql://u@h/db".to_owned()))
    );
    assert_eq!(
        parse("POSTGRES://u@h/db"),
        Ok(Target::Postgres("postgres://u@h/db".to_owned()))
    );
    assert_eq!(
        parse("./postgres://x"),
        Ok(Target::Sqlite(Path::new("./postgres://x").to_path_buf()))
    );
    assert_eq!(
        parse("./file:x.sqlite"),
        Ok(Target::Sqlite(Path::new("./file:x.sqlite").to_path_buf()))
    );
    assert_eq!(
        parse("mysql://u@h/db"),
        Err(
            "`mysql://` is not a history assure keeps: give a file path, or a postgres:// URL"
                .to_owned()
        )
    );
    for special in [
        ":memory:",
        "file::memory:",
        "file:foreign.sqlite",
        "file:h.sqlite?mode=rwc",
    ] {
        assert_eq!(
            parse(special),
            Err(format!(
                "`{special}` would be read by SQLite as a special name, not a file: give the path of a file (`./{special}` for a file of that name)"
            ))
        );
    }
    assert_eq!(
        parse(""),
        Err("the history must be a file or a postgres:// URL, not nothing".to_owned())
    );
}
