//! `assure fmt`: a proposal in its canonical layout.
//!
//! - values and keys written loosely are written as the format does (the
//!   safe fixes of SCH007 and SCH008, nothing else);
//! - in each block (the header, a section, an entity), the fields of each
//!   run of fields come in the order the vocabulary lists them, each field
//!   taking along the comments directly above it (a directive stays on the
//!   line it covers), its continuation lines and any comments between
//!   them; fields the vocabulary does not know keep their order after the
//!   others;
//! - one blank line before each heading, never two in a row, none at the
//!   start, one line ending at the end; no trailing white space.
//!
//! Layout never changes what a proposal says. A line moves only if it
//! reads the same wherever it stands: a field at the start of its line
//! (which ends the field before it) with its own continuations, and the
//! comments that go with it. Anything whose reading depends on the line
//! before it (an indented field, a loose key, a malformed line, a line
//! inside an unclosed comment, a continuation of anything else) ends the
//! run and stays where it is. As a second guard, the laid-out text is
//! parsed again and must say the same ([`Meaning`]: every block's fields
//! and values, what each comment covers, the prose in order, the syntax
//! errors); if not, the fields are not reordered, and if even that would
//! change it, the text is left as it is, with the reason.
//!
//! Prose and comments stay where they are, relative to the fields around
//! them. Formatting a formatted text gives it back unchanged.

use crate::Checker;
use assure_syntax::{LineKind, SourceFile};
use assure_vocab::{HEADER, Owner, Vocabulary};

/// `text` in canonical layout, or why it is left as it is.
pub fn format(checker: &Checker, path: &str, text: &str) -> Result<String, String> {
    let fixed = crate::fix::fix_text(checker, path, text, |code, fix| {
        fix.applicability == assure_diagnostic::Applicability::Safe
            && (code == assure_diagnostic::codes::SCH007
                || code == assure_diagnostic::codes::SCH008)
    });
    let before = Meaning::of(&fixed.text);
    for sort in [true, false] {
        let laid_out = layout(checker.vocabulary(), &fixed.text, sort);
        if Meaning::of(&laid_out) == before {
            return Ok(laid_out);
        }
    }
    Err("its layout cannot be changed without changing what it says, so it is left as it is".into())
}

/// What a text says, as far as layout could change it: each block's
/// heading, its fields (key and value lines, in order per key), what each
/// comment covers, its other lines in order, and the syntax errors.
/// Two texts of equal meaning read the same to every later stage.
#[derive(Debug, PartialEq, Eq)]
pub struct Meaning {
    blocks: Vec<Block>,
    errors: Vec<String>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Block {
    heading: String,
    fields: Vec<String>,
    comments: Vec<String>,
    others: Vec<String>,
}

impl Meaning {
    /// The meaning of `text`.
    pub fn of(text: &str) -> Meaning {
        let parse = assure_syntax::parse(text);
        let file = &parse.file;
        let line_text = |i: usize| file.lines[i].span.text(text).trim();
        let mut blocks = vec![Block::default()];
        for (i, line) in file.lines.iter().enumerate() {
            let block = blocks.last_mut().expect("there is a block");
            match &line.kind {
                LineKind::Section { .. } | LineKind::Entity { .. } => blocks.push(Block {
                    heading: line_text(i).to_owned(),
                    ..Block::default()
                }),
                LineKind::Field { field } => {
                    let field = &file.fields[*field as usize];
                    let mut described = format!(
                        "{}{}:",
                        if field.loose { "loose " } else { "" },
                        field.key.text(text)
                    );
                    for segment in
                        &file.segments[field.segments.start as usize..field.segments.end as usize]
                    {
                        described.push('\n');
                        described.push_str(segment.text(text));
                    }
                    block.fields.push(described);
                }
                LineKind::Blank | LineKind::Continuation { .. } | LineKind::Comment => {}
                LineKind::ProseContinuation { .. }
                | LineKind::Prose { .. }
                | LineKind::Malformed => {
                    block.others.push(line_text(i).to_owned());
                }
            }
        }
        // Fields in order of key, keeping the order of a key's repeats
        // (the first is the one read).
        for block in &mut blocks {
            block.fields.sort_by(|a, b| key_of(a).cmp(key_of(b)));
        }
        let mut heading = 0;
        let mut comments = file.comments.iter().peekable();
        for (i, line) in file.lines.iter().enumerate() {
            if matches!(
                line.kind,
                LineKind::Section { .. } | LineKind::Entity { .. }
            ) {
                heading += 1;
            }
            while let Some(comment) = comments.next_if(|c| c.line as usize == i) {
                let covered = if line.kind == LineKind::Comment {
                    (i + 1..file.lines.len())
                        .find(|&l| {
                            !matches!(file.lines[l].kind, LineKind::Blank | LineKind::Comment)
                        })
                        .map_or("", |l| line_text(l))
                } else {
                    line_text(i)
                };
                // Its lines as the layout writes them: white space at
                // their ends says nothing.
                let lines: Vec<&str> = comment.span.text(text).lines().map(str::trim_end).collect();
                blocks[heading]
                    .comments
                    .push(format!("{} covers {covered}", lines.join("\n")));
            }
        }
        for block in &mut blocks {
            block.comments.sort();
        }
        let mut errors: Vec<String> = parse
            .errors
            .iter()
            .map(|e| format!("{} {}", e.code, e.message))
            .collect();
        errors.sort();
        Meaning { blocks, errors }
    }
}

/// The key of a field as [`Meaning`] describes it.
fn key_of(described: &str) -> &str {
    described.split(':').next().unwrap_or(described)
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
    /// A continuation follows a malformed line (which does not close the
    /// field, nor does the parser say why it is malformed): the unit
    /// stays where it is, and the units on each side are sorted apart.
    pinned: bool,
}

/// `text` laid out, its runs of fields in the vocabulary's order if
/// `sort`.
pub(crate) fn layout(vocabulary: &Vocabulary, text: &str, sort: bool) -> String {
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
                // Sorted between the pinned units, which stay put.
                for group in units.split_inclusive(|u| u.pinned) {
                    let (movable, pinned) = match group.split_last() {
                        Some((last, before)) if last.pinned => (before, Some(last)),
                        _ => (group, None),
                    };
                    let mut sorted: Vec<&Unit> = movable.iter().collect();
                    if sort {
                        sorted.sort_by_key(|u| u.rank);
                    }
                    for unit in sorted.into_iter().chain(pinned) {
                        order.extend(unit.lines.clone());
                    }
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
/// above it, its continuation lines and the comments between them, until
/// a line that is none of these; empty if the run has no field. A field
/// that reads as it does only where it stands (indented, or with a loose
/// key) ends the run.
fn run_of_fields(
    file: &SourceFile,
    text: &str,
    start: usize,
    owner: Option<Owner>,
    vocabulary: &Vocabulary,
) -> Vec<Unit> {
    let lines = &file.lines;
    let after_comments = |mut at: usize| {
        while at < lines.len() && lines[at].kind == LineKind::Comment {
            at += 1;
        }
        at
    };
    let mut units = Vec::new();
    let mut i = start;
    loop {
        let j = after_comments(i);
        let Some(LineKind::Field { field: index }) = lines.get(j).map(|l| &l.kind) else {
            break;
        };
        let field = &file.fields[*index as usize];
        if field.loose || field.key.start != lines[j].span.start {
            break;
        }
        // Its continuations, even past a comment or a malformed line: the
        // parser gives a continuation to the open field, and neither
        // closes it.
        let mut end = j + 1;
        let mut pinned = false;
        loop {
            let mut next = end;
            let mut malformed = false;
            while let Some(kind) = lines.get(next).map(|l| &l.kind) {
                match kind {
                    LineKind::Comment => {}
                    LineKind::Malformed => malformed = true,
                    _ => break,
                }
                next += 1;
            }
            match lines.get(next).map(|l| &l.kind) {
                Some(LineKind::Continuation { field, .. }) if field == index => {
                    end = next + 1;
                    pinned |= malformed;
                }
                _ => break,
            }
        }
        let key = field.key.text(text);
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
            pinned,
        });
        i = end;
    }
    // A comment above the run, across blank lines, covers the run's first
    // line (a directive allows findings there): that unit stays first.
    let covered = (0..start)
        .rev()
        .find(|&l| lines[l].kind != LineKind::Blank)
        .is_some_and(|l| lines[l].kind == LineKind::Comment);
    if covered && let Some(first) = units.first_mut() {
        first.pinned = true;
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
        format(&checker, "p.proposal", text).unwrap()
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
    fn a_continuation_after_a_malformed_line_and_a_directive_above_a_blank_keep_their_fields() {
        // `  and more` continues `holder` across the malformed line; the
        // directive, across the blank line, covers `value`.
        let text = "proposal: P\nmodel: other\n\n# Contracts\n\n## C\nvalue: £1m\nholder: H\n<!-- a comment --> with text after it\n  and more\nkind: other\n\n## D\n<!-- assure-allow: CAP001 guaranteed by the trust -->\n\nvalue: £2m\nkind: other\n";
        assert_eq!(
            formatted(text),
            "proposal: P\nmodel: other\n\n# Contracts\n\n## C\nvalue: £1m\nholder: H\n<!-- a comment --> with text after it\n  and more\nkind: other\n\n## D\n<!-- assure-allow: CAP001 guaranteed by the trust -->\n\nvalue: £2m\nkind: other\n"
        );
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
