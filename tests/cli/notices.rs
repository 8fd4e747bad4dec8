//! Published notices (Open Contracting data) linted, imported and compared
//! as a user runs them: every finding with its procurement, place and
//! message, held in `fixtures/notices/*.expected` (`ASSURE_BLESS=1`
//! rewrites them after a change is reviewed).

use crate::{assert_status, assure, assure_in, root};

/// `assure --pack psr-2024 import ocds NOTICES --out OUT`, run in `dir`.
fn import(dir: &std::path::Path, notices: &str, out: &str) -> crate::Run {
    assure_in(
        dir,
        &[
            "--pack", "psr-2024", "import", "ocds", notices, "--out", out,
        ],
    )
}

/// A folder holding `year.jsonl`: `count` procurements, each the fourth
/// of the compiled releases fixture under an `ocid` of its own
/// (`ocds-h6vhtk-` + `prefix` + its number).
fn year_of(count: usize, prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let line = std::fs::read_to_string(root().join("fixtures/notices/compiled-releases.jsonl"))
        .unwrap()
        .lines()
        .nth(3)
        .unwrap()
        .to_owned();
    let mut many = String::new();
    for i in 0..count {
        many.push_str(&line.replace("ocds-h6vhtk-0b2004", &format!("ocds-h6vhtk-{prefix}{i:05}")));
        many.push('\n');
    }
    std::fs::write(dir.path().join("year.jsonl"), many).unwrap();
    dir
}

/// Each finding of a `lint --format json` run, as `CODE message`, in the
/// order given.
fn code_messages(run: &crate::Run) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    json["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["findings"].as_array().expect("findings").clone())
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// `assure --pack psr-2024 lint --format FORMAT FILE`, run in `dir`.
fn lint_in(dir: &std::path::Path, format: &str, file: &str) -> crate::Run {
    assure_in(
        dir,
        &["--pack", "psr-2024", "lint", "--format", format, file],
    )
}

/// What `lint --format json` of a file of notices says: each procurement's
/// readiness and findings (code, place, message), and the exit status.
fn findings(file: &str) -> String {
    let run = assure(&["--pack", "psr-2024", "lint", "--format", "json", file]);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    let mut out = String::new();
    for report in json["files"].as_array().expect("files") {
        let path = report["path"].as_str().unwrap_or_default();
        out.push_str(path.rsplit_once('#').map_or(path, |(_, ocid)| ocid));
        out.push('\n');
        for row in report["readiness"].as_array().expect("readiness") {
            let stage = row["stage"].as_str().unwrap_or_default();
            if stage.starts_with("psr") {
                out.push_str(&format!(
                    "  {stage}: {}\n",
                    row["status"].as_str().unwrap_or_default()
                ));
            }
        }
        for finding in report["findings"].as_array().expect("findings") {
            out.push_str(&format!(
                "  {} [{}] {}\n",
                finding["code"].as_str().unwrap_or_default(),
                finding["place"]["text"].as_str().unwrap_or("no place"),
                finding["message"].as_str().unwrap_or_default()
            ));
        }
    }
    out.push_str(&format!("exit {}\n", run.status));
    if !run.stderr.is_empty() {
        out.push_str(&format!("stderr:\n{}", run.stderr));
    }
    out
}

fn matches_expected(name: &str) {
    let file = format!("fixtures/notices/{name}");
    let got = findings(&file);
    let expected_path = root().join(format!("{file}.expected"));
    if std::env::var_os("ASSURE_BLESS").is_some() {
        std::fs::write(&expected_path, &got).expect("the expectation is written");
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    assert_eq!(
        got, expected,
        "{file}: run with ASSURE_BLESS=1 to accept a reviewed change"
    );
}

#[test]
fn a_release_package_is_checked_a_procurement_at_a_time() {
    matches_expected("release-package.json");
}

#[test]
fn json_lines_of_compiled_releases_are_checked_a_procurement_at_a_time() {
    matches_expected("compiled-releases.jsonl");
}

#[test]
fn releases_of_a_procurement_on_lines_apart_are_checked_together() {
    // A bulk file a notice a line, in the order published: the award
    // notice of the first procurement, two lines after its notice of
    // intention, says the contract was signed inside the standstill
    // (PSR007), which neither notice shows alone.
    matches_expected("releases-apart.jsonl");
}

#[test]
fn releases_apart_on_standard_input_are_joined_as_in_a_file() {
    let file = "fixtures/notices/releases-apart.jsonl";
    let notices = std::fs::read(root().join(file)).unwrap();
    let piped = lint_piped(file, &notices);
    let read = assure(&["--pack", "psr-2024", "lint", "--format", "json", file]);
    assert_eq!(piped.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
    assert_eq!(String::from_utf8_lossy(&piped.stdout), read.stdout);
}

#[test]
fn import_writes_one_proposal_of_releases_on_lines_apart() {
    let dir = tempfile::tempdir().unwrap();
    let notices = root().join("fixtures/notices/releases-apart.jsonl");
    let run = import(dir.path(), notices.to_str().unwrap(), "imported");
    assert_status!(run, 0);
    assert_eq!(run.stderr, "wrote 2 proposals in imported\n");
    let text =
        std::fs::read_to_string(dir.path().join("imported/ocds-h6vhtk-0e5001.proposal")).unwrap();
    for said in [
        "<!-- notice ocds-h6vhtk-0e5001-intention: /date -->\nintention-notice: 2026-06-01\n",
        "<!-- notice ocds-h6vhtk-0e5001-award: /contracts/0/dateSigned -->\nawarded: 2026-06-10\n",
    ] {
        assert!(text.contains(said), "{said} is not in {text}");
    }
}

#[test]
fn what_notices_say_is_read_in_the_forms_they_write_it() {
    // Deadlines: working days from the notice itself (PSR024), a day and
    // month with no year, a year of two digits across Christmas and New
    // Year, a month by name between dashes. Decision-makers: `Decision-
    // making body:`, `Decision maker(s):` (no PSR020 for either). A day
    // and month with no year just before the notice is before it (PSR017).
    matches_expected("wordings.jsonl");
}

#[test]
fn an_organisation_whose_kind_the_notice_does_not_say_is_not_an_error() {
    // SCH011's own example: a supplier whose name says no kind. A notice
    // cannot give kinds, so nothing is blocked; the proposal imported from
    // it must give one (SCH004).
    let info = assure_diagnostic::codes::lookup("SCH011").unwrap();
    let (language, example) = info.example().unwrap();
    assert_eq!(language, "json");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("week.jsonl"), example).unwrap();
    let run = lint_in(dir.path(), "json", "week.jsonl");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let file = &json["files"][0];
    let codes: Vec<&str> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .filter(|code| code.starts_with("SCH"))
        .collect();
    assert_eq!(codes, ["SCH011"]);
    assert_eq!(json["summary"]["errors"], 0, "{}", run.stdout);
    let statuses: Vec<&str> = file["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(!statuses.contains(&"blocked"), "{statuses:?}");
    // A notice under the regime whose buyer's kind is not said: whether the
    // regime binds the buyer cannot be told, so no stage of it is ready.
    let buyer = example
        .replace("NHS Brackenford Integrated Care Board", "NHS Brackenford")
        .replace("0e5001", "0e5002")
        .replace(
            r#""tag":["tender"],"#,
            r#""tag":["tender"],"description":"This is a Provider Selection Regime (PSR) intention to award notice.","#,
        );
    std::fs::write(dir.path().join("buyer.jsonl"), buyer).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&lint_in(dir.path(), "json", "buyer.jsonl").stdout).unwrap();
    let psr: Vec<&str> = json["files"][0]["readiness"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["pack"] == "psr-2024")
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(psr, ["incomplete", "incomplete", "incomplete"]);
    import(dir.path(), "week.jsonl", "out");
    let imported = assure_in(dir.path(), &["lint", "out/ocds-h6vhtk-0e5001.proposal"]);
    assert!(imported.stdout.contains("SCH004"), "{}", imported.stdout);
    assert!(!imported.stdout.contains("SCH011"), "{}", imported.stdout);
}

#[test]
fn a_record_package_is_checked_from_its_releases() {
    matches_expected("record-package.json");
}

#[test]
fn a_finding_names_its_notice_and_pointer_for_people() {
    let run = assure(&[
        "--pack",
        "psr-2024",
        "lint",
        "--select",
        "PSR016",
        "fixtures/notices/record-package.json",
    ]);
    assert_status!(run, 1);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn what_cannot_be_read_fails_the_run_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        std::fs::read_to_string(root().join("fixtures/notices/compiled-releases.jsonl")).unwrap();
    let first = good.lines().next().unwrap();
    let deep = format!(
        "{{\"ocid\": \"x\", \"a\": {}{}}}",
        "[".repeat(500),
        "]".repeat(500)
    );
    std::fs::write(
        dir.path().join("mixed.jsonl"),
        format!("{first}\nnot json\n{deep}\n[1]\n"),
    )
    .unwrap();
    let run = lint_in(dir.path(), "json", "mixed.jsonl");
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: mixed.jsonl: line 2: not JSON: expected ident (column 2)\n\
         error: mixed.jsonl: line 3: not JSON: recursion limit exceeded (column 146)\n\
         error: mixed.jsonl: line 4: not Open Contracting data: a list where a release, a record or a package is\n"
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "mixed.jsonl#ocds-h6vhtk-0b2001");
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn notices_stream_through_every_output_with_one_summary() {
    // More procurements than one batch: the summary is of them all, once.
    let dir = year_of(600, "9");
    let lint = |format: &str| lint_in(dir.path(), format, "year.jsonl");
    let json = lint("json");
    assert_status!(json, 1);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), 600);
    assert_eq!(json["files"][599]["path"], "year.jsonl#ocds-h6vhtk-900599");
    assert_eq!(json["summary"]["files"], 600);
    assert_eq!(json["summary"]["errors"], 600);
    let human = lint("human");
    assert_eq!(human.stdout.matches(" errors, ").count(), 1);
    assert!(
        human
            .stdout
            .ends_with("600 errors, 2400 warnings, 600 infos in 600 files\n"),
        "{}",
        &human.stdout[human.stdout.len() - 200..]
    );
    let github = lint("github");
    assert_eq!(github.stdout.matches("title=assure::").count(), 1);
    assert!(
        github
            .stdout
            .contains("::error file=year.jsonl,line=600,title=PSR018::")
    );
    let sarif: serde_json::Value = serde_json::from_str(&lint("sarif").stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3600);
}

#[test]
fn import_writes_a_proposal_per_procurement_that_lints_as_its_notices_do() {
    let dir = tempfile::tempdir().unwrap();
    let notices = root().join("fixtures/notices/compiled-releases.jsonl");
    let notices = notices.to_str().unwrap();
    let run = import(dir.path(), notices, "imported");
    assert_status!(run, 0);
    assert_eq!(run.stderr, "wrote 8 proposals in imported\n");
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("imported"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names[0], "ocds-h6vhtk-0b2001.proposal");
    assert_eq!(names.len(), 8);
    // In the canonical layout, each field under the comment naming its
    // notice and pointer.
    let fmt = assure_in(
        dir.path(),
        &["--pack", "psr-2024", "fmt", "--check", "imported"],
    );
    assert_status!(fmt, 0);
    let text =
        std::fs::read_to_string(dir.path().join("imported/ocds-h6vhtk-0b2004.proposal")).unwrap();
    assert!(text.contains("<!-- notice ocds-h6vhtk-0b2004-2026-06-03T09:00:00+01:00: /description -->\nrepresentations-period: 8 days\n"), "{text}");
    // The same findings as the notices give.
    let codes = |file: &str| {
        let mut codes = code_messages(&lint_in(dir.path(), "json", file));
        codes.sort();
        codes
    };
    assert_eq!(codes("imported"), codes(notices));
    // A second import keeps every file, which the team may have completed.
    let file = dir.path().join("imported/ocds-h6vhtk-0b2001.proposal");
    std::fs::write(&file, "completed by the team\n").unwrap();
    let again = import(dir.path(), notices, "imported");
    assert_status!(again, 0);
    assert!(again.stderr.starts_with("warning: imported/ocds-h6vhtk-0b2001.proposal is there already: kept as it is (delete it to import it again)\n"), "{}", again.stderr);
    assert!(
        again
            .stderr
            .ends_with("wrote 0 proposals in imported; 8 kept as they were\n")
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "completed by the team\n"
    );
}

#[cfg(unix)]
#[test]
fn import_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("out")).unwrap();
    let notices = root().join("fixtures/notices/record-package.json");
    let run = import(dir.path(), notices.to_str().unwrap(), "out");
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: out is a link: give the folder itself, which assure never reaches through a link\n"
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // A link planted where a proposal would go is kept, not followed.
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let target = elsewhere.path().join("victim");
    std::fs::write(&target, "mine\n").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("real/ocds-h6vhtk-0c3001.proposal"))
        .unwrap();
    let run = import(dir.path(), notices.to_str().unwrap(), "real");
    assert_status!(run, 0);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "mine\n");
}

#[test]
fn diff_compares_a_proposal_with_what_its_notices_say() {
    let dir = tempfile::tempdir().unwrap();
    let notices = root().join("fixtures/notices/record-package.json");
    let notices = notices.to_str().unwrap();
    let run = import(dir.path(), notices, ".");
    assert_status!(run, 0);
    let path = dir.path().join("ocds-h6vhtk-0c3001.proposal");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "representations-deadline: 2026-01-05",
            "representations-deadline: 2026-01-07",
        ),
    )
    .unwrap();
    let diff = assure_in(
        dir.path(),
        &[
            "--pack",
            "psr-2024",
            "diff",
            notices,
            "ocds-h6vhtk-0c3001.proposal",
        ],
    );
    assert_status!(diff, 0);
    assert!(
        diff.stdout.contains(
            "-representations-deadline: 2026-01-05\n+representations-deadline: 2026-01-07\n"
        ),
        "{}",
        diff.stdout
    );
    assert!(
        diff.stdout.contains("Resolved: 1 finding\n  - PSR016 "),
        "{}",
        diff.stdout
    );
    // A proposal naming no procurement cannot be compared.
    let other = assure_in(
        &root(),
        &[
            "--pack",
            "psr-2024",
            "diff",
            notices,
            "fixtures/dudley-mcp.proposal",
        ],
    );
    assert_status!(other, 2);
    assert_eq!(
        other.stderr,
        format!(
            "error: fixtures/dudley-mcp.proposal names no procurement (no `ocid` in its header), so it cannot be compared with the notices in {notices}\n"
        )
    );
}

/// ocdskit, the Open Contracting Partnership's command-line tools, in a
/// virtual environment of its own under `target/` (`.ci/run` makes it);
/// missing under plain `cargo test`, its checks are left to `.ci/run`.
fn ocdskit() -> Option<std::path::PathBuf> {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = root().join("target/ocds-tools");
    let tool = venv.join("bin/ocdskit");
    if tool.is_file() {
        return Some(tool);
    }
    if !assure_test_tools::external_required() {
        assure_test_tools::left_to_ci("ocdskit (PyPI)");
        return None;
    }
    let made = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "python3 -m venv target/ocds-tools failed");
    let installed = std::process::Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "ocdskit==1.7.0"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(installed, "pip install ocdskit failed");
    Some(tool)
}

fn ocdskit_run(tool: &std::path::Path, args: &[&str], input: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new(tool)
        .args(args)
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("ocdskit runs");
    let mut stdin = child.stdin.take().expect("its input");
    if let Some(input) = input {
        stdin.write_all(input).expect("ocdskit reads");
    }
    drop(stdin);
    let output = child.wait_with_output().expect("ocdskit ends");
    assert!(output.status.success(), "ocdskit {args:?} failed");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn ocdskit_reads_the_fixtures_as_the_kinds_assure_reads_them_as() {
    let Some(tool) = ocdskit() else {
        return;
    };
    assert_eq!(
        ocdskit_run(
            &tool,
            &[
                "detect-format",
                "fixtures/notices/release-package.json",
                "fixtures/notices/record-package.json",
                "fixtures/notices/compiled-releases.jsonl",
                "fixtures/notices/releases-apart.jsonl",
            ],
            None
        ),
        "fixtures/notices/release-package.json: release package\n\
         fixtures/notices/record-package.json: record package\n\
         fixtures/notices/compiled-releases.jsonl: concatenated JSON, starting with compiled release\n\
         fixtures/notices/releases-apart.jsonl: concatenated JSON, starting with release\n"
    );
}

#[test]
fn a_package_ocdskit_makes_of_the_releases_gives_their_findings() {
    let Some(tool) = ocdskit() else {
        return;
    };
    let lines = std::fs::read(root().join("fixtures/notices/compiled-releases.jsonl")).unwrap();
    let package = ocdskit_run(&tool, &["package-releases"], Some(&lines));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), &package).unwrap();
    let messages = |file: &std::path::Path| {
        code_messages(&assure(&[
            "--pack",
            "psr-2024",
            "lint",
            "--format",
            "json",
            file.to_str().unwrap(),
        ]))
    };
    let packaged = messages(&dir.path().join("package.json"));
    assert_eq!(packaged.len(), 44);
    assert_eq!(
        packaged,
        messages(&root().join("fixtures/notices/compiled-releases.jsonl"))
    );
}

#[test]
fn a_reader_that_stops_reading_stops_the_run() {
    // Far more batches than are in flight at once: the reading, checking
    // and writing threads each stop when the one after them has, and the
    // run ends as after any broken pipe (status 0, nothing said).
    let dir = year_of(4_000, "8");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assure"))
        .args([
            "--pack",
            "psr-2024",
            "lint",
            "--format",
            "json",
            "year.jsonl",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4096];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    assert!(first.starts_with(b"{"));
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// `assure --pack psr-2024 lint --format json --stdin-filename NAME -`
/// given `notices` on standard input.
fn lint_piped(name: &str, notices: &[u8]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assure"))
        .args([
            "--pack",
            "psr-2024",
            "lint",
            "--format",
            "json",
            "--stdin-filename",
            name,
            "-",
        ])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), notices).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn notices_are_read_from_standard_input_under_the_name_given() {
    let notices = std::fs::read(root().join("fixtures/notices/record-package.json")).unwrap();
    let output = lint_piped("week.json", &notices);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "week.json#ocds-h6vhtk-0c3001");
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn notices_no_loaded_stage_applies_to_are_said_to_be_unchecked() {
    let run = assure(&["lint", "-q", "fixtures/notices/record-package.json"]);
    assert_status!(run, 0);
    assert_eq!(
        run.stderr,
        "warning: fixtures/notices/record-package.json: no stage of the packs loaded applies to any of its 1 procurements, so none was checked; load the regime they are under (`--pack psr-2024`)\n"
    );
}

#[test]
fn commands_that_rewrite_proposals_leave_a_file_of_notices_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("week.json");
    std::fs::copy(root().join("fixtures/notices/release-package.json"), &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    for command in ["fmt", "fix"] {
        let run = assure_in(dir.path(), &[command, "week.json"]);
        assert_status!(run, 2);
        assert_eq!(
            run.stderr,
            "error: cannot read week.json: it is a file of published notices: this command rewrites proposals in the text format (`assure import ocds` writes a proposal for each procurement)\n"
        );
    }
    let convert = assure_in(dir.path(), &["convert", "week.json"]);
    assert_status!(convert, 2);
    assert_eq!(
        convert.stderr,
        "error: week.json is a file of published notices: `assure import ocds week.json --out DIR` writes the proposal of each procurement in it\n"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn the_warning_counts_only_the_procurements_of_its_own_file() {
    // A proposal no stage applies to either, linted first, is none of the
    // notices file's procurements.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("imported.proposal"),
        "proposal: Imported\nocid: ocds-x-1\n",
    )
    .unwrap();
    let notices = root().join("fixtures/notices/record-package.json");
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "imported.proposal", notices.to_str().unwrap()],
    );
    assert_status!(run, 0);
    assert_eq!(
        run.stderr,
        format!(
            "warning: {}: no stage of the packs loaded applies to any of its 1 procurements, so none was checked; load the regime they are under (`--pack psr-2024`)\n",
            notices.display()
        )
    );
}
