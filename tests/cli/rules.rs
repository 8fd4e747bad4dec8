//! `assure explain`, `rules list`, `rules check` and `rules test`.

use crate::{assert_status, assure, assure_in};

#[test]
fn every_fixture_passes_rules_test() {
    // What the fixtures expect, counted from their text: a fixture or an
    // expectation added changes both sides.
    let mut fixtures = Vec::new();
    crate::proposals(&crate::root().join("fixtures"), &mut fixtures);
    let expected: usize = fixtures
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            text.split("<!-- expect:")
                .skip(1)
                .map(|rest| {
                    let codes = rest.split("-->").next().unwrap_or_default();
                    codes
                        .split([',', ' '])
                        .filter(|code| code.starts_with(|c: char| c.is_ascii_uppercase()))
                        .count()
                })
                .sum::<usize>()
        })
        .sum();
    assert!(fixtures.len() > 50 && expected > 50);
    let run = assure(&[
        "--pack",
        "coi-2017",
        "--pack",
        "psr-2024",
        "--pack",
        "isap-2017",
        "rules",
        "test",
        "-q",
    ]);
    assert_status!(run, 0);
    let count = fixtures.len();
    assert!(
        run.stdout.ends_with(&format!(
            "\n{count} of {count} fixtures passed; {expected} expected findings reported\n"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn rules_test_reports_missing_and_unexpected_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wrong.proposal"),
        "proposal: Wrong\nmodel: mcp\n<!-- expect: CFC002 -->\npopulation: 120,000\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["rules", "test", "-q", "."]);
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    FAIL  ./wrong.proposal
          ./wrong.proposal:4: expected CFC002, not reported (expectation at line 3)
          ./wrong.proposal:2: unexpected CFC001: the proposal's model is `mcp`, but the case for change does not say why this model rather than the other

    0 of 1 fixtures passed; 0 expected findings reported
    ");
}

#[test]
fn explain_a_rule() {
    let run = assure(&["explain", "gate002"]);
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout, @r#"
    GATE002: launch-too-soon
    warning · stage safe-to-launch · pack nhs-new-care-models 1.0.0

    What it checks
        Launch must follow the safe-to-launch approval, leaving time for the stages still pending.

    Why
        The national assurance gateway took months per stage for the 2016 vanguards.

    How
        let statuses: [gateway.case-for-change ?? "not-started", gateway.contract-and-capability ??
        "not-started", gateway.safe-to-launch ?? "not-started"]
        let pending: count(s != "approved" for s in statuses)
        let as_of: proposal.as-of ?? today()
        let earliest: as_of + 1 month * pending * param.months_per_pending_stage
        let before_approval: (gateway.safe-to-launch ?? "not-started") == "approved" and proposal.launch
        < gateway.safe-to-launch.date
        let problem: if before_approval then "launch on " + text(proposal.launch) + " comes before the
        safe-to-launch approval on " + text(gateway.safe-to-launch.date) else "launch on " +
        text(proposal.launch) + " is too soon: " + text(pending) + (if pending == 1 then " gateway stage
        still pending needs about " else " gateway stages still pending need about ") + text(pending *
        param.months_per_pending_stage) + " months from " + text(as_of) + ", so not before " +
        text(earliest)
        applies: present(proposal.launch)
        when: before_approval or (pending > 0 and proposal.launch < earliest)

    Parameters
      months_per_pending_stage = 4
          months the gateway needs for each stage not yet approved

    Instead
        move `launch:` later, or record the approvals already given

    Fails
        proposal: Example
        as-of: 2016-09-30
        launch: 2017-01-01

    Passes
        proposal: Example
        as-of: 2016-09-30
        launch: 2018-01-01
    "#);
}

#[test]
fn explain_a_structural_code_and_an_unknown_one() {
    let run = assure(&["explain", "REF002"]);
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout, @r"
    REF002 (structural; always on)
    error · reported in proposals

    Two entities with the same name; both headings are labelled.

    References are by name, so a name given twice makes every reference to it
    ambiguous. The first entity is the one references resolve to.

    Example:

    ```proposal
    proposal: Example

    # Organisations

    ## North Trust
    kind: nhs-trust

    ## North Trust
    kind: foundation-trust
    ```

    Instead: give each entity its own name.
    ");
    let run = assure(&["explain", "CAP01"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: no rule has the code `CAP01`; did you mean `CAP001`?\n"
    );
}

#[test]
fn a_shipped_packs_code_is_explained_by_name_selected_or_not() {
    let dir = tempfile::tempdir().unwrap();
    for code in ["PSR007", "isap009", "CIG014"] {
        let run = assure_in(dir.path(), &["explain", code]);
        assert_status!(run, 0);
        let upper = code.to_ascii_uppercase();
        assert!(
            run.stdout.starts_with(&format!("{upper}: ")),
            "{}",
            run.stdout
        );
        let pack = ["psr-2024", "isap-2017", "coi-2017"]
            .into_iter()
            .find(|p| run.stdout.contains(&format!("pack {p} ")))
            .unwrap_or_else(|| panic!("{}", run.stdout));
        let words = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.ends_with(&format!("This rule is in the pack `{pack}` shipped with assure, which this project does not select: `--pack {pack}`, or `packs = [\"{pack}\"]` in assure.toml.")),
            "{}",
            run.stdout
        );
    }
    // Selected, it is explained as any other, without the note.
    let run = assure_in(dir.path(), &["--pack", "psr-2024", "explain", "PSR007"]);
    assert_status!(run, 0);
    assert!(!run.stdout.contains("does not select"), "{}", run.stdout);
}

#[test]
fn explain_answers_for_every_code_of_every_family() {
    for info in assure_diagnostic::codes::ALL {
        let run = assure(&["explain", &info.code.to_lowercase()]);
        assert_status!(run, 0);
        let first = run.stdout.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("{} (", info.code)), "{first}");
        assert!(run.stdout.ends_with(info.explanation), "{}", run.stdout);
    }
    // assure's own codes need no project: a broken configuration does not
    // stop them being explained.
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("assure.toml"), "packs = 1\n").expect("writes");
    let run = assure_in(dir.path(), &["explain", "PACK003"]);
    assert_status!(run, 0);
    assert!(
        run.stdout
            .starts_with("PACK003 (rule packs)\nerror · the pack is refused")
    );
    let run = assure_in(dir.path(), &["explain", "CAP001"]);
    assert_status!(run, 2);
}

#[test]
fn rules_list_all_adds_every_code_of_assure_own() {
    let run = assure(&["rules", "list", "--all"]);
    assert_status!(run, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let rules = assure(&["rules", "list"]).stdout.lines().count();
    assert_eq!(lines.len(), rules + assure_diagnostic::codes::ALL.len());
    assert_eq!(
        lines[rules],
        "SYN001   error    proposal                 A malformed line or token. Parsing recovers and goes on, so every such line is reported."
    );
    assert_eq!(
        lines.last().copied(),
        Some(
            "CFG003   error    config                   A pack named by the configuration lies outside the configuration's directory."
        )
    );
}

#[test]
fn rules_list() {
    let run = assure(&["rules", "list"]);
    assert_status!(run, 0);
    insta::assert_snapshot!(run.stdout, @"
    CFC001   error    case-for-change          no-why-this-model
    CFC002   error    case-for-change          mcp-population-too-small
    CFC003   warning  case-for-change          list-sizes-disagree-with-population
    CFC004   error    case-for-change          no-population
    CFC005   info     case-for-change          mcp-below-vanguard-scale
    CFC006   error    case-for-change          no-model
    FUND001  error    case-for-change          funding-without-control-total
    GOV001   info     case-for-change          unanimous-joint-board
    CAP001   error    contract-and-capability  contract-dwarfs-holder
    CAP002   error    contract-and-capability  holder-without-track-record
    CAP003   warning  contract-and-capability  holder-turnover-unknown
    CAP004   error    contract-and-capability  alliance-incomplete
    CAP005   warning  contract-and-capability  gp-contracts-unsettled
    FAIL001  error    contract-and-capability  no-failure-regime
    PFI001   error    contract-and-capability  pfi-transferred-without-backing
    PFI002   warning  contract-and-capability  pfi-outlives-contract
    PROC001  error    contract-and-capability  not-advertised
    PROC002  warning  contract-and-capability  exit-cost-exceeds-savings
    COI001   error    contract-and-capability  unmanaged-conflict
    COI002   warning  contract-and-capability  interest-not-declared
    COI003   error    contract-and-capability  inquorate-without-conflicted
    SAFE001  error    safe-to-launch           provider-not-cqc-registered
    GATE001  error    safe-to-launch           stages-out-of-order
    GATE002  warning  safe-to-launch           launch-too-soon
    ");
}

#[test]
fn rules_check_accepts_a_good_pack_and_points_into_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = "[pack]\nname = \"good\"\nversion = \"1\"\n\n[[rules]]\ncode = \"GOOD001\"\nname = \"g\"\nstage = \"case-for-change\"\nseverity = \"info\"\nsummary = \"s\"\nsource = \"s\"\nwhen = \"missing(proposal.stp)\"\nmessage = \"no STP\"\nprimary = \"proposal.proposal\"\n[rules.examples]\nfail = \"proposal: x\\n\"\npass = \"proposal: x\\nstp: Black Country\\n\"\n";
    std::fs::write(dir.path().join("good.toml"), good).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "good.toml"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "ok: 1 rule in good.toml, examples behave as written\n"
    );

    let bad = good
        .replace("missing(proposal.stp)", "proposal.launch > 2 years")
        .replace("stp: Black", "stpp: Black");
    std::fs::write(dir.path().join("bad.toml"), &bad).unwrap();
    let run = assure_in(
        dir.path(),
        &["rules", "check", "--color", "never", "bad.toml"],
    );
    assert_status!(run, 2);
    insta::assert_snapshot!(run.stderr, @r#"
    PACK002

      × cannot compare a date and a duration
        ╭─[bad.toml:12:9]
     11 │ source = "s"
     12 │ when = "proposal.launch > 2 years"
        ·         ─────────────────────────
     13 │ message = "no STP"
        ╰────

    error: invalid rule pack: 1 problem in bad.toml
    "#);

    let lying = good.replace(
        "pass = \"proposal: x\\nstp: Black Country\\n\"",
        "pass = \"proposal: x\\n\"",
    );
    std::fs::write(dir.path().join("lying.toml"), &lying).unwrap();
    let run = assure_in(
        dir.path(),
        &["rules", "check", "--color", "never", "lying.toml"],
    );
    assert_status!(run, 2);
    insta::assert_snapshot!(run.stderr, @r#"
    PACK006

      × the `pass` example of GOOD001 gives GOOD001
        ╭─[lying.toml:17:8]
     16 │ fail = "proposal: x\n"
     17 │ pass = "proposal: x\n"
        ·        ───────────────
        ╰────
      help: fix the rule or its example; `assure explain CODE` shows both

    error: invalid rule pack: 1 problem in lying.toml
    "#);
}

#[test]
fn a_broken_pack_stops_lint_with_status_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "[pack]\nname = \"b\"\nversion = \"1\"\n[[rules]]\ncode = \"CAP001\"\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "--color", "never", "--pack", "broken.toml", "."],
    );
    assert_status!(run, 2);
    insta::assert_snapshot!(run.stderr, @r#"
    PACK005

      × a rule has no `name`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `stage`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `severity`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `summary`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `source`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `when`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK005

      × a rule has no `message`
       ╭─[broken.toml:4:1]
     3 │ version = "1"
     4 │ [[rules]]
       · ─────────
     5 │ code = "CAP001"
       ╰────

    PACK004

      × the code `CAP001` is already used by rule `contract-dwarfs-holder` of pack
      │ `nhs-new-care-models`
       ╭─[broken.toml:5:8]
     4 │ [[rules]]
     5 │ code = "CAP001"
       ·        ────────
       ╰────

    error: invalid rule pack: 8 problems in broken.toml
    "#);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_pack_repository_needs_only_check_and_test() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("packs")).unwrap();
    std::fs::create_dir_all(dir.path().join("fixtures")).unwrap();
    std::fs::write(
        dir.path().join("packs/local.toml"),
        "[pack]\nname = \"local\"\nversion = \"1\"\n\n[[rules]]\ncode = \"LOC001\"\nname = \"stp-named\"\nstage = \"case-for-change\"\nseverity = \"warning\"\nsummary = \"Name the STP.\"\nsource = \"local\"\nwhen = \"missing(proposal.stp)\"\nmessage = \"the proposal names no STP\"\nprimary = \"proposal.proposal\"\n[rules.examples]\nfail = \"proposal: x\\n\"\npass = \"proposal: x\\nstp: Black Country\\n\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fixtures/fires.proposal"),
        "<!-- expect: LOC001 -->\nproposal: x\nmodel: other\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fixtures/near-miss.proposal"),
        "proposal: x\nmodel: other\nstp: Black Country\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "packs/local.toml"]);
    assert_status!(run, 0);
    let run = assure_in(
        dir.path(),
        &["rules", "test", "--pack", "packs/local.toml", "fixtures"],
    );
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "ok    fixtures/fires.proposal (1 finding as expected)\nok    fixtures/near-miss.proposal (0 findings as expected)\n\n2 of 2 fixtures passed; 1 expected finding reported\n"
    );
    let run = assure_in(dir.path(), &["rules", "test", "fixtures"]);
    assert_status!(run, 1);
}

#[test]
fn the_readme_example_pack_is_complete_and_accepted() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let section = &readme[readme.find("## Writing rules").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let pack = &section[start..start + section[start..].find("```\n").unwrap()];
    assert!(pack.starts_with("[pack]"), "{pack}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let run = assure_in(dir.path(), &["rules", "check", "local.toml"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "ok: 1 rule in local.toml, examples behave as written\n"
    );
}

#[test]
fn explain_wraps_prose_at_columns_and_keeps_examples_whole() {
    let run = crate::assure_with(&crate::root(), &["explain", "CAP001"], &[("COLUMNS", "60")]);
    assert_status!(run, 0);
    let (prose, examples) = run.stdout.split_once("\nFails\n").unwrap();
    assert!(prose.lines().all(|l| l.chars().count() <= 60), "{prose}");
    assert!(
        prose.contains(
            "    Reporting on the 2016 MCP procurements: a contract that\n    multiplies a GP"
        ),
        "{prose}"
    );
    assert!(examples.contains("    value: £60m/yr\n"), "{examples}");
}
