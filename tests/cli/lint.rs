//! `assure lint` on the shared examples: human and JSON output, readiness,
//! `--stage`, `--deny warnings`, `--pack`.

use crate::{assert_status, assure, assure_in};

#[test]
fn hampshire_human_output() {
    let run = assure(&[
        "lint",
        "--color",
        "never",
        "fixtures/hampshire-mcp.proposal",
    ]);
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout);
    assert_eq!(run.stderr, "");
}

#[test]
fn hampshire_v2_with_a_failure_regime_is_clean_and_ready() {
    // The second version resolves all but FAIL001: the newsletters ask for
    // a failure regime beside the risk share. With one, it is ready.
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(crate::root().join("fixtures/hampshire-mcp-v2.proposal")).unwrap();
    std::fs::write(
        dir.path().join("hampshire-mcp-v2.proposal"),
        text.replace("<!-- expect: FAIL001 -->\n", "")
            + "\n# Risk\nfailure-regime: services revert to the CCG's existing contracts\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--color", "never", "hampshire-mcp-v2.proposal"],
    );
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout, @"
    hampshire-mcp-v2.proposal
      case-for-change           approved
      contract-and-capability   ready
      safe-to-launch            ready

    approved: the document records the gateway's approval, and assure found no error; ready: every rule
    judged the stage and found no error.
    0 errors, 0 warnings in 1 file
    ");
}

#[test]
fn dudley_json_output() {
    let run = assure(&["lint", "--format", "json", "fixtures/dudley-mcp.proposal"]);
    assert_status!(run, 0);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("lint --format json prints JSON");
    insta::assert_json_snapshot!(json);
}

#[test]
fn deny_warnings_fails_on_a_warning() {
    let run = assure(&[
        "lint",
        "-q",
        "--deny",
        "warnings",
        "fixtures/dudley-mcp.proposal",
    ]);
    assert_status!(run, 1);
}

#[test]
fn tower_hamlets_conflicts_are_labelled() {
    let run = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/tower-hamlets-community.proposal",
    ]);
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    let summary: Vec<String> = findings
        .iter()
        .map(|f| {
            let labels: Vec<String> = f["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| format!("{}:{}", l["span"]["line"], l["message"].as_str().unwrap()))
                .collect();
            format!(
                "{} {} {} [{}]",
                f["span"]["line"],
                f["code"].as_str().unwrap(),
                f["stage"].as_str().unwrap(),
                labels.join("; ")
            )
        })
        .collect();
    insta::assert_snapshot!(summary.join("\n"), @"
    16 COI003 contract-and-capability [39:conflicted; 47:conflicted; 61:conflicted]
    47 COI001 contract-and-capability [49:member of the commissioner; 50:interest]
    54 COI002 contract-and-capability [56:member of the commissioner; 57:interest]
    61 COI001 contract-and-capability [63:member of the commissioner; 64:interest]
    61 COI002 contract-and-capability [63:member of the commissioner; 64:interest]
    ");
}

#[test]
fn a_directory_is_linted_whole_and_in_order() {
    let run = assure(&["lint", "-q", "--format", "json", "fixtures"]);
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    let mut on_disk = Vec::new();
    crate::proposals(&crate::root().join("fixtures"), &mut on_disk);
    assert_eq!(files.len(), on_disk.len());
    assert_eq!(
        files[0]["path"],
        "fixtures/cambridgeshire-older-people.proposal"
    );
    let mut summary = json["summary"].clone();
    assert_eq!(summary["files"], on_disk.len());
    summary.as_object_mut().unwrap().remove("files");
    insta::assert_json_snapshot!(summary, @r#"
    {
      "baselined": 0,
      "errors": 260,
      "warnings": 1121,
      "infos": 3,
      "suppressed": 3
    }
    "#);
}

#[test]
fn stage_limits_the_rules_and_the_readiness() {
    let run = assure(&[
        "lint",
        "--color",
        "never",
        "--stage",
        "case-for-change",
        "fixtures/hampshire-mcp.proposal",
    ]);
    assert_status!(run, 0);
    let tail: Vec<&str> = run.stdout.lines().rev().take(5).collect();
    assert_eq!(
        tail,
        [
            "0 errors, 1 warning in 1 file",
            "approved: the document records the gateway's approval, and assure found no error.",
            "",
            "  case-for-change           approved",
            "fixtures/hampshire-mcp.proposal"
        ]
    );
    let run = assure(&[
        "lint",
        "--stage",
        "launch",
        "fixtures/hampshire-mcp.proposal",
    ]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: unknown stage `launch`; the stages are: case-for-change, contract-and-capability, safe-to-launch\n"
    );
}

#[test]
fn a_pack_adds_a_rule_a_parameter_and_a_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("local.toml"),
        r#"[pack]
name = "local"
version = "0.1.0"

[vocabulary.entities.organisation.fields]
beds = { type = "number", doc = "beds available" }

[[rules]]
code = "LOC001"
name = "too-few-beds"
stage = "safe-to-launch"
severity = "error"
summary = "A care home needs enough beds."
source = "local policy"
for = "o in organisations"
when = "o.beds < param.min_beds"
message = "{o.name} has {o.beds} beds; at least {param.min_beds} are needed"
primary = "o.beds"
[rules.params.min_beds]
default = 20
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("home.proposal"),
        "proposal: Care home\nmodel: care-homes\n\n# Organisations\n\n## Oak House\nkind: private-company\nbeds: 12\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "-q",
            "--color",
            "never",
            "--pack",
            "local.toml",
            "home.proposal",
        ],
    );
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    LOC001

      × Oak House has 12 beds; at least 20 are needed
       ╭─[home.proposal:8:7]
     7 │ kind: private-company
     8 │ beds: 12
       ·       ──
       ╰────
    ");
    let run = assure_in(dir.path(), &["explain", "--pack", "local.toml", "LOC001"]);
    assert_status!(run, 0);
    assert!(
        run.stdout
            .starts_with("LOC001: too-few-beds\nerror · stage safe-to-launch · pack local 0.1.0\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn init_writes_a_starting_proposal_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = assure_in(dir.path(), &["init", "my plan.proposal"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "wrote my plan.proposal: replace each <<PLACEHOLDER>>, then run `assure lint my plan.proposal` to see what is still missing\n"
    );
    let run = assure_in(
        dir.path(),
        &["lint", "--format", "json", "my plan.proposal"],
    );
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings: Vec<String> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["code"].as_str().unwrap(), f["span"]["line"]))
        .collect();
    // Only what the author must still write: each placeholder (each
    // once: a placeholder is not also a value of the wrong type), and what
    // the rules then cannot judge; no default that would pass if
    // forgotten. The untouched template is not ready.
    assert_eq!(
        findings,
        [
            "CFC006 1",
            "SYN004 1",
            "SYN004 3",
            "SYN004 4",
            "SYN004 6",
            "SYN004 8",
            "SYN004 9",
            "SYN004 12",
            "SYN004 19",
            "SYN004 20",
            "SYN004 32",
            "SYN004 35",
            "SYN004 37",
            "SYN004 38",
            "SYN004 39",
            "SYN004 40",
            "SYN004 42",
            "EVAL002 50",
            "SYN004 50",
            "SYN004 51",
            "EVAL002 61",
            "EVAL002 61",
            "EVAL002 61",
            "EVAL002 61",
            "SYN004 62",
            "SYN004 63",
            "SYN004 64",
            "SYN004 65",
            "SYN004 66",
            "SYN004 67",
            "SYN004 69",
            "SYN004 71",
            "SYN004 80",
            "SYN004 82",
            "SYN004 92",
            "SYN004 93",
            "SYN004 97",
            "SYN004 98",
        ]
    );
    let statuses: Vec<&str> = json["files"][0]["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["blocked", "blocked", "blocked"]);
    let run = assure_in(dir.path(), &["init", "my plan.proposal"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: cannot write my plan.proposal: it already exists, and assure never overwrites it\n"
    );
    let run = assure_in(dir.path(), &["init"]);
    assert_status!(run, 0);
    assert!(dir.path().join("new.proposal").is_file());
    // A pack that fails to load leaves no file behind to block the next
    // try.
    let run = assure_in(
        dir.path(),
        &["init", "--pack", "missing.toml", "next.proposal"],
    );
    assert_status!(run, 2);
    assert!(!dir.path().join("next.proposal").exists());
    let run = assure_in(dir.path(), &["init", "next.proposal"]);
    assert_status!(run, 0);
}

#[test]
fn init_reads_neither_configuration_nor_packs() {
    // A broken configuration and a missing pack stop every command that
    // checks, but not one that only writes a template.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assure.toml"),
        "packs = [\"missing.toml\"]\nnonsense = 1\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["init"]);
    assert_status!(run, 0);
    let run = assure_in(dir.path(), &["lint", "new.proposal"]);
    assert_status!(run, 2);
    assert!(
        run.stderr.contains("invalid configuration"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_is_the_same_in_any_file_order_and_thread_count() {
    let root = crate::root();
    let one = crate::assure_with(
        &root,
        &["lint", "--format", "json", "fixtures"],
        &[("RAYON_NUM_THREADS", "1")],
    );
    let many = crate::assure_with(
        &root,
        &["lint", "--format", "json", "fixtures"],
        &[("RAYON_NUM_THREADS", "4")],
    );
    assert_eq!(one.stdout, many.stdout);
    let forwards = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/dudley-mcp.proposal",
        "fixtures/hampshire-mcp.proposal",
    ]);
    let backwards = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/hampshire-mcp.proposal",
        "fixtures/dudley-mcp.proposal",
        "fixtures/dudley-mcp.proposal",
    ]);
    assert_eq!(forwards.stdout, backwards.stdout);
    assert_eq!(forwards.status, 1);
}

/// Every finding as `line:column CODE message`, from `lint --format json`.
fn findings_of(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["span"]["line"], f["span"]["column"], f["code"], f["message"]
            )
        })
        .collect()
}

#[test]
fn cr_lf_and_crlf_line_endings_give_the_same_findings() {
    let text = std::fs::read_to_string(crate::root().join("fixtures/hampshire-mcp.proposal"))
        .unwrap()
        .replace("\r\n", "\n");
    let expected = findings_of(&text);
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(findings_of(&text.replace('\n', "\r\n")), expected);
    assert_eq!(findings_of(&text.replace('\n', "\r")), expected);
    // One stray carriage return inside a line ends it: what follows is read,
    // not lost in the line before.
    let stray = text.replacen("\nmodel:", "\rmodel:", 1);
    assert_eq!(findings_of(&stray), expected);
}

#[test]
fn a_missing_path_is_reported_and_the_others_are_still_linted() {
    let run = assure(&[
        "lint",
        "--format",
        "json",
        "no-such.proposal",
        "fixtures/dudley-mcp.proposal",
    ]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: no such file or directory: no-such.proposal\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "fixtures/dudley-mcp.proposal");
    assert_eq!(json["files"].as_array().unwrap().len(), 1);
}

#[test]
fn a_dash_reads_the_proposal_from_standard_input_under_the_name_given() {
    use std::io::Write as _;
    let text = std::fs::read(crate::root().join("fixtures/hampshire-mcp.proposal")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assure"))
        .args([
            "lint",
            "--format",
            "json",
            "--stdin-filename",
            "plans/hampshire.proposal",
            "-",
        ])
        .current_dir(crate::root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "plans/hampshire.proposal");
    let from_file = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/hampshire-mcp.proposal",
    ]);
    let expected: serde_json::Value = serde_json::from_str(&from_file.stdout).unwrap();
    assert_eq!(
        json["files"][0]["findings"],
        expected["files"][0]["findings"]
    );
}

#[test]
fn graph_and_export_report_structure_only_and_succeed_once_written() {
    let dir = tempfile::tempdir().unwrap();
    // A misspelt reference (REF001) and a rule finding (PROC001).
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: P\nmodel: other\n\n# Organisations\n\n## North Trust\nkind: nhs-trust\n\n# Contracts\n\n## K\nkind: other\nholder: Nroth Trust\nprocurement: direct-award\n",
    )
    .unwrap();
    for command in ["graph", "export"] {
        let run = assure_in(dir.path(), &[command, "p.proposal"]);
        assert_status!(run, 0);
        assert!(!run.stdout.is_empty());
        let codes: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_alphanumeric()))
            .collect();
        assert_eq!(codes, ["REF001"], "{command}: {}", run.stderr);
    }
}

/// The codes `lint --format json` reports for `path` with `extra` options.
fn codes_with(extra: &[&str], path: &str) -> Vec<String> {
    let mut args = vec!["lint", "-q", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(path);
    let run = assure(&args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn select_ignore_and_exit_zero_work_as_ruff_users_expect() {
    let path = "fixtures/tower-hamlets-community.proposal";
    assert_eq!(codes_with(&["--select", "COI003,CFC"], path), ["COI003"]);
    assert_eq!(
        codes_with(
            &[
                "--select", "COI", "--ignore", "COI001", "--ignore", "COI002"
            ],
            path
        ),
        ["COI003"]
    );
    let run = assure(&["lint", "--select", "CAX", path]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: --select CAX matches no rule's code (`assure rules list` shows them)\n"
    );
    let run = assure(&["lint", "--ignore", "COI01", path]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: --ignore COI01 matches no rule's code; did you mean `COI001`?\n"
    );
    assert_status!(assure(&["lint", "-q", path]), 1);
    assert_status!(assure(&["lint", "-q", "--exit-zero", path]), 0);
}

#[test]
fn export_writes_the_whole_model_as_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: P\nmodel: other\nWhat is proposed.\n\n# Organisations\n\n## North Trust\nkind: nhs-trust\nturnover: £4.5m/yr\nowned-by: South Trust (40%)\nfavourite-colour: blue\n\n## South Trust\nkind: foundation-trust\nestablished: 2015-04-01\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["export", "p.proposal"]);
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn human_output_wraps_at_columns_never_mid_word() {
    let run = crate::assure_with(
        &crate::root(),
        &["lint", "fixtures/hampshire-mcp.proposal"],
        &[("COLUMNS", "60")],
    );
    assert_status!(run, 1);
    // Messages and help wrap; the proposal's own lines in snippets are
    // shown as they are.
    let prose = run.stdout.lines().filter(|l| {
        let trimmed = l.trim_start();
        !trimmed.starts_with(|c: char| c.is_ascii_digit()) && !trimmed.starts_with('·')
    });
    let longest = prose.map(|l| l.chars().count()).max().unwrap();
    assert!(
        longest <= 60,
        "a line of {longest} characters:\n{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  × the contract is worth £150m/yr, 16.67 times the\n"),
        "{}",
        run.stdout
    );
    // Not at a hyphen either: `conflict-plan` stays whole.
    let run = crate::assure_with(
        &crate::root(),
        &["lint", "fixtures/tower-hamlets-community.proposal"],
        &[("COLUMNS", "64")],
    );
    assert!(
        run.stdout.contains("with no\n  │ conflict-plan\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_line_like_note_colon_is_kept_as_prose_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.proposal"),
        "proposal: P\nmodel: other\nNote: the header's prose\n\n# Organisations\n\n## North Trust\nkind: nhs-trust\nRemark: formed in 2015\nturnover: £4m/yr\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["export", "p.proposal"]);
    assert_status!(run, 0);
    assert_eq!(run.stderr, "");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["prose"][0]["text"], "Note: the header's prose");
    assert_eq!(
        json["entities"][0]["prose"],
        serde_json::json!(["Remark: formed in 2015"])
    );
    assert_eq!(json["entities"][0]["fields"]["turnover"]["text"], "£4m/yr");
}

#[test]
fn every_edge_of_a_long_list_finds_its_own_qualifier() {
    let mut proposal = String::from("proposal: P\nmodel: other\n\n# Organisations\n");
    for i in 0..300 {
        proposal.push_str(&format!("\n## Org {i}\nkind: llp\n"));
    }
    let owners: Vec<String> = (0..300).map(|i| format!("Org {i} ({}%)", i % 97)).collect();
    proposal.push_str(&format!(
        "\n## Big\nkind: joint-venture\nowned-by: {}\n",
        owners.join(", ")
    ));
    let run = graph_of(&proposal, "json");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let qualifiers: Vec<String> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "owned-by")
        .map(|e| e["qualifier"].as_str().unwrap_or("none").to_owned())
        .collect();
    let expected: Vec<String> = (0..300).map(|i| format!("{}%", i % 97)).collect();
    assert_eq!(qualifiers, expected);
}

/// The numbers after `name="` in `tag`.
fn attribute(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

/// `assure graph --format FORMAT` of `proposal`, which must succeed.
fn graph_of(proposal: &str, format: &str) -> crate::Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let run = assure_in(dir.path(), &["graph", "--format", format, "p.proposal"]);
    assert_status!(run, 0);
    run
}

/// The boxes of an SVG graph: x, y, width, height.
fn svg_boxes(svg: &str) -> Vec<[f64; 4]> {
    svg.split("<g class=\"entity")
        .skip(1)
        .map(|group| {
            let rect = &group[group.find("<rect").unwrap()..];
            let rect = &rect[..rect.find("/>").unwrap()];
            [
                attribute(rect, "x"),
                attribute(rect, "y"),
                attribute(rect, "width"),
                attribute(rect, "height"),
            ]
        })
        .collect()
}

/// No two boxes overlap.
fn assert_apart(path: &str, boxes: &[[f64; 4]]) {
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart = a[0] + a[2] <= b[0]
                || b[0] + b[2] <= a[0]
                || a[1] + a[3] <= b[1]
                || b[1] + b[3] <= a[1];
            assert!(apart, "{path}: {a:?} overlaps {b:?}");
        }
    }
}

/// A graph with more edges than the layered layout takes in good time (a
/// complete graph of 40 organisations, 1,560 edges, took 4 s laid out in
/// layers) is drawn a column per type: the organisations share one column,
/// none overlapping, every edge drawn.
#[test]
fn a_dense_graph_is_drawn_in_columns() {
    let mut proposal = String::from("proposal: P\nmodel: other\n\n# Organisations\n");
    for i in 0..40 {
        let others: Vec<String> = (0..40)
            .filter(|j| *j != i)
            .map(|j| format!("Org {j}"))
            .collect();
        proposal.push_str(&format!(
            "\n## Org {i}\nkind: gp-federation\nmembers: {}\n",
            others.join(", ")
        ));
    }
    let run = graph_of(&proposal, "svg");
    let boxes = svg_boxes(&run.stdout);
    assert_eq!(boxes.len(), 41);
    assert_apart("p.proposal", &boxes);
    let mut columns: Vec<u64> = boxes.iter().map(|b| b[0] as u64).collect();
    columns.sort_unstable();
    columns.dedup();
    assert_eq!(columns.len(), 2, "the proposal, and the organisations");
    assert_eq!(run.stdout.matches("<g class=\"edge\">").count(), 1_560);
}

/// `assure graph --format svg` on every example: a box per node, none
/// overlapping another, every edge drawn (on top of the boxes, with an
/// arrow) and labelled as the JSON names it.
#[test]
fn the_svg_graph_shows_every_edge_and_hides_no_box() {
    let mut drawn = 0;
    for entry in walkdir::WalkDir::new(crate::root().join("fixtures"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "proposal") {
            continue;
        }
        let path = path.display().to_string();
        let svg = assure(&["graph", "--format", "svg", &path]);
        assert_status!(svg, 0);
        let json = assure(&["graph", "--format", "json", &path]);
        let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        let svg = svg.stdout;
        assert!(svg.starts_with("<svg id=\"graph\""), "{path}");
        let boxes = svg_boxes(&svg);
        assert_eq!(
            boxes.len(),
            json["nodes"].as_array().unwrap().len(),
            "{path}"
        );
        assert_apart(&path, &boxes);
        let edges = json["edges"].as_array().unwrap();
        assert_eq!(
            svg.matches("<g class=\"edge\">").count(),
            edges.len(),
            "{path}"
        );
        assert_eq!(
            svg.matches("marker-end=\"url(#arrow)\"").count(),
            edges.len()
        );
        // Edges come after the last box: drawn over them, never under.
        if let (Some(last_box), Some(first_edge)) = (
            svg.rfind("<g class=\"entity"),
            svg.find("<g class=\"edge\">"),
        ) {
            assert!(first_edge > last_box, "{path}");
        }
        for edge in edges {
            let label = match edge["qualifier"].as_str() {
                Some(q) => format!("{} ({q})", edge["field"].as_str().unwrap()),
                None => edge["field"].as_str().unwrap().to_owned(),
            };
            assert!(
                svg.contains(&format!(">{}</text></g>", label.replace('&', "&amp;"))),
                "{path}: no label {label}"
            );
        }
        drawn += 1;
    }
    assert!(drawn >= 100, "{drawn} fixtures drawn");
}

/// The human output's closing lines come in the order docs/cli.md gives:
/// each file's readiness table, what the statuses mean, the configuration,
/// the date judged by, the summary.
#[test]
fn the_closing_lines_come_in_the_documented_order() {
    let dir = tempfile::tempdir().unwrap();
    // A notice of award not yet published: PSR010 reads the run's date.
    let text = std::fs::read_to_string(crate::root().join("fixtures/rules/psr010-fires.proposal"))
        .unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("award-notice:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("d.proposal"), text).unwrap();
    std::fs::write(
        dir.path().join("assure.toml"),
        "packs = [\"psr-2024\"]\nas-of = \"2025-09-01\"\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--color", "never", "d.proposal"]);
    let tail: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| *l != "d.proposal")
        .collect();
    let at = |start: &str| {
        tail.iter()
            .position(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line starting `{start}` in\n{}", run.stdout))
    };
    let order = [
        at("  nhs-new-care-models: case-for-change"),
        at("ready: "),
        at("Configured by assure.toml."),
        at("Dates judged as of 2025-09-01 (`as-of` in assure.toml)."),
        at("2 errors, 0 warnings in 1 file"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "{order:?}\n{}",
        run.stdout
    );
}
