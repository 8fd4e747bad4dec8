//! What the server answers, apart from the protocol's loop: positions in
//! UTF-16 as the protocol counts them, diagnostics, code actions, hover,
//! references, symbols, folding and completion, each a function of the
//! checker and a document's text.

use super::*;

/// The entities and references of one version of a document.
pub(super) struct Index {
    /// Each entity's name in its heading.
    pub(super) names: Vec<Span>,
    /// Every reference's name, the entity it names, and the entity it is
    /// written under, in source order.
    pub(super) references: Vec<(Span, Option<usize>, Option<usize>)>,
    /// Each entity's hover text.
    pub(super) hovers: Vec<String>,
}

impl Index {
    pub(super) fn build(checker: &Checker, text: &str) -> Index {
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
    pub(super) fn entity_at(&self, offset: u32) -> Option<usize> {
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

    /// The references to entity `i`, in source order.
    pub(super) fn references_to(&self, i: usize) -> impl Iterator<Item = Span> + '_ {
        self.references
            .iter()
            .filter(move |(_, target, _)| *target == Some(i))
            .map(|(span, _, _)| *span)
    }
}

/// A path to show for a document: its file path, or the URI.
pub(super) fn display_path(uri: &str) -> String {
    uri.parse::<lsp::Uri>()
        .ok()
        .filter(|u| u.scheme().is_some_and(|s| s.as_str() == "file"))
        .map_or_else(|| uri.to_owned(), |u| percent_decoded(u.path().as_str()))
}

/// A `file:` URI for `path`, every byte but letters, digits and `-._~/`
/// percent-encoded.
pub(super) fn file_uri(path: &Path) -> String {
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

pub(super) fn percent_decoded(path: &str) -> String {
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
pub(super) struct Positions<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl<'t> Positions<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Positions {
            text,
            lines: LineIndex::new(text),
        }
    }

    /// The byte offset where 0-based `line` starts.
    pub(super) fn start(&self, line: usize) -> Option<usize> {
        let line = u32::try_from(line).ok()?.checked_add(1)?;
        self.lines.line_start(line).map(|s| s as usize)
    }

    pub(super) fn position(&self, offset: u32) -> Json {
        let offset = (offset as usize).min(self.text.len());
        let line = self.lines.line_of(offset as u32) as usize - 1;
        let start = self.start(line).unwrap_or(0);
        let character: usize = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        json!({"line": line, "character": character})
    }

    pub(super) fn range(&self, span: Span) -> Json {
        json!({"start": self.position(span.start), "end": self.position(span.end)})
    }

    /// The byte offset of an LSP position, clamped to the text.
    pub(super) fn offset(&self, position: &Json) -> u32 {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let character = position["character"].as_u64().unwrap_or(0) as usize;
        let Some(start) = self.start(line) else {
            return self.text.len() as u32;
        };
        let end = self.start(line + 1).unwrap_or(self.text.len());
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

pub(super) fn severity(severity: assure_diagnostic::Severity) -> u8 {
    match severity {
        assure_diagnostic::Severity::Error => 1,
        assure_diagnostic::Severity::Warning => 2,
        assure_diagnostic::Severity::Info => 3,
    }
}

pub(super) fn diagnostic_json(
    uri: &str,
    positions: &Positions<'_>,
    finding: &assure_check::Finding,
) -> Json {
    let d = &finding.diagnostic;
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    let related: Vec<Json> = d
        .labels
        .iter()
        .map(|l| json!({"location": {"uri": uri, "range": positions.range(l.span)}, "message": l.message}))
        .collect();
    let mut out = json!({
        "range": positions.range(d.span),
        "severity": severity(d.severity),
        "code": &*d.code,
        "source": "assure",
        "message": message,
    });
    if !related.is_empty() {
        out["relatedInformation"] = Json::Array(related);
    }
    // An allowance that suppresses nothing is unnecessary text.
    if *d.code == *assure_diagnostic::codes::DIR001 && d.message.contains("suppresses nothing") {
        out["tags"] = json!([1]);
    }
    out
}

/// The code actions for the findings in `range`: each fix, "allow CODE
/// here", and for the whole file "apply every safe fix".
pub(super) fn code_actions(
    checker: &Checker,
    report: &FileReport,
    uri: &str,
    text: &str,
    positions: &Positions<'_>,
    range: &Json,
) -> Json {
    // Findings on the lines of the range: a cursor anywhere on a line asks
    // for what is wrong on it.
    let line = |p: &Json| p["line"].as_u64().unwrap_or(0);
    let (first, last) = (line(&range["start"]), line(&range["end"]));
    let mut actions = Vec::new();
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        let span = finding.diagnostic.span;
        let (from, to) = (
            line(&positions.position(span.start)),
            line(&positions.position(span.end)),
        );
        if to < first || from > last {
            continue;
        }
        let diagnostic = diagnostic_json(uri, positions, finding);
        for fix in &finding.diagnostic.fixes {
            let edits: Vec<Json> = fix
                .edits
                .iter()
                .map(|e| json!({"range": positions.range(e.span), "newText": e.replacement}))
                .collect();
            actions.push(json!({
                "title": fix.title,
                "kind": "quickfix",
                "diagnostics": [diagnostic],
                "isPreferred": fix.applicability == Applicability::Safe,
                "edit": {"changes": {uri: edits}},
            }));
        }
        if let Some(action) = allow_here(uri, text, positions, finding, &diagnostic) {
            actions.push(action);
        }
        let code = &*finding.diagnostic.code;
        actions.push(json!({
            "title": format!("explain {code}"),
            "kind": "quickfix",
            "diagnostics": [diagnostic],
            "command": {"title": format!("explain {code}"), "command": "assure.explain", "arguments": [code]},
        }));
    }
    let fixed = assure_check::fix::fix_text(checker, &display_path(uri), text, |_, fix| {
        fix.applicability == Applicability::Safe
    });
    if fixed.text != text {
        actions.push(json!({
            "title": "assure: apply every safe fix",
            "kind": "source.fixAll",
            "edit": {"changes": {uri: [{"range": positions.range(Span::new(0, text.len() as u32)), "newText": fixed.text}]}},
        }));
    }
    Json::Array(actions)
}

/// "Allow CODE here": an `assure-allow` line above the finding's line,
/// for the findings of rules (assure's own cannot be allowed).
pub(super) fn allow_here(
    uri: &str,
    text: &str,
    positions: &Positions<'_>,
    finding: &assure_check::Finding,
    diagnostic: &Json,
) -> Option<Json> {
    let code = &*finding.diagnostic.code;
    if assure_diagnostic::codes::lookup(code).is_some() {
        return None;
    }
    let offset = finding.diagnostic.span.start as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(json!({
        "title": format!("allow {code} here (say why)"),
        "kind": "quickfix",
        "diagnostics": [diagnostic],
        "edit": {"changes": {uri: [{
            "range": positions.range(Span::empty(line_start as u32)),
            "newText": format!("<!-- assure-allow: {code} <<WHY IT IS ACCEPTABLE>> -->{newline}"),
        }]}},
    }))
}

/// Every reference of the model: its name's span, the entity it names, and
/// the entity it is written under (by index).
pub(super) fn all_references(
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
pub(super) fn field_hover(checker: &Checker, text: &str, offset: u32) -> Option<String> {
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
pub(super) fn document_symbols(checker: &Checker, text: &str, positions: &Positions<'_>) -> Json {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let mut sections: Vec<Json> = Vec::new();
    let end_of = |from: usize, stop: &dyn Fn(&assure_syntax::LineKind) -> bool| {
        lines[from + 1..]
            .iter()
            .position(|l| stop(&l.kind))
            .map_or(text.len() as u32, |i| lines[from + i].end)
    };
    for (i, line) in lines.iter().enumerate() {
        match &line.kind {
            assure_syntax::LineKind::Section { title } => {
                let end = end_of(i, &|k| matches!(k, assure_syntax::LineKind::Section { .. }));
                let known = checker
                    .vocabulary()
                    .section_by_title(title.text(text))
                    .is_some();
                sections.push(json!({
                    "name": title.text(text),
                    "kind": if known { 3 } else { 15 },
                    "range": positions.range(Span::new(line.span.start, end)),
                    "selectionRange": positions.range(*title),
                    "children": [],
                }));
            }
            assure_syntax::LineKind::Entity { name } => {
                let end = end_of(i, &|k| {
                    matches!(
                        k,
                        assure_syntax::LineKind::Section { .. }
                            | assure_syntax::LineKind::Entity { .. }
                    )
                });
                let symbol = json!({
                    "name": name.text(text),
                    "kind": 19,
                    "range": positions.range(Span::new(line.span.start, end)),
                    "selectionRange": positions.range(*name),
                });
                match sections.last_mut() {
                    Some(section) => {
                        if let Some(children) = section["children"].as_array_mut() {
                            children.push(symbol);
                        }
                    }
                    None => sections.push(symbol),
                }
            }
            _ => {}
        }
    }
    Json::Array(sections)
}

/// A fold per section and per entity.
pub(super) fn folding_ranges(text: &str, positions: &Positions<'_>) -> Json {
    let parse = assure_syntax::parse(text);
    let lines = &parse.file.lines;
    let line_of = |offset: u32| positions.position(offset)["line"].as_u64().unwrap_or(0);
    let mut ranges = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let is_section = matches!(line.kind, assure_syntax::LineKind::Section { .. });
        let is_entity = matches!(line.kind, assure_syntax::LineKind::Entity { .. });
        if !is_section && !is_entity {
            continue;
        }
        let last = lines[i + 1..]
            .iter()
            .position(|l| match l.kind {
                assure_syntax::LineKind::Section { .. } => true,
                assure_syntax::LineKind::Entity { .. } => is_entity,
                _ => false,
            })
            .map_or(lines.len() - 1, |j| i + j);
        // Not the blank lines before the next heading.
        let mut last = last;
        while last > i && lines[last].kind == assure_syntax::LineKind::Blank {
            last -= 1;
        }
        if last > i {
            ranges.push(json!({
                "startLine": line_of(line.span.start),
                "endLine": line_of(lines[last].span.start),
            }));
        }
    }
    Json::Array(ranges)
}

/// Completions at `offset`: section titles after `# `, fields of the
/// block at the start of a line, and after `key: ` the kinds, words or
/// entity names the field takes.
pub(super) fn completion(checker: &Checker, text: &str, offset: u32) -> Json {
    let vocabulary = checker.vocabulary();
    let offset = offset as usize;
    let line_start = text[..offset.min(text.len())]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let before = &text[line_start..offset.min(text.len())];
    let item = |label: &str, kind: u8, detail: String| json!({"label": label, "kind": kind, "detail": detail});
    if let Some(after) = before.trim_start().strip_prefix("<!--")
        && after.trim_start().starts_with("assure-allow:")
    {
        return Json::Array(
            checker
                .rules()
                .rules
                .iter()
                .map(|r| item(&r.code, 21, r.summary.clone()))
                .collect(),
        );
    }
    if before.starts_with('#') && !before.starts_with("##") {
        return Json::Array(
            vocabulary
                .sections()
                .iter()
                .filter_map(|s| s.title.as_deref())
                .map(|t| item(t, 9, "section".into()))
                .collect(),
        );
    }
    let owner = owner_at(vocabulary, text, line_start);
    if let Some((key, _)) = before.split_once(':') {
        let key = key.trim();
        let Some(owner) = owner else {
            return json!([]);
        };
        let Some(id) = vocabulary.fields_of(owner).get(key) else {
            return json!([]);
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
        return Json::Array(
            words
                .iter()
                .map(|w| item(w, 12, field.ty.describe()))
                .collect(),
        );
    }
    // A field name: those of the block not yet written.
    let Some(owner) = owner else {
        return json!([]);
    };
    let parse = assure_syntax::parse(text);
    let written: Vec<&str> = block_keys(&parse.file, text, line_start);
    Json::Array(
        vocabulary
            .fields_of(owner)
            .ids()
            .iter()
            .map(|&id| vocabulary.field(id))
            .filter(|f| !written.contains(&f.name.as_str()))
            .map(|f| {
                json!({
                    "label": f.name,
                    "kind": 5,
                    "detail": f.ty.describe(),
                    "documentation": f.doc,
                    "insertText": format!("{}: ", f.name),
                })
            })
            .collect(),
    )
}

/// Whose fields a line at `line_start` is among: the header, a section,
/// or an entity of a section's type.
pub(super) fn owner_at(vocabulary: &Vocabulary, text: &str, line_start: usize) -> Option<Owner> {
    let mut owner = Some(Owner::Section(HEADER));
    for line in text[..line_start].lines() {
        if let Some(name) = line.strip_prefix("## ") {
            let _ = name;
            owner = match owner {
                Some(Owner::Section(s)) => vocabulary.section(s).entity.map(Owner::Entity),
                other => other,
            };
        } else if let Some(title) = line.strip_prefix("# ") {
            owner = vocabulary
                .section_by_title(title.trim())
                .map(Owner::Section);
        }
    }
    owner
}

/// The keys written in the block (header, section or entity) that the line
/// at `line_start` is in.
pub(super) fn block_keys<'t>(
    file: &assure_syntax::SourceFile,
    text: &'t str,
    line_start: usize,
) -> Vec<&'t str> {
    let lines = &file.lines;
    let here = lines
        .iter()
        .position(|l| l.span.start as usize >= line_start)
        .unwrap_or(lines.len());
    let heading = |k: &assure_syntax::LineKind| {
        matches!(
            k,
            assure_syntax::LineKind::Section { .. } | assure_syntax::LineKind::Entity { .. }
        )
    };
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
            assure_syntax::LineKind::Field { field } => {
                Some(file.fields[field as usize].key.text(text))
            }
            _ => None,
        })
        .collect()
}
