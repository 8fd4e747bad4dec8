//! Any bytes as a Word document, two ways: as the file itself (a zip or
//! not), and as the XML of its body inside a well-formed package, so that
//! the fuzzer reaches the XML reader; and as a register (CSV, and a
//! workbook). Converting never panics, every line's place is within the
//! text, and a copy annotated with a comment reads as the same text.
#![no_main]

use assure_documents::register::Format;
use assure_documents::{Kind, Note, annotate, convert};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;

fn vocabulary() -> &'static assure_vocab::Vocabulary {
    static VOCABULARY: OnceLock<assure_vocab::Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(assure_vocab::Vocabulary::core)
}

fn package(document: &[u8]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(b"<Types></Types>").unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

fn check(bytes: &[u8]) {
    let Ok(converted) = convert(Kind::Word, bytes, vocabulary()) else {
        return;
    };
    for (start, _) in converted.places.lines() {
        assert!(start as usize <= converted.text.len());
    }
    let note = Note {
        paragraph: 1,
        lines: vec!["CODE (error): a <note> & more".into()],
    };
    if let Ok(annotated) = annotate(bytes, &[note]) {
        let again = convert(Kind::Word, &annotated, vocabulary()).expect("an annotated copy reads");
        assert_eq!(again.text, converted.text, "annotating changed what the document says");
    }
}

fuzz_target!(|bytes: &[u8]| {
    check(bytes);
    for format in [Format::Csv, Format::Xlsx] {
        if let Ok(converted) = convert(Kind::Register(format), bytes, vocabulary()) {
            for (start, _) in converted.places.lines() {
                assert!(start as usize <= converted.text.len());
            }
        }
    }
    let body = String::from_utf8_lossy(bytes);
    let document = format!(
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    check(&package(document.as_bytes()));
});
