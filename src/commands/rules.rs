//! `explain`, `rules list`, `rules check` and `rules test`, and loading the
//! packs every command runs.

use crate::commands::ignore_broken_pipe;
use crate::{EXIT_FINDINGS, EXIT_OK, Failure, files};
use assure_check::{Checker, FileReport, Finding};
use assure_diagnostic::codes;
use assure_diagnostic::{Diagnostic, closest};
use assure_report::human::HumanOptions;
use assure_rules::{PackErrors, PackSource, RuleSet, Settings};
use assure_vocab::Vocabulary;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// Loads the embedded default pack (unless `default_pack` is false), then
/// `packs`.
pub fn load(
    default_pack: bool,
    packs: &[PathBuf],
    settings: &Settings,
) -> Result<RuleSet, Failure> {
    if !default_pack && packs.is_empty() {
        return Err(Failure::new(
            "no rule packs to run: the configuration sets `default-pack = false` and names no `packs`",
        ));
    }
    let sources = sources(default_pack, packs.iter())?;
    assure_rules::load(&sources, Vocabulary::core(), settings).map_err(pack_failure)
}

fn sources<'p>(
    default_pack: bool,
    packs: impl Iterator<Item = &'p PathBuf>,
) -> Result<Vec<PackSource>, Failure> {
    let mut sources = Vec::new();
    if default_pack {
        sources.push(assure_rules::default_pack());
    }
    for pack in packs {
        let shown = pack.display().to_string();
        let bytes = std::fs::read(pack)
            .map_err(|e| Failure::new(format!("cannot read the rule pack {shown}: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Failure::new(format!("the rule pack {shown} is not UTF-8")))?;
        sources.push(PackSource { path: shown, text });
    }
    Ok(sources)
}

fn pack_failure(errors: Vec<PackErrors>) -> Failure {
    let count: usize = errors.iter().map(|e| e.diagnostics.len()).sum();
    let names: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    let plural = if count == 1 { "" } else { "s" };
    Failure {
        message: format!(
            "invalid rule pack: {count} problem{plural} in {}",
            names.join(", ")
        ),
        reports: errors.into_iter().map(pack_report).collect(),
    }
}

fn pack_report(errors: PackErrors) -> FileReport {
    FileReport {
        path: errors.path,
        text: errors.text,
        findings: errors
            .diagnostics
            .into_iter()
            .map(Finding::structural)
            .collect(),
        readiness: Vec::new(),
        allows_used: Vec::new(),
        baseline_used: Vec::new(),
    }
}

/// The index of the stage `id`, or a failure listing the stages.
pub fn stage_index(rules: &RuleSet, id: &str) -> Result<usize, Failure> {
    rules.stage_index(id).ok_or_else(|| {
        let ids: Vec<&str> = rules.stages.iter().map(|s| s.id.as_str()).collect();
        let hint = match closest(id, ids.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("the stages are: {}", ids.join(", ")),
        };
        Failure::new(format!("unknown stage `{id}`; {hint}"))
    })
}

/// `assure explain CODE`.
pub fn explain(rules: &RuleSet, code: &str, out: &mut dyn Write) -> Result<u8, Failure> {
    let text = match rules.rule(code) {
        Some(rule) => explain_rule(rules, rule),
        None => match codes::lookup(code) {
            Some(info) => format!(
                "{} (structural; always on)\n\n{}\n",
                info.code, info.summary
            ),
            None => {
                let mut known: Vec<&str> = rules.rules.iter().map(|r| r.code.as_str()).collect();
                known.extend(codes::ALL.iter().map(|info| info.code));
                let hint = closest(code, known.iter().copied()).map_or_else(
                    || "`assure rules list` shows every code".to_owned(),
                    |c| format!("did you mean `{c}`?"),
                );
                return Err(Failure::new(format!(
                    "no rule has the code `{code}`; {hint}"
                )));
            }
        },
    };
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(EXIT_OK)
}

fn explain_rule(rules: &RuleSet, rule: &assure_rules::Rule) -> String {
    let mut out = String::new();
    let pack = rules.packs.iter().find(|p| p.name == rule.pack);
    let version = pack.map_or(String::new(), |p| format!(" {}", p.version));
    let _ = writeln!(out, "{}: {}", rule.code, rule.name);
    let _ = writeln!(
        out,
        "{} · stage {} · pack {}{version}",
        rule.severity, rules.stages[rule.stage].id, rule.pack
    );
    let _ = writeln!(out, "\nWhat it checks\n{}", indent(&rule.summary));
    let _ = writeln!(out, "\nWhy\n{}", indent(&rule.source));
    if !rule.params.is_empty() {
        let _ = writeln!(out, "\nParameters");
        for param in &rule.params {
            let shown = param.value.to_string();
            let default = if param.is_default() {
                String::new()
            } else {
                format!(" (default {})", param.default)
            };
            let _ = writeln!(out, "  {} = {shown}{default}", param.name);
            if let Some(doc) = &param.doc {
                let _ = writeln!(out, "      {doc}");
            }
        }
    }
    if let Some(help) = &rule.help {
        let _ = writeln!(out, "\nInstead\n{}", indent(help));
    }
    if let Some((fail, _)) = &rule.examples.fail {
        let _ = writeln!(out, "\nFails\n{}", indent(fail.trim_matches('\n')));
    }
    if let Some((pass, _)) = &rule.examples.pass {
        let _ = writeln!(out, "\nPasses\n{}", indent(pass.trim_matches('\n')));
    }
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `assure rules list`.
pub fn list(rules: &RuleSet, out: &mut dyn Write) -> Result<u8, Failure> {
    let mut text = String::new();
    let stage_width = rules.stages.iter().map(|s| s.id.len()).max().unwrap_or(5);
    let code_width = rules.rules.iter().map(|r| r.code.len()).max().unwrap_or(4);
    for rule in &rules.rules {
        let _ = writeln!(
            text,
            "{:code_width$}  {:7}  {:stage_width$}  {}",
            rule.code,
            rule.severity.as_str(),
            rules.stages[rule.stage].id,
            rule.name
        );
    }
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(EXIT_OK)
}

/// `assure rules check PACK...`: loads the packs after the default and any
/// `--pack`, and runs every rule's examples. Problems are reported into the
/// pack files; any makes the run fail with status 2, as an invalid pack
/// would anywhere.
pub fn check(extra: &[PathBuf], packs: &[PathBuf], out: &mut dyn Write) -> Result<u8, Failure> {
    let sources = sources(true, extra.iter().chain(packs))?;
    let rules = assure_rules::load(&sources, Vocabulary::core(), &Settings::default())
        .map_err(pack_failure)?;
    let failures = rules.check_examples();
    if !failures.is_empty() {
        let mut errors: Vec<PackErrors> = Vec::new();
        for failure in failures {
            let source = &sources[failure.source_index];
            let diagnostic = Diagnostic::error(codes::PACK006, failure.span, failure.message)
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
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
    Ok(EXIT_OK)
}

/// `assure rules test [PATH...]`.
pub fn test(
    checker: &Checker,
    paths: &[PathBuf],
    human: &HumanOptions,
    out: &mut dyn Write,
) -> Result<u8, Failure> {
    let discovered = files::discover(paths);
    if discovered.is_empty() {
        return Err(Failure::new(format!(
            "no *.{} fixtures found",
            files::EXTENSION
        )));
    }
    let outcomes = files::read_all(&discovered, |shown, bytes| match bytes {
        Ok(bytes) => checker.check_fixture(shown, &bytes),
        Err(reason) => {
            let report = checker.unreadable(shown, &reason);
            assure_check::fixture::FixtureOutcome {
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
    ignore_broken_pipe(out.write_all(text.as_bytes()))?;
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
    Ok(if failed > 0 { EXIT_FINDINGS } else { EXIT_OK })
}
