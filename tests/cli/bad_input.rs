//! Bad input never panics and never loses data: each gives its diagnostic
//! and the documented exit status, and one bad file does not stop the rest.

use crate::{assert_status, assure, assure_in};

#[test]
fn a_missing_path_is_a_bad_argument() {
    let run = assure(&["lint", "no/such.proposal"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: no such file or directory: no/such.proposal\n"
    );
}

#[test]
fn invalid_utf8_and_empty_files_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-latin1.proposal"), b"proposal: Caf\xe9\n").unwrap();
    std::fs::write(dir.path().join("b-empty.proposal"), b"").unwrap();
    std::fs::write(
        dir.path().join("c-good.proposal"),
        b"proposal: Fine\nmodel: other\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "-q", "--format", "json", "."]);
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rows: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let codes: Vec<String> = f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    format!(
                        "{} {}",
                        d["code"].as_str().unwrap(),
                        d["message"].as_str().unwrap()
                    )
                })
                .collect();
            format!("{}: {}", f["path"].as_str().unwrap(), codes.join("; "))
        })
        .collect();
    insta::assert_snapshot!(rows.join("\n"), @"
    ./a-latin1.proposal: SYN003 file is not UTF-8: byte 0xE9 at offset 13 is not valid UTF-8
    ./b-empty.proposal: CFC006 the proposal does not say which care model it proposes, so the rules that depend on it cannot judge it; SYN001 the proposal is empty
    ./c-good.proposal:
    ");
}

#[cfg(unix)]
#[test]
fn a_broken_symlink_is_reported_and_the_rest_linted() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("nowhere.proposal", dir.path().join("broken.proposal")).unwrap();
    std::fs::write(
        dir.path().join("good.proposal"),
        b"proposal: Fine\nmodel: other\n",
    )
    .unwrap();
    let run = assure_in(dir.path(), &["lint", "-q", "--format", "json", "."]);
    assert_status!(run, 1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{}", run.stdout);
    assert_eq!(files[0]["findings"][0]["code"], "SYN003");
    assert_eq!(files[1]["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn a_hundred_megabyte_value_is_linted_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("proposal: Huge\nmodel: other\n\n# Case for change\nevidence: ");
    text.push_str(&"x".repeat(100 * 1024 * 1024));
    text.push_str("\n# Organisations\n\n## A\nkind: nhs-trust\nturnover: £5m/yr\nowned-by: B\n");
    std::fs::write(dir.path().join("huge.proposal"), text).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--color", "never", "huge.proposal"],
    );
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    REF001

      × reference to `B`, which is not defined
        ╭─[huge.proposal:11:11]
     10 │ turnover: £5m/yr
     11 │ owned-by: B
        ·           ─
        ╰────
      help: define it with a `## B` heading
    ");
}

#[test]
fn overflowing_amounts_and_ownership_cycles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cycle.proposal"),
        "proposal: Cycle\nmodel: other\n\n# Organisations\n\n## A Ltd\nkind: llp\nowned-by: B Ltd (100%)\nturnover: £92233720368547758.08/yr\n\n## B Ltd\nkind: llp\nowned-by: A Ltd (100%)\nparent: A Ltd\n\n# Liabilities\n\n## PFI\nkind: pfi\nannual-charge: £1m/yr\ntransfers-to: A Ltd\n",
    )
    .unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--color", "never", "cycle.proposal"],
    );
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout, @"
    SYN002

      × `£92233720368547758.08/yr` is too large an amount to hold exactly
       ╭─[cycle.proposal:9:11]
     8 │ owned-by: B Ltd (100%)
     9 │ turnover: £92233720368547758.08/yr
       ·           ────────────────────────
       ╰────

    PFI001

      × PFI would pass to A Ltd, which is not an NHS trust, foundation trust or local authority, and
      │ nothing behind it is a trust or has a turnover of 10 times the annual charge of £1m/yr
        ╭─[cycle.proposal:21:15]
     20 │ annual-charge: £1m/yr
     21 │ transfers-to: A Ltd
        ·               ─────
        ╰────
      help: keep the liability with the trust, add a `guarantor:`, or transfer it to a body backed by
            a large enough parent or majority owner
    ");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error_in_any_format() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    // Thousands of findings: more output than a pipe holds, so assure is
    // still writing when the reader goes.
    let mut text = String::from("proposal: Many\nmodel: other\n\n# Organisations\n");
    for i in 0..1_000 {
        text.push_str(&format!(
            "\n## Org {i}\nkind: nhs-trust\nowned-by: Nobody {i}\n"
        ));
    }
    std::fs::write(dir.path().join("many.proposal"), text).unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assure"))
            .args([
                "lint",
                "--color",
                "never",
                "--format",
                format,
                "many.proposal",
            ])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{format}");
        assert_eq!(output.status.code(), Some(1), "{format}");
    }
}

#[test]
fn a_word_not_in_the_list_is_quoted_whole_with_the_nearest_word() {
    let run = assure(&[
        "lint",
        "--format",
        "json",
        "fixtures/structural/sch004-words-not-in-the-list.proposal",
    ]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<String> = json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} ({})",
                f["message"].as_str().unwrap(),
                f["help"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "unknown kind of an organisation: `foundation trusts` (did you mean `foundation-trust`?)",
            "unknown kind of an organisation: `nhs trust ltd` (did you mean `nhs-trust`?)"
        ]
    );
}
