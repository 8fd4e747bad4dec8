//! The proposal's graph as an SVG picture, laid out here: no Graphviz, no
//! script, no service.
//!
//! The layout is Sugiyama's layered one (`rust-sugiyama`: cycles broken by
//! a feedback arc set, layers by network simplex, crossings reduced,
//! coordinates by Brandes and Köpf), turned on its side: layers are
//! columns, read left to right, so that boxes can be as wide as the full
//! names they carry. Each column is as wide as its widest box; the space
//! between columns holds the edges' labels. Edges are drawn after the
//! boxes, so that none is hidden behind one, and each label on a white
//! halo. Should the layout fail on some input, or the graph have more
//! edges than it lays out in good time, the picture falls back to a column
//! per entity type, still whole.

use super::{edge_label, node_label};
use assure_model::Model;
use assure_vocab::Vocabulary;
use std::fmt::Write as _;

/// Box height, and the gap between boxes of a column.
const BOX_HEIGHT: f64 = 36.0;
const BOX_GAP: f64 = 26.0;
/// The gap between columns: where the edges and their labels run.
const COLUMN_GAP: f64 = 170.0;
/// An approximate width of a character at the picture's font size.
const CHAR_WIDTH: f64 = 7.2;
const MARGIN: f64 = 16.0;
/// The most edges laid out in layers (380 in a complete graph took
/// 0.24 s); a graph with more is drawn a column per type.
const MAX_LAYERED_EDGES: usize = 500;
/// Room above the picture for its legend.
const LEGEND_HEIGHT: f64 = 30.0;

/// The fill of a box by its entity type; the proposal itself, and types
/// this picture does not know, are grey.
fn fill(ty: &str) -> &'static str {
    match ty {
        "organisation" => "#e7eefc",
        "person" => "#fff3c4",
        "contract" => "#d8f3dc",
        "liability" => "#fde2e1",
        _ => "#eef0f3",
    }
}

struct Boxed {
    name: String,
    ty: String,
    kind: Option<String>,
    width: f64,
    involved: bool,
}

/// The graph of `model` as an `<svg id="graph">`, the entities named in
/// `involved` (those a finding points at) outlined in red.
pub fn svg(model: &Model, vocabulary: &Vocabulary, involved: &dyn Fn(&str) -> bool) -> String {
    let graph = model.graph();
    let boxes: Vec<Boxed> = graph
        .node_indices()
        .map(|index| {
            let (name, ty, kind) = node_label(model, vocabulary, graph[index]);
            let longest = name
                .chars()
                .count()
                .max(kind.as_ref().map_or(0, |k| k.chars().count() + 2));
            Boxed {
                involved: ty != "proposal" && involved(&name),
                width: (longest as f64 * CHAR_WIDTH + 16.0).max(80.0),
                name,
                ty,
                kind,
            }
        })
        .collect();
    let edges: Vec<(usize, usize, String)> = graph
        .edge_indices()
        .filter_map(|edge| {
            let (from, to) = graph.edge_endpoints(edge)?;
            Some((
                from.index(),
                to.index(),
                edge_label(model, vocabulary, edge),
            ))
        })
        .collect();
    // The layered layout's cost grows much faster than its edges (a
    // complete graph of 40 organisations, 1,560 edges, took 4 s): past a
    // bound the picture is drawn in columns by type, in linear time.
    let layered = (edges.len() <= MAX_LAYERED_EDGES)
        .then(|| std::panic::catch_unwind(|| layered(&boxes, &edges)).ok())
        .flatten();
    let places = layered.unwrap_or_else(|| by_type(&boxes, vocabulary));
    draw(&boxes, &edges, &places)
}

/// Where each box is: its column and its top.
struct Places {
    column: Vec<usize>,
    top: Vec<f64>,
    height: f64,
}

/// Sugiyama's layout on its side: the crate's layers become columns, its
/// positions within a layer the boxes' tops.
fn layered(boxes: &[Boxed], edges: &[(usize, usize, String)]) -> Places {
    let vertices: Vec<(u32, (f64, f64))> = (0..boxes.len())
        .map(|i| (i as u32, (BOX_HEIGHT, boxes[i].width)))
        .collect();
    let mut links: Vec<(u32, u32)> = edges
        .iter()
        .filter(|(from, to, _)| from != to)
        .map(|(from, to, _)| (*from as u32, *to as u32))
        .collect();
    links.sort_unstable();
    links.dedup();
    let config = rust_sugiyama::configure::Config {
        vertex_spacing: BOX_GAP,
        dummy_vertices: false,
        ..rust_sugiyama::configure::Config::default()
    };
    let components = rust_sugiyama::from_vertices_and_edges(&vertices, &links, &config);
    let mut column = vec![0; boxes.len()];
    let mut top = vec![0.0; boxes.len()];
    let mut placed = vec![false; boxes.len()];
    let mut offset = 0.0_f64;
    for (layout, _, _) in &components {
        // Layers are the distinct second coordinates, in order.
        let mut layers: Vec<f64> = layout.iter().map(|(_, (_, y))| *y).collect();
        layers.sort_by(f64::total_cmp);
        layers.dedup();
        let lowest = layout
            .iter()
            .map(|(_, (x, _))| *x)
            .fold(f64::INFINITY, f64::min);
        let mut bottom = offset;
        for (id, (x, y)) in layout {
            let Some(i) = boxes.get(*id).map(|_| *id) else {
                continue;
            };
            column[i] = layers.partition_point(|l| l < y);
            top[i] = offset + (x - lowest);
            placed[i] = true;
            bottom = bottom.max(top[i] + BOX_HEIGHT);
        }
        offset = bottom + BOX_GAP * 2.0;
    }
    // A box the layout did not return (it should return every one) still
    // appears, below the rest.
    for i in 0..boxes.len() {
        if !placed[i] {
            top[i] = offset;
            offset += BOX_HEIGHT + BOX_GAP;
        }
    }
    separate(&column, &mut top);
    let height = top.iter().fold(0.0_f64, |h, t| h.max(t + BOX_HEIGHT));
    Places {
        column,
        top,
        height,
    }
}

/// Pushes down any box that would overlap the one above it in its column:
/// the picture never hides a box behind another, whatever the layout gave.
fn separate(column: &[usize], top: &mut [f64]) {
    let mut order: Vec<usize> = (0..top.len()).collect();
    order.sort_by(|a, b| {
        column[*a]
            .cmp(&column[*b])
            .then(top[*a].total_cmp(&top[*b]))
    });
    for pair in 1..order.len() {
        let (above, below) = (order[pair - 1], order[pair]);
        if column[above] == column[below] && top[below] < top[above] + BOX_HEIGHT + BOX_GAP / 2.0 {
            top[below] = top[above] + BOX_HEIGHT + BOX_GAP / 2.0;
        }
    }
}

/// The fallback: a column per entity type, in the vocabulary's order.
fn by_type(boxes: &[Boxed], vocabulary: &Vocabulary) -> Places {
    let types: Vec<&str> = std::iter::once("proposal")
        .chain(vocabulary.entity_types().iter().map(|t| t.id.as_str()))
        .collect();
    let mut rows = vec![0usize; types.len() + 1];
    let mut column = Vec::with_capacity(boxes.len());
    let mut top = Vec::with_capacity(boxes.len());
    for boxed in boxes {
        let at = types
            .iter()
            .position(|t| *t == boxed.ty)
            .unwrap_or(types.len());
        column.push(at);
        top.push(rows[at] as f64 * (BOX_HEIGHT + BOX_GAP));
        rows[at] += 1;
    }
    let height = rows.iter().max().copied().unwrap_or(1) as f64 * (BOX_HEIGHT + BOX_GAP);
    Places {
        column,
        top,
        height,
    }
}

/// Markup-escaped, and with control characters, which XML forbids,
/// replaced.
fn escape(text: &str) -> String {
    crate::escape_markup(text).replace(char::is_control, "\u{FFFD}")
}

fn draw(boxes: &[Boxed], edges: &[(usize, usize, String)], places: &Places) -> String {
    let columns = places.column.iter().max().map_or(1, |c| c + 1);
    let mut widths = vec![0.0_f64; columns];
    for (i, boxed) in boxes.iter().enumerate() {
        let c = places.column[i];
        widths[c] = widths[c].max(boxed.width);
    }
    let mut lefts = Vec::with_capacity(columns);
    let mut x = MARGIN;
    for width in &widths {
        lefts.push(x);
        x += width + COLUMN_GAP;
    }
    let width = (x - COLUMN_GAP + MARGIN).max(420.0);
    let height = places.height + LEGEND_HEIGHT + 2.0 * MARGIN;
    let left = |i: usize| lefts[places.column[i]];
    let top = |i: usize| places.top[i] + LEGEND_HEIGHT + MARGIN;
    let mut out = format!(
        "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" aria-label=\"the proposal's graph\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#57606a\"/></marker></defs>\n"
    );
    legend(&mut out, boxes);
    for (i, boxed) in boxes.iter().enumerate() {
        let (x, y) = (left(i), top(i));
        let (stroke, stroke_width, class) = if boxed.involved {
            ("#b42318", 2.5, "entity involved")
        } else {
            ("#57606a", 1.0, "entity")
        };
        let _ = write!(
            out,
            "<g class=\"{class}\"><title>{} ({})</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{BOX_HEIGHT}\" rx=\"5\" fill=\"{}\" stroke=\"{stroke}\" stroke-width=\"{stroke_width}\"/>",
            escape(&boxed.name),
            escape(&boxed.ty),
            boxed.width,
            fill(&boxed.ty)
        );
        match &boxed.kind {
            Some(kind) => {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#57606a\" font-size=\"10\">{}</text></g>",
                    x + 8.0,
                    y + 15.0,
                    escape(&boxed.name),
                    x + 8.0,
                    y + 29.0,
                    escape(kind)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
                    x + 8.0,
                    y + 22.0,
                    escape(&boxed.name)
                );
            }
        }
    }
    // Edges last: on top of every box, each with its label on a halo.
    for (from, to, label) in edges {
        let (a, b) = (*from, *to);
        let forward = places.column[b] > places.column[a];
        let start = (
            left(a) + if forward { boxes[a].width } else { 0.0 },
            top(a) + BOX_HEIGHT / 2.0,
        );
        let end = (
            left(b) + if forward { 0.0 } else { boxes[b].width },
            top(b) + BOX_HEIGHT / 2.0,
        );
        // A forward edge bends gently; one back or within a column loops
        // out to the left, so that it never runs along a box.
        let bend = if forward {
            ((end.0 - start.0) / 2.0).max(40.0)
        } else {
            -60.0
        };
        let (c1, c2) = ((start.0 + bend, start.1), (end.0 - bend, end.1));
        let middle = (
            (start.0 + 3.0 * c1.0 + 3.0 * c2.0 + end.0) / 8.0,
            (start.1 + 3.0 * c1.1 + 3.0 * c2.1 + end.1) / 8.0,
        );
        let _ = writeln!(
            out,
            "<g class=\"edge\"><path d=\"M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#1d2530\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text></g>",
            start.0,
            start.1,
            c1.0,
            c1.1,
            c2.0,
            c2.1,
            end.0,
            end.1,
            middle.0,
            middle.1 - 3.0,
            escape(label)
        );
    }
    out.push_str("</svg>");
    out
}

/// A row above the picture: a swatch per entity type drawn, and, when
/// some entity is outlined, what the red outline means.
fn legend(out: &mut String, boxes: &[Boxed]) {
    let mut types: Vec<&str> = Vec::new();
    for boxed in boxes {
        if !types.contains(&boxed.ty.as_str()) {
            types.push(&boxed.ty);
        }
    }
    let mut x = MARGIN;
    out.push_str("<g id=\"legend\">");
    for ty in types {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{MARGIN}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"{}\" stroke=\"#57606a\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            fill(ty),
            x + 20.0,
            MARGIN + 11.0,
            escape(ty)
        );
        x += 20.0 + ty.chars().count() as f64 * CHAR_WIDTH + 18.0;
    }
    // Only when findings were given: `assure graph` runs no rules.
    if boxes.iter().any(|b| b.involved) {
        let _ = write!(
            out,
            "<rect x=\"{x:.1}\" y=\"{MARGIN}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"#ffffff\" stroke=\"#b42318\" stroke-width=\"2.5\"/><text x=\"{:.1}\" y=\"{:.1}\">involved in a finding</text>",
            x + 20.0,
            MARGIN + 11.0
        );
    }
    out.push_str("</g>\n");
}
