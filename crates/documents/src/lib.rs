//! Documents people write, read as proposals.
//!
//! Commissioners write business cases in Word from templates: headings,
//! `Label: value` paragraphs, two-column tables of labels and values, and
//! registers with a row per person or contract. This crate turns such a
//! document's bytes into the proposal text format and a map from each line
//! of that text back to its place in the document ([`Places`]). Parsing,
//! modelling, rules and every output then work as they do on a
//! `.proposal`, and a finding's span, which points into the text, is shown
//! with the place a reader of the document can find.
//!
//! The shape, in three steps, each a module:
//!
//! - `package`: the file as it arrives (a zip package, or an encrypted
//!   file, a legacy `.doc`, a PDF, nothing), its parts unpacked within
//!   bounds;
//! - `docx`: the body's XML as blocks, paragraphs with the heading level
//!   their style gives and tables of cells, text as it stands (tracked
//!   changes accepted);
//! - `layout`: the blocks as canonical text, labels matched to fields
//!   through the vocabulary (a field's key or its `labels`).
//!
//! Nothing here reads a file or knows a field by name: the vocabulary says
//! what is a section, an entity and a field. The conventions are
//! `docs/format.md`'s "In Word".

mod annotate;
mod docx;
mod layout;
mod package;
#[cfg(test)]
mod properties;
pub mod register;
#[cfg(test)]
mod tests;
mod text;

pub use annotate::{AUTHOR, Note, annotate};
pub use assure_diagnostic::place::{Part, Place, Places};
pub use docx::MAX_DEPTH;
pub use package::{MAX_ENTRIES, MAX_PART_BYTES};
pub use text::Cleaned;

use assure_vocab::Vocabulary;

/// Why a document cannot be read, in words for the person who gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl Refusal {
    fn new(why: impl Into<String>) -> Refusal {
        Refusal(why.into())
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document as proposal text.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The proposal, in the canonical text format.
    pub text: String,
    /// Each line's place in the document.
    pub places: Places,
}

/// The kinds of document read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Word document (`.docx`).
    Word,
    /// A register of interests: a CSV file, or a workbook's first sheet.
    Register(register::Format),
}

impl Kind {
    /// The kind a file's name says it is, by its suffix (any case); none
    /// for a proposal or anything else.
    pub fn of(name: &str) -> Option<Kind> {
        let lower = name.to_ascii_lowercase();
        let suffix = lower.rsplit_once('.').map_or("", |(_, s)| s);
        match suffix {
            "docx" => Some(Kind::Word),
            "csv" => Some(Kind::Register(register::Format::Csv)),
            "xlsx" => Some(Kind::Register(register::Format::Xlsx)),
            "ods" => Some(Kind::Register(register::Format::Ods)),
            _ => None,
        }
    }
}

/// The document `bytes` of `kind` as a proposal, its labels matched
/// through `vocabulary`.
pub fn convert(kind: Kind, bytes: &[u8], vocabulary: &Vocabulary) -> Result<Converted, Refusal> {
    convert_file(kind, "", bytes, vocabulary)
}

/// As [`convert`], for the file `name` (which names a CSV register's
/// sheet).
pub fn convert_file(
    kind: Kind,
    name: &str,
    bytes: &[u8],
    vocabulary: &Vocabulary,
) -> Result<Converted, Refusal> {
    match kind {
        Kind::Word => word(bytes, vocabulary),
        // A register alone: no organisation is the proposal's.
        Kind::Register(format) => {
            let sheet = register::read(format, bytes, name)?;
            let laid = register::lay_out(&sheet, vocabulary, &|_| false, 0)?;
            Ok(Converted {
                text: laid.text,
                places: laid.places,
            })
        }
    }
}

fn word(bytes: &[u8], vocabulary: &Vocabulary) -> Result<Converted, Refusal> {
    let mut package = package::Package::open(bytes, "Word document (.docx)")?;
    let main = main_part(&mut package)?;
    let document = package
        .text(&main)?
        .ok_or_else(|| Refusal::new(format!("it has no {main}: a zip, but not a Word document")))?;
    let roles = match package.text("word/styles.xml")? {
        Some(styles) => docx::styles(&styles)?,
        None => Default::default(),
    };
    let blocks = docx::body(&document, &roles)?;
    let laid = layout::lay_out(&blocks, vocabulary);
    Ok(Converted {
        text: laid.text,
        places: laid.places,
    })
}

/// The main document part, as the package's relationships name it
/// (`word/document.xml` in every Word and LibreOffice file).
pub(crate) fn main_part(package: &mut package::Package<'_>) -> Result<String, Refusal> {
    const DEFAULT: &str = "word/document.xml";
    let Some(rels) = package.text("_rels/.rels")? else {
        return Ok(DEFAULT.to_owned());
    };
    let mut reader = quick_xml::Reader::from_str(&rels);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Empty(e) | quick_xml::events::Event::Start(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let attr = |name: &str| docx::attribute(&e, name);
                if attr("Type").is_some_and(|t| t.ends_with("/officeDocument"))
                    && let Some(target) = attr("Target")
                {
                    return Ok(target.trim_start_matches('/').to_owned());
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return Ok(DEFAULT.to_owned()),
            Ok(_) => {}
        }
    }
}
