//! Word documents written here as Word writes them (each feature of the
//! XML a test of its own), converted, and the text and places compared
//! exactly; and the files that are not what their name says.

use crate::{Kind, Refusal, convert};
use assure_vocab::Vocabulary;
use std::io::Write;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="NHSSection"><w:name w:val="NHS Section"/><w:basedOn w:val="Heading1"/></w:style>
<w:style w:type="paragraph" w:styleId="Outline2"><w:name w:val="Party"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="character" w:styleId="Heading1Char"><w:name w:val="Heading 1 Char"/></w:style>
</w:styles>"#;

/// A package of `parts` (name, bytes), deflated.
fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// A Word document whose body is `body`.
fn docx(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}<w:sectPr><w:pgSz w:w="11906"/></w:sectPr></w:body></w:document>"#
    );
    package(&[
        ("[Content_Types].xml", b"<Types/>"),
        (
            "_rels/.rels",
            br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
    ])
}

/// A paragraph of style `style` (none: Normal) holding `runs` as they are.
fn p(style: &str, runs: &str) -> String {
    let style = if style.is_empty() {
        String::new()
    } else {
        format!(r#"<w:pPr><w:pStyle w:val="{style}"/></w:pPr>"#)
    };
    format!("<w:p>{style}{runs}</w:p>")
}

/// A run of `text`.
fn r(text: &str) -> String {
    format!(r#"<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>"#)
}

fn text_of(body: &str) -> String {
    convert(Kind::Word, &docx(body), &Vocabulary::core())
        .unwrap()
        .text
}

fn places_of(body: &str) -> Vec<(String, String)> {
    let converted = convert(Kind::Word, &docx(body), &Vocabulary::core()).unwrap();
    converted
        .places
        .lines()
        .map(|(start, place)| {
            let line = converted.text[start as usize..]
                .lines()
                .next()
                .unwrap_or("");
            (line.to_owned(), place.describe())
        })
        .collect()
}

fn refused(bytes: &[u8]) -> String {
    match convert(Kind::Word, bytes, &Vocabulary::core()) {
        Err(Refusal(why)) => why,
        Ok(converted) => panic!("read as {:?}", converted.text),
    }
}

#[test]
fn headings_by_style_fields_by_label_and_the_title() {
    let body = [
        p("Title", &r("Mid Hampshire MCP")),
        p("", &r("Care model: mcp")),
        p("", &r("Population served: 180,000")),
        p("", &r("This business case sets out the proposal.")),
        p("Heading1", &r("3. Organisations")),
        p("Heading2", &r("3.1 Mid Hampshire GP Federation")),
        p("", &r("Type: gp-federation")),
        p("", &r("Annual turnover: £9m/yr")),
        p("NHSSection", &r("Contracts")),
        p("Outline2", &r("MCP contract")),
        p("", &r("Provider: Mid Hampshire GP Federation")),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "proposal: Mid Hampshire MCP
model: mcp
population: 180,000
This business case sets out the proposal.

# Organisations

## Mid Hampshire GP Federation
kind: gp-federation
turnover: £9m/yr

# Contracts

## MCP contract
holder: Mid Hampshire GP Federation
"
    );
    assert_eq!(
        places_of(&body)[4..7],
        [
            ("# Organisations".to_owned(), "paragraph 5".to_owned()),
            (
                "## Mid Hampshire GP Federation".to_owned(),
                "Organisations › paragraph 6".to_owned()
            ),
            (
                "kind: gp-federation".to_owned(),
                "Organisations › Mid Hampshire GP Federation › paragraph 7".to_owned()
            ),
        ]
    );
}

#[test]
fn runs_split_anywhere_and_markers_inside_read_as_one_text() {
    let body = p(
        "",
        &[
            r#"<w:proofErr w:type="spellStart"/>"#,
            &r("Turn"),
            r#"<w:bookmarkStart w:id="0" w:name="x"/>"#,
            &r("over:"),
            r#"<w:bookmarkEnd w:id="0"/><w:commentRangeStart w:id="1"/>"#,
            &r(" £4"),
            r#"<w:commentRangeEnd w:id="1"/><w:r><w:commentReference w:id="1"/></w:r>"#,
            r#"<w:hyperlink r:id="rId9" xmlns:r="r"><w:r><w:t>m/yr</w:t></w:r></w:hyperlink>"#,
        ]
        .concat(),
    );
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        body,
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Organisations\n\n## A\nturnover: £4m/yr\n"
    );
}

#[test]
fn tracked_changes_are_read_as_they_stand_and_field_codes_not_at_all() {
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        p(
            "",
            &[
                &r("Turnover: £"),
                r#"<w:del w:id="1" w:author="x"><w:r><w:delText>4</w:delText></w:r></w:del>"#,
                r#"<w:ins w:id="2" w:author="x"><w:r><w:t>5</w:t></w:r></w:ins>"#,
                &r("m/yr"),
            ]
            .concat(),
        ),
        p(
            "",
            &[
                &r("Established: "),
                r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE \@ "yyyy" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>"#,
                &r("2015-10-01"),
                r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
            ]
            .concat(),
        ),
        p(
            "",
            r#"<w:fldSimple w:instr=" MERGEFIELD kind "><w:r><w:t>Kind: gp-company</w:t></w:r></w:fldSimple>"#,
        ),
        p(
            "",
            r#"<w:moveFrom w:id="3"><w:r><w:t>Quorum: 3</w:t></w:r></w:moveFrom>"#,
        ),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Organisations\n\n## A\nturnover: £5m/yr\nestablished: 2015-10-01\nkind: gp-company\n"
    );
}

#[test]
fn text_boxes_footnotes_and_drawings_are_not_read() {
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        p(
            "",
            &[
                &r("Turnover: £4m/yr"),
                r#"<w:r><w:footnoteReference w:id="2"/></w:r>"#,
                r#"<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Quorum: 9</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Quorum: 9</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"#,
            ]
            .concat(),
        ),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Organisations\n\n## A\nturnover: £4m/yr\n"
    );
}

#[test]
fn spaces_quotes_tabs_and_breaks_are_made_plain() {
    let body = [
        p("Heading1", &r("Case for change")),
        p(
            "",
            &[
                &r("Why\u{00A0}this\u{200B} model:"),
                r#"<w:r><w:tab/></w:r>"#,
                &r("the practices\u{2019} \u{201C}scale\u{201D}"),
                r#"<w:r><w:br/></w:r>"#,
                &r("and their lists"),
                r#"<w:r><w:noBreakHyphen/></w:r>"#,
                &r("combined"),
            ]
            .concat(),
        ),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Case for change\nwhy-this-model: the practices' \"scale\"\n  and their lists-combined\n"
    );
}

#[test]
fn template_blanks_and_unfilled_controls_are_placeholders() {
    let control = |inner: &str, placeholder: bool| {
        let mark = if placeholder {
            "<w:showingPlcHdr/>"
        } else {
            ""
        };
        format!(
            r#"<w:sdt><w:sdtPr><w:alias w:val="x"/>{mark}</w:sdtPr><w:sdtContent>{inner}</w:sdtContent></w:sdt>"#
        )
    };
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        p(
            "",
            &[
                r("Turnover: "),
                control(&r("Click or tap here to enter text."), true),
            ]
            .concat(),
        ),
        p("", &[r("Established: "), control("", false)].concat()),
        p("", &r("Quorum: &lt;INSERT&gt;")),
        control(&p("", &r("Parent: Filled In")), false),
        control(&p("", &r("Guarantor: Their name here")), true),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Organisations

## A
turnover: <<Click or tap here to enter text.>>
established: <<EMPTY CONTENT CONTROL>>
quorum: <<INSERT>>
parent: Filled In
<<Guarantor: Their name here>>
"
    );
}

/// A table of `rows`, each cell one paragraph of its text; a cell
/// `^` continues the one above (merged down).
fn table(rows: &[&[&str]]) -> String {
    let mut out = String::from(
        r#"<w:tbl><w:tblPr><w:tblW w:w="0"/></w:tblPr><w:tblGrid><w:gridCol/></w:tblGrid>"#,
    );
    for row in rows {
        out.push_str("<w:tr>");
        for cell in *row {
            if *cell == "^" {
                out.push_str(r#"<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>"#);
            } else {
                out.push_str(&format!(
                    r#"<w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>{}</w:tc>"#,
                    p("", &r(cell))
                ));
            }
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

#[test]
fn a_table_of_labels_gives_fields_and_a_register_gives_entities() {
    let body = [
        table(&[&["Care model", "mcp"], &["Project sponsor", "Dr A Patel"]]),
        p("Heading1", &r("Organisations")),
        table(&[
            &["Organisation", "Type", "Annual turnover", "Notes"],
            &["North CCG", "ccg", "", "lead commissioner"],
            &["Riverside Practice", "gp-practice", "£1.2m/yr", ""],
        ]),
        p("Heading1", &r("People")),
        table(&[
            &["Name", "Role", "Director of"],
            &["Dr A Patel", "GP partner", "Riverside Practice"],
            &["^", "", "North CCG"],
        ]),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "model: mcp
Project sponsor: Dr A Patel

# Organisations

## North CCG
kind: ccg
Notes: lead commissioner

## Riverside Practice
kind: gp-practice
turnover: £1.2m/yr

# People

## Dr A Patel
role: GP partner
director-of: Riverside Practice, North CCG
"
    );
    let places = places_of(&body);
    assert_eq!(
        places[1],
        (
            "Project sponsor: Dr A Patel".to_owned(),
            "table 1, row 2, column 2".to_owned()
        )
    );
    let director = places
        .iter()
        .find(|(l, _)| l.starts_with("director-of"))
        .unwrap();
    assert_eq!(director.1, "People › Dr A Patel › table 3, row 2, column 3");
}

#[test]
fn unknown_headings_over_prose_are_prose_and_over_data_are_sections() {
    let body = [
        p("Heading1", &r("1. Executive summary")),
        p("", &r("# not a heading, and Note: not a field")),
        p("Heading2", &r("Background")),
        p("Heading1", &r("2. The providers")),
        p("", &r("Turnover: £9m/yr")),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "Executive summary
\\# not a heading, and Note: not a field
Background

# The providers
Turnover: £9m/yr
"
    );
}

#[test]
fn tables_in_tables_are_read_as_their_cells_text() {
    let inner = table(&[&["£9m/yr"]]);
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        format!(
            r#"<w:tbl><w:tr><w:tc>{}</w:tc><w:tc>{inner}</w:tc></w:tr></w:tbl>"#,
            p("", &r("Turnover"))
        ),
    ]
    .concat();
    assert_eq!(
        text_of(&body),
        "# Organisations\n\n## A\nturnover: £9m/yr\n"
    );
}

#[test]
fn files_that_are_not_word_documents_are_refused_by_what_they_are() {
    assert_eq!(refused(b""), "the file is empty");
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.extend(std::iter::repeat_n(0, 512));
    assert!(refused(&ole).starts_with("this is a Word 97-2003 document (.doc)"));
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(
        refused(&ole),
        "this file is encrypted (perhaps by a sensitivity label): save an unprotected copy and check that"
    );
    assert!(refused(b"%PDF-1.7\n...").starts_with("this is a PDF"));
    assert!(refused(b"proposal: P\n").starts_with("this is not a Word document (.docx)"));
    assert!(
        refused(b"PK\x03\x04broken")
            .starts_with("this Word document (.docx) is not a readable zip package")
    );
    assert_eq!(
        refused(&package(&[("hello.txt", b"hi")])),
        "it has no word/document.xml: a zip, but not a Word document"
    );
    let malformed = package(&[("word/document.xml", b"<w:document><w:body><w:p></w:body>")]);
    assert!(
        refused(&malformed)
            .starts_with("its part word/document.xml is not well-formed XML at byte"),
        "{}",
        refused(&malformed)
    );
    let deep = format!(
        "<w:document {W}><w:body>{}</w:body></w:document>",
        "<w:p>".repeat(300)
    );
    assert_eq!(
        refused(&package(&[("word/document.xml", deep.as_bytes())])),
        "its part word/document.xml nests elements more than 256 deep (not something Word writes)"
    );
}

#[test]
fn a_part_that_unpacks_past_the_bound_is_refused_unread() {
    // A part of 2 MiB of one byte deflates to a few KiB: against a bound of
    // 1 MiB, a zip bomb, refused whatever size its entry declares.
    let bomb = vec![b' '; 2 << 20];
    let bytes = package(&[("word/document.xml", &bomb)]);
    assert!(bytes.len() < 64 << 10, "{}", bytes.len());
    let open = || crate::package::Package::open(&bytes, "Word document (.docx)").unwrap();
    assert_eq!(
        open().with_limit(1 << 20).text("word/document.xml").err(),
        Some(Refusal(
            "its part word/document.xml unpacks to more than 1 MiB (a zip bomb, or not a document assure can read)".into()
        ))
    );
    assert_eq!(
        open()
            .with_limit(3 << 20)
            .text("word/document.xml")
            .unwrap()
            .map(|t| t.len()),
        Some(2 << 20)
    );
    // The declared size is not trusted: an entry claiming to be small is
    // read no further than the bound.
    let mut lying = bytes.clone();
    let small = (16u32).to_le_bytes();
    // The central directory's uncompressed size of the one entry (offset 24
    // in its record) and the local header's (offset 22).
    let central = lying.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    lying[central + 24..central + 28].copy_from_slice(&small);
    lying[22..26].copy_from_slice(&small);
    let package = crate::package::Package::open(&lying, "Word document (.docx)").unwrap();
    let read = package.with_limit(1 << 20).text("word/document.xml");
    assert!(read.is_err(), "{read:?}");
}

#[test]
fn entities_are_never_expanded() {
    let body = r#"<!DOCTYPE w:document [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;">]>"#;
    let document = format!(
        r#"{body}<w:document {W}><w:body><w:p><w:r><w:t>Model: &b;mcp &amp; &#x41;</w:t></w:r></w:p></w:body></w:document>"#
    );
    let converted = convert(
        Kind::Word,
        &package(&[("word/document.xml", document.as_bytes())]),
        &Vocabulary::core(),
    )
    .unwrap();
    assert_eq!(converted.text, "model: mcp & A\n");
}

/// The part `name` of the package `bytes`.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
    text
}

#[test]
fn a_note_is_anchored_on_the_paragraph_its_place_names_and_others_comments_stay() {
    let body = [
        p("Heading1", &r("Organisations")),
        // A text box's paragraphs are not counted: nor are they anchors.
        p(
            "",
            r#"<w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>boxed</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r>"#,
        ),
        p("Heading2", &r("A")),
        p(
            "",
            &[
                r#"<w:commentRangeStart w:id="5"/>"#,
                &r("Turnover: £9m/yr"),
                r#"<w:commentRangeEnd w:id="5"/><w:r><w:commentReference w:id="5"/></w:r>"#,
            ]
            .concat(),
        ),
    ]
    .concat();
    let reviewer = r#"<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="5" w:author="A Reviewer"><w:p><w:r><w:t>check this</w:t></w:r></w:p></w:comment></w:comments>"#;
    let mut parts = vec![
        ("[Content_Types].xml", &b"<Types></Types>"[..]),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/comments.xml", reviewer.as_bytes()),
    ];
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    parts.push(("word/document.xml", document.as_bytes()));
    let bytes = package(&parts);
    let converted = convert(Kind::Word, &bytes, &Vocabulary::core()).unwrap();
    let turnover = converted.text.find("turnover").unwrap() as u32;
    let paragraph = converted.places.at(turnover).unwrap().paragraph().unwrap();
    assert_eq!(paragraph, 4);
    let note = crate::Note {
        paragraph,
        lines: vec!["CAP001 (error): <too much> & more".into()],
    };
    let once = crate::annotate(&bytes, std::slice::from_ref(&note)).unwrap();
    let twice = crate::annotate(&once, &[note]).unwrap();
    for annotated in [&once, &twice] {
        let comments = part(annotated, "word/comments.xml");
        assert_eq!(comments.matches(r#"w:author="assure""#).count(), 1);
        assert!(comments.contains("check this"), "{comments}");
        assert!(comments.contains("CAP001 (error): &lt;too much&gt; &amp; more"));
        let document = part(annotated, "word/document.xml");
        // Both anchors in the turnover paragraph, the reviewer's kept.
        let turnover_paragraph = &document[document.rfind("<w:p>").unwrap()..];
        assert_eq!(
            turnover_paragraph.matches("<w:commentRangeStart ").count(),
            2
        );
        assert_eq!(document.matches("<w:commentReference ").count(), 2);
        assert!(part(annotated, "[Content_Types].xml").contains("/word/comments.xml"));
        assert!(
            part(annotated, "word/_rels/document.xml.rels").contains(r#"Target="comments.xml""#)
        );
        // The text read from it is the document's.
        assert_eq!(
            convert(Kind::Word, annotated, &Vocabulary::core())
                .unwrap()
                .text,
            converted.text
        );
    }
}

#[test]
fn numbered_and_bulleted_paragraphs_read_as_their_text() {
    let numbered = |text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr>{}</w:p>"#,
            r(text)
        )
    };
    let body = [
        p("Heading1", &r("Organisations")),
        p("Heading2", &r("A")),
        numbered("Kind: gp-company"),
        numbered("Turnover: £4m/yr"),
    ]
    .concat();
    // Word's numbering is in the paragraph's properties, not its text.
    assert_eq!(
        text_of(&body),
        "# Organisations\n\n## A\nkind: gp-company\nturnover: £4m/yr\n"
    );
}
