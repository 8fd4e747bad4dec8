//! The static report site of `assure report`: an overview of every
//! proposal's readiness, with charts of the history, a page per proposal
//! with its findings, source snippets, graph and changes since the
//! previous run, and a page per code. Plain HTML and CSS with relative
//! links, so it works from the file system with no server; one small
//! script filters and sorts the overview.
//!
//! The crate reads the history ([`assure_store::History`]) and the checker
//! it is given, and writes nothing itself: pages go to a [`Sink`], which
//! the CLI backs with a folder written beside the old site and exchanged
//! for it in one step. What it shows of a proposal (its title, who owns
//! it) is named by the vocabulary's `[shown]`, never in Rust. Its styles
//! and script are files of their own (`assets/`), embedded at build time.

mod charts;
mod index;
mod page;

use assure_check::changes::{Key, Partition, partition};
use assure_check::{Checker, Readiness, Status};
use assure_diagnostic::LineIndex;
use assure_report::escape_markup as escape;
use assure_store::{FileRecord, FindingCount, FindingRecord, History, ReadinessRow, RunSummary};
use assure_vocab::{HEADER, Owner};
use charts::*;
use index::*;
use page::*;
use std::collections::HashMap;
use std::fmt::Write as _;

/// The site's styles.
const STYLE: &str = include_str!("../assets/style.css");

/// Where the site's files go: folders and files by path relative to the
/// site's root, `/`-separated.
pub trait Sink {
    /// Makes a folder.
    fn dir(&mut self, relative: &str) -> Result<(), String>;
    /// Writes a file whole.
    fn file(&mut self, relative: &str, bytes: &[u8]) -> Result<(), String>;
}

/// Builds the site for `run_id` of `store` into `folder`: `explain` gives
/// what a code means (as `assure explain` says it), for the code pages.
pub fn build(
    store: &mut dyn History,
    run_id: i64,
    checker: &Checker,
    explain: &dyn Fn(&str) -> Option<String>,
    folder: &mut dyn Sink,
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
        let Some(text) = explain(code) else {
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
        let html = page(run, file, before, previous.is_some(), checker, modelled);
        folder.file(&format!("p/{}.html", slug(&file.path)), html.as_bytes())?;
    }
    Ok(())
}

/// A stage's readiness as `lint` words it: `blocked (2 errors)`,
/// `incomplete (1 not assessed)`, `ready`.
pub(crate) fn readiness_text(file: &FileRecord, stage: &str, status: &str, errors: i64) -> String {
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
pub(crate) fn code_file(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// The proposal's title: its header's title field (the vocabulary's
/// `[shown] title`), as written, else its path.
pub(crate) fn title(file: &FileRecord, checker: &Checker) -> String {
    let modelled = checker.model(&file.text);
    title_of(file, &modelled.model, checker)
}

pub(crate) fn title_of(
    file: &FileRecord,
    model: &assure_model::Model<'_>,
    checker: &Checker,
) -> String {
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
pub(crate) fn slug(path: &str) -> String {
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
pub(crate) fn not_assessed(file: &FileRecord, stage: &str) -> usize {
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

pub(crate) fn active(file: &FileRecord) -> impl Iterator<Item = &FindingRecord> {
    file.findings.iter().filter(|f| f.suppressed.is_none())
}

/// The file's active findings, keyed for matching across runs.
pub(crate) fn keyed(file: &FileRecord) -> Vec<(Key, &FindingRecord)> {
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
pub(crate) fn changes<'a>(
    before: &'a FileRecord,
    after: &'a FileRecord,
) -> Partition<&'a FindingRecord> {
    partition(&keyed(before), &keyed(after))
}

pub(crate) fn head(title: &str, css: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><link rel=\"stylesheet\" href=\"{css}\"></head><body>\n",
        escape(title)
    )
}

/// What the site shows of a proposal's model: its title, the names its
/// owner fields (the vocabulary's `[shown] owner`, `commissioner`) refer
/// to, each once in the order they come, and its graph as a picture.
pub(crate) struct Modelled {
    pub(crate) title: String,
    pub(crate) commissioners: Vec<String>,
    pub(crate) graph: String,
}

impl Modelled {
    pub(crate) fn of(file: &FileRecord, checker: &Checker) -> Modelled {
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
pub(crate) fn options<'v>(every: &str, values: impl Iterator<Item = &'v str>) -> String {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    let mut out = format!("<option value=\"\">{every}</option>");
    for value in values {
        let _ = write!(out, "<option>{}</option>", escape(value));
    }
    out
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
