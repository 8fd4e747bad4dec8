//! `assure.toml`: discovery, overrides, suppressions, and every way it can
//! be wrong.

use crate::{assert_status, assure_in, root};
use std::path::Path;

fn project(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/hampshire-mcp.proposal"),
        dir.path().join("hampshire.proposal"),
    )
    .unwrap();
    std::fs::write(dir.path().join("assure.toml"), config).unwrap();
    dir
}

fn lint(dir: &Path, extra: &[&str]) -> crate::Run {
    let mut args = vec!["lint", "--color", "never", "--format", "json", "-q"];
    args.extend_from_slice(extra);
    args.push("hampshire.proposal");
    assure_in(dir, &args)
}

fn codes(run: &crate::Run) -> String {
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let suppressed = if f["suppressed"] == true {
                " (suppressed)"
            } else {
                ""
            };
            format!(
                "{} {}{suppressed}",
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn overrides_and_suppressions_apply() {
    let dir = project(
        r#"
[rules]
CFC003 = "off"
CAP001 = "warning"
PFI002 = "error"

[params]
min_track_record = "1 year"

[[allow]]
path = "*.proposal"
code = "PFI001"
entity = "lymington hospital pfi"
reason = "the trust keeps the PFI until 2019"

[[allow]]
path = "other/*.proposal"
code = "PFI002"
reason = "not this file, and this run lints no other file: not reported"

[[allow]]
path = "*.proposal"
code = "GOV001"
reason = "a file linted, but no GOV001 in it"
"#,
    );
    let run = lint(dir.path(), &[]);
    assert_status!(run, 1);
    assert_eq!(
        codes(&run),
        "FAIL001 error, CAP001 warning, PFI002 error, PFI001 error (suppressed)"
    );
    assert_eq!(
        run.stderr,
        "warning: assure.toml:21: the [[allow]] entry for GOV001 in `*.proposal` matched no finding\n"
    );
}

#[test]
fn found_upward_and_given_explicitly() {
    let dir = project("[rules]\nCFC003 = \"off\"\n");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(
        dir.path().join("hampshire.proposal"),
        sub.join("hampshire.proposal"),
    )
    .unwrap();
    let run = lint(&sub, &[]);
    assert!(!codes(&run).contains("CFC003"), "{}", run.stdout);
    std::fs::write(
        dir.path().join("strict.toml"),
        "[rules]\nCFC003 = \"error\"\n",
    )
    .unwrap();
    let run = lint(&sub, &["--config", "../strict.toml"]);
    assert!(codes(&run).starts_with("CFC003 error"), "{}", run.stdout);
}

#[test]
fn a_project_pack_without_the_default() {
    let dir = project("default-pack = false\npacks = [\"local.toml\"]\n");
    std::fs::write(
        dir.path().join("local.toml"),
        "[pack]\nname = \"local\"\nversion = \"1\"\n[[stages]]\nid = \"only\"\n[[rules]]\ncode = \"LOC001\"\nname = \"l\"\nstage = \"only\"\nseverity = \"warning\"\nsummary = \"s\"\nsource = \"s\"\nwhen = \"present(proposal.launch)\"\nmessage = \"launch is set\"\nprimary = \"proposal.launch\"\n",
    )
    .unwrap();
    let run = lint(dir.path(), &[]);
    assert_status!(run, 0);
    assert_eq!(codes(&run), "LOC001 warning");
}

#[test]
fn mistakes_in_the_file_itself() {
    let dir = project(
        "packs = [\"missing.toml\"]\n[rules]\nPFI002 = \"loud\"\n[[allow]]\ncode = \"CAP002\"\nreason = \"\"\nsevrity = 1\n",
    );
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr, @r#"
    CFG001

      × no rule pack at `missing.toml` (relative to .)
       ╭─[assure.toml:1:10]
     1 │ packs = ["missing.toml"]
       ·          ──────────────
     2 │ [rules]
       ╰────

    CFG002

      × `loud` is not a severity
       ╭─[assure.toml:3:10]
     2 │ [rules]
     3 │ PFI002 = "loud"
       ·          ──────
     4 │ [[allow]]
       ╰────
      help: use `off`, `info`, `warning` or `error`

    CFG002

      × the reason must say why the finding is acceptable
       ╭─[assure.toml:6:10]
     5 │ code = "CAP002"
     6 │ reason = ""
       ·          ──
     7 │ sevrity = 1
       ╰────

    TOML002

      × unknown key `sevrity` in an `[[allow]]` entry
       ╭─[assure.toml:7:1]
     6 │ reason = ""
     7 │ sevrity = 1
       · ───────
       ╰────
      help: expected one of: path, code, entity, reason

    error: invalid configuration: 4 problems in assure.toml
    "#);
}

#[test]
fn codes_and_parameters_checked_against_the_packs() {
    let dir = project(
        "[rules]\nCAP01 = \"error\"\nSYN001 = \"off\"\n[params]\nmax_turnover_multiple = \"2 years\"\nmin_track_recrd = \"1 year\"\n",
    );
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    insta::assert_snapshot!(run.stderr, @r#"
    CFG001

      × no rule has the code CAP01
       ╭─[assure.toml:2:1]
     1 │ [rules]
     2 │ CAP01 = "error"
       · ─────
     3 │ SYN001 = "off"
       ╰────
      help: did you mean `CAP001`?

    CFG001

      × SYN001 is a structural finding: it is always on and cannot be configured
       ╭─[assure.toml:3:1]
     2 │ CAP01 = "error"
     3 │ SYN001 = "off"
       · ──────
     4 │ [params]
       ╰────
      help: `assure rules list` shows every code

    CFG002

      × `max_turnover_multiple` is a number (its default is 10), not a duration
       ╭─[assure.toml:5:1]
     4 │ [params]
     5 │ max_turnover_multiple = "2 years"
       · ─────────────────────
     6 │ min_track_recrd = "1 year"
       ╰────
      help: write it like its default: max_turnover_multiple = 10

    CFG001

      × no rule or pack has a parameter `min_track_recrd`
       ╭─[assure.toml:6:1]
     5 │ max_turnover_multiple = "2 years"
     6 │ min_track_recrd = "1 year"
       · ───────────────
       ╰────
      help: did you mean `min_track_record`?

    error: invalid configuration: 4 problems in assure.toml
    "#);
}

#[test]
fn a_parameter_that_is_not_a_value() {
    let dir = project("[params]\npopulation_tolerance = \"5 apples\"\n");
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    assert!(
        run.stderr
            .contains("unexpected `apples`: write a number, a percentage"),
        "{}",
        run.stderr
    );
}

#[test]
fn not_toml_at_all() {
    let dir = project("[rules\nCAP001 = \"off\"\n");
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    insta::assert_snapshot!(run.stderr, @r#"
    TOML001

      × invalid TOML: unclosed table, expected `]`
       ╭─[assure.toml:1:7]
     1 │ [rules
       ·       ▲
     2 │ CAP001 = "off"
       ╰────

    error: invalid configuration: 1 problem in assure.toml
    "#);
}

#[test]
fn the_example_of_each_config_and_toml_code_gives_it() {
    use assure_diagnostic::codes::{ALL, Scope};
    let mut checked = 0;
    let of_config = ALL
        .iter()
        .filter(|info| matches!(info.scope, Scope::Config | Scope::Toml))
        .count();
    for info in ALL {
        if !matches!(info.scope, Scope::Config | Scope::Toml) {
            continue;
        }
        let Some((language, example)) = info.example() else {
            panic!("{} has no example in its explanation", info.code);
        };
        assert_eq!(language, "toml", "{}", info.code);
        let dir = project(example);
        let run = assure_in(dir.path(), &["lint", "hampshire.proposal"]);
        assert_status!(run, 2);
        assert!(
            run.stderr.contains(info.code),
            "{}: {}",
            info.code,
            run.stderr
        );
        checked += 1;
    }
    assert_eq!(checked, of_config);
}

#[cfg(unix)]
#[test]
fn packs_named_by_the_configuration_stay_inside_its_directory() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.toml");
    std::fs::write(&secret, "[pack]\nname = \"SECRET-VALUE\"\n").unwrap();
    let dir = project(&format!(
        "packs = [\"{}\", \"../{}/secret.toml\", \"link.toml\"]\n",
        secret.display(),
        outside.path().file_name().unwrap().to_string_lossy()
    ));
    std::os::unix::fs::symlink(&secret, dir.path().join("link.toml")).unwrap();
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    assert!(!run.stderr.contains("SECRET-VALUE"), "{}", run.stderr);
    let refusals: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("is outside"))
        .map(|l| l.trim_start_matches([' ', '×']))
        .collect();
    assert_eq!(refusals.len(), 3, "{}", run.stderr);
    assert_eq!(run.stderr.matches("CFG003").count(), 3, "{}", run.stderr);
    // Named on the command line, the same pack is read.
    let run = lint(
        dir.path(),
        &["--config", "/dev/null", "--pack", "link.toml"],
    );
    assert!(!run.stderr.contains("CFG003"), "{}", run.stderr);
}

#[test]
fn a_file_that_is_not_a_pack_is_refused_without_quoting_it() {
    let dir = project("");
    std::fs::write(
        dir.path().join("environ.toml"),
        "HOME=\"/root\"\nSECRET_TOKEN=\"abc123\"\n[server]\nkey = 1\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--color",
            "never",
            "--pack",
            "environ.toml",
            "hampshire.proposal",
        ],
    );
    assert_status!(run, 2);
    assert!(!run.stderr.contains("SECRET_TOKEN"), "{}", run.stderr);
    // Not a byte of it, not even its first line.
    insta::assert_snapshot!(run.stderr, @r#"
    PACK005

      × this file is not a rule pack: it has no `[pack]` table
      at environ.toml:1:1

    error: invalid rule pack: 1 problem in environ.toml
    "#);
    // A table whose name begins with `pack` does not make it one: a file
    // that does not read as TOML is quoted only if it was meant as a pack.
    std::fs::write(
        dir.path().join(".env"),
        "SECRET_TOKEN=abc123\n[packages]\nnpm = 1\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "lint",
            "--color",
            "never",
            "--pack",
            ".env",
            "hampshire.proposal",
        ],
    );
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "PACK005\n\n  × this file is not a rule pack: it has no `[pack]` table\n  at .env:1:1\n\nerror: invalid rule pack: 1 problem in .env\n"
    );
}

#[test]
fn an_unused_allow_is_reported_at_its_own_line_however_it_is_written() {
    let indented = project(
        "[rules]\nCFC003 = \"off\"\n\n  [[allow]]\n  path = \"*\"\n  code = \"GOV001\"\n  reason = \"r\"\n",
    );
    assert_eq!(
        lint(indented.path(), &[]).stderr,
        "warning: assure.toml:4: the [[allow]] entry for GOV001 in `*` matched no finding\n"
    );
    let inline = project(
        "allow = [\n  { path = \"*\", code = \"GOV001\", reason = \"r\" },\n]\n\n[rules]\nCFC003 = \"off\"\n",
    );
    assert_eq!(
        lint(inline.path(), &[]).stderr,
        "warning: assure.toml:2: the [[allow]] entry for GOV001 in `*` matched no finding\n"
    );
}

#[test]
fn every_mistake_in_the_configuration_is_reported_in_one_run() {
    let dir = project(
        "defualt-pack = true\n[rules]\nCAP0001 = \"off\"\n[params]\nmax_turnover_multiple = \"10 years\"\n",
    );
    let run = lint(dir.path(), &[]);
    assert_status!(run, 2);
    let codes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .collect();
    assert_eq!(codes, ["TOML002", "CFG001", "CFG002"], "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with("error: invalid configuration: 3 problems in assure.toml\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rule_switched_off_is_still_explained_and_listed_as_off() {
    let dir = project("[rules]\nCFC003 = \"off\"\n");
    let run = assure_in(dir.path(), &["explain", "CFC003"]);
    assert_status!(run, 0);
    assert!(run.stdout.starts_with("CFC003: "), "{}", run.stdout);
    assert!(
        run.stdout.ends_with(
            "\nThis rule is off in this project: assure.toml sets `CFC003 = \"off\"`, so it does not run.\n"
        ),
        "{}",
        run.stdout
    );
    let run = assure_in(dir.path(), &["rules", "list"]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("CFC003"))
        .unwrap();
    assert_eq!(
        line,
        "CFC003   off      case-for-change          list-sizes-disagree-with-population"
    );
}

#[test]
fn every_output_names_the_configuration_that_ran() {
    let dir = project("[rules]\nCFC003 = \"off\"\n");
    let below = dir.path().join("a/b");
    std::fs::create_dir_all(&below).unwrap();
    std::fs::copy(
        dir.path().join("hampshire.proposal"),
        below.join("hampshire.proposal"),
    )
    .unwrap();
    let human = assure_in(&below, &["lint", "--color", "never", "hampshire.proposal"]);
    let lines: Vec<&str> = human.stdout.lines().rev().take(3).collect();
    assert!(
        lines.contains(&"Configured by ../../assure.toml."),
        "{}",
        human.stdout
    );
    let json = lint(&below, &[]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["configuration"], "../../assure.toml");
    let sarif = assure_in(&below, &["lint", "--format", "sarif", "hampshire.proposal"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["configuration"],
        "../../assure.toml"
    );
    let github = assure_in(
        &below,
        &["lint", "--format", "github", "hampshire.proposal"],
    );
    assert!(
        github
            .stdout
            .contains("::notice title=assure configuration::Configured by ../../assure.toml.\n"),
        "{}",
        github.stdout
    );
    // In the folder itself, and given by name.
    let json = lint(dir.path(), &[]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["configuration"], "assure.toml");
    let json = lint(&below, &["--config", "../../assure.toml"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["configuration"], "../../assure.toml");
    // None found: said as none.
    let bare = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.path().join("hampshire.proposal"),
        bare.path().join("hampshire.proposal"),
    )
    .unwrap();
    let json = lint(bare.path(), &[]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["configuration"], serde_json::Value::Null);
}

/// The README's `[[allow]]` entries, as written there, each suppress a
/// finding of the fixture their path names: an example that matches
/// nothing teaches nothing.
#[test]
fn the_readmes_allow_entries_match_what_they_say() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("[[allow]]")
        .expect("the README shows [[allow]]");
    let block = &readme[start..];
    let block = &block[..block.find("```").unwrap()];
    // Comments after a value are TOML's own; the first entry's is prose.
    let allows: String = block
        .lines()
        .map(|l| {
            l.split("   #")
                .next()
                .unwrap()
                .split("  # ")
                .next()
                .unwrap()
        })
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("proposals")).unwrap();
    for name in ["dudley-mcp", "hampshire-mcp"] {
        std::fs::copy(
            root().join(format!("fixtures/{name}.proposal")),
            dir.path().join(format!("proposals/{name}.proposal")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("assure.toml"), &allows).unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "proposals"]);
    assert_eq!(run.stderr, "", "{allows}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let suppressed: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap())
        .filter(|f| f["suppressed"] != false)
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(suppressed, ["GATE002", "PFI001"]);
}
