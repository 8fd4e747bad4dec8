//! `--format sarif` validated against the official SARIF 2.1.0 JSON schema
//! (as Microsoft publishes it in `@microsoft/jest-sarif`) and by Microsoft's
//! SARIF validator (`@microsoft/sarif-multitool`), both from the npm
//! registry; and `--format github`.
//!
//! The tools live under `target/sarif-tools`, which `.ci/run` fills from the
//! npm registry. Plain `cargo test` uses them when they are there and
//! otherwise says the validation is left to `.ci/run` (it goes to no
//! network); under `.ci/run` they are installed if missing, and a failure
//! to is a failure of the test.

use crate::{assert_status, assure, assure_in, root};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

const SCHEMA: &str = "node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json";
const MULTITOOL: &str = "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
static INSTALL: Mutex<()> = Mutex::new(());

fn tools() -> Option<PathBuf> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("target/sarif-tools");
    if !dir.join(SCHEMA).is_file() || !dir.join(MULTITOOL).is_file() {
        if !assure_test_tools::external_required() {
            assure_test_tools::left_to_ci("the SARIF validators (npm)");
            return None;
        }
        let npm = assure_test_tools::program("npm", &["/usr/bin/npm"], "npm")?;
        std::fs::create_dir_all(&dir).unwrap();
        let status = Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .args([
                "@microsoft/jest-sarif@1.0.0-beta.0",
                "@microsoft/sarif-multitool@5.7.0",
            ])
            .status()
            .expect("npm runs");
        assert!(
            status.success(),
            "npm install of the SARIF validators failed"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let tool = dir.join(MULTITOOL);
        let mut permissions = std::fs::metadata(&tool).unwrap().permissions();
        permissions.set_mode(0o755);
        std::fs::set_permissions(&tool, permissions).unwrap();
    }
    Some(dir)
}

/// Validates a SARIF log both ways, returning every problem found; where
/// the validators are not installed (and not required), none.
fn validate(sarif: &str) -> Vec<String> {
    let Some(tools) = tools() else {
        return Vec::new();
    };
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tools.join(SCHEMA)).unwrap()).unwrap();
    // The published schema's `language` patterns have a stray `]`, which
    // ECMA-262 reads as a literal and Rust's regex syntax rejects: escape it,
    // meaning the same thing, after checking it is the pattern we know.
    assert_eq!(
        escape_language_patterns(&mut schema),
        2,
        "the schema's language patterns changed"
    );
    let instance: serde_json::Value = serde_json::from_str(sarif).expect("SARIF output is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let mut problems: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("schema: {e} at {}", e.instance_path()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.sarif");
    std::fs::write(&file, sarif).unwrap();
    let output = Command::new(tools.join(MULTITOOL))
        .arg("validate")
        .arg(&file)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("the SARIF multitool runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    problems.extend(
        printed
            .lines()
            .filter(|l| l.contains(": error "))
            .map(|l| format!("multitool: {l}")),
    );
    assert!(
        printed.contains("Analysis completed successfully"),
        "the multitool did not finish: {printed}"
    );
    problems
}

fn escape_language_patterns(value: &mut serde_json::Value) -> usize {
    const PUBLISHED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        serde_json::Value::Object(map) => {
            let mut count = 0;
            for (key, child) in map.iter_mut() {
                if key == "pattern" && *child == PUBLISHED {
                    *child = serde_json::json!("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$");
                    count += 1;
                } else {
                    count += escape_language_patterns(child);
                }
            }
            count
        }
        serde_json::Value::Array(items) => items.iter_mut().map(escape_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_of_every_fixture_validates() {
    let run = assure(&["lint", "--format", "sarif", "fixtures"]);
    assert_status!(run, 1);
    assert_eq!(validate(&run.stdout), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 3);
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "launch is fixed by the lease; the gateway has agreed to a fast track"
    );
    let cap001 = results.iter().find(|r| r["ruleId"] == "CAP001").unwrap();
    insta::assert_json_snapshot!(cap001, @r#"
    {
      "ruleId": "CAP001",
      "level": "error",
      "message": {
        "text": "the contract is worth £150m/yr, 16.67 times the turnover of Mid Hampshire GP Federation (£9m/yr); the limit is 10 times"
      },
      "locations": [
        {
          "physicalLocation": {
            "artifactLocation": {
              "uri": "fixtures/hampshire-mcp.proposal",
              "uriBaseId": "SRCROOT"
            },
            "region": {
              "startLine": 66,
              "startColumn": 8,
              "endLine": 66,
              "endColumn": 16
            }
          }
        }
      ],
      "partialFingerprints": {
        "assureFinding/v1": "5977923ca09ee727"
      },
      "ruleIndex": 30,
      "relatedLocations": [
        {
          "physicalLocation": {
            "artifactLocation": {
              "uri": "fixtures/hampshire-mcp.proposal",
              "uriBaseId": "SRCROOT"
            },
            "region": {
              "startLine": 28,
              "startColumn": 11,
              "endLine": 28,
              "endColumn": 17
            }
          },
          "id": 0,
          "message": {
            "text": "the turnover of Mid Hampshire GP Federation"
          }
        }
      ]
    }
    "#);
}

#[test]
fn sarif_with_no_findings_and_awkward_paths_validates() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("propositions café");
    std::fs::create_dir(&nested).unwrap();
    std::fs::write(
        nested.join("clean one.proposal"),
        "proposal: Clean\nmodel: other\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "sarif", "."]);
    assert_status!(run, 0);
    assert_eq!(validate(&run.stdout), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));

    std::fs::write(
        nested.join("bad one.proposal"),
        "proposal: Bad\nmodel: mcp\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "sarif", "."]);
    assert_status!(run, 1);
    assert_eq!(validate(&run.stdout), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        location["uri"],
        "propositions%20caf%C3%A9/bad%20one.proposal"
    );
    // Outside a repository, relative to the directory assure ran in, which
    // the log names: never a bare relative URI with no base.
    assert_eq!(location["uriBaseId"], "SRCROOT");
    let base = log["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

#[test]
fn github_annotations() {
    let run = assure(&[
        "lint",
        "--format",
        "github",
        "fixtures/dudley-mcp.proposal",
        "fixtures/cambridgeshire-older-people.proposal",
    ]);
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    ::error file=fixtures/cambridgeshire-older-people.proposal,line=35,col=1,endLine=35,endColumn=54,title=FAIL001::Older people and adult community services contract is a care-model contract with no risk share and no failure regime%0Ahelp: add `risk-share:` to the contract saying how gains and losses are shared, and `failure-regime:` under `# Risk`
    ::error file=fixtures/cambridgeshire-older-people.proposal,line=40,col=9,endLine=40,endColumn=36,title=CAP002::UnitingCare Partnership LLP was established 5 months before the contract starts (2014-11-01 to 2015-04-01), short of the minimum track record of 2 years, and no guarantor or parent covers the annual value%0Ahelp: add a `guarantor:` or `parent:` whose turnover covers the annual value, or start the contract later
    ::warning file=fixtures/cambridgeshire-older-people.proposal,line=40,col=9,endLine=40,endColumn=36,title=CAP003::UnitingCare Partnership LLP holds a care-model contract but gives no turnover, so its capacity to hold the contract (CAP001) cannot be judged%0Ahelp: add `turnover:` to the holder
    ::warning file=fixtures/cambridgeshire-older-people.proposal,line=43,col=8,endLine=43,endColumn=13,title=EVAL002::CAP001 (contract-dwarfs-holder) could not be assessed for `Older people and adult community services contract`: it needs the `turnover` of every holder%0Ahelp: until it is given, this stage is incomplete: the rule has not passed, it has not been checked
    ::warning file=fixtures/dudley-mcp.proposal,line=7,col=9,endLine=7,endColumn=19,title=GATE002::launch on 2017-04-01 is too soon: 2 gateway stages still pending need about 8 months from 2016-09-30, so not before 2017-05-30%0Ahelp: move `launch:` later, or record the approvals already given
    ::notice file=fixtures/cambridgeshire-older-people.proposal,title=assure readiness::case-for-change: approved%0Acontract-and-capability: blocked (2 errors; 1 not assessed)%0Asafe-to-launch: blocked (2 errors; 1 not assessed)
    ::notice file=fixtures/dudley-mcp.proposal,title=assure readiness::case-for-change: approved%0Acontract-and-capability: ready%0Asafe-to-launch: ready
    ::notice title=assure::2 errors, 3 warnings in 2 files
    ");
    let run = assure(&[
        "lint",
        "--format",
        "github",
        "--deny",
        "warnings",
        "fixtures/dudley-mcp.proposal",
    ]);
    assert_status!(run, 1);
    let run = assure(&[
        "lint",
        "--format",
        "github",
        "fixtures/hampshire-mcp-v2.proposal",
    ]);
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    ::error file=fixtures/hampshire-mcp-v2.proposal,line=59,col=1,endLine=59,endColumn=30,title=FAIL001::Mid Hampshire MCP contract is a care-model contract with no failure regime (a risk share is not enough)%0Ahelp: add `risk-share:` to the contract saying how gains and losses are shared, and `failure-regime:` under `# Risk`
    ::notice file=fixtures/hampshire-mcp-v2.proposal,title=assure readiness::case-for-change: approved%0Acontract-and-capability: blocked (1 error)%0Asafe-to-launch: blocked (1 error)
    ::notice title=assure::1 error, 0 warnings in 1 file
    ");
}

#[test]
fn the_validators_reject_a_broken_log() {
    if tools().is_none() {
        return;
    }
    let bad_level = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "severe", "message": {"text": "m"}}]}]}"#;
    let problems = validate(bad_level);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("schema: \"severe\" is not one of"),
        "{problems:?}"
    );
    let no_message = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"level": "error"}]}]}"#;
    let problems = validate(no_message);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("schema:") && p.contains("\"message\" is a required property")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("multitool:") && p.contains("'message' is missing")),
        "{problems:?}"
    );
}

#[test]
fn sarif_locates_a_file_given_absolute_under_the_repository_root() {
    let absolute = root().join("fixtures/dudley-mcp.proposal");
    let run = assure(&["lint", "--format", "sarif", absolute.to_str().unwrap()]);
    assert_eq!(validate(&run.stdout), Vec::<String>::new());
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let run0 = &log["runs"][0];
    assert_eq!(
        run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "fixtures/dudley-mcp.proposal", "uriBaseId": "SRCROOT"})
    );
    let base = run0["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );

    // Outside any repository, a file under the directory assure ran in is
    // relative to it, given absolute or not, and the log names that base.
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("d.proposal");
    std::fs::copy(&absolute, &outside).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "sarif", outside.to_str().unwrap()],
    );
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        *location,
        serde_json::json!({"uri": "d.proposal", "uriBaseId": "SRCROOT"})
    );
    // One outside that directory is a file:// URI.
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    let run = assure_in(
        &dir.path().join("elsewhere"),
        &["lint", "--format", "sarif", outside.to_str().unwrap()],
    );
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let location =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(location.get("uriBaseId").is_none(), "{location}");
    assert!(
        location["uri"].as_str().unwrap().starts_with("file:///")
            && location["uri"].as_str().unwrap().ends_with("/d.proposal"),
        "{location}"
    );
}

/// A Word document's findings, placed by logical location (its headings
/// and cell) and no region, validate as well.
#[test]
fn sarif_of_a_word_document_validates() {
    let run = assure(&[
        "lint",
        "--format",
        "sarif",
        "fixtures/documents/hampshire-mcp.docx",
    ]);
    assert_status!(run, 1);
    assert_eq!(validate(&run.stdout), Vec::<String>::new());
}

/// A published notice's findings, in the file (on their line of JSON
/// Lines) with the notice and the JSON pointer as a logical location,
/// validate as well.
#[test]
fn sarif_of_published_notices_validates() {
    for file in [
        "fixtures/notices/compiled-releases.jsonl",
        "fixtures/notices/record-package.json",
    ] {
        let run = assure(&["--pack", "psr-2024", "lint", "--format", "sarif", file]);
        assert_status!(run, 1);
        assert_eq!(validate(&run.stdout), Vec::<String>::new(), "{file}");
        let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let location = &log["runs"][0]["results"][0]["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            file
        );
        assert!(location["logicalLocations"][0]["properties"]["pointer"].is_string());
    }
}
