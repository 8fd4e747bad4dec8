//! Properties over generated input (proptest): no input panics, every span
//! lies within its file on character boundaries, lines and columns agree
//! with offsets, and checking is deterministic.

use crate::{Checker, FileReport};
use assure_diagnostic::{LineIndex, Span};
use assure_rules::RuleSet;
use proptest::prelude::*;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(RuleSet::default_set().expect("the default pack loads")))
}

/// Lines a proposal is made of, well-formed or not.
fn line() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "A Trust",
        "B Ltd",
        "Dr C",
        "Contract D",
        "Café É",
        "X (1)",
        "Y, Z",
    ]);
    let fields = prop::sample::select(vec![
        "kind",
        "turnover",
        "holder",
        "holders",
        "owned-by",
        "member-of",
        "value",
        "term",
        "start",
        "population",
        "model",
        "launch",
        "as-of",
        "remaining-term",
        "transfers-to",
        "quorum",
        "procurement",
        "risk-share",
        "unknwn",
    ]);
    let values = prop::sample::select(vec![
        "£5m/yr",
        "£150m",
        "31,00",
        "2017-02-30",
        "2016-06-01",
        "10 years",
        "40%",
        "yes",
        "mcp",
        "gp-company",
        "ccg",
        "A Trust (60%), B Ltd",
        "Dr C (governing body)",
        "£99999999999999999999m",
        "approved 2016-01-01",
        "pending",
        "",
        "  ",
        "ünïcödé",
        "\u{feff}",
        "direct-award",
        "alliance",
    ]);
    prop_oneof![
        prop::sample::select(vec![
            "# Organisations",
            "# People",
            "# Contracts",
            "# Liabilities",
            "# Gateway",
            "# Risk",
            "# Funding",
            "# Case for change",
            "# Governance",
            "#Contracts",
            "### Deep",
            "",
            "   ",
            "prose line",
            "<!-- comment",
            "-->",
            "<!-- assure-allow: CAP001 because -->",
            "<!-- expect: SYN001 -->",
        ])
        .prop_map(str::to_owned),
        names.prop_map(|n| format!("## {n}")),
        (fields, values.clone()).prop_map(|(f, v)| format!("{f}: {v}")),
        values.prop_map(|v| format!("  {v}")),
        "[^\r\n]{0,40}",
    ]
}

fn proposal() -> impl Strategy<Value = String> {
    (prop::collection::vec(line(), 0..40), prop::bool::ANY).prop_map(|(lines, crlf)| {
        let mut text = format!("proposal: P\nmodel: mcp\n{}", lines.join("\n"));
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        text
    })
}

fn spans_are_sound(report: &FileReport) -> Result<(), TestCaseError> {
    let text = &report.text;
    let index = LineIndex::new(text);
    let check = |span: Span| -> Result<(), TestCaseError> {
        prop_assert!(
            span.start <= span.end && span.end as usize <= text.len(),
            "{span:?} outside {}",
            text.len()
        );
        prop_assert!(
            text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize)
        );
        let at = index.line_col(text, span.start);
        let line_start = index.line_start(at.line).expect("the line exists") as usize;
        prop_assert_eq!(
            text[line_start..span.start as usize].chars().count() + 1,
            at.column as usize
        );
        Ok(())
    };
    for finding in &report.findings {
        check(finding.diagnostic.span)?;
        for label in &finding.diagnostic.labels {
            check(label.span)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_proposals_never_panic_and_spans_are_sound(text in proposal()) {
        let report = checker().check("p.proposal", text.as_bytes());
        spans_are_sound(&report)?;
        let again = checker().check("p.proposal", text.as_bytes());
        prop_assert_eq!(report.findings, again.findings);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let report = checker().check("b.proposal", &bytes);
        spans_are_sound(&report)?;
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let report = checker().check("t.proposal", text.as_bytes());
        spans_are_sound(&report)?;
    }
}
