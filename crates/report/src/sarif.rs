//! SARIF 2.1.0 for code scanning: one run, every rule (and structural code)
//! in `tool.driver.rules` with its help, and one result per finding with a
//! physical location, a fingerprint that survives unrelated edits, and the
//! justification of any suppression.

use assure_check::suppress::Origin;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, Severity, codes};
use assure_rules::RuleSet;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";

/// Where the files of a run are: the root URIs are relative to (the
/// repository's, or else the directory assure ran in), and the directory
/// paths are relative to. A file under the root gets a URI relative to it,
/// with `uriBaseId` `SRCROOT`, as code scanning wants; one outside it a
/// `file://` URI.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// The repository root (absolute).
    pub root: Option<PathBuf>,
    /// The directory relative paths start from (absolute).
    pub cwd: PathBuf,
}

impl Places {
    /// The artifact location of `path`.
    fn artifact(&self, path: &str) -> Value {
        let given = Path::new(path);
        let absolute = if given.is_absolute() {
            given.to_path_buf()
        } else {
            self.cwd.join(given)
        };
        let absolute = normalize(&absolute);
        match &self.root {
            Some(root) => match absolute.strip_prefix(root) {
                Ok(relative) => json!({
                    "uri": uri(&relative.to_string_lossy()),
                    "uriBaseId": "SRCROOT",
                }),
                Err(_) => json!({"uri": file_uri(&absolute)}),
            },
            None if given.is_absolute() => json!({"uri": file_uri(&absolute)}),
            None => json!({"uri": uri(path)}),
        }
    }
}

/// `path` without `.` and with each `..` taken back, as text: no file is
/// read.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A `file://` URI for an absolute path.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    format!("file://{}", uri(&text))
}

/// The SARIF log of a run, its files located by `places`, as a value, for
/// callers that embed it; [`write()`] gives the same text without holding it.
pub fn document(reports: &[FileReport], rules: &RuleSet, places: &Places) -> Value {
    let rule_ids = RuleIds::of(rules);
    let results = reports
        .iter()
        .flat_map(|report| {
            let index = report.line_index();
            let rule_ids = &rule_ids;
            report
                .findings
                .iter()
                .map(move |finding| result(places, report, &index, finding, rule_ids))
                .collect::<Vec<_>>()
        })
        .collect();
    frame(rules, places, crate::human::configuration(reports), results)
}

/// Writes the SARIF log of a run, pretty-printed, exactly as [`document`]
/// would be, a result at a time: a run of millions of findings built as
/// one `serde_json::Value` took gigabytes (11 GB for 1.75 million).
pub fn write(
    reports: &[FileReport],
    rules: &RuleSet,
    places: &Places,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let configuration = crate::human::configuration(reports);
    let mut streamed = Streamed::begin(rules, places, configuration, out)?;
    streamed.reports(reports)?;
    streamed.end()
}

/// The log written a batch of reports at a time (a year of published
/// notices): the same bytes as [`write()`] of every batch at once.
pub struct Streamed<'o> {
    writer: std::io::BufWriter<&'o mut dyn Write>,
    rule_ids: RuleIds,
    places: Places,
    tail: String,
    first: bool,
}

impl<'o> Streamed<'o> {
    /// Writes the log up to its results.
    pub fn begin(
        rules: &RuleSet,
        places: &Places,
        configuration: Option<&str>,
        out: &'o mut dyn Write,
    ) -> std::io::Result<Self> {
        let frame = serde_json::to_string_pretty(&frame(rules, places, configuration, Vec::new()))
            .map_err(std::io::Error::from)?;
        // The results go where the frame's are empty. JSON strings hold no
        // raw line break, so the marker, with its line's indent, is the
        // key's own.
        let Some(at) = frame.find(EMPTY_RESULTS) else {
            return Err(std::io::Error::other("the SARIF frame has no results"));
        };
        let (head, tail) = frame.split_at(at + EMPTY_RESULTS.len() - 2);
        let mut writer = std::io::BufWriter::with_capacity(1 << 16, out);
        writer.write_all(head.as_bytes())?;
        Ok(Streamed {
            writer,
            rule_ids: RuleIds::of(rules),
            places: places.clone(),
            tail: tail[2..].to_owned(),
            first: true,
        })
    }

    /// Writes the results of the next reports.
    pub fn reports(&mut self, reports: &[FileReport]) -> std::io::Result<()> {
        for report in reports {
            let index = report.line_index();
            for finding in &report.findings {
                let result = result(&self.places, report, &index, finding, &self.rule_ids);
                self.writer.write_all(if std::mem::take(&mut self.first) {
                    b"[\n        "
                } else {
                    b",\n        "
                })?;
                crate::json::nested(&mut self.writer, 4, &result)?;
            }
        }
        self.writer.flush()
    }

    /// Ends the log.
    pub fn end(mut self) -> std::io::Result<()> {
        self.writer
            .write_all(if self.first { b"[]" } else { b"\n      ]" })?;
        self.writer.write_all(self.tail.as_bytes())?;
        self.writer.write_all(b"\n")?;
        self.writer.flush()
    }
}

/// The run's results when it has none, as the frame is printed.
const EMPTY_RESULTS: &str = "\n      \"results\": []";

/// Each code's index in `tool.driver.rules`: assure's own, then the packs'.
struct RuleIds(HashMap<String, usize>);

impl RuleIds {
    fn of(rules: &RuleSet) -> RuleIds {
        let codes = codes::of_proposals().map(|info| info.code.to_owned());
        let codes = codes.chain(rules.rules.iter().map(|rule| rule.code.clone()));
        let mut ids = HashMap::new();
        for (index, code) in codes.enumerate() {
            // The first of a code given twice, as a search in order finds.
            ids.entry(code).or_insert(index);
        }
        RuleIds(ids)
    }
}

/// The log around the results: the tool, its rules, and where files are.
fn frame(
    rules: &RuleSet,
    places: &Places,
    configuration: Option<&str>,
    results: Vec<Value>,
) -> Value {
    let mut descriptors: Vec<Value> = Vec::new();
    for info in codes::of_proposals() {
        descriptors.push(json!({
            "id": info.code,
            "name": info.name,
            "shortDescription": {"text": info.summary},
            "fullDescription": {"text": info.summary},
            "help": {"text": info.explanation, "markdown": info.explanation},
            "defaultConfiguration": {"level": level(info.severity)},
        }));
    }
    for rule in &rules.rules {
        let help = rule.help.clone().unwrap_or_else(|| rule.summary.clone());
        descriptors.push(json!({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.source},
            "help": {"text": help},
            "defaultConfiguration": {"level": level(rule.severity)},
            "properties": {"stage": rules.stages[rule.stage].id, "pack": rule.pack},
        }));
    }
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "assure",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": descriptors,
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": match &places.root {
                Some(root) => json!({"SRCROOT": {"uri": format!("{}/", file_uri(root).trim_end_matches('/'))}}),
                None => json!({}),
            },
            // The configuration file the run used (null: none was found).
            "properties": {"configuration": configuration},
            "results": [],
        }],
    });
    // Moved in, where `json!` would serialize a copy.
    log["runs"][0]["results"] = Value::Array(results);
    log
}

/// One finding as a SARIF result.
fn result(
    places: &Places,
    report: &FileReport,
    index: &LineIndex,
    finding: &Finding,
    rule_ids: &RuleIds,
) -> Value {
    let diagnostic = &finding.diagnostic;
    let mut result = json!({
        "ruleId": &*diagnostic.code,
        "level": level(diagnostic.severity),
        "message": {"text": diagnostic.message},
        "locations": [location(places, report, index, diagnostic.span, None)],
        "partialFingerprints": {"assureFinding/v1": finding.fingerprint(&report.text)},
    });
    if let Some(rule_index) = rule_ids.0.get(&*diagnostic.code) {
        result["ruleIndex"] = json!(rule_index);
    }
    if !diagnostic.labels.is_empty() {
        result["relatedLocations"] = diagnostic
            .labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                location(places, report, index, label.span, Some((i, &label.message)))
            })
            .collect();
    }
    // A document's fixes are edits of its text, not of the file.
    if !diagnostic.fixes.is_empty() && report.places.is_none() {
        // Each fix as SARIF's: one artifact change of replacements, each a
        // region deleted and the text inserted.
        result["fixes"] = diagnostic
            .fixes
            .iter()
            .map(|fix| {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|edit| {
                        let at = index.locate(&report.text, edit.span);
                        json!({
                            "deletedRegion": {
                                "startLine": at.start.line,
                                "startColumn": at.start.column,
                                "endLine": at.end.line,
                                "endColumn": at.end.column,
                            },
                            "insertedContent": {"text": edit.replacement},
                        })
                    })
                    .collect();
                json!({
                    "description": {"text": fix.title},
                    "artifactChanges": [{
                        "artifactLocation": places.artifact(&report.path),
                        "replacements": replacements,
                    }],
                    "properties": {"applicability": fix.applicability.as_str()},
                })
            })
            .collect();
    }
    if diagnostic.unlisted > 0 {
        result["properties"] = json!({"unlisted": diagnostic.unlisted});
    }
    if let Some(suppression) = &finding.suppressed {
        let kind = match suppression.origin {
            Origin::Inline { .. } => "inSource",
            Origin::Config { .. } | Origin::Baseline => "external",
        };
        result["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": suppression.reason,
        }]);
    }
    result
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(
    places: &Places,
    report: &FileReport,
    index: &LineIndex,
    span: assure_diagnostic::Span,
    label: Option<(usize, &str)>,
) -> Value {
    // A document converted to text (a Word file): its lines are not the
    // file's, so the place is logical, by its headings and paragraph or
    // cell, and the artifact is the file without a region.
    let mut location = match report.places.as_ref().and_then(|p| p.at(span.start)) {
        // A published notice: the file itself (its line, for JSON Lines),
        // and the notice and the JSON pointer of the value.
        Some(
            place @ assure_diagnostic::place::Place {
                part: assure_diagnostic::place::Part::Json { line, pointer },
                ..
            },
        ) => {
            let mut physical = json!({"artifactLocation": places.artifact(crate::file_of(report))});
            if let Some(line) = line {
                physical["region"] = json!({"startLine": line});
            }
            json!({
                "physicalLocation": physical,
                "logicalLocations": [{
                    "fullyQualifiedName": place.describe(),
                    "name": &**pointer,
                    "kind": "element",
                    "properties": {
                        "ocid": place.headings.first(),
                        "notice": place.headings.get(1).map(|h| h.strip_prefix("notice ").unwrap_or(h)),
                        "pointer": &**pointer,
                    },
                }],
            })
        }
        Some(place) => json!({
            "physicalLocation": {"artifactLocation": places.artifact(&report.path)},
            "logicalLocations": [{
                "fullyQualifiedName": place.describe(),
                "name": place.headings.last().map_or("document", String::as_str),
                "kind": "element",
                "properties": {"paragraph": place.paragraph()},
            }],
        }),
        None => {
            let at = index.locate(&report.text, span);
            json!({
                "physicalLocation": {
                    "artifactLocation": places.artifact(&report.path),
                    "region": {
                        "startLine": at.start.line,
                        "startColumn": at.start.column,
                        "endLine": at.end.line,
                        "endColumn": at.end.column,
                    },
                },
            })
        }
    };
    if let Some((id, message)) = label {
        location["id"] = json!(id);
        location["message"] = json!({"text": message});
    }
    location
}

/// A relative path as a URI reference: `/`-separated, with every byte
/// outside the unreserved set percent-encoded (spaces, non-ASCII names).
pub fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path).replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_check::Checker;

    /// The result-at-a-time writer gives what serde gives for the document.
    fn assert_written_as_document(reports: &[FileReport], places: &Places) {
        let rules = RuleSet::default_set().unwrap();
        let mut written = Vec::new();
        write(reports, &rules, places, &mut written).unwrap();
        let expected =
            serde_json::to_string_pretty(&document(reports, &rules, places)).unwrap() + "\n";
        assert_eq!(String::from_utf8(written).unwrap(), expected);
    }

    #[test]
    fn a_log_written_a_result_at_a_time_is_the_document() {
        let checker = Checker::new(RuleSet::default_set().unwrap());
        // A suppressed finding, one with a labelled place, one with a fix.
        let findings = checker.check(
            "a b/é.proposal",
            concat!(
                "proposal: A\n",
                "<!-- assure-allow: CFC004 the population is in the appendix -->\n",
                "model: mcp\n\n# Organisations\n\n## X\nkind: ccg\n\n## X\nkind: ccg\n",
                "## Z\nkind: gp-company\nowned-by: Xx (40%)\n",
            )
            .as_bytes(),
        );
        let codes: Vec<&str> = findings
            .findings
            .iter()
            .map(|f| &*f.diagnostic.code)
            .collect();
        assert!(
            codes.contains(&"REF001") && codes.contains(&"REF002"),
            "{codes:?}"
        );
        let clean = checker.check("clean.proposal", b"");
        let places = Places {
            root: Some(PathBuf::from("/repo")),
            cwd: PathBuf::from("/repo/sub"),
        };
        assert_written_as_document(&[], &places);
        assert_written_as_document(std::slice::from_ref(&clean), &Places::default());
        assert_written_as_document(&[findings.clone(), clean, findings], &places);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("./fixtures/a b.proposal"), "fixtures/a%20b.proposal");
        assert_eq!(
            uri("propositions/café.proposal"),
            "propositions/caf%C3%A9.proposal"
        );
        assert_eq!(uri("dir\\x.proposal"), "dir/x.proposal");
    }
}
