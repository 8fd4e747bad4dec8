//! `cargo xtask bench`: wall-clock timings of each stage of the pipeline on
//! generated proposals, the median of several runs, printed as a Markdown
//! table.

use assure_check::Checker;
use assure_rules::{Options, RuleSet};
use std::time::{Duration, Instant};

/// Runs the benchmarks and prints the tables.
pub fn run(quick: bool) -> Result<(), String> {
    stages(quick)?;
    end_to_end(quick)
}

/// Times of each stage, in process.
fn stages(quick: bool) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let checker = Checker::new(rules.clone());
    println!(
        "| entities | size | parse | model | parse + model | rules | check (all) | findings |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    for &entities in sizes {
        let text = assure_gen::proposal(entities, 1);
        let runs = match (quick, entities) {
            (true, _) => 3,
            (false, 1_000_000) => 3,
            (false, 100_000) => 7,
            (false, _) => 21,
        };
        let parse = median(runs, || {
            std::hint::black_box(assure_syntax::parse(&text));
        });
        let parsed = assure_syntax::parse(&text);
        // The model consumes its tree: each run gets a copy, made untimed.
        let model = median_of(
            runs,
            || parsed.file.clone(),
            |tree| {
                std::hint::black_box(assure_model::build(&text, tree, &rules.vocabulary));
            },
        );
        let (built, _) = assure_model::build(&text, parsed.file.clone(), &rules.vocabulary);
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
    crate::docx_bench::run(&checker, quick)
}

pub(crate) fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    median_of(runs, || (), |()| f())
}

/// The median time of `f` over `runs` runs, each given what `setup` makes
/// (untimed).
fn median_of<T>(runs: usize, mut setup: impl FnMut() -> T, mut f: impl FnMut(T)) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            f(input);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

pub(crate) fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

/// The time each rule takes on a generated proposal of `entities`.
pub fn per_rule(entities: usize) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let text = assure_gen::proposal(entities, 1);
    let parsed = assure_syntax::parse(&text);
    let (built, _) = assure_model::build(&text, parsed.file, &rules.vocabulary);
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

/// Runs one stage on a proposal of `entities` entities in a loop for about
/// five seconds.
pub fn only(stage: &str, entities: usize) -> Result<(), String> {
    let rules = RuleSet::default_set().map_err(|_| "the default pack does not load".to_owned())?;
    let text = assure_gen::proposal(entities, 1);
    let parsed = assure_syntax::parse(&text);
    let (built, _) = assure_model::build(&text, parsed.file.clone(), &rules.vocabulary);
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(5) {
        match stage {
            "parse" => drop(std::hint::black_box(assure_syntax::parse(&text))),
            "model" => drop(std::hint::black_box(assure_model::build(
                &text,
                parsed.file.clone(),
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

/// The release `assure` binary, built if need be.
pub fn assure_binary() -> Result<std::path::PathBuf, String> {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "assure"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build --release --bin assure failed".to_owned());
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Ok(root.join("target/release/assure"))
}

/// Runs `assure` with `args`, its output discarded; wall time and, where
/// `/usr/bin/time` exists, peak resident memory in MiB.
pub(crate) fn run_assure(
    binary: &std::path::Path,
    args: &[&std::ffi::OsStr],
    memory: bool,
) -> Result<(Duration, Option<f64>), String> {
    let timer = std::path::Path::new("/usr/bin/time");
    let mut command = if memory && timer.exists() {
        let mut c = std::process::Command::new(timer);
        c.args(["-f", "%M"]).arg(binary);
        c
    } else {
        std::process::Command::new(binary)
    };
    command
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run assure: {e}"))?;
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    Ok((elapsed, peak))
}

/// `assure lint` as a user runs it, against parsing the same data exported
/// as JSON with serde_json; a directory of 10,000 small files; start-up.
fn end_to_end(quick: bool) -> Result<(), String> {
    let binary = assure_binary()?;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    println!();
    println!(
        "| entities | assure lint (end to end) | peak memory | serde_json parse of the export | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|");
    let sizes: &[usize] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let mut previous: Option<(usize, Duration)> = None;
    let mut growth = Vec::new();
    for &entities in sizes {
        let file = dir.join(format!("gen-{entities}.proposal"));
        std::fs::write(&file, assure_gen::proposal(entities, 1)).map_err(|e| e.to_string())?;
        let runs = if entities >= 1_000_000 || quick { 3 } else { 5 };
        let mut times = Vec::new();
        let mut peak = None;
        for _ in 0..runs {
            let (time, memory) = run_assure(
                &binary,
                &[
                    "lint".as_ref(),
                    "-q".as_ref(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    file.as_os_str(),
                ],
                true,
            )?;
            times.push(time);
            // The peak over all runs, not the last run's.
            peak = match (peak, memory) {
                (Some(a), Some(b)) => Some(f64::max(a, b)),
                (a, b) => a.or(b),
            };
        }
        times.sort();
        let lint = times[times.len() / 2];
        let export = std::process::Command::new(&binary)
            .args(["export", "--format", "json"])
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?;
        let json = String::from_utf8(export.stdout).map_err(|e| e.to_string())?;
        let parse = median(runs, || {
            std::hint::black_box(serde_json::from_str::<serde_json::Value>(&json).ok());
        });
        println!(
            "| {entities} | {} | {} | {} ({:.1} MB of JSON) | {:.2}× |",
            ms(lint),
            peak.map_or("n/a".to_owned(), |p| format!("{p:.0} MiB")),
            ms(parse),
            json.len() as f64 / 1e6,
            lint.as_secs_f64() / parse.as_secs_f64()
        );
        if let Some((before, time)) = previous {
            growth.push(format!(
                "{before}→{entities}: ×{:.1}",
                lint.as_secs_f64() / time.as_secs_f64()
            ));
        }
        previous = Some((entities, lint));
    }
    println!(
        "\nGrowth of end-to-end time per tenfold entities: {}",
        growth.join(", ")
    );

    // 10,000 small proposals in one directory.
    let many = dir.join("many");
    if !many.join("p9999.proposal").exists() {
        std::fs::create_dir_all(&many).map_err(|e| e.to_string())?;
        for i in 0..10_000u64 {
            std::fs::write(
                many.join(format!("p{i:04}.proposal")),
                assure_gen::proposal(12, i),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    let mut times = Vec::new();
    for _ in 0..3 {
        times.push(
            run_assure(
                &binary,
                &[
                    "lint".as_ref(),
                    "-q".as_ref(),
                    "--format".as_ref(),
                    "json".as_ref(),
                    many.as_os_str(),
                ],
                false,
            )?
            .0,
        );
    }
    times.sort();
    println!("\n10,000 small proposals in a directory: {}", ms(times[1]));
    let small = dir.join("many/p0000.proposal");
    let mut times = Vec::new();
    for _ in 0..21 {
        times.push(
            run_assure(
                &binary,
                &["lint".as_ref(), "-q".as_ref(), small.as_os_str()],
                false,
            )?
            .0,
        );
    }
    times.sort();
    println!(
        "Start-up, `assure lint` on one small file: {}",
        ms(times[10])
    );
    Ok(())
}
