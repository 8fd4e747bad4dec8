//! Criterion benchmarks of each stage of the pipeline (parse, model, rules)
//! and the whole check, on generated proposals of 1k and 10k entities.
//! `cargo bench -p assure-check`; `cargo xtask bench` gives the table of
//! every size up to 1M and the end-to-end figures.

use assure_check::Checker;
use assure_rules::{Options, RuleSet};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn stages(c: &mut Criterion) {
    let rules = RuleSet::default_set().unwrap_or_else(|_| panic!("the default pack loads"));
    let checker = Checker::new(rules.clone());
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    for entities in [1_000, 10_000] {
        let text = assure_gen::proposal(entities, 1);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", entities), &text, |b, text| {
            b.iter(|| assure_syntax::parse(black_box(text)));
        });
        let parse = assure_syntax::parse(&text);
        // The model consumes its tree: each run gets a copy, made untimed.
        group.bench_with_input(BenchmarkId::new("model", entities), &text, |b, text| {
            b.iter_batched(
                || parse.file.clone(),
                |tree| assure_model::build(black_box(text), tree, &rules.vocabulary),
                BatchSize::LargeInput,
            );
        });
        let (model, _) = assure_model::build(&text, parse.file.clone(), &rules.vocabulary);
        group.bench_with_input(BenchmarkId::new("rules", entities), &model, |b, model| {
            b.iter(|| rules.evaluate(black_box(model), &Options::default()));
        });
        group.bench_with_input(BenchmarkId::new("check", entities), &text, |b, text| {
            b.iter(|| checker.check("bench.proposal", black_box(text.as_bytes())));
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
