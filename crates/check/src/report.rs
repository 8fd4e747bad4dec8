//! What a check gives: a [`FileReport`] per file, its [`Finding`]s (each
//! with its stage, suppression, entity and field, and a fingerprint that
//! survives edits elsewhere) and each stage's [`Readiness`].

use assure_diagnostic::{Diagnostic, LineIndex, Severity, Span, codes};
/// One finding in a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What, where, how serious.
    pub diagnostic: Diagnostic,
    /// The gateway stage the finding belongs to; `None` for structural
    /// findings, which block every stage.
    pub stage: Option<String>,
    /// Why the finding does not count, if it does not.
    pub suppressed: Option<crate::suppress::Suppression>,
    /// The entity whose block holds the primary span, if any.
    pub entity: Option<String>,
    /// The field whose line holds the primary span, if any.
    pub field: Option<String>,
}

impl Finding {
    /// A structural finding.
    pub fn structural(diagnostic: Diagnostic) -> Finding {
        Finding {
            diagnostic,
            stage: None,
            suppressed: None,
            entity: None,
            field: None,
        }
    }

    /// Whether the finding counts: it is not suppressed or baselined.
    pub fn is_active(&self) -> bool {
        self.suppressed.is_none()
    }
}

/// Where a proposal stands at one gateway stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The document says the stage is approved, and no error of this stage
    /// or an earlier one stands.
    Approved,
    /// Not approved, and no error of this stage or an earlier one stands.
    Ready,
    /// No error stands, but a rule of this stage or an earlier one could
    /// not judge something it applies to (EVAL001, EVAL002): not checked
    /// is not passed.
    Incomplete,
    /// At least one error of this stage or an earlier one stands.
    Blocked,
    /// No error stands and every rule run judged what it applies to, but
    /// some rules of this stage or an earlier one were not run
    /// (`--select`, `--ignore`, switched off in `assure.toml`): a partial
    /// run says so, and never reads as ready.
    Partial,
    /// The stage's regime does not govern the proposal (its bodies, dates
    /// or processes are not the proposal's), so its rules did not run:
    /// neither ready nor blocked.
    NotApplicable,
}

impl Status {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Ready => "ready",
            Status::Incomplete => "incomplete",
            Status::Blocked => "blocked",
            Status::Partial => "partial",
            Status::NotApplicable => "not-applicable",
        }
    }
}

/// One row of the readiness table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The stage's id, e.g. `case-for-change`.
    pub stage: String,
    /// The pack whose chain the stage is in, when more than one pack
    /// declares stages (each pack's stages are judged on their own).
    pub pack: Option<String>,
    /// Where the proposal stands.
    pub status: Status,
    /// Errors that stand at this stage or an earlier one (structural errors
    /// count at every stage).
    pub errors: usize,
    /// Findings of this stage or an earlier one that say a rule could not
    /// judge something (EVAL001, EVAL002).
    pub not_assessed: usize,
    /// The rules of this stage or an earlier one that this run did not
    /// run, by code.
    pub not_run: Vec<String>,
}

impl Readiness {
    /// The stage as shown: `case-for-change`, or `isap-2017: checkpoint-2`
    /// when more than one pack declares stages.
    pub fn label(&self) -> String {
        match &self.pack {
            Some(pack) => format!("{pack}: {}", self.stage),
            None => self.stage.clone(),
        }
    }

    /// `approved`, `ready`, `incomplete (1 not assessed)` or `blocked (2
    /// errors)`, with what was not assessed after the errors.
    pub fn describe(&self) -> String {
        let errors = match self.errors {
            1 => "1 error".to_owned(),
            n => format!("{n} errors"),
        };
        let not_assessed = format!("{} not assessed", self.not_assessed);
        match self.status {
            Status::Blocked if self.not_assessed > 0 => {
                format!("blocked ({errors}; {not_assessed})")
            }
            Status::Blocked => format!("blocked ({errors})"),
            Status::Incomplete => format!("incomplete ({not_assessed})"),
            Status::Partial => match self.not_run.len() {
                0 => "partial".to_owned(),
                1 => format!("partial (1 rule not run: {})", self.not_run[0]),
                n => format!("partial ({n} rules not run)"),
            },
            Status::NotApplicable => "not applicable".to_owned(),
            status => status.as_str().to_owned(),
        }
    }
}

/// The result of checking one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as given by the caller, for display.
    pub path: String,
    /// The text checked; for a file that is not UTF-8, its lossy decoding,
    /// so that the SYN003 span can still be shown.
    pub text: String,
    /// Every finding, in source order.
    pub findings: Vec<Finding>,
    /// Readiness at each gateway stage the packs define, in order.
    pub readiness: Vec<Readiness>,
    /// The `[[allow]]` entries of the project configuration that matched a
    /// finding in this file, by index.
    pub allows_used: Vec<usize>,
    /// The baseline entries that matched a finding in this file, by index.
    pub baseline_used: Vec<usize>,
    /// The run's date, if a rule read it (`today()`), and where it came
    /// from: output says which date the findings hold for.
    pub as_of: Option<AsOf>,
    /// Whether the document approves each stage, so that readiness can be
    /// judged again when findings are added (corpus rules).
    pub approved: Vec<bool>,
    /// Whether each stage's regime does not govern the proposal (its
    /// `applies` is false), so that its rules did not run; empty when
    /// every stage applies.
    pub not_applicable: Vec<bool>,
    /// The configuration file the run used, as shown (`assure.toml`,
    /// `../assure.toml`), if one was found: output names it, so that one
    /// in a folder above never applies unseen.
    pub configuration: Option<String>,
    /// For a document converted to text (a Word file), each line's place
    /// in it: outputs show a finding's place beside its line.
    pub places: Option<std::sync::Arc<assure_diagnostic::place::Places>>,
}

/// The date a run judged "today" by, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsOf {
    /// The date.
    pub date: assure_model::Date,
    /// Where it came from: `--as-of`, `assure.toml`, `the clock`.
    pub source: String,
}

impl FileReport {
    /// The report of diagnostics into a file that is not a proposal (a
    /// pack, a configuration), shown as findings are.
    pub fn of_diagnostics(path: String, text: String, diagnostics: Vec<Diagnostic>) -> FileReport {
        FileReport {
            path,
            text,
            findings: diagnostics.into_iter().map(Finding::structural).collect(),
            readiness: Vec::new(),
            allows_used: Vec::new(),
            baseline_used: Vec::new(),
            as_of: None,
            approved: Vec::new(),
            not_applicable: Vec::new(),
            configuration: None,
            places: None,
        }
    }

    /// The report of a file that could not be read at all.
    pub fn unreadable(path: &str, reason: &str) -> FileReport {
        let cannot = Diagnostic::of(
            codes::SYN003,
            Span::empty(0),
            format!("cannot read the file: {reason}"),
        )
        .with_help("check that the path exists and that you may read it");
        FileReport::of_diagnostics(path.to_owned(), String::new(), vec![cannot])
    }

    /// A line index of the text, for turning spans into lines and columns.
    pub fn line_index(&self) -> LineIndex {
        LineIndex::new(&self.text)
    }

    /// How many active findings of `severity` there are.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is_active() && f.diagnostic.severity == severity)
            .map(|f| f.diagnostic.weight())
            .sum()
    }

    /// How many findings are suppressed (`baselined` false) or baselined
    /// (`baselined` true).
    pub fn count_suppressed(&self, baselined: bool) -> usize {
        self.findings
            .iter()
            .filter(|f| {
                f.suppressed
                    .as_ref()
                    .is_some_and(|s| s.is_baseline() == baselined)
            })
            .map(|f| f.diagnostic.weight())
            .sum()
    }
}

impl Finding {
    /// A fingerprint that survives edits elsewhere in the file and to the
    /// value at fault: the code and the entity and field involved (the text
    /// at the primary span, white space folded, only for a finding about
    /// neither), never the line number. Stable across versions
    /// of assure and of Rust (FNV-1a, 64 bits, in hex).
    pub fn fingerprint(&self, text: &str) -> String {
        // Where the finding is about an entity or a field, that is its
        // identity: the value at fault is not, so that correcting
        // `quorum: 5` to a `quorum: 4` that is still short is the same
        // finding. Only a finding about neither is known by its text.
        let folded = if self.entity.is_some() || self.field.is_some() {
            String::new()
        } else {
            let at = self.diagnostic.span;
            let content = text.get(at.start as usize..at.end as usize).unwrap_or("");
            content.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let mut key = [
            &*self.diagnostic.code,
            self.entity.as_deref().unwrap_or(""),
            self.field.as_deref().unwrap_or(""),
            &folded,
        ]
        .join("\u{1f}");
        if self.diagnostic.unlisted > 0 {
            // One that stands for findings not listed is known by how many:
            // a baseline of it does not hide more of them.
            key.push_str(&format!("\u{1f}{}", self.diagnostic.unlisted));
        }
        fnv1a64(key.as_bytes())
    }
}

/// FNV-1a, 64 bits, in hex: a hash that never changes with the version of
/// Rust or of a dependency, for fingerprints and content hashes.
pub fn fnv1a64(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
