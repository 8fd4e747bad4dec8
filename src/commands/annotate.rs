//! `assure lint --annotate OUT.docx FILE.docx`: a copy of a Word document
//! with each finding as a comment on the paragraph at fault, and on the
//! first a summary of each stage's readiness. The document given is only
//! read; the copy is a new file, never written over another.

use crate::Failure;
use assure_check::FileReport;
use assure_documents::Note;
use assure_workspace::write;
use std::path::Path;

/// Writes the annotated copy of `source` (whose report is `report`) to
/// `out`; says what it wrote in the returned line.
pub fn write_annotated(
    source: &Path,
    report: &FileReport,
    out: &Path,
    limit: u64,
) -> Result<String, Failure> {
    let shown = source.display().to_string();
    let (Some(places), Some(_)) = (&report.places, assure_documents::Kind::of(&shown)) else {
        return Err(Failure::new(format!(
            "--annotate writes a copy of a Word document with its findings as comments: {} is not one (.docx)",
            assure_diagnostic::visible(&shown)
        )));
    };
    if same_file(source, out) {
        return Err(Failure::new(
            "--annotate writes a copy: give it a name other than the document's, which is never written",
        ));
    }
    let mut notes = vec![Note {
        paragraph: 1,
        lines: summary(report),
    }];
    let active: Vec<_> = report.findings.iter().filter(|f| f.is_active()).collect();
    for finding in &active {
        let d = &finding.diagnostic;
        let mut lines = vec![format!(
            "{} ({}): {}",
            d.code,
            d.severity.as_str(),
            d.message
        )];
        if let Some(help) = &d.help {
            lines.push(format!("help: {help}"));
        }
        lines.push(format!("assure explain {} says more.", d.code));
        notes.push(Note {
            paragraph: places
                .at(d.span.start)
                .and_then(|place| place.paragraph())
                .unwrap_or(1),
            lines,
        });
    }
    let bytes = assure_workspace::files::read_proposal(source, limit)
        .map_err(|e| Failure::new(format!("cannot read {shown}: {e}")))?;
    let annotated = assure_documents::annotate(&bytes, &notes)
        .map_err(|why| Failure::new(format!("cannot annotate {shown}: {why}")))?;
    write::create_new(out, &annotated).map_err(|why| {
        Failure::new(format!(
            "cannot write {}: {why}",
            assure_diagnostic::visible(&out.display().to_string())
        ))
    })?;
    Ok(format!(
        "wrote {} with {} comments ({} findings and the readiness)",
        out.display(),
        notes.len(),
        active.len()
    ))
}

/// The first comment: each stage's readiness, as the human output gives it.
fn summary(report: &FileReport) -> Vec<String> {
    let mut lines = vec!["assure: the readiness of each gateway stage".to_owned()];
    lines.extend(
        report
            .readiness
            .iter()
            .map(|r| format!("{}: {}", r.label(), r.describe())),
    );
    lines
}

/// Whether `a` and `b` name one file (the second may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
