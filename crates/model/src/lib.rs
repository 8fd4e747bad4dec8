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

mod links;
mod names;
mod outline;
mod resolve;
mod schema;
mod store;
mod typing;
pub mod value;
mod word_forms;

pub use links::{Link, Links};
pub use store::{FieldValues, Refs};
pub use value::{Date, Duration, Money};

use assure_diagnostic::{Diagnostic, Span};
use assure_syntax::SourceFile;
use assure_vocab::{EntityTypeId, FieldId, SectionId, Vocabulary};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use rust_decimal::Decimal;
use std::borrow::Cow;
use store::{FieldSlot, FieldStore};

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
    /// Several words of an enumerated type, in the vocabulary's spelling.
    Words(Vec<&'a str>),
}

/// One item of a reference field.
///
/// 24 bytes, since a proposal may hold millions: the target is an index,
/// the whole item's span shares its start with the name's, and what most
/// references lack (a qualifier, a name written otherwise than its text)
/// shares one box.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference<'a> {
    /// The entity named, or [`Reference::UNRESOLVED`].
    target: u32,
    name_span: Span,
    /// Where the whole item, qualifier included, ends.
    end: u32,
    rare: Option<Box<RareParts<'a>>>,
}

/// The parts of a reference most references lack.
#[derive(Debug, Clone, PartialEq)]
struct RareParts<'a> {
    qualifier: Option<Qualifier<'a>>,
    /// The name, when it is not the text at the name's span (white space
    /// folded, a name spread over several items).
    name: Option<Box<str>>,
    /// The whole item's start, when it is not the name's.
    start: Option<u32>,
}

impl<'a> Reference<'a> {
    /// No entity: an index no model reaches, as each entity takes a
    /// heading of several bytes and spans are 32-bit.
    const UNRESOLVED: u32 = u32::MAX;

    /// A reference to `target` (if its name resolved) named `name` at
    /// `name_span` in `source`, the whole item at `span`.
    pub(crate) fn new(
        source: &str,
        target: Option<EntityId>,
        name: Cow<'_, str>,
        name_span: Span,
        span: Span,
        qualifier: Option<Qualifier<'a>>,
    ) -> Self {
        let name = (*name != *name_span.text(source)).then(|| name.into_owned().into_boxed_str());
        let start = (span.start != name_span.start).then_some(span.start);
        let rare = (name.is_some() || start.is_some() || qualifier.is_some()).then(|| {
            Box::new(RareParts {
                name,
                start,
                qualifier,
            })
        });
        Reference {
            target: target.map_or(Self::UNRESOLVED, |id| id.0),
            name_span,
            end: span.end,
            rare,
        }
    }

    /// The entity named, if the name resolved.
    pub fn target(&self) -> Option<EntityId> {
        (self.target != Self::UNRESOLVED).then_some(EntityId(self.target))
    }

    /// The name as written, white space folded; `source` is the text the
    /// model was built from.
    pub fn name<'s>(&'s self, source: &'s str) -> &'s str {
        match self.rare.as_ref().and_then(|rare| rare.name.as_deref()) {
            Some(name) => name,
            None => self.name_span.text(source),
        }
    }

    /// The span of the name.
    pub fn name_span(&self) -> Span {
        self.name_span
    }

    /// The span of the whole item, qualifier included.
    pub fn span(&self) -> Span {
        let start = self.rare.as_ref().and_then(|rare| rare.start);
        Span::new(start.unwrap_or(self.name_span.start), self.end)
    }

    /// The parenthesised qualifier, typed.
    pub fn qualifier(&self) -> Option<&Qualifier<'a>> {
        self.rare.as_ref().and_then(|rare| rare.qualifier.as_ref())
    }
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

/// Builds the model of a parsed proposal, returning it with every structural
/// diagnostic found on the way, in source order. `source` must be the text
/// that was parsed into `tree`.
///
/// The tree is consumed, and freed as soon as nothing needs it: its lines
/// (most of a large tree's memory) once the sections and entities are
/// walked, before any value is typed; the rest once the values are typed,
/// before the edges are linked. Of the tree, only where each field is
/// ([`Model::written_fields`]) outlives the call.
pub fn build<'a>(
    source: &'a str,
    tree: SourceFile,
    vocabulary: &'a Vocabulary,
) -> (Model<'a>, Vec<Diagnostic>) {
    build_from(source, tree, vocabulary, Origin::Proposal)
}

/// Where the text being modelled came from: what the format requires of a
/// proposal someone writes, a text read from a published notice may not be
/// able to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// A proposal, written (or converted from a document someone wrote).
    #[default]
    Proposal,
    /// Published notices, read into a proposal's text: an organisation's
    /// kind they do not state is not stated (SCH011, a warning), not
    /// missing (SCH004).
    Notice,
}

/// [`build`], for text of the given origin.
pub fn build_from<'a>(
    source: &'a str,
    mut tree: SourceFile,
    vocabulary: &'a Vocabulary,
    origin: Origin,
) -> (Model<'a>, Vec<Diagnostic>) {
    let outline = outline::walk(source, &tree, vocabulary);
    tree.lines = Vec::new();
    let typed = typing::type_fields(source, &tree, vocabulary, outline, origin);
    let written_fields = tree.fields.iter().map(assure_syntax::Field::span).collect();
    drop(tree);
    typed.link(written_fields)
}

/// What holds a field: an entity, or a section (the header is one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Holder {
    /// An entity.
    Entity(EntityId),
    /// A section.
    Section(SectionId),
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
    /// Fields written whose values could not be used (reported already),
    /// sorted: see [`Model::is_unusable`].
    unusable: Vec<(Holder, FieldId, Span)>,
    /// Fields written with filler, sorted: see [`Model::filler_at`].
    filler: Vec<(Holder, FieldId, Span)>,
    /// Where every field of the text is, known or not, in source order.
    written_fields: Vec<Span>,
    /// Every edge's field and span, by edge index.
    edges: Vec<Edge>,
    links: Links,
    /// The petgraph graph, built from `edges` and `links` when first asked
    /// for: checking reads `links` and `edges` only.
    graph: std::sync::OnceLock<DiGraph<Node, Edge>>,
}

impl<'a> Model<'a> {
    /// The text the model was built from.
    pub fn source(&self) -> &'a str {
        self.source
    }

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

    /// Whether `field` of `holder` was written with a value that could not
    /// be used (malformed, of the wrong type, or empty: a diagnostic says
    /// which). Such a field is not missing: a rule asking whether it was
    /// given is not to report it again.
    pub fn is_unusable(&self, holder: Holder, field: FieldId) -> bool {
        self.unusable_at(holder, field).is_some()
    }

    /// Where the field of `holder` written with a value that could not be
    /// used is, from its key to the end of its value.
    pub fn unusable_at(&self, holder: Holder, field: FieldId) -> Option<Span> {
        self.unusable
            .binary_search_by_key(&(holder, field), |&(h, f, _)| (h, f))
            .ok()
            .map(|i| self.unusable[i].2)
    }

    /// Where the field of `holder` written with filler (`TBC`, `N/A`) is,
    /// from its key to the end of its value. Such a field is read as not
    /// given (SCH009), and a rule that reads it cannot pass or set it
    /// aside on that account: the binding is not assessed.
    pub fn filler_at(&self, holder: Holder, field: FieldId) -> Option<Span> {
        self.filler
            .binary_search_by_key(&(holder, field), |&(h, f, _)| (h, f))
            .ok()
            .map(|i| self.filler[i].2)
    }

    /// Where every field of the text is (from its key to the end of its
    /// value), known to the vocabulary or not, in source order: to say
    /// which field a finding is in.
    pub fn written_fields(&self) -> &[Span] {
        &self.written_fields
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
                // A field's references are in source order: found by
                // bisection, since a list of millions scanned once per edge
                // made drawing its graph quadratic.
                Value::Refs(refs) => {
                    let references = self.references(refs);
                    let at = references.partition_point(|r| r.name_span().start < span.start);
                    references.get(at).filter(|r| r.name_span() == span)
                }
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
