//! The heap a check takes at its peak, counted by an instrumented
//! allocator. A test binary of its own: the allocator is the process's, and
//! any other test running beside it would be counted too.

use assure_check::Checker;
use assure_rules::RuleSet;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use std::alloc::System;
use std::sync::{Mutex, MutexGuard};

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Held by each test from start to end: the tests of a binary run at once,
/// and a failing one's report would be counted in another's peak.
static MEASURING: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The peak heap of checking `text` with the default pack, past what a
/// first check builds once for every check (thread pool, caches), and the
/// codes of its findings.
fn peak_of_checking(text: String) -> (usize, Vec<String>) {
    let checker = Checker::new(RuleSet::default_set().expect("the default pack loads"));
    checker.check("warm.proposal", one_line_of_references(3).as_bytes());
    let bytes = text.into_bytes();
    HEAP.reset_peak_memory();
    let report = checker.check_owned("measured.proposal", bytes);
    let peak = HEAP.get_peak_memory();
    let codes = report
        .findings
        .iter()
        .map(|f| f.diagnostic.code.to_string())
        .collect();
    (peak, codes)
}

/// A proposal whose federation lists `references` members, `A, A, …`: three
/// bytes of text per reference, the densest a proposal can be.
fn one_line_of_references(references: usize) -> String {
    let mut text = String::from(
        "proposal: Refs\nmodel: mcp\ncommissioner: C\n\n# Organisations\n\n\
         ## C\nkind: ccg\n\n## A\nkind: gp-practice\n\n## F\nkind: gp-federation\nmembers: ",
    );
    for index in 0..references {
        text.push_str(if index == 0 { "A" } else { ", A" });
    }
    text.push('\n');
    text
}

#[test]
fn a_line_of_references_costs_its_model_and_no_more() {
    let _alone = alone();
    let references = 300_000;
    let (peak, codes) = peak_of_checking(one_line_of_references(references));
    let repeats = codes.iter().filter(|c| *c == "REF003").count();
    assert_eq!(
        (codes.len() - repeats, repeats),
        (2, 101),
        "the proposal was checked whole: {codes:?}"
    );
    // A reference is 24 bytes; every `A` after the first is the same link,
    // so one edge. Tokens and items of the whole line held at once while
    // it was typed, and an edge and two links for each repeat, took the
    // peak to about 140.
    let per_reference = peak / references;
    assert!(
        per_reference <= 28,
        "{per_reference} bytes per reference at the peak ({peak} bytes)"
    );
}

/// Checks `head` followed by `lines` copies of `line`, each of which has a
/// finding of each of `codes`: each code's first 1,000 are listed and the
/// next stands for the rest, and the peak is the tree's, not the findings'
/// (held one by one, several hundred bytes each).
fn assert_a_finding_on_every_line_costs_the_line(head: &str, line: &str, codes: &[&str]) {
    let _alone = alone();
    let lines = 200_000;
    let (peak, found) = peak_of_checking(format!("{head}{}", line.repeat(lines)));
    for code in codes {
        let count = found.iter().filter(|c| c == code).count();
        assert_eq!(count, 1_001, "{code}");
    }
    let per_line = peak / lines;
    assert!(
        per_line <= 120,
        "{per_line} bytes per line at the peak ({peak} bytes)"
    );
}

#[test]
fn a_finding_on_every_line_costs_the_lines_and_no_more() {
    // Held one by one, about 1,700 bytes a line.
    assert_a_finding_on_every_line_costs_the_line(
        "proposal: L\nmodel: mcp\n",
        "a:b\n",
        &["SYN001", "SCH002"],
    );
}

#[test]
fn an_entity_of_a_finding_on_every_line_costs_the_lines_and_no_more() {
    // Held until the entity was typed, about 500 bytes a line.
    assert_a_finding_on_every_line_costs_the_line(
        "proposal: L\nmodel: mcp\n# Organisations\n## A\nkind: ccg\n",
        "quorum: 3\n",
        &["SCH006"],
    );
}
