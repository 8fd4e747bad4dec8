//! From the line tree to the model: sections and entities found, names
//! indexed, values typed, edges added.

use crate::links::Links;
use crate::names::NameIndex;
use crate::typing::Typer;
use crate::{
    Edge, Entity, EntityId, FieldSlot, FieldStore, FieldValue, Model, RefPages, SectionHeading,
    UnknownField, Value,
};
use assure_diagnostic::{Diagnostic, Span, closest, codes, excerpt};
use assure_syntax::{LineKind, Parse, SourceFile};
use assure_vocab::{FieldId, HEADER, Owner, SectionId, Vocabulary, fold};
use petgraph::graph::NodeIndex;
use rustc_hash::FxHashSet;
use std::ops::Range;

/// Builds the model of a parsed proposal, returning it with every structural
/// diagnostic found on the way. `source` must be the text that was parsed.
pub fn build<'a>(
    source: &'a str,
    parse: &Parse,
    vocabulary: &'a Vocabulary,
) -> (Model<'a>, Vec<Diagnostic>) {
    Outline::new(source, &parse.file, vocabulary).build(&parse.file)
}

/// The first half of [`build`]: the sections and entities found by walking
/// the tree's lines. It borrows nothing of the tree, so that a caller may
/// free the lines (most of a large tree) before [`Outline::build`] types the
/// fields.
pub struct Outline<'a> {
    source: &'a str,
    vocabulary: &'a Vocabulary,
    diagnostics: Vec<Diagnostic>,
    entities: Vec<Entity<'a>>,
    entity_fields: Vec<Range<u32>>,
    section_fields: Vec<Vec<(FieldId, u32)>>,
    headings: Vec<SectionHeading>,
    section_prose: Vec<(SectionId, Span)>,
    unknown_fields: Vec<UnknownField>,
    unknown_section_names: FxHashSet<String>,
}

impl<'a> Outline<'a> {
    /// Walks `file`'s lines: sections, entities, and which fields belong
    /// where. `source` must be the text that was parsed.
    pub fn new(source: &'a str, file: &SourceFile, vocabulary: &'a Vocabulary) -> Outline<'a> {
        let mut builder = Builder::new(source, file, vocabulary);
        builder.walk();
        Outline {
            source,
            vocabulary,
            diagnostics: builder.diagnostics,
            entities: builder.entities,
            entity_fields: builder.entity_fields,
            section_fields: builder.section_fields,
            headings: builder.headings,
            section_prose: builder.section_prose,
            unknown_fields: builder.unknown_fields,
            unknown_section_names: builder.unknown_section_names,
        }
    }

    /// Types the fields and links the entities. `file` must be the tree
    /// the outline was made from, though only its fields and value segments
    /// are still read.
    pub fn build(self, file: &SourceFile) -> (Model<'a>, Vec<Diagnostic>) {
        self.type_fields(file).link()
    }

    /// The first part of [`Outline::build`]: types the fields and resolves
    /// the names. The result borrows nothing of the tree, so that a caller
    /// may free it before [`Typed::link`] numbers and groups the edges.
    pub fn type_fields(self, file: &SourceFile) -> Typed<'a> {
        Builder {
            source: self.source,
            file,
            vocabulary: self.vocabulary,
            diagnostics: self.diagnostics,
            entities: self.entities,
            entity_fields: self.entity_fields,
            section_fields: self.section_fields,
            headings: self.headings,
            section_prose: self.section_prose,
            unknown_fields: self.unknown_fields,
            unknown_section_names: self.unknown_section_names,
        }
        .type_fields()
    }
}

/// A proposal's entities with their fields typed and their references
/// resolved, not yet linked in a graph: see [`Outline::type_fields`].
pub struct Typed<'a> {
    source: &'a str,
    vocabulary: &'a Vocabulary,
    diagnostics: Vec<Diagnostic>,
    entities: Vec<Entity<'a>>,
    names: NameIndex,
    values: FieldStore<'a>,
    section_slots: Vec<FieldSlot>,
    /// How many reference items the values hold, resolved or not.
    references: usize,
    headings: Vec<SectionHeading>,
    section_prose: Vec<(SectionId, Span)>,
    unknown_fields: Vec<UnknownField>,
}

impl<'a> Typed<'a> {
    /// Numbers the edges and groups them by node and field ([`Links`]),
    /// and returns the model with every structural diagnostic, in source
    /// order.
    pub fn link(mut self) -> (Model<'a>, Vec<Diagnostic>) {
        let (edges, links) = edges_and_links(
            &self.entities,
            &self.values,
            &self.section_slots,
            self.references,
        );
        let mut by_type = vec![Vec::new(); self.vocabulary.entity_types().len()];
        for (index, entity) in self.entities.iter().enumerate() {
            by_type[entity.ty.0 as usize].push(EntityId(index as u32));
        }
        // Diagnostics are reported in source order, whatever phase found them.
        self.diagnostics.sort_by_key(|d| d.span.start);
        let model = Model {
            source: self.source,
            entities: self.entities,
            by_type,
            names: self.names,
            values: self.values,
            section_slots: self.section_slots,
            headings: self.headings,
            section_prose: self.section_prose,
            unknown_fields: self.unknown_fields,
            edges,
            links,
            graph: std::sync::OnceLock::new(),
        };
        (model, self.diagnostics)
    }
}

/// Where the walk is: which section, and under which entity.
#[derive(Clone, Copy)]
enum SectionState {
    Header,
    Known(SectionId),
    Unknown,
}

struct Builder<'a, 'b> {
    source: &'a str,
    file: &'b SourceFile,
    vocabulary: &'a Vocabulary,
    diagnostics: Vec<Diagnostic>,
    entities: Vec<Entity<'a>>,
    /// The syntax fields written under each entity, typed once all names
    /// are known: those between its heading and the next are consecutive.
    entity_fields: Vec<Range<u32>>,
    /// The syntax fields of each section (and the header), by section id.
    section_fields: Vec<Vec<(FieldId, u32)>>,
    headings: Vec<SectionHeading>,
    section_prose: Vec<(SectionId, Span)>,
    unknown_fields: Vec<UnknownField>,
    /// Names of entities under unknown sections: references to them are not
    /// reported again, the section heading already is.
    unknown_section_names: FxHashSet<String>,
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(source: &'a str, file: &'b SourceFile, vocabulary: &'a Vocabulary) -> Self {
        Builder {
            source,
            file,
            vocabulary,
            diagnostics: Vec::new(),
            entities: Vec::new(),
            entity_fields: Vec::new(),
            section_fields: vec![Vec::new(); vocabulary.sections().len()],
            headings: Vec::new(),
            section_prose: Vec::new(),
            unknown_fields: Vec::new(),
            unknown_section_names: FxHashSet::default(),
        }
    }

    fn key(&self, field: u32) -> &'a str {
        self.file.fields[field as usize].key.text(self.source)
    }

    fn type_fields(mut self) -> Typed<'a> {
        let names = self.index_names();
        let blocks = self.type_entities(&names);
        let mut references = 0;
        let mut values = FieldStore::default();
        // Each block's values stay one chunk, which its entities point into.
        for (entities, block) in self.entities.chunks_mut(BLOCK).zip(blocks) {
            references += item_count(&block.refs);
            for ((entity, kind), slot) in entities.iter_mut().zip(block.kinds).zip(block.slots) {
                entity.kind = kind;
                entity.fields = slot;
            }
            values.push(block.values, block.refs);
            self.unknown_fields.extend(block.unknown_fields);
            self.diagnostics.extend(block.diagnostics);
        }
        let chunk = values.next_chunk();
        let mut typer = self.typer(&names, chunk);
        let mut section_values = Vec::new();
        let mut section_slots = Vec::with_capacity(self.vocabulary.sections().len());
        for fields in &self.section_fields {
            let start = section_values.len();
            section_values.extend(
                fields
                    .iter()
                    .filter_map(|&(field, syntax_field)| typer.field(field, syntax_field)),
            );
            section_slots.push(FieldSlot::of(chunk, start, &section_values));
        }
        let (mut diagnostics, section_refs) = typer.finish();
        self.diagnostics.append(&mut diagnostics);
        let references = references + item_count(&section_refs);
        values.push(section_values, section_refs);
        Typed {
            source: self.source,
            vocabulary: self.vocabulary,
            diagnostics: self.diagnostics,
            entities: self.entities,
            names,
            values,
            section_slots,
            references,
            headings: self.headings,
            section_prose: self.section_prose,
            unknown_fields: self.unknown_fields,
        }
    }

    /// Types every entity's fields, block by block: a large proposal's
    /// blocks on several threads. Each block has its own typer, so what is
    /// reported depends on the blocks, never on the number of threads.
    fn type_entities(&self, names: &NameIndex) -> Vec<TypedBlock<'a>> {
        let blocks: Vec<usize> = (0..self.entities.len().div_ceil(BLOCK)).collect();
        let threads = assure_stdx::parallel::threads_for(self.entities.len(), BLOCK);
        assure_stdx::parallel::map_in_order(&blocks, threads, |&block| self.type_block(names, block))
    }

    /// A typer of this proposal's values, with its own budget of
    /// suggestions.
    /// Its references go to chunk number `chunk` of the model's.
    fn typer<'s>(&'s self, names: &'s NameIndex, chunk: usize) -> Typer<'a, 's> {
        Typer::new(
            self.source,
            self.file,
            self.vocabulary,
            names,
            &self.unknown_section_names,
            &self.entities,
            chunk,
        )
    }

    /// Types the entities of block number `block`.
    fn type_block(&self, names: &NameIndex, block: usize) -> TypedBlock<'a> {
        let range = block * BLOCK..((block + 1) * BLOCK).min(self.entities.len());
        let mut typer = self.typer(names, block);
        let mut seen = Vec::new();
        // At most one value per field written: one allocation for the block.
        let fields: usize = self.entity_fields[range.clone()]
            .iter()
            .map(|fields| fields.len())
            .sum();
        let mut typed = TypedBlock {
            kinds: Vec::with_capacity(range.len()),
            slots: Vec::with_capacity(range.len()),
            values: Vec::with_capacity(fields),
            refs: Vec::new(),
            unknown_fields: Vec::new(),
            diagnostics: Vec::new(),
        };
        for index in range {
            let start = typed.values.len();
            let kind = type_entity(
                &mut typer,
                &self.entities[index],
                self.entity_fields[index].clone(),
                &mut typed.unknown_fields,
                index,
                &mut seen,
                &mut typed.values,
            );
            typed.kinds.push(kind);
            typed.slots.push(FieldSlot::of(block, start, &typed.values));
        }
        (typed.diagnostics, typed.refs) = typer.finish();
        typed
    }

    /// Walks the lines: sections, entities, and which fields belong where.
    fn walk(&mut self) {
        let headings = self
            .file
            .lines
            .iter()
            .filter(|line| matches!(line.kind, LineKind::Entity { .. }))
            .count();
        self.entities.reserve_exact(headings);
        self.entity_fields.reserve_exact(headings);
        let mut section = SectionState::Header;
        let mut entity: Option<EntityId> = None;
        // Under an entity heading that could not be an entity: its fields are
        // kept but not checked, the heading's error says why.
        let mut orphan = false;
        for line in &self.file.lines {
            match &line.kind {
                LineKind::Section { title } => {
                    section = self.section_heading(*title, line.span);
                    entity = None;
                    orphan = false;
                }
                LineKind::Entity { name } => {
                    let heading = Span::new(line.span.start, name.end);
                    entity = None;
                    orphan = true;
                    match section {
                        SectionState::Known(id) => match self.vocabulary.section(id).entity {
                            Some(ty) => {
                                let id = EntityId(self.entities.len() as u32);
                                self.entities.push(Entity {
                                    name: name.text(self.source),
                                    heading,
                                    name_span: *name,
                                    ty,
                                    kind: None,
                                    fields: FieldSlot::NONE,
                                    prose: Vec::new(),
                                });
                                self.entity_fields.push(0..0);
                                entity = Some(id);
                                orphan = false;
                            }
                            None => self.entity_outside_section(heading),
                        },
                        SectionState::Header => self.entity_outside_section(heading),
                        SectionState::Unknown => {
                            self.unknown_section_names
                                .insert(fold(name.text(self.source)));
                        }
                    }
                }
                LineKind::Field { field } => {
                    let field = *field;
                    if orphan {
                        self.keep_unknown(None, field);
                    } else if let Some(id) = entity {
                        let fields = &mut self.entity_fields[id.0 as usize];
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
                    if let Some(id) = entity {
                        self.entities[id.0 as usize].prose.push(*text);
                    } else {
                        match section {
                            SectionState::Header => self.section_prose.push((HEADER, *text)),
                            SectionState::Known(id) => self.section_prose.push((id, *text)),
                            SectionState::Unknown => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn section_heading(&mut self, title: Span, line: Span) -> SectionState {
        let text = title.text(self.source);
        if let Some(id) = self.vocabulary.section_by_title(text) {
            self.headings.push(SectionHeading {
                section: id,
                span: line,
            });
            return SectionState::Known(id);
        }
        let titles: Vec<&str> = self
            .vocabulary
            .sections()
            .iter()
            .filter_map(|s| s.title.as_deref())
            .collect();
        let suggestion = closest(text, titles.iter().copied());
        let diagnostic = Diagnostic::error(
            codes::SCH001,
            title,
            format!("unknown section `{}`", excerpt(text)),
        );
        let diagnostic = match suggestion {
            Some(near) => diagnostic.with_help(format!("did you mean `# {near}`?")),
            None => diagnostic.with_help(format!("the sections are: {}", titles.join(", "))),
        };
        self.diagnostics.push(diagnostic);
        // Recover as the section it is most likely a misspelling of, so the
        // rest of it is still checked.
        match suggestion.and_then(|near| self.vocabulary.section_by_title(near)) {
            Some(id) => {
                self.headings.push(SectionHeading {
                    section: id,
                    span: line,
                });
                SectionState::Known(id)
            }
            None => SectionState::Unknown,
        }
    }

    fn entity_sections(&self) -> String {
        self.vocabulary
            .sections()
            .iter()
            .filter(|s| s.entity.is_some())
            .filter_map(|s| s.title.as_deref())
            .map(|t| format!("`# {t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn entity_outside_section(&mut self, heading: Span) {
        let help = format!("entities are written under {}", self.entity_sections());
        self.diagnostics.push(
            Diagnostic::error(
                codes::SCH005,
                heading,
                format!(
                    "entity heading `{}` is outside an entity section",
                    excerpt(heading.text(self.source))
                ),
            )
            .with_help(help),
        );
    }

    fn field_before_entity(&mut self, section: SectionId, field: u32) {
        let title = self
            .vocabulary
            .section(section)
            .title
            .clone()
            .unwrap_or_default();
        let key = self.file.fields[field as usize].key;
        self.diagnostics.push(
            Diagnostic::warning(
                codes::SCH002,
                key,
                format!(
                    "field `{}` in `# {title}` is not under any entity",
                    excerpt(key.text(self.source))
                ),
            )
            .with_help("write it under the `## Name` heading of the entity it describes"),
        );
        self.keep_unknown(None, field);
    }

    fn keep_unknown(&mut self, entity: Option<EntityId>, field: u32) {
        let syntax = &self.file.fields[field as usize];
        self.unknown_fields.push(UnknownField {
            entity,
            key: syntax.key,
            value: syntax.value,
        });
    }

    fn section_field(&mut self, section: SectionId, field: u32) {
        let key = self.key(field);
        let owner = Owner::Section(section);
        let Some(id) = self.vocabulary.fields_of(owner).get(key) else {
            let diagnostic = unknown_field(
                self.vocabulary,
                owner,
                key,
                self.file.fields[field as usize].key,
            );
            self.diagnostics.push(diagnostic);
            self.keep_unknown(None, field);
            return;
        };
        let earlier = self.section_fields[section.0 as usize]
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, syntax)| self.file.fields[*syntax as usize].key);
        match earlier {
            Some(first) => {
                let key_span = self.file.fields[field as usize].key;
                self.diagnostics.push(duplicate_field(key, key_span, first));
            }
            None => self.section_fields[section.0 as usize].push((id, field)),
        }
    }

    /// Indexes entity names; a name given twice is REF002 on the later
    /// heading, and references go to the first.
    fn index_names(&mut self) -> NameIndex {
        let (names, twice) = NameIndex::new(self.source, &self.entities);
        for (later, first) in twice {
            let entity = &self.entities[later.0 as usize];
            let first = &self.entities[first.0 as usize];
            self.diagnostics.push(
                Diagnostic::error(
                    codes::REF002,
                    entity.heading,
                    format!("`{}` is defined twice", excerpt(entity.name)),
                )
                .with_label(first.heading, "first defined here")
                .with_help("give each entity its own name, or merge the two"),
            );
        }
        names
    }
}

/// How many entities one typer types; see [`Builder::type_entities`].
const BLOCK: usize = 16_384;

/// What typing one block of entities found.
struct TypedBlock<'a> {
    kinds: Vec<Option<&'a str>>,
    /// Where each entity's values are in `values`.
    slots: Vec<FieldSlot>,
    /// Every value of the block's entities, in order.
    values: Vec<FieldValue<'a>>,
    /// Every reference item of those values, in order: how many there are
    /// sizes the graph without another pass over every value.
    refs: RefPages<'a>,
    unknown_fields: Vec<UnknownField>,
    diagnostics: Vec<Diagnostic>,
}

/// Types an entity's fields, pushing their values onto `values`: its kind
/// first (other fields may apply only to some kinds), then the rest in
/// source order. Returns its kind. `seen` is a buffer reused from one
/// entity to the next.
fn type_entity<'a>(
    typer: &mut Typer<'a, '_>,
    entity: &Entity<'a>,
    fields: Range<u32>,
    unknown_fields: &mut Vec<UnknownField>,
    index: usize,
    seen: &mut Vec<(FieldId, Span)>,
    values: &mut Vec<FieldValue<'a>>,
) -> Option<&'a str> {
    let vocabulary = typer.vocabulary();
    let ty = vocabulary.entity_type(entity.ty);
    let owner = Owner::Entity(entity.ty);
    seen.clear();
    let mut kind = None;
    if let Some(kind_field) = ty.kind_field {
        match fields.clone().find(|&f| typer.key(f) == "kind") {
            Some(field) => {
                if let Some(value) = typer.field(kind_field, field) {
                    if let Value::Word { word, .. } = &value.value {
                        kind = Some(*word);
                    }
                    seen.push((kind_field, value.key));
                    values.push(value);
                } else {
                    seen.push((kind_field, typer.syntax_field(field).key));
                }
            }
            None => typer.push(
                Diagnostic::error(
                    codes::SCH004,
                    entity.heading,
                    format!("{} `{}` has no `kind`", ty.id, excerpt(entity.name)),
                )
                .with_help(format!("add `kind: ...`, one of: {}", ty.kinds.join(", "))),
            ),
        }
    }
    for field in fields {
        let key = typer.key(field);
        let key_span = typer.syntax_field(field).key;
        let Some(id) = ty.fields.get(key) else {
            typer.push(unknown_field(vocabulary, owner, key, key_span));
            unknown_fields.push(UnknownField {
                entity: Some(EntityId(index as u32)),
                key: key_span,
                value: typer.syntax_field(field).value,
            });
            continue;
        };
        if let Some(first) = seen.iter().find(|(f, _)| *f == id).map(|(_, span)| *span) {
            if first != key_span {
                typer.push(duplicate_field(key, key_span, first));
            }
            continue;
        }
        seen.push((id, key_span));
        let def = vocabulary.field(id);
        if let (Some(allowed), Some(kind)) = (&def.kinds, kind)
            && !allowed.iter().any(|k| k == kind)
        {
            typer.push(
                Diagnostic::warning(
                    codes::SCH002,
                    key_span,
                    format!(
                        "field `{key}` does not apply to {} of kind `{kind}`",
                        with_article(&ty.id)
                    ),
                )
                .with_help(format!("`{key}` applies to: {}", allowed.join(", "))),
            );
            continue;
        }
        if let Some(value) = typer.field(id, field) {
            values.push(value);
        }
    }
    kind
}

fn unknown_field(vocabulary: &Vocabulary, owner: Owner, key: &str, span: Span) -> Diagnostic {
    let known = vocabulary.fields_of(owner);
    let names: Vec<&str> = known
        .ids()
        .iter()
        .map(|id| vocabulary.field(*id).name.as_str())
        .collect();
    let diagnostic = Diagnostic::warning(
        codes::SCH002,
        span,
        format!(
            "unknown field `{}` for {}",
            excerpt(key),
            describe_owner(vocabulary, owner)
        ),
    );
    match closest(key, names.iter().copied()) {
        Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
        None if names.is_empty() => diagnostic.with_help("this section has no fields"),
        None => diagnostic.with_help(format!("the fields here are: {}", names.join(", "))),
    }
}

fn describe_owner(vocabulary: &Vocabulary, owner: Owner) -> String {
    match owner {
        Owner::Entity(id) => with_article(&vocabulary.entity_type(id).id),
        Owner::Section(_) => vocabulary.owner_name(owner),
    }
}

/// `organisation` → `an organisation`, `person` → `a person`.
pub(crate) fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn duplicate_field(key: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::error(
        codes::SCH006,
        span,
        format!("field `{}` is given twice", excerpt(key)),
    )
    .with_label(first, "first given here")
    .with_help("keep one of the two")
}

/// How many reference items `pages` hold.
fn item_count(pages: &RefPages<'_>) -> usize {
    pages.iter().map(Vec::len).sum()
}

/// One edge per resolved reference item, numbered in source order: each
/// edge's field and span, and the edges grouped by node and field.
/// `references` (the number of reference items, resolved or not) sizes
/// them.
fn edges_and_links<'a>(
    entities: &[Entity<'a>],
    values: &FieldStore<'a>,
    section_slots: &[FieldSlot],
    references: usize,
) -> (Vec<Edge>, Links) {
    let mut weights = Vec::with_capacity(references);
    let edges = edges(entities, values, section_slots).map(|(from, to, field, span)| {
        weights.push(Edge { field, span });
        (from, to, field)
    });
    let links = Links::new(entities.len() + 1, references, edges);
    (weights, links)
}

/// Every resolved reference as an edge (from, to, field, name span), in
/// the order the graph numbers them: the proposal's, then each entity's.
fn edges<'m, 'a: 'm>(
    entities: &'m [Entity<'a>],
    values: &'m FieldStore<'a>,
    section_slots: &'m [FieldSlot],
) -> impl Iterator<Item = (NodeIndex, NodeIndex, FieldId, Span)> + 'm {
    let proposal = section_slots.iter().map(|slot| (NodeIndex::new(0), slot));
    let entities = entities
        .iter()
        .enumerate()
        .map(|(index, entity)| (NodeIndex::new(index + 1), &entity.fields));
    proposal.chain(entities).flat_map(move |(from, slot)| {
        values.get(slot).iter().flat_map(move |field| {
            let refs = match &field.value {
                Value::Refs(refs) => values.references(refs),
                _ => &[],
            };
            refs.iter().filter_map(move |reference| {
                let target = reference.target?;
                let to = NodeIndex::new(target.0 as usize + 1);
                Some((from, to, field.field, reference.name_span))
            })
        })
    })
}
