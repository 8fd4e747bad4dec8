//! `assure convert FILE`: a document people write (a Word `.docx`) as the
//! proposal text assure reads from it, in the canonical format; with
//! `--places`, each line's place in the document instead, so that the
//! text's line numbers map back to it.

use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `assure convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The document (`.docx`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print each line's number and its place in the document (headings,
    /// then the paragraph or table cell), tab-separated, not the text.
    #[arg(long)]
    pub places: bool,
}

/// Prints the document as proposal text, or its lines' places.
pub fn run(args: &ConvertArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    exists(&args.file)?;
    let shown = args.file.display().to_string();
    if assure_notices::is_notices(&shown) {
        return Err(Failure::new(format!(
            "{} is a file of published notices: `assure import ocds {0} --out DIR` writes the proposal of each procurement in it",
            assure_diagnostic::visible(&shown)
        )));
    }
    let Some(kind) = assure_documents::Kind::of(&shown) else {
        return Err(Failure::new(format!(
            "{} is not a document assure converts (a Word .docx, or a register in .csv, .xlsx or .ods); proposals in the text format are read as they are",
            assure_diagnostic::visible(&shown)
        )));
    };
    // The project's packs may add fields, and labels for them.
    let (checker, _) = context.project()?.into_checker();
    let bytes =
        assure_workspace::files::read_proposal(&args.file, context.common.max_proposal_bytes)
            .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let converted = assure_documents::convert_file(kind, &shown, &bytes, checker.vocabulary())
        .map_err(|why| Failure::new(format!("cannot read {shown}: {why}")))?;
    if !args.places {
        write(context.stdout, &converted.text)?;
        return Ok(ExitStatus::Ok);
    }
    let mut out = String::new();
    let mut places = converted.places.lines().peekable();
    let mut offset = 0u32;
    for (number, line) in converted.text.split_inclusive('\n').enumerate() {
        while places.peek().is_some_and(|(start, _)| *start < offset) {
            places.next();
        }
        if let Some((start, place)) = places.peek()
            && *start == offset
        {
            let _ = writeln!(out, "{}\t{}", number + 1, place.describe());
        }
        offset += line.len() as u32;
    }
    write(context.stdout, &out)?;
    Ok(ExitStatus::Ok)
}
