//! Applying the fixes findings carry to a text, round after round: what
//! `assure fix`, `assure fmt` and the editor's "fix all" share.
//!
//! A round checks the text, takes the first acceptable fix of each
//! finding, applies those that do not overlap and checks again; a round
//! whose result has more syntax errors than its input is not kept, so a
//! fix never leaves a text that reads worse.

use crate::{Checker, FileReport};
use assure_diagnostic::{Fix, LineIndex};

/// The most rounds: each applies every fix that does not overlap another,
/// so a few suffice; the bound keeps a fix that undoes another from
/// looping.
pub const MAX_ROUNDS: usize = 8;

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

/// A text after fixing, and what was applied.
#[derive(Debug)]
pub struct Fixed {
    /// The text after every round.
    pub text: String,
    /// The fixes applied, in order.
    pub applied: Vec<Applied>,
}

/// `text` (read from `path`) with the fixes of `checker`'s findings that
/// `accept` takes (given the finding's code and the fix).
pub fn fix_text(
    checker: &Checker,
    path: &str,
    text: &str,
    accept: impl Fn(&str, &Fix) -> bool,
) -> Fixed {
    let mut text = text.to_owned();
    let mut applied = Vec::new();
    let mut report = checker.check(path, text.as_bytes());
    for _ in 0..MAX_ROUNDS {
        let chosen: Vec<(&str, &Fix)> = report
            .findings
            .iter()
            .filter(|f| f.is_active())
            .filter_map(|f| {
                let code = &*f.diagnostic.code;
                let fix = f.diagnostic.fixes.iter().find(|fix| accept(code, fix))?;
                Some((code, fix))
            })
            .collect();
        if chosen.is_empty() {
            break;
        }
        let fixes: Vec<&Fix> = chosen.iter().map(|(_, fix)| *fix).collect();
        let (next, taken) = assure_diagnostic::apply(&text, &fixes);
        if taken.is_empty() || next == text {
            break;
        }
        let next_report = checker.check(path, next.as_bytes());
        if syntax_errors(&next_report) > syntax_errors(&report) {
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
        text = next;
        report = next_report;
    }
    Fixed { text, applied }
}

/// How many syntax errors (SYN codes) a report has.
fn syntax_errors(report: &FileReport) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.diagnostic.code.starts_with("SYN"))
        .count()
}
