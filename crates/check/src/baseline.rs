//! Baselines: today's findings recorded, so that a gate fails only on new
//! ones.
//!
//! An entry is keyed on the file, the code and the finding's fingerprint
//! (its entity, field and the text at its primary span; see
//! [`crate::Finding::fingerprint`]), never on line numbers: a finding that
//! moves stays matched, a new finding of the same code elsewhere does not,
//! and editing another paragraph changes nothing. Entries match as a
//! multiset: two identical findings need two entries.

use crate::FileReport;
use serde_json::{Value, json};

/// The version of the baseline file's shape.
pub const VERSION: u64 = 1;

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file, as given on the command line, without a leading `./`.
    pub file: String,
    /// The code.
    pub code: String,
    /// The entity involved, if any.
    pub entity: Option<String>,
    /// The field involved, if any.
    pub field: Option<String>,
    /// The finding's fingerprint.
    pub fingerprint: String,
    /// The message when recorded, for people reading the file.
    pub message: String,
}

/// A baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// The file key of a report's path.
pub fn file_key(path: &str) -> &str {
    path.strip_prefix("./").unwrap_or(path)
}

impl Baseline {
    /// Today's findings that count or are already in a baseline (those
    /// suppressed by a directive or the configuration need no entry).
    pub fn of(reports: &[FileReport]) -> Baseline {
        let mut entries = Vec::new();
        for report in reports {
            let recorded = report.findings.iter().filter(|f| {
                f.suppressed
                    .as_ref()
                    .is_none_or(crate::suppress::Suppression::is_baseline)
            });
            for finding in recorded {
                entries.push(Entry {
                    file: file_key(&report.path).to_owned(),
                    code: finding.diagnostic.code.to_string(),
                    entity: finding.entity.clone(),
                    field: finding.field.clone(),
                    fingerprint: finding.fingerprint(&report.text),
                    message: finding.diagnostic.message.clone(),
                });
            }
        }
        Baseline { entries }
    }

    /// The file's JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "version": VERSION,
            "entries": self.entries.iter().map(|e| json!({
                "file": e.file,
                "code": e.code,
                "entity": e.entity,
                "field": e.field,
                "fingerprint": e.fingerprint,
                "message": e.message,
            })).collect::<Vec<_>>(),
        })
    }

    /// Reads a baseline file's text.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if value["version"] != json!(VERSION) {
            return Err(format!(
                "not a version {VERSION} assure baseline (its `version` is {})",
                value["version"]
            ));
        }
        let Some(items) = value["entries"].as_array() else {
            return Err("it has no `entries` list".to_owned());
        };
        let mut entries = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let text = |key: &str| item[key].as_str().map(str::to_owned);
            let (Some(file), Some(code), Some(fingerprint)) =
                (text("file"), text("code"), text("fingerprint"))
            else {
                return Err(format!(
                    "entry {} lacks `file`, `code` or `fingerprint`",
                    i + 1
                ));
            };
            entries.push(Entry {
                file,
                code,
                entity: text("entity"),
                field: text("field"),
                fingerprint,
                message: text("message").unwrap_or_default(),
            });
        }
        Ok(Baseline { entries })
    }

    /// Marks the findings of `report` that the baseline records, returning
    /// the indices of the entries used.
    pub fn apply(&self, report: &mut FileReport) -> Vec<usize> {
        let file = file_key(&report.path);
        // Entries of this file by code and fingerprint, consumed in order, so
        // that matching is linear however many findings there are.
        let key = |code: &str, fingerprint: &str| format!("{code}\u{1f}{fingerprint}");
        let mut candidates: std::collections::HashMap<String, std::collections::VecDeque<usize>> =
            std::collections::HashMap::new();
        for (i, entry) in self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.file == file)
        {
            candidates
                .entry(key(&entry.code, &entry.fingerprint))
                .or_default()
                .push_back(i);
        }
        let mut used = Vec::new();
        if candidates.is_empty() {
            return used;
        }
        let text = &report.text;
        for finding in report.findings.iter_mut().filter(|f| f.is_active()) {
            let fingerprint = finding.fingerprint(text);
            let found = candidates
                .get_mut(&key(&finding.diagnostic.code, &fingerprint))
                .and_then(std::collections::VecDeque::pop_front);
            if let Some(index) = found {
                used.push(index);
                finding.suppressed = Some(crate::suppress::Suppression {
                    reason: "recorded in the baseline".to_owned(),
                    origin: crate::suppress::Origin::Baseline,
                });
            }
        }
        used
    }
}
