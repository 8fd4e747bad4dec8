//! The features asked in process, without a client: each answer as the
//! `lsp-types` value a request would be sent, for one small proposal.

use crate::features::{self, Index, Positions};
use crate::lsp;
use assure_check::Checker;
use assure_rules::RuleSet;
use std::sync::OnceLock;

const TEXT: &str = "proposal: P
model: mcp
commissioner: North CCG

# Organisations

## North CCG
kind: ccg

## Provider
kind: nhs-trust
turnover: £200m/yr

# Contracts

## MCP contract
kind: mcp-virtual
commissioner: North CCG
holder: Provder
value: £20m/yr
";

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(RuleSet::default_set().expect("the default pack loads")))
}

fn uri() -> lsp::Uri {
    "file:///w/p.proposal".parse().unwrap()
}

fn at(line: u32, character: u32) -> lsp::Position {
    lsp::Position { line, character }
}

#[test]
fn positions_count_utf16_units_and_clamp_to_the_text() {
    // `£` is one UTF-16 unit and two bytes; `🏥` two units and four bytes;
    // a lone CR ends a line as CRLF and LF do.
    let text = "a: £1\r\nb: 🏥x\rc\n";
    let positions = Positions::new(text);
    assert_eq!(positions.position(6), at(0, 5));
    assert_eq!(positions.position(text.find('x').unwrap() as u32), at(1, 5));
    assert_eq!(positions.offset(at(1, 5)), text.find('x').unwrap() as u32);
    assert_eq!(positions.offset(at(2, 0)), text.find('c').unwrap() as u32);
    assert_eq!(positions.offset(at(0, 99)), 6, "past a line's end: its end");
    assert_eq!(
        positions.offset(at(1, 99)),
        text.rfind('\r').unwrap() as u32
    );
    assert_eq!(positions.offset(at(99, 0)), text.len() as u32);
}

#[test]
fn changes_apply_in_order_ranges_and_whole_texts_alike() {
    let change = |range: Option<lsp::Range>, text: &str| lsp::TextDocumentContentChangeEvent {
        range,
        range_length: None,
        text: text.to_owned(),
    };
    let range = |a: lsp::Position, b: lsp::Position| Some(lsp::Range { start: a, end: b });
    let changes = [
        change(range(at(0, 0), at(0, 1)), "Ab"),
        change(range(at(1, 0), at(1, 0)), "new\n"),
        // An inverted range is read in order; one past the end, clamped.
        change(range(at(0, 2), at(0, 0)), ""),
        change(range(at(9, 0), at(9, 9)), "end"),
    ];
    assert_eq!(
        features::apply_changes("abc\nxyz".into(), &changes),
        "bc\nnew\nxyzend"
    );
    let whole = [
        change(None, "all new"),
        change(range(at(0, 0), at(0, 3)), "ALL"),
    ];
    assert_eq!(features::apply_changes("old".into(), &whole), "ALL new");
}

#[test]
fn a_finding_is_a_diagnostic_with_its_code_help_and_labels() {
    let report = checker().check("p.proposal", TEXT.as_bytes());
    let positions = Positions::new(TEXT);
    let reference = report
        .findings
        .iter()
        .find(|f| &*f.diagnostic.code == "REF001")
        .expect("the misspelt holder is a finding");
    let href: lsp::Uri = "file:///cache/REF001.md".parse().unwrap();
    let diagnostic = features::diagnostic(&uri(), &positions, reference, Some(href.clone()));
    assert_eq!(diagnostic.range.start, at(18, 8));
    assert_eq!(diagnostic.severity, Some(lsp::DiagnosticSeverity::ERROR));
    assert_eq!(
        diagnostic.code,
        Some(lsp::NumberOrString::String("REF001".into()))
    );
    assert_eq!(diagnostic.code_description.map(|d| d.href), Some(href));
    assert_eq!(
        diagnostic.message.lines().next(),
        Some("reference to `Provder`, which is not defined")
    );
    assert_eq!(diagnostic.source.as_deref(), Some("assure"));
}

#[test]
fn code_actions_on_a_line_are_its_fixes_then_explain_then_fix_all() {
    let report = checker().check("p.proposal", TEXT.as_bytes());
    let positions = Positions::new(TEXT);
    let line = lsp::Range {
        start: at(18, 0),
        end: at(18, 0),
    };
    let actions = features::code_actions(checker(), &report, &uri(), TEXT, &positions, line);
    let titles: Vec<(String, Option<bool>)> = actions
        .iter()
        .map(|action| match action {
            lsp::CodeActionOrCommand::CodeAction(a) => (a.title.clone(), a.is_preferred),
            lsp::CodeActionOrCommand::Command(c) => (c.title.clone(), None),
        })
        .collect();
    assert_eq!(
        titles,
        [
            // A reference mended by a guess is not safe: no "fix all".
            ("refer to `Provider`".to_owned(), Some(false)),
            ("explain REF001".to_owned(), None),
        ]
    );
    let lsp::CodeActionOrCommand::CodeAction(fix) = &actions[0] else {
        unreachable!("every answer is a code action");
    };
    let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri()];
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].new_text, "Provider");
    assert_eq!(
        edits[0].range,
        lsp::Range {
            start: at(18, 8),
            end: at(18, 15)
        }
    );
}

#[test]
fn hover_definition_references_and_rename_follow_names() {
    let index = Index::build(checker(), TEXT);
    let positions = Positions::new(TEXT);
    // `North CCG` in the contract's `commissioner:` line.
    let reference = positions.offset(at(17, 16));
    let spans = index.name_and_references(reference);
    let lines: Vec<u32> = spans
        .iter()
        .map(|span| positions.position(span.start).line)
        .collect();
    assert_eq!(lines, [6, 2, 17], "heading, then references in order");
    let hover = features::hover(checker(), &index, TEXT, reference).unwrap();
    let lsp::HoverContents::Markup(markdown) = hover.contents else {
        unreachable!("hovers are markdown");
    };
    assert!(
        markdown
            .value
            .starts_with("**North CCG**: organisation (ccg)"),
        "{}",
        markdown.value
    );
    let key = features::hover(checker(), &index, TEXT, positions.offset(at(11, 2))).unwrap();
    let lsp::HoverContents::Markup(key) = key.contents else {
        unreachable!("hovers are markdown");
    };
    assert!(key.value.starts_with("`turnover`: "), "{}", key.value);
    let edit = features::rename(&index, &uri(), &positions, at(17, 16), " South CCG ")
        .unwrap()
        .unwrap();
    let edits = &edit.changes.unwrap()[&uri()];
    assert_eq!(edits.len(), 3);
    assert!(edits.iter().all(|e| e.new_text == "South CCG"));
    assert_eq!(
        features::rename(&index, &uri(), &positions, at(17, 16), "a, b"),
        Err("a name is one line, without `,` or brackets".to_owned())
    );
    assert_eq!(
        features::rename(&index, &uri(), &positions, at(0, 0), "X"),
        Ok(None)
    );
}

#[test]
fn symbols_and_folds_follow_the_headings() {
    let positions = Positions::new(TEXT);
    let symbols = features::document_symbols(checker(), TEXT, &positions);
    let outline: Vec<(String, lsp::SymbolKind, Vec<String>)> = symbols
        .iter()
        .map(|s| {
            let children = s.children.iter().flatten().map(|c| c.name.clone());
            (s.name.clone(), s.kind, children.collect())
        })
        .collect();
    assert_eq!(
        outline,
        [
            (
                "Organisations".to_owned(),
                lsp::SymbolKind::NAMESPACE,
                vec!["North CCG".to_owned(), "Provider".to_owned()]
            ),
            (
                "Contracts".to_owned(),
                lsp::SymbolKind::NAMESPACE,
                vec!["MCP contract".to_owned()]
            ),
        ]
    );
    let folds: Vec<(u32, u32)> = features::folding_ranges(TEXT, &positions)
        .iter()
        .map(|f| (f.start_line, f.end_line))
        .collect();
    assert_eq!(folds, [(4, 11), (6, 7), (9, 11), (13, 19), (15, 19)]);
}

#[test]
fn completion_offers_what_the_place_takes() {
    let labels = |text: &str| -> Vec<String> {
        features::completion(checker(), text, text.len() as u32)
            .into_iter()
            .map(|item| item.label)
            .collect()
    };
    let sections = labels("proposal: P\n# ");
    assert!(
        sections.contains(&"Organisations".to_owned()),
        "{sections:?}"
    );
    let kinds = labels("proposal: P\n# Organisations\n## A\nkind: ");
    assert!(kinds.contains(&"nhs-trust".to_owned()), "{kinds:?}");
    assert!(!kinds.contains(&"mcp-virtual".to_owned()), "{kinds:?}");
    let fields = labels("proposal: P\n# Organisations\n## A\nkind: ccg\n");
    assert!(fields.contains(&"turnover".to_owned()), "{fields:?}");
    assert!(!fields.contains(&"kind".to_owned()), "written already");
    let holders = labels(&format!("{TEXT}holder: "));
    assert_eq!(holders, ["North CCG", "Provider"]);
    assert_eq!(labels("proposal: P\n# Nowhere\nx: "), Vec::<String>::new());
    // Headings are the syntax tree's: a `# People` inside a comment is not
    // one, so the block is still the organisation's.
    let commented = labels("proposal: P\n# Organisations\n## A\n<!--\n# People\n-->\nkind: ");
    assert!(commented.contains(&"nhs-trust".to_owned()), "{commented:?}");
}
