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

/// Writes the same document as [`document`], pretty-printed, one finding at
/// a time: a large run never holds its whole output in memory.
pub fn write(reports: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut writer = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut writer, &Streamed(reports)).map_err(std::io::Error::other)?;
    std::io::Write::write_all(&mut writer, b"\n")?;
    std::io::Write::flush(&mut writer)
}

struct Streamed<'a>(&'a [FileReport]);
struct StreamedFiles<'a>(&'a [FileReport]);
struct StreamedFile<'a>(&'a FileReport);
struct StreamedFindings<'a>(&'a FileReport);

impl serde::Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let summary = Summary::of(self.0);
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("version", &VERSION)?;
        map.serialize_entry("files", &StreamedFiles(self.0))?;
        map.serialize_entry(
            "summary",
            &json!({
                "files": summary.files,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "infos": summary.infos,
                "suppressed": summary.suppressed,
                "baselined": summary.baselined,
            }),
        )?;
        map.end()
    }
}

impl serde::Serialize for StreamedFiles<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(StreamedFile))
    }
}

impl serde::Serialize for StreamedFile<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let report = self.0;
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("path", &report.path)?;
        let readiness: Vec<Value> = report
            .readiness
            .iter()
            .map(|row| json!({"stage": row.stage, "status": row.status.as_str(), "errors": row.errors}))
            .collect();
        map.serialize_entry("readiness", &readiness)?;
        map.serialize_entry("findings", &StreamedFindings(report))?;
        map.end()
    }
}

impl serde::Serialize for StreamedFindings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let index = report.line_index();
        serializer.collect_seq(
            report
                .findings
                .iter()
                .map(|f| finding(&report.text, &index, f)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_check::Checker;
    use assure_rules::RuleSet;

    #[test]
    fn the_streamed_document_is_the_document() {
        let checker = Checker::new(RuleSet::default_set().unwrap());
        let reports = [
            checker.check(
                "a.proposal",
                b"proposal: A\nmodel: mcp\n\n# Organisations\n\n## X\nkind: nope\n",
            ),
            checker.check("b.proposal", b"\xff"),
            checker.check("c.proposal", b"proposal: C\nmodel: other\n"),
        ];
        let mut streamed = Vec::new();
        write(&reports, &mut streamed).unwrap();
        let expected = serde_json::to_string_pretty(&document(&reports)).unwrap() + "\n";
        assert_eq!(String::from_utf8(streamed).unwrap(), expected);
    }
}
