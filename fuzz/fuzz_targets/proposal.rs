//! Any bytes as a proposal: the whole check (parse, model, every rule of the
//! default pack) must return a report, and every span must lie in the text.
#![no_main]

use assure_check::Checker;
use assure_rules::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(RuleSet::default_set().expect("the default pack loads")))
}

fuzz_target!(|bytes: &[u8]| {
    let report = checker().check("fuzz.proposal", bytes);
    for finding in &report.findings {
        let span = finding.diagnostic.span;
        assert!(span.start <= span.end && span.end as usize <= report.text.len());
        assert!(report.text.is_char_boundary(span.start as usize) && report.text.is_char_boundary(span.end as usize));
    }
});
