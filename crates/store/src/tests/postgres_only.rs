//! What only a server can meet: a refused or dropped connection, a role
//! that may not write, a password that must not be shown.

use super::*;

#[test]
fn a_refused_connection_is_a_clear_error() {
    // Port 1 on the loopback: nothing listens there.
    let target = Target::Postgres("postgres://assure:s3cret@127.0.0.1:1/history".to_owned());
    let error = open_with_timeout(&target, Duration::from_secs(2)).unwrap_err();
    assert!(matches!(error, StoreError::Unreachable(..)), "{error}");
    let shown = error.to_string();
    assert!(
        shown.starts_with("cannot reach the database postgres://assure:***@127.0.0.1:1/history ("),
        "{shown}"
    );
    assert!(shown.ends_with("; nothing was recorded"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
}

#[test]
fn a_missing_database_is_named() {
    let Some(cluster) = assure_test_tools::postgres::shared() else {
        return;
    };
    let target = Target::Postgres(cluster.url("no_such_history"));
    let error = open(&target).unwrap_err();
    assert!(
        error.to_string().ends_with(
            "/no_such_history (database \"no_such_history\" does not exist); nothing was recorded"
        ),
        "{error}"
    );
}

#[test]
fn passwords_are_never_shown() {
    for (url, shown) in [
        ("postgres://u:pw@h:5432/db", "postgres://u:***@h:5432/db"),
        (
            "postgresql://u@h/db?password=pw&sslmode=disable",
            "postgresql://u@h/db?password=***&sslmode=disable",
        ),
        (
            "postgresql://h/db?sslmode=disable&password=pw",
            "postgresql://h/db?sslmode=disable&password=***",
        ),
        ("postgres://u@h/db", "postgres://u@h/db"),
        (
            "postgres:///db?host=/run/postgresql",
            "postgres:///db?host=/run/postgresql",
        ),
        // As the driver reads the name: percent-decoded, in any case.
        (
            "postgres://u@h/db?pass%77ord=pw&sslmode=disable",
            "postgres://u@h/db?pass%77ord=***&sslmode=disable",
        ),
        (
            "postgres://u@h/db?%70%61%73%73%77%6f%72%64=pw",
            "postgres://u@h/db?%70%61%73%73%77%6f%72%64=***",
        ),
        (
            "postgres://u@h/db?PASSWORD=pw",
            "postgres://u@h/db?PASSWORD=***",
        ),
        (
            "postgres://u@h/db?mypassword=pw",
            "postgres://u@h/db?mypassword=pw",
        ),
    ] {
        assert_eq!(Target::Postgres(url.to_owned()).shown(), shown);
    }
}

#[test]
fn a_connection_dropped_mid_run_records_nothing() {
    let Some(database) = PgDatabase::try_fresh() else {
        return;
    };
    drop(database.open());
    let holder = database.hold_write_lock();
    let target = database.target();
    let writer = std::thread::spawn(move || {
        let mut store = open_with_timeout(&target, Duration::from_secs(30))?;
        store.record(&run(&[("a.proposal", &["CAP001"])]))
    });
    // Once the run waits for the lock, its connection is ended by the server.
    let mut admin = database.client();
    let started = std::time::Instant::now();
    loop {
        let ended = admin
            .query_one(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND application_name = 'assure' AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get::<_, i64>(0);
        if ended > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the run never waited"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let error = writer.join().unwrap().unwrap_err();
    assert!(matches!(error, StoreError::Unreachable(..)), "{error}");
    assert!(
        error.to_string().ends_with("; nothing was recorded"),
        "{error}"
    );
    drop(holder);
    assert_eq!(database.open().runs().unwrap(), []);
}

#[test]
fn a_role_that_may_not_write_records_nothing() {
    let Some(database) = PgDatabase::try_fresh() else {
        return;
    };
    database
        .open()
        .record(&run(&[("a.proposal", &[])]))
        .unwrap();
    let role = format!("reader_{}", std::process::id());
    database.execute(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};"
    ));
    let url = database
        .url
        .replacen("postgres://assure@", &format!("postgres://{role}@"), 1);
    let mut store = open(&Target::Postgres(url)).unwrap();
    assert_eq!(store.runs().unwrap().len(), 1);
    let error = store.record(&run(&[("b.proposal", &[])])).unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly(..)), "{error}");
    assert!(
        error.to_string().ends_with(
            "cannot be written (permission denied for table runs); nothing was recorded"
        ),
        "{error}"
    );
    assert_eq!(store.runs().unwrap().len(), 1);
}

#[test]
fn another_schema_keeps_its_own_history() {
    let Some(database) = PgDatabase::try_fresh() else {
        return;
    };
    database.execute("CREATE TABLE invoices (id INTEGER); CREATE SCHEMA assure;");
    // The URL's options set the schema: the invoices in `public` are not touched.
    let url = format!("{}?options=-csearch_path%3Dassure", database.url);
    let mut store = open(&Target::Postgres(url)).unwrap();
    store.record(&run(&[("a.proposal", &["CAP001"])])).unwrap();
    assert_eq!(
        database
            .client()
            .query_one("SELECT count(*) FROM assure.runs", &[])
            .unwrap()
            .get::<_, i64>(0),
        1
    );
}
