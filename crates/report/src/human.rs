//! Reports for people: miette's graphical diagnostics, then readiness and
//! a one-line summary.

use crate::Summary;
use assure_check::{FileReport, Finding};
use assure_diagnostic::{LineIndex, Severity, Span, visible, visible_in_place};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

/// Lines longer than this are not shown in snippets: a finding on a 50 MB
/// line prints its location instead of the line.
const MAX_SNIPPET_LINE: usize = 2_000;

/// How to render.
#[derive(Debug, Clone)]
pub struct HumanOptions {
    /// ANSI colours.
    pub color: bool,
    /// Only the findings: no readiness, no summary.
    pub quiet: bool,
    /// Width to wrap messages at.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            quiet: false,
            width: 100,
        }
    }
}

/// Writes every finding of every report, then (unless quiet) each file's
/// readiness and the summary.
pub fn render(
    reports: &[FileReport],
    options: &HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut streamed = Streamed::begin(options, out);
    streamed.reports(reports)?;
    streamed.end()
}

/// The report written a batch of files at a time (a year of published
/// notices): each batch's findings, then its readiness; the legend and the
/// summary, of every batch, at the end. One batch is [`render`].
pub struct Streamed<'o> {
    handler: GraphicalReportHandler,
    options: HumanOptions,
    out: &'o mut dyn Write,
    statuses: Vec<assure_check::Status>,
    configuration: Option<String>,
    as_of: Option<(String, String)>,
    summary: Summary,
}

impl<'o> Streamed<'o> {
    /// A report to `out`.
    pub fn begin(options: &HumanOptions, out: &'o mut dyn Write) -> Self {
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // Lines break between words only: not inside `conflict-plan` at its
        // hyphen, nor inside a long name.
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(options.width)
            .with_links(false)
            .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
            .with_break_words(false);
        Streamed {
            handler,
            options: options.clone(),
            out,
            statuses: Vec::new(),
            configuration: None,
            as_of: None,
            summary: Summary::default(),
        }
    }

    /// Writes the next reports: their findings, then their readiness.
    pub fn reports(&mut self, reports: &[FileReport]) -> io::Result<()> {
        for report in reports {
            write_findings(&self.handler, report, self.out)?;
        }
        self.summary.add(reports);
        for row in reports.iter().flat_map(|r| &r.readiness) {
            if !self.statuses.contains(&row.status) {
                self.statuses.push(row.status);
            }
        }
        if self.configuration.is_none() {
            self.configuration = configuration(reports).map(str::to_owned);
        }
        if self.as_of.is_none() {
            self.as_of = reports
                .iter()
                .find_map(|r| r.as_of.as_ref())
                .map(|a| (a.date.to_string(), a.source.clone()));
        }
        if self.options.quiet {
            return Ok(());
        }
        for report in reports {
            write_readiness(report, self.out)?;
        }
        Ok(())
    }

    /// Ends the report: the legend of the statuses shown, the
    /// configuration, the date judged by, the summary.
    pub fn end(self) -> io::Result<()> {
        if self.options.quiet {
            return Ok(());
        }
        if let Some(legend) = legend(&self.statuses) {
            let options = textwrap::Options::new(self.options.width)
                .word_splitter(textwrap::WordSplitter::NoHyphenation)
                .break_words(false);
            writeln!(self.out, "{}", textwrap::fill(&legend, options))?;
        }
        if let Some(configuration) = &self.configuration {
            writeln!(self.out, "Configured by {}.", visible(configuration))?;
        }
        if let Some((date, source)) = &self.as_of {
            writeln!(self.out, "Dates judged as of {date} ({}).", visible(source))?;
        }
        writeln!(self.out, "{}", self.summary.sentence())
    }
}

/// A report's active findings, each with its place in the document where
/// the text was converted from one.
fn write_findings(
    handler: &GraphicalReportHandler,
    report: &FileReport,
    out: &mut dyn Write,
) -> io::Result<()> {
    let index = report.line_index();
    let shown = Shown::of(report);
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        let mut rendered = render_finding(handler, &shown, &index, finding);
        if let Some(places) = &report.places {
            // Before the blank line that ends the finding: where the
            // finding is in the document, and each label in a document (a
            // register's row) that the primary is not.
            let d = &finding.diagnostic;
            let mut lines = String::new();
            if let Some(place) = places.at(d.span.start) {
                lines.push_str(&format!(
                    "  in the {}: {}\n",
                    place.kind_of_document(),
                    visible(&place.describe())
                ));
            }
            for label in &d.labels {
                if let Some(place) = places.at(label.span.start)
                    && places.at(d.span.start) != Some(place)
                {
                    lines.push_str(&format!(
                        "  {}: {}\n",
                        visible(&label.message),
                        visible(&place.describe())
                    ));
                }
            }
            let end = rendered.len().saturating_sub(1);
            rendered.insert_str(end, &lines);
        }
        out.write_all(rendered.as_bytes())?;
    }
    Ok(())
}

/// A report's readiness, a stage a line.
fn write_readiness(report: &FileReport, out: &mut dyn Write) -> io::Result<()> {
    if report.readiness.is_empty() {
        return Ok(());
    }
    writeln!(out, "{}", visible(&report.path))?;
    let labels: Vec<String> = report
        .readiness
        .iter()
        .map(|r| visible(&r.label()).into_owned())
        .collect();
    let width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(25);
    for (row, label) in report.readiness.iter().zip(&labels) {
        writeln!(out, "  {label:<width$} {}", row.describe())?;
    }
    writeln!(out)
}

/// One line saying what each status shown means, in the order of the
/// statuses: `approved` is the document's record of the gateway's
/// approval, not assure's verdict.
fn legend(statuses: &[assure_check::Status]) -> Option<String> {
    use assure_check::Status;
    let meanings = [
        (
            Status::Approved,
            "approved: the document records the gateway's approval, and assure found no error",
        ),
        (
            Status::Ready,
            "ready: every rule judged the stage and found no error",
        ),
        (
            Status::Partial,
            "partial: no error, but some rules were not run",
        ),
        (
            Status::Incomplete,
            "incomplete: something was not read, or a rule could not judge it (not checked is not passed)",
        ),
        (Status::Blocked, "blocked: an error stands"),
        (
            Status::NotApplicable,
            "not applicable: the regime of the stage's pack does not govern this proposal, so its rules did not run",
        ),
    ];
    let shown: Vec<&str> = meanings
        .iter()
        .filter(|(status, _)| statuses.contains(status))
        .map(|(_, meaning)| *meaning)
        .collect();
    (!shown.is_empty()).then(|| format!("{}.", shown.join("; ")))
}

/// The configuration file the run used, if one was found.
pub(crate) fn configuration(reports: &[FileReport]) -> Option<&str> {
    reports.iter().find_map(|r| r.configuration.as_deref())
}

/// A report's path and text as a terminal may show them: control
/// characters escaped in the path, and replaced, offsets kept, in the text.
pub struct Shown<'r> {
    path: Cow<'r, str>,
    text: Cow<'r, str>,
}

impl<'r> Shown<'r> {
    /// What of `report` is shown.
    pub fn of(report: &'r FileReport) -> Self {
        // A document's snippets are of the text it converts to: the line
        // numbers are that text's (`assure convert`), not the file's.
        let path = match &report.places {
            Some(places) if places.is_whole_document() => {
                Cow::Owned(format!("{} as text", visible(&report.path)))
            }
            _ => visible(&report.path),
        };
        Shown {
            path,
            text: visible_in_place(&report.text),
        }
    }
}

/// The help line with what `assure fix` would do, when the finding has a
/// fix it applies: `write `model:` (assure fix)`.
fn with_fix_note(finding: &Finding) -> Option<Cow<'_, str>> {
    let fix = finding.diagnostic.fixes.first()?;
    let how = match fix.applicability {
        assure_diagnostic::Applicability::Safe => "`assure fix` applies it",
        assure_diagnostic::Applicability::Unsafe => "`assure fix --unsafe` applies it",
        assure_diagnostic::Applicability::Manual => return None,
    };
    let help = finding.diagnostic.help.as_deref().unwrap_or(&fix.title);
    Some(Cow::Owned(format!("{} ({how})", visible(help))))
}

/// One finding as miette renders it.
pub fn render_finding(
    handler: &GraphicalReportHandler,
    report: &Shown<'_>,
    index: &LineIndex,
    finding: &Finding,
) -> String {
    let showable = !report.text.is_empty()
        && spans(finding).all(|span| context_length(&report.text, index, span) <= MAX_SNIPPET_LINE);
    let source = showable.then_some(NamedText {
        name: &report.path,
        text: &report.text,
        index,
    });
    // miette draws a snippet's labels in the order of the text; a label
    // before the primary span is drawn after it, as a related note, so that
    // the first place shown is always the one the finding is about (the one
    // JSON, SARIF and GitHub give).
    let primary_at = finding.diagnostic.span.start;
    let earlier = source.map_or_else(Vec::new, |source| {
        finding
            .diagnostic
            .labels
            .iter()
            .filter(|label| label.span.start < primary_at)
            .map(|label| Related {
                message: visible(&label.message).into_owned(),
                span: label.span,
                source,
            })
            .collect()
    });
    let diagnostic = MietteFinding {
        finding,
        message: visible(&finding.diagnostic.message),
        help: with_fix_note(finding).or_else(|| finding.diagnostic.help.as_deref().map(visible)),
        source,
        earlier,
    };
    let mut rendered = String::new();
    // Rendering into a String cannot fail on I/O; a formatting error would
    // only drop this one report's decoration, never its message.
    if handler.render_report(&mut rendered, &diagnostic).is_err() {
        rendered = format!("{}: {}\n", finding.diagnostic.code, diagnostic.message);
    }
    for related in &diagnostic.earlier {
        let mut note = String::new();
        if handler.render_report(&mut note, related).is_ok() {
            rendered.push_str(&note);
        }
    }
    if !showable {
        let at = index.line_col(&report.text, finding.diagnostic.span.start);
        let why = if report.text.is_empty() {
            ""
        } else {
            " (a line there is too long to show)"
        };
        rendered.push_str(&format!(
            "  at {}:{}:{}{why}\n",
            report.path, at.line, at.column
        ));
    }
    rendered.push('\n');
    rendered
}

fn spans(finding: &Finding) -> impl Iterator<Item = Span> + '_ {
    std::iter::once(finding.diagnostic.span).chain(finding.diagnostic.labels.iter().map(|l| l.span))
}

/// The length of the longest line a snippet of `span` shows: the lines it
/// touches and one of context either side, as miette shows them.
fn context_length(text: &str, index: &LineIndex, span: Span) -> usize {
    let len = text.len() as u32;
    let first = index.line_of(span.start.min(len)).saturating_sub(1).max(1);
    let last = index.line_of(span.end.min(len)) + 1;
    (first..=last)
        .map(|line| {
            let start = index.line_start(line).unwrap_or(len);
            let end = index.line_start(line + 1).unwrap_or(len);
            end.saturating_sub(start) as usize
        })
        .max()
        .unwrap_or(0)
}

/// The file's text, named, with its line index: miette's own `read_span`
/// on a `str` counts lines from the start of the text for every span,
/// which makes rendering N findings in a large file O(N × size).
#[derive(Clone, Copy)]
struct NamedText<'a> {
    name: &'a str,
    text: &'a str,
    index: &'a LineIndex,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let len = self.text.len();
        let start = span.offset();
        let end = start + span.len();
        if start > len || end > len {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = self.index.line_of(start as u32);
        let last_line = self
            .index
            .line_of(end.saturating_sub(usize::from(!span.is_empty())) as u32);
        let window_first = first_line
            .saturating_sub(context_lines_before as u32)
            .max(1);
        let line_count = self.index.line_count() as u32;
        let window_last = (last_line + context_lines_after as u32).min(line_count);
        let window_start = self.index.line_start(window_first).unwrap_or(0) as usize;
        let window_end = match self.index.line_start(window_last + 1) {
            Some(next) => {
                let next = next as usize;
                // Exclude the terminator, as miette's own reader does.
                let bytes = self.text.as_bytes();
                let mut end = next;
                if end > window_start && bytes[end - 1] == b'\n' {
                    end -= 1;
                    if end > window_start && bytes[end - 1] == b'\r' {
                        end -= 1;
                    }
                } else if end > window_start && bytes[end - 1] == b'\r' {
                    end -= 1;
                }
                end
            }
            None => len,
        };
        // Without leading context, miette wants the contents to start at
        // the span itself, with its column: that is how it finds the
        // `file:line:column` of the header.
        let (window_start, column) = if context_lines_before == 0 {
            (start, start - window_start)
        } else {
            (window_start, 0)
        };
        let data = &self.text[window_start..window_end.max(window_start)];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            data.as_bytes(),
            SourceSpan::new(window_start.into(), data.len()),
            window_first as usize - 1,
            column,
            (window_last - window_first + 1) as usize,
        )))
    }
}

struct MietteFinding<'a> {
    finding: &'a Finding,
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
    source: Option<NamedText<'a>>,
    /// Labels before the primary span, drawn after it.
    earlier: Vec<Related<'a>>,
}

/// A secondary place drawn after the finding's own snippet.
struct Related<'a> {
    message: String,
    span: Span,
    source: NamedText<'a>,
}

impl fmt::Debug for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Related").field("span", &self.span).finish()
    }
}

impl fmt::Display for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Related<'_> {}

impl miette::Diagnostic for Related<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, source_span(self.span)),
        )))
    }
}

impl fmt::Debug for MietteFinding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MietteFinding")
            .field("finding", self.finding)
            .finish()
    }
}

impl fmt::Display for MietteFinding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteFinding<'_> {}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len() as usize)
}

impl miette::Diagnostic for MietteFinding<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let diagnostic = &self.finding.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(None, source_span(diagnostic.span));
        let secondary = diagnostic
            .labels
            .iter()
            .filter(|label| label.span.start >= diagnostic.span.start)
            .map(|label| {
                LabeledSpan::new_with_span(
                    Some(visible(&label.message).into_owned()),
                    source_span(label.span),
                )
            });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}
