//! `assure export FILE`: the parsed, resolved model of one proposal, as
//! JSON for other tools.

use crate::commands::graph::{read_utf8, report_structural};
use crate::commands::ignore_broken_pipe;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `assure export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The proposal.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
}

/// `export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// JSON.
    Json,
}

/// Prints the model.
pub fn run(args: &ExportArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    exists(&args.file)?;
    let (checker, _) = context.project()?.into_checker();
    let (shown, text) = read_utf8(&checker, &args.file, context.common.max_proposal_bytes)?;
    let modelled = checker.model(&text);
    // Names and values are escaped by JSON itself: nothing from the
    // proposal reaches a terminal raw.
    let written =
        assure_report::export::write(&modelled.model, checker.vocabulary(), &text, context.stdout);
    ignore_broken_pipe(written)?;
    report_structural(shown, &text, modelled.diagnostics, context.stderr)?;
    Ok(ExitStatus::Ok)
}
