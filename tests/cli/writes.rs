//! Commands that write the user's files: `report --html` replaces only a
//! folder assure wrote, `fmt` and `fix` replace only the user's own
//! regular files that still hold what was read, and nothing follows a
//! planted link.

use crate::{assert_status, assure_in, root};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;

/// A folder with `corpus/` holding one clean fixture.
fn with_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::copy(
        root().join("fixtures/dudley-mcp.proposal"),
        dir.path().join("corpus/dudley-mcp.proposal"),
    )
    .unwrap();
    dir
}

/// Every file under `dir`, relative, sorted, links shown as links.
fn tree(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    names.sort();
    names
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        found.push(path.clone());
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            found.extend(walkdir(&path));
        }
    }
    found
}

fn report_into(dir: &Path, site: &str) -> crate::Run {
    assure_in(
        dir,
        &[
            "report", "--corpus", "corpus", "--db", "h.sqlite", "--html", site,
        ],
    )
}

#[test]
fn report_refuses_a_site_folder_it_did_not_write_and_records_nothing() {
    let dir = with_corpus();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/notes.md"), "keep me\n").unwrap();
    for (site, holds) in [("corpus", "dudley-mcp.proposal"), ("docs", "notes.md")] {
        let before = tree(dir.path());
        let run = report_into(dir.path(), site);
        assert_status!(run, 2);
        assert_eq!(
            run.stderr,
            format!(
                "error: {site} is not empty and assure did not write it (it holds {holds}, and no .assure-site list): choose a new or empty folder for the site\n"
            )
        );
        assert_eq!(run.stdout, "");
        // Nothing deleted, nothing recorded, nothing left beside it.
        assert_eq!(tree(dir.path()), before);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docs/notes.md")).unwrap(),
        "keep me\n"
    );
}

#[test]
fn report_never_puts_the_history_inside_the_site_it_replaces() {
    let dir = with_corpus();
    for db in [
        "site/h.sqlite",
        "site/deeper/h.sqlite",
        "./site/../site/h.sqlite",
    ] {
        let run = assure_in(
            dir.path(),
            &["report", "--corpus", "corpus", "--db", db, "--html", "site"],
        );
        assert_status!(run, 2);
        assert_eq!(
            run.stderr,
            format!(
                "error: the history {db} lies inside the site folder site, which each run replaces: keep it outside\n"
            )
        );
        assert!(!dir.path().join("site").exists());
    }
    // Through a link to the site's folder, too.
    std::os::unix::fs::symlink("site", dir.path().join("alias")).unwrap();
    std::fs::create_dir(dir.path().join("site")).unwrap();
    let run = assure_in(
        dir.path(),
        &[
            "report",
            "--corpus",
            "corpus",
            "--db",
            "alias/h.sqlite",
            "--html",
            "site",
        ],
    );
    assert_status!(run, 2);
    assert!(
        run.stderr.contains("lies inside the site folder site"),
        "{}",
        run.stderr
    );
}

#[test]
fn report_replaces_its_own_site_and_nothing_a_user_put_in_it() {
    let dir = with_corpus();
    // An empty folder is taken.
    std::fs::create_dir(dir.path().join("site")).unwrap();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "recorded run 1 in h.sqlite: 1 files, 1 findings (0 errors)\nwrote site/index.html\n"
    );
    let site = dir.path().join("site");
    let list = std::fs::read_to_string(site.join(".assure-site")).unwrap();
    assert!(
        list.starts_with("# Written by `assure report --html`"),
        "{list}"
    );
    assert!(list.lines().any(|l| l == "index.html"), "{list}");
    assert_eq!(
        std::fs::metadata(&site).unwrap().permissions().mode() & 0o777,
        0o755
    );
    // Its own site is replaced, leaving nothing beside it.
    let run = report_into(dir.path(), "site");
    assert_status!(run, 0);
    let top: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|n| !n.contains('/'))
        .collect();
    assert_eq!(top, ["corpus", "h.sqlite", "site"]);
    // A file the user put there stops the run, and is kept.
    std::fs::write(site.join("CNAME"), "assure.example\n").unwrap();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: site holds CNAME, which assure did not write, and each run replaces the folder: move it out, or choose another folder for the site\n"
    );
    assert_eq!(
        std::fs::read_to_string(site.join("CNAME")).unwrap(),
        "assure.example\n"
    );
    // So does a listed page the user replaced by a link.
    std::fs::remove_file(site.join("CNAME")).unwrap();
    std::fs::remove_file(site.join("style.css")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", site.join("style.css")).unwrap();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 2);
    assert!(
        run.stderr
            .starts_with("error: site holds style.css, which assure did not write")
    );
}

#[test]
fn report_refuses_a_link_or_a_file_as_the_site() {
    let dir = with_corpus();
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("elsewhere", dir.path().join("site")).unwrap();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: site is a symbolic link; the site is written only into a folder of its own\n"
    );
    std::fs::write(dir.path().join("page"), "x").unwrap();
    let run = report_into(dir.path(), "page");
    assert_status!(run, 2);
    assert_eq!(run.stderr, "error: page is not a folder\n");
    let run = report_into(dir.path(), "corpus/..");
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: corpus/.. cannot hold the site: name a folder of its own\n"
    );
}

#[test]
fn report_clears_what_a_killed_run_left_and_only_that() {
    let dir = with_corpus();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 0);
    // Two folders a killed run could leave: one half-built, listing what it
    // wrote; one where a user had put something.
    let list = std::fs::read_to_string(dir.path().join("site/.assure-site")).unwrap();
    for (name, extra) in [
        (".site.assure-AbC123", None),
        (".site.assure-XyZ789", Some("mine.txt")),
    ] {
        let left = dir.path().join(name);
        std::fs::create_dir_all(left.join("p")).unwrap();
        std::fs::write(left.join(".assure-site"), &list).unwrap();
        std::fs::write(left.join("index.html"), "<html>").unwrap();
        if let Some(extra) = extra {
            std::fs::write(left.join(extra), "mine").unwrap();
        }
    }
    // A folder of that name without a list is not assure's.
    std::fs::create_dir(dir.path().join(".site.assure-NotOurs")).unwrap();
    std::fs::write(dir.path().join(".site.assure-NotOurs/x"), "x").unwrap();
    let run = report_into(dir.path(), "site");
    assert_status!(run, 0);
    let beside: Vec<String> = tree(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".site"))
        .collect();
    assert_eq!(
        beside,
        [
            ".site.assure-NotOurs",
            ".site.assure-NotOurs/x",
            ".site.assure-XyZ789",
            ".site.assure-XyZ789/.assure-site",
            ".site.assure-XyZ789/mine.txt",
        ]
    );
}

/// A proposal `fmt` reorders (`kind` goes first).
const UNFORMATTED: &str =
    "proposal: P\nmodel: mcp\n\n# Organisations\n\n## GP Co\nturnover: £5m/yr\nkind: gp-company\n";
const FORMATTED: &str =
    "proposal: P\nmodel: mcp\n\n# Organisations\n\n## GP Co\nkind: gp-company\nturnover: £5m/yr\n";

#[test]
fn fmt_writes_no_link_no_protected_file_and_no_one_elses() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.proposal");
    std::fs::write(&target, UNFORMATTED).unwrap();
    std::os::unix::fs::symlink("target.proposal", dir.path().join("link.proposal")).unwrap();
    let run = assure_in(dir.path(), &["fmt", "link.proposal"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: cannot write link.proposal: it is a symbolic link (to target.proposal); assure writes only regular files: give it the file itself; it is unchanged\n"
    );
    assert_eq!(
        run.stdout,
        "0 reformatted, 0 already formatted; 1 file left as it is (see the error above)\n"
    );
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.proposal"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), UNFORMATTED);

    let protected = dir.path().join("protected.proposal");
    std::fs::write(&protected, UNFORMATTED).unwrap();
    std::fs::set_permissions(&protected, std::fs::Permissions::from_mode(0o444)).unwrap();
    let run = assure_in(dir.path(), &["fix", "--unsafe", "protected.proposal"]);
    let run_fmt = assure_in(
        dir.path(),
        &["fmt", "protected.proposal", "target.proposal"],
    );
    assert_status!(run_fmt, 2);
    assert_eq!(
        run_fmt.stderr,
        "error: cannot write protected.proposal: it is read-only (mode 444); assure does not write a file you protected; it is unchanged\n"
    );
    // The other file is still formatted, and the summary says so.
    assert_eq!(
        run_fmt.stdout,
        "reformatted target.proposal\n1 reformatted, 0 already formatted; 1 file left as it is (see the error above)\n"
    );
    assert_eq!(std::fs::read_to_string(&protected).unwrap(), UNFORMATTED);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), FORMATTED);
    // fix has nothing to fix in it, so writes nothing and refuses nothing.
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.starts_with("0 fixes applied in 0 files\n"),
        "{}",
        run.stdout
    );

    let foreign = dir.path().join("foreign.proposal");
    std::fs::write(&foreign, UNFORMATTED).unwrap();
    if std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).is_ok() {
        let run = assure_in(dir.path(), &["fmt", "foreign.proposal"]);
        assert_status!(run, 2);
        assert_eq!(
            run.stderr,
            "error: cannot write foreign.proposal: it belongs to another user (uid 65534); assure replaces only your own files; it is unchanged\n"
        );
        assert_eq!(std::fs::read_to_string(&foreign).unwrap(), UNFORMATTED);
        assert_eq!(std::fs::metadata(&foreign).unwrap().uid(), 65534);
    }
}

#[test]
fn fmt_keeps_hard_links_and_takes_names_of_any_length() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!("{}.proposal", "n".repeat(246));
    std::fs::write(dir.path().join(&long), UNFORMATTED).unwrap();
    std::fs::hard_link(dir.path().join(&long), dir.path().join("other-name")).unwrap();
    let run = assure_in(dir.path(), &["fmt", &long]);
    assert_status!(run, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("other-name")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::metadata(dir.path().join(&long)).unwrap().nlink(),
        2
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn fmt_check_fails_on_a_file_it_cannot_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("latin1.proposal"), b"proposal: Caf\xe9\n").unwrap();
    let run = assure_in(dir.path(), &["fmt", "--check", "latin1.proposal"]);
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: cannot read latin1.proposal: it is not UTF-8 text (lint reports it as SYN003)\n"
    );
    assert_eq!(
        run.stdout,
        "0 would be reformatted, 0 already formatted; 1 file left as it is (see the error above)\n"
    );
}

#[test]
fn fmt_never_moves_a_line_to_another_field() {
    let dir = tempfile::tempdir().unwrap();
    // A continuation after a comment continues `holder`; an indented field
    // after a blank line is a field of its own (SYN001); a loose key is
    // prose unless the vocabulary knows it.
    let text = "proposal: P\nmodel: mcp\n\n# Contracts\n\n## C\nvalue: £1.5m/yr\nholder: H\n<!-- the full name -->\n  and Co\nterm: 2 years\n\n  commissioner: North CCG\nKey points: value\nkind: other\n";
    std::fs::write(dir.path().join("p.proposal"), text).unwrap();
    let before = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let run = assure_in(dir.path(), &["fmt", "p.proposal"]);
    assert_status!(run, 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("p.proposal")).unwrap(),
        "proposal: P\nmodel: mcp\n\n# Contracts\n\n## C\nholder: H\n<!-- the full name -->\n  and Co\nvalue: £1.5m/yr\nterm: 2 years\n\n  commissioner: North CCG\nKey points: value\nkind: other\n"
    );
    let after = assure_in(dir.path(), &["lint", "--format", "json", "p.proposal"]);
    let codes = |run: &crate::Run| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let mut codes: Vec<String> = json["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["code"], f["message"]))
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(codes(&after), codes(&before));
}

#[test]
fn a_baseline_is_never_written_through_a_link() {
    let dir = with_corpus();
    std::fs::write(dir.path().join("deploy.sh"), "#!/bin/sh\n").unwrap();
    std::os::unix::fs::symlink("deploy.sh", dir.path().join("base.json")).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--write-baseline", "base.json", "corpus"],
    );
    assert_status!(run, 2);
    assert_eq!(
        run.stderr,
        "error: cannot write the baseline base.json: it is a symbolic link (to deploy.sh); assure writes only regular files: give it the file itself\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("deploy.sh")).unwrap(),
        "#!/bin/sh\n"
    );
    std::fs::remove_file(dir.path().join("base.json")).unwrap();
    let run = assure_in(
        dir.path(),
        &["lint", "-q", "--write-baseline", "base.json", "corpus"],
    );
    assert_status!(run, 0);
    assert!(
        std::fs::read_to_string(dir.path().join("base.json"))
            .unwrap()
            .starts_with('{')
    );
}

/// `proposals/` with a proposal, a link to it, a link to a secret outside
/// the folder, a link to a folder outside, a link to its own folder and a
/// dangling link.
fn planted_links() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path();
    std::fs::create_dir_all(at.join("proposals")).unwrap();
    std::fs::create_dir_all(at.join("elsewhere")).unwrap();
    std::fs::write(at.join(".env"), "API_KEY=hunter2\n").unwrap();
    std::fs::write(at.join("proposals/a.proposal"), UNFORMATTED).unwrap();
    std::fs::write(at.join("elsewhere/x.proposal"), UNFORMATTED).unwrap();
    for (target, link) in [
        ("a.proposal", "alias.proposal"),
        ("../.env", "secret.proposal"),
        ("../elsewhere", "ext"),
        (".", "loop"),
        ("nowhere", "dangling.proposal"),
    ] {
        std::os::unix::fs::symlink(target, at.join("proposals").join(link)).unwrap();
    }
    dir
}

#[test]
fn a_folder_is_searched_without_following_links_out_of_it() {
    let dir = planted_links();
    let outside = dir.path().canonicalize().unwrap();
    let run = assure_in(dir.path(), &["lint", "--format", "json", "proposals"]);
    assert_status!(run, 1);
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let files: Vec<String> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let codes: Vec<String> = f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    format!(
                        "{} {}",
                        x["code"].as_str().unwrap(),
                        x["message"].as_str().unwrap()
                    )
                })
                .collect();
            format!("{}: {}", f["path"].as_str().unwrap(), codes.join("; "))
        })
        .collect();
    let missing = "CFC001 the proposal's model is `mcp`, but the case for change does not say why this model rather than the other; CFC004 the proposal's model is `mcp`, but it does not say what population it serves";
    assert_eq!(
        files,
        [
            format!("proposals/a.proposal: {missing}"),
            format!("proposals/alias.proposal: {missing}"),
            "proposals/dangling.proposal: SYN003 cannot read the file: it is a link that leads to nothing readable (No such file or directory (os error 2))".to_owned(),
            format!("proposals/secret.proposal: SYN003 cannot read the file: it is a link to a file outside proposals ({}/.env); assure reads only proposals inside the folders it is given: name the file itself to read it", outside.display()),
        ]
    );
    assert_eq!(
        run.stderr,
        format!(
            "warning: not searched: proposals/ext is a link to a folder outside proposals ({}/elsewhere); name that folder to check what is in it\n",
            outside.display()
        )
    );
    // report records what lint found, and never the secret.
    let run = assure_in(
        dir.path(),
        &["report", "--corpus", "proposals", "--db", "h.sqlite"],
    );
    assert_status!(run, 0);
    assert_eq!(
        run.stdout,
        "recorded run 1 in h.sqlite: 4 files, 6 findings (6 errors)\n"
    );
    let history = std::fs::read(dir.path().join("h.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&history).contains("hunter2"));
}

#[test]
fn fmt_of_a_folder_writes_nothing_outside_it() {
    let dir = planted_links();
    let run = assure_in(dir.path(), &["fmt", "proposals"]);
    assert_status!(run, 2);
    // The link to a proposal in the folder is formatted as itself, once.
    assert_eq!(
        run.stdout,
        "reformatted proposals/a.proposal\n1 reformatted, 0 already formatted; 2 files left as they are (see the errors above)\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("proposals/a.proposal")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("elsewhere/x.proposal")).unwrap(),
        UNFORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".env")).unwrap(),
        "API_KEY=hunter2\n"
    );
    for link in ["alias.proposal", "secret.proposal"] {
        let metadata = std::fs::symlink_metadata(dir.path().join("proposals").join(link)).unwrap();
        assert!(metadata.file_type().is_symlink(), "{link}");
    }
}

#[test]
fn report_keeps_its_history_only_where_it_says() {
    let dir = with_corpus();
    for (db, error) in [
        (
            "file:h.sqlite",
            "error: `file:h.sqlite` would be read by SQLite as a special name, not a file: give the path of a file (`./file:h.sqlite` for a file of that name)\n",
        ),
        (
            ":memory:",
            "error: `:memory:` would be read by SQLite as a special name, not a file: give the path of a file (`./:memory:` for a file of that name)\n",
        ),
        (
            "file::memory:",
            "error: `file::memory:` would be read by SQLite as a special name, not a file: give the path of a file (`./file::memory:` for a file of that name)\n",
        ),
        (
            "",
            "error: the history must be a file or a postgres:// URL, not nothing\n",
        ),
        (
            "sqlite://h.sqlite",
            "error: `sqlite://` is not a history assure keeps: give a file path, or a postgres:// URL\n",
        ),
    ] {
        let run = assure_in(dir.path(), &["report", "--corpus", "corpus", "--db", db]);
        assert_status!(run, 2);
        assert_eq!(run.stderr, error, "{db}");
        assert_eq!(
            tree(dir.path()),
            ["corpus", "corpus/dudley-mcp.proposal"],
            "{db}"
        );
    }
    // A scheme in capitals is still PostgreSQL's, not a file name.
    let run = assure_in(
        dir.path(),
        &[
            "report",
            "--corpus",
            "corpus",
            "--db",
            "POSTGRES://assure@127.0.0.1:1/history",
        ],
    );
    assert_status!(run, 2);
    assert!(
        run.stderr
            .starts_with("error: cannot reach the database postgres://assure@127.0.0.1:1/history"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(dir.path()), ["corpus", "corpus/dudley-mcp.proposal"]);
}
