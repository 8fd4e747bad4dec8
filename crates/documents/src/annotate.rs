//! Findings written back into a copy of a Word document as comments, for
//! reviewers who read and answer in Word's review pane.
//!
//! Each note is a comment by "assure" anchored on the paragraph it names
//! (numbered as the conversion numbers them, so a finding's place is its
//! comment's anchor). Comments assure wrote before, in a copy annotated
//! earlier, are taken out first, with their anchors: annotating a reviewed
//! copy again never doubles them; a reviewer's own comments stay. The
//! other parts of the package are copied as they are.

use crate::Refusal;
use crate::docx::{Walk, attribute};
use crate::package::Package;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::BTreeSet;
use std::io::{Cursor, Write as _};

/// The author of assure's comments, by which it knows them again.
pub const AUTHOR: &str = "assure";

const COMMENTS_PART: &str = "word/comments.xml";
const COMMENTS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml";
const COMMENTS_RELATIONSHIP: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A comment to write: the paragraph it is anchored on (from 1, as
/// [`crate::Part`] counts) and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The paragraph it is anchored on.
    pub paragraph: u32,
    /// Its text, a paragraph of the comment each.
    pub lines: Vec<String>,
}

/// A copy of the Word document `bytes` with each of `notes` as a comment;
/// a note on a paragraph the document does not have, or on an empty one,
/// is anchored on the first paragraph that has text.
pub fn annotate(bytes: &[u8], notes: &[Note]) -> Result<Vec<u8>, Refusal> {
    let mut package = Package::open(bytes, "Word document (.docx)")?;
    let main = crate::main_part(&mut package)?;
    let document = package
        .text(&main)?
        .ok_or_else(|| Refusal::new(format!("it has no {main}: a zip, but not a Word document")))?;
    let comments = package.text(COMMENTS_PART)?;
    let (kept, ours, mut next_id) = match &comments {
        Some(xml) => split_comments(xml)?,
        None => (String::new(), BTreeSet::new(), 0),
    };
    let anchors = paragraph_anchors(&main, &document, &ours)?;
    let fallback = anchors
        .spans
        .iter()
        .position(|s| s.is_some_and(|s| s.has_text))
        .or_else(|| anchors.spans.iter().position(Option::is_some));
    let mut edits = anchors.removals;
    let mut written = String::new();
    for note in notes {
        let index = (note.paragraph as usize).checked_sub(1);
        let at = index
            .filter(|i| {
                anchors
                    .spans
                    .get(*i)
                    .is_some_and(|s| s.is_some_and(|s| s.has_text))
            })
            .or(fallback);
        let Some(span) = at.and_then(|i| anchors.spans[i]) else {
            continue;
        };
        let id = next_id;
        next_id += 1;
        edits.push(Edit {
            at: span.inside_start,
            remove: 0,
            insert: format!(r#"<w:commentRangeStart w:id="{id}"/>"#),
        });
        edits.push(Edit {
            at: span.inside_end,
            remove: 0,
            insert: format!(
                r#"<w:commentRangeEnd w:id="{id}"/><w:r><w:commentReference w:id="{id}"/></w:r>"#
            ),
        });
        written.push_str(&comment(id, &note.lines));
    }
    let document = apply(&document, edits);
    let comments = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="{W}">{kept}{written}</w:comments>"#
    );
    let rels_name = rels_of(&main);
    let rels = package.text(&rels_name)?;
    let rels = with_comments_relationship(rels.as_deref(), &main);
    let types = package.text("[Content_Types].xml")?.ok_or_else(|| {
        Refusal::new("it has no [Content_Types].xml: a zip, but not a Word document")
    })?;
    let types = with_comments_type(&types);
    rewrite(
        bytes,
        &[
            (main.as_str(), document.as_bytes()),
            (COMMENTS_PART, comments.as_bytes()),
            (rels_name.as_str(), rels.as_bytes()),
            ("[Content_Types].xml", types.as_bytes()),
        ],
    )
}

/// A comment by assure, a paragraph per line.
fn comment(id: u32, lines: &[String]) -> String {
    let mut out = format!(r#"<w:comment w:id="{id}" w:author="{AUTHOR}" w:initials="a">"#);
    for line in lines {
        out.push_str(r#"<w:p><w:r><w:t xml:space="preserve">"#);
        out.push_str(&escape(line));
        out.push_str("</w:t></w:r></w:p>");
    }
    out.push_str("</w:comment>");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // XML 1.0 has no place for other control characters.
            c if c.is_control() && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Of an existing comments part: the raw XML of the comments others wrote
/// (kept), the ids of assure's (taken out), and the first id free.
fn split_comments(xml: &str) -> Result<(String, BTreeSet<u32>, u32), Refusal> {
    let mut reader = Reader::from_str(xml);
    let mut kept = String::new();
    let mut ours = BTreeSet::new();
    let mut next = 0u32;
    let mut open: Option<(usize, bool)> = None;
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            Refusal::new(format!(
                "its part {COMMENTS_PART} is not well-formed XML: {e}"
            ))
        })?;
        match &event {
            Event::Start(e) => {
                depth += 1;
                if depth > crate::MAX_DEPTH {
                    return Err(Refusal::new(format!(
                        "its part {COMMENTS_PART} nests too deep"
                    )));
                }
                if e.local_name().as_ref() == "comment" {
                    let id = attribute(e, "id").and_then(|v| v.parse::<u32>().ok());
                    let by_us = attribute(e, "author").as_deref() == Some(AUTHOR);
                    if let Some(id) = id {
                        next = next.max(id.saturating_add(1));
                        if by_us {
                            ours.insert(id);
                        }
                    }
                    open = Some((before, by_us));
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if e.local_name().as_ref() == "comment"
                    && let Some((start, by_us)) = open.take()
                    && !by_us
                {
                    kept.push_str(&xml[start..reader.buffer_position() as usize]);
                }
            }
            Event::Empty(e) if e.local_name().as_ref() == "comment" => {
                if let Some(id) = attribute(e, "id").and_then(|v| v.parse::<u32>().ok()) {
                    next = next.max(id.saturating_add(1));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((kept, ours, next))
}

/// Where a paragraph's content starts (after its properties) and ends
/// (before `</w:p>`), and whether it holds text.
#[derive(Debug, Clone, Copy)]
struct Span {
    inside_start: usize,
    inside_end: usize,
    has_text: bool,
}

struct Anchors {
    /// By paragraph number less one: the paragraph, or none for one that
    /// cannot hold an anchor (`<w:p/>`).
    spans: Vec<Option<Span>>,
    /// assure's old anchors, taken out.
    removals: Vec<Edit>,
}

/// Every paragraph, counted as the conversion counts them (the same
/// elements passed over), and the anchors of the comments `ours`.
fn paragraph_anchors(part: &str, xml: &str, ours: &BTreeSet<u32>) -> Result<Anchors, Refusal> {
    let mut reader = Reader::from_str(xml);
    let mut spans: Vec<Option<Span>> = Vec::new();
    let mut removals = Vec::new();
    let mut walk = Walk::new();
    let mut current: Option<(usize, Span)> = None;
    // A run that holds only a reference to one of assure's comments.
    let mut run: Option<(usize, bool, bool)> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| Refusal::new(format!("its part {part} is not well-formed XML: {e}")))?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                if !walk.start(e.local_name().as_ref(), part)? {
                    continue;
                }
                match e.local_name().as_ref() {
                    "p" => {
                        spans.push(None);
                        current = Some((
                            spans.len() - 1,
                            Span {
                                inside_start: after,
                                inside_end: after,
                                has_text: false,
                            },
                        ));
                    }
                    "r" => run = Some((before, false, false)),
                    "t" => {
                        if let Some((_, span)) = &mut current {
                            span.has_text = true;
                        }
                        if let Some(run) = &mut run {
                            run.2 = true;
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if !walk.reading() {
                    continue;
                }
                match e.local_name().as_ref() {
                    "p" => spans.push(None),
                    "commentRangeStart" | "commentRangeEnd"
                        if attribute(&e, "id")
                            .and_then(|v| v.parse().ok())
                            .is_some_and(|id| ours.contains(&id)) =>
                    {
                        removals.push(Edit {
                            at: before,
                            remove: after - before,
                            insert: String::new(),
                        });
                    }
                    "commentReference" => {
                        let id = attribute(&e, "id").and_then(|v| v.parse().ok());
                        if let (Some(run), Some(id)) = (&mut run, id)
                            && ours.contains(&id)
                        {
                            run.1 = true;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                if !walk.end() {
                    continue;
                }
                match e.local_name().as_ref() {
                    "pPr" => {
                        // The properties come first: an anchor goes after.
                        if let Some((_, span)) = &mut current {
                            span.inside_start = after;
                        }
                    }
                    "p" => {
                        if let Some((index, mut span)) = current.take() {
                            span.inside_end = before;
                            spans[index] = Some(span);
                        }
                    }
                    "r" => {
                        if let Some((start, reference, text)) = run.take()
                            && reference
                            && !text
                        {
                            removals.push(Edit {
                                at: start,
                                remove: after - start,
                                insert: String::new(),
                            });
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(Anchors { spans, removals })
}

/// Text replaced at a byte offset of a part.
struct Edit {
    at: usize,
    remove: usize,
    insert: String,
}

/// `text` with `edits` made; at one offset, insertions (in the order
/// given) before a removal.
fn apply(text: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.at, e.remove));
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.insert.len()).sum::<usize>());
    let mut from = 0;
    for edit in edits {
        if edit.at < from {
            continue;
        }
        out.push_str(&text[from..edit.at]);
        out.push_str(&edit.insert);
        from = edit.at + edit.remove;
    }
    out.push_str(&text[from.min(text.len())..]);
    out
}

/// The relationships part of `part` (`word/_rels/document.xml.rels`).
fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/_rels/{name}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The main part's relationships with one to the comments part.
fn with_comments_relationship(rels: Option<&str>, main: &str) -> String {
    let target = match main.rsplit_once('/') {
        Some((dir, _)) => COMMENTS_PART
            .strip_prefix(&format!("{dir}/"))
            .unwrap_or(COMMENTS_PART)
            .to_owned(),
        None => COMMENTS_PART.to_owned(),
    };
    let rels = rels.unwrap_or(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>"#,
    );
    if rels.contains(COMMENTS_RELATIONSHIP) {
        return rels.to_owned();
    }
    let relationship = format!(
        r#"<Relationship Id="rIdAssureComments" Type="{COMMENTS_RELATIONSHIP}" Target="{target}"/>"#
    );
    insert_before_close(rels, "</Relationships>", &relationship)
}

/// The content types with the comments part's.
fn with_comments_type(types: &str) -> String {
    if types.contains("/word/comments.xml") {
        return types.to_owned();
    }
    let entry =
        format!(r#"<Override PartName="/word/comments.xml" ContentType="{COMMENTS_TYPE}"/>"#);
    insert_before_close(types, "</Types>", &entry)
}

fn insert_before_close(xml: &str, close: &str, entry: &str) -> String {
    match xml.rfind(close) {
        Some(at) => format!("{}{entry}{}", &xml[..at], &xml[at..]),
        None => format!("{xml}{entry}"),
    }
}

/// The package `bytes` with `parts` (name, content) written in place of
/// their old selves, or added; every other entry copied as it is.
fn rewrite(bytes: &[u8], parts: &[(&str, &[u8])]) -> Result<Vec<u8>, Refusal> {
    let failed = |e: zip::result::ZipError| {
        Refusal::new(format!("the annotated copy cannot be written: {e}"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(failed)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let file = archive.by_index_raw(index).map_err(failed)?;
        let name = file.name().map_err(failed)?.into_owned();
        if parts.iter().any(|(part, _)| *part == name) {
            continue;
        }
        out.raw_copy_file(file).map_err(failed)?;
    }
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        out.start_file(*name, options).map_err(failed)?;
        out.write_all(content)
            .map_err(|e| Refusal::new(format!("the annotated copy cannot be written: {e}")))?;
    }
    Ok(out.finish().map_err(failed)?.into_inner())
}
