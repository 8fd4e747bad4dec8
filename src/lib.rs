//! The `assure` command line.
//!
//! [`run`] is the whole program: it parses the arguments (`cli`), runs
//! one command (`commands`, a module each) in a `context::Context`, and
//! returns the exit status of `docs/cli.md`:
//!
//! - 0: no finding at error level (nor at warning level, with
//!   `--deny warnings`);
//! - 1: at least one such finding;
//! - 2: the run itself failed (bad arguments, unreadable config, invalid
//!   pack, I/O error).
//!
//! It exposes [`run`] and nothing else: what it reads and writes is
//! `assure_workspace`'s, the language server is `assure_lsp`, and the
//! pipeline they drive, `assure_check`, works on bytes.

mod cli;
mod commands;
mod context;

use assure_workspace::Failure;
use clap::Parser as _;
pub use context::Environment;
use context::{Common, Context};
use std::ffi::OsString;
use std::io::Write;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// No finding that fails the run.
    Ok,
    /// A finding that fails the run.
    Findings,
    /// The run itself failed.
    Failure,
}

impl ExitStatus {
    /// The process's exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Ok => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Failure => 2,
        }
    }
}

/// Runs assure with `arguments` (the first being the program name),
/// writing to `stdout` and `stderr`, and returns the exit status.
pub fn run<I, T>(
    arguments: I,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    environment: &Environment,
) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let raw = match cli::RawArgs::try_parse_from(arguments) {
        Ok(raw) => raw,
        Err(error) => {
            let is_output = matches!(
                error.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            let rendered = error.render().to_string();
            if is_output {
                let _ = stdout.write_all(rendered.as_bytes());
                return ExitStatus::Ok;
            }
            let _ = stderr.write_all(rendered.as_bytes());
            return ExitStatus::Failure;
        }
    };
    let outcome = Common::validate(raw.common, environment).and_then(|common| {
        let mut context = Context::new(stdout, stderr, common);
        commands::run(raw.command, &mut context)
    });
    match outcome {
        Ok(status) => status,
        Err(failure) => {
            report_failure(&failure, stderr);
            ExitStatus::Failure
        }
    }
}

fn report_failure(failure: &Failure, stderr: &mut dyn Write) {
    if !failure.reports.is_empty() {
        let options = assure_report::human::HumanOptions {
            quiet: true,
            ..Default::default()
        };
        let _ = assure_report::human::render(&failure.reports, &options, stderr);
    }
    let message = assure_diagnostic::visible_lines(&failure.message);
    let _ = writeln!(stderr, "error: {message}");
}
