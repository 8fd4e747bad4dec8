//! `assure graph FILE`: the graph of one proposal, as Graphviz dot, JSON or
//! an SVG picture.
//! Its structural diagnostics go to stderr; the rules are not run, and the
//! run succeeds once the graph is written.

use crate::commands::{pretty, write};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::Diagnostic;
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
    /// An SVG picture, laid out by assure (the report site's).
    Svg,
}

/// Prints the graph.
pub fn run(args: &GraphArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    exists(&args.file)?;
    let (checker, _) = context.project()?.into_checker();
    let (shown, text) = read_utf8(&checker, &args.file, context.common.max_proposal_bytes)?;
    let modelled = checker.model(&text);
    let rendered = match args.format {
        GraphFormat::Dot => assure_report::graph::dot(&modelled.model, checker.vocabulary()),
        GraphFormat::Json => pretty(&assure_report::graph::json(
            &modelled.model,
            checker.vocabulary(),
        ))?,
        GraphFormat::Svg => {
            assure_report::graph::svg(&modelled.model, checker.vocabulary(), &|_| false)
        }
    };
    write(context.stdout, &rendered)?;
    report_structural(shown, &text, modelled.diagnostics, context.stderr)?;
    Ok(ExitStatus::Ok)
}

/// Reads one file for `graph` and `export`: its name as shown and its
/// text. A file that cannot be read fails the run; one that is not UTF-8
/// fails with its SYN003.
pub(crate) fn read_utf8(
    checker: &Checker,
    file: &Path,
    limit: u64,
) -> Result<(String, String), Failure> {
    let shown = file.display().to_string();
    let bytes = assure_workspace::files::read_proposal(file, limit)
        .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    // A Word document is read as the text it converts to.
    let (bytes, _) = assure_workspace::files::as_proposal(&shown, bytes, checker.vocabulary())
        .map_err(|why| Failure::new(format!("cannot read {shown}: {why}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok((shown, text)),
        Err(error) => Err(Failure {
            message: format!("{shown} is not UTF-8"),
            reports: vec![checker.check(&shown, error.as_bytes())],
        }),
    }
}

/// After a graph or an export, which are written whatever the proposal's
/// state: its structural diagnostics on stderr, for the reader to know
/// what the output lacks. The rules are not run; `lint` judges.
pub(crate) fn report_structural(
    path: String,
    text: &str,
    diagnostics: Vec<Diagnostic>,
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    let report = FileReport::of_diagnostics(path, text.to_owned(), diagnostics);
    let options = HumanOptions {
        quiet: true,
        ..HumanOptions::default()
    };
    assure_report::human::render(std::slice::from_ref(&report), &options, stderr)?;
    Ok(())
}
