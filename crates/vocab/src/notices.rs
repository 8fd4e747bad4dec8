//! `[notices]`: how a published notice (an Open Contracting release, as
//! Find a Tender publishes them) is read into a proposal, as data.
//!
//! Which entity a notice describes, where its name is, and for each field
//! where its value is: JSON pointers into the release (`*` for every
//! element of an array), phrases of the notice's free text whose sentence
//! holds the value, the phrases that choose each word of an enumerated
//! field, and the phrases that must be in the notice (or not) for the field
//! to be read at all (the notice's date is the notice of intention's only
//! when it says it is one). A pack adds its own fields and phrases; Rust
//! knows the shape of an Open Contracting release and nothing of a regime.

use crate::{EntityTypeId, FieldId, HEADER, Owner, ValueType, Vocabulary};
use assure_diagnostic::codes::{self, VOC001};
use assure_toml_reader::{Reader, Table, Value, span_of};

/// How notices are read, once every vocabulary table is loaded.
#[derive(Debug, Clone, Default)]
pub struct Notices {
    /// The entity type each notice (each `ocid`) becomes one of.
    pub entity: Option<EntityTypeId>,
    /// Where that entity's name is: the first pointer that has text.
    pub name: Vec<String>,
    /// The kind that entity is given, where its type has kinds: the notice
    /// does not say which of the vocabulary's it is.
    pub kind: Option<String>,
    /// The fields read, of the header and of that entity type, in the
    /// order declared.
    pub fields: Vec<NoticeField>,
    /// The kind of an entity a reference makes (an organisation named as
    /// buyer or supplier), by phrases in its name: the longest phrase found
    /// chooses.
    pub kinds: Vec<(String, Vec<String>)>,
}

/// Where one field's value is in a notice.
#[derive(Debug, Clone)]
pub struct NoticeField {
    /// The field.
    pub field: FieldId,
    /// JSON pointers into the release, `*` standing for every element of
    /// an array; the first that has a value gives it.
    pub at: Vec<String>,
    /// Phrases (lower case) of the free text: the value is in the sentence
    /// that says one (a date after it, the text after it, an amount).
    pub phrases: Vec<String>,
    /// For an enumerated field: each word with the phrases (lower case)
    /// that choose it.
    pub values: Vec<(String, Vec<String>)>,
    /// The field is read only from a notice whose text says one of these
    /// (lower case); none: from every notice.
    pub when: Vec<String>,
    /// ... and none of these.
    pub unless: Vec<String>,
    /// For a number found after `phrases`: the units (lower case) it is
    /// counted in, one of which follows it (`8 working days`); a number
    /// with none of them is not read.
    pub units: Vec<String>,
}

impl Vocabulary {
    /// How notices are read into proposals.
    pub fn notices(&self) -> &Notices {
        &self.notices
    }

    /// `[notices]`: the entity, its name's pointers, the header's and the
    /// entity's fields, the kinds by name.
    pub(crate) fn load_notices(&mut self, reader: &mut Reader<'_>, value: &Value<'_>) {
        let Some(mut table) = reader.table(value, "`notices`") else {
            return;
        };
        if let Some(entity) = table.get("entity")
            && let Some((name, span)) = reader.string(entity, "`entity`")
        {
            match self.entity_type_by_id(name) {
                Some(id) => self.notices.entity = Some(id),
                None => reader.error(
                    VOC001,
                    span,
                    format!("`{name}` is no entity type; notices describe one"),
                ),
            }
        }
        if let Some(kind) = table.get("kind")
            && let Some((word, span)) = reader.string(kind, "`kind`")
        {
            match self.notices.entity {
                Some(entity) if self.entity_type(entity).kinds.iter().any(|k| k == word) => {
                    self.notices.kind = Some(word.to_owned());
                }
                _ => reader.error(
                    VOC001,
                    span,
                    format!("`{word}` is no kind of the entity notices describe"),
                ),
            }
        }
        if let Some(name) = table.get("name") {
            for (pointer, span) in strings(reader, name, "`name`") {
                if check_pointer(reader, pointer, span) {
                    self.notices.name.push(pointer.to_owned());
                }
            }
        }
        if let Some(header) = table.get("header") {
            self.load_notice_fields(reader, Owner::Section(HEADER), header);
        }
        if let Some(fields) = table.get("fields") {
            match self.notices.entity {
                Some(entity) => self.load_notice_fields(reader, Owner::Entity(entity), fields),
                None => reader.error(
                    VOC001,
                    span_of(fields),
                    "`fields` are read into the entity a notice describes: name it with `entity`",
                ),
            }
        }
        if let Some(kinds) = table.get("kinds")
            && let Some(mut kinds) = reader.table(kinds, "`kinds`")
        {
            for (kind, span, phrases) in kinds.entries() {
                if !self
                    .entity_types
                    .iter()
                    .any(|t| t.kinds.iter().any(|k| k == kind))
                {
                    reader.error(VOC001, span, format!("`{kind}` is no entity kind"));
                    continue;
                }
                let phrases = lowered(strings(reader, phrases, "a kind's phrases"));
                match self.notices.kinds.iter_mut().find(|(k, _)| k == kind) {
                    Some((_, known)) => extend_unique(known, phrases),
                    None => self.notices.kinds.push((kind.to_owned(), phrases)),
                }
            }
            kinds.finish(reader, &[], "`kinds`");
        }
        table.finish(
            reader,
            &["entity", "kind", "name", "header", "fields", "kinds"],
            "`notices`",
        );
    }

    fn load_notice_fields(&mut self, reader: &mut Reader<'_>, owner: Owner, value: &Value<'_>) {
        let Some(mut fields) = reader.table(value, "notice fields") else {
            return;
        };
        for (name, span, spec) in fields.entries() {
            let Some(field) = self.fields_of(owner).get(name) else {
                reader.error(
                    VOC001,
                    span,
                    format!("`{name}` is no field of {}", self.owner_name(owner)),
                );
                continue;
            };
            let Some(mut spec) = reader.table(spec, "a notice field") else {
                continue;
            };
            let read = self.notice_field(reader, field, &mut spec);
            spec.finish(reader, &NOTICE_FIELD_KEYS, "a notice field");
            match self.notices.fields.iter_mut().find(|f| f.field == field) {
                Some(known) => {
                    extend_unique(&mut known.at, read.at);
                    extend_unique(&mut known.phrases, read.phrases);
                    for (word, phrases) in read.values {
                        match known.values.iter_mut().find(|(w, _)| *w == word) {
                            Some((_, old)) => extend_unique(old, phrases),
                            None => known.values.push((word, phrases)),
                        }
                    }
                    extend_unique(&mut known.when, read.when);
                    extend_unique(&mut known.unless, read.unless);
                    extend_unique(&mut known.units, read.units);
                }
                None => self.notices.fields.push(read),
            }
        }
        fields.finish(reader, &[], "notice fields");
    }

    fn notice_field(
        &self,
        reader: &mut Reader<'_>,
        field: FieldId,
        spec: &mut Table<'_, '_>,
    ) -> NoticeField {
        let def = self.field(field);
        let mut read = NoticeField {
            field,
            at: Vec::new(),
            phrases: Vec::new(),
            values: Vec::new(),
            when: Vec::new(),
            unless: Vec::new(),
            units: Vec::new(),
        };
        if let Some(at) = spec.get("at") {
            for (pointer, span) in strings(reader, at, "`at`") {
                if check_pointer(reader, pointer, span) {
                    read.at.push(pointer.to_owned());
                }
            }
        }
        let words = match &def.ty {
            ValueType::Enum(e) | ValueType::Words(e) => Some(e),
            _ => None,
        };
        if let Some(phrases) = spec.get("phrases") {
            if words.is_some() || def.is_edge() {
                reader.error(
                    VOC001,
                    span_of(phrases),
                    format!(
                        "`{}` is {}: its words are chosen by `values`, not found after `phrases`",
                        def.name,
                        def.ty.describe()
                    ),
                );
            } else {
                read.phrases = lowered(strings(reader, phrases, "`phrases`"));
            }
        }
        if let Some(values) = spec.get("values")
            && let Some(mut table) = reader.table(values, "`values`")
        {
            for (word, span, phrases) in table.entries() {
                match words {
                    Some(e) if e.position(word).is_some() => {
                        let phrases = lowered(strings(reader, phrases, "a word's phrases"));
                        read.values.push((word.to_owned(), phrases));
                    }
                    Some(e) => reader.error(
                        VOC001,
                        span,
                        format!("`{word}` is not one of {}", e.values.join(", ")),
                    ),
                    None => reader.error(
                        VOC001,
                        span,
                        format!(
                            "`{}` has no words to choose: it is {}",
                            def.name,
                            def.ty.describe()
                        ),
                    ),
                }
            }
            table.finish(reader, &[], "`values`");
        }
        if let Some(when) = spec.get("when") {
            read.when = lowered(strings(reader, when, "`when`"));
        }
        if let Some(unless) = spec.get("unless") {
            read.unless = lowered(strings(reader, unless, "`unless`"));
        }
        if let Some(units) = spec.get("units") {
            if matches!(def.ty, ValueType::Number) {
                read.units = lowered(strings(reader, units, "`units`"));
            } else {
                reader.error(
                    VOC001,
                    span_of(units),
                    format!(
                        "`{}` is {}: `units` say what a number found after `phrases` counts",
                        def.name,
                        def.ty.describe()
                    ),
                );
            }
        }
        if matches!(def.ty, ValueType::Number) && !read.phrases.is_empty() && read.units.is_empty()
        {
            reader.error(
                codes::TOML003,
                spec.span(),
                format!(
                    "`{}` is a number found after `phrases`: give the `units` it is counted in (`units = [\"working days\"]`), or any number in the sentence would be taken",
                    def.name
                ),
            );
        }
        if read.at.is_empty() && read.phrases.is_empty() && read.values.is_empty() {
            reader.error(
                codes::TOML003,
                spec.span(),
                format!(
                    "`{}` says nowhere to read it: give `at`, `phrases` or `values`",
                    def.name
                ),
            );
        }
        read
    }
}

const NOTICE_FIELD_KEYS: [&str; 6] = ["at", "phrases", "values", "when", "unless", "units"];

/// Whether `pointer` is a JSON pointer (`/tender/value`, `*` for every
/// element); an error where not.
fn check_pointer(reader: &mut Reader<'_>, pointer: &str, span: assure_diagnostic::Span) -> bool {
    let well_formed = pointer.starts_with('/') && pointer[1..].split('/').all(|s| !s.is_empty());
    if !well_formed {
        reader.error(
            codes::TOML003,
            span,
            format!("`{pointer}` is not a JSON pointer such as `/tender/value` (`*` for every element of a list)"),
        );
    }
    well_formed
}

fn lowered(list: Vec<(&str, assure_diagnostic::Span)>) -> Vec<String> {
    list.into_iter()
        .map(|(s, _)| crate::fold(s))
        .filter(|s| !s.is_empty())
        .collect()
}

fn extend_unique(into: &mut Vec<String>, more: Vec<String>) {
    for item in more {
        if !into.contains(&item) {
            into.push(item);
        }
    }
}

/// A list of strings, or none where the value is not one (said).
fn strings<'t>(
    reader: &mut Reader<'_>,
    value: &'t Value<'_>,
    what: &str,
) -> Vec<(&'t str, assure_diagnostic::Span)> {
    reader.strings(value, what).unwrap_or_default()
}
