//! `assure fmt`: a proposal in its canonical layout.
//!
//! - values and keys written loosely are written as the format does (the
//!   safe fixes of SCH007 and SCH008, nothing else);
//! - in each block (the header, a section, an entity), the fields of each
//!   run of fields come in the order the vocabulary lists them, each field
//!   taking along the comments directly above it (a directive stays on the
//!   line it covers) and its continuation lines; fields the vocabulary
//!   does not know keep their order after the others;
//! - one blank line before each heading, never two in a row, none at the
//!   start, one line ending at the end; no trailing white space.
//!
//! Prose and comments stay where they are, relative to the fields around
//! them. Formatting a formatted text gives it back unchanged.

use crate::Checker;
use assure_syntax::{LineKind, SourceFile};
use assure_vocab::{HEADER, Owner, Vocabulary};

/// `text` in canonical layout.
pub fn format(checker: &Checker, path: &str, text: &str) -> String {
    let fixed = crate::fix::fix_text(checker, path, text, |code, fix| {
        fix.applicability == assure_diagnostic::Applicability::Safe
            && (code == assure_diagnostic::codes::SCH007
                || code == assure_diagnostic::codes::SCH008)
    });
    layout(checker.vocabulary(), &fixed.text)
}

/// A line of the output, and what it is.
struct Out<'t> {
    text: &'t str,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Heading,
    Other,
}

/// A field with the comments above it and its continuation lines, and
/// where the vocabulary puts it.
struct Unit {
    lines: std::ops::Range<usize>,
    rank: usize,
}

fn layout(vocabulary: &Vocabulary, text: &str) -> String {
    let parse = assure_syntax::parse(text);
    let file = &parse.file;
    let line_text = |i: usize| file.lines[i].span.text(text).trim_end();
    let mut order: Vec<usize> = Vec::with_capacity(file.lines.len());
    let mut owner = Some(Owner::Section(HEADER));
    let mut i = 0;
    while i < file.lines.len() {
        match &file.lines[i].kind {
            LineKind::Section { title } => {
                let section = vocabulary.section_by_title(title.text(text));
                owner = section.map(Owner::Section);
                order.push(i);
                i += 1;
            }
            LineKind::Entity { .. } => {
                owner = entity_owner(vocabulary, &owner);
                order.push(i);
                i += 1;
            }
            _ => {
                // A run of fields (with the comments directly above each),
                // up to the next line that is neither.
                let units = run_of_fields(file, text, i, owner, vocabulary);
                if units.is_empty() {
                    order.push(i);
                    i += 1;
                    continue;
                }
                let end = units.last().map_or(i, |u| u.lines.end);
                let mut sorted: Vec<&Unit> = units.iter().collect();
                sorted.sort_by_key(|u| u.rank);
                for unit in sorted {
                    order.extend(unit.lines.clone());
                }
                i = end;
            }
        }
    }
    let lines: Vec<Out<'_>> = order
        .into_iter()
        .map(|i| Out {
            text: line_text(i),
            kind: match file.lines[i].kind {
                LineKind::Blank => Kind::Blank,
                LineKind::Section { .. } | LineKind::Entity { .. } => Kind::Heading,
                _ => Kind::Other,
            },
        })
        .collect();
    let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len());
    if file.bom {
        out.push('\u{feff}');
    }
    let mut previous: Option<Kind> = None;
    for line in lines {
        match (line.kind, previous) {
            (Kind::Blank, None | Some(Kind::Blank)) => continue,
            (Kind::Heading, Some(Kind::Other | Kind::Heading)) => out.push_str(ending),
            _ => {}
        }
        out.push_str(line.text);
        out.push_str(ending);
        previous = Some(line.kind);
    }
    // No blank lines at the end.
    while out.ends_with(&format!("{ending}{ending}")) {
        out.truncate(out.len() - ending.len());
    }
    out
}

/// The owner of an entity's fields in the block whose owner is `current`:
/// the entity type its section holds.
fn entity_owner(vocabulary: &Vocabulary, current: &Option<Owner>) -> Option<Owner> {
    let section = match current {
        Some(Owner::Section(section)) => *section,
        Some(Owner::Entity(ty)) => vocabulary.entity_type(*ty).section,
        None => return None,
    };
    vocabulary.section(section).entity.map(Owner::Entity)
}

/// The fields from line `start` on, each with the comment lines directly
/// above it and its continuation lines, until a line that is none of
/// these; empty if the run has no field.
fn run_of_fields(
    file: &SourceFile,
    text: &str,
    start: usize,
    owner: Option<Owner>,
    vocabulary: &Vocabulary,
) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut i = start;
    loop {
        let mut j = i;
        while j < file.lines.len() && file.lines[j].kind == LineKind::Comment {
            j += 1;
        }
        let Some(LineKind::Field { field }) = file.lines.get(j).map(|l| &l.kind) else {
            break;
        };
        let key = file.fields[*field as usize].key.text(text);
        let mut end = j + 1;
        while end < file.lines.len()
            && matches!(file.lines[end].kind, LineKind::Continuation { .. })
        {
            end += 1;
        }
        let position = owner.and_then(|owner| {
            let fields = vocabulary.fields_of(owner);
            let id = fields.get(key)?;
            fields.ids().iter().position(|f| *f == id)
        });
        units.push(Unit {
            lines: i..end,
            // Known fields in the vocabulary's order, unknown ones after
            // them in their own.
            rank: position.unwrap_or(usize::MAX / 2 + units.len()),
        });
        i = end;
    }
    // `kind` comes first wherever the vocabulary puts it.
    for unit in &mut units {
        let first_field =
            (unit.lines.start..unit.lines.end).find_map(|l| match &file.lines[l].kind {
                LineKind::Field { field } => Some(*field),
                _ => None,
            });
        if let Some(field) = first_field
            && file.fields[field as usize].key.text(text) == "kind"
        {
            unit.rank = 0;
        }
    }
    units
}

#[cfg(test)]
mod tests {
    use super::*;
    use assure_rules::RuleSet;

    fn formatted(text: &str) -> String {
        let checker = Checker::new(RuleSet::default_set().unwrap());
        format(&checker, "p.proposal", text)
    }

    #[test]
    fn fields_take_the_vocabularys_order_with_their_comments_and_continuations() {
        let text = "proposal: P\n\n\n# Contracts\n## C\nvalue: £1.5 million per annum\n<!-- assure-allow: CAP001 guaranteed -->\nholder: H\n  and more\nkind: other\n\nThe contract is new.\nterm: 2 years  \nstart: 2017-01-01\n# Organisations\n\n## H\nkind: gp-company\n\n\n";
        let once = formatted(text);
        assert_eq!(
            once,
            "proposal: P\n\n# Contracts\n\n## C\nkind: other\n<!-- assure-allow: CAP001 guaranteed -->\nholder: H\n  and more\nvalue: £1.5m/yr\n\nThe contract is new.\nterm: 2 years\nstart: 2017-01-01\n\n# Organisations\n\n## H\nkind: gp-company\n"
        );
        assert_eq!(formatted(&once), once);
    }

    #[test]
    fn a_formatted_shared_example_is_stable() {
        for name in ["dudley-mcp", "hampshire-mcp", "tower-hamlets-community"] {
            let path = format!(
                "{}/../../fixtures/{name}.proposal",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(path).unwrap();
            let once = formatted(&text);
            assert_eq!(formatted(&once), once, "{name}");
        }
    }
}
