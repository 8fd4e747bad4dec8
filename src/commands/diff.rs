//! `assure diff OLD NEW`: what changed between two versions of a proposal,
//! failing (exit 1) when the new version has an error the old one did not,
//! so that a CI step can gate on a change making things worse.

use crate::commands::{pretty, write};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::{Severity, visible};
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
    // A file of notices stands for the procurement the other side names
    // (its `ocid`): a proposal is compared with what its notices say.
    let is_notices = |path: &Path| assure_notices::is_notices(&path.display().to_string());
    let (old, new) = match (is_notices(&args.old), is_notices(&args.new)) {
        (true, true) => {
            return Err(Failure::new(
                "diff compares a proposal with its notices: give one proposal and one file of notices",
            ));
        }
        (false, true) => {
            let old = read(&checker, &args.old, limit)?;
            let new = read_notice(&checker, &args.new, &old)?;
            (old, new)
        }
        (true, false) => {
            let new = read(&checker, &args.new, limit)?;
            let old = read_notice(&checker, &args.old, &new)?;
            (old, new)
        }
        (false, false) => (
            read(&checker, &args.old, limit)?,
            read(&checker, &args.new, limit)?,
        ),
    };
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

/// The procurement `other` (a proposal) names, as its notices in `path`
/// give it.
fn read_notice(checker: &Checker, path: &Path, other: &FileReport) -> Result<FileReport, Failure> {
    let shown = path.display().to_string();
    let Some(ocid) = assure_workspace::notices::ocid_of(checker.vocabulary(), &other.text) else {
        return Err(Failure::new(format!(
            "{} names no procurement (no `ocid` in its header), so it cannot be compared with the notices in {}",
            visible(&other.path),
            visible(&shown)
        )));
    };
    let source = assure_workspace::notices::open(path).map_err(|why| {
        Failure::new(format!(
            "cannot read {}: {}",
            visible(&shown),
            visible(&why)
        ))
    })?;
    assure_workspace::notices::find(
        checker,
        std::io::BufReader::with_capacity(1 << 20, source),
        &shown,
        &ocid,
    )
    .map_err(|why| Failure::new(format!("cannot read {why}")))?
    .ok_or_else(|| {
        Failure::new(format!(
            "{} has no notice of {}",
            visible(&shown),
            visible(&ocid)
        ))
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
