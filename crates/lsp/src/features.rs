//! What the server answers, apart from the protocol's loop: positions in
//! UTF-16 as the protocol counts them, edits applied, diagnostics, code
//! actions, hover, references, rename, symbols, folding, the readiness
//! lens and completion, each a function of the checker and a document's
//! text (or its published report) returning `lsp-types` values.

use crate::lsp;
use assure_check::{Checker, FileReport};
use assure_diagnostic::{Applicability, LineIndex, Span};
use assure_model::{EntityId, Model, Value};
use assure_syntax::LineKind;
use assure_vocab::{HEADER, Owner, SectionId, ValueType, Vocabulary};
use std::collections::HashMap;
use std::path::Path;

/// The entities and references of one version of a document.
pub(crate) struct Index {
    /// Each entity's name in its heading.
    pub(crate) names: Vec<Span>,
    /// Every reference's name, the entity it names, and the entity it is
    /// written under, in source order.
    pub(crate) references: Vec<(Span, Option<usize>, Option<usize>)>,
    /// Each entity's hover text.
    pub(crate) hovers: Vec<String>,
}

impl Index {
    pub(crate) fn build(checker: &Checker, text: &str) -> Index {
        let modelled = checker.model(text);
        let model = &modelled.model;
        let vocabulary = checker.vocabulary();
        let names: Vec<Span> = model
            .entity_ids()
            .map(|id| model.entity(id).name_span)
            .collect();
        let mut references = all_references(model, vocabulary);
        references.sort_by_key(|(span, _, _)| span.start);
        let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (_, target, owner) in &references {
            if let (Some(target), Some(owner)) = (target, owner)
                && !referrers[*target].contains(owner)
            {
                referrers[*target].push(*owner);
            }
        }
        let hovers = model
            .entity_ids()
            .map(|id| {
                let entity = model.entity(id);
                let ty = vocabulary.entity_type(entity.ty);
                let mut out = format!("**{}**: {}", entity.name, ty.id);
                if let Some(kind) = entity.kind {
                    out.push_str(&format!(" ({kind})"));
                }
                out.push_str("\n\n");
                for field in model.fields(id).iter().take(12) {
                    let def = vocabulary.field(field.field);
                    if def.name == "kind" {
                        continue;
                    }
                    out.push_str(&format!(
                        "- `{}`: {}\n",
                        def.name,
                        assure_report::export::value_text(model, &field.value)
                    ));
                }
                let by = &referrers[id.0 as usize];
                if !by.is_empty() {
                    let shown: Vec<&str> = by
                        .iter()
                        .take(10)
                        .map(|&e| model.entity(EntityId(e as u32)).name)
                        .collect();
                    let more = by.len().saturating_sub(10);
                    out.push_str(&format!("\nreferred to by: {}", shown.join(", ")));
                    if more > 0 {
                        out.push_str(&format!(" and {more} more"));
                    }
                    out.push('\n');
                }
                out
            })
            .collect();
        Index {
            names,
            references,
            hovers,
        }
    }

    /// The entity whose name, in its heading or a reference, is at `offset`.
    pub(crate) fn entity_at(&self, offset: u32) -> Option<usize> {
        let inside = |s: &Span| s.start <= offset && offset <= s.end;
        if let Some(i) = self.names.iter().position(inside) {
            return Some(i);
        }
        let after = self.references.partition_point(|(s, _, _)| s.end < offset);
        self.references[after..]
            .iter()
            .take_while(|(s, _, _)| s.start <= offset)
            .find(|(s, _, _)| inside(s))
            .and_then(|(_, target, _)| *target)
    }

    /// The name of the entity at `offset` in its heading and every
    /// reference to it, in source order; none if no entity's name is there.
    pub(crate) fn name_and_references(&self, offset: u32) -> Vec<Span> {
        match self.entity_at(offset) {
            Some(i) => std::iter::once(self.names[i])
                .chain(self.references_to(i))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The references to entity `i`, in source order.
    pub(crate) fn references_to(&self, i: usize) -> impl Iterator<Item = Span> + '_ {
        self.references
            .iter()
            .filter(move |(_, target, _)| *target == Some(i))
            .map(|(span, _, _)| *span)
    }
}

/// A path to show for a document: its file path, or the URI.
pub(crate) fn display_path(uri: &str) -> String {
    uri.parse::<lsp::Uri>()
        .ok()
        .filter(|u| u.scheme().is_some_and(|s| s.as_str() == "file"))
        .map_or_else(|| uri.to_owned(), |u| percent_decoded(u.path().as_str()))
}

/// A `file:` URI for `path`, every byte but letters, digits and `-._~/`
/// percent-encoded.
pub(crate) fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.display().to_string().bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub(crate) fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = path.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Converts between byte offsets and LSP positions (lines, UTF-16 units),
/// on the line index every output uses (a lone CR ends a line there too).
pub(crate) struct Positions<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl<'t> Positions<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Positions {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The byte offset where 0-based `line` starts.
    pub(crate) fn start(&self, line: usize) -> Option<usize> {
        let line = u32::try_from(line).ok()?.checked_add(1)?;
        self.lines.line_start(line).map(|s| s as usize)
    }

    pub(crate) fn position(&self, offset: u32) -> lsp::Position {
        let offset = (offset as usize).min(self.text.len());
        let line = self.lines.line_of(offset as u32) as usize - 1;
        let start = self.start(line).unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        lsp::Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn range(&self, span: Span) -> lsp::Range {
        lsp::Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// The byte offset of an LSP position, clamped to the text; a
    /// character past its line's end is the end of the line, before its
    /// line break, as the protocol says.
    pub(crate) fn offset(&self, position: lsp::Position) -> u32 {
        let line = position.line as usize;
        let character = position.character as usize;
        let Some(start) = self.start(line) else {
            return self.text.len() as u32;
        };
        let next = self.start(line + 1).unwrap_or(self.text.len());
        let content = self.text[start..next].trim_end_matches(['\n', '\r']);
        let end = start + content.len();
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= character {
                return (start + i) as u32;
            }
            units += c.len_utf16();
        }
        end as u32
    }
}

/// `text` with each of a `didChange`'s changes applied in turn: a change
/// with a range replaces that range (positions in UTF-16 units, clamped to
/// the text), one without replaces the whole text.
pub(crate) fn apply_changes(
    mut text: String,
    changes: &[lsp::TextDocumentContentChangeEvent],
) -> String {
    for change in changes {
        match change.range {
            Some(range) => {
                let positions = Positions::new(&text);
                let start = positions.offset(range.start) as usize;
                let end = positions.offset(range.end) as usize;
                let (start, end) = (start.min(end), start.max(end));
                text.replace_range(start..end, &change.text);
            }
            None => change.text.clone_into(&mut text),
        }
    }
    text
}

pub(crate) fn severity(severity: assure_diagnostic::Severity) -> lsp::DiagnosticSeverity {
    match severity {
        assure_diagnostic::Severity::Error => lsp::DiagnosticSeverity::ERROR,
        assure_diagnostic::Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        assure_diagnostic::Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// A finding as the protocol's diagnostic: its help after its message, its
/// labels as related information, and `href` (its explanation) as the
/// code's description.
pub(crate) fn diagnostic(
    uri: &lsp::Uri,
    positions: &Positions<'_>,
    finding: &assure_check::Finding,
    href: Option<lsp::Uri>,
) -> lsp::Diagnostic {
    let d = &finding.diagnostic;
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: positions.range(l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    // An allowance that suppresses nothing is unnecessary text.
    let unnecessary =
        *d.code == *assure_diagnostic::codes::DIR001 && d.message.contains("suppresses nothing");
    lsp::Diagnostic {
        range: positions.range(d.span),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: href.map(|href| lsp::CodeDescription { href }),
        source: Some("assure".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: unnecessary.then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// A workspace edit of one document.
fn edit_of(uri: &lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

/// The code actions for the findings in `range`: each fix, "allow CODE
/// here", "explain CODE", and for the whole file "apply every safe fix".
pub(crate) fn code_actions(
    checker: &Checker,
    report: &FileReport,
    uri: &lsp::Uri,
    text: &str,
    positions: &Positions<'_>,
    range: lsp::Range,
) -> Vec<lsp::CodeActionOrCommand> {
    // Findings on the lines of the range: a cursor anywhere on a line asks
    // for what is wrong on it.
    let (first, last) = (range.start.line, range.end.line);
    let mut actions = Vec::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        let span = finding.diagnostic.span;
        let (from, to) = (
            positions.position(span.start).line,
            positions.position(span.end).line,
        );
        if to < first || from > last {
            continue;
        }
        let diagnostic = diagnostic(uri, positions, finding, None);
        for fix in &finding.diagnostic.fixes {
            let edits = fix
                .edits
                .iter()
                .map(|e| lsp::TextEdit {
                    range: positions.range(e.span),
                    new_text: e.replacement.clone(),
                })
                .collect();
            actions.push(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                is_preferred: Some(fix.applicability == Applicability::Safe),
                edit: Some(edit_of(uri, edits)),
                ..Default::default()
            });
        }
        if let Some(action) = allow_here(uri, text, positions, finding, &diagnostic) {
            actions.push(action);
        }
        let code = &*finding.diagnostic.code;
        actions.push(lsp::CodeAction {
            title: format!("explain {code}"),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            command: Some(lsp::Command {
                title: format!("explain {code}"),
                command: crate::server::EXPLAIN.to_owned(),
                arguments: Some(vec![serde_json::Value::String(code.to_owned())]),
            }),
            ..Default::default()
        });
    }
    let fixed =
        assure_check::fix::fix_text(checker, &display_path(uri.as_str()), text, |_, fix| {
            fix.applicability == Applicability::Safe
        });
    if fixed.text != text {
        let whole = lsp::TextEdit {
            range: positions.range(Span::new(0, text.len() as u32)),
            new_text: fixed.text,
        };
        actions.push(lsp::CodeAction {
            title: "assure: apply every safe fix".to_owned(),
            kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
            edit: Some(edit_of(uri, vec![whole])),
            ..Default::default()
        });
    }
    actions
        .into_iter()
        .map(lsp::CodeActionOrCommand::CodeAction)
        .collect()
}

/// "Allow CODE here": an `assure-allow` line above the finding's line,
/// for the findings of rules (assure's own cannot be allowed).
pub(crate) fn allow_here(
    uri: &lsp::Uri,
    text: &str,
    positions: &Positions<'_>,
    finding: &assure_check::Finding,
    diagnostic: &lsp::Diagnostic,
) -> Option<lsp::CodeAction> {
    let code = &*finding.diagnostic.code;
    if assure_diagnostic::codes::lookup(code).is_some() {
        return None;
    }
    let offset = finding.diagnostic.span.start as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let line = lsp::TextEdit {
        range: positions.range(Span::empty(line_start as u32)),
        new_text: format!("<!-- assure-allow: {code} <<WHY IT IS ACCEPTABLE>> -->{newline}"),
    };
    Some(lsp::CodeAction {
        title: format!("allow {code} here (say why)"),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(edit_of(uri, vec![line])),
        ..Default::default()
    })
}

/// The hover at `offset`: an entity's (its name in its heading or a
/// reference), else a field key's or a directive's code's.
pub(crate) fn hover(
    checker: &Checker,
    index: &Index,
    text: &str,
    offset: u32,
) -> Option<lsp::Hover> {
    let markdown = match index.entity_at(offset) {
        Some(i) => index.hovers[i].clone(),
        None => field_hover(checker, text, offset)?,
    };
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: None,
    })
}

/// The entity at `position` renamed to `new_name`, in its heading and
/// every reference; none if no entity's name is there.
pub(crate) fn rename(
    index: &Index,
    uri: &lsp::Uri,
    positions: &Positions<'_>,
    position: lsp::Position,
    new_name: &str,
) -> Result<Option<lsp::WorkspaceEdit>, String> {
    let new_name = new_name.trim();
    if new_name.is_empty() || new_name.contains(['\n', '\r', ',', '(', ')']) {
        return Err("a name is one line, without `,` or brackets".to_owned());
    }
    let spans = index.name_and_references(positions.offset(position));
    if spans.is_empty() {
        return Ok(None);
    }
    let edits = spans
        .into_iter()
        .map(|span| lsp::TextEdit {
            range: positions.range(span),
            new_text: new_name.to_owned(),
        })
        .collect();
    Ok(Some(edit_of(uri, edits)))
}

/// The lens on the first line: each stage's readiness as the published
/// report has it.
pub(crate) fn readiness_lens(report: &FileReport, positions: &Positions<'_>) -> Vec<lsp::CodeLens> {
    let summary: Vec<String> = report
        .readiness
        .iter()
        .map(|r| format!("{} {}", r.label(), r.describe()))
        .collect();
    vec![lsp::CodeLens {
        range: positions.range(Span::empty(0)),
        command: Some(lsp::Command {
            title: summary.join(" · "),
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }]
}

/// Every reference of the model: its name's span, the entity it names, and
/// the entity it is written under (by index).
pub(crate) fn all_references(
    model: &Model<'_>,
    vocabulary: &Vocabulary,
) -> Vec<(Span, Option<usize>, Option<usize>)> {
    let mut out = Vec::new();
    let mut add = |value: &Value<'_>, owner: Option<usize>| {
        if let Value::Refs(refs) = value {
            out.extend(
                model
                    .references(refs)
                    .iter()
                    .map(|r| (r.name_span(), r.target().map(|t| t.0 as usize), owner)),
            );
        }
    };
    for id in model.entity_ids() {
        for field in model.fields(id).iter() {
            add(&field.value, Some(id.0 as usize));
        }
    }
    for index in 0..vocabulary.sections().len() {
        for field in model.section_fields(SectionId(index as u32)).iter() {
            add(&field.value, None);
        }
    }
    out
}

/// Markdown for a field's key at `offset` (its type and meaning), or for a
/// code in a directive (what the rule or check is).
pub(crate) fn field_hover(checker: &Checker, text: &str, offset: u32) -> Option<String> {
    let vocabulary = checker.vocabulary();
    let parse = assure_syntax::parse(text);
    let code = parse
        .file
        .comments
        .iter()
        .filter_map(|c| c.directive.as_ref())
        .flat_map(|d| d.codes.iter())
        .find(|s| s.start <= offset && offset <= s.end);
    if let Some(code) = code {
        let code = code.text(text).to_ascii_uppercase();
        return match checker.rules().rule(&code) {
            Some(rule) => Some(format!(
                "**{}** ({}): {}",
                rule.code, rule.name, rule.summary
            )),
            None => assure_diagnostic::codes::lookup(&code)
                .map(|info| format!("**{}** ({}): {}", info.code, info.name, info.summary)),
        };
    }
    let field = parse
        .file
        .fields
        .iter()
        .find(|f| f.key.start <= offset && offset <= f.key.end)?;
    let key = field.key.text(text);
    let (_, def) = vocabulary.fields().find(|(_, d)| d.name == key)?;
    Some(format!(
        "`{key}`: {}{}",
        def.ty.describe(),
        def.doc
            .as_deref()
            .map_or(String::new(), |d| format!("\n\n{d}"))
    ))
}

/// Sections and, under entity sections, their entities.
pub(crate) fn document_symbols(
    checker: &Checker,
    text: &str,
    positions: &Positions<'_>,
) -> Vec<lsp::DocumentSymbol> {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let mut sections: Vec<lsp::DocumentSymbol> = Vec::new();
    let end_of = |from: usize, stop: &dyn Fn(&LineKind) -> bool| {
        lines[from + 1..]
            .iter()
            .position(|l| stop(&l.kind))
            .map_or(text.len() as u32, |i| lines[from + i].end)
    };
    #[allow(deprecated)] // `deprecated` must be given; tags say it now.
    let symbol = |name: Span, kind, end, start, children| lsp::DocumentSymbol {
        name: name.text(text).to_owned(),
        detail: None,
        kind,
        tags: None,
        deprecated: None,
        range: positions.range(Span::new(start, end)),
        selection_range: positions.range(name),
        children,
    };
    for (i, line) in lines.iter().enumerate() {
        match &line.kind {
            LineKind::Section { title } => {
                let end = end_of(i, &|k| matches!(k, LineKind::Section { .. }));
                let known = checker
                    .vocabulary()
                    .section_by_title(title.text(text))
                    .is_some();
                let kind = if known {
                    lsp::SymbolKind::NAMESPACE
                } else {
                    lsp::SymbolKind::STRING
                };
                sections.push(symbol(*title, kind, end, line.span.start, Some(Vec::new())));
            }
            LineKind::Entity { name } => {
                let end = end_of(i, &|k| {
                    matches!(k, LineKind::Section { .. } | LineKind::Entity { .. })
                });
                let entity = symbol(*name, lsp::SymbolKind::OBJECT, end, line.span.start, None);
                match sections.last_mut() {
                    Some(section) => section.children.get_or_insert_default().push(entity),
                    None => sections.push(entity),
                }
            }
            _ => {}
        }
    }
    sections
}

/// A fold per section and per entity.
pub(crate) fn folding_ranges(text: &str, positions: &Positions<'_>) -> Vec<lsp::FoldingRange> {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let line_of = |offset: u32| positions.position(offset).line;
    let mut ranges = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let is_section = matches!(line.kind, LineKind::Section { .. });
        let is_entity = matches!(line.kind, LineKind::Entity { .. });
        if !is_section && !is_entity {
            continue;
        }
        let last = lines[i + 1..]
            .iter()
            .position(|l| match l.kind {
                LineKind::Section { .. } => true,
                LineKind::Entity { .. } => is_entity,
                _ => false,
            })
            .map_or(lines.len() - 1, |j| i + j);
        // Not the blank lines before the next heading.
        let mut last = last;
        while last > i && lines[last].kind == LineKind::Blank {
            last -= 1;
        }
        if last > i {
            ranges.push(lsp::FoldingRange {
                start_line: line_of(line.span.start),
                end_line: line_of(lines[last].span.start),
                ..Default::default()
            });
        }
    }
    ranges
}

/// Completions at `offset`: codes in an `assure-allow` directive, section
/// titles after `# `, fields of the block at the start of a line, and
/// after `key: ` the kinds, words or entity names the field takes.
pub(crate) fn completion(checker: &Checker, text: &str, offset: u32) -> Vec<lsp::CompletionItem> {
    let vocabulary = checker.vocabulary();
    let offset = offset as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let before = &text[line_start..offset.min(text.len())];
    let item = |label: &str, kind, detail: String| lsp::CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail),
        ..Default::default()
    };
    if let Some(after) = before.trim_start().strip_prefix("<!--")
        && after.trim_start().starts_with("assure-allow:")
    {
        return checker
            .rules()
            .rules
            .iter()
            .map(|r| {
                item(
                    &r.code,
                    lsp::CompletionItemKind::CONSTANT,
                    r.summary.clone(),
                )
            })
            .collect();
    }
    if before.starts_with('#') && !before.starts_with("##") {
        return vocabulary
            .sections()
            .iter()
            .filter_map(|s| s.title.as_deref())
            .map(|t| item(t, lsp::CompletionItemKind::MODULE, "section".into()))
            .collect();
    }
    let parse = assure_syntax::parse(text);
    let owner = owner_at(vocabulary, &parse.file, text, line_start);
    if let Some((key, _)) = before.split_once(':') {
        let key = key.trim();
        let Some(owner) = owner else {
            return Vec::new();
        };
        let Some(id) = vocabulary.fields_of(owner).get(key) else {
            return Vec::new();
        };
        let field = vocabulary.field(id);
        let words: Vec<String> = match &field.ty {
            ValueType::Kind => match owner {
                Owner::Entity(ty) => vocabulary.entity_type(ty).kinds.clone(),
                Owner::Section(_) => Vec::new(),
            },
            ValueType::Enum(e) | ValueType::Words(e) => e.values.clone(),
            ValueType::Bool => vec!["yes".into(), "no".into()],
            ValueType::Ref(reference) => {
                let modelled = checker.model(text);
                let model = &modelled.model;
                model
                    .entity_ids()
                    .filter(|&e| match reference.target {
                        assure_vocab::Target::Any => true,
                        assure_vocab::Target::Entity(ty) => model.entity(e).ty == ty,
                    })
                    .map(|e| model.entity(e).name.to_owned())
                    .collect()
            }
            _ => Vec::new(),
        };
        return words
            .iter()
            .map(|w| item(w, lsp::CompletionItemKind::VALUE, field.ty.describe()))
            .collect();
    }
    // A field name: those of the block not yet written.
    let Some(owner) = owner else {
        return Vec::new();
    };
    let written: Vec<&str> = block_keys(&parse.file, text, line_start);
    vocabulary
        .fields_of(owner)
        .ids()
        .iter()
        .map(|&id| vocabulary.field(id))
        .filter(|f| !written.contains(&f.name.as_str()))
        .map(|f| lsp::CompletionItem {
            label: f.name.clone(),
            kind: Some(lsp::CompletionItemKind::FIELD),
            detail: Some(f.ty.describe()),
            documentation: f.doc.clone().map(lsp::Documentation::String),
            insert_text: Some(format!("{}: ", f.name)),
            ..Default::default()
        })
        .collect()
}

/// Whose fields a line at `line_start` is among, by the syntax tree's
/// headings above it: the header, a section, or an entity of a section's
/// type.
pub(crate) fn owner_at(
    vocabulary: &Vocabulary,
    file: &assure_syntax::SourceFile,
    text: &str,
    line_start: usize,
) -> Option<Owner> {
    let mut owner = Some(Owner::Section(HEADER));
    for line in file
        .lines
        .iter()
        .take_while(|l| (l.span.start as usize) < line_start)
    {
        match &line.kind {
            LineKind::Section { title } => {
                owner = vocabulary
                    .section_by_title(title.text(text))
                    .map(Owner::Section);
            }
            LineKind::Entity { .. } => {
                owner = match owner {
                    Some(Owner::Section(s)) => vocabulary.section(s).entity.map(Owner::Entity),
                    other => other,
                };
            }
            _ => {}
        }
    }
    owner
}

/// The keys written in the block (header, section or entity) that the line
/// at `line_start` is in.
pub(crate) fn block_keys<'t>(
    file: &assure_syntax::SourceFile,
    text: &'t str,
    line_start: usize,
) -> Vec<&'t str> {
    let lines = &file.lines;
    let here = lines
        .iter()
        .position(|l| l.span.start as usize >= line_start)
        .unwrap_or(lines.len());
    let heading = |k: &LineKind| matches!(k, LineKind::Section { .. } | LineKind::Entity { .. });
    let start = lines[..here]
        .iter()
        .rposition(|l| heading(&l.kind))
        .map_or(0, |i| i + 1);
    let end = lines[here.min(lines.len())..]
        .iter()
        .position(|l| heading(&l.kind))
        .map_or(lines.len(), |i| here + i);
    lines[start..end]
        .iter()
        .filter_map(|l| match l.kind {
            LineKind::Field { field } => Some(file.fields[field as usize].key.text(text)),
            _ => None,
        })
        .collect()
}
