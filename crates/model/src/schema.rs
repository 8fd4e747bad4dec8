//! What the vocabulary says a proposal may contain, as it is reported when
//! the proposal departs from it: unknown sections, fields and kinds, fields
//! given twice or where they do not apply. The walk ([`crate::outline`])
//! and the typing ([`crate::typing`]) both report through these.

use assure_diagnostic::{Applicability, Diagnostic, Fix, Span, closest, codes, excerpt};
use assure_syntax::Field;
use assure_vocab::{EntityTypeId, Owner, SectionId, Vocabulary, with_article};

/// SCH001 for a section titled `text` at `span`, and the known section it
/// most likely misspells.
pub(crate) fn unknown_section<'v>(
    vocabulary: &'v Vocabulary,
    text: &str,
    span: Span,
) -> (Diagnostic, Option<&'v str>) {
    let titles: Vec<&str> = vocabulary
        .sections()
        .iter()
        .filter_map(|s| s.title.as_deref())
        .collect();
    let suggestion = closest(text, titles.iter().copied());
    let diagnostic = Diagnostic::of(
        codes::SCH001,
        span,
        format!("unknown section `{}`", excerpt(text)),
    );
    let diagnostic = match suggestion {
        Some(near) => diagnostic.with_help(format!("did you mean `# {near}`?")),
        None => diagnostic.with_help(format!("the sections are: {}", titles.join(", "))),
    };
    (diagnostic, suggestion)
}

/// SCH005 for the entity heading `text` at `heading`.
pub(crate) fn entity_outside_section(
    vocabulary: &Vocabulary,
    heading: Span,
    text: &str,
) -> Diagnostic {
    let sections = vocabulary
        .sections()
        .iter()
        .filter(|s| s.entity.is_some())
        .filter_map(|s| s.title.as_deref())
        .map(|t| format!("`# {t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::of(
        codes::SCH005,
        heading,
        format!(
            "entity heading `{}` is outside an entity section",
            excerpt(text)
        ),
    )
    .with_help(format!("entities are written under {sections}"))
}

/// SCH002 for the field `key` (at `span`) written in an entity section
/// before any entity.
pub(crate) fn field_before_entity(
    vocabulary: &Vocabulary,
    section: SectionId,
    span: Span,
    key: &str,
) -> Diagnostic {
    let title = vocabulary
        .section(section)
        .title
        .as_deref()
        .unwrap_or_default();
    Diagnostic::of(
        codes::SCH002,
        span,
        format!(
            "field `{}` in `# {title}` is not under any entity",
            excerpt(key)
        ),
    )
    .with_help("write it under the `## Name` heading of the entity it describes")
}

/// SCH004 for an entity of type `ty` named `name` with no `kind`.
pub(crate) fn missing_kind(vocabulary: &Vocabulary, entity: &crate::Entity<'_>) -> Diagnostic {
    let ty = vocabulary.entity_type(entity.ty);
    Diagnostic::of(
        codes::SCH004,
        entity.heading,
        format!("{} `{}` has no `kind`", ty.id, excerpt(entity.name)),
    )
    .with_help(format!("add `kind: ...`, one of: {}", ty.kinds.join(", ")))
}

/// SCH011 for an entity of type `ty` named `name`, read from published
/// notices, with no `kind`: the notices do not say it.
pub(crate) fn kind_not_stated(vocabulary: &Vocabulary, entity: &crate::Entity<'_>) -> Diagnostic {
    let ty = vocabulary.entity_type(entity.ty);
    Diagnostic::of(
        codes::SCH011,
        entity.heading,
        format!(
            "the notices do not say what kind of {} `{}` is, and its name says none assure reads",
            ty.id,
            excerpt(entity.name)
        ),
    )
    .with_help(format!(
        "rules that need its kind say they could not judge it; a proposal imported from the notices gives it (`kind: ...`, one of: {})",
        ty.kinds.join(", ")
    ))
}

/// SCH002 for a field `key` that applies only to other kinds than `kind`.
pub(crate) fn not_for_kind(
    entity_type: &str,
    key: &str,
    span: Span,
    kind: &str,
    allowed: &[String],
) -> Diagnostic {
    Diagnostic::of(
        codes::SCH002,
        span,
        format!(
            "field `{key}` does not apply to {} of kind `{kind}`",
            with_article(entity_type)
        ),
    )
    .with_help(format!("`{key}` applies to: {}", allowed.join(", ")))
}

pub(crate) fn unknown_field(
    vocabulary: &Vocabulary,
    owner: Owner,
    key: &str,
    span: Span,
) -> Diagnostic {
    if let Some(misplaced) = out_of_place(vocabulary, owner, key, span) {
        return misplaced;
    }
    let known = vocabulary.fields_of(owner);
    let names: Vec<&str> = known
        .ids()
        .iter()
        .map(|id| vocabulary.field(*id).name.as_str())
        .collect();
    let diagnostic = Diagnostic::of(
        codes::SCH002,
        span,
        format!(
            "unknown field `{}` for {}",
            excerpt(key),
            describe_owner(vocabulary, owner)
        ),
    );
    match closest(key, names.iter().copied()) {
        Some(near) => diagnostic
            .with_help(format!("did you mean `{near}`?"))
            .with_fix(Fix::replace(
                format!("rename to `{near}`"),
                Applicability::Safe,
                span,
                near,
            )),
        None if names.is_empty() => diagnostic.with_help("this section has no fields"),
        None => diagnostic.with_help(format!("the fields here are: {}", names.join(", "))),
    }
}

/// SCH010 for `key` written under `owner`, if it is a field of other
/// sections or kinds: naming them, at most three.
fn out_of_place(
    vocabulary: &Vocabulary,
    owner: Owner,
    key: &str,
    span: Span,
) -> Option<Diagnostic> {
    let sections = (0..vocabulary.sections().len()).map(|i| Owner::Section(SectionId(i as u32)));
    let kinds = (0..vocabulary.entity_types().len()).map(|i| Owner::Entity(EntityTypeId(i as u32)));
    let homes: Vec<String> = sections
        .chain(kinds)
        .filter(|&other| other != owner && vocabulary.fields_of(other).get(key).is_some())
        .map(|other| describe_owner(vocabulary, other))
        .collect();
    if homes.is_empty() {
        return None;
    }
    let shown: Vec<String> = homes.iter().take(3).cloned().collect();
    let more = homes.len() - shown.len();
    let whose = if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        assure_diagnostic::english_list(&shown)
    };
    Some(
        Diagnostic::of(
            codes::SCH010,
            span,
            format!(
                "`{}` is a field of {whose}, not of {}: it is not read here",
                excerpt(key),
                describe_owner(vocabulary, owner)
            ),
        )
        .with_label(span, "not read here")
        .with_help(
            "move the line under the heading it belongs to; until then every stage is incomplete",
        ),
    )
}

fn describe_owner(vocabulary: &Vocabulary, owner: Owner) -> String {
    match owner {
        Owner::Entity(id) => with_article(&vocabulary.entity_type(id).id),
        Owner::Section(_) => vocabulary.owner_name(owner),
    }
}

pub(crate) fn duplicate_field(key: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::of(
        codes::SCH006,
        span,
        format!("field `{}` is given twice", excerpt(key)),
    )
    .with_label(first, "first given here")
    .with_help("keep one of the two")
}

/// The key a syntax field stands for: its text; or, for a loosely written
/// key (`Model:`, `- term:`), the vocabulary's spelling of the key it
/// normalizes to, if the vocabulary has a field of that name anywhere.
pub(crate) fn key_of<'a>(source: &'a str, vocabulary: &'a Vocabulary, field: &Field) -> &'a str {
    let written = field.key.text(source);
    if !field.loose {
        return written;
    }
    let Some(key) = assure_syntax::normalize_key(written) else {
        return written;
    };
    vocabulary
        .fields()
        .find(|(_, def)| def.name == key)
        .map_or(written, |(_, def)| def.name.as_str())
}

/// SYN001 for a field of its entity or section with nothing after its
/// colon.
pub(crate) fn no_value(source: &str, field: &Field) -> Diagnostic {
    let key = field.key;
    Diagnostic::of(
        codes::SYN001,
        key.cover(field.value),
        format!("field `{}` has no value", excerpt(key.text(source))),
    )
    .with_help("write the value after the colon, or remove the field")
}

/// SCH007 for a loosely written key that stands for the field `key`, with
/// the line as it should be written.
pub(crate) fn loose_key(source: &str, field: &Field, key: &str) -> Diagnostic {
    let value = field.value.text(source);
    let rewrite = if value.is_empty() {
        format!("{key}:")
    } else {
        format!("{key}: {}", excerpt(value))
    };
    // From the start of the line to the value: the bullet, the bold, the
    // spacing and the key's case are what is loose.
    let line_start = source[..field.key.start as usize]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let written = if field.value.is_empty() {
        format!("{key}:")
    } else {
        format!("{key}: ")
    };
    let mut fix = Fix::replace(
        format!("write `{key}:`"),
        Applicability::Safe,
        Span::new(line_start as u32, field.value.start.max(field.key.end)),
        written,
    );
    // After the value on its line, what is not the value: a table row's
    // closing ` |`.
    let after = field.value.end.max(field.key.end) as usize;
    let line_end = source[after..]
        .find(['\n', '\r'])
        .map_or(source.len(), |i| after + i);
    if !source[after..line_end].trim().is_empty() {
        fix.edits.push(assure_diagnostic::Edit {
            span: Span::new(after as u32, line_end as u32),
            replacement: String::new(),
        });
    }
    Diagnostic::of(
        codes::SCH007,
        field.key,
        format!(
            "`{}:` is read as the field `{key}`, but is not written as a field is",
            excerpt(field.key.text(source).trim())
        ),
    )
    .with_help(format!("write `{rewrite}`: keys are lower case, at the start of the line, with the colon right after them"))
    .with_fix(fix)
}
