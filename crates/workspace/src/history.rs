//! The history of runs: a corpus linted, the run recorded in the SQLite
//! history (`assure_store`: SQLite, or PostgreSQL for a URL), and with `--html` a static site of it. What
//! `assure report` and `cargo xtask report` both run.
//!
//! Paths are recorded relative to the corpus root, so that a history is
//! the same wherever the corpus is checked out; the findings are the ones
//! `lint` gives on the same files under the same configuration.

use crate::site;
use crate::write::Folder;
use assure_check::{Checker, FileReport};
use assure_diagnostic::visible;
use assure_store::{FileRecord, FindingRecord, LabelRecord, RunRecord, Target};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// What one `assure report` records, from where, and where it writes the
/// site: the command's arguments resolved.
pub struct Recording {
    /// The corpus directory.
    pub corpus: PathBuf,
    /// The history: an SQLite file, or a PostgreSQL URL.
    pub db: std::ffi::OsString,
    /// Where to write the site, if anywhere.
    pub html: Option<PathBuf>,
    /// The largest proposal read, in bytes (`--max-file-size`).
    pub max_file_size: u64,
}

/// Lints the corpus with `checker`, records the run, and writes the site;
/// what was done goes to `out`.
pub fn run(
    args: &Recording,
    checker: &Checker,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    // The site folder is judged before anything is recorded: a refused
    // site must not leave a run behind.
    let target = Target::parse(&args.db)?;
    let site = args.html.as_deref().map(Folder::begin).transpose()?;
    if let (Some(site), Target::Sqlite(path)) = (&site, &target)
        && site.holds(path)
    {
        return Err(format!(
            "the history {} lies inside the site folder {}, which each run replaces: keep it outside",
            visible(&path.display().to_string()),
            visible(&site.given().display().to_string())
        ));
    }
    let record = lint_corpus(&args.corpus, checker, args.max_file_size)?;
    if let Target::Sqlite(path) = &target
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut store = assure_store::open(&target).map_err(|e| e.to_string())?;
    let run_id = store.record(&record).map_err(|e| e.to_string())?;
    let errors: usize = record
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| f.severity == "error" && f.suppressed.is_none())
        .count();
    let _ = writeln!(
        out,
        "recorded run {run_id} in {}: {} files, {} findings ({errors} errors)",
        store.location(),
        record.files.len(),
        record.files.iter().map(|f| f.findings.len()).sum::<usize>()
    );
    if let (Some(site), Some(html)) = (site, &args.html) {
        for note in site::write(store.as_mut(), run_id, checker, site)? {
            let _ = writeln!(out, "note: {note}");
        }
        let _ = writeln!(out, "wrote {}", html.join("index.html").display());
    }
    Ok(())
}

/// The run over every `*.proposal` under `corpus`, as it is recorded:
/// the findings `lint` gives (found as `lint` finds them, no proposal
/// longer than `limit` bytes read), with paths relative to the corpus.
pub fn lint_corpus(corpus: &Path, checker: &Checker, limit: u64) -> Result<RunRecord, String> {
    let rules = checker.rules();
    if !corpus.is_dir() {
        return Err(format!(
            "the corpus {} is not a directory",
            visible(&corpus.display().to_string())
        ));
    }
    let found = crate::files::discover(&[corpus.to_path_buf()]);
    let _ = found.warn(&mut std::io::stderr());
    let files = found.files;
    if files.is_empty() {
        return Err(format!(
            "no *.proposal files under {}",
            visible(&corpus.display().to_string())
        ));
    }
    let progress = progress_bar(files.len());
    let mut reports: Vec<(FileReport, String)> = files
        .par_iter()
        .map(|file| {
            // Checked under the path `lint` would show, so that `[[allow]]`
            // globs match as they do there; recorded relative to the root.
            let shown = file.path.display().to_string();
            let result = match file.read(limit) {
                Ok(bytes) => (checker.check(&shown, &bytes), assure_check::fnv1a64(&bytes)),
                Err(error) => (checker.unreadable(&shown, &error), String::new()),
            };
            progress.inc(1);
            result
        })
        .collect();
    progress.finish_and_clear();
    let mut only: Vec<FileReport> = reports.iter().map(|(r, _)| r.clone()).collect();
    checker.add_corpus_findings(&mut only);
    for ((report, _), with_corpus) in reports.iter_mut().zip(only) {
        *report = with_corpus;
        let relative = Path::new(&report.path)
            .strip_prefix(corpus)
            .map_or_else(|_| report.path.clone(), |p| p.display().to_string());
        report.path = relative;
    }
    Ok(RunRecord {
        started_at: now_rfc3339(),
        tool: env!("CARGO_PKG_VERSION").to_owned(),
        packs: rules
            .packs
            .iter()
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect(),
        git_commit: git_commit(corpus),
        corpus: corpus.display().to_string(),
        scope: checker.scope(),
        files: reports
            .iter()
            .map(|(report, hash)| file_record(report, hash))
            .collect(),
    })
}

fn progress_bar(total: usize) -> ProgressBar {
    if total < 50 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} proposals {eta}") {
        bar.set_style(style);
    }
    bar
}

fn file_record(report: &FileReport, hash: &str) -> FileRecord {
    let index = report.line_index();
    FileRecord {
        path: report.path.clone(),
        content_hash: hash.to_owned(),
        text: report.text.clone(),
        findings: report
            .findings
            .iter()
            .map(|f| {
                let at = index.line_col(&report.text, f.diagnostic.span.start);
                FindingRecord {
                    code: f.diagnostic.code.to_string(),
                    severity: f.diagnostic.severity.as_str().to_owned(),
                    stage: f.stage.clone(),
                    message: f.diagnostic.message.clone(),
                    start: i64::from(f.diagnostic.span.start),
                    end: i64::from(f.diagnostic.span.end),
                    line: i64::from(at.line),
                    column: i64::from(at.column),
                    entity: f.entity.clone(),
                    field: f.field.clone(),
                    fingerprint: f.fingerprint(&report.text),
                    suppressed: f.suppressed.as_ref().map(|s| s.reason.clone()),
                    help: f.diagnostic.help.clone(),
                    labels: f
                        .diagnostic
                        .labels
                        .iter()
                        .map(|label| {
                            let at = index.line_col(&report.text, label.span.start);
                            LabelRecord {
                                start: i64::from(label.span.start),
                                end: i64::from(label.span.end),
                                line: i64::from(at.line),
                                column: i64::from(at.column),
                                message: label.message.clone(),
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        readiness: report
            .readiness
            .iter()
            .map(|r| (r.label(), r.status.as_str().to_owned(), r.errors as i64))
            .collect(),
    }
}

fn git_commit(corpus: &Path) -> Option<String> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(corpus)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|c| !c.is_empty())
}

/// The current time, RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // The calendar's own conversion from days since 1970-01-01.
    let date = assure_model::Date::from_days(days)
        .map_or_else(|| "1970-01-01".to_owned(), |d| d.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
