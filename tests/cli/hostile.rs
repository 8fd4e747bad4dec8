//! Hostile input: packs built to hang or overflow the tool, and proposals
//! built to be too large. Each gives its diagnostic and exit status, and
//! none panics or hangs.

use crate::{assert_status, assure_in};
use std::process::Command;

fn pack_with(rule: &str) -> String {
    format!(
        "[pack]\nname = \"hostile\"\nversion = \"1\"\n\n[[rules]]\ncode = \"HOS001\"\nname = \"h\"\nstage = \"case-for-change\"\nseverity = \"warning\"\nsummary = \"s\"\nsource = \"s\"\n{rule}\n"
    )
}

fn lint_with_pack(pack: &str, proposal: &str) -> crate::Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hostile.toml"), pack).unwrap();
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    assure_in(
        dir.path(),
        &[
            "lint",
            "-q",
            "--color",
            "never",
            "--format",
            "json",
            "--pack",
            "hostile.toml",
            "p.proposal",
        ],
    )
}

fn first_error_line(run: &crate::Run) -> &str {
    run.stderr
        .lines()
        .find(|l| l.contains('×'))
        .map_or("", str::trim)
}

#[test]
fn deeply_nested_expressions_are_refused() {
    let deep = format!("{}true{}", "(".repeat(200), ")".repeat(200));
    let run = lint_with_pack(
        &pack_with(&format!("when = \"{deep}\"\nmessage = \"m\"")),
        "proposal: P\n",
    );
    assert_status!(run, 2);
    assert_eq!(
        first_error_line(&run),
        "× the expression nests more than 64 brackets deep"
    );
    let chained = format!("{}true", "not ".repeat(500));
    let run = lint_with_pack(
        &pack_with(&format!("when = \"{chained}\"\nmessage = \"m\"")),
        "proposal: P\n",
    );
    assert_status!(run, 2);
    assert_eq!(
        first_error_line(&run),
        "× the expression is more than 200 operations deep; name parts of it with `let`"
    );
}

#[test]
fn huge_numbers_and_long_expressions_are_refused() {
    let run = lint_with_pack(
        &pack_with(
            "when = \"proposal.population > param.n\"\nmessage = \"m\"\n[rules.params.n]\ndefault = \"99999999999999999999999999999999999\"",
        ),
        "proposal: P\n",
    );
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("× `99999999999999999999999999999999999` is too large a number"),
        "{}",
        run.stderr
    );
    let long = vec!["true"; 6000].join(" or ");
    let run = lint_with_pack(
        &pack_with(&format!("when = \"{long}\"\nmessage = \"m\"")),
        "proposal: P\n",
    );
    assert_status!(run, 2);
    assert_eq!(
        first_error_line(&run),
        "× the expression is 47996 bytes long; the limit is 20000"
    );
}

#[test]
fn self_referential_and_explosive_rules_end() {
    let mut proposal = String::from("proposal: P\nmodel: other\n\n# Organisations\n");
    for i in 0..80 {
        // Every organisation owned by the next: one big ownership cycle.
        proposal.push_str(&format!(
            "\n## Org {i}\nkind: llp\nowned-by: Org {} (100%)\nparent: Org {i}\n",
            (i + 1) % 80
        ));
    }
    let cycle = pack_with(
        "for = \"o in organisations\"\nlet.reach = \"closure(o, x => referrers(x, owned-by) + list(x.parent) + list(x))\"\nwhen = \"count(reach) == 80\"\nmessage = \"{o.name} reaches all\"",
    );
    let run = lint_with_pack(&cycle, &proposal);
    assert_status!(run, 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["summary"]["warnings"], 80);
    let explosive = pack_with(
        "let.all = \"[a for a in organisations for b in organisations for c in organisations for d in organisations]\"\nwhen = \"count(all) > 0\"\nmessage = \"{count(all)}\"",
    );
    let run = lint_with_pack(&explosive, &proposal);
    // Stopped, the rule was not assessed: its stage is incomplete, and the
    // run fails.
    assert_status!(run, 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["files"][0]["readiness"][0]
            ["status"],
        "incomplete"
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["EVAL001"]);
}

#[test]
fn a_million_item_list_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("proposal: M\nmodel: other\n\n# Organisations\n");
    for i in 0..1000 {
        text.push_str(&format!("\n## Practice {i}\nkind: gp-practice\n"));
    }
    let items: Vec<String> = (0..1_000_000)
        .map(|i| format!("Practice {}", i % 1000))
        .collect();
    text.push_str(&format!(
        "\n## Federation\nkind: gp-federation\nmembers: {}, Nobody\n",
        items.join(", ")
    ));
    std::fs::write(dir.path().join("m.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "json", "m.proposal"],
    );
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    let unknown: Vec<&serde_json::Value> =
        findings.iter().filter(|f| f["code"] == "REF001").collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        unknown[0]["message"],
        "reference to `Nobody`, which is not defined"
    );
    // Each practice is named 1,000 times: the repeats are one link each,
    // 100 of them listed and the next standing for the rest.
    let repeats: Vec<u64> = findings
        .iter()
        .filter(|f| f["code"] == "REF003")
        .map(|f| f["unlisted"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(repeats.len(), 101);
    assert_eq!(repeats[100], 999_000 - 101);
}

#[test]
fn a_chain_of_eleven_thousand_lets_is_refused_not_a_stack_overflow() {
    let mut lets = String::from("let.x0 = \"1\"\n");
    for i in 1..11_000 {
        lets.push_str(&format!("let.x{i} = \"x{} + 1\"\n", i - 1));
    }
    let run = lint_with_pack(
        &pack_with(&format!("{lets}when = \"x10999 > 0\"\nmessage = \"m\"")),
        "proposal: P\n",
    );
    assert_status!(run, 2);
    assert_eq!(
        first_error_line(&run),
        "× with the `let`s and functions it uses, this expression is 401 operations deep; the limit is"
    );
}

#[test]
fn a_list_joined_to_itself_stops_the_rule_not_the_process() {
    let mut lets = String::from("let.x0 = \"[1]\"\n");
    for i in 1..40 {
        lets.push_str(&format!("let.x{i} = \"x{} + x{}\"\n", i - 1, i - 1));
    }
    let run = lint_with_pack(
        &pack_with(&format!("{lets}when = \"count(x39) > 0\"\nmessage = \"m\"")),
        "proposal: P\n",
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let messages: Vec<&str> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "EVAL001")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "rule HOS001 stopped: it built a list or text 1048576 long, and the limit is 1000000, so it was not fully assessed"
        ]
    );
}

/// Input that never ends or never arrives is refused by name, at once.
#[cfg(unix)]
#[test]
fn devices_pipes_and_directories_are_refused_as_packs_configs_baselines_and_proposals() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::write(dir.path().join("p.proposal"), "proposal: P\n").unwrap();
    let run = |args: &[&str]| assure_in(dir.path(), args);
    let cases: [(&[&str], &str); 5] = [
        (
            &["lint", "--pack", "pipe", "p.proposal"],
            "error: cannot read the rule pack pipe: it is a named pipe, not a regular file\n",
        ),
        (
            &["lint", "--pack", "/dev/zero", "p.proposal"],
            "error: cannot read the rule pack /dev/zero: it is a device, not a regular file\n",
        ),
        (
            &["lint", "--config", "/dev/zero", "p.proposal"],
            "error: cannot read the configuration /dev/zero: it is a device, not a regular file\n",
        ),
        (
            &["lint", "--baseline", "/dev/zero", "p.proposal"],
            "error: cannot read the baseline /dev/zero: it is a device, not a regular file\n",
        ),
        (
            &["lint", "--pack", ".", "p.proposal"],
            "error: cannot read the rule pack .: it is a directory, not a regular file\n",
        ),
    ];
    for (args, stderr) in cases {
        let ran = run(args);
        assert_status!(ran, 2);
        assert_eq!(ran.stderr, stderr, "{args:?}");
    }
    let ran = run(&["lint", "-q", "--format", "json", "/dev/zero", "pipe"]);
    assert_status!(ran, 1);
    let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    let messages: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["path"], f["findings"][0]["message"]))
        .collect();
    assert_eq!(
        messages,
        [
            r#""/dev/zero" "cannot read the file: it is a device, not a regular file""#,
            r#""pipe" "cannot read the file: it is a named pipe, not a regular file""#
        ]
    );
}

#[test]
fn a_proposal_over_the_size_limit_is_unreadable_and_the_limit_can_be_raised() {
    let dir = tempfile::tempdir().unwrap();
    let proposal = format!("proposal: P\n\n{}", "prose\n".repeat(200_000));
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let json = ["--format", "json", "p.proposal"];
    let ran = assure_in(
        dir.path(),
        &[&["lint", "--max-file-size", "1"], &json[..]].concat(),
    );
    assert_status!(ran, 1);
    let report: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(
        report["files"][0]["findings"][0]["message"],
        "cannot read the file: it is larger than 1 MiB, the limit for proposals (raise it with --max-file-size)"
    );
    let ran = assure_in(
        dir.path(),
        &["lint", "-q", "--max-file-size", "2", "p.proposal"],
    );
    assert!(!ran.stdout.contains("SYN003"), "{}", ran.stdout);
}

/// An escape sequence that would set the terminal's title and clear it.
const ESCAPE: &str = "\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}1m\u{202e}";

#[test]
fn no_escape_sequence_from_a_proposal_reaches_a_terminal_or_a_ci_log() {
    let dir = tempfile::tempdir().unwrap();
    let name = format!("bad{ESCAPE}.proposal");
    let proposal = format!(
        "proposal: P{ESCAPE}\nmodel: other\n\nprose {ESCAPE}\n\n# Organisations\n\n## North{ESCAPE} Trust\nkind: nhs-trust{ESCAPE}\n\n# Contracts\n\n## Community contract\nkind: other\nholder: Nroth{ESCAPE} Trust\n<!-- expect: REF001 -->\n"
    );
    std::fs::write(dir.path().join(&name), &proposal).unwrap();
    std::fs::write(dir.path().join("old.proposal"), "proposal: P\n").unwrap();
    let runs = [
        assure_in(dir.path(), &["lint", &name]),
        assure_in(dir.path(), &["lint", "--format", "github", &name]),
        assure_in(dir.path(), &["diff", "old.proposal", &name]),
        assure_in(dir.path(), &["graph", &name]),
        assure_in(dir.path(), &["rules", "test", &name]),
        assure_in(dir.path(), &["lint", "--format", "json", &name]),
        assure_in(dir.path(), &["lint", "--format", "sarif", &name]),
    ];
    for (at, run) in runs.iter().enumerate() {
        // JSON escapes the C0 controls only, as its standard says.
        let hidden: &[char] = if at < 5 {
            &['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']
        } else {
            &['\u{1b}', '\u{7}']
        };
        for output in [&run.stdout, &run.stderr] {
            assert!(!output.contains(hidden), "{output}");
        }
    }
    // Shown escaped where a person reads them; JSON escapes them itself.
    assert!(
        runs[0]
            .stdout
            .contains(r"bad\u{1b}]0;owned\u{7}\u{1b}[2J\u{9b}1m\u{202e}.proposal"),
        "{}",
        runs[0].stdout
    );
    assert!(
        runs[1].stdout.contains(r"Nroth\u{1b}]0;owned"),
        "{}",
        runs[1].stdout
    );
    assert!(
        runs[2].stdout.contains(r"+prose \u{1b}]0;owned"),
        "{}",
        runs[2].stdout
    );
    assert!(
        runs[5].stdout.contains(r"Nroth\u001b]0;owned"),
        "{}",
        runs[5].stdout
    );
}

#[test]
fn a_long_line_beside_a_finding_is_not_printed_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let proposal = format!(
        "proposal: P\nmodel: other\n\n{long}\n\n# Organisations\n\n## North Trust\nkind: nhs-trust\n\n# Contracts\n\n## Community contract\nkind: other\nholder: Nroth Trust\n{long}\n"
    );
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let run = assure_in(dir.path(), &["lint", "p.proposal"]);
    assert!(run.stdout.len() < 20_000, "{} bytes", run.stdout.len());
    assert!(
        run.stdout
            .contains("at p.proposal:15:9 (a line there is too long to show)"),
        "{}",
        run.stdout
    );
}

/// The densest cluster of conflicts of interest (5,000 people on one
/// commissioner, each with an interest in each of 5,000 organisations that
/// own each other in a cycle): every person's COI001 is found within the
/// default budget. Each person's closure was walked anew, and each
/// person's contracts listed anew, so the rule stopped at its budget
/// (EVAL001) after 583 people.
#[test]
fn a_dense_cluster_of_conflicts_is_judged_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dense.proposal"),
        assure_gen::dense_conflicts(5_000),
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "dense.proposal"]);
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    let count = |code: &str| findings.iter().filter(|f| f["code"] == code).count();
    assert_eq!((count("COI001"), count("EVAL001")), (5_000, 0));
    let first = findings.iter().find(|f| f["code"] == "COI001").unwrap();
    assert_eq!(
        first["message"],
        "Person 0 sits on CCG, which commissions Contract 0, Contract 1, Contract 2, Contract 3, Contract 4, Contract 5, Contract 6, Contract 7, Contract 8 and 4,991 more, and has an interest in Org 0, Org 1, Org 2, Org 3, Org 4, Org 5, Org 6, Org 7, Org 8 and 4,991 more on its provider side through their employment by Org 0, with no conflict-plan"
    );
}

#[test]
fn a_finding_on_every_line_lists_each_codes_first_thousand_and_counts_the_rest() {
    // 1,500 lines `a:b`: each a SYN001 (no space after the colon) and an
    // SCH002 (no field `a`); 1,000 of each listed, the next standing for
    // the other 499, in JSON and SARIF alike.
    let dir = tempfile::tempdir().unwrap();
    let text = format!("proposal: L\nmodel: mcp\n{}", "a:b\n".repeat(1_500));
    std::fs::write(dir.path().join("l.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "json", "l.proposal"],
    );
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = json["files"][0]["findings"].as_array().unwrap();
    for code in ["SYN001", "SCH002"] {
        let of_code: Vec<&serde_json::Value> =
            findings.iter().filter(|f| f["code"] == code).collect();
        assert_eq!(of_code.len(), 1_001, "{code}");
        let standing: Vec<(u64, u64)> = of_code
            .iter()
            .filter_map(|f| Some((f["unlisted"].as_u64()?, f["span"]["line"].as_u64()?)))
            .collect();
        assert_eq!(
            standing,
            [(499, 1_003)],
            "{code}: line 1,003 is the 1,001st `a:b`"
        );
    }
    // Counted whole: 1,500 SYN001 and CFC001, CFC004; 1,500 SCH002.
    assert_eq!(
        json["summary"],
        serde_json::json!({"files": 1, "errors": 1_502, "warnings": 1_500, "infos": 0, "suppressed": 0, "baselined": 0})
    );
    assert_eq!(json["files"][0]["readiness"][0]["errors"], 1_502);
    let unknown = findings
        .iter()
        .find(|f| f["code"] == "SCH002" && f["unlisted"] == 499)
        .unwrap();
    assert_eq!(
        unknown["message"],
        "unknown field `a` for the header (and 499 more SCH002 findings after it, not listed: a file lists the first 1000 of each code)"
    );
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "sarif", "l.proposal"],
    );
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let counted: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("properties"))
        .collect();
    assert_eq!(counted, [&serde_json::json!({"unlisted": 499}); 2]);
}

/// A pack of 17 `let`s that builds 131,072 distinct numbers within its
/// budget, then searches them as `when` says.
fn searching_pack(when: &str) -> String {
    let mut lets = String::from("let.x0 = \"[1]\"\n");
    for i in 1..18 {
        lets.push_str(&format!(
            "let.x{i} = \"[a * 2 + b for a in x{} for b in [0, 1]]\"\n",
            i - 1
        ));
    }
    pack_with(&format!("{lets}when = \"{when}\"\nmessage = \"m\""))
}

#[test]
fn a_search_repeated_over_a_long_list_is_charged_to_the_budget() {
    // Each was a 17-billion-comparison scan that no step was charged for
    // (minutes, for a pack under a kilobyte); now every item read is a step.
    for when in [
        "count(unique(x17)) > 0",
        "count([a for a in x17 if a in x17]) > 0",
        "count([a for a in x17 if a not in x17]) == 0",
        "count([a for a in x17 if x17 == x17]) == 0",
        "count([a for a in x17 if intersects(x17, list(a))]) > 0",
    ] {
        let run = lint_with_pack(&searching_pack(when), "proposal: P\nmodel: other\n");
        assert_status!(run, 1);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let messages: Vec<&str> = json["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(
            messages,
            ["rule HOS001 stopped after 5000000 steps, so it was not fully assessed"],
            "{when}"
        );
    }
}

#[test]
fn placeholders_on_one_long_line_are_found_in_one_pass() {
    // 800,000 placeholders on one 4 MB line: the end of the line was
    // searched again for each (22 s); each code's first thousand listed.
    let dir = tempfile::tempdir().unwrap();
    let text = format!("proposal: P\nnotes: {}\n", "<<a>>".repeat(800_000));
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--format", "json", "p.proposal"],
    );
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let placeholders: Vec<u64> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "SYN004")
        .map(|f| f["unlisted"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(placeholders.len(), 1_001);
    assert_eq!(placeholders[1_000], 800_000 - 1_001);
}
