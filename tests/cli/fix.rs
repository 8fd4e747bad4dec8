//! `assure fix`, `lint --fix`, and fixes in JSON and SARIF: every fix is
//! applied to a real file and the result linted.

use crate::{assert_status, assure_in};

/// A proposal with a mend for each kind of structural fix.
const NEEDS_FIXES: &str = "proposal: Fix me
Model: mcp
commissioner: North CCG
population: 120,000

# Case for change
why-this-model: integration

# Organisations

## North CCG
kind: ccg

## Provider
kind: NHS Trust
turnovr: £200 million per annum
cqc-registered: yes
established: 2001-04-01

# Contracts

## MCP contract
kind: mcp-virtual
commissioner: North CCG
holder: Provder
value: £20m/yr
term: 10 years
risk-share: shared
<!-- Assure-Allow: cap001 the trust guarantees it -->

# Risk
failure-regime: step-in by the CCG
";

#[test]
fn fix_applies_safe_fixes_round_after_round_and_says_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.proposal");
    std::fs::write(&path, NEEDS_FIXES).unwrap();
    let run = assure_in(dir.path(), &["fix", "p.proposal"]);
    assert_status!(run, 1);
    assert_eq!(
        run.stdout,
        "fixed p.proposal:2 SCH007: write `model:`
fixed p.proposal:15 SCH008: write `nhs-trust`
fixed p.proposal:16 SCH002: rename to `turnover`
fixed p.proposal:29 DIR001: write `assure-allow`
fixed p.proposal:16 SCH008: write `£200m/yr`
fixed p.proposal:29 DIR001: write `CAP001`
6 fixes applied in 1 file
1 error, 3 warnings in 1 file
"
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        fixed,
        NEEDS_FIXES
            .replace("Model: mcp", "model: mcp")
            .replace("kind: NHS Trust", "kind: nhs-trust")
            .replace("turnovr: £200 million per annum", "turnover: £200m/yr")
            .replace("Assure-Allow: cap001", "assure-allow: CAP001")
    );
    // The unsafe fix (the closest name for an unknown reference) waits for
    // --unsafe; then the file lints clean of every finding that had a fix.
    let run = assure_in(dir.path(), &["fix", "--unsafe", "p.proposal"]);
    assert_eq!(
        run.stdout.lines().next().unwrap(),
        "fixed p.proposal:25 REF001: refer to `Provider`"
    );
    let run = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    // Only the allowance is left (with the turnover read, no CAP001 stands
    // for it to allow), and PROC001 saying it cannot judge a care-model
    // contract whose procurement is not given, which no fix can supply.
    assert_eq!(codes, ["EVAL002", "DIR001"], "{}", run.stdout);
    // Nothing left to fix: nothing written, and the count says so.
    let run = assure_in(dir.path(), &["fix", "--unsafe", "p.proposal"]);
    assert!(
        run.stdout.starts_with("0 fixes applied in 0 files\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_diff_shows_the_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.proposal");
    std::fs::write(&path, "proposal: X\nModel: mcp\npopulation: 75 per cent\n").unwrap();
    let run = assure_in(dir.path(), &["fix", "--diff", "p.proposal"]);
    assert_status!(run, 1);
    assert_eq!(
        run.stdout,
        "--- a/p.proposal
+++ b/p.proposal
@@ -1,3 +1,3 @@
 proposal: X
-Model: mcp
+model: mcp
 population: 75 per cent
1 fix would apply in 1 file
"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "proposal: X\nModel: mcp\npopulation: 75 per cent\n"
    );
}

#[test]
fn lint_fix_fixes_then_lints_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: X\nModel: other\n- version: 2\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--fix", "-q", "p.proposal"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stderr,
        "fixed p.proposal:2 SCH007: write `model:`\nfixed p.proposal:3 SCH007: write `version:`\n2 fixes applied in 1 file\n"
    );
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.proposal")).unwrap(),
        "proposal: X\nmodel: other\nversion: 2\n"
    );
}

#[test]
fn fixes_are_in_json_and_sarif_and_a_pack_declares_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: X\nmodel: mcp\nversion: 1\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cfc004 = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CFC004")
        .unwrap();
    assert_eq!(
        cfc004["fixes"],
        serde_json::json!([{
            "title": "add `population:` to the header",
            "applicability": "manual",
            "edits": [{
                "span": {"offset": 33, "length": 0, "line": 3, "column": 11, "end_line": 3, "end_column": 11},
                "replacement": "\npopulation: <<THE GP LISTED POPULATION SERVED>>",
            }],
        }])
    );
    let run = assure_in(dir.path(), &["lint", "--format", "sarif", "p.proposal"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "CFC004")
        .unwrap();
    assert_eq!(
        result["fixes"][0]["artifactChanges"][0]["replacements"][0],
        serde_json::json!({
            "deletedRegion": {"startLine": 3, "startColumn": 11, "endLine": 3, "endColumn": 11},
            "insertedContent": {"text": "\npopulation: <<THE GP LISTED POPULATION SERVED>>"},
        })
    );
    // A manual fix is not applied by `assure fix`, even with --unsafe.
    let run = assure_in(dir.path(), &["fix", "--unsafe", "p.proposal"]);
    assert!(
        run.stdout.starts_with("0 fixes applied in 0 files\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_pack_fix_must_say_what_it_does() {
    let dir = tempfile::tempdir().unwrap();
    let pack = r#"[pack]
name = "local"
version = "1"

[[stages]]
id = "local"

[[rules]]
code = "LOC001"
name = "n"
stage = "local"
severity = "error"
summary = "s"
source = "s"
for = "k in contracts"
when = "missing(k.term)"
message = "m"
[rules.fix]
title = "add a term"
insert = "term: <<TERM>>"
replace = "x"
applicability = "sometimes"
"#;
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("`sometimes` is not an applicability: write `safe`, `unsafe` or `manual`"),
        "{}",
        run.stderr
    );
    std::fs::write(
        dir.path().join("local.toml"),
        pack.replace("applicability = \"sometimes\"\n", ""),
    )
    .unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 2);
    assert!(
        crate::unwrapped(&run.stderr).contains("a fix either inserts a line into a block (`insert` and `into`) or replaces a value (`replace` and `at`)"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_structural_fix_mends_its_finding() {
    let base = "proposal: P\nmodel: other\n\n# Organisations\n\n## Alpha Trust\nkind: nhs-trust\n\n## Beta Trust\nkind: nhs-trust\n\n# Contracts\n\n## C\nkind: other\n";
    let cases = [
        ("SCH002", "holdr: Alpha Trust\n"),
        ("SCH003", "procurement: competative\n"),
        ("SCH004", "<!-- -->\n"),
        ("SCH007", "- term: 10 years\n"),
        ("SCH008", "value: £1.5 million\n"),
        ("REF001", "holder: Alpha Trus\n"),
        ("REF001", "holders: Alpha Trust and Beta Trust\n"),
        (
            "DIR001",
            "<!-- assure-alow: PROC001 agreed -->\nprocurement: direct-award\n",
        ),
        (
            "DIR001",
            "<!-- assure-allow: proc001 agreed -->\nprocurement: direct-award\n",
        ),
    ];
    for (code, lines) in cases {
        let dir = tempfile::tempdir().unwrap();
        let text = if code == "SCH004" {
            base.replace("kind: nhs-trust\n\n## Beta", "kind: nhs trsut\n\n## Beta")
        } else {
            format!("{base}{lines}")
        };
        std::fs::write(dir.path().join("p.proposal"), &text).unwrap();
        let before = assure_in(
            dir.path(),
            &["lint", "-q", "--format", "json", "p.proposal"],
        );
        assert!(
            before.stdout.contains(&format!("\"code\": \"{code}\"")),
            "{code}: {text}"
        );
        let run = assure_in(dir.path(), &["fix", "--unsafe", "p.proposal"]);
        assert!(
            run.stdout.contains(&format!(" {code}: ")),
            "{code}: {}",
            run.stdout
        );
        let after = assure_in(
            dir.path(),
            &["lint", "-q", "--format", "json", "p.proposal"],
        );
        assert!(
            !after.stdout.contains(&format!("\"code\": \"{code}\"")),
            "{code} left after fixing:\n{}\n{}",
            std::fs::read_to_string(dir.path().join("p.proposal")).unwrap(),
            after.stdout
        );
    }
}

#[test]
fn fmt_writes_the_canonical_layout_and_check_says_which_would_change() {
    let dir = tempfile::tempdir().unwrap();
    let messy = "proposal: P\nModel: mcp\n\n\n# Organisations\n## GP Co\ncqc-registered: yes\nturnover: £5 million per annum\nkind: gp-company   \n# People\n\n## Dr A\n<!-- assure-allow: COI002 declared at the meeting -->\nmember-of: GP Co (director)\nrole: GP partner\n\n\n";
    let tidy = "proposal: P\nmodel: mcp\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £5m/yr\ncqc-registered: yes\n\n# People\n\n## Dr A\nrole: GP partner\n<!-- assure-allow: COI002 declared at the meeting -->\nmember-of: GP Co (director)\n";
    std::fs::write(dir.path().join("a.proposal"), messy).unwrap();
    std::fs::write(dir.path().join("b.proposal"), tidy).unwrap();
    let run = assure_in(dir.path(), &["fmt", "--check", "."]);
    assert_status!(run, 1);
    assert_eq!(
        run.stdout,
        "would reformat ./a.proposal\n1 would be reformatted, 1 already formatted\n"
    );
    let run = assure_in(dir.path(), &["fmt", "a.proposal"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "reformatted a.proposal\n1 reformatted, 0 already formatted\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.proposal")).unwrap(),
        tidy
    );
    let run = assure_in(dir.path(), &["fmt", "--check", "."]);
    assert_status!(run, 0);
}

#[test]
fn a_safe_rename_never_makes_a_duplicate_nor_an_invalid_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = "proposal: P\nmodel: other\n\n# Organisations\n\n## A Ltd\nkind: llp\nturnover: £5m/yr\nturnovr: £6m/yr\n\n## B Ltd\nkind: llp\nturnovr: lots\n\n## C Ltd\nkind: llp\nturnovr: £7m/yr\n";
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    // Only C's rename is safe: A's would give `turnover` twice (SCH006),
    // B's would make an ignored line an invalid amount (SCH003).
    let run = assure_in(dir.path(), &["fix", "p.proposal"]);
    assert_eq!(
        run.stdout.lines().next().unwrap(),
        "fixed p.proposal:17 SCH002: rename to `turnover`"
    );
    assert!(
        run.stdout.contains("1 fix applied in 1 file\n"),
        "{}",
        run.stdout
    );
    let fixed = std::fs::read_to_string(dir.path().join("p.proposal")).unwrap();
    assert_eq!(fixed, text.replace("turnovr: £7m/yr", "turnover: £7m/yr"));
    let json = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let offered: Vec<String> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "SCH002")
        .map(|f| format!("{} {}", f["span"]["line"], f["fixes"][0]["applicability"]))
        .collect();
    assert_eq!(offered, ["9 \"unsafe\"", "13 \"unsafe\""]);
    // Asked for, the unsafe ones are applied, and say what they cost.
    let run = assure_in(dir.path(), &["fix", "--unsafe", "p.proposal"]);
    assert!(run.stdout.starts_with("fixed p.proposal:9 SCH002: rename to `turnover`\nfixed p.proposal:13 SCH002: rename to `turnover`\n"), "{}", run.stdout);
}
