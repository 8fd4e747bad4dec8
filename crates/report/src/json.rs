//! The JSON document of `assure lint --format json`, exactly as `cli.md`
//! describes it: version, files (path, readiness, findings) and summary.

use crate::Summary;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, Span};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// The version of the JSON document's shape.
pub const VERSION: u64 = 1;

/// Writes the document, pretty-printed, one finding at a time: a large run
/// never holds its whole output in memory, and no finding is first built as
/// a `serde_json::Value` (at 166k findings that alone cost a second).
pub fn write(reports: &[FileReport], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
    // `From` gives back the writer's own error, so a closed pipe stays a
    // `BrokenPipe` the caller can recognise.
    serde_json::to_writer_pretty(&mut writer, &Document(reports)).map_err(std::io::Error::from)?;
    std::io::Write::write_all(&mut writer, b"\n")?;
    std::io::Write::flush(&mut writer)
}

/// The document as a value, for callers that embed it.
pub fn document(reports: &[FileReport]) -> serde_json::Value {
    serde_json::to_value(Document(reports)).unwrap_or(serde_json::Value::Null)
}

struct Document<'a>(&'a [FileReport]);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let summary = Summary::of(self.0);
        let mut map = serializer.serialize_struct("Document", 3)?;
        map.serialize_field("version", &VERSION)?;
        map.serialize_field("files", &Seq(|| self.0.iter().map(File)))?;
        map.serialize_field(
            "summary",
            &SummaryOut {
                files: summary.files,
                errors: summary.errors,
                warnings: summary.warnings,
                infos: summary.infos,
                suppressed: summary.suppressed,
                baselined: summary.baselined,
            },
        )?;
        map.end()
    }
}

/// A sequence serialized from an iterator made on demand.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item: Serialize>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct SummaryOut {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
    baselined: usize,
}

struct File<'a>(&'a FileReport);

impl Serialize for File<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let index = report.line_index();
        let mut map = serializer.serialize_struct("File", 3)?;
        map.serialize_field("path", &report.path)?;
        map.serialize_field(
            "readiness",
            &Seq(|| {
                report.readiness.iter().map(|row| Readiness {
                    stage: &row.stage,
                    status: row.status.as_str(),
                    errors: row.errors,
                })
            }),
        )?;
        map.serialize_field(
            "findings",
            &Seq(|| {
                report
                    .findings
                    .iter()
                    .map(|finding| FindingOut::new(&report.text, &index, finding))
            }),
        )?;
        map.end()
    }
}

#[derive(Serialize)]
struct Readiness<'a> {
    stage: &'a str,
    status: &'static str,
    errors: usize,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    severity: &'static str,
    stage: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
    span: SpanOut,
    labels: Vec<LabelOut<'a>>,
    entity: Option<&'a str>,
    field: Option<&'a str>,
    suppressed: bool,
    suppression: Option<SuppressionOut<'a>>,
}

impl<'a> FindingOut<'a> {
    fn new(text: &str, index: &LineIndex, finding: &'a Finding) -> FindingOut<'a> {
        let diagnostic = &finding.diagnostic;
        FindingOut {
            code: &diagnostic.code,
            severity: diagnostic.severity.as_str(),
            stage: finding.stage.as_deref(),
            message: &diagnostic.message,
            help: diagnostic.help.as_deref(),
            span: SpanOut::new(text, index, diagnostic.span),
            labels: diagnostic
                .labels
                .iter()
                .map(|label| LabelOut {
                    message: &label.message,
                    span: SpanOut::new(text, index, label.span),
                })
                .collect(),
            entity: finding.entity.as_deref(),
            field: finding.field.as_deref(),
            suppressed: finding.suppressed.is_some(),
            suppression: finding.suppressed.as_ref().map(|s| SuppressionOut {
                reason: &s.reason,
                origin: s.origin.as_str(),
            }),
        }
    }
}

#[derive(Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    span: SpanOut,
}

#[derive(Serialize)]
struct SuppressionOut<'a> {
    reason: &'a str,
    origin: &'static str,
}

/// A span: byte offset and length, 1-based lines and character columns.
#[derive(Serialize)]
struct SpanOut {
    offset: u32,
    length: u32,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl SpanOut {
    fn new(text: &str, index: &LineIndex, span: Span) -> SpanOut {
        let location = index.locate(text, span);
        SpanOut {
            offset: location.offset,
            length: location.length,
            line: location.start.line,
            column: location.start.column,
            end_line: location.end.line,
            end_column: location.end.column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_check::Checker;
    use assure_rules::RuleSet;

    #[test]
    fn every_field_of_a_finding_is_written_in_the_documented_order() {
        let checker = Checker::new(RuleSet::default_set().unwrap());
        let reports = [checker.check(
            "a.proposal",
            concat!(
                "proposal: A\n",
                "<!-- assure-allow: CFC004 the population is in the appendix -->\n",
                "model: mcp\n\n# Organisations\n\n## X\nkind: ccg\n\n## X\nkind: ccg\n",
            )
            .as_bytes(),
        )];
        let mut written = Vec::new();
        write(&reports, &mut written).unwrap();
        let written = String::from_utf8(written).unwrap();
        assert_eq!(written, EXPECTED);
        assert_eq!(
            serde_json::to_string_pretty(&document(&reports)).unwrap() + "\n",
            written
        );
    }

    const EXPECTED: &str = r#"{
  "version": 1,
  "files": [
    {
      "path": "a.proposal",
      "readiness": [
        {
          "stage": "case-for-change",
          "status": "blocked",
          "errors": 2
        },
        {
          "stage": "contract-and-capability",
          "status": "blocked",
          "errors": 2
        },
        {
          "stage": "safe-to-launch",
          "status": "blocked",
          "errors": 2
        }
      ],
      "findings": [
        {
          "code": "CFC001",
          "severity": "error",
          "stage": "case-for-change",
          "message": "the proposal's model is `mcp`, but the case for change does not say why this model rather than the other",
          "help": "add `why-this-model:` under `# Case for change`",
          "span": {
            "offset": 83,
            "length": 3,
            "line": 3,
            "column": 8,
            "end_line": 3,
            "end_column": 11
          },
          "labels": [],
          "entity": null,
          "field": "model",
          "suppressed": false,
          "suppression": null
        },
        {
          "code": "CFC004",
          "severity": "error",
          "stage": "case-for-change",
          "message": "the proposal's model is `mcp`, but it does not say what population it serves",
          "help": "add `population:` to the header",
          "span": {
            "offset": 83,
            "length": 3,
            "line": 3,
            "column": 8,
            "end_line": 3,
            "end_column": 11
          },
          "labels": [],
          "entity": null,
          "field": "model",
          "suppressed": true,
          "suppression": {
            "reason": "the population is in the appendix",
            "origin": "inline"
          }
        },
        {
          "code": "REF002",
          "severity": "error",
          "stage": null,
          "message": "`X` is defined twice",
          "help": "give each entity its own name, or merge the two",
          "span": {
            "offset": 121,
            "length": 4,
            "line": 10,
            "column": 1,
            "end_line": 10,
            "end_column": 5
          },
          "labels": [
            {
              "message": "first defined here",
              "span": {
                "offset": 105,
                "length": 4,
                "line": 7,
                "column": 1,
                "end_line": 7,
                "end_column": 5
              }
            }
          ],
          "entity": "X",
          "field": null,
          "suppressed": false,
          "suppression": null
        }
      ]
    }
  ],
  "summary": {
    "files": 1,
    "errors": 2,
    "warnings": 0,
    "infos": 0,
    "suppressed": 1,
    "baselined": 0
  }
}
"#;
}
