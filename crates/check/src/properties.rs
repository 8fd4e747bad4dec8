//! Properties over generated input (proptest): no input panics, every span
//! lies within its file on character boundaries, lines and columns agree
//! with offsets, checking is deterministic, and formatting never changes
//! what a proposal says.

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

/// How a proposal is mangled as people and the fuzzer mangle it: comments
/// between a field and its continuation, continuations, malformed lines,
/// indented fields, fields swapped, loose keys, directives, NBSP.
fn mutation() -> impl Strategy<Value = (usize, u8)> {
    (any::<usize>(), 0u8..16)
}

fn mutated(base: &str, mutations: &[(usize, u8)], crlf: bool) -> String {
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    for &(at, kind) in mutations {
        let at = at % lines.len().max(1);
        let line = lines.get(at).cloned().unwrap_or_default();
        match kind {
            0 => lines.insert(at, "<!-- a note -->".into()),
            1 => lines.insert(at, "  and Partners".into()),
            2 => lines.insert(
                at,
                "<!-- assure-allow: CAP001 the trust guarantees it -->".into(),
            ),
            3 => lines.insert(at, "  turnover: £3m/yr".into()),
            4 => lines.insert(at, " holder: Org 1".into()),
            5 => lines.insert(at, "### Deep heading".into()),
            6 => lines.insert(at, "<!-- opened and never closed".into()),
            7 => lines.insert(at, "-->".into()),
            8 => lines[at] = format!("  {line}"),
            9 if at + 1 < lines.len() => lines.swap(at, at + 1),
            10 => lines.insert(at, "Holder: Org 2".into()),
            11 => lines[at] = format!("{line}\u{a0}"),
            12 => lines.insert(at, "Some prose about the contract.".into()),
            13 => lines.insert(at, String::new()),
            14 => lines.insert(at, "<!-- expect: CAP001 -->".into()),
            _ => lines.insert(at, "value: £2m/yr <!-- trailing -->".into()),
        }
    }
    let text = lines.join("\n") + "\n";
    if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

/// What a check says, as far as layout must keep it: each finding's code,
/// severity, entity, field, message (line numbers aside) and whether it
/// is suppressed, and each stage's readiness.
fn said(report: &FileReport) -> (Vec<String>, Vec<String>) {
    let mut findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let message = f
                .diagnostic
                .message
                .split(" on line ")
                .next()
                .unwrap_or_default();
            format!(
                "{} {} {:?} {:?} {} suppressed={}",
                f.diagnostic.code,
                f.diagnostic.severity.as_str(),
                f.entity,
                f.field,
                message,
                f.suppressed.is_some()
            )
        })
        .collect();
    findings.sort();
    let readiness = report
        .readiness
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r.stage,
                r.status.as_str(),
                r.errors,
                r.not_assessed
            )
        })
        .collect();
    (findings, readiness)
}

fn formats_without_changing_meaning(text: &str) -> Result<(), TestCaseError> {
    let checker = checker();
    let fixed = crate::fix::fix_text(checker, "p.proposal", text, |code, fix| {
        fix.applicability == assure_diagnostic::Applicability::Safe
            && (code == assure_diagnostic::codes::SCH007
                || code == assure_diagnostic::codes::SCH008)
    });
    let formatted = crate::format::format(checker, "p.proposal", text);
    // The guard is never what keeps the meaning: the layout itself does.
    prop_assert_eq!(
        formatted.as_ref(),
        Ok(&crate::format::layout(
            checker.vocabulary(),
            &fixed.text,
            true
        ))
    );
    let formatted = formatted.unwrap_or_default();
    prop_assert_eq!(
        crate::format::Meaning::of(&formatted),
        crate::format::Meaning::of(&fixed.text)
    );
    prop_assert_eq!(
        said(&checker.check("p.proposal", formatted.as_bytes())),
        said(&checker.check("p.proposal", fixed.text.as_bytes()))
    );
    prop_assert_eq!(
        crate::format::format(checker, "p.proposal", &formatted),
        Ok(formatted),
        "formatting is not stable"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn formatting_a_mangled_proposal_never_changes_what_it_says(
        seed in any::<u64>(),
        mutations in prop::collection::vec(mutation(), 0..12),
        crlf in prop::bool::ANY,
    ) {
        let base = assure_gen::proposal(8, seed);
        formats_without_changing_meaning(&mutated(&base, &mutations, crlf))?;
    }

    #[test]
    fn formatting_random_lines_never_changes_what_they_say(text in proposal()) {
        formats_without_changing_meaning(&text)?;
    }
}
