//! The heap a check takes at its peak, counted by an instrumented
//! allocator. A test binary of its own: the allocator is the process's, and
//! any other test running beside it would be counted too.

use assure_check::Checker;
use assure_rules::RuleSet;
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use std::alloc::System;

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

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
    let references = 300_000;
    let checker = Checker::new(RuleSet::default_set().expect("the default pack loads"));
    // What is built once for every check (thread pool, caches) is built
    // by a first one, and not counted.
    checker.check("warm.proposal", one_line_of_references(3).as_bytes());
    let bytes = one_line_of_references(references).into_bytes();
    HEAP.reset_peak_memory();
    let report = checker.check_owned("refs.proposal", bytes);
    let peak = HEAP.get_peak_memory();
    let codes: Vec<_> = report
        .findings
        .iter()
        .map(|f| &*f.diagnostic.code)
        .collect();
    assert_eq!(
        codes,
        ["CFC001", "CFC004"],
        "the proposal was checked whole"
    );
    // A reference is 24 bytes, its edge 12 and its two links 24: the model
    // keeps 60 bytes per reference. Tokens and items of the whole line held
    // at once while it was typed took the peak to about 140.
    let per_reference = peak / references;
    assert!(
        per_reference <= 64,
        "{per_reference} bytes per reference at the peak ({peak} bytes)"
    );
}
