//! `assure rules list`, `rules check PACK...` and `rules test [PATH...]`:
//! the rule packs seen from the command line.

use crate::commands::{ignore_broken_pipe, write};
use crate::context::{Context, exists};
use crate::{ExitStatus, Failure};
use assure_check::{Checker, FileReport};
use assure_diagnostic::{Diagnostic, codes};
use assure_report::human::HumanOptions;
use assure_rules::{PackErrors, Rule, RuleSet, Settings};
use assure_vocab::Vocabulary;
use assure_workspace::files;
use assure_workspace::project::{pack_failure, pack_sources};
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// `assure rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// What to do with the packs.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// `assure rules ...`.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Every rule in the active packs: code, severity, stage, name.
    List {
        /// Also every code of assure's own (`SYN001`, `PACK002`, ...), with
        /// the kind of file it is reported in and its summary.
        #[arg(long)]
        all: bool,
    },
    /// Validate rule packs: TOML, expressions, codes, and their examples.
    Check {
        /// The packs.
        #[arg(required = true, value_name = "PACK")]
        files: Vec<PathBuf>,
    },
    /// Run rule fixtures: every `<!-- expect: CODE -->` must be reported on
    /// the line after it, and nothing else.
    Test {
        /// A fixture file or a directory of them (default `fixtures/`).
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// Runs the subcommand.
pub fn run(args: &RulesArgs, context: &mut Context<'_>) -> Result<ExitStatus, Failure> {
    match &args.command {
        RulesCommand::List { all } => {
            let project = context.project()?;
            let text = list(&project.rules, &project.off, *all);
            write(context.stdout, &text)?;
            Ok(ExitStatus::Ok)
        }
        RulesCommand::Check { files } => {
            for pack in files {
                exists(pack)?;
            }
            let extra = context.common.sources.packs.clone();
            let today = context
                .common
                .sources
                .as_of
                .unwrap_or_else(assure_workspace::clock_date);
            check(&extra, files, today, context.stdout)
        }
        RulesCommand::Test { paths } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from("fixtures")]
            } else {
                paths.clone()
            };
            for path in &paths {
                exists(path)?;
            }
            let human = context.human();
            let (checker, _) = context.project()?.into_checker();
            let limit = context.common.max_proposal_bytes;
            test(&checker, &paths, limit, &human, context.stdout)
        }
    }
}

/// Every rule, a line each: code, severity, stage, name; with `all`, then
/// every code of assure's own: code, severity, where it is reported, and
/// its summary.
fn list(rules: &RuleSet, off: &[Rule], all: bool) -> String {
    let mut rows: Vec<[&str; 4]> = rules
        .rules
        .iter()
        .map(|rule| (rule, rule.severity.as_str()))
        .chain(off.iter().map(|rule| (rule, "off")))
        .map(|(rule, severity)| {
            [
                rule.code.as_str(),
                severity,
                rules.stages[rule.stage].id.as_str(),
                rule.name.as_str(),
            ]
        })
        .collect();

    if all {
        rows.extend(codes::ALL.iter().map(|info| {
            [
                info.code,
                info.severity.as_str(),
                info.scope.as_str(),
                info.summary,
            ]
        }));
    }
    let stage_width = rules
        .stages
        .iter()
        .map(|s| s.id.len())
        .chain(rows.iter().map(|r| r[2].len()))
        .max()
        .unwrap_or(5);
    let code_width = rows.iter().map(|r| r[0].len()).max().unwrap_or(4);
    let mut text = String::new();
    for [code, severity, stage, name] in rows {
        let _ = writeln!(
            text,
            "{code:code_width$}  {severity:7}  {stage:stage_width$}  {name}"
        );
    }
    text
}

/// `assure rules check PACK...`: loads the packs after the default and any
/// `--pack`, and runs every rule's examples. Problems are reported into the
/// pack files; any makes the run fail with status 2, as an invalid pack
/// would anywhere.
fn check(
    extra: &[PathBuf],
    packs: &[PathBuf],
    today: assure_model::Date,
    out: &mut dyn Write,
) -> Result<ExitStatus, Failure> {
    let sources = pack_sources(true, extra.iter().chain(packs))?;
    let rules = assure_rules::load(&sources, Vocabulary::core(), &Settings::default())
        .map_err(pack_failure)?;
    let failures = rules.check_examples(Some(today));
    if !failures.is_empty() {
        let mut errors: Vec<PackErrors> = Vec::new();
        for failure in failures {
            let source = &sources[failure.source_index];
            let diagnostic = Diagnostic::of(codes::PACK006, failure.span, failure.message)
                .with_help("fix the rule or its example; `assure explain CODE` shows both");
            match errors.iter_mut().find(|e| e.path == source.path) {
                Some(pack) => pack.diagnostics.push(diagnostic),
                None => errors.push(PackErrors {
                    path: source.path.clone(),
                    text: source.text.clone(),
                    diagnostics: vec![diagnostic],
                }),
            }
        }
        return Err(pack_failure(errors));
    }
    let checked: Vec<String> = packs.iter().map(|p| p.display().to_string()).collect();
    let count = rules
        .rules
        .iter()
        .filter(|r| r.source_index > extra.len())
        .count();
    let plural = if count == 1 { "" } else { "s" };
    let text = format!(
        "ok: {count} rule{plural} in {}, examples behave as written\n",
        checked.join(", ")
    );
    write(out, &text)?;
    Ok(ExitStatus::Ok)
}

/// `assure rules test [PATH...]`.
fn test(
    checker: &Checker,
    paths: &[PathBuf],
    limit: u64,
    human: &HumanOptions,
    out: &mut dyn Write,
) -> Result<ExitStatus, Failure> {
    let found = files::discover(paths);
    found.warn(out)?;
    let discovered = found.files;
    if discovered.is_empty() {
        return Err(Failure::new(format!(
            "no *.{} fixtures found",
            files::EXTENSION
        )));
    }
    let outcomes = files::read_all(&discovered, limit, |shown, bytes| match bytes {
        Ok(bytes) => checker.check_fixture(shown, &bytes),
        Err(reason) => {
            let report = checker.unreadable(shown, &reason);
            assure_check::fixture::FixtureOutcome {
                problems: Vec::new(),
                matched: 0,
                missing: Vec::new(),
                unexpected: report
                    .findings
                    .iter()
                    .map(|f| assure_check::fixture::Unexpected {
                        line: 1,
                        code: f.diagnostic.code.to_string(),
                        message: f.diagnostic.message.clone(),
                    })
                    .collect(),
                report,
            }
        }
    });
    let mut text = String::new();
    let mut failed = 0;
    let mut expected_total = 0;
    for outcome in &outcomes {
        expected_total += outcome.matched;
        let path = &outcome.report.path;
        if outcome.passed() {
            let plural = if outcome.matched == 1 { "" } else { "s" };
            let _ = writeln!(
                text,
                "ok    {path} ({} finding{plural} as expected)",
                outcome.matched
            );
            continue;
        }
        failed += 1;
        let _ = writeln!(text, "FAIL  {path}");
        for problem in &outcome.problems {
            let _ = writeln!(text, "      {path}: {problem}");
        }
        for missing in &outcome.missing {
            let _ = writeln!(
                text,
                "      {path}:{}: expected {}, not reported (expectation at line {})",
                missing.line, missing.code, missing.written_at
            );
        }
        for unexpected in &outcome.unexpected {
            let _ = writeln!(
                text,
                "      {path}:{}: unexpected {}: {}",
                unexpected.line, unexpected.code, unexpected.message
            );
        }
    }
    let passed = outcomes.len() - failed;
    let findings_word = if expected_total == 1 {
        "finding"
    } else {
        "findings"
    };
    let _ = writeln!(
        text,
        "\n{passed} of {} fixtures passed; {expected_total} expected {findings_word} reported",
        outcomes.len()
    );
    write(out, &text)?;
    if failed > 0 && !human.quiet {
        // The full reports of failing fixtures help to see what happened.
        let failing: Vec<FileReport> = outcomes
            .iter()
            .filter(|o| !o.passed())
            .map(|o| o.report.clone())
            .collect();
        let options = HumanOptions {
            quiet: true,
            ..human.clone()
        };
        ignore_broken_pipe(assure_report::human::render(&failing, &options, out))?;
    }
    Ok(if failed > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Ok
    })
}
