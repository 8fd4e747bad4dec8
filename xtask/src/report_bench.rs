//! `cargo xtask bench --report`: the history and the site. A run is linted
//! once per corpus, then recorded into a fresh SQLite file and into a fresh
//! database of a throw-away PostgreSQL cluster started here (with its
//! default durability, as a team's server would run), and the site is
//! written from each; the median of three.

use assure_check::Checker;
use assure_store::{History, Target};
use assure_workspace::history::lint_corpus;
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs the benchmark and prints the table.
pub fn run() -> Result<(), String> {
    let rules = assure_rules::RuleSet::default_set()
        .map_err(|_| "the default pack does not load".to_owned())?;
    let checker = Checker::new(rules);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/report");
    let _ = std::fs::remove_dir_all(&root);
    let cluster = assure_test_tools::postgres::Cluster::start(&[])?;
    println!(
        "| corpus | lint | record: SQLite | record: PostgreSQL | PostgreSQL / SQLite | site from SQLite | site from PostgreSQL |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let corpora: [(&str, usize, usize); 2] = [
        ("1,000 proposals of 40 entities", 1_000, 40),
        ("one proposal of 100,000 entities", 1, 100_000),
    ];
    for (number, (name, files, entities)) in corpora.into_iter().enumerate() {
        let corpus = root.join(format!("corpus-{number}"));
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        for seed in 0..files {
            std::fs::write(
                corpus.join(format!("p{seed:04}.proposal")),
                assure_gen::proposal(entities, seed as u64 + 1),
            )
            .map_err(|e| e.to_string())?;
        }
        let started = Instant::now();
        let record = lint_corpus(
            &corpus,
            &checker,
            assure_workspace::files::DEFAULT_MAX_PROPOSAL_MIB << 20,
        )?;
        let lint = started.elapsed();
        let mut sqlite = Vec::new();
        let mut postgres = Vec::new();
        for round in 0..3 {
            let file = root.join(format!("history-{number}-{round}.sqlite"));
            sqlite.push(record_and_site(
                &Target::Sqlite(file),
                &record,
                &checker,
                &root.join("site"),
            )?);
            let url = cluster.fresh_database();
            postgres.push(record_and_site(
                &Target::Postgres(url),
                &record,
                &checker,
                &root.join("site"),
            )?);
        }
        let (sqlite_record, sqlite_site) = medians(&sqlite);
        let (postgres_record, postgres_site) = medians(&postgres);
        println!(
            "| {name} | {} | {} | {} | {:.2}× | {} | {} |",
            ms(lint),
            ms(sqlite_record),
            ms(postgres_record),
            postgres_record.as_secs_f64() / sqlite_record.as_secs_f64(),
            ms(sqlite_site),
            ms(postgres_site)
        );
    }
    Ok(())
}

/// Opens `target` (creating its schema: not timed, as it happens once per
/// history) and records `record`, then writes the site of that run.
fn record_and_site(
    target: &Target,
    record: &assure_store::RunRecord,
    checker: &Checker,
    site: &Path,
) -> Result<(Duration, Duration), String> {
    let mut store: Box<dyn History> = assure_store::open(target).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let run_id = store.record(record).map_err(|e| e.to_string())?;
    let recorded = started.elapsed();
    let started = Instant::now();
    let folder = assure_workspace::write::Folder::begin(site)?;
    assure_workspace::site::write(store.as_mut(), run_id, checker, folder)?;
    Ok((recorded, started.elapsed()))
}

fn medians(times: &[(Duration, Duration)]) -> (Duration, Duration) {
    let mut records: Vec<Duration> = times.iter().map(|t| t.0).collect();
    let mut sites: Vec<Duration> = times.iter().map(|t| t.1).collect();
    records.sort();
    sites.sort();
    (records[records.len() / 2], sites[sites.len() / 2])
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1e3)
}
