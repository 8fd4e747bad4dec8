//! `assure fix PATH...`: applies the fixes findings carry (safe ones, and
//! unsafe ones with `--unsafe`), round after round until none is left to
//! apply, and writes each file back atomically; `--diff` shows the change
//! instead. `lint --fix` runs the same before it lints.
//!
//! A round checks the text, takes one fix per finding, applies those that
//! do not overlap (`assure_diagnostic::apply`) and checks again; a round
//! whose result has more syntax errors than its input is not kept, so a
//! fix never leaves a file that reads worse.

use crate::commands::write;
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure, files};
use assure_check::{Checker, FileReport};
use assure_diagnostic::{Applicability, Fix, LineIndex, visible};
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

/// The most rounds of fixing one file: each round applies every fix that
/// does not overlap another, so a few suffice; the bound keeps a fix that
/// undoes another from looping.
const MAX_ROUNDS: usize = 8;

/// One fix applied: where (a line of the text it applied to), the code it
/// mended, and its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The line, 1-based, in the text of the round it was applied in.
    pub line: u32,
    /// The finding's code.
    pub code: String,
    /// What the fix did.
    pub title: String,
}

/// A file's text after fixing, and what was applied.
#[derive(Debug)]
pub struct Fixed {
    /// The text after every round.
    pub text: String,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
}

/// Fixes `text` (read from `path`) with the fixes of `checker`'s findings up
/// to `allowed`.
pub fn fix_text(checker: &Checker, path: &str, text: &str, allowed: Applicability) -> Fixed {
    let mut text = text.to_owned();
    let mut applied = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let report = checker.check(path, text.as_bytes());
        let chosen: Vec<(&str, &Fix)> = report
            .findings
            .iter()
            .filter(|f| f.is_active())
            .filter_map(|f| {
                let fix = f
                    .diagnostic
                    .fixes
                    .iter()
                    .find(|fix| fix.applicability <= allowed)?;
                Some((&*f.diagnostic.code, fix))
            })
            .collect();
        if chosen.is_empty() {
            break;
        }
        let fixes: Vec<&Fix> = chosen.iter().map(|(_, fix)| *fix).collect();
        let (next, taken) = assure_diagnostic::apply(&text, &fixes);
        if taken.is_empty() || syntax_errors(checker, path, &next) > syntax_errors_of(&report) {
            break;
        }
        let index = LineIndex::new(&text);
        for i in taken {
            let (code, fix) = chosen[i];
            let start = fix.edits.first().map_or(0, |e| e.span.start);
            applied.push(Applied {
                line: index.line_col(&text, start).line,
                code: code.to_owned(),
                title: fix.title.clone(),
            });
        }
        if next == text {
            break;
        }
        text = next;
    }
    Fixed { text, applied }
}

/// How many syntax errors (SYN codes) `text` has.
fn syntax_errors(checker: &Checker, path: &str, text: &str) -> usize {
    syntax_errors_of(&checker.check(path, text.as_bytes()))
}

fn syntax_errors_of(report: &FileReport) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.diagnostic.code.starts_with("SYN"))
        .count()
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
    let discovered = files::discover(paths);
    let mut changed_files = 0;
    let mut total = 0;
    for file in &discovered {
        if let Some(error) = &file.error {
            return Err(Failure::new(error.clone()));
        }
        let shown = file.path.display().to_string();
        let bytes = files::read_proposal(&file.path, limit)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", visible(&shown))))?;
        // A file that is not UTF-8 has no fix: lint says why.
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let fixed = fix_text(checker, &shown, &text, allowed);
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
            write_atomically(&file.path, &fixed.text)?;
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
fn write_atomically(path: &Path, text: &str) -> Result<(), Failure> {
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
