//! The graph of one proposal (`assure graph`), as Graphviz dot, JSON, or
//! an SVG picture laid out here (`svg`, the report site's).

mod picture;
pub use picture::svg;

use crate::export::value_text;
use assure_model::{Model, Node};
use assure_vocab::{HEADER, Vocabulary};
use serde_json::{Value as Json, json};

/// Escapes text for a double-quoted dot string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn proposal_title(model: &Model, vocabulary: &Vocabulary) -> String {
    vocabulary
        .fields_of(assure_vocab::Owner::Section(HEADER))
        .get("proposal")
        .and_then(|field| model.section_fields(HEADER).get(field))
        .map_or_else(|| "proposal".to_owned(), |f| value_text(model, &f.value))
}

fn node_label(
    model: &Model,
    vocabulary: &Vocabulary,
    node: Node,
) -> (String, String, Option<String>) {
    match node {
        Node::Proposal => (proposal_title(model, vocabulary), "proposal".into(), None),
        Node::Entity(id) => {
            let entity = model.entity(id);
            (
                entity.name.to_string(),
                vocabulary.entity_type(entity.ty).id.clone(),
                entity.kind.map(str::to_owned),
            )
        }
    }
}

/// An edge as shown: its field, and its qualifier in brackets
/// (`owned-by (40%)`).
fn edge_label(model: &Model, vocabulary: &Vocabulary, edge: petgraph::graph::EdgeIndex) -> String {
    let mut label = vocabulary.field(model.graph()[edge].field).name.clone();
    if let Some(qualifier) = model.reference(edge).and_then(|r| r.qualifier()) {
        label.push_str(&format!(" ({})", value_text(model, &qualifier.value)));
    }
    label
}

/// Graphviz dot: entities shaped by type, edges labelled with their field
/// and qualifier.
pub fn dot(model: &Model, vocabulary: &Vocabulary) -> String {
    let graph = model.graph();
    let mut out = String::from(
        "digraph proposal {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for index in graph.node_indices() {
        let (name, ty, kind) = node_label(model, vocabulary, graph[index]);
        let shape = match ty.as_str() {
            "proposal" => "doubleoctagon",
            "organisation" => "box",
            "person" => "ellipse",
            "contract" => "note",
            "liability" => "cylinder",
            _ => "box",
        };
        let label = match kind {
            Some(kind) => format!("{}\\n({})", escape(&name), escape(&kind)),
            None => escape(&name),
        };
        out.push_str(&format!(
            "  n{} [label=\"{label}\", shape={shape}];\n",
            index.index()
        ));
    }
    for edge in graph.edge_indices() {
        let Some((from, to)) = graph.edge_endpoints(edge) else {
            continue;
        };
        out.push_str(&format!(
            "  n{} -> n{} [label=\"{}\"];\n",
            from.index(),
            to.index(),
            escape(&edge_label(model, vocabulary, edge))
        ));
    }
    out.push_str("}\n");
    out
}

/// JSON: `nodes` (id, name, type, kind) and `edges` (from, to, field,
/// qualifier).
pub fn json(model: &Model, vocabulary: &Vocabulary) -> Json {
    let graph = model.graph();
    let nodes: Vec<Json> = graph
        .node_indices()
        .map(|index| {
            let (name, ty, kind) = node_label(model, vocabulary, graph[index]);
            json!({"id": index.index(), "name": name, "type": ty, "kind": kind})
        })
        .collect();
    let edges: Vec<Json> = graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = graph.edge_endpoints(edge)?;
            let weight = &graph[edge];
            Some(json!({
                "from": from.index(),
                "to": to.index(),
                "field": vocabulary.field(weight.field).name,
                "qualifier": model
                    .reference(edge)
                    .and_then(|r| r.qualifier())
                    .map(|q| value_text(model, &q.value)),
            }))
        })
        .collect();
    json!({"version": 1, "nodes": nodes, "edges": edges})
}
