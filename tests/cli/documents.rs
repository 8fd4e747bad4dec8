//! Word documents linted, converted and refused as a user runs them: the
//! fixtures under `fixtures/documents/` were made by python-docx from the
//! proposals beside them (`tests/documents/docx_of.py`), and under
//! `.ci/run` python-docx makes every fixture's again, each linted against
//! its text twin.

use crate::{assure, assure_in, root};
use serde_json::Value;
use std::path::Path;

/// Each finding's code, entity and message, sorted: what must agree
/// between a document and its text twin (lines and places differ).
fn findings_of(dir: &Path, file: &str) -> Vec<(String, String, String)> {
    let run = assure_in(dir, &["lint", "--format", "json", file]);
    assert_ne!(run.status, 2, "{}{}", run.stdout, run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut findings: Vec<(String, String, String)> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["entity"].as_str().unwrap_or("").to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    findings.sort();
    findings
}

/// LibreOffice, headless, with a profile of its own in `dir`, converts
/// `files` to `to` (`docx:MS Word 2007 XML`, `fodt`, `ods`) into `out`.
fn soffice_convert(soffice: &Path, dir: &Path, to: &str, out: &Path, files: &[std::path::PathBuf]) {
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let done = std::process::Command::new(soffice)
        .args([&profile, "--headless", "--convert-to", to, "--outdir"])
        .arg(out)
        .args(files)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

#[test]
fn a_word_business_case_gives_its_text_twins_findings() {
    for name in ["hampshire-mcp", "dudley-mcp"] {
        let twin = findings_of(&root(), &format!("fixtures/{name}.proposal"));
        assert!(!twin.is_empty(), "{name}");
        assert_eq!(
            findings_of(&root(), &format!("fixtures/documents/{name}.docx")),
            twin,
            "{name}"
        );
    }
}

#[test]
fn every_fixture_made_by_python_docx_gives_its_text_twins_findings() {
    let Some(python) = assure_test_tools::python_module("docx", "python3-docx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut made = 0;
    for entry in std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "proposal") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let target = dir.path().join(format!("{name}.docx"));
        let status = std::process::Command::new(&python)
            .arg(root().join("tests/documents/docx_of.py"))
            .arg(&path)
            .arg(&target)
            .status()
            .unwrap();
        assert!(status.success(), "python-docx made no {name}.docx");
        assert_eq!(
            findings_of(dir.path(), &format!("{name}.docx")),
            findings_of(&root(), path.to_str().unwrap()),
            "{name}"
        );
        made += 1;
    }
    assert!(made >= 5, "{made}");
}

#[test]
fn every_fixture_made_by_libreoffice_gives_its_text_twins_findings() {
    let Some(python) = assure_test_tools::python_module("html", "python3") else {
        return;
    };
    let Some(soffice) =
        assure_test_tools::program("soffice", &["/usr/bin/soffice"], "libreoffice-writer-nogui")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (pages, out) = (dir.path().join("pages"), dir.path().join("out"));
    std::fs::create_dir_all(&pages).unwrap();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "proposal") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let status = std::process::Command::new(&python)
            .arg(root().join("tests/documents/html_of.py"))
            .arg(&path)
            .arg(pages.join(format!("{name}.html")))
            .status()
            .unwrap();
        assert!(status.success(), "no page for {name}");
        names.push(name);
    }
    // LibreOffice writes Word XML its own way: its styles, its runs.
    let pages: Vec<std::path::PathBuf> = names
        .iter()
        .map(|name| pages.join(format!("{name}.html")))
        .collect();
    soffice_convert(&soffice, dir.path(), "docx:MS Word 2007 XML", &out, &pages);
    for name in &names {
        assert_eq!(
            findings_of(&out, &format!("{name}.docx")),
            findings_of(&root(), &format!("fixtures/{name}.proposal")),
            "{name}"
        );
    }
    assert!(names.len() >= 5, "{names:?}");
}

#[test]
fn a_finding_in_a_document_names_its_place_in_every_output() {
    let file = "fixtures/documents/hampshire-mcp.docx";
    let json: Value =
        serde_json::from_str(&assure(&["lint", "--format", "json", file]).stdout).unwrap();
    let fail = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "PFI001")
        .expect("the PFI transfer to the federation is a finding");
    assert_eq!(
        fail["place"],
        serde_json::json!({
            "headings": ["Liabilities", "Lymington Hospital PFI"],
            "paragraph": fail["place"]["paragraph"],
            "table": 9,
            "row": 5,
            "column": 2,
            "text": "Liabilities › Lymington Hospital PFI › table 9, row 5, column 2",
        })
    );
    let human = assure(&["lint", file]).stdout;
    assert!(human.contains(&format!("╭─[{file} as text:")), "{human}");
    assert!(
        human.contains(
            "  in the document: Liabilities › Lymington Hospital PFI › table 9, row 5, column 2\n"
        ),
        "{human}"
    );
    let sarif: Value =
        serde_json::from_str(&assure(&["lint", "--format", "sarif", file]).stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "PFI001")
        .unwrap();
    let location = &result["locations"][0];
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "Liabilities › Lymington Hospital PFI › table 9, row 5, column 2"
    );
    assert_eq!(
        location["physicalLocation"].get("region"),
        None,
        "{location}"
    );
    let github = assure(&["lint", "--format", "github", file]).stdout;
    assert!(
        github.contains(
            "%0Ain the document: Liabilities › Lymington Hospital PFI › table 9, row 5, column 2"
        ),
        "{github}"
    );
}

#[test]
fn convert_prints_the_text_and_where_each_line_came_from() {
    let file = "fixtures/documents/hampshire-mcp.docx";
    let text = assure(&["convert", file]);
    crate::assert_status!(text, 0);
    assert!(
        text.stdout.starts_with(
            "proposal: Mid Hampshire Multispecialty Community Provider\nmodel: mcp\ncommissioner: West Hampshire CCG\n"
        ),
        "{}",
        text.stdout
    );
    // The converted text lints as the document does.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("twin.proposal"), &text.stdout).unwrap();
    assert_eq!(
        findings_of(dir.path(), "twin.proposal"),
        findings_of(&root(), file)
    );
    let places = assure(&["convert", "--places", file]).stdout;
    let lines: Vec<&str> = places.lines().collect();
    assert_eq!(lines[0], "1\tparagraph 1");
    let holder = text
        .stdout
        .lines()
        .position(|l| l.starts_with("holder: "))
        .unwrap()
        + 1;
    assert!(
        lines.contains(
            &format!("{holder}\tContracts › Mid Hampshire MCP contract › table 8, row 3, column 2")
                .as_str()
        ),
        "{places}"
    );
    let not_a_document = assure(&["convert", "fixtures/hampshire-mcp.proposal"]);
    crate::assert_status!(not_a_document, 2);
    assert!(
        not_a_document
            .stderr
            .contains("is not a document assure converts")
    );
}

#[test]
fn files_that_are_not_word_documents_fail_the_run_with_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(std::iter::repeat_n(0u8, 504));
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "labelled.docx",
            encrypted,
            "error: cannot read labelled.docx: this file is encrypted (perhaps by a sensitivity label): save an unprotected copy and check that",
        ),
        (
            "empty.docx",
            Vec::new(),
            "error: cannot read empty.docx: the file is empty",
        ),
        (
            "renamed.docx",
            b"%PDF-1.4\n".to_vec(),
            "error: cannot read renamed.docx: this is a PDF, not a Word document (.docx): check the Word document (.docx) it was made from",
        ),
        (
            "old.docx",
            [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0].to_vec(),
            "error: cannot read old.docx: this is a Word 97-2003 document (.doc) or another older Office file, not a Word document (.docx): save it as a Word document (.docx) and check that",
        ),
    ];
    for (name, bytes, said) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let run = assure_in(dir.path(), &["lint", name]);
        crate::assert_status!(run, 2);
        assert!(run.stderr.contains(said), "{name}: {}", run.stderr);
        let converted = assure_in(dir.path(), &["convert", name]);
        crate::assert_status!(converted, 2);
        assert!(
            converted.stderr.contains(&said[7..]),
            "{name}: {}",
            converted.stderr
        );
    }
    // A good document beside them is still linted and reported.
    std::fs::copy(
        root().join("fixtures/documents/dudley-mcp.docx"),
        dir.path().join("good.docx"),
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "json", "good.docx", "empty.docx"],
    );
    crate::assert_status!(run, 2);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "empty.docx");
    assert_eq!(json["files"][0]["findings"][0]["code"], "SYN003");
    assert_eq!(json["files"][1]["path"], "good.docx");
}

#[test]
fn fmt_and_fix_leave_a_word_document_alone_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("case.docx");
    std::fs::copy(
        root().join("fixtures/documents/hampshire-mcp.docx"),
        &document,
    )
    .unwrap();
    let before = std::fs::read(&document).unwrap();
    for command in [&["fmt", "case.docx"][..], &["fix", "case.docx"]] {
        let run = assure_in(dir.path(), command);
        crate::assert_status!(run, 2);
        assert!(
            run.stderr.contains("it is a Word document: this command rewrites proposals in the text format (`assure convert` writes one as text)"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(std::fs::read(&document).unwrap(), before);
}

/// The parts `names` of the package at `path`, as text.
fn parts_of(path: &Path, names: &[&str]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    names
        .iter()
        .map(|name| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
            text
        })
        .collect()
}

fn count(text: &str, what: &str) -> usize {
    text.matches(what).count()
}

#[test]
fn annotate_writes_a_copy_with_a_comment_per_finding_and_never_doubles_them() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("case.docx");
    std::fs::copy(
        root().join("fixtures/documents/hampshire-mcp.docx"),
        &original,
    )
    .unwrap();
    let before = std::fs::read(&original).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--annotate", "reviewed.docx", "case.docx"],
    );
    crate::assert_status!(run, 1);
    assert!(
        run.stderr
            .contains("wrote reviewed.docx with 7 comments (6 findings and the readiness)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(&original).unwrap(),
        before,
        "the document given is never written"
    );
    let reviewed = dir.path().join("reviewed.docx");
    let [comments, document, types, rels] = &parts_of(
        &reviewed,
        &[
            "word/comments.xml",
            "word/document.xml",
            "[Content_Types].xml",
            "word/_rels/document.xml.rels",
        ],
    )[..] else {
        unreachable!("four parts asked for")
    };
    assert_eq!(count(comments, r#"w:author="assure""#), 7);
    assert!(comments.contains(
        "PFI001 (error): Lymington Hospital PFI would pass to Mid Hampshire GP Federation"
    ));
    assert!(comments.contains("assure: the readiness of each gateway stage"));
    for anchor in [
        "<w:commentRangeStart ",
        "<w:commentRangeEnd ",
        "<w:commentReference ",
    ] {
        assert_eq!(count(document, anchor), 7, "{anchor}");
    }
    assert!(types.contains(r#"PartName="/word/comments.xml""#));
    assert!(rels.contains(r#"Target="comments.xml""#));
    // Read again, the copy says what the document says.
    assert_eq!(
        assure_in(dir.path(), &["convert", "reviewed.docx"]).stdout,
        assure_in(dir.path(), &["convert", "case.docx"]).stdout
    );
    // Annotated again: assure's comments replaced, not doubled.
    let again = assure_in(
        dir.path(),
        &["lint", "--annotate", "again.docx", "reviewed.docx"],
    );
    crate::assert_status!(again, 1);
    let [comments, document] = &parts_of(
        &dir.path().join("again.docx"),
        &["word/comments.xml", "word/document.xml"],
    )[..] else {
        unreachable!("two parts asked for")
    };
    assert_eq!(count(comments, r#"w:author="assure""#), 7);
    assert_eq!(count(document, "<w:commentRangeStart "), 7);
    // Never over a file, never over the document, only of one document.
    let over = assure_in(
        dir.path(),
        &["lint", "--annotate", "reviewed.docx", "case.docx"],
    );
    crate::assert_status!(over, 2);
    assert!(
        over.stderr.contains("cannot write reviewed.docx"),
        "{}",
        over.stderr
    );
    let itself = assure_in(
        dir.path(),
        &["lint", "--annotate", "case.docx", "case.docx"],
    );
    crate::assert_status!(itself, 2);
    assert!(
        itself
            .stderr
            .contains("give it a name other than the document's"),
        "{}",
        itself.stderr
    );
    std::fs::copy(
        root().join("fixtures/hampshire-mcp.proposal"),
        dir.path().join("p.proposal"),
    )
    .unwrap();
    let text = assure_in(dir.path(), &["lint", "--annotate", "p.docx", "p.proposal"]);
    crate::assert_status!(text, 2);
    assert!(
        text.stderr.contains("p.proposal is not one (.docx)"),
        "{}",
        text.stderr
    );
    assert_eq!(std::fs::read(&original).unwrap(), before);
}

/// Comments read back by independent readers, on the text at fault:
/// python-docx's package reader, and LibreOffice (converted to flat ODF,
/// where a comment sits in the paragraph it annotates).
#[test]
fn annotated_comments_are_read_back_on_the_right_text_by_python_docx_and_libreoffice() {
    let Some(python) = assure_test_tools::python_module("docx", "python3-docx") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/documents/hampshire-mcp.docx"),
        dir.path().join("case.docx"),
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--annotate", "reviewed.docx", "case.docx"],
    );
    crate::assert_status!(run, 1);
    let read = std::process::Command::new(&python)
        .arg(root().join("tests/documents/comments_of.py"))
        .arg(dir.path().join("reviewed.docx"))
        .output()
        .unwrap();
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let lines = String::from_utf8(read.stdout).unwrap();
    let anchored: Vec<(&str, &str)> = lines
        .lines()
        .map(|l| {
            let mut parts = l.split('\t');
            let text = parts.next().unwrap();
            assert_eq!(parts.next(), Some("assure"), "{l}");
            (text, parts.next().unwrap().split(':').next().unwrap())
        })
        .collect();
    assert_eq!(
        anchored,
        [
            ("Mid Hampshire Multispecialty Community Provider", "assure"),
            ("Population: 180,000", "CFC003 (warning)"),
            ("Mid Hampshire MCP contract", "FAIL001 (error)"),
            ("Mid Hampshire GP Federation", "CAP002 (error)"),
            ("£150m/yr", "CAP001 (error)"),
            ("22 years", "PFI002 (warning)"),
            ("Mid Hampshire GP Federation", "PFI001 (error)"),
        ]
    );
    let Some(soffice) =
        assure_test_tools::program("soffice", &["/usr/bin/soffice"], "libreoffice-writer-nogui")
    else {
        return;
    };
    soffice_convert(
        &soffice,
        dir.path(),
        "fodt",
        dir.path(),
        &[dir.path().join("reviewed.docx")],
    );
    let flat = std::fs::read_to_string(dir.path().join("reviewed.fodt")).unwrap();
    assert_eq!(count(&flat, "<dc:creator>assure</dc:creator>"), 7);
    // The PFI001 comment, and the text of the paragraph it sits in.
    let at = flat.find("PFI001 (error)").unwrap();
    let opened = flat[..at].rfind("<office:annotation").unwrap();
    let closed = at + flat[at..].find("</office:annotation>").unwrap();
    let paragraph_end = closed + flat[closed..].find("</text:p>").unwrap();
    let after: String = strip_tags(&flat[closed..paragraph_end]);
    let paragraph_start = flat[..opened].rfind("<text:p").unwrap();
    let before: String = strip_tags(&flat[paragraph_start..opened]);
    assert_eq!(
        format!("{before}{after}").trim(),
        "Mid Hampshire GP Federation"
    );
}

fn strip_tags(xml: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in xml.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn diff_compares_a_word_document_with_its_text_by_place() {
    let run = assure(&[
        "diff",
        "-q",
        "fixtures/documents/hampshire-mcp.docx",
        "fixtures/hampshire-mcp.proposal",
    ]);
    crate::assert_status!(run, 0);
    assert!(
        run.stdout.starts_with(
            "Resolved: 0 findings
New: 0 findings
Moved or edited, still present: 6 findings
  ~ CFC003 paragraph 4 → line 5
  ~ FAIL001 Contracts › paragraph 59 → line 59
  ~ CAP002 Contracts › Mid Hampshire MCP contract › table 8, row 3, column 2 → line 63
"
        ),
        "{}",
        run.stdout
    );
}

/// PSR011-style place checks aside, what a register gives a proposal: its
/// interests reach the conflict rules, placed at their cells.
#[test]
fn a_register_in_excel_or_csv_feeds_the_conflict_rules() {
    let proposal = "fixtures/hampshire-mcp.proposal";
    let without = assure(&["lint", "--format", "json", proposal]);
    assert!(!without.stdout.contains("\"COI001\""), "{}", without.stdout);
    for (register, cell) in [
        ("fixtures/documents/register.xlsx", "Register!E4"),
        ("fixtures/documents/register.csv", "register!E4"),
        ("fixtures/documents/register-1252.csv", "register-1252!E4"),
    ] {
        let run = assure(&["lint", "--format", "json", "--register", register, proposal]);
        crate::assert_status!(run, 1);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        let coi = json["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "COI001")
            .unwrap_or_else(|| panic!("{register}: no COI001 in {}", run.stdout));
        assert!(
            coi["message"]
                .as_str()
                .unwrap()
                .starts_with("Dr Mark Ellis sits on West Hampshire CCG, which commissions Mid Hampshire MCP contract, and has an interest in Mid Hampshire GP Federation"),
            "{coi}"
        );
        // The primary is the proposal's own line, which keeps its number.
        assert_eq!(coi["span"]["line"], 47);
        assert_eq!(coi["labels"][1]["place"]["text"], cell, "{register}");
        let human = assure(&["lint", "--register", register, proposal]).stdout;
        assert!(human.contains(&format!("  interest: {cell}\n")), "{human}");
        assert!(human.contains(&format!("╭─[{proposal}:47:1]")), "{human}");
    }
    // Excel's export, in Windows-1252: said, and `£` read as `£`.
    let run = assure(&[
        "lint",
        "--register",
        "fixtures/documents/register-1252.csv",
        proposal,
    ]);
    assert!(
        run.stderr.contains("note: fixtures/documents/register-1252.csv: read as Windows-1252 (Excel's CSV export): it is not UTF-8"),
        "{}",
        run.stderr
    );
    let converted = assure(&["convert", "fixtures/documents/register-1252.csv"]);
    crate::assert_status!(converted, 0);
    assert!(
        converted.stdout.contains("Value: £5,000\n"),
        "{}",
        converted.stdout
    );
    assert_eq!(
        converted.stdout,
        assure(&["convert", "fixtures/documents/register.csv"])
            .stdout
            .replace("register!", "register-1252!")
    );
}

#[test]
fn a_register_alone_lints_and_a_byte_it_cannot_decode_is_a_finding_at_its_cell() {
    let alone = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/documents/register.xlsx",
    ]);
    assert_ne!(alone.status, 2, "{}", alone.stderr);
    let json: Value = serde_json::from_str(&alone.stdout).unwrap();
    // Alone, no organisation is the proposal's: interests are read, not
    // references to nothing.
    let codes: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"REF001"), "{codes:?}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.csv"),
        b"Name,Position\r\nDr A,GP\x81 lead\r\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "r.csv"]);
    crate::assert_status!(run, 1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "SYN004")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!(
        finding["message"],
        "the placeholder `<<UNDECODABLE BYTE 0x81>>` is still here"
    );
    assert_eq!(finding["place"]["text"], "r!B2");
    // A register that is not one, and a file that is not a register.
    std::fs::write(dir.path().join("list.csv"), "a,b\r\n1,2\r\n").unwrap();
    let run = assure_in(dir.path(), &["lint", "list.csv"]);
    crate::assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("no row of list heads a column of names (`Name`)"),
        "{}",
        run.stderr
    );
    std::fs::write(dir.path().join("fake.xlsx"), b"%PDF-1.4").unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--register",
            "fake.xlsx",
            root()
                .join("fixtures/hampshire-mcp.proposal")
                .to_str()
                .unwrap(),
        ],
    );
    crate::assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("cannot read fake.xlsx: this is a PDF, not a Excel workbook (.xlsx)"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_register_made_by_openpyxl_feeds_the_conflict_rules() {
    let Some(python) = assure_test_tools::python_module("openpyxl", "python3-openpyxl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&python)
        .arg(root().join("tests/documents/register_of.py"))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut names = vec!["register.xlsx", "register.csv", "register-1252.csv"];
    // LibreOffice (with Calc) saves the workbook as an OpenDocument
    // spreadsheet.
    let calc = Path::new("/usr/lib/libreoffice/program/libsclo.so");
    if !calc.exists() {
        if assure_test_tools::external_required() {
            assure_test_tools::apt_install("libreoffice-calc-nogui").unwrap();
        } else {
            assure_test_tools::left_to_ci("libreoffice-calc-nogui");
        }
    }
    if let Some(soffice) =
        assure_test_tools::program("soffice", &["/usr/bin/soffice"], "libreoffice-writer-nogui")
            .filter(|_| calc.exists())
    {
        soffice_convert(
            &soffice,
            dir.path(),
            "ods",
            dir.path(),
            &[dir.path().join("register.xlsx")],
        );
        names.push("register.ods");
    }
    for name in names {
        let made = dir.path().join(name);
        let run = assure(&[
            "lint",
            "--format",
            "json",
            "--register",
            made.to_str().unwrap(),
            "fixtures/hampshire-mcp.proposal",
        ]);
        crate::assert_status!(run, 1);
        assert!(run.stdout.contains("\"COI001\""), "{name}: {}", run.stdout);
    }
}

/// A proposal may name its register in its header (`register:`), read from
/// its folder under the rules packs are: relative, inside, no link out.
#[test]
fn a_proposal_names_its_register_beside_it_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    std::fs::copy(
        root().join("fixtures/documents/register.xlsx"),
        dir.path().join("interests.xlsx"),
    )
    .unwrap();
    let proposal = std::fs::read_to_string(root().join("fixtures/hampshire-mcp.proposal")).unwrap();
    let naming = |register: &str| {
        proposal.replacen(
            "launch: 2017-10-01\n",
            &format!("launch: 2017-10-01\nregister: {register}\n"),
            1,
        )
    };
    std::fs::write(dir.path().join("case.proposal"), naming("interests.xlsx")).unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "case.proposal"]);
    crate::assert_status!(run, 1);
    assert!(run.stdout.contains("\"COI001\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("\"text\": \"Register!E4\""),
        "{}",
        run.stdout
    );
    std::fs::write(dir.path().join("secret.csv"), "Name,Position\nX,Y\n").unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("secret.csv"),
        dir.path().join("sub/link.csv"),
    )
    .unwrap();
    std::fs::write(dir.path().join("sub/up.proposal"), naming("../secret.csv")).unwrap();
    std::fs::write(dir.path().join("sub/link.proposal"), naming("link.csv")).unwrap();
    std::fs::write(dir.path().join("sub/text.proposal"), naming("notes.txt")).unwrap();
    std::fs::write(dir.path().join("sub/gone.proposal"), naming("gone.csv")).unwrap();
    for (file, why) in [
        (
            "sub/up.proposal",
            "names the register `../secret.csv` (`register:`), which is not a path inside the proposal's folder: name it relative to the proposal, without `..`",
        ),
        (
            "sub/link.proposal",
            "names the register `link.csv` (`register:`), which leads out of the proposal's folder (a link): it is not read",
        ),
        (
            "sub/text.proposal",
            "names the register `notes.txt` (`register:`), which is not a .csv, .xlsx or .ods",
        ),
        (
            "sub/gone.proposal",
            "names the register `gone.csv` (`register:`), which does not exist beside it",
        ),
    ] {
        let run = assure_in(dir.path(), &["lint", file]);
        crate::assert_status!(run, 2);
        assert!(
            run.stderr.contains(&format!("error: {file} {why}")),
            "{file}: {}",
            run.stderr
        );
    }
    // `--register` given, it is the register of every proposal.
    let run = assure_in(
        dir.path(),
        &["lint", "--register", "interests.xlsx", "sub/up.proposal"],
    );
    crate::assert_status!(run, 1);
}

/// A Word document of `body` (WordprocessingML paragraphs and tables),
/// with Heading 1 and 2 styles.
fn word_document(body: &str) -> Vec<u8> {
    use std::io::Write as _;
    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    let styles = format!(
        r#"<w:styles {W}><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style></w:styles>"#
    );
    let document = format!(r#"<w:document {W}><w:body>{body}</w:body></w:document>"#);
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let parts = [
        ("[Content_Types].xml", "<Types/>".to_owned()),
        (
            "_rels/.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_owned(),
        ),
        ("word/document.xml", document),
        ("word/styles.xml", styles),
    ];
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn a_word_table_headed_board_gives_an_icbs_board_to_the_board_rules() {
    let paragraph = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let table = |rows: &[[&str; 2]]| {
        let cells: String = rows
            .iter()
            .map(|row| {
                let cells: String = row
                    .iter()
                    .map(|cell| format!("<w:tc><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>"))
                    .collect();
                format!("<w:tr>{cells}</w:tr>")
            })
            .collect();
        format!("<w:tbl>{cells}</w:tbl>")
    };
    let body = [
        table(&[["Proposal", "Board test"], ["Commissioner", "North ICB"]]),
        paragraph("Heading1", "Organisations"),
        paragraph("Heading2", "North ICB"),
        table(&[
            ["Kind", "icb"],
            [
                "Board",
                "Ms A (chair), Mr B (chief-executive), Ms C (non-executive-member)",
            ],
        ]),
        paragraph("Heading1", "People"),
        paragraph("Heading2", "Ms A"),
        paragraph("Heading2", "Mr B"),
        paragraph("Heading2", "Ms C"),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("board.docx"), word_document(&body)).unwrap();
    let text = assure_in(dir.path(), &["--pack", "coi-2017", "convert", "board.docx"]);
    crate::assert_status!(text, 0);
    assert!(
        text.stdout.contains("\n## North ICB\nkind: icb\ngoverning-body: Ms A (chair), Mr B (chief-executive), Ms C (non-executive-member)\n"),
        "{}",
        text.stdout
    );
    let lint = assure_in(
        dir.path(),
        &[
            "--pack",
            "coi-2017",
            "lint",
            "--select",
            "CIG018",
            "--format",
            "json",
            "board.docx",
        ],
    );
    let report: Value = serde_json::from_str(&lint.stdout).unwrap();
    let findings = &report["files"][0]["findings"];
    assert_eq!(
        findings.as_array().map(Vec::len),
        Some(1),
        "{}",
        lint.stdout
    );
    assert_eq!(
        findings[0]["message"],
        "North ICB's board lacks 2 more ordinary members: an integrated care board consists of a chair, a chief executive and at least 3 other members, and it has 1 other member"
    );
}
