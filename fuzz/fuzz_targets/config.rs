//! Any text as `assure.toml`: it is read or rejected with diagnostics inside
//! the text, and a configuration that reads validates against the default
//! pack without panicking.
#![no_main]

use assure_workspace::config::Config;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn rules() -> &'static assure_rules::RuleSet {
    static RULES: OnceLock<assure_rules::RuleSet> = OnceLock::new();
    RULES.get_or_init(|| assure_rules::RuleSet::default_set().expect("the default pack loads"))
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let config = Config {
        path: Some("fuzz/assure.toml".into()),
        text: text.to_owned(),
        default_pack: true,
        ..Config::default()
    };
    match config.parse() {
        Ok((config, problems)) => {
            for d in problems {
                assert!(d.span.end as usize <= text.len(), "{d:?}");
            }
            if let Err(errors) = config.validate(rules()) {
                for d in errors.diagnostics {
                    assert!(d.span.end as usize <= text.len());
                }
            }
            let _ = config.allow_entries();
        }
        Err(errors) => {
            for d in errors.diagnostics {
                assert!(d.span.end as usize <= text.len(), "{d:?}");
            }
        }
    }
});
