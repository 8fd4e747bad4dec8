//! A proposal's page: its readiness, its findings by stage with their
//! source snippets and help, what was not assessed, its changes since the
//! previous run, and its graph as a picture.

use super::*;

/// The lines around a finding, from the file's line index: splitting the
/// text into lines for each finding made a page quadratic in its file.
pub(crate) fn snippet(text: &str, index: &LineIndex, line: i64, around: usize) -> String {
    let line = line.max(1) as usize;
    let first = line.saturating_sub(around).max(1);
    let last = (line + around.min(1)).min(index.line_count());
    let line_text = |number: usize| -> &str {
        let Some(start) = index.line_start(number as u32) else {
            return "";
        };
        let end = index
            .line_start(number as u32 + 1)
            .map_or(text.len(), |e| e as usize);
        text.get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    };
    let mut out = String::from("<pre>");
    for number in first..=last {
        let content = line_text(number);
        let shown: String = content.chars().take(200).collect();
        // A highlighted line is a block, which ends the line itself.
        let (class, end) = if number == line {
            (" class=\"hit\"", "")
        } else {
            ("", "\n")
        };
        let _ = write!(
            out,
            "<span{class}>{number:>4} │ {}</span>{end}",
            escape(&shown)
        );
    }
    out.push_str("</pre>");
    out
}

pub(crate) fn page(
    run: &RunSummary,
    file: &FileRecord,
    before: Option<&FileRecord>,
    has_previous: bool,
    checker: &Checker,
    modelled: &Modelled,
) -> String {
    let mut out = head(&format!("assure: {}", file.path), "../style.css");
    let _ = write!(
        out,
        "<p><a href=\"../index.html\">All proposals</a></p>\n<h1>{}</h1>\n<p class=\"muted\">{} · run {} at {}</p>\n",
        escape(&modelled.title),
        escape(&file.path),
        run.id,
        escape(&run.started_at)
    );
    out.push_str("<table id=\"readiness\"><tbody>");
    for (stage, status, errors) in &file.readiness {
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"{status}\">{}</td></tr>",
            escape(stage),
            escape(&readiness_text(file, stage, status, *errors))
        );
    }
    out.push_str("</tbody></table>\n<h2>Since the previous run</h2>\n<div id=\"changes\">");
    match (has_previous, before) {
        (false, _) => out.push_str("<p>This is the first run.</p>"),
        (true, None) => out.push_str("<p>This proposal is new in this run.</p>"),
        (true, Some(before)) => {
            let c = changes(before, file);
            if c.is_empty() {
                out.push_str("<p>No finding changed.</p>");
            }
            out.push_str("<ul>");
            for f in &c.new {
                let _ = write!(
                    out,
                    "<li class=\"new\">new: {} at line {}: {}</li>",
                    escape(&f.code),
                    f.line,
                    escape(&f.message)
                );
            }
            for f in &c.resolved {
                let _ = write!(
                    out,
                    "<li class=\"resolved\">resolved: {} (was at line {}): {}</li>",
                    escape(&f.code),
                    f.line,
                    escape(&f.message)
                );
            }
            for (old, new) in &c.moved {
                let _ = write!(
                    out,
                    "<li class=\"moved\">moved: {}{} from line {} to line {}</li>",
                    escape(&new.code),
                    new.entity
                        .as_deref()
                        .map_or(String::new(), |e| format!(" ({})", escape(e))),
                    old.line,
                    new.line
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</div>\n");
    out.push_str(&not_assessed_section(file));
    out.push_str(&findings_section(file, checker));
    out.push_str("<h2>Graph</h2>\n");
    out.push_str(&modelled.graph);
    out.push_str("\n</body></html>\n");
    out
}

/// What could not be assessed: each active finding that says a rule could
/// not judge something, or "everything was assessed".
pub(crate) fn not_assessed_section(file: &FileRecord) -> String {
    let mut out = String::from("<h2>Not assessed</h2>\n<div id=\"not-assessed\">");
    let unjudged: Vec<&FindingRecord> = active(file)
        .filter(|f| assure_diagnostic::codes::is_not_assessed(&f.code))
        .collect();
    if unjudged.is_empty() {
        out.push_str("<p>Every rule judged everything it looks at.</p>");
    } else {
        out.push_str("<ul>");
        for f in unjudged {
            let _ = write!(
                out,
                "<li><a href=\"../codes/{}.html\">{}</a> at line {}{}: {}</li>",
                code_file(&f.code),
                escape(&f.code),
                f.line,
                f.stage
                    .as_deref()
                    .map_or(String::new(), |s| format!(" ({})", escape(s))),
                escape(&f.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
    out
}

/// The findings, grouped by stage in the order the stages come (the
/// structural ones first): each with its code and rule name, message,
/// snippet, every labelled place and its help.
pub(crate) fn findings_section(file: &FileRecord, checker: &Checker) -> String {
    let mut out = String::from("<h2>Findings</h2>\n<div id=\"findings\">");
    if file.findings.is_empty() {
        out.push_str("<p>No findings.</p></div>\n");
        return out;
    }
    // A stage's place: its readiness row (shown `pack: stage` when packs
    // have their own), structural findings first, a stage without a row
    // last.
    let place = |stage: Option<&str>| match stage {
        None => 0,
        Some(stage) => file
            .readiness
            .iter()
            .position(|(label, _, _)| label == stage || label.ends_with(&format!(": {stage}")))
            .map_or(usize::MAX, |at| at + 1),
    };
    let mut order: Vec<&FindingRecord> = file.findings.iter().collect();
    order.sort_by_key(|f| (place(f.stage.as_deref()), f.stage.clone()));
    let index = LineIndex::new(&file.text);
    let mut group: Option<Option<&str>> = None;
    for finding in order {
        let stage = finding.stage.as_deref();
        if group != Some(stage) {
            let _ = writeln!(
                out,
                "<h3 class=\"stage\">{}</h3>",
                stage.map_or("Structure".to_owned(), |s| format!("Stage {}", escape(s)))
            );
            group = Some(stage);
        }
        let name = checker
            .rules()
            .rule(&finding.code)
            .map(|rule| rule.name.as_str())
            .or_else(|| assure_diagnostic::codes::lookup(&finding.code).map(|c| c.name))
            .map_or(String::new(), |n| format!(" {}", escape(n)));
        let suppressed = finding.suppressed.as_ref().map_or(String::new(), |r| {
            format!(" <span class=\"muted\">(suppressed: {})</span>", escape(r))
        });
        let _ = write!(
            out,
            "<div class=\"finding\"><h4 class=\"{}\"><a href=\"../codes/{}.html\">{}</a>{name} · {} at line {}{suppressed}</h4><p>{}</p>{}",
            escape(&finding.severity),
            code_file(&finding.code),
            escape(&finding.code),
            escape(&finding.severity),
            finding.line,
            escape(&finding.message),
            snippet(&file.text, &index, finding.line, 2)
        );
        for label in &finding.labels {
            let _ = write!(
                out,
                "<p class=\"label\">line {}: {}</p>{}",
                label.line,
                escape(&label.message),
                snippet(&file.text, &index, label.line, 0)
            );
        }
        if let Some(help) = &finding.help {
            let _ = write!(out, "<p class=\"help\">What to do: {}</p>", escape(help));
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    out
}

/// The proposal's graph as an SVG picture (`assure_report::graph::svg`),
/// the entities its active findings point at outlined, in a frame that
/// scrolls on a narrow screen.
pub(crate) fn picture(
    file: &FileRecord,
    model: &assure_model::Model<'_>,
    checker: &Checker,
) -> String {
    const MAX_NODES: usize = 300;
    let entities = model.entities().len();
    if entities == 0 {
        return "<p>No entities.</p>".to_owned();
    }
    if entities > MAX_NODES {
        return format!(
            "<p>{entities} entities: too many to draw; use <code>assure graph --format dot</code>.</p>"
        );
    }
    let involved: std::collections::HashSet<&str> =
        active(file).filter_map(|f| f.entity.as_deref()).collect();
    format!(
        "<div class=\"graph\">{}</div>",
        assure_report::graph::svg(model, checker.vocabulary(), &|name| involved.contains(name))
    )
}
