//! Baselines: recorded findings stop failing the gate; new ones, moved ones
//! and stale entries behave as a reviewer expects.

use crate::{assert_status, assure_in, root};

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in the file");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// `assure lint -q --format json --baseline base.json PROPOSAL` in `dir`.
fn lint_json_against_baseline(dir: &std::path::Path, proposal: &str) -> crate::Run {
    assure_in(
        dir,
        &[
            "lint",
            "-q",
            "--format",
            "json",
            "--baseline",
            "base.json",
            proposal,
        ],
    )
}

#[test]
fn only_new_findings_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h.proposal");
    std::fs::copy(root().join("fixtures/hampshire-mcp.proposal"), &file).unwrap();

    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--write-baseline", "base.json", "h.proposal"],
    );
    assert_status!(run, 0);
    assert_eq!(run.stderr, "recorded 6 findings in base.json\n");

    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--color",
            "never",
            "--baseline",
            "base.json",
            "h.proposal",
        ],
    );
    assert_status!(run, 0);
    assert!(
        run.stdout
            .ends_with("0 errors, 0 warnings in 1 file; 6 in the baseline\n"),
        "{}",
        run.stdout
    );

    // Prose added above everything moves every line: nothing reappears.
    edit(
        &file,
        "Several MCPs could grow",
        "Over time, several MCPs could grow\nand this paragraph is longer now:",
    );
    // PFI002 is fixed: its entry is stale.
    edit(&file, "remaining-term: 22 years", "remaining-term: 9 years");
    // A new organisation on the contract without CQC registration: new.
    edit(
        &file,
        "## West Hampshire CCG",
        "## Extra Co\nkind: gp-company\ncqc-registered: no\n\n## West Hampshire CCG",
    );
    edit(
        &file,
        "subcontractors: Hampshire Community NHS Trust",
        "subcontractors: Hampshire Community NHS Trust, Extra Co",
    );

    let run = lint_json_against_baseline(dir.path(), "h.proposal");
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let active: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["SAFE001"]);
    assert_eq!(json["summary"]["baselined"], 5);
    assert_eq!(
        run.stderr,
        "warning: stale baseline entry: h.proposal PFI002 (Lymington Hospital PFI runs for 22 years more, but passes to the holder of Mid Hampshire MCP contract, which runs for only 10 years) no longer occurs\n"
    );

    // Strict: the stale entry fails the run even without the new finding.
    edit(
        &file,
        "subcontractors: Hampshire Community NHS Trust, Extra Co",
        "subcontractors: Hampshire Community NHS Trust",
    );
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--baseline", "base.json", "h.proposal"],
    );
    assert_status!(run, 0);
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "-q",
            "--baseline",
            "base.json",
            "--strict-baseline",
            "h.proposal",
        ],
    );
    assert_status!(run, 1);
    assert!(
        run.stderr
            .starts_with("error: stale baseline entry: h.proposal PFI002"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_second_finding_of_the_same_code_is_not_absorbed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.proposal");
    std::fs::write(&file, "proposal: P\nmodel: other\n\n# Contracts\n\n## A\nkind: other\nprocurement: direct-award\n").unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--write-baseline", "base.json", "p.proposal"],
    );
    assert_status!(run, 0);
    edit(
        &file,
        "procurement: direct-award\n",
        "procurement: direct-award\n\n## B\nkind: other\nprocurement: direct-award\n",
    );
    let run = lint_json_against_baseline(dir.path(), "p.proposal");
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    assert_eq!(json["summary"]["baselined"], 1);
}

#[test]
fn a_bad_baseline_is_a_failed_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), "proposal: P\nmodel: other\n").unwrap();
    std::fs::write(dir.path().join("base.json"), "{\"version\": 7}").unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--baseline", "base.json", "p.proposal"],
    );
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: base.json is not a baseline: not a version 1 assure baseline (its `version` is 7)\n"
    );
    let run = assure_in(
        dir.path(),
        &["lint", "--baseline", "nowhere.json", "p.proposal"],
    );
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: no such file or directory: nowhere.json\n"
    );
    let run = assure_in(dir.path(), &["lint", "--strict-baseline", "p.proposal"]);
    assert_status!(run, 2);
}

#[test]
fn a_baseline_decides_the_status_never_the_readiness() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.proposal");
    std::fs::copy(
        root().join("fixtures/tower-hamlets-community.proposal"),
        &file,
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--write-baseline", "base.json", "t.proposal"],
    );
    assert_status!(run, 0);
    let run = lint_json_against_baseline(dir.path(), "t.proposal");
    assert_status!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statuses: Vec<&str> = json["files"][0]["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["ready", "blocked", "blocked"]);

    // Changing the quorum to another value still too high is the same
    // finding,
    // not a new one and a stale one.
    edit(&file, "quorum: 5", "quorum: 6");
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "-q",
            "--format",
            "json",
            "--baseline",
            "base.json",
            "--strict-baseline",
            "t.proposal",
        ],
    );
    assert_status!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let coi003: Vec<&serde_json::Value> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "COI003")
        .collect();
    assert_eq!(coi003.len(), 1);
    assert_eq!(coi003[0]["suppression"]["origin"], "baseline");
}
