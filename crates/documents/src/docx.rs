//! A Word document's body as blocks: paragraphs (with the heading level
//! their style or outline level gives) and tables (rows of cells of
//! paragraphs), its text as it stands.
//!
//! What Word files hold, and what is read of each:
//!
//! | in the file | read as |
//! |---|---|
//! | runs (`w:r`), split anywhere, even mid-word | joined |
//! | tracked changes | as they stand: insertions (`w:ins`, `w:moveTo`) in, deletions (`w:del`, `w:moveFrom`) out |
//! | content controls (`w:sdt`) | their content; one showing its placeholder, or empty, is a placeholder |
//! | hyperlinks, simple and complex fields | the text shown (a field's result), not its code (`w:instrText`) |
//! | proofing marks, bookmarks, comment anchors, smart tags, custom XML | ignored (markers) |
//! | comments, footnotes, endnotes, headers, footers | not read (other parts) |
//! | text boxes, drawings, pictures, alternate content | not read (floating: not part of the body's order) |
//! | tabs, line breaks (`w:tab`, `w:br`, `w:cr`) | a space; a line break within the paragraph |
//! | non-breaking hyphens; soft hyphens | `-`; nothing |
//! | merged cells (`w:gridSpan`, `w:vMerge`) | one cell; a cell continuing the one above, marked so |
//! | tables in tables | their cells' paragraphs, in order, as the outer cell's |
//! | numbered and bulleted lists | their text (the number is Word's, not the text's) |

use crate::Refusal;
use crate::text::Cleaned;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

/// The deepest nesting of XML elements read: Word's own files nest a few
/// dozen deep; past this a part is refused, not recursed into.
pub const MAX_DEPTH: usize = 256;

/// What a paragraph's style makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The document's title (the `Title` style).
    Title,
    /// A heading of level 1 to 9.
    Heading(u8),
}

/// A paragraph: its text (lines split at line breaks), its role, its
/// number in the document (from 1, table cells' paragraphs counted), and
/// whether it is a placeholder a template left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub role: Option<Role>,
    pub number: u32,
}

/// A cell of a table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    pub paragraphs: Vec<Paragraph>,
    /// It continues the cell above (`w:vMerge` without `restart`).
    pub continues: bool,
}

impl Cell {
    /// Its paragraphs' text, each on its own line.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self
            .paragraphs
            .iter()
            .map(|p| p.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        lines.join("\n")
    }

    /// Its first paragraph's number, or `fallback` for an empty cell.
    pub fn paragraph(&self, fallback: u32) -> u32 {
        self.paragraphs.first().map_or(fallback, |p| p.number)
    }
}

/// A table: its number in the document (from 1) and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub number: u32,
    pub rows: Vec<Vec<Cell>>,
    /// The number of the paragraph before it (for a table's place when its
    /// cells are empty).
    pub after: u32,
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

/// Each paragraph style's role, resolved through `w:basedOn`.
pub fn styles(xml: &str) -> Result<HashMap<String, Role>, Refusal> {
    struct Style {
        name: String,
        based_on: Option<String>,
        outline: Option<u8>,
    }
    let mut styles: HashMap<String, Style> = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<(String, Style)> = None;
    let mut depth = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed("word/styles.xml", &reader, &e))?;
        match &event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep("word/styles.xml"));
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
        let (Event::Start(e) | Event::Empty(e)) = &event else {
            if let Event::End(e) = &event
                && e.local_name().as_ref() == "style"
                && let Some((id, style)) = current.take()
            {
                styles.insert(id, style);
            }
            continue;
        };
        match e.local_name().as_ref() {
            "style" => {
                let paragraph = attribute(e, "type").is_none_or(|t| t == "paragraph");
                current = attribute(e, "styleId").filter(|_| paragraph).map(|id| {
                    (
                        id,
                        Style {
                            name: String::new(),
                            based_on: None,
                            outline: None,
                        },
                    )
                });
                if matches!(event, Event::Empty(_)) {
                    current = None;
                }
            }
            "name" => {
                if let Some((_, style)) = &mut current {
                    style.name = attribute(e, "val").unwrap_or_default();
                }
            }
            "basedOn" => {
                if let Some((_, style)) = &mut current {
                    style.based_on = attribute(e, "val");
                }
            }
            "outlineLvl" => {
                if let Some((_, style)) = &mut current {
                    style.outline = attribute(e, "val").and_then(|v| v.parse().ok());
                }
            }
            _ => {}
        }
    }
    let own_role = |style: &Style| -> Option<Role> {
        let name = style.name.to_ascii_lowercase();
        if name == "title" {
            return Some(Role::Title);
        }
        if let Some(level) = name.strip_prefix("heading ")
            && let Ok(level @ 1..=9) = level.trim().parse::<u8>()
        {
            return Some(Role::Heading(level));
        }
        style
            .outline
            .filter(|level| *level < 9)
            .map(|level| Role::Heading(level + 1))
    };
    let mut roles = HashMap::new();
    for id in styles.keys() {
        // The chain of `basedOn`, bounded (a loop in it is a broken file,
        // not a reason to hang).
        let mut at = Some(id.as_str());
        for _ in 0..32 {
            let Some(style) = at.and_then(|id| styles.get(id)) else {
                break;
            };
            if let Some(role) = own_role(style) {
                roles.insert(id.clone(), role);
                break;
            }
            at = style.based_on.as_deref();
        }
    }
    Ok(roles)
}

/// Where a paragraph's text is being gathered.
struct Gathering {
    text: String,
    style: Option<String>,
    outline: Option<u8>,
    number: u32,
}

/// A table being read.
#[derive(Default)]
struct TableFrame {
    number: u32,
    after: u32,
    rows: Vec<Vec<Cell>>,
    row: Vec<Cell>,
    cell: Cell,
}

/// A content control being read: where its content started, and whether
/// it shows its placeholder.
struct Control {
    text_from: Option<usize>,
    blocks_from: usize,
    cell_paragraphs_from: usize,
    placeholder: bool,
    has_content: bool,
}

/// The body's elements as the conversion reads them: the names open, and
/// the subtree passed over (`is_skipped`). The reader and the annotator
/// both walk with it, so that they number paragraphs alike.
pub(crate) struct Walk {
    stack: Vec<String>,
    /// While set, nothing below this depth is read.
    skip: Option<usize>,
}

impl Walk {
    pub(crate) fn new() -> Walk {
        Walk {
            stack: Vec::new(),
            skip: None,
        }
    }

    /// A start tag `name` of the part `part`: whether its content is read;
    /// a refusal past [`MAX_DEPTH`].
    pub(crate) fn start(&mut self, name: &str, part: &str) -> Result<bool, Refusal> {
        self.stack.push(name.to_owned());
        if self.stack.len() > MAX_DEPTH {
            return Err(too_deep(part));
        }
        if self.skip.is_some() {
            return Ok(false);
        }
        if is_skipped(name) {
            self.skip = Some(self.stack.len());
            return Ok(false);
        }
        Ok(true)
    }

    /// An end tag: whether the element it closes was read.
    pub(crate) fn end(&mut self) -> bool {
        let depth = self.stack.len();
        self.stack.pop();
        match self.skip {
            Some(at) => {
                if depth == at {
                    self.skip = None;
                }
                false
            }
            None => true,
        }
    }

    /// Whether what comes now (text, an element without content) is read.
    pub(crate) fn reading(&self) -> bool {
        self.skip.is_none()
    }

    /// The element open around what comes now.
    pub(crate) fn parent(&self) -> Option<&str> {
        self.stack.last().map(String::as_str)
    }
}

/// The body of `word/document.xml` as blocks. `roles` are the styles'.
pub fn body(xml: &str, roles: &HashMap<String, Role>) -> Result<Vec<Block>, Refusal> {
    let mut reader = Reader::from_str(xml);
    let mut blocks: Vec<Block> = Vec::new();
    let mut walk = Walk::new();
    let mut paragraph: Option<Gathering> = None;
    let mut tables: Vec<TableFrame> = Vec::new();
    let mut controls: Vec<Control> = Vec::new();
    let mut in_text = false;
    let (mut paragraphs, mut table_count) = (0u32, 0u32);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed("word/document.xml", &reader, &e))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if !walk.start(e.local_name().as_ref(), "word/document.xml")? {
                    continue;
                }
                match e.local_name().as_ref() {
                    "p" => {
                        paragraphs += 1;
                        paragraph = Some(Gathering {
                            text: String::new(),
                            style: None,
                            outline: None,
                            number: paragraphs,
                        });
                    }
                    "t" => in_text = true,
                    "tbl" => {
                        table_count += 1;
                        tables.push(TableFrame {
                            number: table_count,
                            after: paragraphs,
                            ..TableFrame::default()
                        });
                    }
                    "tc" => {
                        if let Some(table) = tables.last_mut() {
                            table.cell = Cell::default();
                        }
                    }
                    "sdt" => controls.push(Control {
                        text_from: paragraph.as_ref().map(|p| p.text.len()),
                        blocks_from: blocks.len(),
                        cell_paragraphs_from: tables.last().map_or(0, |t| t.cell.paragraphs.len()),
                        placeholder: false,
                        has_content: false,
                    }),
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if !walk.reading() {
                    continue;
                }
                empty_element(
                    &e,
                    walk.parent(),
                    &mut paragraph,
                    &mut tables,
                    &mut controls,
                );
                if e.local_name().as_ref() == "p" {
                    // An empty paragraph, `<w:p/>`: counted, nothing read.
                    paragraphs += 1;
                }
            }
            Event::End(e) => {
                if !walk.end() {
                    continue;
                }
                match e.local_name().as_ref() {
                    "t" => in_text = false,
                    "p" => {
                        let Some(done) = paragraph.take() else {
                            continue;
                        };
                        let role = done
                            .style
                            .as_ref()
                            .and_then(|s| roles.get(s).copied())
                            .or_else(|| {
                                done.outline
                                    .filter(|l| *l < 9)
                                    .map(|l| Role::Heading(l + 1))
                            });
                        let paragraph = Paragraph {
                            text: Cleaned::of(&done.text).0,
                            role,
                            number: done.number,
                        };
                        match tables.last_mut() {
                            Some(table) => table.cell.paragraphs.push(paragraph),
                            None => blocks.push(Block::Paragraph(paragraph)),
                        }
                    }
                    "tc" => {
                        if let Some(table) = tables.last_mut() {
                            let cell = std::mem::take(&mut table.cell);
                            table.row.push(cell);
                        }
                    }
                    "tr" => {
                        if let Some(table) = tables.last_mut() {
                            let row = std::mem::take(&mut table.row);
                            table.rows.push(row);
                        }
                    }
                    "tbl" => {
                        let Some(done) = tables.pop() else {
                            continue;
                        };
                        match tables.last_mut() {
                            // A table in a cell: its cells' paragraphs are
                            // the outer cell's, in order.
                            Some(outer) => outer
                                .cell
                                .paragraphs
                                .extend(done.rows.into_iter().flatten().flat_map(|c| c.paragraphs)),
                            None => blocks.push(Block::Table(Table {
                                number: done.number,
                                rows: done.rows,
                                after: done.after,
                            })),
                        }
                    }
                    "sdt" => {
                        let Some(control) = controls.pop() else {
                            continue;
                        };
                        end_control(&control, &mut paragraph, &mut blocks, &mut tables);
                    }
                    _ => {}
                }
            }
            Event::Text(text) => {
                if in_text
                    && walk.reading()
                    && let Some(p) = &mut paragraph
                {
                    p.text.push_str(&text.xml10_content());
                    if let Some(control) = controls.last_mut() {
                        control.has_content = true;
                    }
                }
            }
            Event::GeneralRef(reference) => {
                if in_text
                    && walk.reading()
                    && let Some(p) = &mut paragraph
                {
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        _ => match reference.xml10_content().as_ref() {
                            "amp" => Some('&'),
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "quot" => Some('"'),
                            "apos" => Some('\''),
                            // No entity of a DTD is ever expanded.
                            _ => None,
                        },
                    };
                    if let Some(c) = resolved {
                        p.text.push(c);
                    }
                }
            }
            Event::CData(data) => {
                if in_text
                    && walk.reading()
                    && let Some(p) = &mut paragraph
                {
                    p.text.push_str(&data);
                }
            }
            _ => {}
        }
    }
    Ok(blocks)
}

/// Elements whose content is not the body's text, in the order it reads.
pub(crate) fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "del"
            | "moveFrom"
            | "instrText"
            | "delInstrText"
            | "drawing"
            | "pict"
            | "AlternateContent"
            | "object"
            | "txbxContent"
            | "rPr"
            | "tblPr"
            | "tblGrid"
            | "sectPr"
            | "footnoteReference"
            | "endnoteReference"
            | "commentReference"
    )
}

/// An element without content: a tab, a break, a style, a merge, a
/// content control's placeholder mark.
fn empty_element(
    e: &BytesStart<'_>,
    parent: Option<&str>,
    paragraph: &mut Option<Gathering>,
    tables: &mut [TableFrame],
    controls: &mut [Control],
) {
    match e.local_name().as_ref() {
        "tab" if parent == Some("r") => push(paragraph, controls, ' '),
        "br" | "cr" if parent == Some("r") => push(paragraph, controls, '\n'),
        "noBreakHyphen" => push(paragraph, controls, '-'),
        "pStyle" => {
            if let Some(p) = paragraph {
                p.style = attribute(e, "val");
            }
        }
        "outlineLvl" if parent == Some("pPr") => {
            if let Some(p) = paragraph {
                p.outline = attribute(e, "val").and_then(|v| v.parse().ok());
            }
        }
        "vMerge" => {
            if let Some(table) = tables.last_mut() {
                table.cell.continues = attribute(e, "val").is_none_or(|v| v == "continue");
            }
        }
        "showingPlcHdr" => {
            if let Some(control) = controls.last_mut() {
                control.placeholder = true;
            }
        }
        _ => {}
    }
}

fn push(paragraph: &mut Option<Gathering>, controls: &mut [Control], c: char) {
    if let Some(p) = paragraph {
        p.text.push(c);
        if let Some(control) = controls.last_mut() {
            control.has_content = true;
        }
    }
}

/// A content control ended: if it shows its placeholder, or holds
/// nothing, what it holds becomes a placeholder (`<<…>>`), so that the
/// field is not read as given.
fn end_control(
    control: &Control,
    paragraph: &mut Option<Gathering>,
    blocks: &mut [Block],
    tables: &mut [TableFrame],
) {
    let blank = !control.has_content;
    if !control.placeholder && !blank {
        return;
    }
    let mark = |shown: &str| {
        let shown = Cleaned::of(shown).0;
        let shown = shown.trim();
        if shown.is_empty() {
            "<<EMPTY CONTENT CONTROL>>".to_owned()
        } else {
            format!("<<{}>>", shown.replace(['<', '>'], ""))
        }
    };
    match (paragraph.as_mut(), control.text_from) {
        // Within a paragraph: its text since the control began.
        (Some(p), Some(from)) if from <= p.text.len() => {
            let shown = p.text.split_off(from);
            p.text.push_str(&mark(&shown));
        }
        _ => {
            // Around whole paragraphs: each of them, in a cell or the body.
            let in_cell = tables.last_mut().map(|t| {
                let from = control.cell_paragraphs_from.min(t.cell.paragraphs.len());
                &mut t.cell.paragraphs[from..]
            });
            match in_cell {
                Some(paragraphs) => {
                    for p in paragraphs {
                        p.text = mark(&p.text);
                    }
                }
                None => {
                    let from = control.blocks_from.min(blocks.len());
                    for block in &mut blocks[from..] {
                        if let Block::Paragraph(p) = block {
                            p.text = mark(&p.text);
                        }
                    }
                }
            }
        }
    }
}

/// The value of the attribute whose local name is `name`, unescaped.
pub(crate) fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn malformed(part: &str, reader: &Reader<&[u8]>, error: &quick_xml::Error) -> Refusal {
    Refusal::new(format!(
        "its part {part} is not well-formed XML at byte {}: {error}",
        reader.error_position()
    ))
}

fn too_deep(part: &str) -> Refusal {
    Refusal::new(format!(
        "its part {part} nests elements more than {MAX_DEPTH} deep (not something Word writes)"
    ))
}
