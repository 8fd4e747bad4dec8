//! Corpus rules (`scope = "corpus"`): rules that see every proposal linted
//! together, for checks that span files (an authority's awards spread over
//! several proposals).
//!
//! The proposals are joined into one text, each after a heading of a
//! section no vocabulary has (so that a proposal's header fields never
//! read as the previous one's), and modelled once. Entities of one name in
//! several proposals are then several entities of that name, and a
//! reference resolves to the first: a rule joins them by name. Each finding
//! is mapped back to the proposal its primary place is in, with the labels
//! that are in the same proposal, and that proposal's readiness is judged
//! again with it. The joined model's own diagnostics are not reported: each
//! proposal's are, by its own check. A proposal linted alone is a corpus of
//! one, so a corpus rule behaves as a per-proposal rule there.

use crate::{Checker, FileReport, Finding};
use assure_diagnostic::Span;
use assure_rules::Options;

/// The heading put between two proposals: a section no vocabulary has.
const BOUNDARY: &str = "\n# \u{2063}assure corpus boundary\n";

impl Checker {
    /// Whether any rule in use is a corpus rule.
    pub fn has_corpus_rules(&self) -> bool {
        self.rules.rules.iter().any(|r| r.corpus)
    }

    /// Runs the corpus rules over `reports` taken together and adds each
    /// finding to the report of the proposal it points into (its readiness
    /// updated).
    pub fn add_corpus_findings(&self, reports: &mut [FileReport]) {
        if !self.has_corpus_rules() {
            return;
        }
        let mut joined = String::new();
        // (start, end) of each report's text in `joined`.
        let mut segments = Vec::with_capacity(reports.len());
        for (i, report) in reports.iter().enumerate() {
            if i > 0 {
                joined.push_str(BOUNDARY);
            }
            let start = joined.len();
            joined.push_str(&report.text);
            segments.push((start, joined.len()));
            if !joined.ends_with('\n') {
                joined.push('\n');
            }
        }
        let parse = assure_syntax::parse(&joined);
        let (model, _) = self.build(&joined, parse);
        let options = Options {
            corpus: true,
            ..self.options
        };
        let evaluation = self.rules.evaluate(&model, &options);
        let mut touched = Vec::new();
        for finding in evaluation.findings {
            let mut diagnostic = finding.diagnostic;
            let at = diagnostic.span.start as usize;
            let Some(file) = segments.iter().position(|&(s, e)| s <= at && at <= e) else {
                continue;
            };
            let (start, end) = segments[file];
            let local = |span: Span| {
                ((span.start as usize) >= start && (span.end as usize) <= end)
                    .then(|| Span::new(span.start - start as u32, span.end - start as u32))
            };
            let Some(span) = local(diagnostic.span) else {
                continue;
            };
            diagnostic.span = span;
            diagnostic
                .labels
                .retain_mut(|label| match local(label.span) {
                    Some(span) => {
                        label.span = span;
                        true
                    }
                    None => false,
                });
            // Fixes are edits of the joined text: only those wholly inside
            // this proposal, moved into it.
            diagnostic.fixes.retain_mut(|fix| {
                fix.edits.iter_mut().all(|edit| match local(edit.span) {
                    Some(span) => {
                        edit.span = span;
                        true
                    }
                    None => false,
                })
            });
            let stage = self.rules.stages[finding.stage].id.clone();
            let mut found = vec![Finding {
                diagnostic,
                stage: Some(stage),
                suppressed: None,
                entity: None,
                field: None,
            }];
            let report = &mut reports[file];
            let used = crate::suppress::apply_config(&mut found, &report.path, &self.allows);
            report.allows_used.extend(used);
            report.allows_used.sort_unstable();
            report.allows_used.dedup();
            let Some(found) = found.pop() else { continue };
            let at = report
                .findings
                .partition_point(|f| f.diagnostic.span.start <= found.diagnostic.span.start);
            report.findings.insert(at, found);
            touched.push(file);
        }
        // Readiness judged again, as `check` judges it, once per proposal
        // that gained a finding.
        touched.sort_unstable();
        touched.dedup();
        for file in touched {
            let report = &mut reports[file];
            report.readiness =
                self.readiness(&report.findings, &report.approved, &report.not_applicable);
        }
    }
}
