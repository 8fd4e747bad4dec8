//! A generated proposal laid out in Word in the ways commissioners lay out
//! business cases (each block's layout chosen at random: label tables or
//! `Label: value` paragraphs, registers of people, numbered headings,
//! labels from the vocabulary, runs split anywhere, markers between them,
//! spaces that are not spaces) gives, converted, the findings of the text
//! it was made from: code, entity and message.

use crate::{Kind, convert};
use assure_check::Checker;
use assure_rules::RuleSet;
use assure_vocab::{HEADER, Owner, Vocabulary};
use proptest::prelude::*;
use std::io::Write as _;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(RuleSet::default_set().expect("the default pack loads")))
}

/// One block of a proposal: a heading, a field with its lines, or prose.
enum Line<'t> {
    Section(&'t str),
    Entity(&'t str),
    Field(&'t str, Vec<&'t str>),
    Prose(&'t str),
}

fn lines_of(text: &str) -> Vec<Line<'_>> {
    let mut out: Vec<Line<'_>> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            out.push(Line::Section(title));
        } else if let Some(name) = line.strip_prefix("## ") {
            out.push(Line::Entity(name));
        } else if let Some(more) = line.strip_prefix("  ") {
            if let Some(Line::Field(_, values)) = out.last_mut() {
                values.push(more.trim());
            }
        } else if let Some((key, value)) = line.split_once(": ") {
            out.push(Line::Field(key, vec![value]));
        } else if !line.trim().is_empty() {
            out.push(Line::Prose(line.trim()));
        }
    }
    out
}

/// How the document is written: a choice per block, drawn from `choices`.
struct Writer<'c> {
    choices: &'c [u8],
    at: usize,
}

impl Writer<'_> {
    fn choose(&mut self, among: u8) -> u8 {
        let choice = self
            .choices
            .get(self.at % self.choices.len().max(1))
            .copied()
            .unwrap_or(0);
        self.at += 1;
        choice % among
    }

    /// A run of `text`, split somewhere, perhaps with a marker between.
    fn runs(&mut self, text: &str) -> String {
        let escaped = |t: &str| {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        let chars: Vec<char> = text.chars().collect();
        let cut = usize::from(self.choose(255)) % (chars.len() + 1);
        let (a, b): (String, String) =
            (chars[..cut].iter().collect(), chars[cut..].iter().collect());
        let marker = match self.choose(4) {
            0 => r#"<w:proofErr w:type="spellStart"/>"#,
            1 => r#"<w:bookmarkStart w:id="9" w:name="b"/><w:bookmarkEnd w:id="9"/>"#,
            _ => "",
        };
        format!(
            r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>{marker}<w:r><w:rPr><w:i/></w:rPr><w:t xml:space="preserve">{}</w:t></w:r>"#,
            escaped(&a),
            escaped(&b)
        )
    }

    fn paragraph(&mut self, style: Option<u8>, text: &str) -> String {
        let properties = style.map_or(String::new(), |level| {
            format!(r#"<w:pPr><w:outlineLvl w:val="{level}"/></w:pPr>"#)
        });
        format!("<w:p>{properties}{}</w:p>", self.runs(text))
    }

    /// A label for `key` of `owner`: the key in words, or one of its
    /// vocabulary's labels.
    fn label(&mut self, vocabulary: &Vocabulary, owner: Owner, key: &str) -> String {
        let labels = vocabulary
            .fields_of(owner)
            .get(key)
            .map(|id| vocabulary.field(id).labels.clone())
            .unwrap_or_default();
        let choice = usize::from(self.choose(4));
        match labels.get(choice) {
            Some(label) if choice > 0 => label.clone(),
            _ => {
                let words = key.replace('-', " ");
                let mut chars = words.chars();
                chars
                    .next()
                    .map_or(words.clone(), |c| c.to_uppercase().chain(chars).collect())
            }
        }
    }

    fn value(&mut self, values: &[&str]) -> String {
        // A non-breaking space after the colon, now and then.
        let space = if self.choose(3) == 0 { "\u{00A0}" } else { " " };
        format!("{space}{}", values.join(" "))
    }
}

/// `text` laid out as a Word document.
fn document(text: &str, vocabulary: &Vocabulary, choices: &[u8]) -> Vec<u8> {
    let mut w = Writer { choices, at: 0 };
    let mut body = String::new();
    let mut owner = Owner::Section(HEADER);
    let lines = lines_of(text);
    let mut i = 0;
    let mut number = 0;
    while i < lines.len() {
        match &lines[i] {
            Line::Section(title) => {
                number += 1;
                let shown = if w.choose(2) == 0 {
                    format!("{number}. {title}")
                } else {
                    (*title).to_owned()
                };
                body.push_str(&w.paragraph(Some(0), &shown));
                let section = vocabulary
                    .section_by_title(title)
                    .expect("generated sections are known");
                owner = Owner::Section(section);
                i += 1;
            }
            Line::Entity(name) => {
                body.push_str(&w.paragraph(Some(1), name));
                if let Owner::Section(s) = owner
                    && let Some(ty) = vocabulary.section(s).entity
                {
                    owner = Owner::Entity(ty);
                }
                i += 1;
                let start = i;
                while i < lines.len() && matches!(lines[i], Line::Field(..)) {
                    i += 1;
                }
                let fields = &lines[start..i];
                if w.choose(2) == 0 {
                    body.push_str("<w:tbl>");
                    for field in fields {
                        let Line::Field(key, values) = field else {
                            continue;
                        };
                        let label = w.label(vocabulary, owner, key);
                        let cells: String = values.iter().map(|v| w.paragraph(None, v)).collect();
                        body.push_str(&format!(
                            "<w:tr><w:tc>{}</w:tc><w:tc>{cells}</w:tc></w:tr>",
                            w.paragraph(None, &label)
                        ));
                    }
                    body.push_str("</w:tbl>");
                } else {
                    for field in fields {
                        let Line::Field(key, values) = field else {
                            continue;
                        };
                        let label = w.label(vocabulary, owner, key);
                        let value = w.value(values);
                        body.push_str(&w.paragraph(None, &format!("{label}:{value}")));
                    }
                }
                if let Owner::Entity(ty) = owner {
                    owner = Owner::Section(vocabulary.entity_type(ty).section);
                }
            }
            Line::Field(key, values) => {
                let label = w.label(vocabulary, owner, key);
                let value = w.value(values);
                body.push_str(&w.paragraph(None, &format!("{label}:{value}")));
                i += 1;
            }
            Line::Prose(text) => {
                body.push_str(&w.paragraph(None, text));
                i += 1;
            }
        }
    }
    let xml = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

/// Each finding's code, entity and message, sorted.
fn findings(text: &str) -> Vec<(String, String, String)> {
    let report = checker().check("p", text.as_bytes());
    let mut out: Vec<(String, String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.diagnostic.code.to_string(),
                f.entity.clone().unwrap_or_default(),
                f.diagnostic.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn a_document_gives_its_text_twins_findings(
        entities in 8usize..40,
        seed in 0u64..1_000,
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let text = assure_gen::proposal(entities, seed);
        let vocabulary = checker().vocabulary();
        let bytes = document(&text, vocabulary, &choices);
        let converted = convert(Kind::Word, &bytes, vocabulary).expect("a document written here reads");
        prop_assert_eq!(findings(&converted.text), findings(&text), "{}", converted.text);
    }
}
