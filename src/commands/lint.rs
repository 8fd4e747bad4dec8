//! `assure lint PATH...`: check proposals, print findings and readiness,
//! and record or apply a baseline.

use crate::commands::{ignore_broken_pipe, pretty, unless_broken_pipe};
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
    // Published notices are read a batch at a time, never whole: they go
    // their own way, after the proposals.
    let (notices, discovered): (Vec<files::Discovered>, Vec<files::Discovered>) = discovered
        .into_iter()
        .partition(|file| assure_notices::is_notices(&file.path.display().to_string()));
    if discovered.is_empty() && notices.is_empty() && missing == 0 {
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
            ([file], [report]) if notices.is_empty() => (file.path.clone(), report),
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
    let mut tally = Tally::new(&config, known.as_ref(), args.write_baseline.is_some());
    tally.add(&reports);
    if notices.is_empty() {
        write_reports(
            &reports,
            args.format,
            &context.human(),
            checker.rules(),
            context.stdout,
        )?;
    } else {
        let human = context.human();
        let begun = Output::begin(
            args.format,
            &human,
            checker.rules(),
            checker.configuration(),
            context.stdout,
        );
        let Some(mut out) = unless_broken_pipe(begun)? else {
            return Ok(ExitStatus::Ok);
        };
        if unless_broken_pipe(out.reports(&reports))?.is_none() {
            return Ok(ExitStatus::Ok);
        }
        drop(reports);
        for file in &notices {
            let shown = file.path.display().to_string();
            let opened = match (&file.error, file.stdin) {
                (Some(error), _) => Err(error.clone()),
                (None, true) => assure_workspace::notices::open(Path::new("-")),
                (None, false) => assure_workspace::notices::open(&file.path),
            };
            let source = match opened {
                Ok(source) => source,
                Err(why) => {
                    writeln!(
                        context.stderr,
                        "error: cannot read {}: {}",
                        visible(&shown),
                        visible(&why)
                    )?;
                    missing += 1;
                    continue;
                }
            };
            // Counted for this file alone.
            tally.ungoverned = 0;
            let read = assure_workspace::notices::check(&checker, source, &shown, |batch| {
                tally.add(&batch);
                out.reports(&batch)
            });
            let Some(read) = unless_broken_pipe(read)? else {
                return Ok(ExitStatus::Ok);
            };
            // Nothing applied is nothing checked: most likely the regime's
            // pack was not loaded.
            if tally.ungoverned > 0 && tally.ungoverned == read.procurements {
                writeln!(
                    context.stderr,
                    "warning: {}: no stage of the packs loaded applies to any of its {} procurements, so none was checked; load the regime they are under (`--pack psr-2024`)",
                    visible(&shown),
                    read.procurements
                )?;
            }
            // What was not read was not checked: the run fails (status 2),
            // as for a file that cannot be read.
            for unread in &read.unread {
                writeln!(context.stderr, "error: {unread}")?;
                missing += 1;
            }
        }
        ignore_broken_pipe(out.end())?;
    }
    tally.warn_unused_allows(&config, context.stderr)?;
    let stale = match &known {
        Some(known) => tally.report_stale(known, args.strict_baseline, context.stderr)?,
        None => 0,
    };
    Ok(if let Some(path) = &args.write_baseline {
        let recorded = Baseline {
            entries: std::mem::take(&mut tally.recorded),
        };
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
        tally.status(args.deny == Some(DenyLevel::Warnings))
    })
}

/// What the run's status, its baseline and its warnings about the
/// configuration need of its reports, gathered a batch at a time so that
/// no report is kept once written.
struct Tally {
    summary: Summary,
    /// A stage was incomplete somewhere.
    incomplete: bool,
    /// For each `[[allow]]` entry: whether it matched a finding, and
    /// whether it covers a file linted (else it is not known to be
    /// unused).
    allows: Vec<(bool, bool, Option<globset::GlobMatcher>)>,
    /// For each baseline entry: whether a finding used it, and whether its
    /// file was linted.
    baseline: Vec<(bool, bool)>,
    baseline_files: Vec<String>,
    /// Today's findings for `--write-baseline`.
    recorded: Vec<Entry>,
    record: bool,
    /// Reports no stage applied to, since it was last set to 0 (before
    /// each file of notices).
    ungoverned: usize,
}

impl Tally {
    fn new(config: &Config, known: Option<&Baseline>, record: bool) -> Tally {
        let allows = config
            .allows
            .iter()
            .map(|allow| {
                // An entry whose glob does not compile is judged where it is
                // read; it is never called unused here.
                let matcher = globset::Glob::new(&allow.path)
                    .ok()
                    .map(|g| g.compile_matcher());
                (false, false, matcher)
            })
            .collect();
        let baseline_files: Vec<String> = known
            .map(|k| k.entries.iter().map(|e| e.file.clone()).collect())
            .unwrap_or_default();
        Tally {
            summary: Summary::default(),
            incomplete: false,
            allows,
            baseline: vec![(false, false); baseline_files.len()],
            baseline_files,
            recorded: Vec::new(),
            record,
            ungoverned: 0,
        }
    }

    fn add(&mut self, reports: &[FileReport]) {
        self.summary.add(reports);
        self.ungoverned += reports
            .iter()
            .filter(|r| {
                !r.readiness.is_empty()
                    && r.readiness
                        .iter()
                        .all(|row| row.status == Status::NotApplicable)
            })
            .count();
        self.incomplete |= reports
            .iter()
            .flat_map(|r| &r.readiness)
            .any(|row| row.status == Status::Incomplete);
        for report in reports {
            for &index in &report.allows_used {
                if let Some(allow) = self.allows.get_mut(index) {
                    allow.0 = true;
                }
            }
            let path = report.path.strip_prefix("./").unwrap_or(&report.path);
            for allow in &mut self.allows {
                if !allow.1 && allow.2.as_ref().is_some_and(|m| m.is_match(path)) {
                    allow.1 = true;
                }
            }
            for &index in &report.baseline_used {
                if let Some(entry) = self.baseline.get_mut(index) {
                    entry.0 = true;
                }
            }
            let key = assure_check::baseline::file_key(&report.path);
            for (entry, file) in self.baseline.iter_mut().zip(&self.baseline_files) {
                if file == key {
                    entry.1 = true;
                }
            }
        }
        if self.record {
            self.recorded.extend(Baseline::of(reports).entries);
        }
    }

    /// Findings when an error stands, when a stage is incomplete (a rule
    /// could not judge something: not checked is not passed), or a warning
    /// with `--deny warnings`.
    fn status(&self, deny_warnings: bool) -> ExitStatus {
        let summary = &self.summary;
        if summary.errors > 0 || self.incomplete || (deny_warnings && summary.warnings > 0) {
            ExitStatus::Findings
        } else {
            ExitStatus::Ok
        }
    }

    /// Entries for files linted in this run that matched no finding: fixed,
    /// or changed so much that they are new findings now.
    fn report_stale(
        &self,
        known: &Baseline,
        strict: bool,
        stderr: &mut dyn Write,
    ) -> Result<usize, Failure> {
        let stale: Vec<&Entry> = known
            .entries
            .iter()
            .zip(&self.baseline)
            .filter(|(_, (used, linted))| *linted && !*used)
            .map(|(e, _)| e)
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

    /// Entries that match nothing are probably stale or misspelt
    /// (cargo-deny warns about them the same way); an entry for files this
    /// run did not lint (a hook that lints one file) is not known to be
    /// unused.
    fn warn_unused_allows(&self, config: &Config, stderr: &mut dyn Write) -> Result<(), Failure> {
        let path = config
            .path
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        let lines = LineIndex::new(&config.text);
        for (allow, (used, linted, _)) in config.allows.iter().zip(&self.allows) {
            if *used || !*linted {
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

/// Output written a batch of reports at a time, in the format asked for.
enum Output<'o> {
    Human(Box<assure_report::human::Streamed<'o>>),
    Json(assure_report::json::Streamed<'o>),
    Sarif(assure_report::sarif::Streamed<'o>),
    Github(assure_report::github::Streamed, &'o mut dyn Write),
}

impl<'o> Output<'o> {
    fn begin(
        format: LintFormat,
        human: &HumanOptions,
        rules: &RuleSet,
        configuration: Option<&str>,
        out: &'o mut dyn Write,
    ) -> std::io::Result<Output<'o>> {
        Ok(match format {
            LintFormat::Human => {
                Output::Human(Box::new(assure_report::human::Streamed::begin(human, out)))
            }
            LintFormat::Json => {
                Output::Json(assure_report::json::Streamed::begin(configuration, out)?)
            }
            LintFormat::Sarif => Output::Sarif(assure_report::sarif::Streamed::begin(
                rules,
                &places(),
                configuration,
                out,
            )?),
            LintFormat::Github => Output::Github(assure_report::github::Streamed::default(), out),
        })
    }

    fn reports(&mut self, reports: &[FileReport]) -> std::io::Result<()> {
        match self {
            Output::Human(streamed) => streamed.reports(reports),
            Output::Json(streamed) => streamed.reports(reports),
            Output::Sarif(streamed) => streamed.reports(reports),
            Output::Github(streamed, out) => out.write_all(streamed.reports(reports).as_bytes()),
        }
    }

    fn end(self) -> std::io::Result<()> {
        match self {
            Output::Human(streamed) => streamed.end(),
            Output::Json(streamed) => streamed.end(),
            Output::Sarif(streamed) => streamed.end(),
            Output::Github(streamed, out) => out.write_all(streamed.end().as_bytes()),
        }
    }
}

fn read_baseline(path: &Path) -> Result<Baseline, Failure> {
    let bytes = files::read_settings(path)
        .map_err(|e| Failure::new(format!("cannot read the baseline {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new(format!("the baseline {} is not UTF-8", path.display())))?;
    Baseline::from_json(&text)
        .map_err(|why| Failure::new(format!("{} is not a baseline: {why}", path.display())))
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
