//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` per active finding, which GitHub shows as an annotation on the
//! line.

use assure_check::FileReport;
use assure_diagnostic::{Severity, visible_lines};
use std::fmt::Write as _;

/// The workflow commands for a run.
pub fn commands(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for report in reports {
        let index = report.line_index();
        for finding in report.findings.iter().filter(|f| f.is_active()) {
            let diagnostic = &finding.diagnostic;
            let at = index.locate(&report.text, diagnostic.span);
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
            if let Some(place) = report
                .places
                .as_ref()
                .and_then(|places| places.at(diagnostic.span.start))
            {
                message.push_str("\nin the document: ");
                message.push_str(&place.describe());
            }
            let _ = writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                property(report.path.strip_prefix("./").unwrap_or(&report.path)),
                at.start.line,
                at.start.column,
                at.end.line,
                at.end.column,
                property(&diagnostic.code),
                data(&message)
            );
        }
    }
    // The run's result where the log shows it last: each file's readiness,
    // then the summary.
    for report in reports.iter().filter(|r| !r.readiness.is_empty()) {
        let rows: Vec<String> = report
            .readiness
            .iter()
            .map(|row| format!("{}: {}", row.label(), row.describe()))
            .collect();
        let _ = writeln!(
            out,
            "::notice file={},title=assure readiness::{}",
            property(report.path.strip_prefix("./").unwrap_or(&report.path)),
            data(&rows.join("\n"))
        );
    }
    if let Some(configuration) = crate::human::configuration(reports) {
        let _ = writeln!(
            out,
            "::notice title=assure configuration::{}",
            data(&format!("Configured by {configuration}."))
        );
    }
    if let Some(as_of) = reports.iter().find_map(|r| r.as_of.as_ref()) {
        let _ = writeln!(
            out,
            "::notice title=assure as of::{}",
            data(&format!(
                "Dates judged as of {} ({}).",
                as_of.date, as_of.source
            ))
        );
    }
    let _ = writeln!(
        out,
        "::notice title=assure::{}",
        data(&crate::Summary::of(reports).sentence())
    );
    out
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
