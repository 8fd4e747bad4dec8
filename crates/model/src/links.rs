//! Each node's edges grouped by field, in two flat arrays (outgoing and
//! incoming), so that the edges of one node along one field cost the
//! number returned, whatever the node's degree, and following one reads
//! nothing from the graph: each entry holds the edge's other end.
//!
//! Built from one walk of the resolved references, which numbers the edges
//! in source order ([`Typed::link`], the last step of building a model);
//! the petgraph graph (`Model::graph`) is built from these links when asked
//! for, with the same numbering.

use crate::resolve::Repeats;
use crate::store::{FieldSlot, FieldStore};
use crate::typing::Typed;
use crate::{Edge, Entity, EntityId, Model, Value};
use assure_diagnostic::{Diagnostic, Span};
use assure_vocab::FieldId;
use petgraph::graph::{EdgeIndex, NodeIndex};

impl<'a> Typed<'a> {
    /// Numbers the edges and groups them by node and field ([`Links`]),
    /// and returns the model, which keeps `written_fields` (where each
    /// field of the text is), with every structural diagnostic in source
    /// order.
    pub(crate) fn link(self, written_fields: Vec<Span>) -> (Model<'a>, Vec<Diagnostic>) {
        let (edges, links) = edges_and_links(&self.entities, &self.values, &self.section_slots);
        let mut by_type = vec![Vec::new(); self.vocabulary.entity_types().len()];
        for (index, entity) in self.entities.iter().enumerate() {
            by_type[entity.ty.0 as usize].push(EntityId(index as u32));
        }
        // Diagnostics are reported in source order, whatever phase found them.
        let mut diagnostics = self.diagnostics.into_vec();
        diagnostics.sort_by_key(|d| d.span.start);
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
            unusable: self.unusable,
            filler: self.filler,
            written_fields,
            edges,
            links,
            graph: std::sync::OnceLock::new(),
        };
        (model, diagnostics)
    }
}

/// One edge per resolved reference item, but one for an entity a field
/// names again without a qualifier ([`Repeats`]), numbered in source
/// order: each edge's field and span, and the edges grouped by node and
/// field. The edges are counted first, so that both are sized exactly.
fn edges_and_links<'a>(
    entities: &[Entity<'a>],
    values: &FieldStore<'a>,
    section_slots: &[FieldSlot],
) -> (Vec<Edge>, Links) {
    let count = edges(entities, values, section_slots).count();
    let mut weights = Vec::with_capacity(count);
    let edges = edges(entities, values, section_slots).map(|(from, to, field, span)| {
        weights.push(Edge { field, span });
        (from, to, field)
    });
    let links = Links::new(entities.len() + 1, count, edges);
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
            let mut repeats = Repeats::default();
            refs.iter()
                .enumerate()
                .filter_map(move |(index, reference)| {
                    let target = reference.target()?;
                    if repeats.earlier(index, reference).is_some() {
                        return None;
                    }
                    let to = NodeIndex::new(target.0 as usize + 1);
                    Some((from, to, field.field, reference.name_span()))
                })
        })
    })
}

/// One edge as seen from one of its ends.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// The field whose reference the edge stands for.
    pub field: FieldId,
    /// The edge in the model's graph.
    pub edge: EdgeIndex,
    /// The node at the edge's other end.
    pub other: NodeIndex,
}

/// Every node's outgoing and incoming edges, grouped by field; within a
/// field, in the order the edges were added (source order).
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// Where node `i`'s outgoing links start in `outgoing_links`; one more
    /// entry than nodes.
    outgoing: Vec<u32>,
    outgoing_links: Vec<Link>,
    incoming: Vec<u32>,
    incoming_links: Vec<Link>,
}

impl Links {
    /// The links of a graph of `nodes` nodes whose edges, in index order,
    /// are `edges` (from, to, field), with `from` never decreasing.
    pub(crate) fn new(
        nodes: usize,
        edge_count: usize,
        edges: impl IntoIterator<Item = (NodeIndex, NodeIndex, FieldId)>,
    ) -> Links {
        let mut outgoing = Vec::with_capacity(nodes + 1);
        let mut outgoing_links = Vec::with_capacity(edge_count);
        for (index, (from, to, field)) in edges.into_iter().enumerate() {
            // Edges come grouped by their origin: a node's outgoing links
            // are the run of them since the last node's.
            while outgoing.len() <= from.index() {
                outgoing.push(outgoing_links.len() as u32);
            }
            outgoing_links.push(Link {
                field,
                edge: EdgeIndex::new(index),
                other: to,
            });
        }
        while outgoing.len() <= nodes {
            outgoing.push(outgoing_links.len() as u32);
        }
        sort_each_node(&outgoing, &mut outgoing_links);
        let mut incoming = vec![0u32; nodes + 1];
        for link in &outgoing_links {
            incoming[link.other.index() + 1] += 1;
        }
        for node in 1..=nodes {
            incoming[node] += incoming[node - 1];
        }
        let mut incoming_links = vec![
            Link {
                field: FieldId(0),
                edge: EdgeIndex::new(0),
                other: NodeIndex::new(0),
            };
            outgoing_links.len()
        ];
        let mut fill = incoming.clone();
        for (from, run) in runs(&outgoing, &outgoing_links) {
            for link in run {
                let at = &mut fill[link.other.index()];
                incoming_links[*at as usize] = Link {
                    other: from,
                    ..*link
                };
                *at += 1;
            }
        }
        sort_each_node(&incoming, &mut incoming_links);
        Links {
            outgoing,
            outgoing_links,
            incoming,
            incoming_links,
        }
    }

    /// The node `edge` leaves: edges are numbered by their origin, so the
    /// node whose run of outgoing links spans the number.
    pub fn origin(&self, edge: EdgeIndex) -> Option<NodeIndex> {
        if edge.index() >= self.outgoing_links.len() {
            return None;
        }
        let after = self
            .outgoing
            .partition_point(|&first| first as usize <= edge.index());
        Some(NodeIndex::new(after - 1))
    }

    /// Every edge's (from, to), by edge number.
    pub(crate) fn all_ends(&self) -> Vec<(NodeIndex, NodeIndex)> {
        let unset = (NodeIndex::end(), NodeIndex::end());
        let mut ends = vec![unset; self.outgoing_links.len()];
        for (from, run) in runs(&self.outgoing, &self.outgoing_links) {
            for link in run {
                ends[link.edge.index()] = (from, link.other);
            }
        }
        ends
    }

    /// The edges leaving `node` along `field`.
    pub fn outgoing(&self, node: NodeIndex, field: FieldId) -> &[Link] {
        of_field(&self.outgoing, &self.outgoing_links, node, field)
    }

    /// The edges entering `node` along `field`.
    pub fn incoming(&self, node: NodeIndex, field: FieldId) -> &[Link] {
        of_field(&self.incoming, &self.incoming_links, node, field)
    }
}

/// Each node with its run of links.
fn runs<'l>(starts: &'l [u32], links: &'l [Link]) -> impl Iterator<Item = (NodeIndex, &'l [Link])> {
    starts.windows(2).enumerate().map(|(node, run)| {
        (
            NodeIndex::new(node),
            &links[run[0] as usize..run[1] as usize],
        )
    })
}

/// Sorts each node's run of links by field, then edge.
fn sort_each_node(starts: &[u32], links: &mut [Link]) {
    for run in starts.windows(2) {
        links[run[0] as usize..run[1] as usize]
            .sort_unstable_by_key(|link| (link.field.0, link.edge.index()));
    }
}

fn of_field<'l>(starts: &[u32], links: &'l [Link], node: NodeIndex, field: FieldId) -> &'l [Link] {
    let i = node.index();
    if i + 1 >= starts.len() {
        return &[];
    }
    let run = &links[starts[i] as usize..starts[i + 1] as usize];
    let first = run.partition_point(|link| link.field.0 < field.0);
    let last = run.partition_point(|link| link.field.0 <= field.0);
    &run[first..last]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(links: &[Link]) -> Vec<(u32, usize, usize)> {
        links
            .iter()
            .map(|link| (link.field.0, link.edge.index(), link.other.index()))
            .collect()
    }

    #[test]
    fn links_are_grouped_by_node_and_field_in_edge_order() {
        let node = NodeIndex::new;
        // Node 0 has no edges; node 1 refers to 3 twice along field 2 and
        // to 2 along field 1; node 3 refers to itself.
        let links = Links::new(
            5,
            4,
            [
                (node(1), node(3), FieldId(2)),
                (node(1), node(2), FieldId(1)),
                (node(1), node(3), FieldId(2)),
                (node(3), node(3), FieldId(1)),
            ],
        );
        assert_eq!(render(links.outgoing(node(0), FieldId(1))), vec![]);
        assert_eq!(render(links.outgoing(node(1), FieldId(1))), vec![(1, 1, 2)]);
        assert_eq!(
            render(links.outgoing(node(1), FieldId(2))),
            vec![(2, 0, 3), (2, 2, 3)]
        );
        assert_eq!(render(links.outgoing(node(3), FieldId(1))), vec![(1, 3, 3)]);
        assert_eq!(
            render(links.incoming(node(3), FieldId(2))),
            vec![(2, 0, 1), (2, 2, 1)]
        );
        assert_eq!(render(links.incoming(node(3), FieldId(1))), vec![(1, 3, 3)]);
        assert_eq!(render(links.incoming(node(2), FieldId(1))), vec![(1, 1, 1)]);
        assert_eq!(render(links.incoming(node(4), FieldId(1))), vec![]);
        // A node past the last has no links.
        assert_eq!(render(links.outgoing(node(9), FieldId(1))), vec![]);
        // Each edge's origin, found from its number alone, and every
        // edge's ends.
        let origins: Vec<_> = (0..5)
            .map(|edge| links.origin(EdgeIndex::new(edge)).map(NodeIndex::index))
            .collect();
        assert_eq!(origins, [Some(1), Some(1), Some(1), Some(3), None]);
        let ends: Vec<_> = links
            .all_ends()
            .into_iter()
            .map(|(from, to)| (from.index(), to.index()))
            .collect();
        assert_eq!(ends, [(1, 3), (1, 2), (1, 3), (3, 3)]);
    }
}
