//! `cargo xtask scaling`: every input shape that has ever been quadratic,
//! and the packs' functions, checked at a size and at four times it. Time
//! that grows more than [`MAX_RATIO`] times for four times the input is
//! not linear (quadratic grows sixteen), and fails the task.
//!
//! A benchmark, not a test: it measures time, in a release build, on a
//! machine that may be busy, so each figure is the least of three runs and
//! the bound sits well between linear (4) and quadratic (16).

use assure_check::Checker;
use assure_rules::{PackSource, RuleSet, Settings};
use assure_vocab::Vocabulary;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The most a shape's time may grow for four times its size.
const MAX_RATIO: f64 = 9.0;

/// A shape: a proposal of size `n`, checked with the default pack and, if
/// given, a pack of one rule.
struct Shape {
    name: &'static str,
    /// The size measured first; four times it is measured next.
    n: usize,
    proposal: fn(usize) -> String,
    rule: Option<&'static str>,
}

/// `n` organisations, each owned by the next, named `Org i`.
fn organisations(n: usize) -> String {
    let mut text = String::from("proposal: P\nmodel: other\n\n# Organisations\n");
    for i in 0..n {
        let _ = write!(
            text,
            "\n## Org {i}\nkind: llp\nturnover: £{}m/yr\nowned-by: Org {} (100%)\n",
            i % 97 + 1,
            (i + 1) % n
        );
    }
    text
}

fn one_line(prefix: &str, item: &str, n: usize) -> String {
    format!("proposal: P\nmodel: other\n{prefix}{}\n", item.repeat(n))
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "placeholders on one line",
        n: 100_000,
        proposal: |n| one_line("notes: ", "<<a>>", n),
        rule: None,
    },
    Shape {
        name: "references on one line",
        n: 50_000,
        proposal: |n| {
            let mut text = organisations(10);
            text.push_str("\n## Fed\nkind: gp-federation\nmembers: ");
            text.push_str(&vec!["Org 1"; n].join(", "));
            text.push('\n');
            text
        },
        rule: None,
    },
    Shape {
        name: "unknown names on one line",
        n: 50_000,
        proposal: |n| {
            let mut text = organisations(2);
            text.push_str("\n## Fed\nkind: gp-federation\nmembers: ");
            let names: Vec<String> = (0..n).map(|i| format!("Nobody {i}")).collect();
            text.push_str(&names.join(", "));
            text.push('\n');
            text
        },
        rule: None,
    },
    Shape {
        name: "a run of comments",
        n: 50_000,
        proposal: |n| {
            format!(
                "proposal: P\n{}model: other\n",
                "<!-- a note -->\n".repeat(n)
            )
        },
        rule: None,
    },
    Shape {
        name: "a run of directives",
        n: 50_000,
        proposal: |n| {
            format!(
                "proposal: P\n{}model: other\n",
                "<!-- assure-allow: CAP001 guaranteed -->\n".repeat(n)
            )
        },
        rule: None,
    },
    Shape {
        name: "unclosed comments",
        n: 50_000,
        proposal: |n| format!("proposal: P\nmodel: other\n{}", "<!-- open\n".repeat(n)),
        rule: None,
    },
    Shape {
        name: "one entity's duplicate fields",
        n: 50_000,
        proposal: |n| {
            let mut text = organisations(1);
            text.push_str(&"turnover: £1m/yr\n".repeat(n));
            text
        },
        rule: None,
    },
    Shape {
        name: "continuation lines",
        n: 50_000,
        proposal: |n| {
            format!(
                "proposal: P\nmodel: other\nnotes: a\n{}",
                "  and more\n".repeat(n)
            )
        },
        rule: None,
    },
    Shape {
        name: "lone carriage returns",
        n: 100_000,
        proposal: |n| format!("proposal: P\rmodel: other\r{}", "prose\r".repeat(n)),
        rule: None,
    },
    Shape {
        name: "a long prose line",
        n: 1_000_000,
        proposal: |n| one_line("", "word ", n),
        rule: None,
    },
    Shape {
        name: "an ownership cycle",
        n: 2_000,
        proposal: organisations,
        rule: None,
    },
    Shape {
        name: "unique() of names",
        n: 2_000,
        proposal: organisations,
        rule: Some("when = \"count(unique([o.name for o in organisations])) > 0\""),
    },
    Shape {
        name: "a name searched in every name",
        n: 2_000,
        proposal: organisations,
        rule: Some(
            "let.names = \"[p.name for p in organisations]\"\nwhen = \"count([o for o in organisations if o.name in names]) > 0\"",
        ),
    },
    Shape {
        name: "intersects() of names",
        n: 2_000,
        proposal: organisations,
        rule: Some(
            "let.names = \"[p.name for p in organisations]\"\nwhen = \"count([o for o in organisations if intersects(names, list(o.name))]) > 0\"",
        ),
    },
    Shape {
        name: "lists compared",
        n: 2_000,
        proposal: organisations,
        rule: Some(
            "let.names = \"[p.name for p in organisations]\"\nwhen = \"names == [p.name for p in organisations]\"",
        ),
    },
    Shape {
        name: "unique() of amounts",
        n: 2_000,
        proposal: organisations,
        rule: Some("when = \"count(unique([o.turnover for o in organisations])) > 0\""),
    },
    Shape {
        name: "closure() along ownership",
        n: 2_000,
        proposal: organisations,
        rule: Some("when = \"count(closure(organisations, x => referrers(x, owned-by))) > 0\""),
    },
    Shape {
        name: "sum() and count() of turnovers",
        n: 2_000,
        proposal: organisations,
        rule: Some(
            "when = \"sum([o.turnover for o in organisations]) > £1m/yr and count(organisations) > 0\"",
        ),
    },
];

/// Runs every shape (or those whose names hold `only`), prints a table,
/// and fails if one grows faster than linear.
pub fn run(only: Option<&str>) -> Result<(), String> {
    let default = RuleSet::default_set().map_err(|_| "the default pack does not load")?;
    let mut failed = Vec::new();
    println!("| shape | n | time at n | time at 4n | ratio |");
    println!("|---|---:|---:|---:|---:|");
    for shape in SHAPES {
        if only.is_some_and(|only| !shape.name.contains(only)) {
            continue;
        }
        let checker = match shape.rule {
            None => Checker::new(default.clone()),
            Some(rule) => Checker::new(with_rule(rule)?),
        };
        let small = least_of_three(&checker, &(shape.proposal)(shape.n));
        let large = least_of_three(&checker, &(shape.proposal)(4 * shape.n));
        // Below a millisecond the ratio is noise.
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-3);
        println!(
            "| {} | {} | {:.1} ms | {:.1} ms | {ratio:.1} |",
            shape.name,
            shape.n,
            small.as_secs_f64() * 1e3,
            large.as_secs_f64() * 1e3
        );
        if ratio > MAX_RATIO {
            failed.push(shape.name);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "grew more than {MAX_RATIO} times for four times the input: {}",
            failed.join(", ")
        ))
    }
}

fn least_of_three(checker: &Checker, text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(checker.check("scaling.proposal", text.as_bytes()));
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The default pack and a pack of one rule, `rule` its lines after the
/// rule's header.
fn with_rule(rule: &str) -> Result<RuleSet, String> {
    let message = if rule.contains("message =") {
        ""
    } else {
        "\nmessage = \"m\""
    };
    let pack = format!(
        "[pack]\nname = \"scaling\"\nversion = \"1\"\n\n[[rules]]\ncode = \"LOC001\"\nname = \"s\"\nstage = \"case-for-change\"\nseverity = \"warning\"\nsummary = \"s\"\nsource = \"s\"\n{rule}{message}\n"
    );
    let sources = [
        assure_rules::default_pack(),
        PackSource {
            path: "scaling.toml".to_owned(),
            text: pack,
        },
    ];
    assure_rules::load(&sources, Vocabulary::core(), &Settings::default()).map_err(|errors| {
        errors
            .iter()
            .flat_map(|e| e.diagnostics.iter().map(|d| d.message.clone()))
            .collect::<Vec<_>>()
            .join("; ")
    })
}
