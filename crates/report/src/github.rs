//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` per active finding, which GitHub shows as an annotation on the
//! line.

use assure_check::FileReport;
use assure_diagnostic::place::Part;
use assure_diagnostic::{Severity, visible_lines};
use std::fmt::Write as _;

/// The workflow commands for a run.
pub fn commands(reports: &[FileReport]) -> String {
    let mut streamed = Streamed::default();
    let mut out = streamed.reports(reports);
    out.push_str(&streamed.end());
    out
}

/// The commands a batch of reports at a time (a year of published
/// notices): each batch's annotations and readiness, then the summary of
/// every batch. One batch is [`commands`].
#[derive(Default)]
pub struct Streamed {
    summary: crate::Summary,
    configuration: Option<String>,
    as_of: Option<String>,
}

impl Streamed {
    /// The commands of the next reports: their annotations, then their
    /// readiness.
    pub fn reports(&mut self, reports: &[FileReport]) -> String {
        let mut out = String::new();
        for report in reports {
            annotations(report, &mut out);
        }
        // The run's result where the log shows it last: each file's
        // readiness, then the summary.
        for report in reports.iter().filter(|r| !r.readiness.is_empty()) {
            let rows: Vec<String> = report
                .readiness
                .iter()
                .map(|row| format!("{}: {}", row.label(), row.describe()))
                .collect();
            let _ = writeln!(
                out,
                "::notice file={},title=assure readiness::{}",
                property(crate::file_of(report)),
                data(&rows.join("\n"))
            );
        }
        self.summary.add(reports);
        if self.configuration.is_none() {
            self.configuration = crate::human::configuration(reports).map(str::to_owned);
        }
        if self.as_of.is_none() {
            self.as_of = reports
                .iter()
                .find_map(|r| r.as_of.as_ref())
                .map(|as_of| format!("Dates judged as of {} ({}).", as_of.date, as_of.source));
        }
        out
    }

    /// The configuration, the date judged by and the summary.
    pub fn end(&self) -> String {
        let mut out = String::new();
        if let Some(configuration) = &self.configuration {
            let _ = writeln!(
                out,
                "::notice title=assure configuration::{}",
                data(&format!("Configured by {configuration}."))
            );
        }
        if let Some(as_of) = &self.as_of {
            let _ = writeln!(out, "::notice title=assure as of::{}", data(as_of));
        }
        let _ = writeln!(
            out,
            "::notice title=assure::{}",
            data(&self.summary.sentence())
        );
        out
    }
}

/// A report's active findings as annotations.
fn annotations(report: &FileReport, out: &mut String) {
    let index = report.line_index();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        let diagnostic = &finding.diagnostic;
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let place = report
            .places
            .as_ref()
            .and_then(|places| places.at(diagnostic.span.start));
        if let Some(place) = place {
            message.push_str(&format!("\nin the {}: ", place.kind_of_document()));
            message.push_str(&place.describe());
        }
        // A notice's finding is on the file's line where JSON Lines give
        // one, else on the file: the converted text's lines are not the
        // file's.
        let at = match place.map(|p| &p.part) {
            Some(Part::Json {
                line: Some(line), ..
            }) => format!(",line={line}"),
            Some(Part::Json { line: None, .. }) => String::new(),
            _ => {
                let at = index.locate(&report.text, diagnostic.span);
                format!(
                    ",line={},col={},endLine={},endColumn={}",
                    at.start.line, at.start.column, at.end.line, at.end.column
                )
            }
        };
        let _ = writeln!(
            out,
            "::{command} file={}{at},title={}::{}",
            property(crate::file_of(report)),
            property(&diagnostic.code),
            data(&message)
        );
    }
}

/// Escapes a command's message (control characters are escaped before:
/// a CI log is a terminal too).
fn data(text: &str) -> String {
    visible_lines(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::{data, property};

    #[test]
    fn escapes() {
        assert_eq!(data("50% of a\nb"), "50%25 of a%0Ab");
        assert_eq!(property("a, b: c"), "a%2C b%3A c");
    }
}
