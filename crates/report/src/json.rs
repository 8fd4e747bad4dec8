//! The JSON document of `assure lint --format json`, exactly as `cli.md`
//! describes it: version, files (path, readiness, findings) and summary.

use crate::Summary;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, Span};
use serde_json::{Value, json};

/// The version of the JSON document's shape.
pub const VERSION: u64 = 1;

/// The whole document for a run.
pub fn document(reports: &[FileReport]) -> Value {
    let summary = Summary::of(reports);
    json!({
        "version": VERSION,
        "files": reports.iter().map(file).collect::<Vec<_>>(),
        "summary": {
            "files": summary.files,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
            "suppressed": summary.suppressed,
            "baselined": summary.baselined,
        },
    })
}

/// One file's entry.
pub fn file(report: &FileReport) -> Value {
    let index = report.line_index();
    json!({
        "path": report.path,
        "readiness": report.readiness.iter().map(|row| json!({
            "stage": row.stage,
            "status": row.status.as_str(),
            "errors": row.errors,
        })).collect::<Vec<_>>(),
        "findings": report.findings.iter().map(|f| finding(&report.text, &index, f)).collect::<Vec<_>>(),
    })
}

/// One finding.
pub fn finding(text: &str, index: &LineIndex, finding: &Finding) -> Value {
    let diagnostic = &finding.diagnostic;
    json!({
        "code": &*diagnostic.code,
        "severity": diagnostic.severity.as_str(),
        "stage": finding.stage,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "span": span(text, index, diagnostic.span),
        "labels": diagnostic.labels.iter().map(|label| json!({
            "message": label.message,
            "span": span(text, index, label.span),
        })).collect::<Vec<_>>(),
        "entity": finding.entity,
        "field": finding.field,
        "suppressed": finding.suppressed.is_some(),
        "suppression": finding.suppressed.as_ref().map(|s| json!({
            "reason": s.reason,
            "origin": s.origin.as_str(),
        })),
    })
}

/// A span: byte offset and length, 1-based lines and character columns.
pub fn span(text: &str, index: &LineIndex, span: Span) -> Value {
    let location = index.locate(text, span);
    json!({
        "offset": location.offset,
        "length": location.length,
        "line": location.start.line,
        "column": location.start.column,
        "end_line": location.end.line,
        "end_column": location.end.column,
    })
}
