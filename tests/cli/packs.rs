//! The packs shipped with assure, selected by name; each pack's readiness
//! its own chain; the run's date; working days and their calendar; and
//! what a pack may add or change in the vocabulary and the language.

use crate::{assert_status, assure, assure_in, unwrapped};
use std::path::Path;

/// `assure OPTIONS lint --format json p.proposal` in `dir`: the exit status
/// and the report of the one file.
fn lint_json(dir: &Path, options: &[&str]) -> (i32, serde_json::Value) {
    let mut args = options.to_vec();
    args.extend(["lint", "--format", "json", "p.proposal"]);
    let run = assure_in(dir, &args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    (run.status, json["files"][0].clone())
}

/// Each finding of a file's report as `"CODE" line: message`.
fn findings_of(file: &serde_json::Value) -> Vec<String> {
    file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}: {}",
                f["code"],
                f["span"]["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// A proposal under the ISAP pack whose checkpoint 2 fails, and nothing of
/// the default pack's: the default pack's stages stay ready.
const ISAP_SIGNED_EARLY: &str = "proposal: P
commissioner: North CCG
model: other
# Organisations

## North CCG
kind: ccg

## Provider
kind: nhs-trust
turnover: £400m/yr
established: 2001-04-01
cqc-registered: yes

# Contracts

## MCP contract
kind: mcp-fully-integrated
commissioner: North CCG
holder: Provider
value: £20m/yr
term: 10 years
risk-share: shared
isap-checkpoint-1: green 2016-10-01
net-benefits: care closer to home
provider-consequences: none beyond the trust's own
advertised: 2016-11-01
preferred-bidder: 2017-03-01
due-diligence: 2017-03-10
isap-checkpoint-2: green 2017-05-01
governing-body-review: 2017-05-02
mobilisation-plan: annex D
signed: 2017-04-20
isap-checkpoint-3: green 2017-06-15
procurement: competitive

# Case for change
why-this-model: integration of care

# Risk
failure-regime: step-in by the CCG
";

#[test]
fn each_pack_is_a_chain_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), ISAP_SIGNED_EARLY).unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "isap-2017"]);
    assert_eq!(status, 1);
    let rows: Vec<String> = file["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {} {}", r["pack"], r["stage"], r["status"]))
        .collect();
    assert_eq!(
        rows,
        [
            r#""nhs-new-care-models" "case-for-change" "ready""#,
            r#""nhs-new-care-models" "contract-and-capability" "ready""#,
            r#""nhs-new-care-models" "safe-to-launch" "ready""#,
            r#""isap-2017" "isap-checkpoint-1" "ready""#,
            r#""isap-2017" "isap-checkpoint-2" "blocked""#,
            r#""isap-2017" "isap-checkpoint-3" "blocked""#,
        ]
    );
    let run = assure_in(
        dir.path(),
        &["--pack", "isap-2017", "lint", "-q", "p.proposal"],
    );
    assert!(
        run.stdout.contains(
            "MCP contract was signed on 2017-04-20 before checkpoint 2 rated it on 2017-05-01"
        ),
        "{}",
        run.stdout
    );
    let run = assure_in(dir.path(), &["--pack", "isap-2017", "lint", "p.proposal"]);
    let table = run.stdout.split("p.proposal\n").last().unwrap();
    assert_eq!(
        table,
        "  nhs-new-care-models: case-for-change         ready
  nhs-new-care-models: contract-and-capability ready
  nhs-new-care-models: safe-to-launch          ready
  isap-2017: isap-checkpoint-1                 ready
  isap-2017: isap-checkpoint-2                 blocked (2 errors)
  isap-2017: isap-checkpoint-3                 blocked (2 errors)

ready: every rule judged the stage and found no error; blocked: an error stands.
2 errors, 0 warnings in 1 file
"
    );
    // --stage runs and shows one pack's chain up to the stage.
    let run = assure_in(
        dir.path(),
        &[
            "--pack",
            "isap-2017",
            "lint",
            "--stage",
            "isap-checkpoint-1",
            "p.proposal",
        ],
    );
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "p.proposal\n  isap-2017: isap-checkpoint-1 ready\n\nready: every rule judged the stage and found no error.\n0 errors, 0 warnings in 1 file\n"
    );
}

#[test]
fn shipped_packs_are_named_on_the_command_line_and_in_the_configuration() {
    let run = assure(&["--pack", "psr2024", "rules", "list"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: no pack is called `psr2024`: did you mean `psr-2024`? the packs shipped with assure are `nhs-new-care-models`, `psr-2024`, `isap-2017`, `coi-2017`; a pack file is named by its path (`./psr2024.toml`)\n"
    );
    let run = assure(&["--pack", "psr-2024", "rules", "list"]);
    assert_status!(run, 0);
    let psr: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("PSR"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/psr-2024.toml"))
            .unwrap();
    assert_eq!(
        psr.len(),
        shipped.matches("\ncode = \"PSR").count(),
        "{}",
        run.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("assure.toml"), "packs = [\"coi-2017\"]\n").unwrap();
    let run = assure_in(dir.path(), &["explain", "CIG004"]);
    assert_status!(run, 0);
    assert!(
        run.stdout
            .starts_with("CIG004: too-few-lay-members\nerror · stage coi · pack coi-2017 1.0.0\n")
    );
    std::fs::write(dir.path().join("assure.toml"), "packs = [\"coi2017\"]\n").unwrap();
    let run = assure_in(dir.path(), &["rules", "list"]);
    assert_status!(run, 2);
    assert!(
        run.stderr.contains("no pack is called `coi2017`")
            && run.stderr.contains("did you mean `coi-2017`?"),
        "{}",
        run.stderr
    );
}

/// A direct award A published late, or not yet published.
const AWARD_A: &str = "proposal: P
model: other
# Contracts

## GP services
kind: apms
award-process: direct-award-a
awarded: 2024-03-01
";

#[test]
fn today_comes_from_as_of_then_the_configuration_then_the_clock_and_output_says_which() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.proposal"), AWARD_A).unwrap();
    // Within 30 days of the award: the notice is not yet late.
    let run = assure_in(
        dir.path(),
        &[
            "--pack",
            "psr-2024",
            "--as-of",
            "2024-03-31",
            "lint",
            "p.proposal",
        ],
    );
    assert_status!(run, 0);
    assert!(
        run.stdout.ends_with(
            "Dates judged as of 2024-03-31 (--as-of).\n0 errors, 0 warnings in 1 file\n"
        ),
        "{}",
        run.stdout
    );
    let run = assure_in(
        dir.path(),
        &[
            "--pack",
            "psr-2024",
            "--as-of",
            "2024-04-01",
            "lint",
            "-q",
            "p.proposal",
        ],
    );
    assert_status!(run, 1);
    assert!(
        unwrapped(&run.stdout).contains("GP services was awarded on 2024-03-01 and its notice of award, due by 2024-03-31, is not recorded, past the 30 days allowed"),
        "{}",
        run.stdout
    );
    std::fs::write(dir.path().join("assure.toml"), "as-of = \"2024-03-15\"\n").unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!(status, 0);
    assert_eq!(
        file["as_of"],
        serde_json::json!({"date": "2024-03-15", "source": "`as-of` in assure.toml"})
    );
    std::fs::remove_file(dir.path().join("assure.toml")).unwrap();
    let run = assure_in(dir.path(), &["--pack", "psr-2024", "lint", "p.proposal"]);
    assert!(
        run.stdout.contains("(the clock; `--as-of` fixes it).\n"),
        "{}",
        run.stdout
    );
    // A rule set that never reads the date says nothing of it.
    let run = assure(&["lint", "fixtures/dudley-mcp.proposal"]);
    assert!(!run.stdout.contains("Dates judged"), "{}", run.stdout);
    let run = assure(&[
        "--as-of",
        "2024-02-30",
        "lint",
        "fixtures/dudley-mcp.proposal",
    ]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: --as-of: `2024-02-30` is not a real date: February 2024 has 29 days\n"
    );
    std::fs::write(dir.path().join("assure.toml"), "as-of = \"2024-03\"\n").unwrap();
    let run = assure_in(dir.path(), &["lint", "p.proposal"]);
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("`2024-03` is a month: give the day (YYYY-MM-DD)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_date_past_the_calendar_is_not_assessed_rather_than_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let proposal = "proposal: P
model: other
# Contracts

## Community services
kind: other
award-process: competitive-process
contract-notice: 2028-09-01
selection-criteria: evaluation report
key-criteria: quality-and-innovation, value, integration-collaboration-and-sustainability, access-inequalities-and-choice, social-value
key-criteria-record: annex C
conflicts-declared: none declared
intention-notice: 2028-11-01
awarded: 2028-11-20
";
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024", "--as-of", "2028-12-01"]);
    assert_eq!(status, 1);
    assert_eq!(
        findings_of(&file),
        [
            r#""EVAL003" 14: PSR007 (standstill-too-short) could not be assessed for `Community services`: it counts working days to or from 2028-11-02, and the calendar `england-and-wales` covers only 2016-01-01 to 2027-12-31"#
        ]
    );
    let award = file["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["stage"] == "psr-award")
        .unwrap();
    assert_eq!(award["status"], "incomplete");
}

#[test]
fn a_pack_may_bring_its_own_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let pack = r#"[pack]
name = "local"
version = "1"

[calendar]
name = "office"
from = "2030-01-01"
to = "2030-12-31"
holidays = ["2030-01-01"]

[[stages]]
id = "local"

[[rules]]
code = "LOC001"
name = "quick-start"
stage = "local"
severity = "error"
summary = "s"
source = "s"
for = "k in contracts"
applies = "present(k.start) and present(k.advertised)"
when = "working_days(k.advertised, k.start) < 3"
message = "{k.name} starts {working_days(k.advertised, k.start)} working days after it was advertised"
[rules.examples]
fail = """
proposal: X

# Contracts

## C
kind: other
advertised: 2029-12-31
start: 2030-01-03
"""
pass = """
proposal: X

# Contracts

## C
kind: other
advertised: 2030-01-02
start: 2030-01-07
"""
"#;
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 2);
    assert!(
        run.stdout
            .contains("the `fail` example of LOC001 does not give LOC001")
            || run
                .stderr
                .contains("the `fail` example of LOC001 does not give LOC001"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    std::fs::write(
        dir.path().join("local.toml"),
        pack.replace("advertised: 2029-12-31", "advertised: 2030-01-01"),
    )
    .unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 0);
    let broken = pack.replace(
        "\"2030-01-01\"]",
        "\"2030-01-01\", \"2031-01-01\", \"2030-02-30\"]",
    );
    std::fs::write(dir.path().join("local.toml"), broken).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("2031-01-01 is outside the calendar (2030-01-01 to 2030-12-31)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("`2030-02-30` is not a real date: February 2030 has 28 days"),
        "{}",
        run.stderr
    );
}

/// A minimal pack around `extra`, loaded with `rules check`: its status,
/// and what it printed, messages unwrapped onto one line each.
fn check_pack(extra: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!(
        "[pack]\nname = \"local\"\nversion = \"1\"\n\n[[stages]]\nid = \"local\"\n\n{extra}"
    );
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    (
        run.status,
        unwrapped(&format!("{}{}", run.stdout, run.stderr)),
    )
}

const RULE_HEAD: &str = r#"[[rules]]
code = "LOC001"
name = "n"
stage = "local"
severity = "error"
summary = "s"
source = "s"
for = "k in contracts"
message = "m"
"#;

#[test]
fn examples_must_exist_and_be_sound_proposals() {
    let (status, out) = check_pack(&format!("{RULE_HEAD}when = \"missing(k.value)\"\n"));
    assert_eq!(status, 2);
    assert!(
        out.contains("× LOC001 has neither a `fail` nor a `pass` example: `[rules.examples]` shows a proposal on which it fires and one on which it does not, and `rules check` runs them"),
        "{out}"
    );
    let (status, out) = check_pack(&format!(
        "{RULE_HEAD}when = \"missing(k.value)\"\n[rules.examples]\nfail = \"\"\"\nproposal: X\n\n# Contracts\n\n## C\nkind: other\nstrat: 2017-01-01\nstart: 2017-02-30\n\"\"\"\npass = \"\"\"\nproposal: X\n\n# Contracts\n\n## C\nkind: other\nvalue: £1m\n\"\"\"\n"
    ));
    assert_eq!(status, 2);
    assert!(
        out.contains("× the `fail` example of LOC001 is not a sound proposal: SCH002 unknown field `strat` for a contract (and 1 more)"),
        "{out}"
    );
}

#[test]
fn a_misspelt_word_in_a_rule_is_found_when_the_pack_loads() {
    let (status, out) = check_pack(&format!(
        "{RULE_HEAD}when = 'k.procurement == \"direct-awrd\" or k.kind in [\"alliance\", \"lead-provdier\"]'\n"
    ));
    assert_eq!(status, 2);
    assert!(
        out.contains("`direct-awrd` is not one of `procurement`, so this never matches")
            && out.contains("did you mean `direct-award`?"),
        "{out}"
    );
    assert!(
        out.contains("`lead-provdier` is not one of the kinds, so this never matches")
            && out.contains("did you mean `lead-provider`?"),
        "{out}"
    );
}

#[test]
fn names_the_language_gives_cannot_be_fields_or_sections() {
    let (status, out) = check_pack(
        "[vocabulary.entities.contract.fields]\nfrom = \"date\"\nname = \"text\"\n\n[[vocabulary.sections]]\nid = \"param\"\ntitle = \"Param\"\n",
    );
    assert_eq!(status, 2);
    for expected in [
        "`from` cannot be a field's name: in rules, `x.from` is where a link starts, so the field could never be read",
        "`name` cannot be a field's name: in rules, `x.name` is an entity's name (its heading), so the field could never be read",
        "`param` cannot be a section's id: rules read a pack's parameters as `param.NAME`, so the section could never be read",
    ] {
        assert!(out.contains(expected), "{expected}\n{out}");
    }
}

#[test]
fn a_pack_extends_an_enum_adds_optional_kinds_and_types_a_qualifier() {
    let dir = tempfile::tempdir().unwrap();
    let pack = r#"[pack]
name = "local"
version = "1"

[vocabulary.types]
model = { enum = ["integrated-care"] }
board-role = { enum = ["chair", "member"] }

[vocabulary.entities.person]
kinds = ["clinician", "manager"]

[vocabulary.entities.person.fields]
member-of = { refs = "organisation", qualifier = "board-role" }
"#;
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let proposal = "proposal: P
model: integrated-care

# Organisations

## Board
kind: ccg

# People

## Dr A
member-of: Board (chair)

## Dr B
kind: clinician
member-of: Board (governing body)
";
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let (_, file) = lint_json(dir.path(), &["--pack", "local.toml"]);
    let findings: Vec<String> = findings_of(&file)
        .iter()
        .map(|f| f.split(':').next().unwrap().to_owned())
        .collect();
    // `integrated-care` is a model now; Dr A needs no kind; only Dr B's
    // qualifier is not a role.
    assert!(
        findings
            .iter()
            .all(|f| !f.starts_with("\"SCH004\"") && f != "\"SCH003\" 2"),
        "{findings:?}"
    );
    assert_eq!(findings, ["\"SCH003\" 16"]);
    let (status, out) = check_pack(
        "[vocabulary.entities.person.fields]\nowns = { refs = \"organisation\", qualifier = \"date\" }\n",
    );
    assert_eq!(status, 2);
    assert!(
        out.contains("field `owns` of person is already declared as a list of names with a qualifier of a percentage; only a qualifier of free text can be given a type, and this one is a qualifier of a percentage, not a qualifier of a date (YYYY-MM-DD)"),
        "{out}"
    );
}

#[test]
fn parameters_may_be_lists_set_by_the_project_in_their_unit() {
    let dir = tempfile::tempdir().unwrap();
    let proposal = "proposal: P
model: other
# Contracts

## Practice contract
kind: gms
advertised: 2017-01-10
";
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    // The ISAP pack over this proposal, with `params` as assure.toml's.
    let lint_with = |params: &str| {
        std::fs::write(
            dir.path().join("assure.toml"),
            format!("[params]\n{params}"),
        )
        .unwrap();
        assure_in(
            dir.path(),
            &["--pack", "isap-2017", "lint", "-q", "p.proposal"],
        )
    };
    let run = lint_with("");
    assert_status!(run, 0);
    let run = lint_with("complex_kinds = [\"gms\"]\n");
    assert_status!(run, 1);
    assert!(run.stdout.contains("ISAP001"), "{}", run.stdout);
    for (params, expected) in [
        (
            "complex_kinds = [\"gms\", 3]\n",
            "`complex_kinds`: a list's items must all be of one kind, and this one has text and a number",
        ),
        ("complex_kinds = \"gms\"\n", "`complex_kinds` is a list"),
    ] {
        let run = lint_with(params);
        assert_status!(run, 2);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
}

#[test]
fn a_fixture_names_its_pack_and_its_date() {
    let run = assure(&["rules", "test", "fixtures/rules/psr007-fires.proposal"]);
    assert_status!(run, 1);
    assert!(
        run.stdout.starts_with("FAIL  fixtures/rules/psr007-fires.proposal\n      fixtures/rules/psr007-fires.proposal: it is a fixture of the pack `psr-2024`, which is not loaded (`--pack psr-2024`)\n"),
        "{}",
        run.stdout
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("f.proposal"),
        "proposal: P\n<!-- fixture: pack nhs-new-care-models; as of 2024-01-01 -->\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["rules", "test", "f.proposal"]);
    assert_status!(run, 1);
    assert!(
        run.stdout.contains("`fixture: as` is not a setting: write `pack NAME` or `as-of YYYY-MM-DD`, separated by `;`"),
        "{}",
        run.stdout
    );
}

#[test]
fn explain_shows_a_rules_logic_and_the_fields_its_pack_adds() {
    let run = assure(&["--pack", "psr-2024", "explain", "PSR010"]);
    assert_status!(run, 0);
    assert!(
        run.stdout.contains(
            "How\n    for: k in contracts\n    let due: k.awarded + param.notice_within\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  notice_within = 30 days\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Fields pack psr-2024 adds\n    award-process of contract, one of:"),
        "{}",
        run.stdout
    );
}

#[test]
fn init_with_a_pack_writes_the_fields_it_adds() {
    let dir = tempfile::tempdir().unwrap();
    let run = assure_in(dir.path(), &["--pack", "coi-2017", "init", "p.proposal"]);
    assert_status!(run, 0);
    let text = std::fs::read_to_string(dir.path().join("p.proposal")).unwrap();
    assert!(
        text.contains("## <<YOUR CCG>>\nkind: ccg\n<!-- members needed for the board to be quorate -->\nquorum: <<HOW MANY MEMBERS MAKE A QUORUM>>\n<!-- primary-care-delegated: yes or no (pack coi-2017) -->\nprimary-care-delegated: <<WHETHER COMMISSIONING OF PRIMARY CARE IS DELEGATED TO IT>>\n"),
        "{text}"
    );
    assert!(text.contains("\n# Gifts and hospitality\n\n## <<NAME OF A GIFT>>\n<!-- kind: gift, hospitality, cash-or-voucher -->\nkind: <<KIND>>\n"), "{text}");
    // Filled in, the placeholders are what is reported.
    let run = assure_in(
        dir.path(),
        &["--pack", "coi-2017", "lint", "-q", "p.proposal"],
    );
    assert!(run.stdout.contains("SYN004"), "{}", run.stdout);
}

#[test]
fn a_field_may_hold_several_words_of_its_list() {
    let dir = tempfile::tempdir().unwrap();
    let proposal = "proposal: P
model: other
# Contracts

## C
kind: other
award-process: competitive-process
contract-notice: 2024-01-01
key-criteria: value, socal-value, social-value (all)
key-criteria-record: annex

## D
kind: other
award-process: competitive-process
contract-notice: 2024-01-01
key-criteria: value, quality-and-innovation
key-criteria-record: annex
";
    std::fs::write(dir.path().join("p.proposal"), proposal).unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!(status, 1);
    assert_eq!(
        findings_of(&file),
        [
            "\"EVAL002\" 5: PSR006 (no-notice-of-intention) could not be assessed for `C`: it needs the notice of intention to award (`intention-notice:`), due before the contract is awarded",
            "\"SCH003\" 9: unknown value of `key-criteria`: `socal-value`",
            "\"SCH003\" 9: `key-criteria` takes words, not `social-value (all)`",
            "\"EVAL002\" 12: PSR006 (no-notice-of-intention) could not be assessed for `D`: it needs the notice of intention to award (`intention-notice:`), due before the contract is awarded",
            "\"PSR005\" 14: D is awarded by competitive-process without considering integration-collaboration-and-sustainability, access-inequalities-and-choice and social-value",
        ]
    );
    let (status, out) = check_pack(&format!(
        "{RULE_HEAD}when = '\"valeu\" in k.key-criteria'\n\n[vocabulary.entities.contract.fields]\nkey-criteria = {{ enum = [\"value\", \"social-value\"], many = true }}\n"
    ));
    assert_eq!(status, 2);
    assert!(
        out.contains("`valeu` is not one of the words") || out.contains("did you mean `value`?"),
        "{out}"
    );
}

#[test]
fn a_corpus_rule_sees_every_proposal_linted_together() {
    let dir = tempfile::tempdir().unwrap();
    let award = |awarded: &str, summary: &str| {
        format!(
            "proposal: P\nmodel: other\n# Organisations\n\n## North ICB\nkind: icb\n{summary}\n# Contracts\n\n## Services {awarded}\nkind: apms\ncommissioner: North ICB\naward-process: direct-award-b\nawarded: {awarded}\naward-notice: {awarded}\n"
        )
    };
    // The summary of 2024/25 is in a.proposal; an award of 2025/26, whose
    // summary is due after 31 March 2026, is in b.proposal.
    std::fs::write(
        dir.path().join("a.proposal"),
        award("2024-06-03", "psr-summary-published: 2025-04-10\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("b.proposal"), award("2025-06-03", "")).unwrap();
    let lint = |paths: &[&str]| {
        let mut args = vec![
            "--pack",
            "psr-2024",
            "--as-of",
            "2026-10-01",
            "lint",
            "--format",
            "json",
        ];
        args.extend(paths);
        let run = assure_in(dir.path(), &args);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|file| {
                format!(
                    "{}: {:?}",
                    file["path"].as_str().unwrap(),
                    findings_of(file)
                )
            })
            .collect::<Vec<String>>()
    };
    // Alone, a.proposal's summary covers its award.
    assert_eq!(lint(&["a.proposal"]), ["a.proposal: []"]);
    // Together, the authority (the first of its name) has an award of
    // 2025/26 and no summary since: the finding is in a.proposal, where
    // the authority is.
    assert_eq!(
        lint(&["a.proposal", "b.proposal"]),
        [
            "a.proposal: [\"\\\"PSR011\\\" 5: North ICB awarded contracts under the regime in the year 2025/26, which ended on 2026-03-31; its annual summary was expected by 2026-09-30, and the last was published on 2025-04-10\"]",
            "b.proposal: []",
        ]
    );
    let (status, out) = check_pack(&format!(
        "{RULE_HEAD}when = \"missing(k.value)\"\nscope = \"everywhere\"\n"
    ));
    assert_eq!(status, 2);
    assert!(
        out.contains("`everywhere` is not a scope: write `proposal` (the default) or `corpus`"),
        "{out}"
    );
}

/// A direct award made in 2024: by an ICB, the regime's; by a private
/// lead provider, or begun before the regime, not.
fn direct_award(commissioner_kind: &str, advertised: &str) -> String {
    format!(
        "proposal: P
model: other
as-of: 2024-09-01

# Organisations

## Awarding body
kind: {commissioner_kind}
psr-summary-published: 2025-06-30

## Trust
kind: nhs-trust

# Contracts

## Community services
kind: other
commissioner: Awarding body
holder: Trust
procurement: direct-award
{advertised}award-process: direct-award-a
awarded: 2024-03-01
award-notice: 2024-03-20
"
    )
}

/// Each stage's status, as `pack stage status`.
fn statuses(file: &serde_json::Value) -> Vec<String> {
    file["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["stage"].as_str().unwrap(),
                r["status"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_regime_that_does_not_govern_a_proposal_is_not_applicable_never_ready() {
    let dir = tempfile::tempdir().unwrap();
    let psr_ready = [
        "case-for-change ready",
        "contract-and-capability ready",
        "safe-to-launch ready",
        "psr-decision ready",
        "psr-award ready",
        "psr-transparency ready",
    ];
    // An ICB's direct award A of 2024 is the regime's: judged, and sound.
    // The 2016 pack's advert rule (PROC001) is for procurements begun
    // before the regime, so the two never contradict each other.
    std::fs::write(dir.path().join("p.proposal"), direct_award("icb", "")).unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!((status, findings_of(&file)), (0, Vec::<String>::new()));
    assert_eq!(statuses(&file), psr_ready);
    // A private lead provider letting a subcontract is no relevant
    // authority: the regime's stages are not applicable, and say so.
    std::fs::write(
        dir.path().join("p.proposal"),
        direct_award("private-company", ""),
    )
    .unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!((status, findings_of(&file)), (0, Vec::<String>::new()));
    let not_applicable = [
        "case-for-change ready",
        "contract-and-capability ready",
        "safe-to-launch ready",
        "psr-decision not-applicable",
        "psr-award not-applicable",
        "psr-transparency not-applicable",
    ];
    assert_eq!(statuses(&file), not_applicable);
    // Begun under the old rules before 1 January 2024 (regulation 29):
    // not the regime's, and the 2016 advert rule judges it instead.
    std::fs::write(
        dir.path().join("p.proposal"),
        direct_award("icb", "advertised: 2023-11-01\n"),
    )
    .unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!((status, findings_of(&file)), (0, Vec::<String>::new()));
    assert_eq!(statuses(&file), not_applicable);
    std::fs::write(
        dir.path().join("p.proposal"),
        direct_award("icb", "advertised: 2023-11-01\n").replace(
            "advertised: 2023-11-01\n",
            "procurement-began: 2023-11-01\n",
        ),
    )
    .unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!(status, 1);
    assert_eq!(
        findings_of(&file),
        [
            r#""PROC001" 20: Community services is procured by direct-award but was never advertised"#
        ]
    );
    assert_eq!(statuses(&file)[3..], not_applicable[3..]);
    // The human table says what it means.
    let run = assure_in(dir.path(), &["--pack", "psr-2024", "lint", "p.proposal"]);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("  psr-2024: psr-decision ") && l.ends_with(" not applicable")),
        "{}",
        run.stdout
    );
    let words = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("not applicable: the regime of the stage's pack does not govern this proposal, so its rules did not run."),
        "{}",
        run.stdout
    );
    // Whether the regime governs cannot be told from filler: an award of
    // 2023 whose process is `TBC` may name one of the regime's processes.
    std::fs::write(
        dir.path().join("p.proposal"),
        direct_award("icb", "")
            .replace("award-process: direct-award-a", "award-process: TBC")
            .replace("awarded: 2024-03-01", "awarded: 2023-12-01")
            .replace("award-notice: 2024-03-20\n", ""),
    )
    .unwrap();
    let (status, file) = lint_json(dir.path(), &["--pack", "psr-2024"]);
    assert_eq!(status, 1);
    assert_eq!(
        statuses(&file)[3..],
        [
            "psr-decision incomplete",
            "psr-award incomplete",
            "psr-transparency incomplete"
        ]
    );
}

#[test]
fn init_with_a_pack_that_does_not_load_writes_nothing() {
    // The pack is loaded first, then the file created: a broken pack
    // leaves no empty proposal behind for the next `init` to refuse.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[pack]\nname = \"bad\"\nversion = \"1\"\n[[rules]]\ncode = \"X\"\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["--pack", "./bad.toml", "init", "p.proposal"]);
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("error: invalid rule pack: 8 problems in ./bad.toml"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("p.proposal").exists());
    let run = assure_in(dir.path(), &["init", "p.proposal"]);
    assert_status!(run, 0);
}
