//! Parser and lexer tests in the `check(input, expect)` style: the whole
//! tree and every error are compared, so any change in behaviour shows.

use crate::{TokenKind, lex_value, parse};
use assure_diagnostic::Span;
use insta::assert_snapshot;

/// The tree dump followed by the errors, one per line.
fn check(text: &str) -> String {
    let parse = parse(text);
    let mut out = parse.file.debug_dump(text);
    out.push_str(&assure_diagnostic::render_plain(text, &parse.errors));
    // Lossless: the lines cover the input exactly.
    let mut rebuilt = String::new();
    if parse.file.bom {
        rebuilt.push('\u{feff}');
    }
    for line in &parse.file.lines {
        rebuilt.push_str(line.full_span().text(text));
    }
    assert_eq!(rebuilt, text, "the tree must cover the input exactly");
    out
}

/// Every token of a one-line value, with its kind.
fn tokens(value: &str) -> String {
    let tree = lex_value(value, &[Span::from_range(0..value.len())]);
    tree.tokens
        .iter()
        .map(|t| format!("{:?} {:?}", t.kind, t.span.text(value)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The items of a one-line value: head text and qualifier items, nested.
fn items(value: &str) -> String {
    fn render(tree: &crate::ValueTree, value: &str, items: &[crate::Item]) -> String {
        items
            .iter()
            .map(|item| {
                let head = tree.text(value, &item.head);
                match &item.qualifier {
                    Some(q) => format!("{head} ({})", render(tree, value, &q.items)),
                    None => head.into_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }
    let tree = lex_value(value, &[Span::from_range(0..value.len())]);
    let mut out = render(&tree, value, &tree.items);
    for problem in &tree.problems {
        out.push_str(&format!(
            "\nproblem {:?}: {}",
            problem.span.text(value),
            problem.message
        ));
    }
    out
}

#[test]
fn every_line_kind() {
    assert_snapshot!(check("proposal: Dudley MCP\n\n# Organisations\n\n## Dudley CCG\nkind: ccg\nSome prose.\n<!-- a note -->\nwhy: one\n  two\n"), @r#"
    0..20 Field "proposal" = ["Dudley MCP"]
    21..21 Blank
    22..37 Section "Organisations"
    38..38 Blank
    39..52 Entity "Dudley CCG"
    53..62 Field "kind" = ["ccg"]
    63..74 Prose "Some prose."
    75..90 Comment "a note"
    91..99 Field "why" = ["one", "two"]
    100..105 Continuation of field 2 "two"
    "#);
}

#[test]
fn crlf_bom_and_no_final_newline() {
    assert_snapshot!(check("\u{feff}model: mcp\r\n# People\r\n## Dr A\r\nrole: gp"), @r#"
    3..13 Field "model" = ["mcp"]
    15..23 Section "People"
    25..32 Entity "Dr A"
    34..42 Field "role" = ["gp"]
    "#);
}

#[test]
fn empty_input_is_reported() {
    assert_snapshot!(check(""), @r#"SYN001 1:1 "": the proposal is empty (help: start with the header, e.g. `proposal: ...` and `model: ...`; `assure init` writes a starting proposal)"#);
    assert_snapshot!(check("\u{feff}"), @r#"SYN001 1:2 "": the proposal is empty (help: start with the header, e.g. `proposal: ...` and `model: ...`; `assure init` writes a starting proposal)"#);
    assert_snapshot!(check("\n  \n<!-- only a comment -->\n"), @r#"
    0..0 Blank
    1..3 Blank
    4..27 Comment "only a comment"
    SYN001 1:1 "": the proposal is empty (help: start with the header, e.g. `proposal: ...` and `model: ...`; `assure init` writes a starting proposal)
    "#);
}

#[test]
fn malformed_headings_are_reported_and_recovered() {
    assert_snapshot!(check("#Organisations\n##\n### Notes\n##Dr A\n"), @r####"
    0..14 Section "Organisations"
    15..17 Malformed
    18..27 Malformed
    28..34 Entity "Dr A"
    SYN001 1:1 "#": section heading needs a space after `#` (help: write `# Organisations`)
    SYN001 2:1 "##": entity heading has no text (help: write the entity's name after `## `, e.g. `## Dudley CCG`)
    SYN001 3:1 "### Notes": `###` heading: only `#` and `##` headings are part of a proposal (help: use `# Section` for a section and `## Name` for an entity; other text is prose)
    SYN001 4:1 "##": entity heading needs a space after `##` (help: write `## Dr A`)
    "####);
}

#[test]
fn malformed_fields_are_reported_and_recovered() {
    assert_snapshot!(check("turnover:£4m/yr\nkind:\n\nsee https://example.org\nhttps://example.org\n kind: ccg\n"), @r#"
    0..16 Field "turnover" = ["£4m/yr"]
    17..22 Field "kind" = []
    23..23 Blank
    24..47 Prose "see https://example.org"
    48..67 Prose "https://example.org"
    68..78 Field "kind" = ["ccg"]
    SYN001 1:9 ":": no space after `turnover:` (help: write `turnover: £4m/yr`)
    SYN001 6:1 " kind": field key must start at the beginning of the line (help: remove the leading white space)
    "#);
}

#[test]
fn a_field_value_may_start_on_the_next_line() {
    assert_snapshot!(check("why-this-model:\n  because\n  of this\n"), @r#"
    0..15 Field "why-this-model" = ["because", "of this"]
    16..25 Continuation of field 0 "because"
    26..35 Continuation of field 0 "of this"
    "#);
}

#[test]
fn indented_lines_continue_fields_or_prose_or_nothing() {
    assert_snapshot!(check("a: one\n\n  stray\nSome prose\n  more prose\n\n  after a blank\n# S\n  after a heading\n"), @r#"
    0..6 Field "a" = ["one"]
    7..7 Blank
    8..15 Malformed
    16..26 Prose "Some prose"
    27..39 Continuation of prose "more prose"
    40..40 Blank
    41..56 Continuation of prose "after a blank"
    57..60 Section "S"
    61..78 Malformed
    SYN001 3:3 "stray": indented line continues nothing (help: an indented line continues the field above it, and a blank line or a heading ends that field; remove the blank line or the indent)
    SYN001 9:3 "after a heading": indented line continues nothing (help: an indented line continues the field above it, and a blank line or a heading ends that field; remove the blank line or the indent)
    "#);
}

#[test]
fn comments_and_directives() {
    assert_snapshot!(check("<!-- expect: CAP001 -->\nvalue: £4m <!-- assure-allow: CAP001 guaranteed by the trust -->\n## Dr A <!-- note -->\n<!-- assure-allow: COI001 -->\n"), @r#"
    0..23 Comment "expect: CAP001" [Expect CAP001]
    24..89 Field "value" = ["£4m"] [Allow CAP001 reason="guaranteed by the trust"]
    90..111 Entity "Dr A" [comment "note"]
    112..141 Comment "assure-allow: COI001" [Allow COI001]
    "#);
}

#[test]
fn a_comment_spans_lines_up_to_the_line_its_close_ends() {
    assert_snapshot!(check("<!-- a note\n\n  pasted: from Word\n-->\nkind: ccg\n<!-- assure-allow: CAP001 the trust\nguarantees it -->\nvalue: £4m\n"), @r#"
    0..11 Comment "a note\n\n  pasted: from Word"
    12..12 Comment, continued
    13..32 Comment, continued
    33..36 Comment, continued
    37..46 Field "kind" = ["ccg"]
    47..82 Comment "assure-allow: CAP001 the trust\nguarantees it" [Allow CAP001 reason="the trust\nguarantees it"]
    83..100 Comment, continued
    101..112 Field "value" = ["£4m"]
    "#);
}

#[test]
fn a_comment_that_could_hide_fields_by_mistake_is_an_error_and_swallows_its_body_once() {
    // Not closed before another opens: read as HTML would, it would hide
    // `kind: ignored` without a word. Text after the close, or no close.
    assert_snapshot!(check("<!-- opens\nkind: ignored\n<!-- another -->\nkind: ccg\n<!-- closes\n--> with text\nkind: y\n<!-- never closed\nkind: x\n<!-- a --> b\n<!-- truly never closed\nkind: z\n"), @r#"
    0..10 Malformed
    11..24 Malformed
    25..41 Malformed
    42..51 Field "kind" = ["ccg"]
    52..63 Malformed
    64..77 Malformed
    78..85 Field "kind" = ["y"]
    86..103 Malformed
    104..111 Malformed
    112..124 Malformed
    125..148 Malformed
    149..156 Field "kind" = ["z"]
    SYN001 1:1 "<!-- opens": comment is not closed before another opens (help: close it with `-->` at the end of its last line) [3:1 another comment opens here]
    SYN001 5:1 "<!-- closes": text after the `-->` that closes this comment (help: put the text on a line of its own, after the comment) [6:4 this text]
    SYN001 8:1 "<!-- never closed": comment is not closed before another opens (help: close it with `-->` at the end of its last line) [10:1 another comment opens here]
    SYN001 11:1 "<!-- truly never closed": comment is never closed (help: close it with `-->`: until then a Markdown viewer hides the rest of the proposal)
    "#);
}

#[test]
fn value_tokens() {
    assert_snapshot!(tokens("£4m £4.5m/yr £1.2bn £350,000 GBP 12k 40% 12.5% 310,000 43 0.75 31,00"), @r#"
    Money { annual: false } "£4m"
    Money { annual: true } "£4.5m/yr"
    Money { annual: false } "£1.2bn"
    Money { annual: false } "£350,000"
    Money { annual: false } "GBP 12k"
    Percent "40%"
    Percent "12.5%"
    Number "310,000"
    Number "43"
    Number "0.75"
    Number "31,00"
    "#);
    assert_snapshot!(tokens("2017-04-01 2017-04 2017-02-30 15 years 6 months 1 year 90 days 2 weeks yes No"), @r#"
    Date "2017-04-01"
    Date "2017-04"
    Date "2017-02-30"
    Duration "15 years"
    Duration "6 months"
    Duration "1 year"
    Duration "90 days"
    Duration "2 weeks"
    Bool "yes"
    Bool "No"
    "#);
    assert_snapshot!(tokens("£4x £ GBP x 50:50 2017-04-01x 15 yearsago a,b"), @r#"
    MalformedMoney "£4x"
    MalformedMoney "£"
    Word "GBP"
    Word "x"
    Word "50:50"
    Word "2017-04-01x"
    Number "15"
    Word "yearsago"
    Word "a,b"
    "#);
}

#[test]
fn a_tree_lexed_again_holds_only_the_new_value() {
    // The typer lexes millions of values into one tree, whose qualifiers'
    // item lists are reused: each value must read as if lexed alone.
    let values = [
        "X (a, b (c (d, e)))",
        "Dr A Patel (40%), Dr D Green (60%)",
        "A (1), B (2 (3)), C",
        "plain",
        "Y (p, q)",
        "A, , B ()",
        "X (a, b (c (d, e)))",
    ];
    let mut tree = crate::ValueTree::default();
    for value in values {
        tree.lex(value, &[Span::from_range(0..value.len())]);
        assert_eq!(
            tree,
            lex_value(value, &[Span::from_range(0..value.len())]),
            "{value}"
        );
    }
}

#[test]
fn items_and_qualifiers() {
    assert_snapshot!(items("Dr A Patel (40%), Dr D Green (60%)"), @"Dr A Patel (40%) | Dr D Green (60%)");
    assert_snapshot!(items("Shay Lane Medical Centre (Kelman)"), @"Shay Lane Medical Centre (Kelman)");
    assert_snapshot!(items("310,000"), @"310,000");
    assert_snapshot!(items("A, B, C"), @"A | B | C");
    assert_snapshot!(items("X (a, b (c))"), @"X (a | b (c))");
    assert_snapshot!(items("(whole)"), @"(whole)");
    assert_snapshot!(items("A (40%, B"), @r#"
    A (40%, B
    problem "(": `(` is never closed
    "#);
    assert_snapshot!(items("A), B,"), @r#"
    A) | B
    problem ")": `)` without a matching `(`
    problem ",": empty item in a list
    "#);
    assert_snapshot!(items("A, , B ()"), @r#"
    A | B ()
    problem ",": empty item in a list
    problem "()": empty qualifier `()`
    "#);
}

#[test]
fn text_is_borrowed_when_written_single_spaced() {
    use std::borrow::Cow;
    let text = "owners: Dr A Patel (40%), Dr  B\tJones, Ms C\n  Smith\n";
    let parse = parse(text);
    let tree = lex_value(text, parse.file.segments(&parse.file.fields[0]));
    let texts: Vec<(bool, String)> = tree
        .items
        .iter()
        .map(|item| match tree.item_text(text, item) {
            Cow::Borrowed(t) => (true, t.to_owned()),
            Cow::Owned(t) => (false, t),
        })
        .collect();
    assert_eq!(
        texts,
        [
            (true, "Dr A Patel (40%)".to_owned()),
            (false, "Dr B Jones".to_owned()),
            (false, "Ms C Smith".to_owned()),
        ]
    );
}

#[test]
fn values_span_lines_and_fold_white_space() {
    let text = "members: Lyndhurst Surgery,\n  Totton   Health\n  Centre\n";
    let parse = parse(text);
    let field = &parse.file.fields[0];
    let tree = lex_value(text, parse.file.segments(field));
    let names: Vec<String> = tree
        .items
        .iter()
        .map(|i| tree.text(text, &i.head).into_owned())
        .collect();
    assert_eq!(names, ["Lyndhurst Surgery", "Totton Health Centre"]);
    assert_eq!(
        field.value.text(text),
        "Lyndhurst Surgery,\n  Totton   Health\n  Centre"
    );
    assert!(
        tree.tokens
            .iter()
            .all(|t| t.kind == TokenKind::Word || t.kind == TokenKind::Separator)
    );
}

#[test]
fn money_splits_like_the_lexer_reads_it() {
    use crate::number::split_money;
    assert_eq!(split_money("£4.5m/yr"), Some(("4.5", "m", true)));
    assert_eq!(split_money("GBP 12k"), Some(("12", "k", false)));
    assert_eq!(split_money("£350,000"), Some(("350,000", "", false)));
    assert_eq!(split_money("£4x"), None);
}

#[test]
fn decode_rejects_invalid_utf8_with_its_offset() {
    assert_eq!(crate::decode(b"ok").unwrap(), "ok");
    let error = crate::decode(b"model: mcp\n\xff\xfe").unwrap_err();
    assert_eq!(&*error.code, "SYN003");
    assert_eq!(error.span, Span::empty(11));
    assert_eq!(
        error.message,
        "file is not UTF-8: byte 0xFF at offset 11 is not valid UTF-8"
    );
    // Taking the bytes: the same text, or the same diagnostic with the
    // bytes given back.
    assert_eq!(crate::decode_owned(b"ok".to_vec()).unwrap(), "ok");
    let bytes = b"model: mcp\n\xff\xfe".to_vec();
    let (owned_error, returned) = crate::decode_owned(bytes.clone()).unwrap_err();
    assert_eq!(owned_error, error);
    assert_eq!(returned, bytes);
}

/// The whole result of a parse, for comparing two.
fn dump(parse: &crate::Parse) -> String {
    format!("{:?}\n{:?}", parse.file, parse.errors)
}

/// Parses `text` in one pass and split at every line that starts with `#`,
/// and asserts that each split parse is the one-pass parse.
fn assert_splits_parse_alike(text: &str) {
    let whole = dump(&crate::parser::parse_split(text, None));
    assert_eq!(whole, dump(&parse(text)));
    let heading_starts = text
        .match_indices("\n#")
        .map(|(at, _)| at + 1)
        .collect::<Vec<_>>();
    for split in heading_starts {
        let split_parse = crate::parser::parse_split(text, Some(split));
        assert_eq!(dump(&split_parse), whole, "split at {split} of {text:?}");
    }
}

#[test]
fn a_parse_split_at_a_heading_is_the_one_pass_parse() {
    // An open field and open prose before the split; a field without a
    // value closed by the heading; a comment opened before the split and
    // closed after it, or never closed; a BOM and CRLF; comments and errors
    // on both sides, so that line, field and segment indices must move.
    assert_splits_parse_alike(concat!(
        "\u{feff}proposal: A\r\nmodel: mcp\r\n  continued\r\n# Organisations\r\n",
        "prose\n  more prose\n## X\nkind: ccg <!-- trailing -->\nholders:\n",
        "## Y\n<!-- assure-allow: REF001 known -->\nkind:ccg\n  on\n\n",
        "<!-- opens\n## Inside\n-->\n## Z\nkind: trust\n<!-- never closed\n",
        "# Contracts\n### too deep\n## W\n   stray: indent\n",
    ));
    assert_splits_parse_alike("#\n## A\nkind: x\n#\n");
    assert_splits_parse_alike("<!-- a\n# B\nkind: y\n");
}

proptest::proptest! {
    #[test]
    fn a_parse_split_at_any_heading_is_the_one_pass_parse(
        lines in proptest::collection::vec(
            proptest::sample::select(vec![
                "# Organisations", "## A", "##B", "#", "### C", "kind: ccg",
                "holders: A (40%), B", "value:", "  continued", "\tcontinued",
                " stray: x", "prose", "<!-- open", "-->", "<!-- c --> x",
                "<!-- assure-allow: SYN001 why -->", "a: b <!-- t -->", "",
                "   ", "# Section", "É: é",
            ]),
            0..40,
        ),
        crlf in proptest::bool::ANY,
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        assert_splits_parse_alike(&text);
    }
}

#[test]
fn lines_that_are_fields_once_their_keys_are_written_as_keys_are_kept_loose() {
    assert_snapshot!(check("Model: mcp\n- term: 10 years\ncqc-registered : yes\nWhy this model: it fits\nNote: see https://example.org\nhttps://example.org\nA sentence that has far too many words before its colon: x\n"), @r#"
    0..10 Loose field "Model" = ["mcp"]
    11..27 Loose field "- term" = ["10 years"]
    28..48 Loose field "cqc-registered " = ["yes"]
    49..72 Loose field "Why this model" = ["it fits"]
    73..102 Loose field "Note" = ["see https://example.org"]
    103..122 Prose "https://example.org"
    123..181 Prose "A sentence that has far too many words before its colon: x"
    "#);
}

#[test]
fn a_loose_key_is_normalized_as_the_vocabulary_writes_keys() {
    assert_eq!(crate::normalize_key("Model").as_deref(), Some("model"));
    assert_eq!(crate::normalize_key("- term").as_deref(), Some("term"));
    assert_eq!(
        crate::normalize_key("• CQC registered ").as_deref(),
        Some("cqc-registered")
    );
    assert_eq!(
        crate::normalize_key("why_this_model").as_deref(),
        Some("why-this-model")
    );
    assert_eq!(crate::normalize_key("10 am"), None);
    assert_eq!(crate::normalize_key("one two three four five"), None);
    assert_eq!(crate::normalize_key("price (£)"), None);
}

/// The items (as spans, qualifiers' items nested) and problems of a value
/// lexed window by window, `max_items` at a time, each window starting
/// where the last was cut; side by side with the value lexed whole.
fn windows_and_whole(text: &str, segments: &[Span], max_items: usize) -> (String, String) {
    fn render(items: &[crate::Item], out: &mut String) {
        for item in items {
            out.push_str(&format!("{:?}", item.span));
            if let Some(q) = &item.qualifier {
                out.push('(');
                render(&q.items, out);
                out.push(')');
            }
            out.push(' ');
        }
    }
    fn render_tree(tree: &crate::ValueTree, items: &mut String, problems: &mut String) {
        render(&tree.items, items);
        for problem in &tree.problems {
            problems.push_str(&format!("\n{:?} {}", problem.span, problem.message));
        }
    }
    let (mut items, mut problems) = (String::new(), String::new());
    let mut tree = crate::ValueTree::default();
    let mut from = Some(segments.first().map_or(0, |s| s.start));
    while let Some(start) = from {
        from = tree.lex_window(text, segments, start, max_items);
        render_tree(&tree, &mut items, &mut problems);
        if from.is_some() && tree.problems.is_empty() {
            assert_eq!(
                tree.items.len(),
                max_items,
                "a cut window is full: {text:?}"
            );
        }
    }
    let windowed = items + &problems;
    let (mut items, mut problems) = (String::new(), String::new());
    render_tree(&lex_value(text, segments), &mut items, &mut problems);
    (windowed, items + &problems)
}

/// The spans of the non-blank lines of `text`, trimmed: a field's segments.
fn segments_of(text: &str) -> Vec<Span> {
    let mut segments = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            let at = start + (line.len() - line.trim_start().len());
            segments.push(Span::from_range(at..at + trimmed.len()));
        }
        start += line.len() + 1;
    }
    segments
}

#[test]
fn a_value_lexed_window_by_window_has_the_items_and_problems_of_the_whole() {
    for text in [
        "A, B, C, D, E",
        "A, , B",
        "A, B,",
        "A,\n  B, C,\n  D",
        "A (1, 2), B (x (y, z)), C",
        "A (open, B, C",
        "A), B, C",
        "Smith, Jones & Co (40%), £4x, 31,00, 2017-02-30",
        "A, B, ,",
    ] {
        let segments = segments_of(text);
        for max_items in 1..=4 {
            let (windowed, whole) = windows_and_whole(text, &segments, max_items);
            assert_eq!(windowed, whole, "{text:?} in windows of {max_items}");
        }
    }
}

#[test]
fn items_are_counted_without_lexing() {
    let count = |text: &str| crate::count_items(text, &segments_of(text));
    assert_eq!(count("A, B (x, y), C"), 3);
    assert_eq!(count("A,\n  B"), 2);
    assert_eq!(count("£350,000, 31,00 (a), 1, 2"), 4);
    assert_eq!(
        count("A ((, ), B"),
        1,
        "a separator in an unclosed qualifier"
    );
    assert_eq!(count("A), B"), 2);
    assert_eq!(count("   "), 0);
    // An empty item is counted, as it is an upper bound then.
    assert_eq!(count("A, , B"), 3);
}

proptest::proptest! {
    #[test]
    fn any_value_lexed_in_windows_is_the_value_lexed_whole(
        parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "A", "B c", "(", ")", ", ", ",", " ", "\n  ", "£4x", "31,00",
                "40%", "Smith, Jones", "(x, y)", "é", ",\n",
            ]),
            0..30,
        ),
        max_items in 1usize..5,
    ) {
        let text = parts.concat();
        let segments = segments_of(&text);
        let (windowed, whole) = windows_and_whole(&text, &segments, max_items);
        proptest::prop_assert_eq!(windowed, whole, "{:?}", text);
        let tree = lex_value(&text, &segments);
        let count = crate::count_items(&text, &segments);
        if tree.problems.is_empty() {
            proptest::prop_assert_eq!(count, tree.items.len(), "{:?}", text);
        } else {
            proptest::prop_assert!(count >= tree.items.len(), "{:?}", text);
        }
    }
}

#[test]
fn a_file_lists_each_codes_first_thousand_errors_however_it_is_split() {
    // 1,500 malformed lines either side of a heading: the first 1,000 are
    // listed, and the next says how many more, whichever half found them.
    let half = "x:y\n".repeat(750);
    let text = format!("{half}# Organisations\n{half}");
    assert_splits_parse_alike(&text);
    let errors = parse(&text).errors;
    assert_eq!(errors.len(), 1_001);
    assert_eq!(
        errors[999].span,
        Span::new(4_013, 4_014),
        "the thousandth line"
    );
    let last = &errors[1_000];
    assert_eq!(
        last.span,
        Span::new(4_017, 4_018),
        "the first line not listed"
    );
    assert_eq!(
        last.message,
        "no space after `x:` (and 499 more SYN001 findings after it, not listed: a file lists the first 1000 of each code)"
    );
}
