//! Walking the tree's lines: the sections and entities a proposal has, and
//! which of its fields belong to which. Nothing is typed here (that needs
//! every name, which only the whole walk knows): see [`crate::typing`].

use crate::schema;
use crate::store::FieldSlot;
use crate::{Entity, EntityId, SectionHeading, UnknownField};
use assure_diagnostic::{Listed, Span};
use assure_syntax::{LineKind, SourceFile};
use assure_vocab::{FieldId, HEADER, Owner, SectionId, Vocabulary, fold};
use rustc_hash::FxHashSet;
use std::ops::Range;

/// What walking the lines found. It borrows nothing of the tree, so that
/// the lines (most of a large tree) can be freed before the fields are
/// typed.
pub(crate) struct Outline<'a> {
    pub(crate) diagnostics: Listed,
    pub(crate) entities: Vec<Entity<'a>>,
    /// The syntax fields written under each entity, typed once all names
    /// are known: those between its heading and the next are consecutive.
    pub(crate) entity_fields: Vec<Range<u32>>,
    /// Fields written for an entity under its name again, in a section
    /// that adds to its own (`adds-to`: a register of interests), as
    /// (entity, field), by entity then in source order.
    pub(crate) added_fields: Vec<(u32, u32)>,
    /// The syntax fields of each section (and the header), by section id.
    pub(crate) section_fields: Vec<Vec<(FieldId, u32)>>,
    pub(crate) headings: Vec<SectionHeading>,
    pub(crate) section_prose: Vec<(SectionId, Span)>,
    pub(crate) unknown_fields: Vec<UnknownField>,
    /// Names of entities under unknown sections: references to them are not
    /// reported again, the section heading already is.
    pub(crate) unknown_section_names: FxHashSet<String>,
}

/// Walks `file`'s lines. `source` must be the text that was parsed.
pub(crate) fn walk<'a>(
    source: &'a str,
    file: &SourceFile,
    vocabulary: &'a Vocabulary,
) -> Outline<'a> {
    let mut walker = Walker {
        source,
        file,
        vocabulary,
        outline: Outline {
            diagnostics: Listed::new(),
            entities: Vec::new(),
            entity_fields: Vec::new(),
            added_fields: Vec::new(),
            section_fields: vec![Vec::new(); vocabulary.sections().len()],
            headings: Vec::new(),
            section_prose: Vec::new(),
            unknown_fields: Vec::new(),
            unknown_section_names: FxHashSet::default(),
        },
        by_name: None,
    };
    walker.walk();
    // By entity, each entity's in source order (a stable sort).
    walker
        .outline
        .added_fields
        .sort_by_key(|(entity, _)| *entity);
    walker.outline
}

/// Where the walk is: which section, and under which entity.
#[derive(Clone, Copy)]
enum SectionState {
    Header,
    Known(SectionId),
    Unknown,
}

struct Walker<'a, 'b> {
    source: &'a str,
    file: &'b SourceFile,
    vocabulary: &'a Vocabulary,
    outline: Outline<'a>,
    /// The entities so far by type and folded name, made on the first
    /// heading of a section that adds to another (most proposals have
    /// none, and pay nothing).
    by_name: Option<rustc_hash::FxHashMap<(u32, String), EntityId>>,
}

impl<'a> Walker<'a, '_> {
    fn key(&self, field: u32) -> &'a str {
        schema::key_of(
            self.source,
            self.vocabulary,
            &self.file.fields[field as usize],
        )
    }

    /// Whether `field` is a loosely written line, or one with nothing
    /// after its colon (`Key points:` above a list), whose key is not a
    /// field of `owner` (or of nothing, for `None`): then it is prose.
    fn is_prose(&self, owner: Option<Owner>, field: u32) -> bool {
        let syntax = &self.file.fields[field as usize];
        (syntax.loose || !syntax.has_value())
            && owner.is_none_or(|owner| {
                self.vocabulary
                    .fields_of(owner)
                    .get(self.key(field))
                    .is_none()
            })
    }

    /// Walks the lines: sections, entities, and which fields belong where.
    fn walk(&mut self) {
        let headings = self
            .file
            .lines
            .iter()
            .filter(|line| matches!(line.kind, LineKind::Entity { .. }))
            .count();
        self.outline.entities.reserve_exact(headings);
        self.outline.entity_fields.reserve_exact(headings);
        let mut section = SectionState::Header;
        let mut entity: Option<EntityId> = None;
        // Under a heading that names an entity written before, in a section
        // that adds to its own: its fields are added to that entity's.
        let mut adding = false;
        // Under an entity heading that could not be an entity: its fields are
        // kept but not checked, the heading's error says why.
        let mut orphan = false;
        for line in &self.file.lines {
            match &line.kind {
                LineKind::Section { title } => {
                    section = self.section_heading(*title, line.span);
                    entity = None;
                    orphan = false;
                    adding = false;
                }
                LineKind::Entity { name } => {
                    let heading = Span::new(line.span.start, name.end);
                    entity = None;
                    orphan = true;
                    adding = false;
                    match section {
                        SectionState::Known(id) => match self.vocabulary.section(id).entity {
                            Some(ty)
                                if self.vocabulary.section(id).adds_to.is_some()
                                    && let Some(existing) =
                                        self.entity_named(ty, name.text(self.source)) =>
                            {
                                entity = Some(existing);
                                orphan = false;
                                adding = true;
                            }
                            Some(ty) => {
                                adding = false;
                                let id = EntityId(self.outline.entities.len() as u32);
                                self.outline.entities.push(Entity {
                                    name: name.text(self.source),
                                    heading,
                                    name_span: *name,
                                    ty,
                                    kind: None,
                                    fields: FieldSlot::NONE,
                                    prose: Vec::new(),
                                });
                                self.outline.entity_fields.push(0..0);
                                if let Some(by_name) = &mut self.by_name {
                                    by_name
                                        .entry((ty.0, fold(name.text(self.source))))
                                        .or_insert(id);
                                }
                                entity = Some(id);
                                orphan = false;
                            }
                            None => self.entity_outside_section(heading),
                        },
                        SectionState::Header => self.entity_outside_section(heading),
                        SectionState::Unknown => {
                            self.outline
                                .unknown_section_names
                                .insert(fold(name.text(self.source)));
                        }
                    }
                }
                LineKind::Field { field } => {
                    let field = *field;
                    let owner = match (entity, section) {
                        (Some(id), _) => {
                            Some(Owner::Entity(self.outline.entities[id.0 as usize].ty))
                        }
                        (None, SectionState::Header) if !orphan => Some(Owner::Section(HEADER)),
                        (None, SectionState::Known(id))
                            if !orphan && self.vocabulary.section(id).entity.is_none() =>
                        {
                            Some(Owner::Section(id))
                        }
                        _ => None,
                    };
                    if self.is_prose(owner, field) {
                        // Prose with a colon in it (`Note: ...`).
                        self.prose(entity, section, self.file.fields[field as usize].span());
                        continue;
                    }
                    if !self.file.fields[field as usize].has_value() {
                        self.outline.diagnostics.push(schema::no_value(
                            self.source,
                            &self.file.fields[field as usize],
                        ));
                    }
                    if orphan {
                        self.keep_unknown(None, field);
                    } else if let (Some(id), true) = (entity, adding) {
                        self.outline.added_fields.push((id.0, field));
                    } else if let Some(id) = entity {
                        let fields = &mut self.outline.entity_fields[id.0 as usize];
                        if fields.start == fields.end {
                            *fields = field..field + 1;
                        } else {
                            fields.end = field + 1;
                        }
                    } else {
                        match section {
                            SectionState::Header => self.section_field(HEADER, field),
                            SectionState::Known(id)
                                if self.vocabulary.section(id).entity.is_none() =>
                            {
                                self.section_field(id, field);
                            }
                            SectionState::Known(id) => self.field_before_entity(id, field),
                            SectionState::Unknown => self.keep_unknown(None, field),
                        }
                    }
                }
                LineKind::Prose { text } | LineKind::ProseContinuation { text } => {
                    self.prose(entity, section, *text);
                }
                _ => {}
            }
        }
    }

    /// The entity of type `ty` named `name` (folded) written so far.
    fn entity_named(&mut self, ty: assure_vocab::EntityTypeId, name: &str) -> Option<EntityId> {
        let entities = &self.outline.entities;
        let by_name = self.by_name.get_or_insert_with(|| {
            let mut by_name = rustc_hash::FxHashMap::default();
            for (i, e) in entities.iter().enumerate() {
                // A name given twice (REF002) is the first's, as references are.
                by_name
                    .entry((e.ty.0, fold(e.name)))
                    .or_insert(EntityId(i as u32));
            }
            by_name
        });
        by_name.get(&(ty.0, fold(name))).copied()
    }

    fn section_heading(&mut self, title: Span, line: Span) -> SectionState {
        let text = title.text(self.source);
        if let Some(id) = self.vocabulary.section_by_title(text) {
            self.outline.headings.push(SectionHeading {
                section: id,
                span: line,
            });
            return SectionState::Known(id);
        }
        let (diagnostic, suggestion) = schema::unknown_section(self.vocabulary, text, title);
        self.outline.diagnostics.push(diagnostic);
        // Recover as the section it is most likely a misspelling of, so the
        // rest of it is still checked.
        match suggestion.and_then(|near| self.vocabulary.section_by_title(near)) {
            Some(id) => {
                self.outline.headings.push(SectionHeading {
                    section: id,
                    span: line,
                });
                SectionState::Known(id)
            }
            None => SectionState::Unknown,
        }
    }

    fn entity_outside_section(&mut self, heading: Span) {
        let diagnostic =
            schema::entity_outside_section(self.vocabulary, heading, heading.text(self.source));
        self.outline.diagnostics.push(diagnostic);
    }

    fn field_before_entity(&mut self, section: SectionId, field: u32) {
        let key = self.file.fields[field as usize].key;
        let diagnostic =
            schema::field_before_entity(self.vocabulary, section, key, key.text(self.source));
        self.outline.diagnostics.push(diagnostic);
        self.keep_unknown(None, field);
    }

    fn keep_unknown(&mut self, entity: Option<EntityId>, field: u32) {
        let syntax = &self.file.fields[field as usize];
        self.outline.unknown_fields.push(UnknownField {
            entity,
            key: syntax.key,
            value: syntax.value,
        });
    }

    /// Keeps `text` as the prose of `entity`, or else of `section` (that
    /// of an unknown section is not kept).
    fn prose(&mut self, entity: Option<EntityId>, section: SectionState, text: Span) {
        if let Some(id) = entity {
            self.outline.entities[id.0 as usize].prose.push(text);
            return;
        }
        let section = match section {
            SectionState::Header => Some(HEADER),
            SectionState::Known(id) => Some(id),
            SectionState::Unknown => None,
        };
        if let Some(section) = section {
            self.outline.section_prose.push((section, text));
        }
    }

    fn section_field(&mut self, section: SectionId, field: u32) {
        let key = self.key(field);
        let owner = Owner::Section(section);
        if self.file.fields[field as usize].loose {
            self.outline.diagnostics.push(schema::loose_key(
                self.source,
                &self.file.fields[field as usize],
                key,
            ));
        }
        let Some(id) = self.vocabulary.fields_of(owner).get(key) else {
            let diagnostic = schema::unknown_field(
                self.vocabulary,
                owner,
                key,
                self.file.fields[field as usize].key,
            );
            self.outline.diagnostics.push(diagnostic);
            self.keep_unknown(None, field);
            return;
        };
        let earlier = self.outline.section_fields[section.0 as usize]
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, syntax)| self.file.fields[*syntax as usize].key);
        match earlier {
            Some(first) => {
                let key_span = self.file.fields[field as usize].key;
                self.outline
                    .diagnostics
                    .push(schema::duplicate_field(key, key_span, first));
            }
            None => self.outline.section_fields[section.0 as usize].push((id, field)),
        }
    }
}
