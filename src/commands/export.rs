//! `assure export FILE`: the parsed, resolved model of one proposal, as
//! JSON for other tools.

use crate::commands::graph::{checked_utf8, structural_status};
use crate::commands::{pretty, write};
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
    let report = checked_utf8(&checker, &args.file, context.common.max_proposal_bytes)?;
    let modelled = checker.model(&report.text);
    let document =
        assure_report::export::document(&modelled.model, checker.vocabulary(), &report.text);
    write(context.stdout, &pretty(&document)?)?;
    structural_status(&report, context.stderr)
}
