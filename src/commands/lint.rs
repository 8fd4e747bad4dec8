//! `assure lint PATH...`: check proposals, print findings and readiness,
//! and record or apply a baseline.

use crate::commands::{ignore_broken_pipe, pretty};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::baseline::{Baseline, Entry};
use assure_check::{FileReport, Status};
use assure_diagnostic::{LineIndex, closest, visible, visible_lines};
use assure_report::Summary;
use assure_report::human::HumanOptions;
use assure_rules::RuleSet;
use assure_workspace::config::Config;
use assure_workspace::files;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `assure lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to check; `-` reads a proposal from standard
    /// input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The name standard input (`-`) is shown and matched under.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Also fail (exit 1) on warnings.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub deny: Option<DenyLevel>,
    /// Run only the rules of gateway stages up to this one, e.g.
    /// `case-for-change`.
    #[arg(long, value_name = "STAGE")]
    pub stage: Option<String>,
    /// Report only findings not recorded in this baseline.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With `--baseline`: fail (exit 1) when entries no longer match a
    /// finding.
    #[arg(long, requires = "baseline")]
    pub strict_baseline: bool,
    /// Record today's findings in this baseline file, and succeed.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Run only the rules whose codes start with one of these (`COI`,
    /// `CAP001`), comma-separated or repeated.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run the rules whose codes start with one of these.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 0 even when findings would fail the run (2 still means the run
    /// itself failed).
    #[arg(long)]
    pub exit_zero: bool,
    /// Apply the safe fixes first (as `assure fix`), then lint what is
    /// left; what was fixed goes to standard error.
    #[arg(long)]
    pub fix: bool,
    /// With `--fix`: apply unsafe fixes too.
    #[arg(long = "unsafe-fixes", requires = "fix")]
    pub unsafe_fixes: bool,
    /// A register of interests (`.csv`, `.xlsx`, `.ods`, a row per
    /// interest) read with every proposal: its people are theirs, and its
    /// interests in organisations a proposal names reach its conflict rules.
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// Write a copy of the Word document given (one `.docx`) with each
    /// finding as a comment on the paragraph at fault, and the readiness
    /// on the first; never over an existing file.
    #[arg(long, value_name = "OUT.docx")]
    pub annotate: Option<PathBuf>,
}

/// `lint --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// miette reports, readiness and a summary.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `--deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    /// Warnings fail the run too.
    Warnings,
}

/// Checks the proposals and reports.
pub fn run(args: &LintArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    // A path that does not exist is reported, and the others are still
    // checked; the run then ends with status 2.
    let mut present = Vec::new();
    let mut missing = 0;
    let mut stdin = false;
    for path in &args.paths {
        if path.as_os_str() == "-" {
            stdin = true;
        } else if let Err(failure) = exists(path) {
            let message = visible_lines(&failure.message).into_owned();
            writeln!(context.stderr, "error: {message}")?;
            missing += 1;
        } else {
            present.push(path.clone());
        }
    }
    if let Some(path) = &args.baseline {
        exists(path)?;
    }
    let mut project = context.project()?;
    project.select(&args.select, &args.ignore)?;
    let (checker, config) = project.into_checker();
    let last_stage = match &args.stage {
        Some(stage) => Some(stage_index(checker.rules(), stage)?),
        None => None,
    };
    let mut checker = checker.up_to_stage(last_stage);
    if args.fix {
        let allowed = if args.unsafe_fixes {
            assure_diagnostic::Applicability::Unsafe
        } else {
            assure_diagnostic::Applicability::Safe
        };
        let (mut done, mut errors) = (String::new(), String::new());
        let fixing = crate::commands::fix::fix_paths(
            &checker,
            &present,
            context.common.max_proposal_bytes,
            allowed,
            false,
            // Lint reports a file it cannot read as a finding.
            false,
            &mut done,
            &mut errors,
        );
        crate::commands::write(context.stderr, &errors)?;
        crate::commands::write(context.stderr, &done)?;
        // A file that could not be written is still linted, as it is; the
        // run fails as for a missing file.
        missing += fixing.not_written;
    }
    let known = match &args.baseline {
        Some(path) => {
            let known = read_baseline(path)?;
            checker = checker.with_baseline(known.clone());
            Some(known)
        }
        None => None,
    };
    let found = files::discover(&present);
    found.warn(context.stderr)?;
    for error in found.empty_errors() {
        writeln!(context.stderr, "error: {error}")?;
        missing += 1;
    }
    let mut discovered = found.files;
    if stdin {
        discovered.push(files::Discovered::stdin(
            args.stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("<stdin>")),
        ));
    }
    if discovered.is_empty() && missing == 0 {
        writeln!(
            context.stderr,
            "warning: no *.{} files found",
            files::EXTENSION
        )?;
    }
    let register = match &args.register {
        Some(path) => {
            exists(path)?;
            let register = files::Register::read(path, context.common.max_proposal_bytes)
                .map_err(Failure::new)?;
            for note in &register.sheet.notes {
                writeln!(context.stderr, "note: {}: {note}", register.shown)?;
            }
            Some(register)
        }
        None => None,
    };
    let checked = files::check_all(
        &checker,
        &discovered,
        context.common.max_proposal_bytes,
        register.as_ref(),
    );
    let mut reports = checked.reports;
    for refused in &checked.refused {
        writeln!(context.stderr, "error: {refused}")?;
        missing += 1;
    }
    checker.add_corpus_findings(&mut reports);
    if let Some(out) = &args.annotate {
        let (source, report) = match (discovered.as_slice(), reports.as_slice()) {
            ([file], [report]) => (file.path.clone(), report),
            _ => {
                return Err(Failure::new(
                    "--annotate writes a copy of one Word document: give one .docx to lint",
                ));
            }
        };
        let said = super::annotate::write_annotated(
            &source,
            report,
            out,
            context.common.max_proposal_bytes,
        )?;
        writeln!(context.stderr, "{said}")?;
    }
    write_reports(
        &reports,
        args.format,
        &context.human(),
        checker.rules(),
        context.stdout,
    )?;
    warn_unused_allows(&config, &reports, context.stderr)?;
    let stale = match &known {
        Some(known) => report_stale(known, &reports, args.strict_baseline, context.stderr)?,
        None => 0,
    };
    Ok(if let Some(path) = &args.write_baseline {
        let recorded = Baseline::of(&reports);
        assure_workspace::write::put(path, pretty(&recorded.to_json())?.as_bytes()).map_err(
            |why| {
                Failure::new(format!(
                    "cannot write the baseline {}: {why}",
                    visible(&path.display().to_string())
                ))
            },
        )?;
        writeln!(
            context.stderr,
            "recorded {} findings in {}",
            recorded.entries.len(),
            path.display()
        )?;
        ExitStatus::Ok
    } else if missing > 0 {
        ExitStatus::Failure
    } else if args.exit_zero {
        ExitStatus::Ok
    } else if args.strict_baseline && stale > 0 {
        ExitStatus::Findings
    } else {
        status(&reports, args.deny == Some(DenyLevel::Warnings))
    })
}

/// Findings when an error stands, when a stage is incomplete (a rule could
/// not judge something: not checked is not passed), or a warning with
/// `--deny warnings`.
fn status(reports: &[FileReport], deny_warnings: bool) -> ExitStatus {
    let summary = Summary::of(reports);
    let incomplete = reports
        .iter()
        .flat_map(|r| &r.readiness)
        .any(|row| row.status == Status::Incomplete);
    if summary.errors > 0 || incomplete || (deny_warnings && summary.warnings > 0) {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    }
}

fn write_reports(
    reports: &[FileReport],
    format: LintFormat,
    human: &HumanOptions,
    rules: &RuleSet,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let written = match format {
        LintFormat::Human => assure_report::human::render(reports, human, out),
        LintFormat::Json => assure_report::json::write(reports, out),
        LintFormat::Sarif => assure_report::sarif::write(reports, rules, &places(), out),
        LintFormat::Github => out.write_all(assure_report::github::commands(reports).as_bytes()),
    };
    ignore_broken_pipe(written)?;
    Ok(())
}

fn read_baseline(path: &Path) -> Result<Baseline, Failure> {
    let bytes = files::read_settings(path)
        .map_err(|e| Failure::new(format!("cannot read the baseline {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(format!("the baseline {} is not UTF-8", path.display())))?;
    Baseline::from_json(&text)
        .map_err(|why| Failure::new(format!("{} is not a baseline: {why}", path.display())))
}

/// Entries for files linted in this run that matched no finding: fixed, or
/// changed so much that they are new findings now.
fn report_stale(
    known: &Baseline,
    reports: &[FileReport],
    strict: bool,
    stderr: &mut dyn Write,
) -> Result<usize, Failure> {
    let linted: Vec<&str> = reports
        .iter()
        .map(|r| assure_check::baseline::file_key(&r.path))
        .collect();
    let stale: Vec<&Entry> = known
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            linted.contains(&e.file.as_str())
                && !reports.iter().any(|r| r.baseline_used.contains(i))
        })
        .map(|(_, e)| e)
        .collect();
    let level = if strict { "error" } else { "warning" };
    for entry in &stale {
        let line = format!(
            "{level}: stale baseline entry: {} {} ({}) no longer occurs\n",
            entry.file, entry.code, entry.message
        );
        stderr.write_all(visible_lines(&line).as_bytes())?;
    }
    Ok(stale.len())
}

/// Entries that match nothing are probably stale or misspelt (cargo-deny
/// warns about them the same way).
fn warn_unused_allows(
    config: &Config,
    reports: &[FileReport],
    stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let path = config
        .path
        .as_ref()
        .map_or_else(String::new, |p| p.display().to_string());
    let lines = LineIndex::new(&config.text);
    for (index, allow) in config.allows.iter().enumerate() {
        if reports.iter().any(|r| r.allows_used.contains(&index)) {
            continue;
        }
        // An entry for files this run did not lint (a hook that lints one
        // file) is not known to be unused.
        let Ok(glob) = globset::Glob::new(&allow.path) else {
            continue;
        };
        let matcher = glob.compile_matcher();
        if !reports
            .iter()
            .any(|r| matcher.is_match(r.path.strip_prefix("./").unwrap_or(&r.path)))
        {
            continue;
        }
        let line = lines.line_of(allow.span.start);
        let entity = allow
            .entity
            .as_ref()
            .map_or_else(String::new, |e| format!(" on `{e}`"));
        let warning = format!(
            "warning: {path}:{line}: the [[allow]] entry for {}{entity} in `{}` matched no finding\n",
            allow.code.0, allow.path
        );
        stderr.write_all(visible_lines(&warning).as_bytes())?;
    }
    Ok(())
}

/// The index of the stage `id`, or a failure listing the stages.
pub(crate) fn stage_index(rules: &RuleSet, id: &str) -> Result<usize, Failure> {
    rules.stage_index(id).ok_or_else(|| {
        let ids: Vec<&str> = rules.stages.iter().map(|s| s.id.as_str()).collect();
        let hint = match closest(id, ids.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the stages are: {}", ids.join(", ")),
        };
        Failure::new(format!("unknown stage `{id}`; {hint}"))
    })
}

/// Where SARIF locates files: the git repository around the current
/// directory, found by its `.git`, else the current directory itself, so
/// that every relative URI has a base a reader can resolve.
fn places() -> assure_report::sarif::Places {
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = cwd
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| cwd.clone(), Path::to_path_buf);
    assure_report::sarif::Places {
        root: Some(root),
        cwd,
    }
}
