//! Any text through `assure fmt`: the layout must never need its guard
//! (a layout that would change what the text says is refused, so a refusal
//! is a layout bug), and formatting a formatted text changes nothing.
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
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let formatted = assure_check::format::format(checker(), "fuzz.proposal", text)
        .expect("the layout keeps what the text says");
    let again = assure_check::format::format(checker(), "fuzz.proposal", &formatted)
        .expect("the layout keeps what the text says");
    assert_eq!(again, formatted, "formatting is not stable");
});
