//! One function per command.

mod rules;

use crate::args::{Args, Command};
use crate::cli::{GraphFormat, LintFormat};
use crate::config::{Config, ConfigErrors};
use crate::{EXIT_FINDINGS, EXIT_OK, Failure, files};
use assure_check::{Checker, FileReport};
use assure_diagnostic::Severity;
use assure_report::Summary;
use assure_report::human::HumanOptions;
use std::io::{self, Write};
use std::path::Path;

/// Runs the validated command.
pub fn run(args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<u8, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(format!("cannot read the current directory: {e}")))?;
    let config = Config::discover(args.config.as_deref(), &cwd)
        .map_err(Failure::new)?
        .parse()
        .map_err(config_failure)?;
    let packs: Vec<_> = config.packs.iter().chain(&args.packs).cloned().collect();
    let mut rule_set = rules::load(
        config.default_pack,
        &packs,
        &assure_rules::Settings::default(),
    )?;
    // Checked against the packs' defaults first, so that a parameter in the
    // wrong unit is reported in the configuration, where the mistake is.
    config.validate(&rule_set).map_err(config_failure)?;
    if !config.params.is_empty() {
        rule_set = rules::load(config.default_pack, &packs, &config.settings())?;
    }
    config.apply_levels(&mut rule_set);
    let checker = Checker::new(rule_set).with_allows(config.allow_entries());
    let human = HumanOptions {
        color: args.color,
        quiet: args.quiet,
        ..HumanOptions::default()
    };
    let status = match &args.command {
        Command::Lint {
            paths,
            format,
            deny_warnings,
            stage,
            baseline,
        } => {
            let last_stage = match stage {
                Some(stage) => Some(rules::stage_index(checker.rules(), stage)?),
                None => None,
            };
            let mut checker = checker.up_to_stage(last_stage);
            let known = match &baseline.read {
                Some(path) => {
                    let known = read_baseline(path)?;
                    checker = checker.with_baseline(known.clone());
                    Some(known)
                }
                None => None,
            };
            let discovered = files::discover(paths);
            if discovered.is_empty() {
                writeln!(stderr, "warning: no *.{} files found", files::EXTENSION)?;
            }
            let reports = files::check_all(&checker, &discovered);
            write_lint(&reports, *format, &human, checker.rules(), stdout)?;
            warn_unused_allows(&config, &reports, stderr)?;
            let stale = match &known {
                Some(known) => report_stale(known, &reports, baseline.strict, stderr)?,
                None => 0,
            };
            if let Some(path) = &baseline.write {
                let recorded = assure_check::baseline::Baseline::of(&reports);
                std::fs::write(path, pretty(&recorded.to_json())?).map_err(|e| {
                    Failure::new(format!("cannot write the baseline {}: {e}", path.display()))
                })?;
                writeln!(
                    stderr,
                    "recorded {} findings in {}",
                    recorded.entries.len(),
                    path.display()
                )?;
                EXIT_OK
            } else if baseline.strict && stale > 0 {
                EXIT_FINDINGS
            } else {
                lint_status(&reports, *deny_warnings)
            }
        }
        Command::Init { path } => init(path, stdout)?,
        Command::Diff { old, new, format } => diff(&checker, old, new, *format, stdout)?,
        Command::Explain { code } => rules::explain(checker.rules(), code, stdout)?,
        Command::RulesList => rules::list(checker.rules(), stdout)?,
        Command::RulesCheck { packs } => rules::check(&args.packs, packs, stdout)?,
        Command::RulesTest { paths } => rules::test(&checker, paths, &human, stdout)?,
        Command::Graph { file, format } => {
            let report = checked_utf8(&checker, file)?;
            let modelled = checker.model(&report.text);
            let rendered = match format {
                GraphFormat::Dot => {
                    assure_report::graph::dot(&modelled.model, checker.vocabulary())
                }
                GraphFormat::Json => pretty(&assure_report::graph::json(
                    &modelled.model,
                    checker.vocabulary(),
                ))?,
            };
            ignore_broken_pipe(stdout.write_all(rendered.as_bytes()))?;
            structural_status(&report, stderr)?
        }
        Command::Export { file } => {
            let report = checked_utf8(&checker, file)?;
            let modelled = checker.model(&report.text);
            let document = assure_report::export::document(
                &modelled.model,
                checker.vocabulary(),
                &report.text,
            );
            ignore_broken_pipe(stdout.write_all(pretty(&document)?.as_bytes()))?;
            structural_status(&report, stderr)?
        }
    };
    Ok(status)
}

/// `assure diff`: exit 1 when the new version has an error the old one
/// did not, so that a CI step can gate on a change making things worse.
fn diff(
    checker: &Checker,
    old: &Path,
    new: &Path,
    format: crate::cli::DiffFormat,
    out: &mut dyn Write,
) -> Result<u8, Failure> {
    let read = |path: &Path| -> Result<FileReport, Failure> {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::new(format!("cannot read {}: {e}", path.display())))?;
        Ok(checker.check_owned(&path.display().to_string(), bytes))
    };
    let (old, new) = (read(old)?, read(new)?);
    let comparison = assure_report::diff::compare_reports(&old, &new);
    let text = match format {
        crate::cli::DiffFormat::Human => assure_report::diff::human(&comparison),
        crate::cli::DiffFormat::Json => pretty(&assure_report::diff::json(&comparison))?,
    };
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    let worse = comparison
        .appeared
        .iter()
        .any(|f| f.diagnostic.severity == Severity::Error);
    Ok(if worse { EXIT_FINDINGS } else { EXIT_OK })
}

/// The starting proposal `assure init` writes.
const TEMPLATE: &str = include_str!("../templates/new.proposal");

fn init(path: &Path, out: &mut dyn Write) -> Result<u8, Failure> {
    let shown = path.display();
    // `create_new` refuses an existing file atomically, even one created a
    // moment ago by someone else.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => Failure::new(format!(
                "{shown} already exists; assure init never overwrites a file"
            )),
            _ => Failure::new(format!("cannot create {shown}: {e}")),
        })?;
    file.write_all(TEMPLATE.as_bytes())
        .map_err(|e| Failure::new(format!("cannot write {shown}: {e}")))?;
    writeln!(
        out,
        "wrote {shown}: replace the placeholders in capitals, then run `assure lint {shown}` to see what is still missing"
    )?;
    Ok(EXIT_OK)
}

fn read_baseline(path: &Path) -> Result<assure_check::baseline::Baseline, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::new(format!("cannot read the baseline {}: {e}", path.display())))?;
    assure_check::baseline::Baseline::from_json(&text)
        .map_err(|why| Failure::new(format!("{} is not a baseline: {why}", path.display())))
}

/// Entries for files linted in this run that matched no finding: fixed, or
/// changed so much that they are new findings now.
fn report_stale(
    known: &assure_check::baseline::Baseline,
    reports: &[FileReport],
    strict: bool,
    stderr: &mut dyn Write,
) -> Result<usize, Failure> {
    let linted: Vec<&str> = reports
        .iter()
        .map(|r| assure_check::baseline::file_key(&r.path))
        .collect();
    let stale: Vec<&assure_check::baseline::Entry> = known
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
        writeln!(
            stderr,
            "{level}: stale baseline entry: {} {} ({}) no longer occurs",
            entry.file, entry.code, entry.message
        )?;
    }
    Ok(stale.len())
}

fn config_failure(errors: ConfigErrors) -> Failure {
    let count = errors.diagnostics.len();
    let plural = if count == 1 { "" } else { "s" };
    Failure {
        message: format!(
            "invalid configuration: {count} problem{plural} in {}",
            errors.path
        ),
        reports: vec![FileReport {
            path: errors.path,
            text: errors.text,
            findings: errors
                .diagnostics
                .into_iter()
                .map(assure_check::Finding::structural)
                .collect(),
            readiness: Vec::new(),
            allows_used: Vec::new(),
            baseline_used: Vec::new(),
        }],
    }
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
    for (index, allow) in config.allows.iter().enumerate() {
        if reports.iter().any(|r| r.allows_used.contains(&index)) {
            continue;
        }
        let line = config.text[..allow.span.start as usize].lines().count() + 1;
        let entity = allow
            .entity
            .as_ref()
            .map_or_else(String::new, |e| format!(" on `{e}`"));
        writeln!(
            stderr,
            "warning: {path}:{line}: the [[allow]] entry for {}{entity} in `{}` matched no finding",
            allow.code.0, allow.path
        )?;
    }
    Ok(())
}

fn write_lint(
    reports: &[FileReport],
    format: LintFormat,
    human: &HumanOptions,
    rules: &assure_rules::RuleSet,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let written = match format {
        LintFormat::Human => assure_report::human::render(reports, human, out),
        LintFormat::Json => assure_report::json::write(reports, out),
        LintFormat::Sarif => {
            let text = pretty(&assure_report::sarif::document(reports, rules))?;
            out.write_all(text.as_bytes())
        }
        LintFormat::Github => out.write_all(assure_report::github::commands(reports).as_bytes()),
    };
    ignore_broken_pipe(written)?;
    Ok(())
}

/// 1 when an error stands, or a warning with `--deny warnings`.
fn lint_status(reports: &[FileReport], deny_warnings: bool) -> u8 {
    let summary = Summary::of(reports);
    if summary.errors > 0 || (deny_warnings && summary.warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// Reads and checks one file for `graph` and `export`, which then model
/// its text: a file that cannot be read fails the run; one that is not
/// UTF-8 fails with its SYN003.
fn checked_utf8(checker: &Checker, file: &Path) -> Result<FileReport, Failure> {
    let shown = file.display().to_string();
    let bytes =
        std::fs::read(file).map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let report = checker.check(&shown, &bytes);
    if std::str::from_utf8(&bytes).is_err() {
        return Err(Failure {
            message: format!("{shown} is not UTF-8"),
            reports: vec![report],
        });
    }
    Ok(report)
}

/// After a graph or an export: structural errors go to stderr, and fail the
/// run with status 1 as they would in `lint`.
fn structural_status(report: &FileReport, stderr: &mut dyn Write) -> Result<u8, Failure> {
    if report.findings.is_empty() {
        return Ok(EXIT_OK);
    }
    let options = HumanOptions {
        quiet: true,
        ..HumanOptions::default()
    };
    assure_report::human::render(std::slice::from_ref(report), &options, stderr)?;
    Ok(if report.count(Severity::Error) > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

pub(crate) fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(format!("cannot write JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// `assure lint ... | head` closes the pipe early: that is not a failure.
pub(crate) fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
