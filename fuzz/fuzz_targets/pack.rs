//! Any text as a rule pack loaded after the default: it loads or is
//! rejected with diagnostics inside the text, and a pack that loads runs
//! over a small proposal without panicking.
#![no_main]

use assure_rules::{PackSource, Settings, load};
use assure_vocab::Vocabulary;
use libfuzzer_sys::fuzz_target;

const PROPOSAL: &str = "proposal: P\nmodel: mcp\npopulation: 10,000\n\n# Organisations\n\n## A\nkind: llp\nturnover: £1m/yr\nowned-by: B (60%)\n\n## B\nkind: llp\nowned-by: A (100%)\n\n# Contracts\n\n## K\nkind: mcp-virtual\nholder: A\nvalue: £50m\nterm: 5 years\n";

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let sources = [assure_rules::default_pack(), PackSource { path: "fuzz.toml".into(), text: text.into() }];
    match load(&sources, Vocabulary::core(), &Settings::default()) {
        Ok(rules) => {
            let checker = assure_check::Checker::new(rules);
            let _ = checker.check("p.proposal", PROPOSAL.as_bytes());
        }
        Err(errors) => {
            for pack in errors {
                for d in pack.diagnostics {
                    assert!(d.span.end as usize <= pack.text.len(), "{d:?}");
                }
            }
        }
    }
});
