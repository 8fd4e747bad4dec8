//! `assure diff`: the Hampshire pair, and findings that move rather than
//! change.

use crate::{assert_status, assure, assure_in, root};

#[test]
fn hampshire_v2_resolves_five_findings() {
    let run = assure(&[
        "diff",
        "fixtures/hampshire-mcp.proposal",
        "fixtures/hampshire-mcp-v2.proposal",
    ]);
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout);
    let run = assure(&[
        "diff",
        "--format",
        "json",
        "fixtures/hampshire-mcp.proposal",
        "fixtures/hampshire-mcp-v2.proposal",
    ]);
    assert_status!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let resolved: Vec<&str> = json["findings"]["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(resolved, ["CFC003", "CAP002", "CAP001", "PFI002", "PFI001"]);
    assert_eq!(json["findings"]["new"], serde_json::json!([]));
    assert_eq!(
        json["readiness"][1],
        serde_json::json!({"stage": "contract-and-capability", "old": {"status": "blocked", "errors": 4}, "new": {"status": "blocked", "errors": 1}})
    );
}

#[test]
fn a_moved_paragraph_is_not_a_new_finding_and_a_worse_version_fails() {
    let dir = tempfile::tempdir().unwrap();
    let old = std::fs::read_to_string(root().join("fixtures/dudley-mcp.proposal")).unwrap();
    std::fs::write(dir.path().join("old.proposal"), &old).unwrap();
    // Move the Risk section to the top of the sections, and add a direct award.
    let risk = "# Risk\nfailure-regime: NHS Improvement may step in; services revert to the CCG's existing contracts\n";
    let moved = old
        .replace(risk, "")
        .replace("# Case for change", &format!("{risk}\n# Case for change"));
    let worse = moved
        .replace("procurement: competitive", "procurement: direct-award")
        .replace("advertised: 2016-10-15\n", "");
    std::fs::write(dir.path().join("moved.proposal"), &moved).unwrap();
    std::fs::write(dir.path().join("worse.proposal"), &worse).unwrap();
    let run = assure_in(
        dir.path(),
        &["diff", "--format", "json", "old.proposal", "moved.proposal"],
    );
    assert_status!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["findings"]["new"], serde_json::json!([]));
    assert_eq!(json["findings"]["resolved"], serde_json::json!([]));
    assert_eq!(json["findings"]["unchanged"], 1);
    let run = assure_in(
        dir.path(),
        &["diff", "--format", "json", "old.proposal", "worse.proposal"],
    );
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["findings"]["new"][0]["code"], "PROC001");
}

#[test]
fn quiet_hides_the_text_diff_and_keeps_findings_and_readiness() {
    let run = assure(&[
        "diff",
        "-q",
        "fixtures/hampshire-mcp.proposal",
        "fixtures/hampshire-mcp-v2.proposal",
    ]);
    assert_status!(run, 0);
    assert!(
        run.stdout.starts_with("Resolved: 5 findings\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("@@"), "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with("* safe-to-launch           blocked (4 errors) → blocked (1 error)\n"),
        "{}",
        run.stdout
    );
}
