//! Rule fixtures: proposals annotated with `<!-- expect: CODE -->`, checked
//! for exactly the findings they expect.
//!
//! An `expect` comment on a line of its own expects the finding on the next
//! line that is neither blank nor another `expect` (so a fixture can expect
//! a finding on a comment, such as DIR001 on a suppression); one at the end
//! of a line expects it on that line. A finding counts at the line where its primary
//! span starts. Comparison is of (line, code) as a multiset: two expected
//! findings of one code on one line need two such findings.
//!
//! A `<!-- fixture: pack NAME, NAME; as-of DATE -->` comment says how the
//! file is checked: only the findings of the packs named (and assure's
//! own) are compared, so that a fixture of one pack still passes with
//! other packs loaded; and `today()` is the date given, so that it passes
//! whenever it runs. A pack named but not loaded fails the fixture.

use crate::{Checker, FileReport};
use assure_diagnostic::LineIndex;
use assure_syntax::{DirectiveKind, LineKind, Parse};

/// What a fixture expects: a code at a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expectation {
    /// The line the finding must start on.
    pub line: u32,
    /// The code.
    pub code: String,
    /// The line of the `expect` comment.
    pub written_at: u32,
}

/// A finding's code and line, and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unexpected {
    /// Where it starts.
    pub line: u32,
    /// Its code.
    pub code: String,
    /// Its message.
    pub message: String,
}

/// How a fixture fared.
#[derive(Debug, Clone)]
pub struct FixtureOutcome {
    /// Problems with the fixture itself: a `fixture:` setting that cannot
    /// be read, or a pack it names that is not loaded.
    pub problems: Vec<String>,
    /// The checked file.
    pub report: FileReport,
    /// How many expectations were met.
    pub matched: usize,
    /// Expectations no finding met.
    pub missing: Vec<Expectation>,
    /// Findings nothing expected.
    pub unexpected: Vec<Unexpected>,
}

impl FixtureOutcome {
    /// Whether the fixture passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// What a fixture's `fixture:` comments set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixtureSettings {
    /// The packs whose findings are compared; all, if empty.
    pub packs: Vec<String>,
    /// The date `today()` gives.
    pub as_of: Option<assure_model::Date>,
    /// Settings that could not be read.
    pub problems: Vec<String>,
}

/// The settings of `fixture:` comments in `text`.
pub fn settings(text: &str, parse: &Parse) -> FixtureSettings {
    let mut settings = FixtureSettings::default();
    let directives = parse
        .file
        .comments
        .iter()
        .filter_map(|c| c.directive.as_ref())
        .filter(|d| d.kind == DirectiveKind::Fixture);
    for directive in directives {
        let written = directive.reason.map_or("", |s| s.text(text));
        for setting in written.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let (key, value) = setting
                .split_once(char::is_whitespace)
                .unwrap_or((setting, ""));
            let value = value.trim();
            match key {
                "pack" | "packs" => settings.packs.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                ),
                "as-of" => match assure_model::Date::parse(value) {
                    Ok(date) if date.has_day => settings.as_of = Some(date),
                    _ => settings.problems.push(format!(
                        "`fixture: as-of {}`: write the date as YYYY-MM-DD",
                        assure_diagnostic::visible(value)
                    )),
                },
                other => settings.problems.push(format!(
                    "`fixture: {}` is not a setting: write `pack NAME` or `as-of YYYY-MM-DD`, separated by `;`",
                    assure_diagnostic::visible(other)
                )),
            }
        }
    }
    settings
}

/// The expectations written in `text`.
pub fn expectations(text: &str, parse: &Parse) -> Vec<Expectation> {
    let file = &parse.file;
    let mut expected = Vec::new();
    // Built only for a file with directives.
    let mut index = None;
    let mut last_search = None;
    for comment in &file.comments {
        let Some(directive) = &comment.directive else {
            continue;
        };
        if directive.kind != DirectiveKind::Expect {
            continue;
        }
        let index = index.get_or_insert_with(|| LineIndex::new(text));
        let i = comment.line as usize;
        let written_at = index.line_col(text, file.lines[i].span.start).line;
        let is_expectation = |l: usize| {
            file.lines[l].kind == LineKind::Comment
                && file
                    .comment_on(l)
                    .and_then(|c| c.directive.as_ref())
                    .is_some_and(|d| d.kind == DirectiveKind::Expect)
        };
        let Some(target) =
            crate::suppress::covered_line(file, i, index, text, is_expectation, &mut last_search)
        else {
            continue;
        };
        for code in &directive.codes {
            expected.push(Expectation {
                line: target,
                code: code.text(text).to_owned(),
                written_at,
            });
        }
    }
    expected
}

impl Checker {
    /// Checks a fixture against its expectations.
    pub fn check_fixture(&self, path: &str, bytes: &[u8]) -> FixtureOutcome {
        let (mut missing, settings) = match std::str::from_utf8(bytes) {
            Ok(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let parse = assure_syntax::parse(text);
                (expectations(text, &parse), settings(text, &parse))
            }
            Err(_) => (Vec::new(), FixtureSettings::default()),
        };
        let mut problems = settings.problems;
        for pack in &settings.packs {
            if !self.rules.packs.iter().any(|p| p.name == *pack) {
                problems.push(format!(
                    "it is a fixture of the pack `{}`, which is not loaded (`--pack {0}`)",
                    assure_diagnostic::visible(pack)
                ));
            }
        }
        let dated;
        let checker = match settings.as_of {
            Some(date) => {
                dated = self.dated(crate::AsOf {
                    date,
                    source: "the fixture's `as-of`".to_owned(),
                });
                &dated
            }
            None => self,
        };
        let mut report = checker.check(path, bytes);
        // A fixture alone is a corpus of one.
        checker.add_corpus_findings(std::slice::from_mut(&mut report));
        // A finding of a pack the fixture is not about (a rule's, or a rule
        // saying it could not judge) is not compared; assure's structural
        // findings always are.
        let compared = |finding: &crate::Finding| {
            let pack = match self.rules.rule(&finding.diagnostic.code) {
                Some(rule) => Some(&rule.pack),
                None => finding
                    .stage
                    .as_ref()
                    .and_then(|id| self.rules.stage_index(id))
                    .map(|index| &self.rules.stages[index].pack),
            };
            settings.packs.is_empty() || pack.is_none_or(|pack| settings.packs.contains(pack))
        };
        let index = report.line_index();
        let mut unexpected = Vec::new();
        let mut matched = 0;
        for finding in report
            .findings
            .iter()
            .filter(|f| f.is_active() && compared(f))
        {
            let line = index
                .line_col(&report.text, finding.diagnostic.span.start)
                .line;
            let code = &*finding.diagnostic.code;
            match missing
                .iter()
                .position(|e| e.line == line && e.code == code)
            {
                Some(position) => {
                    missing.remove(position);
                    matched += 1;
                }
                None => unexpected.push(Unexpected {
                    line,
                    code: code.to_owned(),
                    message: finding.diagnostic.message.clone(),
                }),
            }
        }
        FixtureOutcome {
            problems,
            report,
            matched,
            missing,
            unexpected,
        }
    }
}
