//! `assure fix PATH...`: applies the fixes findings carry (safe ones, and
//! unsafe ones with `--unsafe`), round after round until none is left to
//! apply, and writes each file back atomically; `--diff` shows the change
//! instead. `lint --fix` runs the same before it lints.
//! The rounds are `assure_check::fix::fix_text`'s.

use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::Checker;
use assure_check::fix::fix_text;
use assure_diagnostic::{Applicability, visible};
use assure_workspace::files;
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `assure fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files or directories to fix.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Apply unsafe fixes too (they may change meaning: a reference
    /// replaced by the closest name).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Show the changes as a unified diff, and write nothing.
    #[arg(long)]
    pub diff: bool,
}

/// What fixing a set of files did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixing {
    /// Files changed (or, with `--diff`, that would be).
    pub changed: usize,
    /// Files that could not be read as text; each is named in the errors
    /// if they were asked for.
    pub unread: usize,
    /// Files that could not be written; each is named in the errors.
    pub not_written: usize,
}

/// Fixes the files under `paths` (each written back unless `diff`),
/// describing what was done into `out` and each file it could not write
/// (and, if `name_unread`, read) into `errors`. A file it cannot write
/// stops nothing: the others are still fixed, and the summary says how
/// many were not.
#[allow(clippy::too_many_arguments)]
pub fn fix_paths(
    checker: &Checker,
    paths: &[PathBuf],
    limit: u64,
    allowed: Applicability,
    diff: bool,
    name_unread: bool,
    out: &mut String,
    errors: &mut String,
) -> Fixing {
    let mut fixing = Fixing::default();
    let mut total = 0;
    let (texts, found) = files::proposal_texts(paths, limit);
    for note in &found.notes {
        let _ = writeln!(errors, "warning: {note}");
    }
    // Lint reports a folder without proposals itself.
    if name_unread {
        for error in found.empty_errors() {
            fixing.unread += 1;
            let _ = writeln!(errors, "error: {error}");
        }
    }
    for proposal in texts {
        let proposal = match proposal {
            Ok(proposal) => proposal,
            Err(unread) => {
                fixing.unread += 1;
                if name_unread {
                    let _ = writeln!(errors, "{unread}");
                }
                continue;
            }
        };
        let (shown, text) = (&proposal.shown, &proposal.text);
        let fixed = fix_text(checker, shown, text, |_, fix| fix.applicability <= allowed);
        if fixed.text == *text {
            continue;
        }
        if diff {
            fixing.changed += 1;
            total += fixed.applied.len();
            out.push_str(&assure_report::diff::unified_texts(
                text,
                &fixed.text,
                &format!("a/{shown}"),
                &format!("b/{shown}"),
            ));
            continue;
        }
        if let Err(why) =
            assure_workspace::write::replace(&proposal.path, text.as_bytes(), fixed.text.as_bytes())
        {
            fixing.not_written += 1;
            let _ = writeln!(errors, "{}", not_written(shown, &why));
            continue;
        }
        fixing.changed += 1;
        total += fixed.applied.len();
        for applied in &fixed.applied {
            let _ = writeln!(
                out,
                "fixed {shown}:{} {}: {}",
                applied.line, applied.code, applied.title
            );
        }
    }
    let fixes = if total == 1 { "fix" } else { "fixes" };
    let files_word = if fixing.changed == 1 { "file" } else { "files" };
    let verb = if diff { "would apply" } else { "applied" };
    let _ = write!(
        out,
        "{total} {fixes} {verb} in {} {files_word}",
        fixing.changed
    );
    let failed = fixing.not_written + if name_unread { fixing.unread } else { 0 };
    let _ = writeln!(out, "{}", left_as_they_are(failed));
    fixing
}

/// The error for a file a command could not write, and why.
pub(crate) fn not_written(shown: &str, why: &str) -> String {
    format!(
        "error: cannot write {}: {why}; it is unchanged",
        visible(shown)
    )
}

/// The end of a summary for `failed` files left as they are.
pub(crate) fn left_as_they_are(failed: usize) -> String {
    match failed {
        0 => String::new(),
        1 => "; 1 file left as it is (see the error above)".to_owned(),
        n => format!("; {n} files left as they are (see the errors above)"),
    }
}

/// Applies the fixes, then reports what was done; status 1 if findings
/// remain (or, with `--diff`, if there is anything to apply).
pub fn run(args: &FixArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    for path in &args.paths {
        exists(path)?;
    }
    let limit = context.common.max_proposal_bytes;
    let project = context.project()?;
    let (checker, _) = project.into_checker();
    let allowed = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let (mut out, mut errors) = (String::new(), String::new());
    let fixing = fix_paths(
        &checker,
        &args.paths,
        limit,
        allowed,
        args.diff,
        true,
        &mut out,
        &mut errors,
    );
    write(context.stderr, &errors)?;
    write(context.stdout, &out)?;
    if fixing.unread + fixing.not_written > 0 {
        return Ok(ExitStatus::Failure);
    }
    if args.diff {
        return Ok(if fixing.changed > 0 {
            ExitStatus::Findings
        } else {
            ExitStatus::Ok
        });
    }
    // What is left, as lint would judge it.
    let discovered = files::discover(&args.paths).files;
    let left = files::read_all(&discovered, limit, |shown, bytes| match bytes {
        Ok(bytes) => checker.check(shown, &bytes),
        Err(reason) => checker.unreadable(shown, &reason),
    });
    let summary = assure_report::Summary::of(&left);
    write(context.stdout, &format!("{}\n", summary.sentence()))?;
    let failing = left.iter().any(|r| {
        r.count(assure_diagnostic::Severity::Error) > 0
            || r.readiness
                .iter()
                .any(|row| row.status == assure_check::Status::Incomplete)
    });
    Ok(if failing {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
