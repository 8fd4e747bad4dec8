//! Every output of assure, from [`FileReport`]s and models to text.
//!
//! - [`human`]: miette reports (code, message, labelled snippet, help), then
//!   readiness and a summary;
//! - [`json`]: the machine-readable document of `cli.md`;
//! - [`graph`] and [`export`]: the model as Graphviz dot or JSON.
//!
//! Renderers write to any `io::Write` or return values; choosing where the
//! output goes (stdout, a file) is the caller's job.

pub mod diff;
pub mod export;
pub mod github;
pub mod graph;
pub mod human;
pub mod json;
pub mod sarif;

use assure_check::FileReport;
use assure_diagnostic::Severity;

/// The file a report is of, as the repository has it: a procurement of a
/// file of notices (`notices.jsonl#ocds-…`) is in the file.
pub(crate) fn file_of(report: &FileReport) -> &str {
    let path = report.path.strip_prefix("./").unwrap_or(&report.path);
    let is_notice = report.places.as_ref().is_some_and(|places| {
        places.lines().next().is_some_and(|(_, place)| {
            matches!(place.part, assure_diagnostic::place::Part::Json { .. })
        })
    });
    match path.rsplit_once('#') {
        Some((file, _)) if is_notice => file,
        _ => path,
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Findings at info level.
    pub infos: usize,
    /// Findings suppressed by a directive or the configuration.
    pub suppressed: usize,
    /// Findings in the baseline.
    pub baselined: usize,
}

impl Summary {
    /// Totals of `reports`.
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut summary = Summary::default();
        summary.add(reports);
        summary
    }

    /// Adds the totals of `reports` (a run's next batch).
    pub fn add(&mut self, reports: &[FileReport]) {
        self.files += reports.len();
        for report in reports {
            self.errors += report.count(Severity::Error);
            self.warnings += report.count(Severity::Warning);
            self.infos += report.count(Severity::Info);
            self.suppressed += report.count_suppressed(false);
            self.baselined += report.count_suppressed(true);
        }
    }

    /// `2 errors, 1 warning in 3 files`.
    pub fn sentence(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        // As cli.md writes it: `2 errors, 1 warning in 3 files`; infos are
        // mentioned only when there are some.
        let mut counts = vec![
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
        ];
        if self.infos > 0 {
            counts.push(plural(self.infos, "info"));
        }
        let mut sentence = format!("{} in {}", counts.join(", "), plural(self.files, "file"));
        if self.suppressed > 0 {
            sentence.push_str(&format!("; {} suppressed", self.suppressed));
        }
        if self.baselined > 0 {
            sentence.push_str(&format!("; {} in the baseline", self.baselined));
        }
        sentence
    }
}

/// `text` with the five characters HTML and XML give meaning to (`&`, `<`,
/// `>`, `"`, `'`) written as entities: safe in element text and in quoted
/// attribute values alike. Every other character is kept, line breaks
/// included (a report's `<pre>` blocks keep theirs).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
