//! One module per command: each defines its arguments (as clap reads them)
//! and `run(args, context)`, which validates them, does the work and
//! returns the exit status. Only the commands that need the configuration
//! and the packs ask the [`Context`] for them.

mod annotate;
pub mod convert;
pub mod diff;
pub mod explain;
pub mod export;
pub mod fix;
pub mod fmt;
pub mod graph;
pub mod import;
pub mod init;
pub mod lint;
pub mod report;
pub mod rules;

use crate::cli::RawCommand;
use crate::context::Context;
use crate::{ExitStatus, Failure};
use std::io;

/// Runs `command`.
pub fn run(command: RawCommand, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    match command {
        RawCommand::Lint(args) => lint::run(&args, context),
        RawCommand::Explain(args) => explain::run(&args, context),
        RawCommand::Rules(args) => rules::run(&args, context),
        RawCommand::Graph(args) => graph::run(&args, context),
        RawCommand::Init(args) => init::run(&args, context),
        RawCommand::Diff(args) => diff::run(&args, context),
        RawCommand::Export(args) => export::run(&args, context),
        RawCommand::Convert(args) => convert::run(&args, context),
        RawCommand::Import(args) => import::run(&args, context),
        RawCommand::Fix(args) => fix::run(&args, context),
        RawCommand::Fmt(args) => fmt::run(&args, context),
        RawCommand::Lsp => {
            let ended =
                assure_lsp::run(&context.common.sources, context.common.max_proposal_bytes)?;
            Ok(match ended {
                assure_lsp::Ended::Shutdown => ExitStatus::Ok,
                assure_lsp::Ended::ExitWithoutShutdown => ExitStatus::Findings,
            })
        }
        RawCommand::Report(args) => report::run(&args, context),
    }
}

/// `value` as pretty JSON, with a final newline.
pub(crate) fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes `text`; `assure ... | head` closing the pipe early is the
/// reader's choice, not a failure.
pub(crate) fn write(out: &mut dyn io::Write, text: &str) -> Result<(), Failure> {
    // Text from proposals and packs (names, values, a diff's lines) must
    // not carry a terminal escape; JSON arrives here escaped already.
    let text = assure_diagnostic::visible_lines(text);
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(())
}

/// A write's result, a closed pipe counting as success.
pub(crate) fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `result`'s value, or none where the reader of the output went away (a
/// pipe into `head`): the rest is not wanted, which is no failure.
pub(crate) fn unless_broken_pipe<T>(result: io::Result<T>) -> io::Result<Option<T>> {
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(None),
        other => other.map(Some),
    }
}
