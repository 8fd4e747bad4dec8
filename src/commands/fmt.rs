//! `assure fmt PATH...`: writes proposals in their canonical layout
//! (`assure_check::format`); `--check` only says which would change, and
//! fails if any would, for CI.

use crate::commands::fix::write_atomically;
use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure, files};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `assure fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or directories to format.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted, and fail
    /// (status 1) if there are any.
    #[arg(long)]
    pub check: bool,
}

/// Formats the files.
pub fn run(args: &FmtArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    for path in &args.paths {
        exists(path)?;
    }
    let limit = context.common.max_proposal_bytes;
    let (checker, _) = context.project()?.into_checker();
    let mut out = String::new();
    let mut changed = 0;
    let texts = files::proposal_texts(&args.paths, limit)?;
    let total = texts.len();
    for (path, shown, text) in texts {
        let formatted = assure_check::format::format(&checker, &shown, &text);
        if formatted == text {
            continue;
        }
        changed += 1;
        if args.check {
            let _ = writeln!(out, "would reformat {shown}");
        } else {
            write_atomically(&path, &formatted)?;
            let _ = writeln!(out, "reformatted {shown}");
        }
    }
    let unchanged = total - changed;
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let _ = writeln!(out, "{changed} {verb}, {unchanged} already formatted");
    write(context.stdout, &out)?;
    Ok(if args.check && changed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
