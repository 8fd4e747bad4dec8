//! `cargo xtask`: the project's automation, in Rust.
//!
//! - `cargo xtask gen --entities N --seed S [--out FILE]`: a synthetic
//!   proposal (see `assure-gen`);
//! - `cargo xtask bench [--quick]`: times parse, model, rules and the whole
//!   check on generated proposals of 1k, 10k and 100k entities and prints a
//!   table (the figures of `docs/performance.md`);
//! - `cargo xtask report [--corpus DIR] [--db PATH] [--html DIR]`: lint a
//!   corpus, record the run in the history, write the static report site;
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: the cargo-fuzz targets;
//! - `cargo xtask scaling [--only NAME]`: every input shape that was ever
//!   quadratic, and the packs' functions, at a size and four times it;
//! - `cargo xtask docs`: the parts of `docs/` written from the code (the
//!   codes, the built-in functions);
//! - `cargo xtask regimes`: each shipped pack's coverage map
//!   (docs/regimes) checked against the pack.
//! - `cargo xtask hunt`: every fixture's errors, the fields they rest on
//!   rewritten as people write them; fails on a silent pass.

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod bench;
mod docs;
mod docx_bench;
mod fuzz;
mod hunt;
mod lsp_bench;
mod notices_bench;
mod regimes;
mod report_bench;
mod scaling;

// The same allocator as the `assure` binary, so that timings match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// assure's automation.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask")]
struct Args {
    #[command(subcommand)]
    command: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Write a synthetic proposal.
    Gen {
        /// About how many entities.
        #[arg(long, default_value_t = 1000)]
        entities: usize,
        /// The seed; the same seed gives the same proposal.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write it (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Instead, the densest cluster of conflicts of interest, of this
        /// many people (and as many organisations and contracts).
        #[arg(long, value_name = "PEOPLE")]
        dense: Option<usize>,
    },
    /// Lint a corpus, record the run in the history, and write the HTML report.
    Report {
        /// The proposals.
        #[arg(long, default_value = "fixtures")]
        corpus: PathBuf,
        /// The history: an SQLite file or a PostgreSQL URL.
        #[arg(long, default_value = "target/assure-history.sqlite")]
        db: std::ffi::OsString,
        /// Where to write the static site.
        #[arg(long)]
        html: Option<PathBuf>,
    },
    /// Run the fuzzers (cargo-fuzz) for a while each.
    Fuzz {
        /// Seconds per target.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Targets to run (proposal, pack, config); all by default.
        targets: Vec<String>,
    },
    /// Write the parts of docs/ that come from the code.
    Docs,
    /// Rewrite the field each fixture's errors rest on as people write
    /// fields; fail if an error then passes without a word.
    Hunt,
    /// Check each shipped pack's coverage map (docs/regimes) against the
    /// pack: every rule mapped, every citation in its source.
    Regimes,
    /// Check each hostile input shape at a size and four times it; fail if
    /// one grows faster than linear.
    Scaling {
        /// Only the shapes whose names hold this.
        #[arg(long)]
        only: Option<String>,
    },
    /// Time the pipeline on generated proposals and print a table.
    Bench {
        /// Fewer repetitions, for a quick look.
        #[arg(long)]
        quick: bool,
        /// Instead, time each rule on a proposal of this many entities.
        #[arg(long, value_name = "ENTITIES")]
        per_rule: Option<usize>,
        /// Instead, run one stage (`parse`, `model` or `rules`) in a loop
        /// for a few seconds, for a profiler to watch.
        #[arg(long, value_name = "STAGE")]
        only: Option<String>,
        /// How many entities `--only` runs on.
        #[arg(long, default_value_t = 100_000, requires = "only")]
        entities: usize,
        /// Instead, drive `assure lsp` over stdio: diagnostics after an
        /// edit, hover, definition, completion, memory.
        #[arg(long)]
        lsp: bool,
        /// Instead, time recording a run into SQLite and PostgreSQL, and
        /// writing the site from each.
        #[arg(long)]
        report: bool,
        /// Instead, lint JSON Lines of published notices of 5, 100 and 500
        /// MB (`--quick`: 5 and 50): throughput and peak memory.
        #[arg(long)]
        notices: bool,
    },
}

/// `cargo xtask report`: `assure report`'s work with the default pack, for
/// development.
fn report(corpus: PathBuf, db: &std::ffi::OsStr, html: Option<PathBuf>) -> Result<(), String> {
    let rules = assure_rules::RuleSet::default_set()
        .map_err(|_| "the default pack does not load".to_owned())?;
    let checker = assure_check::Checker::new(rules);
    let args = assure_workspace::history::Recording {
        corpus,
        db: db.to_owned(),
        html,
        max_file_size: assure_workspace::files::DEFAULT_MAX_PROPOSAL_MIB << 20,
    };
    assure_workspace::history::run(&args, &checker, &mut std::io::stdout())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Task::Gen {
            entities,
            seed,
            out,
            dense,
        } => {
            let text = match dense {
                Some(people) => assure_gen::dense_conflicts(people),
                None => assure_gen::proposal(entities, seed),
            };
            match out {
                Some(path) => std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display())),
                None => {
                    print!("{text}");
                    Ok(())
                }
            }
        }
        Task::Bench {
            per_rule: Some(entities),
            ..
        } => bench::per_rule(entities),
        Task::Bench {
            only: Some(stage),
            entities,
            ..
        } => bench::only(&stage, entities),
        Task::Bench { report: true, .. } => report_bench::run(),
        Task::Bench {
            notices: true,
            quick,
            ..
        } => notices_bench::run(quick),
        Task::Bench { lsp: true, .. } => bench::assure_binary().and_then(|b| lsp_bench::run(&b)),
        Task::Bench { quick, .. } => bench::run(quick),
        Task::Fuzz { seconds, targets } => fuzz::run(&targets, seconds),
        Task::Hunt => hunt::run(),
        Task::Regimes => regimes::run(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")),
        Task::Docs => docs::write(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")),
        Task::Scaling { only } => scaling::run(only.as_deref()),
        Task::Report { corpus, db, html } => report(corpus, &db, html),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
