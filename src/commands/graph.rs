//! `assure graph FILE`: the graph of one proposal, as Graphviz dot or JSON.
//! Structural findings go to stderr and fail the run as they would in
//! `lint`.

use crate::commands::{pretty, write};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::Severity;
use assure_report::human::HumanOptions;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `assure graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The proposal.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// `graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz dot.
    Dot,
    /// JSON nodes and edges.
    Json,
}

/// Prints the graph.
pub fn run(args: &GraphArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    exists(&args.file)?;
    let (checker, _) = context.project()?.into_checker();
    let report = checked_utf8(&checker, &args.file, context.common.max_proposal_bytes)?;
    let modelled = checker.model(&report.text);
    let rendered = match args.format {
        GraphFormat::Dot => assure_report::graph::dot(&modelled.model, checker.vocabulary()),
        GraphFormat::Json => pretty(&assure_report::graph::json(
            &modelled.model,
            checker.vocabulary(),
        ))?,
    };
    write(context.stdout, &rendered)?;
    structural_status(&report, context.stderr)
}

/// Reads and checks one file for `graph` and `export`, which then model
/// its text: a file that cannot be read fails the run; one that is not
/// UTF-8 fails with its SYN003.
pub(crate) fn checked_utf8(
    checker: &Checker,
    file: &Path,
    limit: u64,
) -> Result<FileReport, Failure> {
    let shown = file.display().to_string();
    let bytes = crate::files::read_proposal(file, limit)
        .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let report = checker.check(&shown, &bytes);
    if std::str::from_utf8(&bytes).is_err() {
        return Err(Failure {
            message: format!("{shown} is not UTF-8"),
            reports: vec![report],
        });
    }
    Ok(report)
}

/// After a graph or an export: structural errors go to stderr, and fail the
/// run with status 1 as they would in `lint`.
pub(crate) fn structural_status(
    report: &FileReport,
    stderr: &mut dyn Write,
) -> Result<ExitStatus, Failure> {
    if report.findings.is_empty() {
        return Ok(ExitStatus::Ok);
    }
    let options = HumanOptions {
        quiet: true,
        ..HumanOptions::default()
    };
    assure_report::human::render(std::slice::from_ref(report), &options, stderr)?;
    Ok(if report.count(Severity::Error) > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
