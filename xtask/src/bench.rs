//! `cargo xtask bench`: wall-clock timings of each stage of the pipeline on
//! generated proposals, the median of several runs, printed as a Markdown
//! table.

use assure_check::Checker;
use assure_rules::{Options, RuleSet};
use std::time::{Duration, Instant};

/// Runs the benchmarks and prints the table.
pub fn run(quick: bool) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let checker = Checker::new(rules.clone());
    println!(
        "| entities | size | parse | model | parse + model | rules | check (all) | findings |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for entities in [1_000, 10_000, 100_000] {
        let text = assure_gen::proposal(entities, 1);
        let runs = match (quick, entities) {
            (true, _) => 3,
            (false, 100_000) => 7,
            (false, _) => 21,
        };
        let parse = median(runs, || {
            std::hint::black_box(assure_syntax::parse(&text));
        });
        let parsed = assure_syntax::parse(&text);
        let model = median(runs, || {
            std::hint::black_box(assure_model::build(&text, &parsed, &rules.vocabulary));
        });
        let (built, _) = assure_model::build(&text, &parsed, &rules.vocabulary);
        let evaluate = median(runs, || {
            std::hint::black_box(rules.evaluate(&built, &Options::default()));
        });
        let check = median(runs, || {
            std::hint::black_box(checker.check("bench.proposal", text.as_bytes()));
        });
        let findings = checker
            .check("bench.proposal", text.as_bytes())
            .findings
            .len();
        let megabytes = text.len() as f64 / 1e6;
        let front = parse + model;
        println!(
            "| {entities} | {megabytes:.1} MB | {} | {} | {} ({:.0} MB/s) | {} | {} | {findings} |",
            ms(parse),
            ms(model),
            ms(front),
            megabytes / front.as_secs_f64(),
            ms(evaluate),
            ms(check),
        );
    }
    Ok(())
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

/// The time each rule takes on a generated proposal of `entities`.
pub fn per_rule(entities: usize) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let text = assure_gen::proposal(entities, 1);
    let parsed = assure_syntax::parse(&text);
    let (built, _) = assure_model::build(&text, &parsed, &rules.vocabulary);
    let mut rows = Vec::new();
    for rule in &rules.rules {
        let mut one = rules.clone();
        one.rules.retain(|r| r.code == rule.code);
        let time = median(5, || {
            std::hint::black_box(one.evaluate(&built, &Options::default()));
        });
        rows.push((time, rule.code.clone()));
    }
    rows.sort();
    for (time, code) in rows.iter().rev() {
        println!("{code:8} {}", ms(*time));
    }
    Ok(())
}

/// Runs one stage in a loop for about five seconds.
pub fn only(stage: &str) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let text = assure_gen::proposal(100_000, 1);
    let parsed = assure_syntax::parse(&text);
    let (built, _) = assure_model::build(&text, &parsed, &rules.vocabulary);
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(5) {
        match stage {
            "parse" => drop(std::hint::black_box(assure_syntax::parse(&text))),
            "model" => drop(std::hint::black_box(assure_model::build(
                &text,
                &parsed,
                &rules.vocabulary,
            ))),
            "rules" => drop(std::hint::black_box(
                rules.evaluate(&built, &Options::default()),
            )),
            other => {
                return Err(format!(
                    "unknown stage `{other}`: use parse, model or rules"
                ));
            }
        }
        runs += 1;
    }
    println!("{stage}: {runs} runs, {} each", ms(start.elapsed() / runs));
    Ok(())
}
