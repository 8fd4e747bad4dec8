//! Nothing passes silently: words that stand for nothing are not content,
//! a value not written is not a pass, and a placeholder reason allows
//! nothing.

use crate::{assert_status, assure_in};

/// The codes and lines of the findings of `text`, and each stage's
/// readiness, linted with the default pack.
fn lint(text: &str) -> (i32, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "json", "p.proposal"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let file = &json["files"][0];
    let findings = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| format!("{} {}", f["code"].as_str().unwrap(), f["span"]["line"]))
        .collect();
    let readiness = file["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect();
    (run.status, findings, readiness)
}

const FILLED: &str = "proposal: Coastal MCP
model: mcp
commissioner: North CCG
population: 120,000

# Case for change
why-this-model: TBC

# Organisations

## North CCG
kind: ccg
quorum: 2

## GP Fed
kind: gp-federation
turnover: £40m/yr
established: 2012-04-01
cqc-registered: yes

# People

## Dr A
member-of: North CCG (governing body)
partner-in: GP Fed
interest-declared: 2017-01-01
conflict-plan: N/A

## Ms B
member-of: North CCG (governing body)

## Mr C
member-of: North CCG (governing body)

# Contracts

## MCP contract
kind: mcp-virtual
commissioner: North CCG
holder: GP Fed
value: £20m/yr
start: 2018-04-01
procurement: competitive
risk-share: to be agreed

# Risk
failure-regime: see business case
";

#[test]
fn words_that_stand_for_nothing_are_read_as_not_given() {
    let (status, findings, readiness) = lint(FILLED);
    assert_eq!(status, 1);
    assert_eq!(
        findings,
        [
            // why-this-model: TBC is no reason for the model.
            "CFC001 2",
            "SCH009 7",
            // conflict-plan: N/A is no plan.
            "COI001 23",
            "SCH009 27",
            // risk-share and failure-regime say nothing: no failure regime.
            "FAIL001 37",
            "SCH009 44",
            "SCH009 47",
        ]
    );
    assert_eq!(readiness, ["blocked", "blocked", "blocked"]);
    // Written, the same proposal is ready.
    let (status, findings, readiness) = lint(&written());
    assert_eq!((status, findings), (0, Vec::<String>::new()));
    assert_eq!(readiness, ["ready", "ready", "ready"]);
}

#[test]
fn a_placeholder_or_filler_reason_allows_nothing() {
    for reason in ["<<WHY IT IS ACCEPTABLE>>", "TBC"] {
        let text = format!(
            "proposal: P\n<!-- assure-allow: CFC001 {reason} -->\nmodel: mcp\npopulation: 120,000\n"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.proposal"), &text).unwrap();
        let run = assure_in(
            dir.path(),
            &["lint", "-q", "--format", "json", "p.proposal"],
        );
        assert_status!(run, 1);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let findings: Vec<String> = json["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} suppressed={} {}",
                    f["code"], f["suppressed"], f["message"]
                )
            })
            .collect();
        assert_eq!(
            findings,
            [
                format!("\"DIR001\" suppressed=false \"this suppression's reason `{reason}` says nothing, so it suppresses nothing\""),
                "\"CFC001\" suppressed=false \"the proposal's model is `mcp`, but the case for change does not say why this model rather than the other\"".to_owned(),
            ]
        );
    }
}

#[test]
fn the_starting_proposal_filled_with_names_and_tbc_is_not_ready() {
    let dir = tempfile::tempdir().unwrap();
    let run = assure_in(dir.path(), &["init", "p.proposal"]);
    assert_status!(run, 0);
    let template = std::fs::read_to_string(dir.path().join("p.proposal")).unwrap();
    let mut text = template
        .replace("<<NAME OF THE PROPOSAL>>", "Coastal MCP")
        .replace("<<YOUR CCG>>", "North CCG")
        .replace("<<PROVIDER NAME>>", "GP Fed")
        .replace("<<BOARD MEMBER>>", "Dr A");
    while let Some(start) = text.find("<<") {
        let end = text[start..].find(">>").unwrap() + start + 2;
        text.replace_range(start..end, "TBC");
    }
    let (status, findings, readiness) = lint(&text);
    assert_eq!(status, 1);
    assert!(
        findings.iter().all(|f| !f.starts_with("SYN004")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|f| f.starts_with("SCH009")),
        "{findings:?}"
    );
    assert!(
        readiness.iter().all(|r| r != "ready" && r != "approved"),
        "{readiness:?}"
    );
}

#[test]
fn none_for_a_list_of_references_is_the_empty_list() {
    let (_, findings, _) = lint(
        "proposal: P\nmodel: other\n\n# Organisations\n\n## GP Co\nkind: gp-company\nowned-by: none\n\n# People\n\n## Dr A\nowns: none\nmember-of: None\n",
    );
    assert_eq!(findings, Vec::<String>::new());
}

#[test]
fn a_value_a_rule_needs_and_does_not_have_leaves_its_stage_incomplete() {
    // CAP001 cannot weigh the contract against a turnover not given: it
    // says so, and the stage is not ready.
    let text = written().replace("turnover: £40m/yr\n", "");
    let (status, findings, readiness) = lint(&text);
    assert_eq!(status, 1);
    assert_eq!(findings, ["CAP003 39", "EVAL002 40"]);
    assert_eq!(readiness, ["ready", "incomplete", "incomplete"]);
}

#[test]
fn a_folder_given_that_holds_no_proposal_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("renamed")).unwrap();
    std::fs::write(dir.path().join("renamed/plan.proposal.md"), "proposal: P\n").unwrap();
    for command in ["lint", "fmt", "fix"] {
        let run = assure_in(dir.path(), &[command, "renamed"]);
        assert_status!(run, 2);
        assert_eq!(
            run.stderr,
            "error: no *.proposal file in renamed: a folder given must hold proposals (a renamed or emptied folder is not a clean one)\n",
            "{command}"
        );
    }
}

#[test]
fn a_name_with_a_curly_apostrophe_is_named_in_either_spelling() {
    // Word writes `St Mary’s`: a reference in either spelling reaches it,
    // so the rules reading it are not blind.
    let (_, findings, _) = lint(
        "proposal: P\nmodel: other\n\n# Organisations\n\n## St Mary’s Surgery\nkind: gp-practice\n\n## Fed\nkind: gp-federation\nmembers: St Mary’s Surgery\n\n## Fed 2\nkind: gp-federation\nmembers: ST MARY'S SURGERY\n",
    );
    assert_eq!(findings, Vec::<String>::new());
}

#[test]
fn a_total_value_is_said_to_be_read_as_one_over_its_term() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: P\nmodel: mcp\npopulation: 120,000\n\n# Case for change\nwhy-this-model: x\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £0.4m/yr\nestablished: 2010-01-01\ncqc-registered: yes\n\n# Contracts\n\n## C\nkind: mcp-virtual\nholder: GP Co\nvalue: £48m\nterm: 10 years\nstart: 2018-01-01\nprocurement: competitive\nrisk-share: shared\n\n# Risk\nfailure-regime: step-in by the CCG\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "-q",
            "--format",
            "json",
            "--select",
            "CAP001",
            "p.proposal",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let messages: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "CAP001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "the contract is worth £4.8m/yr (£48m, read as a total over a term of 10 years), 12 times the turnover of GP Co (£400,000/yr); the limit is 10 times"
        ]
    );
}

#[test]
fn a_partial_run_says_so_and_never_reads_ready() {
    // Three errors at contract-and-capability, all of CAP and PFI rules:
    // ignoring them left the stage "ready".
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: P\nmodel: mcp\npopulation: 120,000\n\n# Case for change\nwhy-this-model: x\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £0.4m/yr\nestablished: 2010-01-01\ncqc-registered: yes\n\n# Contracts\n\n## C\nkind: mcp-virtual\nholder: GP Co\nvalue: £48m\nterm: 10 years\nstart: 2018-01-01\nprocurement: competitive\nrisk-share: shared\n\n# Risk\nfailure-regime: step-in by the CCG\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--color",
            "never",
            "--ignore",
            "CAP,PFI",
            "p.proposal",
        ],
    );
    assert_status!(run, 0);
    assert!(
        run.stdout.ends_with(
            "p.proposal\n  case-for-change           ready\n  contract-and-capability   partial (7 rules not run)\n  safe-to-launch            partial (7 rules not run)\n\nready: every rule judged the stage and found no error; partial: no error, but some rules were not\nrun.\n0 errors, 0 warnings in 1 file\n"
        ),
        "{}",
        run.stdout
    );
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--ignore",
            "CAP,PFI",
            "p.proposal",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["files"][0]["readiness"][1],
        serde_json::json!({"stage": "contract-and-capability", "status": "partial", "errors": 0, "not_assessed": 0,
            "not_run": ["CAP001", "CAP002", "CAP003", "CAP004", "CAP005", "PFI001", "PFI002"]})
    );
    // Switched off in the configuration, likewise.
    std::fs::write(
        dir.path().join("assure.toml"),
        "[rules]\nGATE002 = \"off\"\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statuses: Vec<String> = json["files"][0]["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["status"].as_str().unwrap(), r["not_run"]))
        .collect();
    assert_eq!(
        statuses,
        ["ready null", "blocked null", "blocked [\"GATE002\"]"]
    );
}

#[test]
fn a_run_with_rules_left_out_is_compared_only_with_runs_of_its_scope() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::copy(
        crate::root().join("fixtures/rules/cap001-fires.proposal"),
        dir.path().join("corpus/p.proposal"),
    )
    .unwrap();
    let report = |config: &str| {
        std::fs::write(dir.path().join("assure.toml"), config).unwrap();
        let run = assure_in(
            dir.path(),
            &[
                "report",
                "--corpus",
                "corpus",
                "--db",
                "h.sqlite",
                "--html",
                "site",
                "--as-of",
                "2018-01-01",
            ],
        );
        assert_status!(run, 0);
        let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
        let scope = index.split("<p id=\"scope\">").nth(1).unwrap();
        let since = index.split("<td class=\"since\">").nth(1).unwrap();
        (
            scope[..scope.find("</p>").unwrap()].to_owned(),
            since[..since.find("</td>").unwrap()].to_owned(),
        )
    };
    assert_eq!(
        report(""),
        ("Scope: packs: nhs-new-care-models; stages: all; rules not run: none; as of: 2018-01-01. No earlier run of the same scope to compare with.".to_owned(), "first run".to_owned())
    );
    // CAP001 switched off: its finding is not "resolved" since run 1.
    assert_eq!(
        report("[rules]\nCAP001 = \"off\"\n"),
        ("Scope: packs: nhs-new-care-models; stages: all; rules not run: CAP001; as of: 2018-01-01. No earlier run of the same scope to compare with.".to_owned(), "first run".to_owned())
    );
    assert_eq!(
        report(""),
        ("Scope: packs: nhs-new-care-models; stages: all; rules not run: none; as of: 2018-01-01. Compared with run 1, the last run of the same scope; trends show only runs of this scope.".to_owned(), "no change".to_owned())
    );
}

#[test]
fn what_is_written_as_people_write_it_is_read_not_blocked() {
    // A line ending in a colon above a list is prose; a comment pasted
    // over several lines is a comment; gateway approvals dated as a
    // letter dates them, and a year alone, are read (SCH008 says how to
    // write them); nothing here is an error.
    let text = "proposal: P
model: other
as-of: 2018-01-01

Key points:
- one
- two

<!-- pasted from the
business case, with a blank line

inside it -->

# Organisations

## GP Co
kind: gp-company
turnover: £40m/yr
established: 2011
cqc-registered: yes

# Gateway
case-for-change: approved 14th July 2017
contract-and-capability: Approved 14/07/2017
";
    let (status, findings, readiness) = lint(text);
    assert_eq!(findings, ["SCH008 19", "SCH008 23", "SCH008 24"]);
    assert_eq!(readiness, ["approved", "approved", "ready"]);
    assert_eq!(status, 0);
    // A comment that would hide a field by mistake is an error.
    let (_, findings, _) = lint(&text.replace("inside it -->", "inside it\n<!-- a note -->"));
    assert_eq!(
        findings,
        ["SYN001 9", "SCH008 20", "SCH008 24", "SCH008 25"]
    );
}

#[test]
fn a_year_alone_is_judged_only_where_the_day_does_not_matter() {
    let proposal = |established: &str| {
        format!(
            "proposal: P\nmodel: other\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £50m/yr\ncqc-registered: yes\nestablished: {established}\n\n# Contracts\n\n## C\nkind: mcp-virtual\nholder: GP Co\nvalue: £40m/yr\nstart: 2017-04-01\nrisk-share: shared\nprocurement: competitive\n\n# Risk\nfailure-regime: step-in by the CCG\n"
        )
    };
    // Long enough on any day of 2011; short on any day of 2016; on some
    // days of 2015 and not others, so not judged; likewise April 2015.
    assert_eq!(lint(&proposal("2011")).1, ["SCH008 10"]);
    assert_eq!(lint(&proposal("2016")).1, ["SCH008 10", "CAP002 16"]);
    assert_eq!(lint(&proposal("2015")).1, ["SCH008 10", "EVAL002 16"]);
    assert_eq!(lint(&proposal("2015-04")).1, ["EVAL002 16"]);
    assert_eq!(lint(&proposal("2015-03")).1, Vec::<String>::new());
}

/// `FILLED` with everything a rule reads written.
fn written() -> String {
    FILLED
        .replace(
            "why-this-model: TBC",
            "why-this-model: most care is primary and community care",
        )
        .replace(
            "conflict-plan: N/A",
            "conflict-plan: excluded from the award decision",
        )
        .replace(
            "risk-share: to be agreed",
            "risk-share: gains and losses shared 50:50",
        )
        .replace(
            "failure-regime: see business case",
            "failure-regime: services revert to the CCG",
        )
}

/// The messages of the findings of `code` in `text`, linted with the
/// default pack.
fn messages(text: &str, code: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "json", "p.proposal"],
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn filler_in_a_field_a_rule_reads_is_not_assessed_not_passed() {
    // `holder: TBC` reads as no holder: CAP001 and the quorum rule would
    // set the contract aside. They say what they read instead.
    let text = written().replace("holder: GP Fed", "holder: TBC");
    let (status, findings, readiness) = lint(&text);
    assert_eq!(status, 1);
    assert_eq!(findings, ["EVAL002 13", "SCH009 40", "EVAL002 41"]);
    assert_eq!(readiness, ["ready", "incomplete", "incomplete"]);
    assert_eq!(
        messages(&text, "EVAL002"),
        [
            "COI003 (inquorate-without-conflicted) could not be assessed for `North CCG`: it cannot tell whether it holds: it reads `holder: TBC` of `MCP contract`, which says nothing",
            "CAP001 (contract-dwarfs-holder) could not be assessed for `MCP contract`: it needs who holds the contract (`holder`, or `holders` for a joint one), and reads `holder: TBC` of `MCP contract`, which says nothing",
        ]
    );
    // A liability's `transfers-to: N/A` is no answer either: PFI001 and
    // PFI002 read it to decide whether the liability is their business.
    let text = written().replace(
        "# Risk\n",
        "# Liabilities\n\n## Hospital PFI\nkind: pfi\nannual-charge: £6m/yr\nremaining-term: 20 years\ntransfers-to: N/A\n\n# Risk\n",
    );
    assert_eq!(
        messages(&text, "EVAL002"),
        [
            "PFI002 (pfi-outlives-contract) could not be assessed for `Hospital PFI`: it reads `transfers-to: N/A` of `Hospital PFI`, which says nothing",
            "PFI001 (pfi-transferred-without-backing) could not be assessed for `Hospital PFI`: it reads `transfers-to: N/A` of `Hospital PFI`, which says nothing",
        ]
    );
}

#[test]
fn a_care_model_contract_with_no_holder_is_not_judged_held_by_nobody() {
    let text = written().replace("holder: GP Fed\n", "");
    let (status, findings, readiness) = lint(&text);
    assert_eq!(status, 1);
    assert_eq!(findings, ["EVAL002 13", "EVAL002 40"]);
    assert_eq!(readiness, ["ready", "incomplete", "incomplete"]);
    assert_eq!(
        messages(&text, "EVAL002"),
        [
            "COI003 (inquorate-without-conflicted) could not be assessed for `North CCG`: it cannot tell whether it holds: it reads `holder` of `MCP contract`, not written",
            "CAP001 (contract-dwarfs-holder) could not be assessed for `MCP contract`: it needs who holds the contract (`holder`, or `holders` for a joint one)",
        ]
    );
}

#[test]
fn a_field_under_the_wrong_heading_is_not_read_and_every_stage_waits() {
    // A contract's line slipped under `# Risk` when the document was
    // edited: it is a contract's field, not read there.
    let text = written().replace(
        "procurement: competitive\nrisk-share: gains and losses shared 50:50\n\n# Risk\n",
        "risk-share: gains and losses shared 50:50\n\n# Risk\nprocurement: competitive\n",
    );
    let (status, findings, readiness) = lint(&text);
    assert_eq!(status, 1);
    assert_eq!(findings, ["EVAL002 37", "SCH010 46"]);
    assert_eq!(readiness, ["incomplete", "incomplete", "incomplete"]);
    assert_eq!(
        messages(&text, "SCH010"),
        ["`procurement` is a field of a contract, not of section `Risk`: it is not read here"]
    );
}
