//! Benchmarks of the model's hot systems and of whole ticks: `cargo bench --bench model`.
//!
//! Worlds are built from `configs/2026.ron` at a chosen scale and stepped a few weeks, so that
//! tables, prices and sales are warm; a benchmark then reruns one system on that world (the
//! systems are idempotent enough for that: they recompute the week from the same state) or
//! steps whole ticks. A system is registered once and rerun, so that its own buffers (the
//! shopper queues) persist from run to run as they do from week to week in a simulation. Threads: all cores, or `BENCH_THREADS=n`; scenario: `configs/2026.ron`,
//! or `BENCH_CONFIG=path`. On a busy machine, `BENCH_THREADS=1 BENCH_CPU=1` times the CPU the
//! benchmark thread used instead of wall time (Linux). docs/PERFORMANCE.md lists the results.

use criterion::{Bencher, Criterion, Throughput, criterion_group, criterion_main};
use crossborder_sim::config;
use crossborder_sim::model::{Simulation, init_threads, ranking, sellers, settlement, shopping};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// Weeks stepped before measuring (the seller population turns over and its heap data scatters,
/// as in a real run).
const WARM_WEEKS: u32 = 26;

/// CPU time of the calling thread so far (Linux), if `BENCH_CPU` is set.
fn thread_cpu() -> Option<Duration> {
    std::env::var_os("BENCH_CPU")?;
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(text.split_whitespace().next()?.parse().ok()?))
}

/// Times `f`: wall time, or with `BENCH_CPU` the calling thread's CPU time.
fn measure(b: &mut Bencher, mut f: impl FnMut()) {
    measure_batched(b, || (), |()| f());
}

/// Times `f` on a fresh input from `setup` each time, leaving `setup` out of the time: wall
/// time, or with `BENCH_CPU` the calling thread's CPU time.
fn measure_batched<I>(b: &mut Bencher, mut setup: impl FnMut() -> I, mut f: impl FnMut(I)) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let input = setup();
            let (wall, cpu) = (std::time::Instant::now(), thread_cpu());
            f(input);
            total += match (cpu, thread_cpu()) {
                (Some(start), Some(end)) => end - start,
                _ => wall.elapsed(),
            };
        }
        total
    });
}

/// A world of `consumers` consumer agents and `sellers` seller agents, stepped `WARM_WEEKS`.
fn world(consumers: u32, sellers: u32) -> Simulation {
    let threads = std::env::var("BENCH_THREADS").ok().and_then(|t| t.parse().ok());
    init_threads(threads);
    let path = std::env::var_os("BENCH_CONFIG")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/2026.ron"), Into::into);
    let mut s = config::load(&path).expect("the benchmark scenario loads");
    s.scale.consumer_agents = consumers;
    s.scale.seller_agents = sellers;
    // Long enough that no benchmark runs out of weeks.
    s.calendar.weeks = 2000;
    s.calendar.warmup_weeks = 0;
    let seed = s.seed;
    let mut sim = Simulation::new(s, seed);
    for _ in 0..WARM_WEEKS {
        sim.step();
    }
    sim
}

/// One system on a 1M-consumer, 100k-seller world.
fn systems(c: &mut Criterion) {
    let consumers = 1_000_000;
    let sellers = 100_000;
    let mut sim = world(consumers, sellers);
    let mut g = c.benchmark_group("system");
    g.sample_size(30).measurement_time(Duration::from_secs(10));

    g.throughput(Throughput::Elements(u64::from(consumers)));
    let shop = sim.world.register_system(shopping::shop);
    g.bench_function("shop/1M_consumers", |b| {
        measure(b, || sim.world.run_system(shop).expect("shop runs"));
    });

    g.throughput(Throughput::Elements(u64::from(sellers)));
    let decide = sim.world.register_system(sellers::seller_decisions);
    let rank = sim.world.register_system(ranking::build_tables);
    g.bench_function("decide_and_rank/100k_sellers", |b| {
        measure(b, || {
            sim.world.run_system(decide).expect("seller_decisions runs");
            sim.world.run_system(rank).expect("build_tables runs");
        });
    });
    // The ranking step alone: the tables rebuilt from the candidates the seller pass leaves
    // (it uses them up, so each run gets a copy, made outside the time).
    sim.world.run_system(decide).expect("seller_decisions runs");
    let candidates = sim.world.resource::<ranking::Tables>().candidates.clone();
    g.bench_function("rank/100k_sellers", |b| {
        measure_batched(
            b,
            || candidates.clone(),
            |c| {
                sim.world.resource_mut::<ranking::Tables>().candidates = c;
                sim.world.run_system(rank).expect("build_tables runs");
            },
        );
    });
    let settle = sim.world.register_system(settlement::settle);
    // Settlement reads the tables of the sellers now alive (the warm-up's last week ended with
    // exits and entries): rank them first, from the candidates above, so that this benchmark
    // also runs on its own.
    sim.world.resource_mut::<ranking::Tables>().candidates = candidates;
    sim.world.run_system(rank).expect("build_tables runs");
    g.bench_function("settle_and_book/100k_sellers", |b| {
        measure(b, || sim.world.run_system(settle).expect("settle runs"));
    });
    g.finish();
    black_box(&mut sim);
}

/// The shopping step at 10M consumers (1M sellers): the throughput target of docs/PERFORMANCE.md.
fn shopping_10m(c: &mut Criterion) {
    let consumers = 10_000_000;
    let mut sim = world(consumers, consumers / 10);
    let mut g = c.benchmark_group("system");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(u64::from(consumers)));
    let shop = sim.world.register_system(shopping::shop);
    g.bench_function("shop/10M_consumers", |b| {
        measure(b, || sim.world.run_system(shop).expect("shop runs"));
    });
    g.finish();
    black_box(&mut sim);
}

/// Whole ticks at the default scale (200k consumers, 20k sellers) and at 10x that.
fn ticks(c: &mut Criterion) {
    let mut g = c.benchmark_group("tick");
    for (name, consumers, sellers, samples) in
        [("default_200k", 200_000, 20_000, 30), ("large_2M", 2_000_000, 200_000, 10)]
    {
        let mut sim = world(consumers, sellers);
        g.sample_size(samples).measurement_time(Duration::from_secs(15));
        g.throughput(Throughput::Elements(u64::from(consumers + sellers)));
        g.bench_function(name, |b| {
            measure(b, || assert!(sim.step(), "the benchmark world ran out of weeks"));
        });
    }
    g.finish();
}

criterion_group!(benches, systems, shopping_10m, ticks);
criterion_main!(benches);
