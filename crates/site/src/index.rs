//! The overview page: the summary bar, the table of every proposal with
//! its readiness and changes, removed proposals, and the history.

use super::*;

/// The overview's filters and sorting, as its page embeds it.
pub(crate) const SCRIPT: &str = concat!(
    "<script>",
    include_str!("../assets/overview.js"),
    "</script>\n"
);

pub(crate) fn index(
    run: &RunSummary,
    runs: &[RunSummary],
    files: &[FileRecord],
    modelled: &[Modelled],
    previous: Option<(i64, &HashMap<&str, &FileRecord>)>,
    checker: &Checker,
) -> String {
    let mut out = head("assure: readiness of every proposal", "style.css");
    let _ = write!(
        out,
        "<h1>Readiness of every proposal</h1>\n<p id=\"run\">Run {} at {}, assure {}{}; {} proposals.</p>\n<p id=\"scope\">{}. {}</p>\n",
        run.id,
        escape(&run.started_at),
        escape(&run.tool),
        run.git_commit.as_ref().map_or(String::new(), |c| format!(
            ", commit {}",
            escape(&c[..c.len().min(12)])
        )),
        files.len(),
        escape(&scope_text(&run.scope)),
        match previous {
            Some((id, _)) => format!(
                "Compared with run {id}, the last run of the same scope; trends show only runs of this scope."
            ),
            None => "No earlier run of the same scope to compare with.".to_owned(),
        }
    );
    let previous = previous.map(|(_, files)| files);
    let stages: Vec<&str> = files.first().map_or(Vec::new(), |f| {
        f.readiness.iter().map(|(s, _, _)| s.as_str()).collect()
    });
    // The summary bar: how many proposals stand where, stage by stage.
    out.push_str("<table id=\"summary\"><thead><tr><th>Stage</th><th>approved</th><th>ready</th><th>partial</th><th>incomplete</th><th>blocked</th><th>not applicable</th></tr></thead><tbody>\n");
    for (i, stage) in stages.iter().enumerate() {
        let count = |status: &str| {
            files
                .iter()
                .filter(|f| f.readiness.get(i).is_some_and(|(_, s, _)| s == status))
                .count()
        };
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td class=\"approved\">{}</td><td class=\"ready\">{}</td><td class=\"partial\">{}</td><td class=\"incomplete\">{}</td><td class=\"blocked\">{}</td><td class=\"not-applicable\">{}</td></tr>",
            escape(stage),
            count("approved"),
            count("ready"),
            count("partial"),
            count("incomplete"),
            count("blocked"),
            count("not-applicable")
        );
    }
    let _ = writeln!(
        out,
        "</tbody></table>\n<p class=\"filters\"><label>Show <select id=\"status-filter\"><option value=\"\">every proposal</option><option>approved</option><option>ready</option><option>partial</option><option>incomplete</option><option>blocked</option><option>not-applicable</option></select></label> <label>commissioned by <select id=\"commissioner-filter\">{}</select></label> <label>with <select id=\"code-filter\">{}</select></label> <label>and text <input id=\"text-filter\" placeholder=\"a name, a path\"></label> <span class=\"muted\">(click a heading to sort)</span></p>",
        options(
            "anyone",
            modelled
                .iter()
                .flat_map(|m| &m.commissioners)
                .map(String::as_str)
        ),
        options(
            "any finding",
            files
                .iter()
                .flat_map(|f| active(f).map(|x| x.code.as_str()))
        )
    );
    out.push_str("<table id=\"overview\"><thead><tr><th>Proposal</th><th>Commissioner</th>");
    for stage in &stages {
        let _ = write!(out, "<th>{}</th>", escape(stage));
    }
    out.push_str(
        "<th>Errors</th><th>Warnings</th><th>Since the previous run</th></tr></thead><tbody>\n",
    );
    for (
        file,
        Modelled {
            title,
            commissioners,
            ..
        },
    ) in files.iter().zip(modelled)
    {
        let mut codes: Vec<&str> = active(file).map(|f| f.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        // Values for the filters: codes never hold a space, names never a
        // newline (a name is one line of the proposal).
        let _ = write!(
            out,
            "<tr data-codes=\"{}\" data-commissioners=\"{}\"><td><a href=\"p/{}.html\">{}</a><br><span class=\"muted\">{}</span></td><td>{}</td>",
            escape(&codes.join(" ")),
            escape(&commissioners.join("\n")),
            slug(&file.path),
            escape(title),
            escape(&file.path),
            escape(&commissioners.join(", "))
        );
        for (stage, status, errors) in &file.readiness {
            let text = readiness_text(file, stage, status, *errors);
            let _ = write!(out, "<td class=\"{status}\">{}</td>", escape(&text));
        }
        let count = |severity: &str| active(file).filter(|f| f.severity == severity).count();
        let since = match previous {
            None => "first run".to_owned(),
            Some(previous) => match previous.get(file.path.as_str()) {
                None => "new proposal".to_owned(),
                Some(before) => {
                    let c = changes(before, file);
                    if c.is_empty() {
                        "no change".to_owned()
                    } else {
                        format!(
                            "<span class=\"new\">{} new</span>, <span class=\"resolved\">{} resolved</span>, <span class=\"moved\">{} moved</span>",
                            c.new.len(),
                            c.resolved.len(),
                            c.moved.len()
                        )
                    }
                }
            },
        };
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td><td class=\"since\">{since}</td></tr>",
            count("error"),
            count("warning")
        );
    }
    // Proposals in the previous run that are not in this one.
    if let Some(previous) = previous {
        let mut removed: Vec<&&FileRecord> = previous
            .values()
            .filter(|before| !files.iter().any(|f| f.path == before.path))
            .collect();
        removed.sort_by(|a, b| a.path.cmp(&b.path));
        for before in removed {
            let _ = write!(
                out,
                "<tr class=\"removed\" data-codes=\"\" data-commissioners=\"\"><td>{}<br><span class=\"muted\">{}</span></td><td></td>",
                escape(&title(before, checker)),
                escape(&before.path)
            );
            for (stage, status, errors) in &before.readiness {
                let text = readiness_text(before, stage, status, *errors);
                let _ = write!(out, "<td class=\"muted\">was {}</td>", escape(&text));
            }
            out.push_str("<td></td><td></td><td class=\"since\">removed</td></tr>\n");
        }
    }
    out.push_str("</tbody></table>\n<h2>History</h2>\n<table id=\"history\"><thead><tr><th>Run</th><th>Time</th><th>Files</th><th>Findings</th><th>Scope</th></tr></thead><tbody>\n");
    for past in runs.iter().rev() {
        let scope = if past.scope == run.scope {
            "this run's".to_owned()
        } else {
            scope_text(&past.scope)
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            past.id,
            escape(&past.started_at),
            past.files,
            past.findings,
            escape(&scope)
        );
    }
    out.push_str("</tbody></table>\n");
    out.push_str(SCRIPT);
    out.push_str("</body></html>\n");
    out
}

/// A run's recorded scope in one line; runs recorded before scopes were
/// kept say so.
pub(crate) fn scope_text(scope: &str) -> String {
    if scope.is_empty() {
        return "Scope not recorded (an earlier assure)".to_owned();
    }
    let mut text = String::from("Scope: ");
    text.push_str(&scope.lines().collect::<Vec<_>>().join("; "));
    text
}
