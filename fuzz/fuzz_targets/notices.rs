//! Any bytes as published notices (Open Contracting JSON: a package, a
//! record package, JSON Lines), and as the free text of a notice's
//! description, read, converted and checked with psr-2024: nothing panics,
//! every line's place is within the text, a procurement's text is checked
//! as any proposal is, and joining the releases of procurements on lines
//! apart gives every release once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn checker() -> &'static assure_check::Checker {
    static CHECKER: OnceLock<assure_check::Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let packs = [
            assure_rules::default_pack(),
            assure_rules::builtin_pack("psr-2024").expect("psr-2024 ships"),
        ];
        let rules = assure_rules::load(&packs, assure_vocab::Vocabulary::core(), &Default::default())
            .expect("the shipped packs load");
        assure_check::Checker::new(rules)
    })
}

fn read(bytes: &[u8]) {
    let checker = checker();
    let reader = assure_notices::Reader::new(checker.vocabulary());
    for group in assure_notices::groups(bytes).take(64).flatten() {
        let notice = reader.convert(&group);
        for (start, _) in notice.places.lines() {
            assert!(start as usize <= notice.text.len());
        }
        let report = checker.check_notice("fuzz.json", notice.text);
        assert!(report.findings.iter().all(|f| f.diagnostic.span.end as usize <= report.text.len()));
    }
}

/// Every release of `items` by its `ocid`, line and pointer, sorted.
fn releases(
    items: impl Iterator<Item = Result<assure_notices::Group, assure_notices::Unread>>,
) -> Vec<(String, Option<u32>, String)> {
    let mut all: Vec<_> = items
        .flatten()
        .flat_map(|group| {
            let ocid = group.ocid;
            group.releases.into_iter().map(move |r| (ocid.clone(), r.line, r.pointer))
        })
        .collect();
    all.sort();
    all
}

fuzz_target!(|bytes: &[u8]| {
    read(bytes);
    let apart = assure_notices::apart(bytes);
    let joined = assure_notices::groups(bytes).joining(apart, Box::new(bytes.to_vec()));
    assert_eq!(releases(joined), releases(assure_notices::groups(bytes)));
    // The bytes as what a notice says, where dates, amounts, periods,
    // phrases and placeholders are read from.
    let text = String::from_utf8_lossy(bytes);
    let release = serde_json::json!({
        "ocid": "ocds-fuzz",
        "id": "1",
        "date": "2026-06-03T09:00:00+01:00",
        "description": format!("This is a Provider Selection Regime (PSR) intention to award notice. {text}"),
        "tender": {"title": text, "lots": [{"description": text}]},
        "buyer": {"name": text},
        "awards": [{"suppliers": [{"name": "NHS Trust"}], "value": {"amount": 1, "currency": "GBP"}}],
    });
    read(release.to_string().as_bytes());
});
