//! `assure diff OLD NEW`: the unified diff of two versions of a proposal,
//! the findings that appear and disappear between them (matched by code and
//! entity, never by line; see [`assure_check::changes`]), and the change in
//! readiness per stage.

use assure_check::changes::partition;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, visible};
use serde_json::{Value, json};
use similar::TextDiff;
use std::fmt::Write as _;

/// The comparison of two reports.
#[derive(Debug)]
pub struct Comparison<'a> {
    /// The older version.
    pub old: &'a FileReport,
    /// The newer version.
    pub new: &'a FileReport,
    /// Findings only in the new version.
    pub appeared: Vec<&'a Finding>,
    /// Findings only in the old version.
    pub resolved: Vec<&'a Finding>,
    /// Findings in both that moved or whose text changed: (old, new).
    pub moved: Vec<(&'a Finding, &'a Finding)>,
    /// Findings in both, unchanged.
    pub unchanged: usize,
    old_lines: LineIndex,
    new_lines: LineIndex,
}

impl Comparison<'_> {
    /// The line of a finding of the old (`new` false) or new version.
    fn line_of(&self, new: bool, finding: &Finding) -> u32 {
        let (report, lines) = if new {
            (self.new, &self.new_lines)
        } else {
            (self.old, &self.old_lines)
        };
        lines
            .line_col(&report.text, finding.diagnostic.span.start)
            .line
    }

    /// Where a finding is: `line N` of a proposal, or a Word document's
    /// place (`Contracts › MCP contract › table 2, row 3, column 2`).
    fn where_of(&self, new: bool, finding: &Finding) -> String {
        let report = if new { self.new } else { self.old };
        match report
            .places
            .as_ref()
            .and_then(|places| places.at(finding.diagnostic.span.start))
        {
            Some(place) => place.describe(),
            None => format!("line {}", self.line_of(new, finding)),
        }
    }

    /// `line 12 → 14` between two proposals; each place in full where one
    /// is a document.
    fn moved_between(&self, old: &Finding, new: &Finding) -> String {
        let (from, to) = (self.where_of(false, old), self.where_of(true, new));
        match (from.strip_prefix("line "), to.strip_prefix("line ")) {
            (Some(_), Some(to)) => format!("{from} → {to}"),
            _ => format!("{from} → {to}"),
        }
    }

    fn describe(&self, new: bool, finding: &Finding) -> String {
        let entity = finding.entity.as_deref().unwrap_or("the proposal");
        format!(
            "{} {} at {} ({entity}): {}",
            finding.diagnostic.code,
            finding.diagnostic.severity,
            self.where_of(new, finding),
            finding.diagnostic.message
        )
    }
}

/// Compares two reports.
pub fn compare_reports<'a>(old: &'a FileReport, new: &'a FileReport) -> Comparison<'a> {
    let changes = partition(&old.keys(), &new.keys());
    Comparison {
        old,
        new,
        appeared: changes.new,
        resolved: changes.resolved,
        moved: changes.moved,
        unchanged: changes.unchanged,
        old_lines: old.line_index(),
        new_lines: new.line_index(),
    }
}

/// How long the text diff may search for the smallest diff; past it, the
/// diff is still correct, only less small. Two versions that share little
/// (a file reversed) made the search take tens of seconds.
const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// The unified diff of the two texts, three lines of context.
pub fn unified(old: &FileReport, new: &FileReport) -> String {
    unified_texts(&old.text, &new.text, &old.path, &new.path)
}

/// The unified diff of two texts, headed with their names.
pub fn unified_texts(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::configure()
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// The comparison for people: the text's diff (unless `quiet`), then the
/// findings resolved, new and moved, and readiness before and after.
pub fn human(comparison: &Comparison<'_>, quiet: bool) -> String {
    let mut out = if quiet {
        String::new()
    } else {
        unified(comparison.old, comparison.new)
    };
    if out.is_empty() && comparison.old.text == comparison.new.text {
        out.push_str("the two versions are identical\n");
    }
    let count = |n: usize| {
        if n == 1 {
            "1 finding".to_owned()
        } else {
            format!("{n} findings")
        }
    };
    let gap = if out.is_empty() { "" } else { "\n" };
    let _ = writeln!(out, "{gap}Resolved: {}", count(comparison.resolved.len()));
    for finding in &comparison.resolved {
        let _ = writeln!(out, "  - {}", comparison.describe(false, finding));
    }
    let _ = writeln!(out, "New: {}", count(comparison.appeared.len()));
    for finding in &comparison.appeared {
        let _ = writeln!(out, "  + {}", comparison.describe(true, finding));
    }
    if !comparison.moved.is_empty() {
        let _ = writeln!(
            out,
            "Moved or edited, still present: {}",
            count(comparison.moved.len())
        );
        for (old, new) in &comparison.moved {
            let _ = writeln!(
                out,
                "  ~ {} {}",
                new.diagnostic.code,
                comparison.moved_between(old, new)
            );
        }
    }
    let _ = writeln!(out, "Unchanged: {}", count(comparison.unchanged));
    let _ = writeln!(out, "\nReadiness");
    let width = comparison
        .new
        .readiness
        .iter()
        .map(|r| r.label().chars().count())
        .max()
        .unwrap_or(0);
    for (old, new) in comparison
        .old
        .readiness
        .iter()
        .zip(&comparison.new.readiness)
    {
        let marker = if old.describe() == new.describe() {
            " "
        } else {
            "*"
        };
        let _ = writeln!(
            out,
            "{marker} {:width$}  {} → {}",
            visible(&new.label()),
            old.describe(),
            new.describe()
        );
    }
    out
}

/// The comparison as JSON.
pub fn json(comparison: &Comparison<'_>) -> Value {
    let finding = |new: bool, f: &Finding| {
        json!({
            "code": &*f.diagnostic.code,
            "severity": f.diagnostic.severity.as_str(),
            "stage": f.stage,
            "entity": f.entity,
            "field": f.field,
            "line": comparison.line_of(new, f),
            "message": f.diagnostic.message,
        })
    };
    json!({
        "version": 1,
        "old": comparison.old.path,
        "new": comparison.new.path,
        "diff": unified(comparison.old, comparison.new),
        "findings": {
            "resolved": comparison.resolved.iter().map(|f| finding(false, f)).collect::<Vec<_>>(),
            "new": comparison.appeared.iter().map(|f| finding(true, f)).collect::<Vec<_>>(),
            "moved": comparison.moved.iter().map(|(o, n)| json!({
                "code": &*n.diagnostic.code,
                "entity": n.entity,
                "old_line": comparison.line_of(false, o),
                "new_line": comparison.line_of(true, n),
            })).collect::<Vec<_>>(),
            "unchanged": comparison.unchanged,
        },
        "readiness": comparison.old.readiness.iter().zip(&comparison.new.readiness).map(|(o, n)| {
            let mut row = json!({
                "stage": n.stage,
                "old": {"status": o.status.as_str(), "errors": o.errors},
                "new": {"status": n.status.as_str(), "errors": n.errors},
            });
            if let Some(pack) = &n.pack {
                row["pack"] = json!(pack);
            }
            row
        }).collect::<Vec<_>>(),
    })
}
