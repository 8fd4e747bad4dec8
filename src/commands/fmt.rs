//! `assure fmt PATH...`: writes proposals in their canonical layout
//! (`assure_check::format`); `--check` only says which would change, and
//! fails if any would, for CI.

use crate::commands::fix::{left_as_they_are, not_written};
use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_diagnostic::visible;
use assure_workspace::files;
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

/// Formats the files. One that cannot be read, laid out or written is
/// named and left as it is; the others are still formatted, and the run
/// fails (status 2).
pub fn run(args: &FmtArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    for path in &args.paths {
        exists(path)?;
    }
    let limit = context.common.max_proposal_bytes;
    let (checker, _) = context.project()?.into_checker();
    let (mut out, mut errors) = (String::new(), String::new());
    let (mut changed, mut unchanged, mut failed) = (0, 0, 0);
    let (texts, found) = files::proposal_texts(&args.paths, limit);
    for note in &found.notes {
        let _ = writeln!(errors, "warning: {note}");
    }
    for error in found.empty_errors() {
        failed += 1;
        let _ = writeln!(errors, "error: {error}");
    }
    for proposal in texts {
        let proposal = match proposal {
            Ok(proposal) => proposal,
            Err(unread) => {
                failed += 1;
                let _ = writeln!(errors, "{unread}");
                continue;
            }
        };
        let (shown, text) = (&proposal.shown, &proposal.text);
        let formatted = match assure_check::format::format(&checker, shown, text) {
            Ok(formatted) => formatted,
            Err(why) => {
                failed += 1;
                let _ = writeln!(errors, "error: cannot format {}: {why}", visible(shown));
                continue;
            }
        };
        if formatted == *text {
            unchanged += 1;
        } else if args.check {
            changed += 1;
            let _ = writeln!(out, "would reformat {shown}");
        } else if let Err(why) =
            assure_workspace::write::replace(&proposal.path, text.as_bytes(), formatted.as_bytes())
        {
            failed += 1;
            let _ = writeln!(errors, "{}", not_written(shown, &why));
        } else {
            changed += 1;
            let _ = writeln!(out, "reformatted {shown}");
        }
    }
    let verb = if args.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let _ = writeln!(
        out,
        "{changed} {verb}, {unchanged} already formatted{}",
        left_as_they_are(failed)
    );
    write(context.stderr, &errors)?;
    write(context.stdout, &out)?;
    Ok(if failed > 0 {
        ExitStatus::Failure
    } else if args.check && changed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
