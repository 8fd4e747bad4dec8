//! `assure diff OLD NEW`: what changed between two versions of a proposal,
//! failing (exit 1) when the new version has an error the old one did not,
//! so that a CI step can gate on a change making things worse.

use crate::commands::{pretty, write};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::Severity;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};

/// `assure diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older version.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer version.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// `diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The diff, then findings and readiness.
    Human,
    /// One JSON document.
    Json,
}

/// Compares the two versions.
pub fn run(args: &DiffArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    exists(&args.old)?;
    exists(&args.new)?;
    let (checker, _) = context.project()?.into_checker();
    let limit = context.common.max_proposal_bytes;
    let (old, new) = (
        read(&checker, &args.old, limit)?,
        read(&checker, &args.new, limit)?,
    );
    let comparison = assure_report::diff::compare_reports(&old, &new);
    let text = match args.format {
        DiffFormat::Human => assure_report::diff::human(&comparison, context.common.quiet),
        DiffFormat::Json => pretty(&assure_report::diff::json(&comparison))?,
    };
    write(context.stdout, &text)?;
    let worse = comparison
        .appeared
        .iter()
        .any(|f| f.diagnostic.severity == Severity::Error);
    Ok(if worse {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}

/// The report of one version: a proposal, or a Word document read as the
/// proposal it converts to.
fn read(checker: &Checker, path: &Path, limit: u64) -> Result<FileReport, Failure> {
    let shown = path.display().to_string();
    let bytes = assure_workspace::files::read_proposal(path, limit)
        .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let (text, places) = assure_workspace::files::as_proposal(&shown, bytes, checker.vocabulary())
        .map_err(|why| Failure::new(format!("cannot read {shown}: {why}")))?;
    let mut report = checker.check_owned(&shown, text);
    report.places = places;
    Ok(report)
}
