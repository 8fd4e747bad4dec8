//! The history's charts and tables, drawn by hand as SVG: findings by
//! severity and proposals by readiness, run by run; the time each stage
//! took to clear; the findings of each code.

use super::*;

/// The x of run `i` of `n` in a chart `width` wide: one run in the middle.
pub(crate) fn run_x(i: usize, n: usize, width: f64, margin: f64) -> f64 {
    if n <= 1 {
        width / 2.0
    } else {
        margin + (width - 2.0 * margin) * i as f64 / (n - 1) as f64
    }
}

/// "run N" under the runs, every so many so that labels never overlap.
pub(crate) fn run_labels(out: &mut String, runs: &[RunSummary], x: impl Fn(usize) -> f64, y: f64) {
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
pub(crate) const STANDINGS: [(&str, &str); 6] = [
    ("not-applicable", "#dddddd"),
    ("approved", "#74c69d"),
    ("ready", "#8fa8e8"),
    ("partial", "#b7b7c9"),
    ("incomplete", "#f2c94c"),
    ("blocked", "#e5736b"),
];

/// A status's place in [`STANDINGS`]; one the site does not know counts
/// as blocked, never as better than it is.
pub(crate) fn standing_rank(status: &str) -> usize {
    STANDINGS
        .iter()
        .position(|(name, _)| *name == status)
        .unwrap_or(STANDINGS.len() - 1)
}

/// How many proposals of each run stand where: blocked at some stage,
/// else incomplete, else partial, else ready, else approved throughout.
pub(crate) fn standings(history: &[ReadinessRow]) -> HashMap<(i64, usize), usize> {
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
pub(crate) fn readiness_chart(runs: &[RunSummary], history: &[ReadinessRow]) -> String {
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
pub(crate) fn trend_chart(runs: &[RunSummary], counts: &[FindingCount]) -> String {
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
pub(crate) fn run_seconds(started_at: &str) -> Option<i64> {
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
pub(crate) fn time_text(seconds: i64) -> String {
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
pub(crate) fn clearing_table(runs: &[RunSummary], history: &[ReadinessRow]) -> String {
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

pub(crate) fn median(sorted_or_not: &[i64]) -> Option<i64> {
    let mut values = sorted_or_not.to_vec();
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

/// Findings by code over the runs: a line per code (the twenty most
/// common in the latest run, then overall), with a sparkline of its
/// count in every run.
pub(crate) fn codes_table(runs: &[RunSummary], counts: &[FindingCount]) -> String {
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
