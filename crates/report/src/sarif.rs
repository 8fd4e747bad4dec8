//! SARIF 2.1.0 for code scanning: one run, every rule (and structural code)
//! in `tool.driver.rules` with its help, and one result per finding with a
//! physical location, a fingerprint that survives unrelated edits, and the
//! justification of any suppression.

use assure_check::FileReport;
use assure_check::suppress::Origin;
use assure_diagnostic::{LineIndex, Severity, codes};
use assure_rules::RuleSet;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";

/// Where the files of a run are: the repository root, if there is one, and
/// the directory paths are relative to. A file under the root gets a URI
/// relative to it, with `uriBaseId` `SRCROOT`, as code scanning wants; one
/// outside it a `file://` URI.
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

/// The SARIF log of a run, its files located by `places`.
pub fn document(reports: &[FileReport], rules: &RuleSet, places: &Places) -> Value {
    let mut descriptors: Vec<Value> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for info in codes::of_proposals() {
        ids.push(info.code.to_owned());
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
        ids.push(rule.code.clone());
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
    let mut results = Vec::new();
    for report in reports {
        let index = report.line_index();
        for finding in &report.findings {
            let diagnostic = &finding.diagnostic;
            let rule_index = ids.iter().position(|id| **id == *diagnostic.code);
            let mut result = json!({
                "ruleId": &*diagnostic.code,
                "level": level(diagnostic.severity),
                "message": {"text": diagnostic.message},
                "locations": [location(places, report, &index, diagnostic.span, None)],
                "partialFingerprints": {"assureFinding/v1": finding.fingerprint(&report.text)},
            });
            if let Some(rule_index) = rule_index {
                result["ruleIndex"] = json!(rule_index);
            }
            if !diagnostic.labels.is_empty() {
                result["relatedLocations"] = diagnostic
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, label)| {
                        location(
                            places,
                            report,
                            &index,
                            label.span,
                            Some((i, &label.message)),
                        )
                    })
                    .collect();
            }
            if !diagnostic.fixes.is_empty() {
                // Each fix as SARIF's: one artifact change of replacements,
                // each a region deleted and the text inserted.
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
            results.push(result);
        }
    }
    json!({
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
            "results": results,
        }],
    })
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
    let at = index.locate(&report.text, span);
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": places.artifact(&report.path),
            "region": {
                "startLine": at.start.line,
                "startColumn": at.start.column,
                "endLine": at.end.line,
                "endColumn": at.end.column,
            },
        },
    });
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
    use super::uri;

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
