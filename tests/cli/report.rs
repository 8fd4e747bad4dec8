//! `assure report`: the installed binary records what `lint` finds, under
//! the same configuration, with paths relative to the corpus.

use crate::{assert_status, assure_in, root};

#[test]
fn report_records_exactly_what_lint_finds_under_the_same_configuration() {
    report_agrees_with_lint("history.sqlite");
}

#[test]
fn report_into_postgres_records_exactly_what_lint_finds() {
    report_agrees_with_lint(&assure_test_postgres::shared().fresh_database());
}

/// Lints and reports the same corpus under the same configuration into
/// the history at `db`, and compares every finding.
fn report_agrees_with_lint(db: &str) {
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
    let lint = assure_in(dir.path(), &["lint", "--format", "json", "corpus"]);
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
        &["report", "--corpus", "corpus", "--db", db, "--html", "site"],
    );
    assert_status!(run, 0);
    let target = assure_store::Target::parse(db.as_ref());
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
    // The configuration was applied: CFC003 off, GATE002 raised.
    assert!(!reported.iter().any(|f| f.contains(" CFC003 ")));
    assert!(
        reported.iter().any(|f| f.contains(" GATE002 error")),
        "{reported:?}"
    );
}
