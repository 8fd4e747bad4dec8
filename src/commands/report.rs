//! `assure report --corpus DIR [--db FILE|URL] [--html DIR]`: lints a corpus as
//! `lint` does (the same configuration, packs and date), records the run
//! in the history, and writes the report site (`assure_workspace::history`).

use crate::context::Context;
use crate::{ExitStatus, Failure};
use clap::Args;
use std::path::PathBuf;

/// `assure report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The directory of proposals (every `*.proposal` below it).
    #[arg(long, value_name = "DIR")]
    pub corpus: PathBuf,
    /// The history: an SQLite file, created if need be, or a PostgreSQL
    /// database as `postgres://user@host/db`.
    #[arg(long, value_name = "FILE|URL", default_value = "assure-history.sqlite")]
    pub db: std::ffi::OsString,
    /// Where to write the static report site.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Run only the rules of gateway stages up to this one, as `lint
    /// --stage` does.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
}

/// Records the run and writes the site.
pub fn run(args: &ReportArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    let (checker, _) = context.project()?.into_checker();
    let last_stage = match &args.stage {
        Some(stage) => Some(crate::commands::lint::stage_index(checker.rules(), stage)?),
        None => None,
    };
    let checker = checker.up_to_stage(last_stage);
    let report = assure_workspace::history::Recording {
        corpus: args.corpus.clone(),
        db: args.db.clone(),
        html: args.html.clone(),
        max_file_size: context.common.max_proposal_bytes,
    };
    let mut out = Vec::new();
    assure_workspace::history::run(&report, &checker, &mut out).map_err(Failure::new)?;
    crate::commands::write(context.stdout, &String::from_utf8_lossy(&out))?;
    Ok(ExitStatus::Ok)
}
