//! The JSON document of `assure lint --format json`, exactly as `cli.md`
//! describes it: version, files (path, readiness, findings) and summary.

use crate::Summary;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, Span};
use assure_stdx::parallel::{map_in_order, threads_for};
use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::Write;

/// The version of the JSON document's shape.
pub const VERSION: u64 = 1;

/// Writes the document, pretty-printed, exactly as [`document`] would be:
/// a large run never holds its whole output in memory, no finding is first
/// built as a `serde_json::Value` (at 166k findings that alone cost a
/// second), and a large file's findings are rendered on every core, a
/// window at a time, then written in order.
pub fn write(reports: &[FileReport], out: &mut dyn Write) -> std::io::Result<()> {
    let mut streamed = Streamed::begin(crate::human::configuration(reports), out)?;
    streamed.reports(reports)?;
    streamed.end()
}

/// The document written a batch of reports at a time, for a run too large
/// to hold (a year of published notices): the same bytes as [`write()`] of
/// every batch at once.
pub struct Streamed<'o> {
    writer: std::io::BufWriter<&'o mut dyn Write>,
    first: bool,
    summary: Summary,
}

impl<'o> Streamed<'o> {
    /// Writes the document's head.
    pub fn begin(configuration: Option<&str>, out: &'o mut dyn Write) -> std::io::Result<Self> {
        let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
        // The frame is written by hand so that the findings can be rendered
        // apart; the test against `document` keeps it the same as serde's.
        writer.write_all(b"{\n  \"version\": ")?;
        nested(&mut writer, 1, &VERSION)?;
        writer.write_all(b",\n  \"configuration\": ")?;
        nested(&mut writer, 1, &configuration)?;
        writer.write_all(b",\n  \"files\": ")?;
        Ok(Streamed {
            writer,
            first: true,
            summary: Summary::default(),
        })
    }

    /// Writes the next reports.
    pub fn reports(&mut self, reports: &[FileReport]) -> std::io::Result<()> {
        for report in reports {
            self.writer.write_all(if std::mem::take(&mut self.first) {
                b"[\n    "
            } else {
                b",\n    "
            })?;
            write_file(report, &mut self.writer)?;
        }
        self.summary.add(reports);
        self.writer.flush()
    }

    /// Ends the document with the summary of every report written.
    pub fn end(mut self) -> std::io::Result<()> {
        self.writer
            .write_all(if self.first { b"[]" } else { b"\n  ]" })?;
        self.writer.write_all(b",\n  \"summary\": ")?;
        nested(&mut self.writer, 1, &SummaryOut::from(self.summary))?;
        self.writer.write_all(b"\n}\n")?;
        self.writer.flush()
    }
}

/// One element of `files`, at depth 2.
fn write_file(report: &FileReport, writer: &mut impl Write) -> std::io::Result<()> {
    writer.write_all(b"{\n      \"path\": ")?;
    nested(&mut *writer, 3, &report.path)?;
    writer.write_all(b",\n      \"readiness\": ")?;
    nested(&mut *writer, 3, &Seq(|| readiness(report)))?;
    if let Some(as_of) = &report.as_of {
        writer.write_all(b",\n      \"as_of\": ")?;
        nested(&mut *writer, 3, &AsOfOut::of(as_of))?;
    }
    writer.write_all(b",\n      \"findings\": ")?;
    if report.findings.is_empty() {
        writer.write_all(b"[]")?;
    } else {
        let index = report.line_index();
        let threads = threads_for(report.findings.len(), PART);
        writer.write_all(b"[")?;
        let mut first = true;
        for window in report.findings.chunks(PART * threads) {
            let parts: Vec<&[Finding]> = window.chunks(PART).collect();
            let rendered = map_in_order(&parts, threads, |part| {
                let mut buffer = Vec::with_capacity(part.len() * 1024);
                for finding in *part {
                    buffer.extend_from_slice(FINDING_SEPARATOR);
                    nested(
                        &mut buffer,
                        4,
                        &FindingOut::new(&report.text, &index, finding, report.places.as_deref()),
                    )?;
                }
                Ok::<_, std::io::Error>(buffer)
            });
            for part in rendered {
                let part = part?;
                // Every finding is rendered after a comma; the first is not.
                let skip = usize::from(std::mem::take(&mut first));
                writer.write_all(&part[skip..])?;
            }
        }
        writer.write_all(b"\n      ]")?;
    }
    writer.write_all(b"\n    }")
}

/// What comes before each finding: the separator and the indent of depth 4.
const FINDING_SEPARATOR: &[u8] = b",\n        ";

/// How many findings one thread renders at a time: about a megabyte of
/// JSON, so that only a window's worth of output is ever held in memory.
const PART: usize = 1024;

/// Writes `value` pretty-printed as if nested `depth` levels deep, as
/// serde_json would inside the whole document.
pub(crate) fn nested(
    writer: impl Write,
    depth: usize,
    value: &impl Serialize,
) -> std::io::Result<()> {
    let mut formatter = PrettyFormatter::new();
    // Entering an object is what deepens the pretty formatter's indent;
    // entered into a sink, it writes nothing.
    for _ in 0..depth {
        formatter.begin_object(&mut std::io::sink())?;
    }
    let mut serializer = serde_json::Serializer::with_formatter(writer, formatter);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::from)
}

/// The document as a value, for callers that embed it.
pub fn document(reports: &[FileReport]) -> serde_json::Value {
    serde_json::to_value(Document(reports)).unwrap_or(serde_json::Value::Null)
}

struct Document<'a>(&'a [FileReport]);

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_struct("Document", 4)?;
        map.serialize_field("version", &VERSION)?;
        map.serialize_field("configuration", &crate::human::configuration(self.0))?;
        map.serialize_field("files", &Seq(|| self.0.iter().map(File)))?;
        map.serialize_field("summary", &SummaryOut::of(self.0))?;
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

impl SummaryOut {
    fn of(reports: &[FileReport]) -> SummaryOut {
        SummaryOut::from(Summary::of(reports))
    }

    fn from(summary: Summary) -> SummaryOut {
        SummaryOut {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            suppressed: summary.suppressed,
            baselined: summary.baselined,
        }
    }
}

struct File<'a>(&'a FileReport);

impl Serialize for File<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let report = self.0;
        let index = report.line_index();
        let mut map = serializer.serialize_struct("File", 3)?;
        map.serialize_field("path", &report.path)?;
        map.serialize_field("readiness", &Seq(|| readiness(report)))?;
        if let Some(as_of) = &report.as_of {
            map.serialize_field("as_of", &AsOfOut::of(as_of))?;
        }
        map.serialize_field(
            "findings",
            &Seq(|| {
                report.findings.iter().map(|finding| {
                    FindingOut::new(&report.text, &index, finding, report.places.as_deref())
                })
            }),
        )?;
        map.end()
    }
}

fn readiness(report: &FileReport) -> impl Iterator<Item = Readiness<'_>> {
    report.readiness.iter().map(|row| Readiness {
        stage: &row.stage,
        pack: row.pack.as_deref(),
        status: row.status.as_str(),
        errors: row.errors,
        not_assessed: row.not_assessed,
        not_run: &row.not_run,
    })
}

/// The date rules judged "today" by, and where it came from.
#[derive(Serialize)]
struct AsOfOut<'a> {
    date: String,
    source: &'a str,
}

impl<'a> AsOfOut<'a> {
    fn of(as_of: &'a assure_check::AsOf) -> Self {
        AsOfOut {
            date: as_of.date.to_string(),
            source: &as_of.source,
        }
    }
}

#[derive(Serialize)]
struct Readiness<'a> {
    stage: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pack: Option<&'a str>,
    status: &'static str,
    errors: usize,
    not_assessed: usize,
    /// The rules of the stage or an earlier one the run left out; only
    /// when there are some, so that a whole run's shape is unchanged.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    not_run: &'a [String],
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<FixOut<'a>>,
    /// How many findings of its code after it this one stands for.
    #[serde(skip_serializing_if = "is_zero")]
    unlisted: usize,
    /// Where it is in the document the text was converted from.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<PlaceOut<'a>>,
}

/// A place in a document: the headings above it (a sheet's name), the
/// paragraph (counted through the body), the table cell or the sheet's
/// row and column, and all of it in words.
#[derive(Serialize)]
struct PlaceOut<'a> {
    headings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    paragraph: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pointer: Option<&'a str>,
    text: String,
}

impl<'a> PlaceOut<'a> {
    fn of(place: &'a assure_diagnostic::place::Place) -> PlaceOut<'a> {
        use assure_diagnostic::place::Part;
        let (table, row, column) = match place.part {
            Part::Cell {
                table, row, column, ..
            } => (Some(table), Some(row), Some(column)),
            Part::Sheet { row, column } => (None, Some(row), Some(column)),
            Part::Paragraph(_) | Part::Json { .. } => (None, None, None),
        };
        let (line, pointer) = match &place.part {
            Part::Json { line, pointer } => (*line, Some(&**pointer)),
            _ => (None, None),
        };
        PlaceOut {
            headings: &place.headings,
            paragraph: place.paragraph(),
            table,
            row,
            column,
            line,
            pointer,
            text: place.describe(),
        }
    }
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

/// A fix: what it does, how safe it is, its edits.
#[derive(Serialize)]
struct FixOut<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<EditOut<'a>>,
}

/// One edit: the text at `span` becomes `replacement`.
#[derive(Serialize)]
struct EditOut<'a> {
    span: SpanOut,
    replacement: &'a str,
}

impl<'a> FindingOut<'a> {
    fn new(
        text: &str,
        index: &LineIndex,
        finding: &'a Finding,
        places: Option<&'a assure_diagnostic::place::Places>,
    ) -> FindingOut<'a> {
        let diagnostic = &finding.diagnostic;
        FindingOut {
            place: places
                .and_then(|places| places.at(diagnostic.span.start))
                .map(PlaceOut::of),
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
                    place: places
                        .and_then(|places| places.at(label.span.start))
                        .map(PlaceOut::of),
                })
                .collect(),
            entity: finding.entity.as_deref(),
            field: finding.field.as_deref(),
            suppressed: finding.suppressed.is_some(),
            suppression: finding.suppressed.as_ref().map(|s| SuppressionOut {
                reason: &s.reason,
                origin: s.origin.as_str(),
            }),
            unlisted: diagnostic.unlisted,
            fixes: diagnostic
                .fixes
                .iter()
                .map(|fix| FixOut {
                    title: &fix.title,
                    applicability: fix.applicability.as_str(),
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| EditOut {
                            span: SpanOut::new(text, index, edit.span),
                            replacement: &edit.replacement,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct LabelOut<'a> {
    message: &'a str,
    span: SpanOut,
    /// Where it is in a document (a register's cell), if it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<PlaceOut<'a>>,
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

    /// The hand-written frame and the parallel rendering give what serde
    /// gives for the whole document.
    fn assert_written_as_document(reports: &[FileReport]) {
        let mut written = Vec::new();
        write(reports, &mut written).unwrap();
        let expected = serde_json::to_string_pretty(&document(reports)).unwrap() + "\n";
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }

    #[test]
    fn no_files_and_files_without_findings_are_written_as_serde_would() {
        assert_written_as_document(&[]);
        let checker = Checker::new(RuleSet::default_set().unwrap());
        let clean = checker.check("clean.proposal", b"");
        let mut empty = clean.clone();
        empty.findings.clear();
        empty.readiness.clear();
        assert_written_as_document(&[empty.clone()]);
        assert_written_as_document(&[clean, empty]);
    }

    #[test]
    fn findings_over_many_windows_are_written_in_order() {
        let text = "x\n".repeat(5_000);
        let findings: Vec<Finding> = (0..5_000u32)
            .map(|line| {
                let span = Span::new(line * 2, line * 2 + 1);
                Finding::structural(assure_diagnostic::Diagnostic::of(
                    assure_diagnostic::codes::SYN001,
                    span,
                    format!("finding {line}"),
                ))
            })
            .collect();
        let mut report = FileReport::unreadable("many.proposal", "unused");
        report.text = text;
        report.findings = findings;
        let other = FileReport::unreadable("other.proposal", "no such file");
        assert_written_as_document(&[report.clone(), other, report]);
    }

    const EXPECTED: &str = r#"{
  "version": 1,
  "configuration": null,
  "files": [
    {
      "path": "a.proposal",
      "readiness": [
        {
          "stage": "case-for-change",
          "status": "blocked",
          "errors": 2,
          "not_assessed": 0
        },
        {
          "stage": "contract-and-capability",
          "status": "blocked",
          "errors": 2,
          "not_assessed": 0
        },
        {
          "stage": "safe-to-launch",
          "status": "blocked",
          "errors": 2,
          "not_assessed": 0
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
          },
          "fixes": [
            {
              "title": "add `population:` to the header",
              "applicability": "manual",
              "edits": [
                {
                  "span": {
                    "offset": 86,
                    "length": 0,
                    "line": 3,
                    "column": 11,
                    "end_line": 3,
                    "end_column": 11
                  },
                  "replacement": "\npopulation: <<THE GP LISTED POPULATION SERVED>>"
                }
              ]
            }
          ]
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
