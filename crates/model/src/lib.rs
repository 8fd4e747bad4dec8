//! The proposal model: entities with typed field values, names resolved, and
//! a petgraph graph of who holds, owns, sits on and guarantees what.
//!
//! [`build`] takes a parsed [`assure_syntax::SourceFile`] and the
//! [`Vocabulary`], and returns a [`Model`] and the structural diagnostics
//! (SCH001-SCH006, REF001, REF002, SYN001 and SYN002 for values). It never
//! fails: whatever cannot be understood is reported and left out, and the
//! rest is modelled.
//!
//! Values are exact: money in integer pence, numbers and percents as
//! decimals, dates as calendar dates, durations in calendar months and days.
//!
//! The model borrows: names, text and words are slices of the source or of
//! the vocabulary (`Model<'a>` lives no longer than either), and are copied
//! only where the document spreads one over several lines. A proposal of a
//! million entities is modelled without a million small allocations.
//!
//! The graph has one node for the proposal and one per entity; every
//! resolved reference item is one edge, labelled with its field and carrying
//! the item's span and qualifier. The model holds the edges as a table and
//! as [`Links`] (each node's edges grouped by field), which is all the rules
//! read; the petgraph [`Model::graph`] is built from them on first use.
//! Ownership and membership may form cycles; the model does not traverse,
//! so it cannot loop.

mod build;
mod links;
mod names;
mod typing;
pub mod value;

pub use build::{Outline, Typed, build};
pub use links::{Link, Links};
pub use value::{Date, Duration, Money};

use assure_diagnostic::Span;
use assure_vocab::{EntityTypeId, FieldId, SectionId, Vocabulary};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rust_decimal::Decimal;
use std::borrow::Cow;

/// Names an entity of one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u32);

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Free text, continuation lines joined with one space.
    Text(Cow<'a, str>),
    /// A number.
    Number(Decimal),
    /// A percentage: the number written before `%`.
    Percent(Decimal),
    /// An amount of money.
    Money(Money),
    /// A calendar date.
    Date(Date),
    /// A duration.
    Duration(Duration),
    /// `yes` or `no`.
    Bool(bool),
    /// A word of an enumerated type or a kind, in the vocabulary's spelling,
    /// with its date for dated words (`approved 2016-06-20`).
    Word {
        /// The word, as the vocabulary spells it.
        word: &'a str,
        /// The date after it, and the date's span.
        date: Option<(Date, Span)>,
    },
    /// References, resolved or not: see [`Model::references`].
    Refs(Refs),
}

/// Where one field's reference items are among the model's
/// ([`Model::references`]): a proposal has millions of them, kept in a few
/// large vectors rather than one small one per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refs {
    chunk: u32,
    page: u32,
    start: u32,
    len: u32,
}

impl Refs {
    /// How many items there are.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The items `pages[page][start..]`, the last pushed onto page `page`
    /// of chunk number `chunk`.
    pub(crate) fn of(chunk: usize, page: usize, start: usize, pages: &RefPages<'_>) -> Refs {
        Refs {
            chunk: chunk as u32,
            page: page as u32,
            start: start as u32,
            len: (pages[page].len() - start) as u32,
        }
    }
}

/// One chunk's reference items, in pages that never grow: a field's items
/// are all on one page, one started for them if the last has no room. A
/// vector grown by doubling instead left its old buffers to the allocator
/// (60 MB at the peak, at a million entities) and its slack to the model.
pub(crate) type RefPages<'a> = Vec<Vec<Reference<'a>>>;

/// How many items a page holds, unless one field has more.
pub(crate) const REF_PAGE: usize = 1_024;

/// Room on the last of `pages` for `items` more: the page and where they
/// start on it.
pub(crate) fn room_for(pages: &mut RefPages<'_>, items: usize) -> (usize, usize) {
    let fits = pages
        .last()
        .is_some_and(|page| page.capacity() - page.len() >= items);
    if !fits {
        pages.push(Vec::with_capacity(items.max(REF_PAGE)));
    }
    let page = pages.len() - 1;
    (page, pages[page].len())
}

/// One item of a reference field.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference<'a> {
    /// The entity named, if the name resolved.
    pub target: Option<EntityId>,
    /// The name as written, white space folded.
    pub name: Cow<'a, str>,
    /// The span of the name.
    pub name_span: Span,
    /// The span of the whole item, qualifier included.
    pub span: Span,
    /// The parenthesised qualifier, typed; boxed, since most references
    /// have none and a large proposal has millions of references.
    pub qualifier: Option<Box<Qualifier<'a>>>,
}

/// A reference's qualifier: `40%` in `Dr A Patel (40%)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Qualifier<'a> {
    /// The qualifier's value.
    pub value: Value<'a>,
    /// Its span, without the parentheses.
    pub span: Span,
}

/// A field as written, with its typed value.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue<'a> {
    /// Which field.
    pub field: FieldId,
    /// The key's span.
    pub key: Span,
    /// The value's span (over continuation lines).
    pub value_span: Span,
    /// The typed value.
    pub value: Value<'a>,
}

impl FieldValue<'_> {
    /// The whole field, from key to the end of its value.
    pub fn span(&self) -> Span {
        self.key.cover(self.value_span)
    }
}

/// The fields of one entity, section or the header, as given: a view of
/// the model's values ([`Model::fields`], [`Model::section_fields`]).
///
/// The first fields' ids are kept beside the values' place, inside the
/// entity: the rules look fields up on entities reached at random, and a
/// lookup that scanned the 56-byte values missed the cache on each one.
/// Now it reads the ids where the entity already is, and touches a value
/// only when it is the one sought.
#[derive(Clone, Copy)]
pub struct FieldValues<'m, 'a> {
    /// `values[i].field` for the first [`INLINE_IDS`] values, [`NO_ID`]
    /// past the end or for an id too large to hold (a vocabulary has a
    /// hundred fields or so; one extended past 254 still works, looking
    /// its later fields up the slow way).
    ids: [u8; INLINE_IDS],
    values: &'m [FieldValue<'a>],
}

/// How many field ids an entity holds inline.
const INLINE_IDS: usize = 8;
/// An inline id that matches no field.
const NO_ID: u8 = u8::MAX;

impl<'m, 'a> FieldValues<'m, 'a> {
    /// A view of `values`.
    pub fn new(values: &'m [FieldValue<'a>]) -> Self {
        FieldValues {
            ids: inline_ids(values),
            values,
        }
    }

    /// The value of `field`, if given.
    pub fn get(&self, field: FieldId) -> Option<&'m FieldValue<'a>> {
        if let Ok(id) = u8::try_from(field.0)
            && id != NO_ID
        {
            if let Some(at) = self.ids.iter().position(|&inline| inline == id) {
                return self.values.get(at);
            }
            // Every value has its id inline: the field is not there.
            if self.values.len() <= INLINE_IDS {
                return None;
            }
        }
        self.values.iter().find(|f| f.field == field)
    }

    /// Every field, in source order.
    pub fn iter(&self) -> std::slice::Iter<'m, FieldValue<'a>> {
        self.values.iter()
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

fn inline_ids(values: &[FieldValue<'_>]) -> [u8; INLINE_IDS] {
    let mut ids = [NO_ID; INLINE_IDS];
    for (inline, value) in ids.iter_mut().zip(values) {
        *inline = u8::try_from(value.field.0).unwrap_or(NO_ID);
    }
    ids
}

impl std::fmt::Debug for FieldValues<'_, '_> {
    // The ids repeat the values' own: shown as the values alone.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("FieldValues").field(&self.values).finish()
    }
}

/// Where an entity's or a section's values are in the model's
/// [`FieldStore`], with their first ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldSlot {
    ids: [u8; INLINE_IDS],
    chunk: u32,
    start: u32,
    len: u32,
}

impl FieldSlot {
    /// No fields.
    pub(crate) const NONE: FieldSlot = FieldSlot {
        ids: [NO_ID; INLINE_IDS],
        chunk: 0,
        start: 0,
        len: 0,
    };

    /// The values `chunk[start..]`, the last pushed onto chunk number
    /// `chunk`.
    pub(crate) fn of(chunk: usize, start: usize, chunk_values: &[FieldValue<'_>]) -> FieldSlot {
        let values = &chunk_values[start..];
        FieldSlot {
            ids: inline_ids(values),
            chunk: chunk as u32,
            start: start as u32,
            len: values.len() as u32,
        }
    }
}

/// Every field value and reference item of a model, in chunks written one
/// per block of entities typed (and one for the sections): a block's values
/// are one allocation, and its references another, not one per entity and
/// field, and are freed as one.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldStore<'a> {
    chunks: Vec<Vec<FieldValue<'a>>>,
    refs: Vec<RefPages<'a>>,
}

impl<'a> FieldStore<'a> {
    /// Adds a chunk of values and the references they hold; its number is
    /// the number of chunks before it.
    pub(crate) fn push(&mut self, chunk: Vec<FieldValue<'a>>, refs: RefPages<'a>) {
        self.chunks.push(chunk);
        self.refs.push(refs);
    }

    /// The items of `refs`.
    pub(crate) fn references(&self, refs: &Refs) -> &[Reference<'a>] {
        self.refs
            .get(refs.chunk as usize)
            .and_then(|pages| pages.get(refs.page as usize))
            .map_or(&[], |page| {
                &page[refs.start as usize..(refs.start + refs.len) as usize]
            })
    }

    /// The number the next chunk pushed will have.
    pub(crate) fn next_chunk(&self) -> usize {
        self.chunks.len()
    }

    /// The values of `slot`.
    pub(crate) fn get(&self, slot: &FieldSlot) -> FieldValues<'_, 'a> {
        let values = match self.chunks.get(slot.chunk as usize) {
            Some(chunk) => &chunk[slot.start as usize..(slot.start + slot.len) as usize],
            None => &[],
        };
        FieldValues {
            ids: slot.ids,
            values,
        }
    }
}

/// An organisation, person, contract, liability, or entity of a type a pack
/// added.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity<'a> {
    /// The name, as written in the heading.
    pub name: &'a str,
    /// The heading line, `## Name`.
    pub heading: Span,
    /// The name within the heading.
    pub name_span: Span,
    /// Its type.
    pub ty: EntityTypeId,
    /// Its kind, if it has a valid one, as the vocabulary spells it.
    pub kind: Option<&'a str>,
    /// Where its fields are: see [`Model::fields`].
    pub(crate) fields: FieldSlot,
    /// The prose written under it.
    pub prose: Vec<Span>,
}

/// A section as it appears in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionHeading {
    /// Which section.
    pub section: SectionId,
    /// The heading's span.
    pub span: Span,
}

/// A node of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// The proposal itself (the header and the non-entity sections).
    Proposal,
    /// An entity.
    Entity(EntityId),
}

/// An edge of the graph: one resolved reference item. Its qualifier stays
/// in the reference ([`Model::reference`]), not copied into the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The field it comes from, e.g. `owned-by`.
    pub field: FieldId,
    /// The span of the name referred to.
    pub span: Span,
}

/// A field the vocabulary does not know, kept so that exports lose nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownField {
    /// The entity it was written under, if any.
    pub entity: Option<EntityId>,
    /// Its key.
    pub key: Span,
    /// Its value, as written.
    pub value: Span,
}

/// The whole resolved proposal, borrowing from its source text and
/// vocabulary.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The text the model was built from.
    source: &'a str,
    entities: Vec<Entity<'a>>,
    by_type: Vec<Vec<EntityId>>,
    names: names::NameIndex,
    values: FieldStore<'a>,
    /// Where each section's values are, by section id.
    section_slots: Vec<FieldSlot>,
    headings: Vec<SectionHeading>,
    section_prose: Vec<(SectionId, Span)>,
    unknown_fields: Vec<UnknownField>,
    /// Every edge's field and span, by edge index.
    edges: Vec<Edge>,
    links: Links,
    /// The petgraph graph, built from `edges` and `links` when first asked
    /// for: checking reads `links` and `edges` only.
    graph: std::sync::OnceLock<DiGraph<Node, Edge>>,
}

impl<'a> Model<'a> {
    /// The graph node of the proposal.
    pub fn proposal_node(&self) -> NodeIndex {
        NodeIndex::new(0)
    }

    /// Every entity, in document order.
    pub fn entities(&self) -> &[Entity<'a>] {
        &self.entities
    }

    /// One entity.
    pub fn entity(&self, id: EntityId) -> &Entity<'a> {
        &self.entities[id.0 as usize]
    }

    /// Every entity id, in document order.
    pub fn entity_ids(&self) -> impl Iterator<Item = EntityId> + '_ {
        (0..self.entities.len() as u32).map(EntityId)
    }

    /// The entities of one type, in document order.
    pub fn entities_of(&self, ty: EntityTypeId) -> &[EntityId] {
        self.by_type.get(ty.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// The entity a reference would name (case-insensitive, white space
    /// folded).
    pub fn lookup(&self, name: &str) -> Option<EntityId> {
        self.names
            .get(&assure_vocab::fold(name), self.source, &self.entities)
            .map(|named| named.id)
    }

    /// The items of a reference field's value.
    pub fn references(&self, refs: &Refs) -> &[Reference<'a>] {
        self.values.references(refs)
    }

    /// An entity's fields.
    pub fn fields(&self, id: EntityId) -> FieldValues<'_, 'a> {
        self.values.get(&self.entity(id).fields)
    }

    /// The fields of a non-entity section, or of the header
    /// ([`assure_vocab::HEADER`]).
    pub fn section_fields(&self, section: SectionId) -> FieldValues<'_, 'a> {
        match self.section_slots.get(section.0 as usize) {
            Some(slot) => self.values.get(slot),
            None => self.values.get(&FieldSlot::NONE),
        }
    }

    /// The section headings, in document order.
    pub fn headings(&self) -> &[SectionHeading] {
        &self.headings
    }

    /// Prose written directly in sections (before any entity).
    pub fn section_prose(&self) -> &[(SectionId, Span)] {
        &self.section_prose
    }

    /// Fields the vocabulary does not know.
    pub fn unknown_fields(&self) -> &[UnknownField] {
        &self.unknown_fields
    }

    /// The graph: one node for the proposal and one per entity (see
    /// [`Model::node`]), one edge per resolved reference, numbered in
    /// source order. Built on first use.
    pub fn graph(&self) -> &DiGraph<Node, Edge> {
        self.graph.get_or_init(|| {
            let mut graph = DiGraph::with_capacity(self.entities.len() + 1, self.edges.len());
            graph.add_node(Node::Proposal);
            for index in 0..self.entities.len() {
                graph.add_node(Node::Entity(EntityId(index as u32)));
            }
            for (edge, (from, to)) in self.edges.iter().zip(self.links.all_ends()) {
                graph.add_edge(from, to, *edge);
            }
            graph
        })
    }

    /// How many edges the graph has.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// An edge's field and span.
    pub fn edge(&self, edge: EdgeIndex) -> Option<&Edge> {
        self.edges.get(edge.index())
    }

    /// The graph node of an entity.
    pub fn node(&self, id: EntityId) -> NodeIndex {
        NodeIndex::new(id.0 as usize + 1)
    }

    /// The entity at a node, if it is one.
    pub fn entity_at(&self, node: NodeIndex) -> Option<EntityId> {
        // Node 0 is the proposal and node `i + 1` entity `i` (see `node`):
        // arithmetic, not a read of the graph, which a large model would
        // miss in the cache.
        let index = node.index().checked_sub(1)?;
        (index < self.entities.len()).then_some(EntityId(index as u32))
    }

    /// The reference an edge stands for: the item of its origin's field
    /// whose name is at the edge's span.
    pub fn reference(&self, edge: EdgeIndex) -> Option<&Reference<'a>> {
        self.reference_from(self.links.origin(edge)?, edge)
    }

    /// [`Model::reference`] for a caller that holds the edge's origin
    /// already, as a traversal does: the origin is not searched for.
    /// `None` if `from` is not the edge's origin.
    pub fn reference_from(&self, from: NodeIndex, edge: EdgeIndex) -> Option<&Reference<'a>> {
        let Edge { field, span } = *self.edge(edge)?;
        let slots = match self.entity_at(from) {
            Some(id) => std::slice::from_ref(&self.entity(id).fields),
            None => self.section_slots.as_slice(),
        };
        slots
            .iter()
            .filter_map(|slot| self.values.get(slot).get(field))
            .find_map(|value| match &value.value {
                Value::Refs(refs) => self.references(refs).iter().find(|r| r.name_span == span),
                _ => None,
            })
    }

    /// Edges leaving `node` along `field`, in source order.
    pub fn outgoing(
        &self,
        node: NodeIndex,
        field: FieldId,
    ) -> impl Iterator<Item = (NodeIndex, &Edge)> {
        self.links
            .outgoing(node, field)
            .iter()
            .map(|link| (link.other, &self.edges[link.edge.index()]))
    }

    /// Edges entering `node` along `field`, in source order of their origin.
    pub fn incoming(
        &self,
        node: NodeIndex,
        field: FieldId,
    ) -> impl Iterator<Item = (NodeIndex, &Edge)> {
        self.links
            .incoming(node, field)
            .iter()
            .map(|link| (link.other, &self.edges[link.edge.index()]))
    }

    /// Every node's edges grouped by field, for traversals that follow
    /// one field from many nodes.
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// A short description of an entity for messages: `gp-federation Mid
    /// Hampshire GP Federation`.
    pub fn describe(&self, vocabulary: &Vocabulary, id: EntityId) -> String {
        let entity = self.entity(id);
        match &entity.kind {
            Some(kind) => format!(
                "{} `{}` ({kind})",
                vocabulary.entity_type(entity.ty).id,
                entity.name
            ),
            None => format!("{} `{}`", vocabulary.entity_type(entity.ty).id, entity.name),
        }
    }
}

#[cfg(test)]
mod tests;
