//! `cargo xtask report` end to end: two runs over a corpus with one edit
//! between them, the database they leave, and the site they write, opened
//! in a real headless browser (Debian's chromium) and asserted on what it
//! renders.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn report(corpus: &Path, db: &Path, site: &Path) -> String {
    stdout_of(
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("report")
            .arg("--corpus")
            .arg(corpus)
            .arg("--db")
            .arg(db)
            .arg("--html")
            .arg(site),
    )
}

/// What `command` prints, once it has succeeded.
fn stdout_of(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn chromium() -> Option<PathBuf> {
    assure_test_tools::program("chromium", &["/usr/bin/chromium"], "chromium")
}

/// The DOM after the browser has loaded and rendered `page`.
fn rendered(page: &Path) -> String {
    rendered_with(page, "")
}

/// The DOM of `page` opened with `fragment` (`#code=CAP001`) after its
/// script has run; the page must log nothing to the console (no script
/// error, no warning).
fn rendered_with(page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium().expect("chromium, checked for at the start of the test"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "{}{fragment} logged to the console:\n{}",
        page.display(),
        console.join("\n")
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Screenshots of `page` at a desktop's width and a phone's, kept under
/// `target/site-screenshots/` (CI's artefacts) as `NAME-1280.png` and
/// `NAME-390.png`.
fn screenshots(page: &Path, name: &str) {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    for width in [1280, 390] {
        let profile = tempfile::tempdir().unwrap();
        let shot = out.join(format!("{name}-{width}.png"));
        let status =
            Command::new(chromium().expect("chromium, checked for at the start of the test"))
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                ])
                .arg(format!("--window-size={width},1200"))
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("--screenshot={}", shot.display()))
                .arg(format!("file://{}", page.display()))
                .output()
                .expect("chromium runs");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 1000),
            "{}",
            shot.display()
        );
    }
}

/// The text of the table row (or list) whose HTML contains `needle`.
fn row_with<'a>(dom: &'a str, needle: &str) -> &'a str {
    let at = dom
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the page"));
    let start = dom[..at].rfind("<tr").unwrap_or(at);
    let end = dom[at..].find("</tr>").map_or(dom.len(), |e| at + e);
    &dom[start..end]
}

#[test]
fn two_runs_and_the_site_shows_the_edit() {
    // The site is judged as a browser renders it.
    if chromium().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    for name in [
        "hampshire-mcp.proposal",
        "dudley-mcp.proposal",
        "tower-hamlets-community.proposal",
    ] {
        std::fs::copy(fixtures().join(name), corpus.join(name)).unwrap();
    }
    let db = dir.path().join("history.sqlite");
    let site = dir.path().join("site");
    let first = report(&corpus, &db, &site);
    assert!(first.starts_with("recorded run 1 in "), "{first}");

    // The edit: Hampshire's population now matches its practices' lists.
    let hampshire = corpus.join("hampshire-mcp.proposal");
    let text = std::fs::read_to_string(&hampshire).unwrap();
    std::fs::write(
        &hampshire,
        text.replace("population: 180,000", "population: 161,500"),
    )
    .unwrap();
    let second = report(&corpus, &db, &site);
    assert!(second.starts_with("recorded run 2 in "), "{second}");

    let mut store = assure_store::open(&assure_store::Target::Sqlite(db.clone())).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(
        runs.iter()
            .map(|r| (r.id, r.files, r.findings))
            .collect::<Vec<_>>(),
        [(1, 3, 12), (2, 3, 11)]
    );

    let index = rendered(&site.join("index.html"));
    assert!(
        index.contains("<h1>Readiness of every proposal</h1>"),
        "{index}"
    );
    // Each proposal by its title, its path beneath; readiness worded as
    // lint words it.
    let row = row_with(&index, "hampshire-mcp.proposal</span>");
    assert!(
        row.contains(">Mid Hampshire Multispecialty Community Provider</a><br><span class=\"muted\">hampshire-mcp.proposal</span>"),
        "{row}"
    );
    assert!(
        row.contains(
            "<td class=\"approved\">approved</td><td class=\"blocked\">blocked (4 errors)</td>"
        ),
        "{row}"
    );
    assert!(row.contains("0 new</span>, <span class=\"resolved\">1 resolved</span>, <span class=\"moved\">0 moved"), "{row}");
    for other in [
        "dudley-mcp.proposal</span>",
        "tower-hamlets-community.proposal</span>",
    ] {
        assert!(
            row_with(&index, other).contains("<td class=\"since\">no change</td>"),
            "{other}"
        );
    }

    // Pages are named after the path as the corpus gave it, and a hash of
    // it.
    let hampshire_page = std::fs::read_dir(site.join("p"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.contains("hampshire-mcp_proposal-") && !name.contains("v2")
        })
        .unwrap();
    screenshots(&site.join("index.html"), "index");
    screenshots(&hampshire_page, "proposal");
    let page = rendered(&hampshire_page);
    let changes = &page[page.find("<div id=\"changes\">").unwrap()..];
    let changes = &changes[..changes.find("</div>").unwrap()];
    assert_eq!(
        changes,
        "<div id=\"changes\"><ul><li class=\"resolved\">resolved: CFC003 (was at line 5): the population is given as 180,000, but the practices' list sizes add up to 161,500, which differs by more than 5%</li></ul>"
    );
    assert!(page.contains("<svg id=\"graph\""), "the graph is drawn");
    // Findings by stage, each with its rule's name, its labelled places
    // and what to do; what was not assessed.
    assert!(
        page.contains("<h3 class=\"stage\">Stage contract-and-capability</h3>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../codes/CAP001.html\">CAP001</a> contract-dwarfs-holder · error at line 66</h4>"),
        "{page}"
    );
    assert!(
        page.contains("<p class=\"label\">line 28: the turnover of Mid Hampshire GP Federation</p><pre><span class=\"hit\">  28 │ turnover: £9m/yr</span></pre><p class=\"help\">What to do: give the contract to a holder of matching size, hold it jointly, or add a `guarantor:` or `parent:` large enough that the contract is within the limit of its turnover</p>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<div id=\"not-assessed\"><p>Every rule judged everything it looks at.</p></div>"
        ),
        "{page}"
    );
    // The graph outlines what the findings involve, and labels its edges.
    assert!(
        page.contains(
            "<g class=\"entity involved\"><title>Mid Hampshire MCP contract (contract)</title>"
        ),
        "{page}"
    );
    assert!(page.contains(">involved in a finding</text>"), "{page}");
    // Each code links to its explanation, a page of the site.
    assert!(
        page.contains("<a href=\"../codes/CAP001.html\">CAP001</a>"),
        "{page}"
    );
    let explained = std::fs::read_to_string(site.join("codes/CAP001.html")).unwrap();
    assert!(
        explained.contains("<pre class=\"explain\">CAP001: contract-dwarfs-holder\n"),
        "{explained}"
    );
    assert_eq!(
        page.matches("<div class=\"finding\">").count(),
        5,
        "five findings remain"
    );

    // A proposal removed since: listed as removed with its last readiness,
    // and its page gone.
    let dudley_pages = |site: &Path| {
        std::fs::read_dir(site.join("p"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("dudley"))
            .count()
    };
    assert_eq!(dudley_pages(&site), 1);
    std::fs::remove_file(corpus.join("dudley-mcp.proposal")).unwrap();
    let third = report(&corpus, &db, &site);
    assert!(third.starts_with("recorded run 3 in "), "{third}");
    let index = rendered(&site.join("index.html"));
    // The summary bar counts the proposals at each stage; the trend chart
    // has a point per run for each severity.
    let summary = &index[index.find("<table id=\"summary\">").unwrap()..];
    let summary = &summary[..summary.find("</table>").unwrap()];
    assert!(
        summary.contains("<tr><th>case-for-change</th><td class=\"approved\">"),
        "{summary}"
    );
    assert_eq!(index.matches("<circle ").count(), 6, "{index}");
    // The readiness chart: a bar per run, its parts the proposals by where
    // they stand.
    assert!(index.contains("<title>run 3: 2 blocked</title>"), "{index}");
    assert!(!index.contains("<title>run 3: 1 ready</title>"), "{index}");
    assert!(index.contains("id=\"status-filter\""));
    // Filters chosen by the link: by code, and by commissioner.
    let hidden = |dom: &str, path: &str| {
        row_with(dom, &format!("{path}</span>")).contains("style=\"display: none;\"")
    };
    let with_cap001 = rendered_with(&site.join("index.html"), "#code=CAP001");
    assert!(!hidden(&with_cap001, "hampshire-mcp.proposal"));
    assert!(hidden(&with_cap001, "tower-hamlets-community.proposal"));
    assert!(hidden(&with_cap001, "dudley-mcp.proposal"));
    let commissioned = rendered_with(
        &site.join("index.html"),
        "#commissioner=West%20Hampshire%20CCG",
    );
    assert!(!hidden(&commissioned, "hampshire-mcp.proposal"));
    assert!(hidden(&commissioned, "tower-hamlets-community.proposal"));
    assert!(
        row_with(&index, "hampshire-mcp.proposal</span>").contains("<td>West Hampshire CCG</td>"),
        "{index}"
    );
    // Time to clear each stage, and each code's count over the runs.
    assert!(
        index.contains("<tr><td>contract-and-capability</td><td>0</td><td>—</td><td>—</td><td>2</td><td>hampshire-mcp.proposal (under an hour)</td></tr>"),
        "{index}"
    );
    assert!(
        index.contains("<tr><td class=\"warning\">CFC003</td><td>0</td><td><svg width=\"120\" height=\"24\" role=\"img\" aria-label=\"CFC003 in each run\"><polyline fill=\"none\" stroke=\"#1d2530\" stroke-width=\"1.5\" points=\"3.0,3.0 60.0,21.0 117.0,21.0\"></polyline></svg></td></tr>"),
        "{index}"
    );
    let row = row_with(&index, "dudley-mcp.proposal</span>");
    assert!(row.starts_with("<tr class=\"removed\""), "{row}");
    assert!(row.contains("<td class=\"since\">removed</td>"), "{row}");
    assert!(row.contains(">was "), "{row}");
    assert_eq!(dudley_pages(&site), 0);
}

#[cfg(unix)]
#[test]
fn pages_never_collide_links_are_not_followed_and_the_site_is_swapped_in_whole() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let proposal = "proposal: P\nmodel: other\n";
    let long = format!("{}.proposal", "x".repeat(240));
    for name in [
        "A.proposal",
        "a.proposal",
        "a.b.proposal",
        "a_b.proposal",
        "é.proposal",
        "è.proposal",
        &long,
    ] {
        std::fs::write(corpus.join(name), proposal).unwrap();
    }
    std::os::unix::fs::symlink(
        corpus.join("gone.proposal"),
        corpus.join("dangling.proposal"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&corpus, corpus.join("loop")).unwrap();
    let db = dir.path().join("runs.sqlite");
    let site = dir.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["report", "--corpus"])
        .arg(&corpus)
        .arg("--db")
        .arg(&db)
        .arg("--html")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The link to the corpus itself is not followed; the dangling one is
    // recorded as lint reports it, unreadable (SYN003), with a page.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "");
    let pages: Vec<String> = std::fs::read_dir(site.join("p"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages.len(), 8, "{pages:?}");
    assert!(
        pages.iter().any(|p| p.starts_with("dangling_proposal-")),
        "{pages:?}"
    );
    assert!(pages.iter().all(|p| p.len() < 120), "{pages:?}");
    // A second run replaces the site whole, leaving nothing beside it.
    report(&corpus, &db, &site);
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(beside.contains(&"site".to_owned()), "{beside:?}");
    assert!(beside.iter().all(|n| !n.starts_with('.')), "{beside:?}");
}

#[test]
fn the_site_says_what_was_not_assessed() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("incomplete.proposal"),
        "proposal: Incomplete\nmodel: other\n\n# Organisations\n\n## Small GP Co\nkind: gp-company\nturnover: £5m/yr\ncqc-registered: yes\nestablished: 2010-01-01\n\n# Contracts\n\n## MCP contract\nkind: mcp-fully-integrated\nholder: Small GP Co\nvalue: £500m\nstart: 2017-04-01\nrisk-share: shared\nprocurement: competitive\n\n# Risk\nfailure-regime: step-in by the CCG\n",
    )
    .unwrap();
    let site = dir.path().join("site");
    report(&corpus, &dir.path().join("runs.sqlite"), &site);
    let whole = std::fs::read_to_string(site.join("index.html")).unwrap();
    // The overview, after the summary bar.
    let index = &whole[whole.find("<table id=\"overview\">").unwrap()..];
    let cells: Vec<&str> = index
        .match_indices("<td class=\"")
        .map(|(at, _)| {
            let cell = &index[at..];
            &cell[..cell.find("</td>").unwrap()]
        })
        .take(3)
        .collect();
    assert_eq!(
        cells,
        [
            "<td class=\"ready\">ready",
            "<td class=\"incomplete\">incomplete (1 not assessed)",
            "<td class=\"incomplete\">incomplete (1 not assessed)"
        ]
    );
}
