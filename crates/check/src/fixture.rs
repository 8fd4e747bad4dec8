//! Rule fixtures: proposals annotated with `<!-- expect: CODE -->`, checked
//! for exactly the findings they expect.
//!
//! An `expect` comment on a line of its own expects the finding on the next
//! line that is neither blank nor another `expect` (so a fixture can expect
//! a finding on a comment, such as DIR001 on a suppression); one at the end
//! of a line expects it on that line. A finding counts at the line where its primary
//! span starts. Comparison is of (line, code) as a multiset: two expected
//! findings of one code on one line need two such findings.

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
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// The expectations written in `text`.
pub fn expectations(text: &str, parse: &Parse) -> Vec<Expectation> {
    let file = &parse.file;
    let mut expected = Vec::new();
    // Built only for a file with directives.
    let mut index = None;
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
        let Some(target) = crate::suppress::covered_line(file, i, index, text, is_expectation)
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
        let report = self.check(path, bytes);
        let mut missing = match std::str::from_utf8(bytes) {
            Ok(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                expectations(text, &assure_syntax::parse(text))
            }
            Err(_) => Vec::new(),
        };
        let index = report.line_index();
        let mut unexpected = Vec::new();
        let mut matched = 0;
        for finding in report.findings.iter().filter(|f| f.is_active()) {
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
            report,
            matched,
            missing,
            unexpected,
        }
    }
}
