//! The static report site: an overview of every proposal's readiness, a page
//! per proposal with its findings, source snippets, graph and changes since
//! the previous run. Plain HTML and CSS with relative links, so it works
//! from the file system with no server and no script.

use crate::write::Folder;
use assure_check::changes::{Key, Partition, partition};
use assure_check::{Checker, Readiness, Status};
use assure_diagnostic::LineIndex;
use assure_report::escape_markup as escape;
use assure_store::{FileRecord, FindingCount, FindingRecord, History, ReadinessRow, RunSummary};
use assure_vocab::{HEADER, Owner};
use std::collections::HashMap;
use std::fmt::Write as _;

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1d2530; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #dde2e8; vertical-align: top; }
.approved { background: #d8f3dc; } .ready { background: #e7eefc; } .partial { background: #ececf3; } .incomplete { background: #fff3c4; } .blocked { background: #fde2e1; } .not-applicable { background: #eeeeee; }
.error { color: #b42318; } .warning { color: #9a6700; } .info { color: #1f5fbf; }
.new { color: #b42318; } .resolved { color: #1a7f37; } .moved { color: #6e7781; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: 13px; }
pre .hit { background: #fff1b8; display: block; }
svg text { font-size: 10px; } .muted { color: #6e7781; }
pre.explain { white-space: pre-wrap; font-size: 14px; background: none; }\n.finding { margin-bottom: 1.2rem; } .finding h4 { margin: .6rem 0 .2rem; } p.label { margin: .2rem 0; color: #57606a; } p.help { margin: .3rem 0; } h3.stage { border-bottom: 1px solid #dde2e8; }
#summary { width: auto; margin-bottom: 1rem; } .graph { overflow-x: auto; } .filters input, .filters select { font: inherit; }
@media (max-width: 600px) { body { margin: 1rem auto; } th, td { padding: .25rem .3rem; font-size: 13px; } #overview, #summary { display: block; overflow-x: auto; } }
";

/// Writes the site for `run_id` into `folder` and puts it in place of
/// the old one ([`crate::write::Folder`]: built beside it and exchanged in
/// one step, so that a run killed while writing leaves the previous site
/// whole, never an index of one run over pages of another); returns a note
/// for anything of the old site it kept.
pub fn write(
    store: &mut dyn History,
    run_id: i64,
    checker: &Checker,
    mut folder: Folder,
) -> Result<Vec<String>, String> {
    write_into(store, run_id, checker, &mut folder)?;
    folder.finish()
}

fn write_into(
    store: &mut dyn History,
    run_id: i64,
    checker: &Checker,
    folder: &mut Folder,
) -> Result<(), String> {
    let fail = |e: assure_store::StoreError| e.to_string();
    let runs = store.runs().map_err(fail)?;
    let run = runs
        .iter()
        .find(|r| r.id == run_id)
        .ok_or("the run just recorded is missing")?;
    let files = store.files(run_id).map_err(fail)?;
    // Compared with, and charted among, only runs of the same scope: a
    // run with rules left out must not read as their findings fixed.
    let previous_id = store.previous_run(run_id).map_err(fail)?;
    let previous = match previous_id {
        Some(id) => Some(store.files(id).map_err(fail)?),
        None => None,
    };
    // Looked up by path once per file: a scan per file was quadratic in
    // the size of the corpus.
    let before_by_path: HashMap<&str, &FileRecord> = previous
        .iter()
        .flatten()
        .map(|f| (f.path.as_str(), f))
        .collect();
    folder.dir("p")?;
    folder.file("style.css", STYLE.as_bytes())?;
    let scoped: Vec<RunSummary> = runs
        .iter()
        .filter(|r| r.scope == run.scope)
        .cloned()
        .collect();
    let in_scope: std::collections::HashSet<i64> = scoped.iter().map(|r| r.id).collect();
    let mut counts = store.finding_counts().map_err(fail)?;
    counts.retain(|c| in_scope.contains(&c.run_id));
    let mut history = store.readiness_history().map_err(fail)?;
    history.retain(|r| in_scope.contains(&r.run_id));
    // Each proposal modelled once, for the index and its page alike.
    let modelled: Vec<Modelled> = files.iter().map(|f| Modelled::of(f, checker)).collect();
    let mut index_html = index(
        run,
        &runs,
        &files,
        &modelled,
        previous_id.map(|id| (id, &before_by_path)),
        checker,
    );
    let trends = [
        trend_chart(&scoped, &counts),
        readiness_chart(&scoped, &history),
        "<h3>Time to clear each stage</h3>".to_owned(),
        clearing_table(&scoped, &history),
        "<h3>Findings by code</h3>".to_owned(),
        codes_table(&scoped, &counts),
    ];
    index_html = index_html.replace(
        "<h2>History</h2>",
        &format!("<h2>History</h2>\n{}", trends.join("\n")),
    );
    folder.file("index.html", index_html.as_bytes())?;
    // A page per code used: what `assure explain` says of it.
    folder.dir("codes")?;
    let mut used: Vec<&str> = files
        .iter()
        .flat_map(|f| f.findings.iter().map(|x| x.code.as_str()))
        .collect();
    used.sort_unstable();
    used.dedup();
    for code in used {
        let Ok(text) = crate::commands::explain::explanation(checker.rules(), code) else {
            continue;
        };
        let mut html = head(&format!("assure: {code}"), "../style.css");
        let _ = write!(
            html,
            "<p><a href=\"../index.html\">All proposals</a> · <a href=\"../index.html#code={}\">the proposals with {}</a></p>\n<h1>{}</h1>\n<pre class=\"explain\">{}</pre>\n</body></html>\n",
            code_file(code),
            escape(code),
            escape(code),
            escape(&text)
        );
        folder.file(&format!("codes/{}.html", code_file(code)), html.as_bytes())?;
    }
    for (file, modelled) in files.iter().zip(&modelled) {
        let before = before_by_path.get(file.path.as_str()).copied();
        let html = page(
            run,
            file,
            before,
            previous.is_some(),
            checker,
            &modelled.graph,
        );
        folder.file(&format!("p/{}.html", slug(&file.path)), html.as_bytes())?;
    }
    Ok(())
}

/// A stage's readiness as `lint` words it: `blocked (2 errors)`,
/// `incomplete (1 not assessed)`, `ready`.
fn readiness_text(file: &FileRecord, stage: &str, status: &str, errors: i64) -> String {
    let status_of = match status {
        "approved" => Status::Approved,
        "ready" => Status::Ready,
        "incomplete" => Status::Incomplete,
        "partial" => Status::Partial,
        "not-applicable" => Status::NotApplicable,
        _ => Status::Blocked,
    };
    Readiness {
        stage: stage.to_owned(),
        pack: None,
        status: status_of,
        errors: usize::try_from(errors).unwrap_or(0),
        not_assessed: not_assessed(file, stage),
        not_run: Vec::new(),
    }
    .describe()
}

/// A code as a file name: its letters and digits only (a code comes from
/// a database that may have been written by anyone).
fn code_file(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// The proposal's title: its header's title field (the vocabulary's
/// `[shown] title`), as written, else its path.
fn title(file: &FileRecord, checker: &Checker) -> String {
    let modelled = checker.model(&file.text);
    title_of(file, &modelled.model, checker)
}

fn title_of(file: &FileRecord, model: &assure_model::Model<'_>, checker: &Checker) -> String {
    let vocabulary = checker.vocabulary();
    vocabulary
        .shown()
        .title
        .as_deref()
        .and_then(|name| vocabulary.fields_of(Owner::Section(HEADER)).get(name))
        .and_then(|id| model.section_fields(HEADER).iter().find(|f| f.field == id))
        .map(|field| field.value_span.text(&file.text).trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| file.path.clone())
}

/// A file name for a proposal's page: readable, at most 80 bytes before
/// a hash of the whole path, so that paths that read alike (`A.proposal`
/// and `a.proposal`, `é` and `è`, `a.b` and `a_b`) never share a page and
/// no name is too long for the file system.
fn slug(path: &str) -> String {
    let readable: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let hash = assure_check::fnv1a64(path.as_bytes());
    format!("{readable}-{}", &hash[..12])
}

/// How many active findings of `file` say a rule of `stage` or an earlier
/// one could not judge something (EVAL001, EVAL002), as readiness counts.
fn not_assessed(file: &FileRecord, stage: &str) -> usize {
    let position = |id: &str| file.readiness.iter().position(|(s, _, _)| s == id);
    let upto = position(stage).unwrap_or(usize::MAX);
    active(file)
        .filter(|f| assure_diagnostic::codes::is_not_assessed(&f.code))
        .filter(|f| {
            f.stage
                .as_deref()
                .and_then(position)
                .is_none_or(|at| at <= upto)
        })
        .count()
}

fn active(file: &FileRecord) -> impl Iterator<Item = &FindingRecord> {
    file.findings.iter().filter(|f| f.suppressed.is_none())
}

/// The file's active findings, keyed for matching across runs.
fn keyed(file: &FileRecord) -> Vec<(Key, &FindingRecord)> {
    active(file)
        .map(|f| {
            let key = Key {
                code: f.code.clone(),
                entity: f.entity.clone(),
                fingerprint: f.fingerprint.clone(),
                line: f.line as u32,
            };
            (key, f)
        })
        .collect()
}

/// New, resolved and moved findings of a file since the previous run.
fn changes<'a>(before: &'a FileRecord, after: &'a FileRecord) -> Partition<&'a FindingRecord> {
    partition(&keyed(before), &keyed(after))
}

fn head(title: &str, css: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"{css}\"></head><body>\n",
        escape(title)
    )
}

/// What the site shows of a proposal's model: its title, the names its
/// owner fields (the vocabulary's `[shown] owner`, `commissioner`) refer
/// to, each once in the order they come, and its graph as a picture.
struct Modelled {
    title: String,
    commissioners: Vec<String>,
    graph: String,
}

impl Modelled {
    fn of(file: &FileRecord, checker: &Checker) -> Modelled {
        let modelled = checker.model(&file.text);
        let model = &modelled.model;
        let graph = model.graph();
        let mut commissioners: Vec<String> = Vec::new();
        let owner = checker.vocabulary().shown().owner.as_deref();
        for edge in graph.edge_indices() {
            if Some(checker.vocabulary().field(graph[edge].field).name.as_str()) != owner {
                continue;
            }
            let Some((_, target)) = graph.edge_endpoints(edge) else {
                continue;
            };
            if let Some(entity) = model.entity_at(target) {
                let name = model.entity(entity).name.to_string();
                if !commissioners.contains(&name) {
                    commissioners.push(name);
                }
            }
        }
        Modelled {
            title: title_of(file, model, checker),
            commissioners,
            graph: picture(file, model, checker),
        }
    }
}

/// Options of a filter's `<select>`: "every" first, then each value once,
/// sorted.
fn options<'v>(every: &str, values: impl Iterator<Item = &'v str>) -> String {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    let mut out = format!("<option value=\"\">{every}</option>");
    for value in values {
        let _ = write!(out, "<option>{}</option>", escape(value));
    }
    out
}

fn index(
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
fn scope_text(scope: &str) -> String {
    if scope.is_empty() {
        return "Scope not recorded (an earlier assure)".to_owned();
    }
    let mut text = String::from("Scope: ");
    text.push_str(&scope.lines().collect::<Vec<_>>().join("; "));
    text
}

/// Filtering by status, commissioner, code and text (chosen also by the
/// link's `#status=…&commissioner=…&code=…&text=…`), and sorting by a
/// column, in the page itself: no server, nothing fetched.
const SCRIPT: &str = "<script>
(function () {
  var table = document.getElementById('overview');
  if (!table) return;
  var body = table.tBodies[0];
  var status = document.getElementById('status-filter');
  var commissioner = document.getElementById('commissioner-filter');
  var code = document.getElementById('code-filter');
  var text = document.getElementById('text-filter');
  function filter() {
    var want = status.value, needle = text.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      var cells = Array.prototype.slice.call(row.cells);
      var hasStatus = !want || cells.some(function (c) { return c.className === want; });
      var hasCommissioner = !commissioner.value ||
        (row.dataset.commissioners || '').split('\\n').indexOf(commissioner.value) >= 0;
      var hasCode = !code.value || (row.dataset.codes || '').split(' ').indexOf(code.value) >= 0;
      var hasText = !needle || row.textContent.toLowerCase().indexOf(needle) >= 0;
      row.style.display = hasStatus && hasCommissioner && hasCode && hasText ? '' : 'none';
    });
  }
  [status, commissioner, code].forEach(function (s) { s.addEventListener('change', filter); });
  text.addEventListener('input', filter);
  // A link may choose the filters: index.html#code=CAP001&status=blocked.
  var chosen = new URLSearchParams(location.hash.slice(1));
  [['status', status], ['commissioner', commissioner], ['code', code], ['text', text]]
    .forEach(function (p) { if (chosen.has(p[0])) p[1].value = chosen.get(p[0]); });
  filter();
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var rows = Array.prototype.slice.call(body.rows);
      var descending = th.dataset.sorted === 'up';
      rows.sort(function (a, b) {
        var x = a.cells[column] ? a.cells[column].textContent : '';
        var y = b.cells[column] ? b.cells[column].textContent : '';
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      th.dataset.sorted = descending ? 'down' : 'up';
    });
  });
})();
</script>
";

/// The x of run `i` of `n` in a chart `width` wide: one run in the middle.
fn run_x(i: usize, n: usize, width: f64, margin: f64) -> f64 {
    if n <= 1 {
        width / 2.0
    } else {
        margin + (width - 2.0 * margin) * i as f64 / (n - 1) as f64
    }
}

/// "run N" under the runs, every so many so that labels never overlap.
fn run_labels(out: &mut String, runs: &[RunSummary], x: impl Fn(usize) -> f64, y: f64) {
    let step = runs.len().div_ceil(12).max(1);
    for (i, run) in runs.iter().enumerate() {
        if i % step == 0 || i + 1 == runs.len() {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{y}\" text-anchor=\"middle\">run {}</text>",
                x(i),
                run.id
            );
        }
    }
}

/// Where a proposal can stand, best first, with the colour it is drawn in.
/// A stage whose regime does not govern the proposal is no better or
/// worse than any: a proposal is counted by its other stages.
const STANDINGS: [(&str, &str); 6] = [
    ("not-applicable", "#dddddd"),
    ("approved", "#74c69d"),
    ("ready", "#8fa8e8"),
    ("partial", "#b7b7c9"),
    ("incomplete", "#f2c94c"),
    ("blocked", "#e5736b"),
];

/// A status's place in [`STANDINGS`]; one the site does not know counts
/// as blocked, never as better than it is.
fn standing_rank(status: &str) -> usize {
    STANDINGS
        .iter()
        .position(|(name, _)| *name == status)
        .unwrap_or(STANDINGS.len() - 1)
}

/// How many proposals of each run stand where: blocked at some stage,
/// else incomplete, else partial, else ready, else approved throughout.
fn standings(history: &[ReadinessRow]) -> HashMap<(i64, usize), usize> {
    let mut worst: HashMap<(i64, &str), usize> = HashMap::new();
    for row in history {
        let rank = worst.entry((row.run_id, row.path.as_str())).or_insert(0);
        *rank = (*rank).max(standing_rank(&row.status));
    }
    let mut tally = HashMap::new();
    for ((run, _), rank) in worst {
        *tally.entry((run, rank)).or_insert(0) += 1;
    }
    tally
}

/// An SVG chart of the proposals of each run by where they stand; a
/// stacked bar per run.
fn readiness_chart(runs: &[RunSummary], history: &[ReadinessRow]) -> String {
    let tally = standings(history);
    let (width, height, margin) = (600.0, 160.0, 30.0);
    let most = runs.iter().map(|r| r.files).max().unwrap_or(1).max(1) as f64;
    let slot = (width - 2.0 * margin) / runs.len().max(1) as f64;
    let bar = (slot * 0.6).min(40.0);
    let mut out = format!(
        "<svg id=\"readiness-trend\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"proposals by readiness in each run\">\n"
    );
    let left = |i: usize| margin + slot * i as f64 + (slot - bar) / 2.0;
    for (i, run) in runs.iter().enumerate() {
        let mut top = height - margin;
        for (rank, (kind, colour)) in STANDINGS.iter().enumerate() {
            let n = tally.get(&(run.id, rank)).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let h = (height - 2.0 * margin) * n as f64 / most;
            top -= h;
            let _ = writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>run {}: {n} {kind}</title></rect>",
                left(i),
                run.id
            );
        }
    }
    run_labels(
        &mut out,
        runs,
        |i| left(i) + bar / 2.0,
        height - margin + 14.0,
    );
    let _ = writeln!(
        out,
        "<text x=\"{margin}\" y=\"14\">proposals by where they stand: approved, ready, partial, incomplete, blocked</text>\n</svg>"
    );
    out
}

/// An SVG chart of the findings of each run by severity (errors and
/// warnings), drawn here: no service, no script.
fn trend_chart(runs: &[RunSummary], counts: &[FindingCount]) -> String {
    if runs.is_empty() {
        return String::new();
    }
    let mut totals: HashMap<(i64, &str), i64> = HashMap::new();
    for count in counts {
        *totals
            .entry((count.run_id, count.severity.as_str()))
            .or_insert(0) += count.count;
    }
    let count = |run: i64, severity: &str| totals.get(&(run, severity)).copied().unwrap_or(0);
    let (width, height, margin) = (600.0, 160.0, 30.0);
    let most = runs
        .iter()
        .flat_map(|r| [count(r.id, "error"), count(r.id, "warning")])
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |i: usize| run_x(i, runs.len(), width, margin);
    let y = |n: i64| height - margin - (height - 2.0 * margin) * n as f64 / most as f64;
    let mut out = format!(
        "<svg id=\"trend\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"findings by severity in each run\">\n<line x1=\"{margin}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\"/>\n",
        height - margin,
        width - margin,
        height - margin
    );
    for (severity, colour) in [("error", "#b42318"), ("warning", "#9a6700")] {
        let points: Vec<String> = runs
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(count(r.id, severity))))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"><title>{severity}s</title></polyline>",
            points.join(" ")
        );
        for (i, r) in runs.iter().enumerate() {
            let n = count(r.id, severity);
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>run {}: {n} {severity}s</title></circle>",
                x(i),
                y(n),
                r.id
            );
        }
    }
    run_labels(&mut out, runs, x, height - margin + 14.0);
    let _ = writeln!(
        out,
        "<text x=\"{margin}\" y=\"14\">errors (red) and warnings (amber) in each run; most {most}</text>\n</svg>"
    );
    out
}

/// Seconds since 1970 of a recorded `started_at` (`YYYY-MM-DDTHH:MM:SSZ`);
/// `None` for one the site cannot read.
fn run_seconds(started_at: &str) -> Option<i64> {
    let date = assure_model::Date::parse(started_at.get(..10)?).ok()?;
    let clock: Vec<i64> = started_at
        .get(11..19)?
        .split(':')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = clock[..] else { return None };
    Some(date.days() * 86_400 + h * 3600 + m * 60 + s)
}

/// A length of time as people say it: "under an hour", "5 hours", "3 days".
fn time_text(seconds: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match seconds {
        s if s < 3600 => "under an hour".to_owned(),
        s if s < 2 * 86_400 => plural(s / 3600, "hour"),
        s => plural(s / 86_400, "day"),
    }
}

/// Time to clear a stage: for each stage, how often a proposal that was
/// blocked or incomplete at it became ready or approved, how long that
/// took (from the first run that held it to the first that cleared it),
/// and which proposals are held there now and since when.
fn clearing_table(runs: &[RunSummary], history: &[ReadinessRow]) -> String {
    let Some(latest) = runs.last() else {
        return String::new();
    };
    let when: HashMap<i64, Option<i64>> = runs
        .iter()
        .map(|r| (r.id, run_seconds(&r.started_at)))
        .collect();
    // Partial, incomplete or blocked: not cleared.
    let held = |status: &str| standing_rank(status) >= standing_rank("partial");
    // (stage, path) -> the run since which it has been held, if it is.
    let mut since: HashMap<(&str, &str), i64> = HashMap::new();
    let mut stages: Vec<&str> = Vec::new();
    let mut cleared: HashMap<&str, Vec<i64>> = HashMap::new();
    for row in history {
        if !stages.contains(&row.stage.as_str()) {
            stages.push(&row.stage);
        }
        let key = (row.stage.as_str(), row.path.as_str());
        if held(&row.status) {
            since.entry(key).or_insert(row.run_id);
        } else if let Some(from) = since.remove(&key) {
            let (Some(Some(start)), Some(Some(end))) = (when.get(&from), when.get(&row.run_id))
            else {
                continue;
            };
            cleared.entry(key.0).or_default().push(end - start);
        }
    }
    let in_latest: std::collections::HashSet<(&str, &str)> = history
        .iter()
        .filter(|r| r.run_id == latest.id)
        .map(|r| (r.stage.as_str(), r.path.as_str()))
        .collect();
    let now = run_seconds(&latest.started_at).unwrap_or(0);
    let mut out = String::from(
        "<table id=\"clearing\"><thead><tr><th>Stage</th><th>Cleared</th><th>Median time to clear</th><th>Longest</th><th>Held now</th><th>Held longest</th></tr></thead><tbody>\n",
    );
    let longest_median = stages
        .iter()
        .filter_map(|stage| median(cleared.get(stage)?))
        .max()
        .unwrap_or(0)
        .max(1);
    for stage in &stages {
        let mut times = cleared.get(stage).cloned().unwrap_or_default();
        times.sort_unstable();
        let held_now: Vec<(&str, i64)> = since
            .iter()
            .filter(|((s, path), _)| s == stage && in_latest.contains(&(*s, *path)))
            .map(|((_, path), run)| (*path, *run))
            .collect();
        let oldest = held_now
            .iter()
            .filter_map(|(path, run)| Some((*path, now - (*when.get(run)?)?)))
            .max_by_key(|(path, age)| (*age, std::cmp::Reverse(*path)));
        let bar = median(&times).map_or(String::new(), |m| {
            format!(
                "<svg width=\"80\" height=\"10\" role=\"img\" aria-label=\"median\"><rect width=\"{:.0}\" height=\"10\" fill=\"#8fa8e8\"/></svg> ",
                (80 * m / longest_median).max(2)
            )
        });
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{bar}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(stage),
            times.len(),
            median(&times).map_or("—".to_owned(), time_text),
            times.last().map_or("—".to_owned(), |t| time_text(*t)),
            held_now.len(),
            oldest.map_or("—".to_owned(), |(path, age)| format!(
                "{} ({})",
                escape(path),
                time_text(age)
            ))
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

fn median(sorted_or_not: &[i64]) -> Option<i64> {
    let mut values = sorted_or_not.to_vec();
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// Findings by code over the runs: a line per code (the twenty most
/// common in the latest run, then overall), with a sparkline of its
/// count in every run.
fn codes_table(runs: &[RunSummary], counts: &[FindingCount]) -> String {
    let Some(latest) = runs.last() else {
        return String::new();
    };
    let position: HashMap<i64, usize> = runs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut by_code: HashMap<&str, (Vec<i64>, &str)> = HashMap::new();
    for count in counts {
        let Some(&at) = position.get(&count.run_id) else {
            continue;
        };
        let (series, severity) = by_code
            .entry(count.code.as_str())
            .or_insert_with(|| (vec![0; runs.len()], count.severity.as_str()));
        series[at] += count.count;
        *severity = count.severity.as_str();
    }
    let mut codes: Vec<(&str, Vec<i64>, &str)> = by_code
        .into_iter()
        .map(|(code, (series, severity))| (code, series, severity))
        .collect();
    codes.sort_by_key(|(code, series, _)| {
        (
            std::cmp::Reverse(series.last().copied().unwrap_or(0)),
            std::cmp::Reverse(series.iter().sum::<i64>()),
            *code,
        )
    });
    let mut out = format!(
        "<table id=\"codes-trend\"><thead><tr><th>Code</th><th>In run {}</th><th>Over {} runs</th></tr></thead><tbody>\n",
        latest.id,
        runs.len()
    );
    for (code, series, severity) in codes.iter().take(20) {
        let most = series.iter().copied().max().unwrap_or(0).max(1) as f64;
        let points: Vec<String> = series
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "{:.1},{:.1}",
                    run_x(i, series.len(), 120.0, 3.0),
                    21.0 - 18.0 * *n as f64 / most
                )
            })
            .collect();
        let now = series.last().copied().unwrap_or(0);
        let name = if now > 0 {
            format!(
                "<a href=\"codes/{}.html\">{}</a>",
                code_file(code),
                escape(code)
            )
        } else {
            escape(code)
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"{}\">{name}</td><td>{now}</td><td><svg width=\"120\" height=\"24\" role=\"img\" aria-label=\"{} in each run\"><polyline fill=\"none\" stroke=\"#1d2530\" stroke-width=\"1.5\" points=\"{}\"/></svg></td></tr>",
            escape(severity),
            escape(code),
            points.join(" ")
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The lines around a finding, from the file's line index: splitting the
/// text into lines for each finding made a page quadratic in its file.
fn snippet(text: &str, index: &LineIndex, line: i64, around: usize) -> String {
    let line = line.max(1) as usize;
    let first = line.saturating_sub(around).max(1);
    let last = (line + around.min(1)).min(index.line_count());
    let line_text = |number: usize| -> &str {
        let Some(start) = index.line_start(number as u32) else {
            return "";
        };
        let end = index
            .line_start(number as u32 + 1)
            .map_or(text.len(), |e| e as usize);
        text.get(start as usize..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    };
    let mut out = String::from("<pre>");
    for number in first..=last {
        let content = line_text(number);
        let shown: String = content.chars().take(200).collect();
        // A highlighted line is a block, which ends the line itself.
        let (class, end) = if number == line {
            (" class=\"hit\"", "")
        } else {
            ("", "\n")
        };
        let _ = write!(
            out,
            "<span{class}>{number:>4} │ {}</span>{end}",
            escape(&shown)
        );
    }
    out.push_str("</pre>");
    out
}

fn page(
    run: &RunSummary,
    file: &FileRecord,
    before: Option<&FileRecord>,
    has_previous: bool,
    checker: &Checker,
    graph: &str,
) -> String {
    let mut out = head(&format!("assure: {}", file.path), "../style.css");
    let _ = write!(
        out,
        "<p><a href=\"../index.html\">All proposals</a></p>\n<h1>{}</h1>\n<p class=\"muted\">{} · run {} at {}</p>\n",
        escape(&title(file, checker)),
        escape(&file.path),
        run.id,
        escape(&run.started_at)
    );
    out.push_str("<table id=\"readiness\"><tbody>");
    for (stage, status, errors) in &file.readiness {
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"{status}\">{}</td></tr>",
            escape(stage),
            escape(&readiness_text(file, stage, status, *errors))
        );
    }
    out.push_str("</tbody></table>\n<h2>Since the previous run</h2>\n<div id=\"changes\">");
    match (has_previous, before) {
        (false, _) => out.push_str("<p>This is the first run.</p>"),
        (true, None) => out.push_str("<p>This proposal is new in this run.</p>"),
        (true, Some(before)) => {
            let c = changes(before, file);
            if c.is_empty() {
                out.push_str("<p>No finding changed.</p>");
            }
            out.push_str("<ul>");
            for f in &c.new {
                let _ = write!(
                    out,
                    "<li class=\"new\">new: {} at line {}: {}</li>",
                    escape(&f.code),
                    f.line,
                    escape(&f.message)
                );
            }
            for f in &c.resolved {
                let _ = write!(
                    out,
                    "<li class=\"resolved\">resolved: {} (was at line {}): {}</li>",
                    escape(&f.code),
                    f.line,
                    escape(&f.message)
                );
            }
            for (old, new) in &c.moved {
                let _ = write!(
                    out,
                    "<li class=\"moved\">moved: {}{} from line {} to line {}</li>",
                    escape(&new.code),
                    new.entity
                        .as_deref()
                        .map_or(String::new(), |e| format!(" ({})", escape(e))),
                    old.line,
                    new.line
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</div>\n");
    out.push_str(&not_assessed_section(file));
    out.push_str(&findings_section(file, checker));
    out.push_str("<h2>Graph</h2>\n");
    out.push_str(graph);
    out.push_str("\n</body></html>\n");
    out
}

/// What could not be assessed: each active finding that says a rule could
/// not judge something, or "everything was assessed".
fn not_assessed_section(file: &FileRecord) -> String {
    let mut out = String::from("<h2>Not assessed</h2>\n<div id=\"not-assessed\">");
    let unjudged: Vec<&FindingRecord> = active(file)
        .filter(|f| assure_diagnostic::codes::is_not_assessed(&f.code))
        .collect();
    if unjudged.is_empty() {
        out.push_str("<p>Every rule judged everything it looks at.</p>");
    } else {
        out.push_str("<ul>");
        for f in unjudged {
            let _ = write!(
                out,
                "<li><a href=\"../codes/{}.html\">{}</a> at line {}{}: {}</li>",
                code_file(&f.code),
                escape(&f.code),
                f.line,
                f.stage
                    .as_deref()
                    .map_or(String::new(), |s| format!(" ({})", escape(s))),
                escape(&f.message)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
    out
}

/// The findings, grouped by stage in the order the stages come (the
/// structural ones first): each with its code and rule name, message,
/// snippet, every labelled place and its help.
fn findings_section(file: &FileRecord, checker: &Checker) -> String {
    let mut out = String::from("<h2>Findings</h2>\n<div id=\"findings\">");
    if file.findings.is_empty() {
        out.push_str("<p>No findings.</p></div>\n");
        return out;
    }
    // A stage's place: its readiness row (shown `pack: stage` when packs
    // have their own), structural findings first, a stage without a row
    // last.
    let place = |stage: Option<&str>| match stage {
        None => 0,
        Some(stage) => file
            .readiness
            .iter()
            .position(|(label, _, _)| label == stage || label.ends_with(&format!(": {stage}")))
            .map_or(usize::MAX, |at| at + 1),
    };
    let mut order: Vec<&FindingRecord> = file.findings.iter().collect();
    order.sort_by_key(|f| (place(f.stage.as_deref()), f.stage.clone()));
    let index = LineIndex::new(&file.text);
    let mut group: Option<Option<&str>> = None;
    for finding in order {
        let stage = finding.stage.as_deref();
        if group != Some(stage) {
            let _ = writeln!(
                out,
                "<h3 class=\"stage\">{}</h3>",
                stage.map_or("Structure".to_owned(), |s| format!("Stage {}", escape(s)))
            );
            group = Some(stage);
        }
        let name = checker
            .rules()
            .rule(&finding.code)
            .map(|rule| rule.name.as_str())
            .or_else(|| assure_diagnostic::codes::lookup(&finding.code).map(|c| c.name))
            .map_or(String::new(), |n| format!(" {}", escape(n)));
        let suppressed = finding.suppressed.as_ref().map_or(String::new(), |r| {
            format!(" <span class=\"muted\">(suppressed: {})</span>", escape(r))
        });
        let _ = write!(
            out,
            "<div class=\"finding\"><h4 class=\"{}\"><a href=\"../codes/{}.html\">{}</a>{name} · {} at line {}{suppressed}</h4><p>{}</p>{}",
            escape(&finding.severity),
            code_file(&finding.code),
            escape(&finding.code),
            escape(&finding.severity),
            finding.line,
            escape(&finding.message),
            snippet(&file.text, &index, finding.line, 2)
        );
        for label in &finding.labels {
            let _ = write!(
                out,
                "<p class=\"label\">line {}: {}</p>{}",
                label.line,
                escape(&label.message),
                snippet(&file.text, &index, label.line, 0)
            );
        }
        if let Some(help) = &finding.help {
            let _ = write!(out, "<p class=\"help\">What to do: {}</p>", escape(help));
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    out
}

/// The proposal's graph as an SVG picture (`assure_report::graph::svg`),
/// the entities its active findings point at outlined, in a frame that
/// scrolls on a narrow screen.
fn picture(file: &FileRecord, model: &assure_model::Model<'_>, checker: &Checker) -> String {
    const MAX_NODES: usize = 300;
    let entities = model.entities().len();
    if entities == 0 {
        return "<p>No entities.</p>".to_owned();
    }
    if entities > MAX_NODES {
        return format!(
            "<p>{entities} entities: too many to draw; use <code>assure graph --format dot</code>.</p>"
        );
    }
    let involved: std::collections::HashSet<&str> =
        active(file).filter_map(|f| f.entity.as_deref()).collect();
    format!(
        "<div class=\"graph\">{}</div>",
        assure_report::graph::svg(model, checker.vocabulary(), &|name| involved.contains(name))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: i64, started_at: &str) -> RunSummary {
        RunSummary {
            id,
            started_at: started_at.to_owned(),
            tool: "0.1.0".to_owned(),
            git_commit: None,
            files: 2,
            findings: 0,
            scope: String::new(),
        }
    }

    fn row(run_id: i64, path: &str, stage: &str, status: &str) -> ReadinessRow {
        ReadinessRow {
            run_id,
            path: path.to_owned(),
            stage: stage.to_owned(),
            status: status.to_owned(),
        }
    }

    #[test]
    fn time_to_clear_runs_from_the_first_run_held_to_the_first_cleared() {
        let runs = [
            run(1, "2026-11-01T09:00:00Z"),
            run(2, "2026-11-04T09:00:00Z"),
            run(3, "2026-11-11T15:00:00Z"),
        ];
        let history = [
            // a: held at the gate in runs 1 and 2, cleared in 3 (10 days 6 hours).
            row(1, "a", "gate", "blocked"),
            row(2, "a", "gate", "incomplete"),
            row(3, "a", "gate", "ready"),
            // b: cleared in 2 (3 days), held again from 3.
            row(1, "b", "gate", "blocked"),
            row(2, "b", "gate", "approved"),
            row(3, "b", "gate", "blocked"),
            // c: held since 1, then removed: not held now.
            row(1, "c", "gate", "blocked"),
        ];
        assert_eq!(
            clearing_table(&runs, &history),
            "<table id=\"clearing\"><thead><tr><th>Stage</th><th>Cleared</th><th>Median time to clear</th><th>Longest</th><th>Held now</th><th>Held longest</th></tr></thead><tbody>\n\
             <tr><td>gate</td><td>2</td><td><svg width=\"80\" height=\"10\" role=\"img\" aria-label=\"median\"><rect width=\"80\" height=\"10\" fill=\"#8fa8e8\"/></svg> 10 days</td><td>10 days</td><td>1</td><td>b (under an hour)</td></tr>\n\
             </tbody></table>\n"
        );
    }

    #[test]
    fn codes_are_listed_by_their_count_in_the_latest_run() {
        let runs = [
            run(1, "2026-11-01T09:00:00Z"),
            run(2, "2026-11-02T09:00:00Z"),
        ];
        let count = |run_id, code: &str, count| FindingCount {
            run_id,
            code: code.to_owned(),
            severity: "error".to_owned(),
            count,
        };
        let table = codes_table(
            &runs,
            &[
                count(1, "CAP001", 4),
                count(1, "PFI001", 1),
                count(2, "PFI001", 2),
            ],
        );
        assert_eq!(
            table,
            "<table id=\"codes-trend\"><thead><tr><th>Code</th><th>In run 2</th><th>Over 2 runs</th></tr></thead><tbody>\n\
             <tr><td class=\"error\"><a href=\"codes/PFI001.html\">PFI001</a></td><td>2</td><td><svg width=\"120\" height=\"24\" role=\"img\" aria-label=\"PFI001 in each run\"><polyline fill=\"none\" stroke=\"#1d2530\" stroke-width=\"1.5\" points=\"3.0,12.0 117.0,3.0\"/></svg></td></tr>\n\
             <tr><td class=\"error\">CAP001</td><td>0</td><td><svg width=\"120\" height=\"24\" role=\"img\" aria-label=\"CAP001 in each run\"><polyline fill=\"none\" stroke=\"#1d2530\" stroke-width=\"1.5\" points=\"3.0,3.0 117.0,21.0\"/></svg></td></tr>\n\
             </tbody></table>\n"
        );
    }

    #[test]
    fn a_proposal_stands_where_its_worst_stage_stands() {
        let history = [
            row(1, "a", "one", "approved"),
            row(1, "a", "two", "incomplete"),
            row(1, "b", "one", "blocked"),
            row(1, "b", "two", "ready"),
            row(1, "c", "one", "approved"),
            row(1, "c", "two", "unheard-of"),
            row(1, "d", "one", "ready"),
            row(1, "d", "two", "partial"),
        ];
        let mut tally: Vec<_> = standings(&history).into_iter().collect();
        tally.sort_unstable();
        // partial (3): d; incomplete (4): a; blocked (5): b, and c, whose
        // status is unknown.
        assert_eq!(tally, [((1, 3), 1), ((1, 4), 1), ((1, 5), 2)]);
    }
}
