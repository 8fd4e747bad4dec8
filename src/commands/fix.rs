//! `assure fix PATH...`: applies the fixes findings carry (safe ones, and
//! unsafe ones with `--unsafe`), round after round until none is left to
//! apply, and writes each file back atomically; `--diff` shows the change
//! instead. `lint --fix` runs the same before it lints.
//! The rounds are `assure_check::fix::fix_text`'s.

use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure, files};
use assure_check::Checker;
use assure_check::fix::fix_text;
use assure_diagnostic::{Applicability, visible};
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

/// Fixes the files under `paths` (each written back unless `diff`),
/// describing what was done into `out`; whether anything changed.
pub fn fix_paths(
    checker: &Checker,
    paths: &[PathBuf],
    limit: u64,
    allowed: Applicability,
    diff: bool,
    out: &mut String,
) -> Result<bool, Failure> {
    let mut changed_files = 0;
    let mut total = 0;
    for (path, shown, text) in files::proposal_texts(paths, limit)? {
        let fixed = fix_text(checker, &shown, &text, |_, fix| {
            fix.applicability <= allowed
        });
        if fixed.text == text {
            continue;
        }
        changed_files += 1;
        total += fixed.applied.len();
        if diff {
            out.push_str(&assure_report::diff::unified_texts(
                &text,
                &fixed.text,
                &format!("a/{shown}"),
                &format!("b/{shown}"),
            ));
        } else {
            write_atomically(&path, &fixed.text)?;
            for applied in &fixed.applied {
                let _ = writeln!(
                    out,
                    "fixed {shown}:{} {}: {}",
                    applied.line, applied.code, applied.title
                );
            }
        }
    }
    let fixes = if total == 1 { "fix" } else { "fixes" };
    let files_word = if changed_files == 1 { "file" } else { "files" };
    let verb = if diff { "would apply" } else { "applied" };
    let _ = writeln!(
        out,
        "{total} {fixes} {verb} in {changed_files} {files_word}"
    );
    Ok(changed_files > 0)
}

/// Writes `text` to `path` through a temporary file beside it, renamed over
/// it: a reader sees the old file or the new one, never half of one, and
/// on any error the old file is left as it was.
pub(crate) fn write_atomically(path: &Path, text: &str) -> Result<(), Failure> {
    let shown = path.display().to_string();
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "proposal".into(), |n| n.to_string_lossy().into_owned());
    let temporary = directory.join(format!(".{name}.assure-fix-{}", std::process::id()));
    let result = (|| {
        std::fs::write(&temporary, text)?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Failure::new(format!(
            "cannot write {}: {e}; it is unchanged",
            visible(&shown)
        ))
    })
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
    let mut out = String::new();
    let changed = fix_paths(&checker, &args.paths, limit, allowed, args.diff, &mut out)?;
    write(context.stdout, &out)?;
    if args.diff {
        return Ok(if changed {
            ExitStatus::Findings
        } else {
            ExitStatus::Ok
        });
    }
    // What is left, as lint would judge it.
    let discovered = files::discover(&args.paths);
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
